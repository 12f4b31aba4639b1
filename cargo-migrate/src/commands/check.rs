//! `cargo migrate check`: the files obey the chain rules, the database is at head(s), and
//! nothing applied has changed since (exit 1 otherwise), like `alembic check`.

use super::Context;
use super::db::{read_state, require_url};
use crate::error::Failure;
use anyhow::Result;
use migrate_embed::graph::check_chain;
use migrate_embed::source::load_dir;

/// Checks files, then the database; every finding is listed, and any makes the exit code 1.
///
/// # Errors
/// A check [`Failure`] listing what is wrong; usage or database errors otherwise.
pub fn run(ctx: &Context) -> Result<()> {
    let project = ctx.project()?;
    let loaded = load_dir(&project.dir, &ctx.cwd)?;
    let graph = match check_chain(loaded.revisions, loaded.problems, project.config.multiple_heads) {
        Ok(graph) => graph,
        Err(chain) => {
            return Err(Failure::check_failed(chain.to_string())
                .hint("fix the files listed above; `cargo build` reports the same")
                .into());
        }
    };
    let loaded = super::Loaded { project, graph: std::mem::ManuallyDrop::new(graph) };
    let url = require_url(ctx, &loaded)?;
    let state = read_state(&loaded, &url)?;
    let graph = &*loaded.graph;
    let mut findings = Vec::new();
    let pending: Vec<String> = (0..graph.len()).filter(|&i| !state.applied[i]).map(|i| graph.describe(i)).collect();
    if !pending.is_empty() {
        findings.push(format!(
            "the database is not at head: {} revision(s) pending: {}",
            pending.len(),
            pending.join(", ")
        ));
    }
    for &index in &state.drifted {
        findings.push(format!(
            "{} ({}) changed since it was applied (checksum drift)",
            graph.describe(index),
            graph.revision(index).origin.path.display()
        ));
    }
    for row in &state.unknown {
        findings.push(format!("the database records {}, which these migrations do not contain", row.describe()));
    }
    for row in &state.failed {
        findings.push(format!("{} is marked failed: {}", row.revision, row.failure.as_deref().unwrap_or("failed")));
    }
    if findings.is_empty() {
        let heads: Vec<&str> = graph.heads().iter().map(|&h| graph.revision(h).id.as_str()).collect();
        ctx.output.status(&format!(
            "OK: {} revision(s) obey the chain rules; the database is at head ({}); nothing applied has changed",
            graph.len(),
            heads.join(", ")
        ))?;
        return Ok(());
    }
    let mut failure = Failure::check_failed(findings.join("\n  "));
    if !pending.is_empty() {
        failure = failure.hint("run `cargo migrate upgrade heads`");
    }
    if !state.drifted.is_empty() {
        failure = failure.hint("restore the edited files, or accept the edits with `cargo migrate repair`");
    }
    Err(failure.into())
}
