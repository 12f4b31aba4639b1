//! What a database records, compared with the revisions at hand: [`DbState`] (read from the
//! version table's rows) and [`Status`], the one report `cargo migrate current`,
//! `cargo migrate check` and an application's `--migrate-status` all print. Pure.

use crate::graph::{RevIndex, RevSet, RevisionGraph};
use crate::revision::RevisionBody;
use crate::version_table::VersionRow;
use std::fmt;

/// What a revision's body tells about drift: its checksum, when the SQL was read (a
/// header alone cannot tell).
pub trait Checksummed {
    /// The checksum of the up SQL, if known.
    fn checksum(&self) -> Option<&str>;
}

impl Checksummed for RevisionBody {
    fn checksum(&self) -> Option<&str> {
        Some(&self.checksum)
    }
}

impl Checksummed for () {
    fn checksum(&self) -> Option<&str> {
        None
    }
}

/// The database's recorded state, read from the version table.
#[derive(Debug, Clone, Default)]
pub struct DbState {
    /// Every row, in application order.
    pub rows: Vec<VersionRow>,
    /// Revisions of the graph that are applied (marked ones included).
    pub applied: RevSet,
    /// Rows naming revisions the graph does not know.
    pub unknown: Vec<VersionRow>,
    /// Rows marked failed (or interrupted).
    pub failed: Vec<VersionRow>,
    /// Applied revisions whose checksum differs from the file's. A marked revision is not
    /// drift: it is reported as marked.
    pub drifted: Vec<RevIndex>,
    /// Whether drift was checked (the graph held the revisions' SQL, not headers alone).
    pub drift_checked: bool,
    /// Whether the version table exists.
    pub table_exists: bool,
}

impl DbState {
    /// The state that `rows` (`None`: no version table yet) record, against `graph`.
    pub fn new<B: Checksummed>(graph: &RevisionGraph<B>, rows: Option<Vec<VersionRow>>) -> Self {
        let table_exists = rows.is_some();
        let rows = rows.unwrap_or_default();
        let drift_checked = graph.revisions().first().is_none_or(|r| r.body.checksum().is_some());
        let mut state = DbState { applied: graph.empty_set(), table_exists, drift_checked, ..DbState::default() };
        for row in &rows {
            match graph.index_of(&row.revision) {
                Some(i) => {
                    state.applied[i] = true;
                    let checksum = graph.revision(i).body.checksum();
                    if checksum.is_some_and(|c| c != row.checksum) && !row.is_failed() {
                        state.drifted.push(i);
                    }
                }
                None => state.unknown.push(row.clone()),
            }
            if row.is_failed() {
                state.failed.push(row.clone());
            }
        }
        state.rows = rows;
        state
    }
}

/// A revision marked failed, interrupted or in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    /// The revision id.
    pub revision: String,
    /// How many of its statements had completed.
    pub statements: i64,
    /// Why it is marked.
    pub failure: String,
    /// What it revises (its parents' ids), for the recovery to stamp.
    pub parents: Vec<String>,
}

/// What the database holds compared with the revisions at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The URL, password masked.
    pub url: String,
    /// Applied heads, `id (message)`, each marked `(head)` when it is a head of the graph.
    pub current: Vec<String>,
    /// Revisions not applied yet, in upgrade order.
    pub pending: Vec<String>,
    /// Recorded revisions the graph does not know.
    pub unknown: Vec<String>,
    /// Revisions marked failed, with the reason.
    pub failed: Vec<Marked>,
    /// Applied revisions whose SQL changed since, `id (message)` and their file.
    pub drifted: Vec<(String, String)>,
}

impl Status {
    /// Compares a read state with a graph; `url` is shown as given (pass it masked).
    pub fn new<B>(graph: &RevisionGraph<B>, state: &DbState, url: &str) -> Self {
        let current = graph
            .applied_heads(&state.applied)
            .iter()
            .map(|&h| if graph.is_head(h) { format!("{} (head)", graph.describe(h)) } else { graph.describe(h) })
            .collect();
        Status {
            url: url.to_owned(),
            current,
            pending: (0..graph.len()).filter(|&i| !state.applied[i]).map(|i| graph.describe(i)).collect(),
            unknown: state.unknown.iter().map(VersionRow::describe).collect(),
            failed: state
                .failed
                .iter()
                .map(|r| Marked {
                    revision: r.revision.clone(),
                    statements: r.failed_statements.unwrap_or(0),
                    failure: r.failure.clone().unwrap_or_else(|| "failed".to_owned()),
                    parents: r.parent_ids(),
                })
                .collect(),
            drifted: state
                .drifted
                .iter()
                .map(|&i| (graph.describe(i), graph.revision(i).origin.path.display().to_string()))
                .collect(),
        }
    }

    /// Whether nothing is pending, unknown, failed or drifted.
    pub fn is_up_to_date(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty() && self.failed.is_empty() && self.drifted.is_empty()
    }

