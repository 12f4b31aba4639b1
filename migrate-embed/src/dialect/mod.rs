//! What differs between SQLite, PostgreSQL and MySQL/MariaDB: one file per database, each a
//! [`Dialect`] that the rest of the crate asks instead of matching on the database itself
//! (as Alembic's `ddl/impl.py` keeps a class per database).
//!
//! Each file holds every fact about its database that the crate needs: how its SQL is lexed
//! (for the statement splitter), how identifiers and strings are quoted, the version table's
//! column types, which statements commit implicitly, how an offline script is written, how
//! its errors are recognised, which run lock it uses by default and, with the database
//! features, how to connect and how that lock is taken.
//!
//! | file | database |
//! | --- | --- |
//! | [`sqlite`] | SQLite (the embedded default) |
//! | [`postgres`] | PostgreSQL, directly or behind PgBouncer |
//! | [`mysql`] | MySQL and MariaDB |

pub mod mysql;
pub mod postgres;
pub mod sqlite;

use crate::config::LockMode;
use std::fmt;

/// The database families cargo-migrate supports, chosen by the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatabaseKind {
    /// `sqlite:` URLs; the embedded default.
    Sqlite,
    /// `postgres:` and `postgresql:` URLs.
    Postgres,
    /// `mysql:` and `mariadb:` URLs.
    MySql,
}

impl DatabaseKind {
    /// The kind a URL's scheme names, or `None` for a scheme we do not support.
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            "mysql" | "mariadb" => Some(Self::MySql),
            _ => None,
        }
    }

    /// The kind's name as users write it (`sqlite`, `postgres`, `mysql`).
    pub fn name(self) -> &'static str {
        self.dialect().name()
    }

    /// The dialect: everything that differs for this database.
    pub fn dialect(self) -> &'static dyn Dialect {
        match self {
            Self::Sqlite => &sqlite::Sqlite,
            Self::Postgres => &postgres::Postgres,
            Self::MySql => &mysql::MySql,
        }
    }
}

impl fmt::Display for DatabaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a database reads SQL text: what the statement splitter must know to find the `;`
/// that ends a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lexing {
    /// A backslash escapes the next byte inside `'…'` and `"…"` (MySQL's default mode).
    pub backslash_escapes: bool,
    /// `` `…` `` quotes an identifier (MySQL; SQLite accepts it too).
    pub backtick_identifiers: bool,
    /// `[…]` quotes an identifier (SQLite, after SQL Server).
    pub bracket_identifiers: bool,
    /// `$$…$$` and `$tag$…$tag$` quote a string (PostgreSQL).
    pub dollar_quotes: bool,
    /// `E'…'` is a string with backslash escapes (PostgreSQL).
    pub escape_string_prefix: bool,
    /// `#` starts a line comment (MySQL).
    pub hash_comments: bool,
    /// `--` starts a comment only when whitespace follows (MySQL: `5--1` is `5 - -1`).
    pub dash_comment_needs_space: bool,
    /// `/* … */` comments nest (PostgreSQL).
    pub nested_block_comments: bool,
    /// A statement may be MariaDB's anonymous `BEGIN NOT ATOMIC … END` block.
    pub anonymous_blocks: bool,
}

/// The version table's column types in a dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionColumns {
    /// The revision id.
    pub id: &'static str,
    /// Short text (parents, message, failure).
    pub text: &'static str,
    /// Text that may be long (the recorded down SQL).
    pub long_text: &'static str,
    /// `applied_at`, with its default of the database's clock.
    pub applied_at: &'static str,
    /// Whole numbers (durations, `seq`, statement counts).
    pub int: &'static str,
    /// A timestamp that may be `NULL` (the lock table's lease).
    pub timestamp: &'static str,
}

/// Everything that differs between the supported databases. One implementation per file
/// of this module; get one with [`DatabaseKind::dialect`].
pub trait Dialect: fmt::Debug + Send + Sync {
    /// Which database this is.
    fn kind(&self) -> DatabaseKind;

    /// The name users write (`sqlite`, `postgres`, `mysql`).
    fn name(&self) -> &'static str;

    /// How its SQL text is lexed, for the statement splitter.
    fn lexing(&self) -> Lexing;

    /// An identifier quoted for this database.
    fn quote_identifier(&self, name: &str) -> String;

    /// An identifier as the server stores it when written without quotes (PostgreSQL
    /// folds to lower case), so quoting it does not change which table is meant.
    fn fold_identifier(&self, name: &str) -> String {
        name.to_owned()
    }

    /// A string literal holding `value`, correct whatever the session's string settings.
    fn string_literal(&self, value: &str) -> String;

    /// The version table's column types.
    fn version_columns(&self) -> VersionColumns;

