//! `cargo migrate history [-r A:B]`: every revision, newest first, as `alembic history`
//! prints them.

use super::{Context, needs_database, newest_first};
use crate::cli::HistoryArgs;
use crate::error::Failure;
use crate::render::Renderer;
use anyhow::Result;

/// Prints `parent -> id (head), message` per revision (Alembic's verbose entries with
/// `-v`), newest first, limited to `-r A:B` (both ends included), or a JSON array.
///
/// # Errors
/// A bad range (unknown or ambiguous ends, or ends that need the database).
pub fn run(ctx: &Context, args: &HistoryArgs) -> Result<()> {
    let loaded = ctx.load_headers()?;
    let graph = &loaded.graph;
    let range_needs_database =
        args.range.as_ref().is_some_and(|r| [&r.lower, &r.upper].into_iter().flatten().any(needs_database));
    // `current` in a range and --indicate-current read the database; nothing else does.
    let applied = if args.indicate_current || range_needs_database {
        let url = ctx.database_url(&loaded.project).ok_or_else(|| {
            Failure::usage(
                "this history needs the database (--indicate-current, or `current`/`+N` in -r), and no URL is set",
            )
            .hint("pass --database-url, set DATABASE_URL, or set database_url in [package.metadata.migrate]")
        })?;
        super::db::read_state(&loaded, &url)?.applied
    } else {
        graph.empty_set()
    };
    let selected = match &args.range {
        Some(range) => graph.range(range, &applied)?,
        None => vec![true; graph.len()],
    };
    let mut renderer = Renderer::new(graph, ctx.output.style);
    if args.indicate_current {
        renderer = renderer.with_current(&graph.applied_heads(&applied));
    }
    let chosen = newest_first(graph).filter(|&i| selected[i]);
    if ctx.output.json() {
        let list: Vec<_> = chosen.map(|i| renderer.json(i)).collect();
        return Ok(ctx.output.print_json(&list)?);
    }
    let text = if ctx.output.verbose > 0 {
        let entries: Vec<String> = chosen.map(|i| renderer.log_entry(i)).collect();
        entries.join("\n")
    } else {
        let mut text = String::with_capacity(graph.len() * 64);
        for i in chosen {
            renderer.push_history_line(i, &mut text);
            text.push('\n');
        }
        text
    };
    Ok(ctx.output.print(&text)?)
}
