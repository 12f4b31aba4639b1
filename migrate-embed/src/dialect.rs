//! One connection over the three sqlx drivers, chosen by URL scheme, and what differs
//! between them: connecting, the run lock, and how "no such table" is spelled.
//!
//! Code that is the same for every database is written once, in the crate-private `on_conn!` macro, and
//! compiled against each driver's concrete connection type.

use crate::database::{DatabaseKind, mask_password};
use crate::version_table::{self, VersionRow};
use std::time::{Duration, Instant};

#[cfg(feature = "mysql")]
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
#[cfg(feature = "postgres")]
use sqlx::postgres::{PgConnectOptions, PgConnection};
#[cfg(feature = "sqlite")]
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, FromRow};

/// A live connection to one of the supported databases.
pub enum Conn {
    /// SQLite.
    #[cfg(feature = "sqlite")]
    Sqlite(SqliteConnection),
    /// PostgreSQL.
    #[cfg(feature = "postgres")]
    Postgres(PgConnection),
    /// MySQL or MariaDB.
    #[cfg(feature = "mysql")]
    MySql(MySqlConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection, whichever database it is.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            #[cfg(feature = "sqlite")]
            $crate::dialect::Conn::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            $crate::dialect::Conn::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            $crate::dialect::Conn::MySql($c) => $body,
        }
    };
}
pub(crate) use on_conn;

/// Why talking to the database failed, always with the URL's password masked.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL's scheme is not one we support (or not compiled in).
    #[error("unsupported database URL {url}: use sqlite:, postgres:, postgresql:, mysql: or mariadb:{extra}")]
    UnsupportedUrl {
        /// The masked URL.
        url: String,
        /// Which features are missing, if that is the reason.
        extra: String,
    },
    /// Could not connect.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The masked URL.
        url: String,
        /// What sqlx said.
        source: sqlx::Error,
    },
    /// The run lock was not granted in time.
    #[error("timed out after {}s waiting for the migration lock on {url}{}; another runner is migrating this database — retry later, or raise --lock-timeout", .waited.as_secs(), .holder.as_ref().map(|h| format!(" (held by {h})")).unwrap_or_default())]
    LockTimeout {
        /// The masked URL.
        url: String,
        /// How long we waited.
        waited: Duration,
        /// Who holds it, where the database can tell.
        holder: Option<String>,
    },
    /// SQLite's write lock stayed taken past the busy timeout.
    #[error(
        "{context}: timed out after the lock timeout waiting for SQLite's write lock; another connection is writing to this database — retry later, or raise --lock-timeout"
    )]
    SqliteBusy {
        /// What we were doing.
        context: String,
    },
    /// A query failed.
    #[error("{context}: {source}")]
    Query {
        /// What we were doing.
        context: String,
        /// What the database said.
        source: sqlx::Error,
    },
}

/// Wraps a sqlx error with what we were doing.
pub(crate) fn query_error(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> DbError {
    let context = context.into();
    move |source| if is_busy(&source) { DbError::SqliteBusy { context } } else { DbError::Query { context, source } }
}

/// The database's own message for an error (without sqlx's prefix), for reports.
pub fn database_message(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => format!("{} (code {code})", db.message()),
            None => db.message().to_owned(),
        },
        other => other.to_string(),
    }
}

