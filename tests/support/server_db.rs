#![allow(dead_code)]
//! A database of its own on a test server, for tests that run processes against it.
//! (Included with `#[path]` by the tests that need a database driver.)

use crate::support::{database_url, unique_name, with_database};
use std::time::Duration;

/// A fresh database on the server named by `var`, dropped when the guard is dropped
/// (also when the test panics).
pub struct ServerDb {
    admin: String,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl ServerDb {
    /// `None` (after saying SKIPPED) when `var` is unset; see [`database_url`].
    pub fn new(var: &str, test: &str) -> Option<Self> {
        let admin = database_url(var, test)?;
        let name = unique_name("srv");
        admin_sql(&admin, &format!("CREATE DATABASE {name}"));
        Some(ServerDb { url: with_database(&admin, &name), admin, name })
    }

    /// A fresh PostgreSQL database reached through the PgBouncer of
    /// `MIGRATE_TEST_PGBOUNCER_URL` (transaction pooling, started by `.ci/pgbouncer`), made
    /// and dropped on the server directly: `(database, URL through PgBouncer)`.
    pub fn behind_pgbouncer(test: &str) -> Option<(Self, String)> {
        let bouncer = database_url("MIGRATE_TEST_PGBOUNCER_URL", test)?;
        let db = Self::new("MIGRATE_TEST_POSTGRES_URL", test)?;
        let url = with_database(&bouncer, &db.name);
        Some((db, url))
    }
}

impl Drop for ServerDb {
    fn drop(&mut self) {
        let force = if self.admin.starts_with("postgres") { " WITH (FORCE)" } else { "" };
        admin_sql(&self.admin, &format!("DROP DATABASE IF EXISTS {}{force}", self.name));
    }
}

/// Runs one statement on a server, on a runtime of its own.
pub fn admin_sql(url: &str, sql: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut conn = migrate_embed::db::Conn::connect(url, Duration::from_secs(5)).await.unwrap();
        conn.execute_raw(sql).await.unwrap();
    });
}

/// Rows of `sql` on the database `url` names, over a sqlx connection of the test's own.
pub async fn query<T>(url: &str, sql: &str) -> Vec<T>
where
    T: Send + Unpin,
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + for<'r> sqlx::FromRow<'r, sqlx::mysql::MySqlRow>,
{
    use sqlx::Connection;
    let url = url.strip_prefix("mariadb:").map_or_else(|| url.to_owned(), |rest| format!("mysql:{rest}"));
    match url.split(':').next() {
        Some("sqlite") => {
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
        }
        Some("postgres" | "postgresql") => {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
        }
        _ => {
            let mut c = sqlx::MySqlConnection::connect(&url).await.unwrap();
            sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
        }
    }
}

/// [`query`] that says `None` instead of panicking when the query fails (a table that does
/// not exist yet, a database that is not reachable yet).
pub async fn try_scalar_i64(url: &str, sql: &str) -> Option<i64> {
    use sqlx::Connection;
    let url = url.strip_prefix("mariadb:").map_or_else(|| url.to_owned(), |rest| format!("mysql:{rest}"));
    let row: Option<(i64,)> = match url.split(':').next() {
        Some("sqlite") => {
            let mut c = sqlx::SqliteConnection::connect(&url).await.ok()?;
            sqlx::query_as(sql).fetch_one(&mut c).await.ok()
        }
        Some("postgres" | "postgresql") => {
            let mut c = sqlx::PgConnection::connect(&url).await.ok()?;
            sqlx::query_as(sql).fetch_one(&mut c).await.ok()
        }
        _ => {
            let mut c = sqlx::MySqlConnection::connect(&url).await.ok()?;
            sqlx::query_as(sql).fetch_one(&mut c).await.ok()
        }
    };
    row.map(|r| r.0)
}

/// The first column of the first row of `sql`, a whole number.
pub async fn scalar_i64(url: &str, sql: &str) -> i64 {
    let rows: Vec<(i64,)> = query(url, sql).await;
    rows[0].0
}

/// The migration lock of the database `url` names, held (as another runner would hold it)
/// by a thread of its own until dropped.
pub struct HeldRunLock {
    release: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HeldRunLock {
    /// Takes the lock of the default version table and holds it.
    pub fn take(url: &str) -> Self {
        let url = url.to_owned();
        let (held_tx, held_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let mut conn = migrate_embed::db::Conn::connect(&url, Duration::from_secs(5)).await.unwrap();
                let table = migrate_embed::config::TableName::default();
                let lock =
                    migrate_embed::db::lock::RunLock::acquire(&mut conn, None, &table, &mut |_| {}).await.unwrap();
                held_tx.send(()).unwrap();
                let _ = release_rx.recv();
                lock.release(&mut conn).await.unwrap();
            });
        });
        held_rx.recv().expect("the lock is taken");
        Self { release: Some(release_tx), thread: Some(thread) }
    }
}

impl Drop for HeldRunLock {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs `command`, killing it after `deadline`: `None` when it had to be killed (a hang).
pub fn output_within(command: &mut std::process::Command, deadline: Duration) -> Option<std::process::Output> {
    use std::process::Stdio;
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the process starts");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(child.wait_with_output().expect("output"))
}

/// The names of the tables in the database `url` names (SQLite: none when the file does
/// not exist), to tell that a refused command wrote nothing.
pub fn table_names(url: &str) -> Vec<String> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        if !std::path::Path::new(path).exists() {
            return Vec::new();
        }
    }
    let sql = if url.starts_with("sqlite") {
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    } else if url.starts_with("postgres") {
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
    } else {
        "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let rows: Vec<(String,)> = runtime.block_on(query(url, sql));
    rows.into_iter().map(|(name,)| name).collect()
}
