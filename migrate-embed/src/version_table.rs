//! The version table: one row per applied revision (SPEC §6). Pure SQL text per dialect,
//! shared by the live runner and offline `--sql`, so both write the same rows.
//!
//! | column | meaning |
//! | --- | --- |
//! | `revision` | the revision id (primary key) |
//! | `parents` | its `Revises`, comma-separated (to describe revisions a binary does not carry) |
//! | `message` | its message |
//! | `checksum` | hex SHA-256 of its normalised up SQL when applied |
//! | `down_sql` | its down section when applied (`NULL`: irreversible), for `--use-recorded-down` |
//! | `applied_at` | when it was applied (database clock) |
//! | `duration_ms` | how long its SQL took |
//! | `seq` | order of application (1, 2, …); unique, so its index answers `MAX(seq)` without a scan |
//! | `failed_statements` | `NULL` when applied cleanly; otherwise how many statements ran before it failed or was interrupted |
//! | `failure` | why it is marked failed |

use crate::database::DatabaseKind;

/// What the version table records about one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    /// Revision id.
    pub revision: String,
    /// `Revises`, comma-separated.
    pub parents: String,
    /// The message.
    pub message: String,
    /// Checksum of the up SQL when applied.
    pub checksum: String,
    /// The down SQL when applied.
    pub down_sql: Option<String>,
    /// When it was applied, as the database prints it.
    pub applied_at: String,
    /// Milliseconds its SQL took.
    pub duration_ms: i64,
    /// Order of application.
    pub seq: i64,
    /// Statements that ran before a failure; `None` when clean.
    pub failed_statements: Option<i64>,
    /// Why it is marked failed.
    pub failure: Option<String>,
}

impl VersionRow {
    /// Whether the revision is marked failed (or was interrupted).
    pub fn is_failed(&self) -> bool {
        self.failed_statements.is_some()
    }

    /// `id (message)`, or the id alone when the message is empty.
    pub fn describe(&self) -> String {
        if self.message.is_empty() { self.revision.clone() } else { format!("{} ({})", self.revision, self.message) }
    }
}

/// `CREATE TABLE IF NOT EXISTS` for the version table.
pub fn create_table(kind: DatabaseKind, table: &str) -> String {
    let (id, text, long_text, timestamp, int) = match kind {
        DatabaseKind::Sqlite => ("TEXT", "TEXT", "TEXT", "TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP", "INTEGER"),
        DatabaseKind::Postgres => ("VARCHAR(32)", "TEXT", "TEXT", "TIMESTAMPTZ NOT NULL DEFAULT now()", "BIGINT"),
        DatabaseKind::MySql => {
            ("VARCHAR(32)", "TEXT", "LONGTEXT", "TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)", "BIGINT")
        }
    };
    format!(
        "CREATE TABLE IF NOT EXISTS {table} (\n    revision {id} NOT NULL PRIMARY KEY,\n    parents {text} NOT NULL,\n    \
         message {text} NOT NULL,\n    checksum VARCHAR(64) NOT NULL,\n    down_sql {long_text},\n    applied_at {timestamp},\n    \
         duration_ms {int} NOT NULL,\n    seq {int} NOT NULL UNIQUE,\n    failed_statements {int},\n    failure {text}\n)"
    )
}

/// `SELECT` of every row, in application order.
pub fn select_rows(kind: DatabaseKind, table: &str) -> String {
    let applied_at = match kind {
        DatabaseKind::Sqlite => "applied_at",
        DatabaseKind::Postgres => "applied_at::text",
        DatabaseKind::MySql => "CAST(applied_at AS CHAR)",
    };
    format!(
        "SELECT revision, parents, message, checksum, down_sql, {applied_at}, duration_ms, seq, failed_statements, failure \
         FROM {table} ORDER BY seq"
    )
}

/// The `n`th bind placeholder (1-based) in the dialect's syntax.
pub fn placeholder(kind: DatabaseKind, n: usize) -> String {
    match kind {
        DatabaseKind::Postgres => format!("${n}"),
        DatabaseKind::Sqlite | DatabaseKind::MySql => "?".to_owned(),
    }
}

/// `INSERT` of a row with bind parameters: revision, parents, message, checksum, down_sql,
/// duration_ms, seq, failed_statements, failure.
pub fn insert_row(kind: DatabaseKind, table: &str) -> String {
    let params: Vec<String> = (1..=9).map(|n| placeholder(kind, n)).collect();
    format!(
        "INSERT INTO {table} (revision, parents, message, checksum, down_sql, duration_ms, seq, failed_statements, failure) \
         VALUES ({})",
        params.join(", ")
    )
}

/// `DELETE` of one revision's row, bound by revision.
pub fn delete_row(kind: DatabaseKind, table: &str) -> String {
    format!("DELETE FROM {table} WHERE revision = {}", placeholder(kind, 1))
}

/// Marks a row failed: binds failed_statements, failure, revision.
pub fn mark_failed(kind: DatabaseKind, table: &str) -> String {
    format!(
        "UPDATE {table} SET failed_statements = {}, failure = {} WHERE revision = {}",
        placeholder(kind, 1),
        placeholder(kind, 2),
        placeholder(kind, 3)
    )
}

/// Clears a failed mark and records the outcome: binds duration_ms, checksum, down_sql, revision.
pub fn mark_clean(kind: DatabaseKind, table: &str) -> String {
    format!(
        "UPDATE {table} SET failed_statements = NULL, failure = NULL, duration_ms = {}, checksum = {}, down_sql = {} \
         WHERE revision = {}",
        placeholder(kind, 1),
        placeholder(kind, 2),
        placeholder(kind, 3),
        placeholder(kind, 4)
    )
}

/// A SQL string literal in the dialect (for offline scripts, where nothing is bound).
pub fn literal(kind: DatabaseKind, value: &str) -> String {
    let mut escaped = value.replace('\'', "''");
    if kind == DatabaseKind::MySql {
        // MySQL's default sql_mode treats backslash as an escape inside strings.
        escaped = escaped.replace('\\', "\\\\");
    }
    format!("'{escaped}'")
}

/// `NULL` or a literal.
pub fn literal_opt(kind: DatabaseKind, value: Option<&str>) -> String {
    value.map_or_else(|| "NULL".to_owned(), |v| literal(kind, v))
}

/// The `INSERT` for a cleanly applied revision, with literals (offline scripts, which
/// cannot know `seq`, so it is computed from the table; `INSERT … SELECT` works on all three).
pub fn insert_row_literal(kind: DatabaseKind, table: &str, row: &VersionRow) -> String {
    format!(
        "INSERT INTO {table} (revision, parents, message, checksum, down_sql, duration_ms, seq, failed_statements, failure) \
         SELECT {}, {}, {}, {}, {}, 0, COALESCE(MAX(seq), 0) + 1, NULL, NULL FROM {table};",
        literal(kind, &row.revision),
        literal(kind, &row.parents),
        literal(kind, &row.message),
        literal(kind, &row.checksum),
        literal_opt(kind, row.down_sql.as_deref()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_per_dialect() {
        assert!(insert_row(DatabaseKind::Postgres, "v").ends_with("VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"));
        assert!(insert_row(DatabaseKind::MySql, "v").ends_with("VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    }

    #[test]
    fn literals_escape_quotes_and_mysql_backslashes() {
        assert_eq!(literal(DatabaseKind::Postgres, "it's \\n"), "'it''s \\n'");
        assert_eq!(literal(DatabaseKind::MySql, "it's \\n"), "'it''s \\\\n'");
        assert_eq!(literal_opt(DatabaseKind::Sqlite, None), "NULL");
    }
}