impl Conn {
    /// Connects to the database a URL names.
    ///
    /// # Errors
    /// [`DbError::UnsupportedUrl`] or [`DbError::Connect`], with the password masked.
    pub async fn connect(url: &str, lock_timeout: Duration) -> Result<Self, DbError> {
        let masked = mask_password(url);
        let connect_error = |source| DbError::Connect { url: masked.clone(), source };
        let unsupported = |extra: &str| DbError::UnsupportedUrl { url: masked.clone(), extra: extra.to_owned() };
        match DatabaseKind::from_url(url) {
            #[cfg(feature = "sqlite")]
            Some(DatabaseKind::Sqlite) => {
                let options: SqliteConnectOptions = url.parse().map_err(connect_error)?;
                let options = options.busy_timeout(lock_timeout).disable_statement_logging();
                Ok(Conn::Sqlite(options.connect().await.map_err(connect_error)?))
            }
            #[cfg(feature = "postgres")]
            Some(DatabaseKind::Postgres) => {
                let options: PgConnectOptions = url.parse().map_err(connect_error)?;
                let options = options.application_name("cargo-migrate").disable_statement_logging();
                Ok(Conn::Postgres(options.connect().await.map_err(connect_error)?))
            }
            #[cfg(feature = "mysql")]
            Some(DatabaseKind::MySql) => {
                let url = url.strip_prefix("mariadb:").map_or_else(|| url.to_owned(), |rest| format!("mysql:{rest}"));
                let options: MySqlConnectOptions = url.parse().map_err(connect_error)?;
                let options = options.disable_statement_logging();
                Ok(Conn::MySql(options.connect().await.map_err(connect_error)?))
            }
            #[allow(unreachable_patterns)]
            Some(kind) => Err(unsupported(&format!(" (this build lacks the `{kind}` feature of migrate-embed)"))),
            None => Err(unsupported("")),
        }
    }

