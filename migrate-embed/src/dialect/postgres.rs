//! PostgreSQL: transactional DDL, double-quoted identifiers folded to lower case, dollar
//! quoting, nested block comments, SQLSTATE error codes, and a session advisory lock (or,
//! behind a transaction-pooling PgBouncer, the lock table).
//!
//! Everything here is sent with the simple query protocol: no named prepared statements,
//! so the same code works through PgBouncer in transaction pooling mode, where consecutive
//! transactions may land on different server connections.

use super::{DatabaseKind, Dialect, Lexing, VersionColumns};
use crate::config::LockMode;

/// PostgreSQL's dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn kind(&self) -> DatabaseKind {
        DatabaseKind::Postgres
    }

    fn name(&self) -> &'static str {
        "postgres"
    }

    fn lexing(&self) -> Lexing {
        Lexing { dollar_quotes: true, escape_string_prefix: true, nested_block_comments: true, ..Lexing::default() }
    }

    fn quote_identifier(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    fn fold_identifier(&self, name: &str) -> String {
        name.to_ascii_lowercase()
    }

    /// `'…'`, or `E'…'` with backslashes doubled when the value holds one: the plain form
    /// would change meaning under `standard_conforming_strings = off`, the `E` form never does.
    fn string_literal(&self, value: &str) -> String {
        let quoted = value.replace('\'', "''");
        if value.contains('\\') { format!("E'{}'", quoted.replace('\\', "\\\\")) } else { format!("'{quoted}'") }
    }

    fn version_columns(&self) -> VersionColumns {
        VersionColumns {
            id: "VARCHAR(32)",
            text: "TEXT",
            long_text: "TEXT",
            applied_at: "TIMESTAMPTZ NOT NULL DEFAULT now()",
            int: "BIGINT",
            timestamp: "TIMESTAMPTZ",
        }
    }

    fn timestamp_text(&self, column: &str) -> String {
        format!("{column}::text")
    }

    fn now(&self) -> &'static str {
        // The wall clock, not the transaction's start: lock leases are compared with it.
        "clock_timestamp()"
    }

    fn plus_seconds(&self, expression: &str, seconds: u64) -> String {
        format!("({expression} + interval '{seconds} seconds')")
    }

    fn is_missing_table(&self, code: Option<&str>, _message: &str) -> bool {
        code == Some("42P01")
    }

    fn is_schema_mismatch(&self, code: Option<&str>, _message: &str) -> bool {
        // duplicate_table, duplicate_column, duplicate_object, undefined_table,
        // undefined_column, undefined_object.
        matches!(code, Some("42P07" | "42701" | "42710" | "42P01" | "42703" | "42704"))
    }

    fn default_lock(&self) -> LockMode {
        LockMode::Advisory
    }

    fn supports_lock(&self, mode: LockMode) -> bool {
        matches!(mode, LockMode::Advisory | LockMode::Table)
    }
}

#[cfg(feature = "postgres")]
pub(crate) use driver::*;

#[cfg(feature = "postgres")]
mod driver {
    use crate::db::lock::{LockWait, Waiting};
    use sqlx::ConnectOptions;
    use sqlx::postgres::{PgConnectOptions, PgConnection};
    use std::time::{Duration, Instant};

    /// The advisory lock key: a fixed class ("migr") and a hash of the version table's name,
    /// so two tools (or two version tables) in one database do not block each other.
    pub(crate) fn advisory_key(table: &str) -> (i32, i32) {
        let mut hash: u32 = 0x811c_9dc5;
        for byte in table.bytes() {
            hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
        }
        (0x6d69_6772, (hash & 0x7fff_ffff) as i32)
    }

    /// Connects with sqlx's options from the URL (`sslmode`, `sslrootcert`…), named
    /// `cargo-migrate` in `pg_stat_activity`.
    pub(crate) async fn connect(url: &str) -> Result<PgConnection, sqlx::Error> {
        let options: PgConnectOptions = url.parse()?;
        options.application_name("cargo-migrate").disable_statement_logging().connect().await
    }

    /// Takes the session advisory lock, polling (PostgreSQL has no timed wait for it) and
    /// saying once who holds it.
    pub(crate) async fn advisory_lock(
        c: &mut PgConnection,
        table: &str,
        timeout: Duration,
        waiting: Waiting<'_>,
    ) -> Result<(), LockWait> {
        let started = Instant::now();
        let (class, object) = advisory_key(table);
        let try_lock = format!("SELECT pg_try_advisory_lock({class}, {object})");
        let mut announced = false;
        loop {
            if crate::db::conn::scalar::<bool, _>(&mut *c, &try_lock).await.map_err(LockWait::Query)? {
                return Ok(());
            }
            // Who holds it is asked only to say so: once, and again at the timeout.
            if started.elapsed() >= timeout {
                return Err(LockWait::TimedOut { waited: started.elapsed(), holder: holder(c, class, object).await });
            }
            if !announced {
                waiting(holder(c, class, object).await);
                announced = true;
            }
            tokio::time::sleep(Duration::from_millis(100).min(timeout.saturating_sub(started.elapsed()))).await;
        }
    }

    /// Releases the advisory lock. `false` means this session did not hold it: the sign of
    /// a transaction-pooling PgBouncer, where the session that took it may be another one.
    pub(crate) async fn advisory_unlock(c: &mut PgConnection, table: &str) -> Result<bool, sqlx::Error> {
        let (class, object) = advisory_key(table);
        crate::db::conn::scalar(&mut *c, &format!("SELECT pg_advisory_unlock({class}, {object})")).await
    }

    async fn holder(c: &mut PgConnection, class: i32, object: i32) -> Option<String> {
        let sql = format!(
            "SELECT a.pid, COALESCE(a.application_name, ''), COALESCE(a.client_addr::text, 'local socket'), \
             COALESCE(a.backend_start::text, '') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {class} AND l.objid = {object} AND l.objsubid = 2"
        );
        let rows = sqlx::Executor::fetch_all(&mut *c, sqlx::raw_sql(&sql)).await.ok()?;
        let row = rows.first()?;
        let get = |i: usize| sqlx::Row::try_get::<String, _>(row, i).unwrap_or_default();
        let pid: i32 = sqlx::Row::try_get(row, 0).ok()?;
        Some(format!("backend pid {pid} ({}) from {}, connected since {}", get(1), get(2), get(3)))
    }
}
