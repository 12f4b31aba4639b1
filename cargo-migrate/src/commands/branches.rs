//! `cargo migrate branches`: each branch point and the revisions it branches into, as
//! `alembic branches` prints them.

use super::{Context, newest_first};
use crate::render::Renderer;
use anyhow::Result;

/// Prints one group per branch point, newest first, separated by blank lines (with `-v`,
/// the branch point's full entry and the children's messages), or a JSON array of the
/// branch points (their `children` are where they branch).
///
/// # Errors
/// When the package or its migrations cannot be read.
pub fn run(ctx: &Context) -> Result<()> {
    let loaded = ctx.load_headers()?;
    let graph = &loaded.graph;
    let renderer = Renderer::new(graph, ctx.output.style);
    let points: Vec<usize> = newest_first(graph).filter(|&i| graph.is_branch_point(i)).collect();
    if ctx.output.json() {
        let list: Vec<_> = points.iter().map(|&i| renderer.json(i)).collect();
        return Ok(ctx.output.print_json(&list)?);
    }
    let verbose = ctx.output.verbose > 0;
    let groups: Vec<String> = points.iter().map(|&i| renderer.branch_group(i, verbose)).collect();
    Ok(ctx.output.print(&groups.join("\n"))?)
}