    /// One line per thing that is out of order, for `check`.
    pub fn findings(&self) -> Vec<String> {
        let mut findings = Vec::new();
        if !self.pending.is_empty() {
            findings.push(format!(
                "the database is not at head: {} revision(s) pending: {}",
                self.pending.len(),
                self.pending.join(", ")
            ));
        }
        for (revision, path) in &self.drifted {
            findings.push(format!("{revision} ({path}) changed since it was applied (checksum drift)"));
        }
        for revision in &self.unknown {
            findings.push(format!("the database records {revision}, which these migrations do not contain"));
        }
        for marked in &self.failed {
            findings.push(format!("{} is marked failed: {}", marked.revision, marked.failure));
        }
        findings
    }

    /// What to run about the findings, as commands that work when pasted. A failed mark
    /// comes first: until it is resolved, every run refuses.
    pub fn hints(&self) -> Vec<String> {
        let mut hints = Vec::new();
        if let Some(marked) = self.failed.first() {
            hints.push(marked_hint(&marked.revision, &marked.parents));
        } else if !self.pending.is_empty() && self.unknown.is_empty() {
            hints.push("run `cargo migrate upgrade heads`".to_owned());
        }
        if !self.unknown.is_empty() {
            hints.push(
                "the database was migrated by a newer release: use it, or take those revisions back with `cargo migrate downgrade heads --use-recorded-down`"
                    .to_owned(),
            );
        }
        if !self.drifted.is_empty() {
            hints.push("restore the edited files, or accept the edits with `cargo migrate repair`".to_owned());
        }
        hints
    }
}

/// The recovery for a marked revision, as commands that work when pasted: `repair` when
/// the schema has all of it; when it has none of it, `stamp` one step down the revision's
/// own line (`REV@-1`: what it revises, every parent of a merge; `REV@base` for a root),
/// which forgets that revision alone and leaves other branches recorded as they are.
/// Only ids and targets: nothing a shell would read as syntax.
///
/// ```
/// use migrate_embed::status::marked_hint;
/// assert!(marked_hint("b2", &["a1"]).contains("`cargo migrate repair b2` if it has all of b2, or `cargo migrate stamp b2@-1` (back to a1) if it has none of it"));
/// assert!(marked_hint("a1", &[] as &[&str]).contains("`cargo migrate stamp a1@base`"));
/// assert!(marked_hint("m3", &["a1", "b2"]).contains("`cargo migrate stamp m3@-1` (back to a1, b2)"));
/// ```
pub fn marked_hint<S: AsRef<str>>(revision: &str, parents: &[S]) -> String {
    let (below, back_to) = match parents {
        [] => (format!("{revision}@base"), "base".to_owned()),
        _ => (format!("{revision}@-1"), parents.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ")),
    };
    format!(
        "fix the schema by hand, then record where it really is: `cargo migrate repair {revision}` if it has all of {revision}, or `cargo migrate stamp {below}` (back to {back_to}) if it has none of it"
    )
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |items: &[String]| if items.is_empty() { "none".to_owned() } else { items.join(", ") };
        writeln!(f, "database: {}", self.url)?;
        if self.current.is_empty() {
            writeln!(f, "current:  <base> (nothing applied)")?;
        } else {
            writeln!(f, "current:  {}", self.current.join(", "))?;
        }
        write!(f, "pending:  {}", list(&self.pending))?;
        if !self.unknown.is_empty() {
            write!(f, "\nunknown:  {} (applied by a newer release)", list(&self.unknown))?;
        }
        if !self.failed.is_empty() {
            let failed: Vec<String> = self.failed.iter().map(|m| format!("{}: {}", m.revision, m.failure)).collect();
            write!(f, "\nfailed:   {}", list(&failed))?;
        }
        if !self.drifted.is_empty() {
            let drifted: Vec<String> = self.drifted.iter().map(|(revision, _)| revision.clone()).collect();
            write!(f, "\ndrifted:  {} (edited since applied)", list(&drifted))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_mark_hints_its_recovery_and_not_upgrade() {
        let status = Status {
            url: "sqlite://x.db".into(),
            current: vec!["a1 (create t)".into()],
            pending: vec!["b2 (half)".into()],
            unknown: Vec::new(),
            failed: vec![Marked {
                revision: "b2".into(),
                statements: 1,
                failure: "upgrade failed at statement 2 (outside a transaction)".into(),
                parents: vec!["a1".into()],
            }],
            drifted: Vec::new(),
        };
        assert_eq!(
            status.hints(),
            [
                "fix the schema by hand, then record where it really is: `cargo migrate repair b2` if it has all of b2, or `cargo migrate stamp b2@-1` (back to a1) if it has none of it"
            ]
        );
        let unmarked = Status { failed: Vec::new(), ..status };
        assert_eq!(unmarked.hints(), ["run `cargo migrate upgrade heads`"]);
    }
}
