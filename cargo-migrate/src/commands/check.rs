//! `cargo migrate check`: the files obey the chain rules, the database is at head(s), and
//! nothing applied has changed since (exit 1 otherwise), like `alembic check`. Lint
//! findings are part of it: `warn` ones are printed as warnings, `deny` ones fail it.

use super::Context;
use super::db::{read_state, require_url};
use crate::error::Failure;
use anyhow::Result;
use migrate_embed::graph::check_chain;
use migrate_embed::lint::{Level, Selection};
use migrate_embed::source::load_dir;
use migrate_embed::status::Status;
use migrate_embed::url::mask_password;

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
    let report = super::lint::run_lint(ctx, &loaded, &Selection::default());
    for finding in report.findings.iter().filter(|f| f.level == Level::Warn) {
        ctx.output.warn(&format!("{finding}"), &[]);
    }
    let mut findings: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    findings.extend(report.findings.iter().filter(|f| f.level == Level::Deny).map(ToString::to_string));
    let url = require_url(ctx, &loaded)?;
    let state = read_state(&loaded, &url)?;
    let graph = &*loaded.graph;
    let status = Status::new(graph, &state, &mask_password(&url));
    let mut hints: Vec<String> = Vec::new();
    findings.extend(status.findings());
    let schema_file = super::autogenerate::schema_path(&loaded);
    if schema_file.exists() {
        let database = crate::cli::DatabaseArgs { lock_timeout: 60, lock: None };
        let sides = super::autogenerate::with_scratch(ctx, &loaded, async |server| {
            super::autogenerate::compare_sides(ctx, server, &loaded, &database, &[]).await
        })?;
        let shown = ctx.display(&schema_file);
        findings
            .extend(sides.comparison.changes.iter().map(|c| format!("{shown} differs from head: {}", c.describe())));
        if !sides.comparison.is_empty() {
            hints.push(
                "write the difference as a revision with `cargo migrate revision --autogenerate -m '…'`".to_owned(),
            );
        }
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
    for hint in status.hints().into_iter().chain(hints) {
        failure = failure.hint(hint);
    }
    Err(failure.into())
}
