//! The run lock: what makes concurrent runners (many replicas starting with `--migrate`)
//! apply each revision exactly once. Which lock a database uses is its dialect's default
//! or the config's `lock`:
//!
//! - `advisory`: a session lock of the server (PostgreSQL's `pg_try_advisory_lock`, MySQL's
//!   `GET_LOCK`), released by the server when the session ends, however it ends.
//! - `table`: a row in `<version_table>_lock` naming its holder, under a lease of
//!   [`LEASE`] that the holder renews every [`RENEW_EVERY`] on a second connection and
//!   inside every revision's transaction. A killed holder's lease runs out, and the next
//!   runner takes over. Needs nothing but tables, so it works where one client connection
//!   does not keep one server session (PgBouncer in transaction pooling mode).
//! - `file`: an exclusive lock on `<database>-migrate-lock` beside an SQLite database,
//!   released by the operating system when the holder exits.

use super::{Conn, DbError};
use crate::config::{LockMode, TableName};
use crate::dialect::Dialect;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long a `table` lock stays held without being renewed: how long a killed holder can
/// keep other runners waiting.
pub const LEASE: Duration = Duration::from_secs(15);

/// How often the holder of a `table` lock renews its lease.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);

/// The longest lock timeout, in seconds: a day. `--lock-timeout` and an application's
/// `--migrate-lock-timeout` refuse more. (SQLite's busy timeout, which the lock timeout
/// sets, holds at most 2,147,483 seconds, and MySQL's `GET_LOCK` takes no more than a
/// 32-bit count of seconds either.)
pub const MAX_LOCK_TIMEOUT_SECS: u64 = 86_400;

/// Told who holds the lock (where the database can tell) when a runner starts to wait.
pub type Waiting<'a> = &'a mut (dyn FnMut(Option<String>) + Send);

/// Why a dialect's lock was not taken.
#[derive(Debug)]
pub(crate) enum LockWait {
    /// Not granted within the timeout.
    TimedOut {
        /// How long we waited.
        waited: Duration,
        /// Who holds it.
        holder: Option<String>,
    },
    /// A query failed.
    Query(sqlx::Error),
    /// The lock file could not be opened or locked.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    File {
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
}

/// A held run lock; [`RunLock::release`] gives it back. The runner takes one around every
/// run; an application can hold one to keep runners out while it does something else.
#[derive(Debug)]
pub struct RunLock {
    held: Held,
}

#[derive(Debug)]
enum Held {
    /// The server's session lock.
    Advisory { table: TableName },
    /// The lock table's row, held by `holder`.
    Table(LockTable),
    /// The lock file, locked while it is open.
    File(std::fs::File, std::path::PathBuf),
    /// Nothing to lock: an in-memory SQLite database only this connection sees.
    Nothing,
}

impl RunLock {
    /// Takes the lock `mode` (the dialect's default when `None`), telling `waiting` once
    /// when another runner holds it.
    ///
    /// # Errors
    /// [`DbError::LockTimeout`] naming the holder where the database can tell, a lock the
    /// database does not support, or a database error.
    pub async fn acquire(
        conn: &mut Conn,
        mode: Option<LockMode>,
        table: &TableName,
        waiting: Waiting<'_>,
    ) -> Result<Self, DbError> {
        let dialect = conn.dialect();
        let mode = mode.unwrap_or_else(|| dialect.default_lock());
        if !dialect.supports_lock(mode) {
            return Err(DbError::UnsupportedLock {
                database: dialect.name(),
                lock: mode,
                hint: match dialect.default_lock() {
                    LockMode::File => "SQLite's runners take a lock file beside the database; remove `lock`",
                    _ => "use `advisory` (the default) or `table`",
                },
            });
        }
        let timeout = conn.lock_timeout();
        let url = conn.url().masked().to_owned();
        let failed = |wait: LockWait| match wait {
            LockWait::TimedOut { waited, holder } => DbError::LockTimeout { url: url.clone(), waited, holder },
            LockWait::Query(cause) => DbError::Query { context: "cannot take the migration lock".into(), cause },
            LockWait::File { path, error } => DbError::LockFile { url: url.clone(), path, error },
        };
        let held = match mode {
            LockMode::Advisory => {
                advisory_lock(conn, table, timeout, waiting).await.map_err(failed)?;
                Held::Advisory { table: table.clone() }
            }
            LockMode::Table => Held::Table(LockTable::acquire(conn, table, timeout, waiting).await?),
            LockMode::File => match file_lock(conn, timeout, waiting).await.map_err(failed)? {
                Some((file, path)) => Held::File(file, path),
                None => Held::Nothing,
            },
        };
        Ok(Self { held })
    }

    /// The lock table's row, when this is a `table` lock: revisions renew its lease inside
    /// their own transactions, and a second connection keeps renewing it.
    pub(crate) fn lease(&self) -> Option<&LockTable> {
        match &self.held {
            Held::Table(lease) => Some(lease),
            _ => None,
        }
    }

