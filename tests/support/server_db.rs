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
