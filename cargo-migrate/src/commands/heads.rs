//! `cargo migrate heads`: the revisions nothing revises, as `alembic heads` prints them.

use super::Context;
use crate::render::Renderer;
use anyhow::Result;

/// Prints `<id> (<labels>) (head)` per head (Alembic's verbose entry with `-v`), or a JSON
/// array of revisions.
///
/// # Errors
/// When the package or its migrations cannot be read.
pub fn run(ctx: &Context) -> Result<()> {
    let loaded = ctx.load_headers()?;
    let renderer = Renderer::new(&loaded.graph, ctx.output.style);
    let heads = loaded.graph.heads();
    if ctx.output.json() {
        let list: Vec<_> = heads.iter().map(|&h| renderer.json(h)).collect();
        return Ok(ctx.output.print_json(&list)?);
    }
    let text = if ctx.output.verbose > 0 {
        let entries: Vec<String> = heads.iter().map(|&h| renderer.log_entry(h)).collect();
        entries.join("\n")
    } else {
        heads.iter().map(|&h| format!("{}\n", renderer.heads_line(h))).collect()
    };
    Ok(ctx.output.print(&text)?)
}
