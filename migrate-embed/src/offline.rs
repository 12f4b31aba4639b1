//! Offline `--sql`: the script an upgrade or downgrade would run, version-table statements
//! included, printed instead of run. Never connects. The output runs as-is in `psql`,
//! `sqlite3` or `mysql`: the same [`Step`]s the runner executes, and the same
//! version-table statements, written in the dialect's script syntax.

use crate::config::TableName;
use crate::dialect::Dialect;
use crate::graph::{Anchor, Destination, RangeSpec, RevSet, RevisionGraph, Target, TargetError, TargetKind};
use crate::plan::{Direction, PlanError, Record, Step, plan_downgrade, plan_upgrade};
use crate::sql::split::split_with;
use crate::version_table::VersionTable;
use std::fmt::Write;

/// Why an offline script could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfflineError {
    /// Bad target or plan.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A downgrade without a range.
    #[error(
        "offline downgrade needs a range `FROM:TO` (e.g. `head:base`), because there is no database to read the current state from"
    )]
    DowngradeNeedsRange,
    /// An upgrade range whose end lies below its start (`head:base`): nothing would run.
    #[error(
        "`upgrade {range} --sql` goes backwards: {upper} is below {lower}, and an upgrade only goes up; use `cargo migrate downgrade {range} --sql` for the script that takes {lower} down to {upper}"
    )]
    BackwardsRange {
        /// The range as written.
        range: String,
        /// Its start.
        lower: String,
        /// Its end.
        upper: String,
    },
}

/// The script for moving `direction` to `destination`: `A:B` starts with A (and what it
/// needs) applied; a bare target starts from an empty database.
///
/// # Errors
/// [`OfflineError`] for bad targets, or a downgrade without a range.
pub fn offline_script(
    graph: &RevisionGraph,
    dialect: &'static dyn Dialect,
    version_table: &TableName,
    transactional_default: bool,
    direction: Direction,
    destination: &Destination,
) -> Result<String, OfflineError> {
    let refuse_current = |target: &Target| -> Result<(), OfflineError> {
        let from_current =
            matches!(target.kind, TargetKind::Current | TargetKind::Relative { from: Anchor::Current, .. });
        if from_current {
            return Err(PlanError::from(TargetError::NeedsDatabase { target: target.text.clone() }).into());
        }
        Ok(())
    };
    let (applied, target): (RevSet, Target) = match destination {
        Destination::Range(range) => {
            for end in [&range.lower, &range.upper].into_iter().flatten() {
                refuse_current(end)?;
            }
            let from = match &range.lower {
                Some(lower) => graph
                    .ancestors(&graph.upgrade_destination(lower, &graph.empty_set()).map_err(PlanError::from)?, true),
                None => graph.empty_set(),
            };
            let to = range.upper.clone().unwrap_or_else(|| {
                let text = if direction == Direction::Up { "heads" } else { "base" };
                text.parse().expect("a keyword parses")
            });
            (from, to)
        }
        Destination::Target(_) if direction == Direction::Down => return Err(OfflineError::DowngradeNeedsRange),
        Destination::Target(target) => {
            refuse_current(target)?;
            (graph.empty_set(), target.clone())
        }
    };
    if let (Direction::Up, Destination::Range(range)) = (direction, destination) {
        refuse_backwards(graph, range, &applied, &target)?;
    }
    let plan = match direction {
        Direction::Up => plan_upgrade(graph, &applied, &target)?,
        Direction::Down => plan_downgrade(graph, &applied, &target)?,
    };
    let table = VersionTable::new(version_table, dialect);
    let mut out = String::new();
    let _ = writeln!(out, "-- cargo-migrate {} {destination} (offline, {})\n", direction.verb(), dialect.name());
    if direction == Direction::Up {
        let _ = writeln!(out, "{};\n", table.create());
    }
    for step in plan.steps(graph, transactional_default) {
        write_step(&mut out, &step, &table);
    }
    Ok(out)
}

/// Refuses an upgrade range `A:B` whose end is strictly below its start: B and all it
/// needs are already in A's state, which holds more. (Alembic prints an empty script;
/// `downgrade B:A --sql` is refused the same way, so this is refused too.) A range whose
/// ends are the same state prints an empty script; ends on sibling branches upgrade.
fn refuse_backwards(graph: &RevisionGraph, range: &RangeSpec, from: &RevSet, to: &Target) -> Result<(), OfflineError> {
    let wanted = graph.ancestors(&graph.upgrade_destination(to, from).map_err(PlanError::from)?, true);
    let below = wanted.iter().zip(from).all(|(&w, &f)| !w || f) && wanted != *from;
    if below {
        return Err(OfflineError::BackwardsRange {
            range: range.to_string(),
            lower: range.lower.as_ref().map_or_else(|| "base".to_owned(), |t| t.text.clone()),
            upper: to.text.clone(),
        });
    }
    Ok(())
}