    /// An expression reading the timestamp `column` as text.
    fn timestamp_text(&self, column: &str) -> String {
        column.to_owned()
    }

    /// The database's clock, as an expression of the version and lock tables' type.
    fn now(&self) -> &'static str;

    /// The time `seconds` after the time `expression`.
    fn plus_seconds(&self, expression: &str, seconds: u64) -> String;

    /// The statement that opens a revision's transaction.
    fn begin_write(&self) -> &'static str {
        "BEGIN"
    }

    /// Whether the server commits implicitly around `statement` (MySQL DDL), so that a
    /// rollback cannot undo it.
    fn commits_implicitly(&self, statement: &str) -> bool {
        let _ = statement;
        false
    }

    /// Whether a transactional revision is sent as one batch (its statements, its version
    /// row and the commit) rather than statement by statement. Worth it where every call
    /// costs a hand-off (sqlx runs SQLite on a worker thread) and where the driver reports
    /// which statement of a batch failed.
    fn batches_revisions(&self) -> bool {
        false
    }

    /// Whether an error (SQLSTATE or vendor code, and message) says a table is missing.
    fn is_missing_table(&self, code: Option<&str>, message: &str) -> bool;

    /// Whether an error says the object a statement creates already exists, or the one it
    /// drops does not: the sign of a schema already changed by an earlier, unrecorded run.
    fn is_schema_mismatch(&self, code: Option<&str>, message: &str) -> bool;

    /// Whether an error says the database is locked by another writer (SQLite's busy).
    fn is_busy(&self, code: Option<&str>) -> bool {
        let _ = code;
        false
    }

    /// Appends one statement to an offline script, terminated so that the database's own
    /// client runs it as one statement.
    fn script_statement(&self, statement: &str, out: &mut String) {
        out.push_str(statement);
        out.push_str(";\n");
    }

    /// The statements that turn foreign-key enforcement off and back on for the session,
    /// outside any transaction (`Foreign Keys: off` revisions); `None` where the database
    /// has no such switch.
    fn foreign_keys_switch(&self) -> Option<(&'static str, &'static str)> {
        None
    }

    /// A query whose rows are references that point nowhere, run before such a revision
    /// commits; `None` where the database has none.
    fn foreign_key_check(&self) -> Option<&'static str> {
        None
    }

    /// The run lock used when the config does not name one.
    fn default_lock(&self) -> LockMode;

    /// Whether the run lock `mode` works on this database.
    fn supports_lock(&self, mode: LockMode) -> bool;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_from_scheme() {
        assert_eq!(DatabaseKind::from_url("sqlite://dev.db?mode=rwc"), Some(DatabaseKind::Sqlite));
        assert_eq!(DatabaseKind::from_url("sqlite::memory:"), Some(DatabaseKind::Sqlite));
        assert_eq!(DatabaseKind::from_url("postgresql://x/y"), Some(DatabaseKind::Postgres));
        assert_eq!(DatabaseKind::from_url("MariaDB://x/y"), Some(DatabaseKind::MySql));
        assert_eq!(DatabaseKind::from_url("oracle://x"), None);
        assert_eq!(DatabaseKind::from_url("no scheme"), None);
    }

    #[test]
    fn every_kind_has_its_dialect() {
        for kind in [DatabaseKind::Sqlite, DatabaseKind::Postgres, DatabaseKind::MySql] {
            assert_eq!(kind.dialect().kind(), kind);
            assert!(kind.dialect().supports_lock(kind.dialect().default_lock()));
        }
    }

    #[test]
    fn literals_escape_quotes_and_backslashes_safely() {
        let pg = DatabaseKind::Postgres.dialect();
        let my = DatabaseKind::MySql.dialect();
        let lite = DatabaseKind::Sqlite.dialect();
        assert_eq!(pg.string_literal("it's"), "'it''s'");
        // A backslash is written so that it means itself under either string setting.
        assert_eq!(pg.string_literal("a\\n'"), "E'a\\\\n'''");
        assert_eq!(my.string_literal("it's"), "'it''s'");
        assert_eq!(my.string_literal("a\\n"), "X'615c6e'");
        assert_eq!(lite.string_literal("a\\n'"), "'a\\n'''");
    }

    #[test]
    fn identifiers_are_quoted_and_folded() {
        assert_eq!(DatabaseKind::Postgres.dialect().quote_identifier("order"), "\"order\"");
        assert_eq!(DatabaseKind::Postgres.dialect().fold_identifier("MyTable"), "mytable");
        assert_eq!(DatabaseKind::MySql.dialect().quote_identifier("order"), "`order`");
        assert_eq!(DatabaseKind::Sqlite.dialect().quote_identifier("a\"b"), "\"a\"\"b\"");
    }
}
