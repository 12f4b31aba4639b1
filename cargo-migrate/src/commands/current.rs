//! `cargo migrate current [-v]`: the database's applied head(s).

use super::db::{read_state, require_url};
use super::{Context, Loaded};
use crate::render::Renderer;
use anyhow::Result;
use migrate_embed::diagnostic::printable_line;
use migrate_embed::status::{Checksummed, Status, marked_hint};
use migrate_embed::url::mask_password;
use serde::Serialize;

/// `--format json`: `{"url", "current": [revision…], "pending": [id…], "applied": [row…]}`.
#[derive(Serialize)]
struct CurrentJson<'a> {
    url: String,
    current: Vec<crate::output::RevisionJson<'a>>,
    pending: Vec<&'a str>,
    applied: Vec<AppliedJson<'a>>,
}

/// One version-table row in `--format json`.
#[derive(Serialize)]
struct AppliedJson<'a> {
    revision: &'a str,
    message: &'a str,
    applied_at: &'a str,
    duration_ms: i64,
    /// Whether these files contain the revision.
    known: bool,
    /// Whether the file's checksum matches the one applied (`null` when unknown).
    checksum_matches: Option<bool>,
    failed_statements: Option<i64>,
    failure: Option<&'a str>,
}

/// Prints each applied head as `id (labels) (head)`, says so when nothing is applied, and
/// with `-v` lists every applied revision with its time, duration and any drift or failure.
/// Plain `current` needs headers only (the header cache serves them); `-v` and JSON read
/// the SQL too, to tell drift.
///
/// # Errors
/// No URL, or the database cannot be read.
pub fn run(ctx: &Context) -> Result<()> {
    if ctx.output.verbose > 0 || ctx.output.json() { show(ctx, &ctx.load()?) } else { show(ctx, &ctx.load_headers()?) }
}

fn show<B: Checksummed>(ctx: &Context, loaded: &Loaded<B>) -> Result<()> {
    let graph = &*loaded.graph;
    let url = require_url(ctx, loaded)?;
    let state = read_state(loaded, &url)?;
    let status = Status::new(graph, &state, &mask_password(&url));
    let heads = graph.applied_heads(&state.applied);
    let renderer = Renderer::new(graph, ctx.output.style);
    let drifted = |index: usize| state.drift_checked.then(|| !state.drifted.contains(&index));
    if ctx.output.json() {
        let json = CurrentJson {
            url: status.url.clone(),
            current: heads.iter().map(|&h| renderer.json(h)).collect(),
            pending: (0..graph.len()).filter(|&i| !state.applied[i]).map(|i| graph.revision(i).id.as_str()).collect(),
            applied: state
                .rows
                .iter()
                .map(|row| {
                    let index = graph.index_of(&row.revision);
                    AppliedJson {
                        revision: &row.revision,
                        message: &row.message,
                        applied_at: &row.applied_at,
                        duration_ms: row.duration_ms,
                        known: index.is_some(),
                        checksum_matches: index.and_then(drifted),
                        failed_statements: row.failed_statements,
                        failure: row.failure.as_deref(),
                    }
                })
                .collect(),
        };
        return Ok(ctx.output.print_json(&json)?);
    }
    let mut text = String::new();
    for &head in &heads {
        text.push_str(&renderer.heads_line(head));
        text.push('\n');
    }
    for revision in &status.unknown {
        text.push_str(&format!("{revision} (not in these migrations: applied by a newer version)\n"));
    }
    if heads.is_empty() && state.unknown.is_empty() {
        text.push_str("(nothing applied: the database is at base)\n");
    }
    if ctx.output.verbose > 0 && !state.rows.is_empty() {
        text.push_str("\napplied, oldest first:\n");
        for row in &state.rows {
            let mut notes = Vec::new();
            match graph.index_of(&row.revision) {
                Some(index) if drifted(index) == Some(false) => {
                    notes.push("CHANGED since applied (checksum drift)".to_owned())
                }
                Some(_) => {}
                None => notes.push("not in these migrations".to_owned()),
            }
            if let Some(failure) = &row.failure {
                notes.push(format!("FAILED after {} statement(s): {failure}", row.failed_statements.unwrap_or(0)));
            }
            let notes = if notes.is_empty() { String::new() } else { format!("  [{}]", notes.join("; ")) };
            // What the database holds is shown escaped, like text from the files.
            text.push_str(&format!(
                "  {}  {}  {} ms  {}{}\n",
                printable_line(&row.revision),
                printable_line(&row.applied_at),
                row.duration_ms,
                printable_line(&row.message),
                printable_line(&notes)
            ));
        }
    }
    ctx.output.print(&text)?;
    for (revision, _) in &status.drifted {
        ctx.output.warn(
            &format!("{revision} changed since it was applied (checksum drift)"),
            &["restore the file, or run `cargo migrate repair` if the edit is deliberate".to_owned()],
        );
    }
    for marked in &status.failed {
        ctx.output.warn(
            &format!("{} is marked failed: {}", marked.revision, marked.failure),
            &[marked_hint(&marked.revision, &marked.parents)],
        );
    }
    Ok(())
}