    /// Gives the lock back (a server releases a session lock anyway when the connection
    /// closes, and the operating system a lock file when the process exits). `false` when
    /// the server says this session did not hold the advisory lock: connections are pooled
    /// per transaction in between, and the lock excluded nobody.
    ///
    /// # Errors
    /// A database error.
    pub async fn release(self, conn: &mut Conn) -> Result<bool, DbError> {
        match self.held {
            Held::Advisory { table } => {
                advisory_unlock(conn, &table).await.map_err(conn.error("cannot release the migration lock"))
            }
            Held::Table(lease) => lease.release(conn).await.map(|()| true),
            Held::File(file, path) => {
                #[cfg(feature = "sqlite")]
                crate::dialect::sqlite::release_file(file, &path);
                #[cfg(not(feature = "sqlite"))]
                drop((file, path));
                Ok(true)
            }
            Held::Nothing => Ok(true),
        }
    }
}

async fn advisory_lock(
    conn: &mut Conn,
    table: &TableName,
    timeout: Duration,
    waiting: Waiting<'_>,
) -> Result<(), LockWait> {
    use super::conn::Driver;
    match conn.driver_mut() {
        #[cfg(feature = "postgres")]
        Driver::Postgres(c) => crate::dialect::postgres::advisory_lock(c, table.as_str(), timeout, waiting).await,
        #[cfg(feature = "mysql")]
        Driver::MySql(c) => crate::dialect::mysql::advisory_lock(c, table.as_str(), timeout, waiting).await,
        #[allow(unreachable_patterns)]
        _ => Ok(()),
    }
}

async fn advisory_unlock(conn: &mut Conn, table: &TableName) -> Result<bool, sqlx::Error> {
    use super::conn::Driver;
    match conn.driver_mut() {
        #[cfg(feature = "postgres")]
        Driver::Postgres(c) => crate::dialect::postgres::advisory_unlock(c, table.as_str()).await,
        #[cfg(feature = "mysql")]
        Driver::MySql(c) => crate::dialect::mysql::advisory_unlock(c, table.as_str()).await,
        #[allow(unreachable_patterns)]
        _ => Ok(true),
    }
}

#[allow(unused_variables)]
async fn file_lock(
    conn: &mut Conn,
    timeout: Duration,
    waiting: Waiting<'_>,
) -> Result<Option<(std::fs::File, PathBuf)>, LockWait> {
    #[cfg(feature = "sqlite")]
    if let Some(path) = crate::dialect::sqlite::lock_file_path(conn.url().expose()) {
        let file = crate::dialect::sqlite::lock_file(&path, &holder_name(), timeout, waiting).await?;
        return Ok(Some((file, path)));
    }
    Ok(None)
}

/// Who this runner is, as other runners are told: a random token (so two runners never
/// look alike), the process id and the host.
pub(crate) fn holder_name() -> String {
    let mut token = [0u8; 6];
    let token = match getrandom::fill(&mut token) {
        Ok(()) => token.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        Err(_) => format!("{:x}", Instant::now().elapsed().subsec_nanos()),
    };
    format!("cargo-migrate {token} (pid {} on {})", std::process::id(), host_name())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "an unknown host".to_owned())
}

/// The `table` lock: one row in `<version_table>_lock`, and who holds it.
#[derive(Debug)]
pub(crate) struct LockTable {
    ident: String,
    holder: String,
    dialect: &'static dyn Dialect,
}

impl LockTable {
    fn new(table: &TableName, dialect: &'static dyn Dialect) -> Self {
        let name = format!("{}_lock", dialect.fold_identifier(table.as_str()));
        Self { ident: dialect.quote_identifier(&name), holder: holder_name(), dialect }
    }

    fn literal(&self, value: &str) -> String {
        self.dialect.string_literal(value)
    }

    fn expiry(&self) -> String {
        self.dialect.plus_seconds(self.dialect.now(), LEASE.as_secs())
    }

    fn create(&self) -> String {
        let columns = self.dialect.version_columns();
        format!(
            "CREATE TABLE IF NOT EXISTS {} (name VARCHAR(32) NOT NULL PRIMARY KEY, holder {}, expires_at {})",
            self.ident, columns.text, columns.timestamp
        )
    }

    /// Whether the row is free to take: nobody holds it, or its lease ran out. Skips the
    /// row (no rows) while a revision's transaction of the holder has it locked: that
    /// transaction may still be running on the server even if its client is gone.
    fn probe(&self) -> String {
        format!(
            "SELECT CASE WHEN holder IS NULL OR expires_at < {} THEN 'free' ELSE 'held' END FROM {} \
             WHERE name = 'run' FOR UPDATE SKIP LOCKED",
            self.dialect.now(),
            self.ident
        )
    }

