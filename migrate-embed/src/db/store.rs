//! Reading and writing the version table on a live connection: the statements
//! [`VersionTable`] builds (the same text offline `--sql` prints), run with an error that
//! says what was being recorded.

use super::{Conn, DbError};
use crate::version_table::{NewRow, VersionRow, VersionTable};

/// The version table of the database a connection reaches.
#[derive(Debug, Clone, Copy)]
pub struct VersionStore<'t> {
    table: &'t VersionTable,
}

impl<'t> VersionStore<'t> {
    /// The store for `table`.
    pub fn new(table: &'t VersionTable) -> Self {
        Self { table }
    }

    /// The table's statements.
    pub fn table(&self) -> &'t VersionTable {
        self.table
    }

    /// Every row, in application order; `None` when the table does not exist yet.
    ///
    /// # Errors
    /// Any other database error.
    pub async fn read(&self, conn: &mut Conn) -> Result<Option<Vec<VersionRow>>, DbError> {
        let rows = conn
            .fetch(&self.table.select_all(), |r| {
                Ok(VersionRow {
                    revision: r.text()?,
                    parents: r.text()?,
                    message: r.text()?,
                    checksum: r.text()?,
                    down_sql: r.opt_text()?,
                    applied_at: r.text()?,
                    duration_ms: r.int()?,
                    seq: r.int()?,
                    failed_statements: r.opt_int()?,
                    failure: r.opt_text()?,
                })
            })
            .await;
        match rows {
            Ok(rows) => Ok(Some(rows)),
            Err(error) if self.is_missing_table(&error) => Ok(None),
            Err(error) => Err(conn.error(format!("cannot read version table {}", self.table.name()))(error)),
        }
    }

    fn is_missing_table(&self, error: &sqlx::Error) -> bool {
        super::code_and_message(error)
            .is_some_and(|(code, message)| self.table.dialect().is_missing_table(code.as_deref(), &message))
    }

    /// Creates the table if it does not exist.
    ///
    /// # Errors
    /// The database's error.
    pub async fn create(&self, conn: &mut Conn) -> Result<(), DbError> {
        let context = format!("cannot create version table {}", self.table.name());
        conn.execute(&self.table.create()).await.map_err(conn.error(context)).map(drop)
    }

    /// Records a revision as applied, or (with `mark`) as marked after some statements.
    ///
    /// # Errors
    /// The database's error.
    pub async fn insert(
        &self,
        conn: &mut Conn,
        row: &NewRow<'_>,
        duration_ms: i64,
        mark: Option<(i64, &str)>,
    ) -> Result<(), DbError> {
        let context = format!("cannot record revision {} in {}", row.revision, self.table.name());
        conn.execute(&self.table.insert(row, duration_ms, mark)).await.map_err(conn.error(context)).map(drop)
    }

    /// Removes a revision's row.
    ///
    /// # Errors
    /// The database's error.
    pub async fn delete(&self, conn: &mut Conn, revision: &str) -> Result<(), DbError> {
        let context = format!("cannot remove revision {revision} from {}", self.table.name());
        conn.execute(&self.table.delete(revision)).await.map_err(conn.error(context)).map(drop)
    }

    /// Marks a revision's row; returns whether a row was there to mark.
    ///
    /// # Errors
    /// The database's error.
    pub async fn mark(&self, conn: &mut Conn, revision: &str, statements: i64, failure: &str) -> Result<bool, DbError> {
        let context = format!("cannot mark revision {revision} failed");
        conn.execute(&self.table.mark(revision, statements, failure)).await.map_err(conn.error(context)).map(|n| n > 0)
    }

    /// Records that `statements` statements of a marked revision have completed.
    ///
    /// # Errors
    /// The database's error.
    pub async fn progress(&self, conn: &mut Conn, revision: &str, statements: i64) -> Result<(), DbError> {
        let context = format!("cannot record the progress of revision {revision}");
        conn.execute(&self.table.progress(revision, statements)).await.map_err(conn.error(context)).map(drop)
    }

    /// Clears a mark (a downgrade that changed nothing), leaving the row as it was.
    ///
    /// # Errors
    /// The database's error.
    pub async fn clear_mark(&self, conn: &mut Conn, revision: &str) -> Result<(), DbError> {
        let context = format!("cannot clear the mark of revision {revision}");
        conn.execute(&self.table.clear_mark(revision)).await.map_err(conn.error(context)).map(drop)
    }

    /// Clears a mark and records the revision's outcome.
    ///
    /// # Errors
    /// The database's error.
    pub async fn mark_clean(
        &self,
        conn: &mut Conn,
        revision: &str,
        duration_ms: i64,
        checksum: &str,
        down_sql: Option<&str>,
    ) -> Result<(), DbError> {
        let context = format!("cannot record revision {revision}");
        let sql = self.table.mark_clean(revision, duration_ms, checksum, down_sql);
        conn.execute(&sql).await.map_err(conn.error(context)).map(drop)
    }

    /// Deletes every row.
    ///
    /// # Errors
    /// The database's error.
    pub async fn purge(&self, conn: &mut Conn) -> Result<(), DbError> {
        conn.execute(&self.table.purge()).await.map_err(conn.error("cannot purge the version table")).map(drop)
    }
}