/// One step: its `Running …` line, its statements, and its version-table statement, in a
/// transaction when the step runs in one.
fn write_step(out: &mut String, step: &Step<'_>, table: &VersionTable) {
    let dialect = table.dialect();
    let _ = writeln!(out, "-- {}", step.running_line());
    let switch = dialect.foreign_keys_switch().filter(|_| step.foreign_keys_off);
    if let Some((off, _)) = switch {
        dialect.script_statement(off, out);
    }
    if step.transactional {
        out.push_str("BEGIN;\n");
    }
    for statement in split_with(step.sql, dialect.lexing()) {
        dialect.script_statement(statement.sql, out);
    }
    let record = match &step.record {
        Record::Insert(row) => table.insert(row, 0, None),
        Record::Delete => table.delete(step.id),
    };
    dialect.script_statement(&record, out);
    if let Some(check) = dialect.foreign_key_check().filter(|_| step.foreign_keys_off) {
        // Lists references that point nowhere; the client prints them before the commit.
        dialect.script_statement(check, out);
    }
    if step.transactional {
        out.push_str("COMMIT;\n");
    }
    if let Some((_, on)) = switch {
        dialect.script_statement(on, out);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::DatabaseKind;
    use crate::revision::parse_revision;

    fn graph() -> RevisionGraph {
        let texts = [
            "-- create t\n-- Revision ID: a1\n-- Revises: <base>\n-- migrate:up\nCREATE TABLE t (x INT);\n-- migrate:down\nDROP TABLE t;\n",
            "-- it's b\n-- Revision ID: b2\n-- Revises: a1\n-- Transactional: false\n-- migrate:up\nCREATE INDEX i ON t (x);\nINSERT INTO t VALUES (1)\n-- migrate:down\nDROP INDEX i;\n",
        ];
        RevisionGraph::build(texts.iter().map(|t| parse_revision(t.as_bytes()).unwrap()).collect()).unwrap()
    }

    fn script(kind: DatabaseKind, table: &str, direction: Direction, to: &str) -> Result<String, OfflineError> {
        let table = TableName::new(table).unwrap();
        offline_script(&graph(), kind.dialect(), &table, true, direction, &to.parse().map_err(PlanError::from)?)
    }

    #[test]
    fn upgrade_script_has_table_transactions_and_rows() {
        let script = script(DatabaseKind::Postgres, "migrate_version", Direction::Up, "head").unwrap();
        assert!(script.contains("CREATE TABLE IF NOT EXISTS \"migrate_version\""));
        assert!(script.contains(
            "-- Running upgrade <base> -> a1, create t\nBEGIN;\nCREATE TABLE t (x INT);\nINSERT INTO \"migrate_version\""
        ));
        assert!(
            script
                .contains("-- Running upgrade a1 -> b2, it's b\nCREATE INDEX i ON t (x);\nINSERT INTO t VALUES (1);\n")
        );
        assert!(script.contains("'it''s b'"));
        assert_eq!(script.matches("BEGIN;").count(), 1, "b2 is not transactional:\n{script}");
    }

    #[test]
    fn ranges_and_downgrades() {
        let script = script(DatabaseKind::Sqlite, "v", Direction::Up, "a1:b2").unwrap();
        assert!(!script.contains("upgrade <base> -> a1") && script.contains("upgrade a1 -> b2"), "{script}");
        let script = super::tests::script(DatabaseKind::MySql, "v", Direction::Down, "b2:base").unwrap();
        assert!(
            script.contains("-- Running downgrade b2 -> a1")
                && script.contains("DELETE FROM `v` WHERE revision = 'a1';"),
            "{script}"
        );
        assert_eq!(
            super::tests::script(DatabaseKind::MySql, "v", Direction::Down, "base"),
            Err(OfflineError::DowngradeNeedsRange)
        );
        // An upgrade range that ends below its start is refused, as downgrade refuses
        // the opposite; one that stays put prints an empty script.
        for range in ["head:base", "b2:a1", "b2:base", "head:a1"] {
            let error = super::tests::script(DatabaseKind::Sqlite, "v", Direction::Up, range).unwrap_err();
            assert!(matches!(error, OfflineError::BackwardsRange { .. }), "{range}: {error}");
        }
        assert_eq!(
            super::tests::script(DatabaseKind::Sqlite, "v", Direction::Up, "head:base").unwrap_err().to_string(),
            "`upgrade head:base --sql` goes backwards: base is below head, and an upgrade only goes up; use `cargo migrate downgrade head:base --sql` for the script that takes head down to base"
        );
        let same = super::tests::script(DatabaseKind::Sqlite, "v", Direction::Up, "b2:head").unwrap();
        assert!(!same.contains("Running"), "{same}");
        assert!(super::tests::script(DatabaseKind::Sqlite, "v", Direction::Down, "base:head").is_err());
        // No database to count from: `current` and `+N` are refused, not taken as base.
        for target in ["current:head", "+1", "a1:+1"] {
            let error = super::tests::script(DatabaseKind::Sqlite, "v", Direction::Up, target).unwrap_err();
            assert!(error.to_string().contains("counts from the database's current state"), "{target}: {error}");
        }
    }
}
