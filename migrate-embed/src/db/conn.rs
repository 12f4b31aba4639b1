//! One connection over the three sqlx drivers, chosen by the URL's scheme and keeping its
//! masked URL for messages. Every query goes through the simple (text) protocol: nothing
//! is prepared, so the same code works through a transaction-pooling PgBouncer.

use super::DbError;
use crate::dialect::{DatabaseKind, Dialect};
use crate::url::DatabaseUrl;
use std::time::Duration;

#[cfg(feature = "mysql")]
use sqlx::mysql::MySqlConnection;
#[cfg(feature = "postgres")]
use sqlx::postgres::PgConnection;
#[cfg(feature = "sqlite")]
use sqlx::sqlite::SqliteConnection;

/// A live connection to one of the supported databases.
pub struct Conn {
    driver: Driver,
    url: DatabaseUrl,
    lock_timeout: Duration,
}

/// The driver's own connection.
pub(crate) enum Driver {
    #[cfg(feature = "sqlite")]
    Sqlite(SqliteConnection),
    #[cfg(feature = "postgres")]
    Postgres(PgConnection),
    #[cfg(feature = "mysql")]
    MySql(MySqlConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection, whichever database it is: code
/// that is the same for every database is written once and compiled against each driver.
macro_rules! on_driver {
    ($driver:expr, $c:ident => $body:expr) => {
        match $driver {
            #[cfg(feature = "sqlite")]
            Driver::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            Driver::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            Driver::MySql($c) => $body,
        }
    };
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").field("url", &self.url).finish_non_exhaustive()
    }
}

impl Conn {
    /// Connects to the database a URL names. On SQLite, `lock_timeout` is also the busy
    /// timeout: how long a statement waits for another writer.
    ///
    /// # Errors
    /// [`DbError::UnsupportedUrl`] or [`DbError::Connect`], with the password masked.
    pub async fn connect(url: &str, lock_timeout: Duration) -> Result<Self, DbError> {
        Self::connect_to(DatabaseUrl::new(url), lock_timeout).await
    }

    /// [`Conn::connect`] for a URL already wrapped.
    ///
    /// # Errors
    /// As [`Conn::connect`].
    pub async fn connect_to(url: DatabaseUrl, lock_timeout: Duration) -> Result<Self, DbError> {
        let raw = url.expose();
        let connect_error = |cause: sqlx::Error| match &cause {
            sqlx::Error::Tls(error) if error.to_string().contains("built without TLS") => {
                DbError::TlsNotBuilt { url: url.masked().to_owned() }
            }
            _ => {
                DbError::Connect { url: url.masked().to_owned(), hint: super::error::userinfo_hint(raw, &cause), cause }
            }
        };
        let unsupported =
            |extra: &str| DbError::UnsupportedUrl { url: url.masked().to_owned(), extra: extra.to_owned() };
        let driver = match url.kind() {
            #[cfg(feature = "sqlite")]
            Some(DatabaseKind::Sqlite) => {
                Driver::Sqlite(crate::dialect::sqlite::connect(raw, lock_timeout).await.map_err(connect_error)?)
            }
            #[cfg(feature = "postgres")]
            Some(DatabaseKind::Postgres) => {
                Driver::Postgres(crate::dialect::postgres::connect(raw).await.map_err(connect_error)?)
            }
            #[cfg(feature = "mysql")]
            Some(DatabaseKind::MySql) => {
                Driver::MySql(crate::dialect::mysql::connect(raw).await.map_err(connect_error)?)
            }
            #[allow(unreachable_patterns)]
            Some(kind) => {
                return Err(unsupported(&format!(" (this build lacks the `{kind}` feature of migrate-embed)")));
            }
            None => return Err(unsupported("")),
        };
        Ok(Self { driver, url, lock_timeout })
    }

    /// Another connection to the same database (the lock table's lease is renewed on one).
    ///
    /// # Errors
    /// As [`Conn::connect`].
    pub async fn reconnect(&self) -> Result<Self, DbError> {
        Self::connect_to(self.url.clone(), self.lock_timeout).await
    }

    /// Closes the connection, telling the server, so the session ends at once (a dropped
    /// connection ends when the server notices).
    pub async fn close(self) {
        on_driver!(self.driver, c => {
            let _ = sqlx::Connection::close(c).await;
        })
    }

