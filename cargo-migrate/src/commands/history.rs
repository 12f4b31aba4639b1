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
    let loaded = ctx.load()?;
    let graph = &loaded.graph;
    // The database commands fill this in for `current` in ranges and --indicate-current.
    let applied = graph.empty_set();
    let selected = match &args.range {
        Some(range) => {
            if let Some(end) = [&range.lower, &range.upper].into_iter().flatten().find(|t| needs_database(t)) {
                return Err(Failure::usage(format!(
                    "`{end}` in -r counts from the database's current state, which `history` does not read yet"
                ))
                .hint("name revisions instead: `-r <rev>:`, `-r :head`, `-r <label>@base:<label>@head`")
                .into());
            }
            graph.range(range, &applied)?
        }
        None => vec![true; graph.len()],
    };
    let renderer = Renderer::new(graph, ctx.output.style);
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
            text.push_str(&renderer.history_line(i));
            text.push('\n');
        }
        text
    };
    Ok(ctx.output.print(&text)?)
}
