//! MySQL and MariaDB: DDL commits implicitly (so revisions holding it cannot be rolled back
//! as a whole), backtick identifiers, backslash escapes and `#` comments, `DELIMITER` in
//! offline scripts for statements that hold a `;`, and `GET_LOCK` as the run lock.

use super::{DatabaseKind, Dialect, Lexing, VersionColumns};
use crate::config::LockMode;
use crate::sql::classify::{Verb, leading_words};
use crate::sql::split::has_bare_semicolon;

/// MySQL's and MariaDB's dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct MySql;

impl Dialect for MySql {
    fn kind(&self) -> DatabaseKind {
        DatabaseKind::MySql
    }

    fn name(&self) -> &'static str {
        "mysql"
    }

    fn lexing(&self) -> Lexing {
        Lexing {
            backslash_escapes: true,
            backtick_identifiers: true,
            hash_comments: true,
            dash_comment_needs_space: true,
            anonymous_blocks: true,
            ..Lexing::default()
        }
    }

    fn quote_identifier(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    /// `'…'`; a value holding a backslash is written as a hex literal, whose meaning does
    /// not depend on `NO_BACKSLASH_ESCAPES`.
    fn string_literal(&self, value: &str) -> String {
        if value.contains('\\') {
            let mut hex = String::with_capacity(3 + value.len() * 2);
            hex.push_str("X'");
            for byte in value.bytes() {
                hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
                hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
            }
            hex.push('\'');
            hex
        } else {
            format!("'{}'", value.replace('\'', "''"))
        }
    }

    fn version_columns(&self) -> VersionColumns {
        VersionColumns {
            id: "VARCHAR(32)",
            text: "TEXT",
            long_text: "LONGTEXT",
            applied_at: "TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)",
            int: "BIGINT",
            timestamp: "TIMESTAMP(6) NULL",
        }
    }

    fn timestamp_text(&self, column: &str) -> String {
        format!("CAST({column} AS CHAR)")
    }

    fn now(&self) -> &'static str {
        "CURRENT_TIMESTAMP(6)"
    }

    fn plus_seconds(&self, expression: &str, seconds: u64) -> String {
        format!("({expression} + INTERVAL {seconds} SECOND)")
    }

    /// DDL, account and lock statements, and the statements that end a transaction
    /// (MySQL's "Statements That Cause an Implicit Commit"); temporary tables excepted.
    fn commits_implicitly(&self, statement: &str) -> bool {
        let mut words = leading_words(statement, &self.lexing());
        let Some(first) = words.next() else { return false };
        match Verb::of(first) {
            Verb::Create | Verb::Drop => !words.next().is_some_and(|w| w.eq_ignore_ascii_case("temporary")),
            Verb::Alter | Verb::Rename | Verb::Truncate | Verb::Grant | Verb::Revoke | Verb::Lock | Verb::Unlock => {
                true
            }
            Verb::Other(word) => ["analyze", "optimize", "repair", "flush", "install", "uninstall"]
                .iter()
                .any(|w| word.eq_ignore_ascii_case(w)),
            _ => false,
        }
    }

    fn is_missing_table(&self, code: Option<&str>, message: &str) -> bool {
        code == Some("42S02") || message.contains("doesn't exist")
    }

    fn is_schema_mismatch(&self, code: Option<&str>, message: &str) -> bool {
        // Table exists / unknown table, duplicate column or key name, can't drop (1091).
        matches!(code, Some("42S01" | "42S02" | "42S21" | "42000"))
            && [
                "already exists",
                "Unknown table",
                "doesn't exist",
                "Duplicate column",
                "Duplicate key name",
                "Can't DROP",
            ]
            .iter()
            .any(|needle| message.contains(needle))
    }

    /// The `mysql` client splits at every `;` unless told otherwise, so a statement that
    /// holds one (a trigger or procedure body) goes between `DELIMITER` lines.
    fn script_statement(&self, statement: &str, out: &mut String) {
        if has_bare_semicolon(statement, &self.lexing()) {
            out.push_str("DELIMITER $$\n");
            out.push_str(statement);
            out.push_str("$$\nDELIMITER ;\n");
        } else {
            out.push_str(statement);
            out.push_str(";\n");
        }
    }

    fn foreign_keys_switch(&self) -> Option<(&'static str, &'static str)> {
        Some(("SET FOREIGN_KEY_CHECKS = 0", "SET FOREIGN_KEY_CHECKS = 1"))
    }

    fn default_lock(&self) -> LockMode {
        LockMode::Advisory
    }

    fn supports_lock(&self, mode: LockMode) -> bool {
        matches!(mode, LockMode::Advisory | LockMode::Table)
    }
}

