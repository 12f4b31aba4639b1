//! The version table: one row per applied revision. [`VersionTable`] is the one owner of
//! its SQL: every statement that reads or writes it is built here, with its values written
//! as literals beside the SQL that uses them, and the live runner and offline `--sql` send
//! exactly the same text. (Literals rather than bind parameters: the simple query protocol
//! needs no prepared statements, which a transaction-pooling PgBouncer cannot keep.)
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
//! | `failed_statements` | `NULL` when applied cleanly; otherwise how many statements had completed when it failed, was interrupted, or is in progress |
//! | `failure` | why it is marked |

use crate::config::TableName;
use crate::dialect::Dialect;

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
    /// Statements that had completed when it was marked; `None` when clean.
    pub failed_statements: Option<i64>,
    /// Why it is marked.
    pub failure: Option<String>,
}

impl VersionRow {
    /// Whether the revision is marked failed (or was interrupted, or is in progress).
    pub fn is_failed(&self) -> bool {
        self.failed_statements.is_some()
    }

    /// The ids in `parents`.
    pub fn parent_ids(&self) -> Vec<String> {
        self.parents.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
    }

    /// `id (message)`, or the id alone when the message is empty; what the database holds
    /// is shown with its control characters escaped.
    pub fn describe(&self) -> String {
        use crate::diagnostic::printable_line;
        let revision = printable_line(&self.revision);
        if self.message.is_empty() {
            revision.into_owned()
        } else {
            format!("{revision} ({})", printable_line(&self.message))
        }
    }
}

/// What an upgrade records about a revision when it starts or finishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRow<'a> {
    /// The revision id.
    pub revision: &'a str,
    /// `Revises`, comma-separated.
    pub parents: String,
    /// The message.
    pub message: &'a str,
    /// Checksum of the up SQL.
    pub checksum: &'a str,
    /// The down SQL; `None` for an irreversible revision.
    pub down_sql: Option<&'a str>,
}

/// The version table of one database: its name, quoted for the dialect, and every
/// statement on it.
#[derive(Debug, Clone)]
pub struct VersionTable {
    name: TableName,
    ident: String,
    dialect: &'static dyn Dialect,
}

impl VersionTable {
    /// The table `name` in `dialect`.
    pub fn new(name: &TableName, dialect: &'static dyn Dialect) -> Self {
        let ident = dialect.quote_identifier(&dialect.fold_identifier(name.as_str()));
        Self { name: name.clone(), ident, dialect }
    }

    /// The table's name as configured.
    pub fn name(&self) -> &TableName {
        &self.name
    }

