//! Offline `--sql`: the script an upgrade or downgrade would run, version-table statements
//! included, printed instead of run. Never connects. The output runs as-is in `psql`,
//! `sqlite3` or `mysql`.

use crate::database::DatabaseKind;
use crate::graph::{Anchor, RangeSpec, RevSet, RevisionGraph, Target, TargetError, TargetKind};
use crate::plan::{Direction, PlanError, plan_downgrade, plan_upgrade};
use crate::split::split_statements;
use crate::version_table::{self, VersionRow, literal};
use std::fmt::Write;

/// Why an offline script could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfflineError {
    /// Bad target or plan.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A downgrade without a range.
    #[error(
        "offline downgrade needs a range `FROM:TO` (e.g. `head:base`), because there is no database to read the current state from"
    )]
    DowngradeNeedsRange,
}

/// The starting state and target of an offline run: `A:B` starts with A (and what it
/// needs) applied; a bare target starts from an empty database.
///
/// # Errors
/// [`OfflineError`] for bad targets, or a downgrade without a range.
pub fn offline_script(
    graph: &RevisionGraph,
    kind: DatabaseKind,
    version_table: &str,
    transactional_default: bool,
    direction: Direction,
    range_or_target: &str,
) -> Result<String, OfflineError> {
    let refuse_current = |target: &Target| -> Result<(), OfflineError> {
        let from_current =
            matches!(target.kind, TargetKind::Current | TargetKind::Relative { from: Anchor::Current, .. });
        if from_current {
            return Err(PlanError::from(TargetError::NeedsDatabase { target: target.text.clone() }).into());
        }
        Ok(())
    };
    let (applied, target): (RevSet, Target) = match range_or_target.split_once(':') {
        Some(_) => {
            let range: RangeSpec = range_or_target.parse().map_err(PlanError::from)?;
            for end in [&range.lower, &range.upper].into_iter().flatten() {
                refuse_current(end)?;
            }
            let from = match &range.lower {
                Some(lower) => graph
                    .ancestors(&graph.upgrade_destination(lower, &graph.empty_set()).map_err(PlanError::from)?, true),
                None => graph.empty_set(),
            };
            let to = range.upper.unwrap_or_else(|| {
                let text = if direction == Direction::Up { "heads" } else { "base" };
                text.parse().expect("a keyword parses")
            });
            (from, to)
        }
        None if direction == Direction::Down => return Err(OfflineError::DowngradeNeedsRange),
        None => {
            let target: Target = range_or_target.parse().map_err(PlanError::from)?;
            refuse_current(&target)?;
            (graph.empty_set(), target)
        }
    };
    let plan = match direction {
        Direction::Up => plan_upgrade(graph, &applied, &target)?,
        Direction::Down => plan_downgrade(graph, &applied, &target)?,
    };
    let mut out = String::new();
    let _ = writeln!(out, "-- cargo-migrate {} {range_or_target} (offline, {kind})\n", direction.verb());
    if direction == Direction::Up {
        let _ = writeln!(out, "{};\n", version_table::create_table(kind, version_table));
    }
    for &index in &plan.steps {
        let rev = graph.revision(index);
        let (from, to, sql) = match direction {
            Direction::Up => (graph.parents_text(index), rev.id.clone(), rev.up_sql.as_str()),
            Direction::Down => (rev.id.clone(), graph.parents_text(index), rev.down_sql.as_deref().unwrap_or_default()),
        };
        let _ = writeln!(out, "-- Running {} {from} -> {to}, {}", direction.verb(), rev.message);
        let transactional = rev.is_transactional(transactional_default);
        if transactional {
            out.push_str("BEGIN;\n");
        }
        for statement in split_statements(sql, kind) {
            if kind == DatabaseKind::MySql && statement.sql.contains(';') {
                // The mysql client splits at `;` unless told otherwise.
                let _ = writeln!(out, "DELIMITER $$\n{}$$\nDELIMITER ;", statement.sql);
            } else {
                let _ = writeln!(out, "{};", statement.sql);
            }
        }
        match direction {
            Direction::Up => {
                let row = VersionRow {
                    revision: rev.id.clone(),
                    parents: rev.parents.join(","),
                    message: rev.message.clone(),
                    checksum: rev.checksum.clone(),
                    down_sql: rev.down_sql.clone(),
                    applied_at: String::new(),
                    duration_ms: 0,
                    seq: 0,
                    failed_statements: None,
                    failure: None,
                };
                let _ = writeln!(out, "{}", version_table::insert_row_literal(kind, version_table, &row));
            }
            Direction::Down => {
                let _ = writeln!(out, "DELETE FROM {version_table} WHERE revision = {};", literal(kind, &rev.id));
            }
        }
        if transactional {
            out.push_str("COMMIT;\n");
        }
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revision::parse_revision;

    fn graph() -> RevisionGraph {
        let texts = [
            "-- create t\n-- Revision ID: a1\n-- Revises: <base>\n-- migrate:up\nCREATE TABLE t (x INT);\n-- migrate:down\nDROP TABLE t;\n",
            "-- it's b\n-- Revision ID: b2\n-- Revises: a1\n-- Transactional: false\n-- migrate:up\nCREATE INDEX i ON t (x);\nINSERT INTO t VALUES (1)\n-- migrate:down\nDROP INDEX i;\n",
        ];
        RevisionGraph::build(texts.iter().map(|t| parse_revision(t.as_bytes()).unwrap()).collect()).unwrap()
    }

    #[test]
    fn upgrade_script_has_table_transactions_and_rows() {
        let script =
            offline_script(&graph(), DatabaseKind::Postgres, "migrate_version", true, Direction::Up, "head").unwrap();
        assert!(script.contains("CREATE TABLE IF NOT EXISTS migrate_version"));
        assert!(script.contains(
            "-- Running upgrade <base> -> a1, create t\nBEGIN;\nCREATE TABLE t (x INT);\nINSERT INTO migrate_version"
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
        let g = graph();
        let script = offline_script(&g, DatabaseKind::Sqlite, "v", true, Direction::Up, "a1:b2").unwrap();
        assert!(!script.contains("upgrade <base> -> a1") && script.contains("upgrade a1 -> b2"), "{script}");
        let script = offline_script(&g, DatabaseKind::MySql, "v", true, Direction::Down, "b2:base").unwrap();
        assert!(
            script.contains("-- Running downgrade b2 -> a1") && script.contains("DELETE FROM v WHERE revision = 'a1';"),
            "{script}"
        );
        assert_eq!(
            offline_script(&g, DatabaseKind::MySql, "v", true, Direction::Down, "base"),
            Err(OfflineError::DowngradeNeedsRange)
        );
        // No database to count from: `current` and `+N` are refused, not taken as base.
        for target in ["current:head", "+1", "a1:+1"] {
            let error = offline_script(&g, DatabaseKind::Sqlite, "v", true, Direction::Up, target).unwrap_err();
            assert!(error.to_string().contains("counts from the database's current state"), "{target}: {error}");
        }
    }
}
