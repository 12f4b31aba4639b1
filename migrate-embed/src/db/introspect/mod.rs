//! Introspection: a live database read into autogenerate's [`Schema`] model, one file per
//! database, each reading its own catalog and normalising, with
//! [`crate::schema::normalize`], what its server keeps as written.
//!
//! | file | database | reads |
//! | --- | --- | --- |
//! | `postgres.rs` | PostgreSQL | `pg_catalog` of the current schema |
//! | `mysql.rs` | MySQL, MariaDB | `information_schema` of the current database |
//! | `sqlite.rs` | SQLite | `sqlite_schema` and the table pragmas, the stored SQL parsed |
//!
//! The version table and its lock table are never part of the model.

mod mysql;
mod postgres;
mod sqlite;
#[cfg(test)]
mod tests;

use super::Conn;
use super::DbError;
use crate::config::TableName;
use crate::schema::Schema;
use crate::schema::model::{NotCompared, Table};

/// Reads the schema of the database `conn` is connected to (its current schema on
/// PostgreSQL, its database on MySQL, `main` on SQLite), leaving out the version table
/// `version_table` and its lock table.
///
/// # Errors
/// [`DbError::Query`] when a catalog query fails.
pub async fn introspect(conn: &mut Conn, version_table: &TableName) -> Result<Schema, DbError> {
    let filter = TableFilter::new(conn, version_table);
    read(conn, &filter).await
}

/// The version table `version_table` as the database has it, if it does: autogenerate
/// refuses a `schema.sql` that defines it otherwise than the runner.
///
/// # Errors
/// [`DbError::Query`] when a catalog query fails.
pub async fn version_table_definition(conn: &mut Conn, version_table: &TableName) -> Result<Option<Table>, DbError> {
    let folded = conn.dialect().fold_identifier(version_table.as_str());
    // Mostly it is not there: one small query instead of reading the whole schema again.
    let exists = has_table(conn, &folded)
        .await
        .map_err(|cause| DbError::Query { context: format!("cannot read the schema of {}", conn.url()), cause })?;
    if !exists {
        return Ok(None);
    }
    let mut all = read(conn, &TableFilter { ours: [String::new(), String::new()] }).await?;
    Ok(all.tables.remove(&folded))
}

/// Whether the database has a table named `name` (in any letter case where the catalog
/// compares so; the caller looks the exact name up).
async fn has_table(conn: &mut Conn, name: &str) -> Result<bool, sqlx::Error> {
    // A version table's name is a plain identifier (checked by `TableName`).
    let literal = format!("'{}'", name.replace('\'', "''"));
    let sql = match conn.kind() {
        crate::dialect::DatabaseKind::Postgres => format!(
            "SELECT c.relname::text FROM pg_catalog.pg_class c WHERE c.relname = {literal} AND c.relkind IN ('r', 'p') \
             AND c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())"
        ),
        crate::dialect::DatabaseKind::MySql => format!(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {literal}"
        ),
        crate::dialect::DatabaseKind::Sqlite => {
            format!("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = {literal} COLLATE NOCASE")
        }
    };
    Ok(!text_rows(conn, &sql, 1).await?.is_empty())
}

async fn read(conn: &mut Conn, filter: &TableFilter) -> Result<Schema, DbError> {
    let context = format!("cannot read the schema of {}", conn.url());
    let result = match conn.kind() {
        crate::dialect::DatabaseKind::Postgres => postgres::introspect(conn, filter).await,
        crate::dialect::DatabaseKind::MySql => mysql::introspect(conn, filter).await,
        crate::dialect::DatabaseKind::Sqlite => sqlite::introspect(conn, filter).await,
    };
    result.map_err(|cause| DbError::Query { context, cause })
}

/// The tables that are ours, not the user's: the version table and its lock table.
#[derive(Debug)]
pub(crate) struct TableFilter {
    ours: [String; 2],
}

impl TableFilter {
    fn new(conn: &Conn, version_table: &TableName) -> Self {
        let folded = conn.dialect().fold_identifier(version_table.as_str());
        Self { ours: [folded.clone(), format!("{folded}_lock")] }
    }

    /// Whether `table` belongs in the model.
    pub(crate) fn keeps(&self, table: &str) -> bool {
        !self.ours.iter().any(|t| t == table)
    }
}

/// Every row of `sql`, as `columns` texts each (queries cast what they select to text).
pub(crate) async fn text_rows(
    conn: &mut Conn,
    sql: &str,
    columns: usize,
) -> Result<Vec<Vec<Option<String>>>, sqlx::Error> {
    conn.fetch(sql, move |r| (0..columns).map(|_| r.opt_text()).collect()).await
}

/// `"1 0 3"` → `[1, 0, 3]` (PostgreSQL's int2vector as text).
pub(crate) fn int_list(text: Option<&str>) -> Vec<i64> {
    text.unwrap_or("").split_whitespace().filter_map(|n| n.parse().ok()).collect()
}

/// A not-compared entry without a definition.
pub(crate) fn not_compared(kind: &str, name: &str) -> NotCompared {
    NotCompared { kind: kind.to_owned(), name: name.to_owned(), definition: None }
}