    /// Which database this is.
    pub fn kind(&self) -> DatabaseKind {
        match self.driver {
            #[cfg(feature = "sqlite")]
            Driver::Sqlite(_) => DatabaseKind::Sqlite,
            #[cfg(feature = "postgres")]
            Driver::Postgres(_) => DatabaseKind::Postgres,
            #[cfg(feature = "mysql")]
            Driver::MySql(_) => DatabaseKind::MySql,
        }
    }

    /// Everything that differs for this database.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.kind().dialect()
    }

    /// The URL it was opened with; prints masked.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// How long a runner on this connection waits for locks.
    pub fn lock_timeout(&self) -> Duration {
        self.lock_timeout
    }

    pub(crate) fn driver_mut(&mut self) -> &mut Driver {
        &mut self.driver
    }

    /// Runs SQL (one statement or several) without binds or preparing.
    ///
    /// # Errors
    /// The database's error.
    pub async fn execute_raw(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        self.execute(sql).await.map(drop)
    }

    /// Runs SQL without preparing it; returns the rows it affected (matched, on MySQL).
    ///
    /// # Errors
    /// The database's error.
    pub async fn execute(&mut self, sql: &str) -> Result<u64, sqlx::Error> {
        // Through `Executor::execute` (a boxed `Send` future) rather than
        // `RawSql::execute`, whose generic future trips the compiler's `Send` inference
        // and would make every runner future unusable in `tokio::spawn`.
        on_driver!(&mut self.driver, c => sqlx::Executor::execute(&mut *c, sqlx::raw_sql(sql)).await.map(|r| r.rows_affected()))
    }

    /// Runs several statements as one call; on failure, also says how many of them had
    /// completed before the one that failed.
    ///
    /// # Errors
    /// The count of completed statements and the database's error.
    pub(crate) async fn execute_batch(&mut self, sql: &str) -> Result<(), (usize, sqlx::Error)> {
        on_driver!(&mut self.driver, c => {
            let mut results = sqlx::Executor::execute_many(&mut *c, sqlx::raw_sql(sql));
            let mut completed = 0;
            loop {
                let next = std::future::poll_fn(|cx| futures_core::Stream::poll_next(results.as_mut(), cx)).await;
                match next {
                    Some(Ok(_)) => completed += 1,
                    Some(Err(error)) => return Err((completed, error)),
                    None => return Ok(()),
                }
            }
        })
    }

    /// Runs `statements` in order on this connection, as one call where calls are costly
    /// (SQLite, whose connection is served by a worker thread: a call per statement is a
    /// thread hand-off each way), else one by one. On failure, the index of the statement
    /// that failed; those before it have run.
    ///
    /// # Errors
    /// The failing statement's index and the database's error.
    pub async fn execute_each(&mut self, statements: &[&str]) -> Result<(), (usize, sqlx::Error)> {
        if !self.dialect().batches_revisions() {
            for (index, statement) in statements.iter().enumerate() {
                self.execute(statement).await.map_err(|error| (index, error))?;
            }
            return Ok(());
        }
        let lexing = self.dialect().lexing();
        let mut batch = String::with_capacity(statements.iter().map(|s| s.len() + 3).sum());
        for statement in statements {
            batch.push_str(statement);
            // A statement ending in a line comment would swallow its `;`.
            if crate::sql::split::ends_in_line_comment(statement, &lexing) {
                batch.push('\n');
            }
            batch.push_str(";\n");
        }
        // Each statement run gives one result: the count is the failing statement's index.
        self.execute_batch(&batch)
            .await
            .map_err(|(completed, error)| (completed.min(statements.len().saturating_sub(1)), error))
    }