    /// Which database this is.
    pub fn kind(&self) -> DatabaseKind {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(_) => DatabaseKind::Sqlite,
            #[cfg(feature = "postgres")]
            Conn::Postgres(_) => DatabaseKind::Postgres,
            #[cfg(feature = "mysql")]
            Conn::MySql(_) => DatabaseKind::MySql,
        }
    }

    /// Runs SQL without binds or preparing (DDL, statement by statement).
    pub async fn execute_raw(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        // Through `Executor::execute` (a boxed `Send` future) rather than
        // `RawSql::execute`, whose generic future trips the compiler's `Send` inference
        // and would make every runner future unusable in `tokio::spawn`.
        on_conn!(self, c => sqlx::Executor::execute(&mut *c, sqlx::raw_sql(sql)).await.map(|_| ()))
    }

    /// Reads every version row; `None` when the table does not exist yet.
    ///
    /// # Errors
    /// Any other database error.
    pub async fn read_versions(&mut self, table: &str) -> Result<Option<Vec<VersionRow>>, DbError> {
        type Tuple = (String, String, String, String, Option<String>, String, i64, i64, Option<i64>, Option<String>);
        let sql = version_table::select_rows(self.kind(), table);
        let kind = self.kind();
        let result: Result<Vec<Tuple>, sqlx::Error> = on_conn!(self, c => fetch_all_unprepared(&mut *c, &sql).await.and_then(|rows| rows.iter().map(Tuple::from_row).collect()));
        match result {
            Ok(rows) => Ok(Some(
                rows.into_iter()
                    .map(|r| VersionRow {
                        revision: r.0,
                        parents: r.1,
                        message: r.2,
                        checksum: r.3,
                        down_sql: r.4,
                        applied_at: r.5,
                        duration_ms: r.6,
                        seq: r.7,
                        failed_statements: r.8,
                        failure: r.9,
                    })
                    .collect(),
            )),
            Err(error) if is_missing_table(kind, &error) => Ok(None),
            Err(error) => Err(DbError::Query { context: format!("cannot read version table {table}"), source: error }),
        }
    }

    /// Takes the run lock (SPEC §6), saying so through `waiting` when another runner
    /// holds it. SQLite has no session lock: there, [`Conn::begin_write`] waits instead.
    ///
    /// # Errors
    /// [`DbError::LockTimeout`] naming the holder where the database can tell.
    pub async fn lock(
        &mut self,
        table: &str,
        url: &str,
        timeout: Duration,
        waiting: &mut (dyn FnMut(Option<String>) + Send),
    ) -> Result<(), DbError> {
        let started = Instant::now();
        let timed_out = |holder| DbError::LockTimeout { url: mask_password(url), waited: started.elapsed(), holder };
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(_) => Ok(()),
            #[cfg(feature = "postgres")]
            Conn::Postgres(c) => {
                let (class, object) = pg_lock_key(table);
                let try_lock = format!("SELECT pg_try_advisory_lock({class}, {object})");
                let mut announced = false;
                loop {
                    let got: bool = scalar_unprepared(&mut *c, &try_lock)
                        .await
                        .map_err(query_error("cannot take the migration lock"))?;
                    if got {
                        return Ok(());
                    }
                    // Who holds it is asked only to say so: once, and again at the timeout.
                    if started.elapsed() >= timeout {
                        return Err(timed_out(pg_lock_holder(c, class, object).await));
                    }
                    if !announced {
                        waiting(pg_lock_holder(c, class, object).await);
                        announced = true;
                    }
                    tokio::time::sleep(Duration::from_millis(100).min(timeout.saturating_sub(started.elapsed()))).await;
                }
            }
            #[cfg(feature = "mysql")]
            Conn::MySql(c) => {
                let name = mysql_lock_name(table);
                let got: Option<i64> = scalar_unprepared(&mut *c, &format!("SELECT GET_LOCK({name}, 0)"))
                    .await
                    .map_err(query_error("cannot take the migration lock (is a database named in the URL?)"))?;
                if got == Some(1) {
                    return Ok(());
                }
                waiting(mysql_lock_holder(c, &name).await);
                let seconds = timeout.as_secs_f64().ceil().max(1.0);
                let got: Option<i64> = scalar_unprepared(&mut *c, &format!("SELECT GET_LOCK({name}, {seconds})"))
                    .await
                    .map_err(query_error("cannot take the migration lock"))?;
                if got == Some(1) { Ok(()) } else { Err(timed_out(mysql_lock_holder(c, &name).await)) }
            }
        }
    }

    /// Releases the run lock.
    ///
    /// # Errors
    /// A database error (the server releases it anyway when the connection closes).
    pub async fn unlock(&mut self, table: &str) -> Result<(), DbError> {
        let result = match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(_) => Ok(()),
            #[cfg(feature = "postgres")]
            Conn::Postgres(c) => {
                let (class, object) = pg_lock_key(table);
                scalar_unprepared::<bool, _>(&mut *c, &format!("SELECT pg_advisory_unlock({class}, {object})"))
                    .await
                    .map(|_| ())
            }
            #[cfg(feature = "mysql")]
            Conn::MySql(c) => scalar_unprepared::<Option<i64>, _>(
                &mut *c,
                &format!("SELECT RELEASE_LOCK({})", mysql_lock_name(table)),
            )
            .await
            .map(|_| ()),
        };
        result.map_err(query_error("cannot release the migration lock"))
    }

    /// Opens the transaction a revision runs in. On SQLite it is `BEGIN IMMEDIATE`, which
    /// takes the database's write lock (waiting up to the busy timeout): that lock is what
    /// serialises concurrent SQLite runners.
    ///
    /// # Errors
    /// The database's error; on SQLite a busy database after the timeout.
    pub async fn begin_write(&mut self) -> Result<(), sqlx::Error> {
        let sql = if self.kind() == DatabaseKind::Sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" };
        self.execute_raw(sql).await
    }

    /// On SQLite, tries the write lock without waiting, so a runner can say it waits.
    /// Returns `true` when the lock was free (and immediately released).
    pub async fn sqlite_write_lock_free(&mut self, busy_timeout: Duration) -> Result<bool, sqlx::Error> {
        if self.kind() != DatabaseKind::Sqlite {
            return Ok(true);
        }
        self.execute_raw("PRAGMA busy_timeout = 0").await?;
        let probe = match self.execute_raw("BEGIN IMMEDIATE").await {
            Ok(()) => self.execute_raw("ROLLBACK").await.map(|()| true),
            Err(error) if is_busy(&error) => Ok(false),
            Err(error) => Err(error),
        };
        // Restore the timeout on every path, or later writes would fail at once.
        let restored = self.execute_raw(&format!("PRAGMA busy_timeout = {}", busy_timeout.as_millis())).await;
        let free = probe?;
        restored?;
        Ok(free)
    }
}

