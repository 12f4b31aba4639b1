//! `cargo migrate show REV`: one revision in detail, as `alembic show` prints it.

use super::{Context, resolve_offline};
use crate::cli::ShowArgs;
use crate::error::Failure;
use crate::render::Renderer;
use anyhow::Result;

/// Prints Alembic's verbose entry for each revision the target names (`heads` may name
/// several), or a JSON array of them.
///
/// # Errors
/// An unknown or ambiguous name (listing the candidates), `base`, or a target that needs
/// the database.
pub fn run(ctx: &Context, args: &ShowArgs) -> Result<()> {
    let loaded = ctx.load_headers()?;
    let graph = &loaded.graph;
    if graph.is_empty() {
        return Err(Failure::usage(format!("there are no revisions in {} yet", ctx.display(&loaded.project.dir)))
            .hint("create one with `cargo migrate revision -m \"…\"`")
            .into());
    }
    let found = resolve_offline(graph, &args.revision)?;
    if found.is_empty() {
        return Err(Failure::usage(format!("`{}` names no revision (it is below every revision)", args.revision))
            .hint("name a revision: an id, a unique prefix, a branch label, `head` or `heads`")
            .into());
    }
    let renderer = Renderer::new(graph, ctx.output.style);
    if ctx.output.json() {
        let list: Vec<_> = found.iter().map(|&i| renderer.json(i)).collect();
        return Ok(ctx.output.print_json(&list)?);
    }
    let entries: Vec<String> = found.iter().map(|&i| renderer.log_entry(i)).collect();
    Ok(ctx.output.print(&entries.join("\n"))?)
}