#[cfg(feature = "mysql")]
pub(crate) use driver::*;

#[cfg(feature = "mysql")]
mod driver {
    use crate::db::conn::scalar;
    use crate::db::lock::{LockWait, Waiting};
    use sqlx::ConnectOptions;
    use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
    use std::time::{Duration, Instant};

    /// A `GET_LOCK` name expression: per database and version table (names are server-wide),
    /// hashed because MySQL refuses names over 64 characters and database names reach 64.
    pub(crate) fn lock_name(table: &str) -> String {
        format!("CONCAT('cargo-migrate.', LEFT(SHA2(CONCAT(DATABASE(), '.{table}'), 256), 40))")
    }

    /// Connects with sqlx's options from the URL (`ssl-mode`, `ssl-ca`…); `mariadb:` is
    /// read as `mysql:`.
    pub(crate) async fn connect(url: &str) -> Result<MySqlConnection, sqlx::Error> {
        let url = url.strip_prefix("mariadb:").map_or_else(|| url.to_owned(), |rest| format!("mysql:{rest}"));
        let options: MySqlConnectOptions = url.parse()?;
        options.disable_statement_logging().connect().await
    }

    /// Takes `GET_LOCK`: at once if free, else saying who holds it and waiting in the server.
    pub(crate) async fn advisory_lock(
        c: &mut MySqlConnection,
        table: &str,
        timeout: Duration,
        waiting: Waiting<'_>,
    ) -> Result<(), LockWait> {
        let started = Instant::now();
        let name = lock_name(table);
        let got: Option<i64> =
            scalar(&mut *c, &format!("SELECT GET_LOCK({name}, 0)")).await.map_err(LockWait::Query)?;
        if got == Some(1) {
            return Ok(());
        }
        waiting(holder(c, &name).await);
        let seconds = timeout.as_secs_f64().ceil().max(1.0);
        let got: Option<i64> =
            scalar(&mut *c, &format!("SELECT GET_LOCK({name}, {seconds})")).await.map_err(LockWait::Query)?;
        if got == Some(1) {
            Ok(())
        } else {
            Err(LockWait::TimedOut { waited: started.elapsed(), holder: holder(c, &name).await })
        }
    }

    /// Releases `GET_LOCK`; `false` when this session did not hold it.
    pub(crate) async fn advisory_unlock(c: &mut MySqlConnection, table: &str) -> Result<bool, sqlx::Error> {
        let released: Option<i64> = scalar(&mut *c, &format!("SELECT RELEASE_LOCK({})", lock_name(table))).await?;
        Ok(released == Some(1))
    }

    async fn holder(c: &mut MySqlConnection, name: &str) -> Option<String> {
        let id: Option<i64> = scalar(&mut *c, &format!("SELECT IS_USED_LOCK({name})")).await.ok()?;
        let id = id?;
        let sql = format!("SELECT USER, HOST FROM information_schema.PROCESSLIST WHERE ID = {id}");
        let rows = sqlx::Executor::fetch_all(&mut *c, sqlx::raw_sql(&sql)).await.ok().unwrap_or_default();
        Some(match rows.first() {
            Some(row) => {
                let user: String = sqlx::Row::try_get(row, 0).unwrap_or_default();
                let host: String = sqlx::Row::try_get(row, 1).unwrap_or_default();
                format!("connection {id} ({user}@{host})")
            }
            None => format!("connection {id}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implicit_commits() {
        assert!(MySql.commits_implicitly("-- note\nalter table x add y int"));
        assert!(!MySql.commits_implicitly("INSERT INTO x VALUES (1)"));
        assert!(MySql.commits_implicitly("# note\nCREATE INDEX i ON t (x)"));
        assert!(!MySql.commits_implicitly("CREATE TEMPORARY TABLE t (x INT)"));
        assert!(!MySql.commits_implicitly("/* c */ update t set x = 1"));
    }

    #[test]
    fn offline_statements_with_semicolons_get_a_delimiter() {
        let mut out = String::new();
        MySql.script_statement("CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a = 1; END", &mut out);
        MySql.script_statement("SELECT 1", &mut out);
        MySql.script_statement("INSERT INTO v VALUES ('DROP TABLE t;') -- a;", &mut out);
        assert_eq!(
            out,
            "DELIMITER $$\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a = 1; END$$\nDELIMITER ;\nSELECT 1;\n\
             INSERT INTO v VALUES ('DROP TABLE t;') -- a;;\n"
        );
    }
}