/// Runs a query without preparing it (simple/text protocol): one round trip on a fresh
/// connection instead of prepare + execute. For the few queries every run makes.
async fn fetch_all_unprepared<'c, C>(
    conn: &'c mut C,
    sql: &'c str,
) -> Result<Vec<<C::Database as sqlx::Database>::Row>, sqlx::Error>
where
    C: sqlx::Connection,
    &'c mut C: sqlx::Executor<'c, Database = C::Database>,
{
    sqlx::Executor::fetch_all(conn, sqlx::raw_sql(sql)).await
}

/// The first column of the first row of an unprepared query.
async fn scalar_unprepared<'c, T, C>(conn: &'c mut C, sql: &'c str) -> Result<T, sqlx::Error>
where
    C: sqlx::Connection,
    &'c mut C: sqlx::Executor<'c, Database = C::Database>,
    T: for<'r> sqlx::Decode<'r, C::Database> + sqlx::Type<C::Database>,
    usize: sqlx::ColumnIndex<<C::Database as sqlx::Database>::Row>,
{
    let row = sqlx::Executor::fetch_one(conn, sqlx::raw_sql(sql)).await?;
    sqlx::Row::try_get(&row, 0usize)
}

/// Whether an error is SQLite's "database is locked" (busy).
pub fn is_busy(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("5" | "6" | "517" | "262")))
}

/// Whether an error says the version table does not exist.
fn is_missing_table(kind: DatabaseKind, error: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = error else { return false };
    match kind {
        DatabaseKind::Postgres => db.code().as_deref() == Some("42P01"),
        DatabaseKind::MySql => db.code().as_deref() == Some("42S02") || db.message().contains("doesn't exist"),
        DatabaseKind::Sqlite => db.message().contains("no such table"),
    }
}

/// The advisory lock key: a fixed class ("migr") and a hash of the version table's name,
/// so two tools (or two version tables) in one database do not block each other.
#[cfg(feature = "postgres")]
fn pg_lock_key(table: &str) -> (i32, i32) {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in table.bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    (0x6d69_6772, (hash & 0x7fff_ffff) as i32)
}

#[cfg(feature = "postgres")]
async fn pg_lock_holder(c: &mut PgConnection, class: i32, object: i32) -> Option<String> {
    let sql = format!(
        "SELECT a.pid, COALESCE(a.application_name, ''), COALESCE(a.client_addr::text, 'local socket'), \
         COALESCE(a.backend_start::text, '') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {class} AND l.objid = {object} AND l.objsubid = 2"
    );
    let row: Option<(i32, String, String, String)> = sqlx::query_as(&sql).fetch_optional(&mut *c).await.ok()?;
    row.map(|(pid, app, addr, since)| format!("backend pid {pid} ({app}) from {addr}, connected since {since}"))
}

/// A `GET_LOCK` name expression: per database and version table (names are server-wide),
/// hashed because MySQL refuses names over 64 characters and database names reach 64.
#[cfg(feature = "mysql")]
fn mysql_lock_name(table: &str) -> String {
    format!("CONCAT('cargo-migrate.', LEFT(SHA2(CONCAT(DATABASE(), '.{table}'), 256), 40))")
}

#[cfg(feature = "mysql")]
async fn mysql_lock_holder(c: &mut MySqlConnection, name: &str) -> Option<String> {
    let id: Option<i64> = sqlx::query_scalar(&format!("SELECT IS_USED_LOCK({name})")).fetch_one(&mut *c).await.ok()?;
    let id = id?;
    let who: Option<(String, String)> =
        sqlx::query_as(&format!("SELECT USER, HOST FROM information_schema.PROCESSLIST WHERE ID = {id}"))
            .fetch_optional(&mut *c)
            .await
            .ok()
            .flatten();
    Some(match who {
        Some((user, host)) => format!("connection {id} ({user}@{host})"),
        None => format!("connection {id}"),
    })
}