    /// Takes the row (after [`LockTable::probe`] found it free, in the same transaction).
    fn take(&self) -> String {
        format!(
            "UPDATE {} SET holder = {}, expires_at = {} WHERE name = 'run'",
            self.ident,
            self.literal(&self.holder),
            self.expiry()
        )
    }

    /// One attempt: `true` when the lock was taken.
    async fn try_take(&self, conn: &mut Conn) -> Result<bool, sqlx::Error> {
        conn.execute("BEGIN").await?;
        let attempt = async {
            let free = conn.fetch(&self.probe(), |r| r.text()).await?;
            if free.first().is_some_and(|state| state == "free") {
                conn.execute(&self.take()).await?;
                conn.execute("COMMIT").await?;
                Ok(true)
            } else {
                conn.execute("ROLLBACK").await?;
                Ok(false)
            }
        };
        let taken = attempt.await;
        if taken.is_err() {
            let _ = conn.execute("ROLLBACK").await;
        }
        taken
    }

    /// Renews the lease; matches no row once another runner took the lock over.
    pub(crate) fn renew(&self) -> String {
        format!(
            "UPDATE {} SET expires_at = {} WHERE name = 'run' AND holder = {}",
            self.ident,
            self.expiry(),
            self.literal(&self.holder)
        )
    }

    async fn acquire(
        conn: &mut Conn,
        table: &TableName,
        timeout: Duration,
        waiting: Waiting<'_>,
    ) -> Result<Self, DbError> {
        let lock = Self::new(table, conn.dialect());
        // Runners start together, before anyone holds a lock, and PostgreSQL's
        // CREATE TABLE IF NOT EXISTS can fail on a concurrent one: then the table is there.
        if let Err(cause) = conn.execute(&lock.create()).await {
            let exists = conn.execute(&format!("SELECT 1 FROM {}", lock.ident)).await.is_ok();
            if !exists {
                return Err(conn.error("cannot create the lock table")(cause));
            }
        }
        // The one row, inserted only when a plain read does not see it: inserting a
        // duplicate (or reading with locks) would wait for the holder's open transaction. A
        // runner that loses the race to insert it finds it there.
        let select = format!("SELECT name FROM {} WHERE name = 'run'", lock.ident);
        let seen = |rows: Result<Vec<String>, sqlx::Error>| rows.is_ok_and(|rows| !rows.is_empty());
        if !seen(conn.fetch(&select, |r| r.text()).await)
            && let Err(cause) = conn.execute(&format!("INSERT INTO {} (name) VALUES ('run')", lock.ident)).await
            && !seen(conn.fetch(&select, |r| r.text()).await)
        {
            return Err(DbError::Query { context: "cannot create the lock table's row".into(), cause });
        }
        let started = Instant::now();
        let mut announced = false;
        loop {
            if lock.try_take(conn).await.map_err(conn.error("cannot take the migration lock"))? {
                return Ok(lock);
            }
            if started.elapsed() >= timeout {
                return Err(DbError::LockTimeout {
                    url: conn.url().masked().to_owned(),
                    waited: started.elapsed(),
                    holder: lock.holder_of(conn).await,
                });
            }
            if !announced {
                waiting(lock.holder_of(conn).await);
                announced = true;
            }
            tokio::time::sleep(Duration::from_millis(200).min(timeout.saturating_sub(started.elapsed()))).await;
        }
    }

    async fn holder_of(&self, conn: &mut Conn) -> Option<String> {
        let sql = format!(
            "SELECT holder, {} FROM {} WHERE name = 'run'",
            self.dialect.timestamp_text("expires_at"),
            self.ident
        );
        let rows = conn.fetch(&sql, |r| Ok((r.opt_text()?, r.opt_text()?))).await.ok()?;
        let (holder, until) = rows.into_iter().next()?;
        Some(format!("{} (lease until {})", holder?, until.unwrap_or_default()))
    }

    async fn release(self, conn: &mut Conn) -> Result<(), DbError> {
        let sql = format!(
            "UPDATE {} SET holder = NULL, expires_at = NULL WHERE name = 'run' AND holder = {}",
            self.ident,
            self.literal(&self.holder)
        );
        conn.execute(&sql).await.map_err(conn.error("cannot release the migration lock")).map(drop)
    }

    /// Renews the lease every [`RENEW_EVERY`] on its own connection, for as long as it is
    /// polled (the runner polls it beside its work). Errors are retried at the next tick:
    /// a lease that runs out anyway is caught by the revisions' own renewal.
    pub(crate) async fn keep_alive(&self, mut conn: Conn) -> std::convert::Infallible {
        let renew = self.renew();
        loop {
            tokio::time::sleep(RENEW_EVERY).await;
            let _ = conn.execute(&renew).await;
        }
    }
}