    /// Every row of a query, each decoded by `decode`, which reads the row's columns.
    ///
    /// # Errors
    /// The database's error, or a column that does not decode.
    pub(crate) async fn fetch<T>(
        &mut self,
        sql: &str,
        decode: impl Fn(&mut dyn RowReader) -> Result<T, sqlx::Error> + Send,
    ) -> Result<Vec<T>, sqlx::Error> {
        on_driver!(&mut self.driver, c => {
            let rows = sqlx::Executor::fetch_all(&mut *c, sqlx::raw_sql(sql)).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(decode(&mut Columns { row, next: 0 })?);
            }
            Ok(out)
        })
    }

    /// Whether the database's write lock is free now (only SQLite has one a runner can
    /// wait on; elsewhere always `true`), so a run about to write can say it waits.
    ///
    /// # Errors
    /// The database's error.
    pub(crate) async fn write_lock_free(&mut self) -> Result<bool, sqlx::Error> {
        match &mut self.driver {
            #[cfg(feature = "sqlite")]
            Driver::Sqlite(c) => crate::dialect::sqlite::write_lock_free(c, self.lock_timeout).await,
            #[allow(unreachable_patterns)]
            _ => Ok(true),
        }
    }

    /// Wraps a sqlx error with what we were doing; SQLite's busy errors become
    /// [`DbError::SqliteBusy`].
    pub(crate) fn error<S: Into<String>>(&self, context: S) -> impl FnOnce(sqlx::Error) -> DbError + use<S> {
        let context: String = context.into();
        let dialect = self.dialect();
        move |cause| {
            let busy = super::code_and_message(&cause).is_some_and(|(code, _)| dialect.is_busy(code.as_deref()));
            if busy { DbError::SqliteBusy { context } } else { DbError::Query { context, cause } }
        }
    }
}

/// Reads the columns of one row in order, whatever the driver: text, optional text and
/// whole numbers are all the version and lock tables hold.
pub(crate) trait RowReader {
    /// The next column as text.
    fn text(&mut self) -> Result<String, sqlx::Error>;
    /// The next column as text or `NULL`.
    fn opt_text(&mut self) -> Result<Option<String>, sqlx::Error>;
    /// The next column as a whole number.
    fn int(&mut self) -> Result<i64, sqlx::Error>;
    /// The next column as a whole number or `NULL`.
    fn opt_int(&mut self) -> Result<Option<i64>, sqlx::Error>;
}

struct Columns<'r, R> {
    row: &'r R,
    next: usize,
}

impl<'r, R: sqlx::Row> Columns<'r, R> {
    fn get<T>(&mut self) -> Result<T, sqlx::Error>
    where
        T: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        usize: sqlx::ColumnIndex<R>,
    {
        let value = self.row.try_get(self.next);
        self.next += 1;
        value
    }
}

impl<R: sqlx::Row> RowReader for Columns<'_, R>
where
    usize: sqlx::ColumnIndex<R>,
    String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    fn text(&mut self) -> Result<String, sqlx::Error> {
        self.get()
    }

    fn opt_text(&mut self) -> Result<Option<String>, sqlx::Error> {
        self.get()
    }

    fn int(&mut self) -> Result<i64, sqlx::Error> {
        self.get()
    }

    fn opt_int(&mut self) -> Result<Option<i64>, sqlx::Error> {
        self.get()
    }
}

/// The first column of the first row of an unprepared query.
pub(crate) async fn scalar<'c, T, C>(conn: &'c mut C, sql: &'c str) -> Result<T, sqlx::Error>
where
    C: sqlx::Connection,
    &'c mut C: sqlx::Executor<'c, Database = C::Database>,
    T: for<'r> sqlx::Decode<'r, C::Database> + sqlx::Type<C::Database>,
    usize: sqlx::ColumnIndex<<C::Database as sqlx::Database>::Row>,
{
    let row = sqlx::Executor::fetch_one(conn, sqlx::raw_sql(sql)).await?;
    sqlx::Row::try_get(&row, 0usize)
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;

    /// On SQLite the statements go as one call, and a failure still names its statement,
    /// past a statement ending in a line comment, one returning rows and an empty batch.
    #[test]
    fn execute_each_names_the_failing_statement() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let mut conn = Conn::connect("sqlite::memory:", Duration::from_secs(5)).await.unwrap();
            assert!(conn.execute_each(&[]).await.is_ok());
            let statements = [
                "CREATE TABLE t (id INTEGER) -- the table",
                "SELECT 1",
                "INSERT INTO t VALUES (1)",
                "INSERT INTO nope VALUES (1)",
                "INSERT INTO t VALUES (2)",
            ];
            let (index, error) = conn.execute_each(&statements).await.unwrap_err();
            assert_eq!(index, 3, "{error}");
            assert!(error.to_string().contains("nope"), "{error}");
            let rows: Vec<i64> = conn.fetch("SELECT id FROM t", |r| r.int()).await.unwrap();
            assert_eq!(rows, [1], "the statements before the failing one ran, none after");
            assert!(conn.execute_each(&["INSERT INTO t VALUES (3)", "INSERT INTO t VALUES (4)"]).await.is_ok());
        });
    }
}
