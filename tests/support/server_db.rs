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
        let mut conn = migrate_embed::dialect::Conn::connect(url, Duration::from_secs(5)).await.unwrap();
        conn.execute_raw(sql).await.unwrap();
    });
}
