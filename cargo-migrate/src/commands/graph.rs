//! `cargo migrate graph`: the revision graph drawn as text (like `git log --graph`),
//! Graphviz DOT, Mermaid, or JSON.

use super::Context;
use crate::cli::Format;
use crate::draw;
use crate::output::{EdgeJson, GraphJson};
use crate::render::Renderer;
use anyhow::Result;

/// Prints the graph in the `--format` asked for.
///
/// # Errors
/// When the package or its migrations cannot be read.
pub fn run(ctx: &Context) -> Result<()> {
    let loaded = ctx.load_headers()?;
    let graph = &loaded.graph;
    let renderer = Renderer::new(graph, ctx.output.style);
    let text = match ctx.output.format {
        Format::Sql => {
            return Err(crate::error::Failure::usage("`--format sql` is only for `cargo migrate schema`")
                .hint("use --format text, dot, mermaid or json")
                .into());
        }
        Format::Text => draw::text(&renderer),
        Format::Dot => draw::dot(&Renderer::new(graph, crate::output::Style::plain())),
        Format::Mermaid => draw::mermaid(&Renderer::new(graph, crate::output::Style::plain())),
        Format::Json => {
            let id = |i: usize| graph.revision(i).id.as_str();
            let mut edges = Vec::new();
            for i in 0..graph.len() {
                for &p in graph.parents(i) {
                    edges.push(EdgeJson { from: id(p), to: id(i), kind: "revises" });
                }
                for &d in graph.dependencies(i) {
                    edges.push(EdgeJson { from: id(d), to: id(i), kind: "depends_on" });
                }
            }
            let json = GraphJson {
                revisions: (0..graph.len()).map(|i| renderer.json(i)).collect(),
                edges,
                heads: graph.heads().iter().map(|&h| id(h)).collect(),
                bases: graph.bases().iter().map(|&b| id(b)).collect(),
            };
            return Ok(ctx.output.print_json(&json)?);
        }
    };
    Ok(ctx.output.print(&text)?)
}
