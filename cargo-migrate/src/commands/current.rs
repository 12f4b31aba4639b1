//! `cargo migrate current [-v]`: the database's applied head(s).

use super::Context;
use super::db::{read_state, require_url};
use crate::render::Renderer;
use anyhow::Result;
use migrate_embed::database::mask_password;
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
///
/// # Errors
/// No URL, or the database cannot be read.
pub fn run(ctx: &Context) -> Result<()> {
    let loaded = ctx.load()?;
    let graph = &*loaded.graph;
    let url = require_url(ctx, &loaded)?;
    let state = read_state(&loaded, &url)?;
    let heads = graph.applied_heads(&state.applied);
    let renderer = Renderer::new(graph, ctx.output.style);
    if ctx.output.json() {
        let json = CurrentJson {
            url: mask_password(&url),
            current: heads.iter().map(|&h| renderer.json(h)).collect(),
            pending: (0..graph.len()).filter(|&i| !state.applied[i]).map(|i| graph.revision(i).id.as_str()).collect(),
            applied: state
                .rows
                .iter()
                .map(|row| {
                    let rev = graph.get(&row.revision);
                    AppliedJson {
                        revision: &row.revision,
                        message: &row.message,
                        applied_at: &row.applied_at,
                        duration_ms: row.duration_ms,
                        known: rev.is_some(),
                        checksum_matches: rev.map(|r| r.checksum == row.checksum),
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
    for row in &state.unknown {
        text.push_str(&format!("{} (not in these migrations: applied by a newer version)\n", row.describe()));
    }
    if heads.is_empty() && state.unknown.is_empty() {
        text.push_str("(nothing applied: the database is at base)\n");
    }
    if ctx.output.verbose > 0 && !state.rows.is_empty() {
        text.push_str("\napplied, oldest first:\n");
        for row in &state.rows {
            let mut notes = Vec::new();
            match graph.get(&row.revision) {
                Some(rev) if rev.checksum != row.checksum => {
                    notes.push("CHANGED since applied (checksum drift)".to_owned())
                }
                Some(_) => {}
                None => notes.push("not in these migrations".to_owned()),
            }
            if let Some(failure) = &row.failure {
                notes.push(format!("FAILED after {} statement(s): {failure}", row.failed_statements.unwrap_or(0)));
            }
            let notes = if notes.is_empty() { String::new() } else { format!("  [{}]", notes.join("; ")) };
            text.push_str(&format!(
                "  {}  {}  {} ms  {}{notes}\n",
                row.revision, row.applied_at, row.duration_ms, row.message
            ));
        }
    }
    ctx.output.print(&text)?;
    for &index in &state.drifted {
        ctx.output.warn(
            &format!("{} changed since it was applied (checksum drift)", graph.describe(index)),
            &["restore the file, or run `cargo migrate repair` if the edit is deliberate".to_owned()],
        );
    }
    for row in &state.failed {
        ctx.output.warn(
            &format!("{} is marked failed: {}", row.revision, row.failure.as_deref().unwrap_or("failed")),
            &["fix the schema by hand, then `cargo migrate stamp <rev>` or `cargo migrate repair <rev>`".to_owned()],
        );
    }
    Ok(())
}