    /// The dialect its statements are written in.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.dialect
    }

    /// `CREATE TABLE IF NOT EXISTS`.
    pub fn create(&self) -> String {
        let t = self.dialect.version_columns();
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    revision {} NOT NULL PRIMARY KEY,\n    parents {} NOT NULL,\n    \
             message {} NOT NULL,\n    checksum VARCHAR(64) NOT NULL,\n    down_sql {},\n    applied_at {},\n    \
             duration_ms {} NOT NULL,\n    seq {} NOT NULL UNIQUE,\n    failed_statements {},\n    failure {}\n)",
            self.ident, t.id, t.text, t.text, t.long_text, t.applied_at, t.int, t.int, t.int, t.text
        )
    }

    /// Every row, in application order (columns as [`VersionRow`]'s fields).
    pub fn select_all(&self) -> String {
        format!(
            "SELECT revision, parents, message, checksum, down_sql, {}, duration_ms, seq, failed_statements, failure \
             FROM {} ORDER BY seq",
            self.dialect.timestamp_text("applied_at"),
            self.ident
        )
    }

    /// Records a revision as applied (`mark: None`) or marked with the statements that
    /// had completed and why. `seq` is the next one, read from the table itself.
    pub fn insert(&self, row: &NewRow<'_>, duration_ms: i64, mark: Option<(i64, &str)>) -> String {
        let (statements, failure) = match mark {
            Some((statements, failure)) => (statements.to_string(), self.literal(failure)),
            None => ("NULL".to_owned(), "NULL".to_owned()),
        };
        format!(
            "INSERT INTO {t} (revision, parents, message, checksum, down_sql, duration_ms, seq, failed_statements, failure) \
             SELECT {}, {}, {}, {}, {}, {duration_ms}, COALESCE(MAX(seq), 0) + 1, {statements}, {failure} FROM {t}",
            self.literal(row.revision),
            self.literal(&row.parents),
            // Only shown to people, so stored as they are shown: control characters
            // escaped, and a `--sql` script printed on a terminal cannot drive it.
            self.literal(&crate::diagnostic::printable_line(row.message)),
            self.literal(row.checksum),
            self.literal_opt(row.down_sql),
            t = self.ident,
        )
    }

    /// Removes a revision's row.
    pub fn delete(&self, revision: &str) -> String {
        format!("DELETE FROM {} WHERE revision = {}", self.ident, self.literal(revision))
    }

    /// Removes every row (`stamp --purge`).
    pub fn purge(&self) -> String {
        format!("DELETE FROM {}", self.ident)
    }

    /// Marks a revision: failed, interrupted or in progress, after `statements` statements.
    pub fn mark(&self, revision: &str, statements: i64, failure: &str) -> String {
        format!(
            "UPDATE {} SET failed_statements = {statements}, failure = {} WHERE revision = {}",
            self.ident,
            self.literal(failure),
            self.literal(revision)
        )
    }

    /// Counts one more completed statement of a marked revision, keeping its reason.
    pub fn progress(&self, revision: &str, statements: i64) -> String {
        format!(
            "UPDATE {} SET failed_statements = {statements} WHERE revision = {}",
            self.ident,
            self.literal(revision)
        )
    }

    /// Clears a mark, leaving the rest of the row as it was.
    pub fn clear_mark(&self, revision: &str) -> String {
        format!(
            "UPDATE {} SET failed_statements = NULL, failure = NULL WHERE revision = {}",
            self.ident,
            self.literal(revision)
        )
    }

    /// Clears a mark and records the revision's outcome.
    pub fn mark_clean(&self, revision: &str, duration_ms: i64, checksum: &str, down_sql: Option<&str>) -> String {
        format!(
            "UPDATE {} SET failed_statements = NULL, failure = NULL, duration_ms = {duration_ms}, checksum = {}, \
             down_sql = {} WHERE revision = {}",
            self.ident,
            self.literal(checksum),
            self.literal_opt(down_sql),
            self.literal(revision)
        )
    }

    fn literal(&self, value: &str) -> String {
        self.dialect.string_literal(value)
    }

    fn literal_opt(&self, value: Option<&str>) -> String {
        value.map_or_else(|| "NULL".to_owned(), |v| self.literal(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::DatabaseKind;

    fn table(kind: DatabaseKind, name: &str) -> VersionTable {
        VersionTable::new(&TableName::new(name).unwrap(), kind.dialect())
    }

    #[test]
    fn names_are_quoted_so_reserved_words_work() {
        assert!(table(DatabaseKind::Postgres, "order").create().starts_with("CREATE TABLE IF NOT EXISTS \"order\" ("));
        assert!(table(DatabaseKind::MySql, "select").delete("a1").starts_with("DELETE FROM `select` WHERE"));
        // PostgreSQL folds unquoted names: quoting the folded name keeps the same table.
        assert!(table(DatabaseKind::Postgres, "MigrateVersion").purge().ends_with("\"migrateversion\""));
    }

    #[test]
    fn values_are_literals_beside_their_columns() {
        let row = NewRow {
            revision: "b2",
            parents: "a1".into(),
            message: "it's b",
            checksum: "abc",
            down_sql: Some("DROP TABLE t;"),
        };
        let sql = table(DatabaseKind::Sqlite, "v").insert(&row, 7, Some((2, "interrupted")));
        assert_eq!(
            sql,
            "INSERT INTO \"v\" (revision, parents, message, checksum, down_sql, duration_ms, seq, failed_statements, failure) \
             SELECT 'b2', 'a1', 'it''s b', 'abc', 'DROP TABLE t;', 7, COALESCE(MAX(seq), 0) + 1, 2, 'interrupted' FROM \"v\""
        );
        let clean = table(DatabaseKind::MySql, "v").mark_clean("b2", 3, "abc", None);
        assert!(clean.contains("down_sql = NULL WHERE revision = 'b2'"), "{clean}");
    }
}
