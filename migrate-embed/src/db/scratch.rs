//! Scratch databases for autogenerate: temporary databases of the same kind as the real
//! one, where head is built from the revisions and the desired schema from `schema.sql`,
//! so both sides pass through the same server before they are compared. The real database
//! is never read or changed.
//!
//! SQLite's scratch databases are in memory. On PostgreSQL and MySQL they are created on
//! the `scratch_url` server (default: the database URL's), named `migrate_scratch_<pid>_<hex>`,
//! with durability relaxed where a session can do so, and dropped by [`ScratchServer::cleanup`],
//! which the caller runs on every path, an interrupt included.

use super::{Conn, DbError};
use crate::dialect::DatabaseKind;
use crate::url::DatabaseUrl;
use std::sync::Mutex;
use std::time::Duration;

/// Why a scratch database could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScratchError {
    /// The server refused `CREATE DATABASE` for want of a privilege.
    #[error(
        "cannot create a scratch database on {server}: {message}. Autogenerate builds head and schema.sql in temporary databases; grant {privilege} to this user, or set `scratch_url` in [package.metadata.migrate] to a server where it may create databases"
    )]
    NoPrivilege {
        /// The masked server URL.
        server: String,
        /// The privilege it needs (`CREATEDB`, `CREATE`).
        privilege: &'static str,
        /// What the server said.
        message: String,
    },
    /// Connecting or creating failed otherwise.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A server on which scratch databases are made, and the names of those made so far.
#[derive(Debug)]
pub struct ScratchServer {
    admin: DatabaseUrl,
    created: Mutex<Vec<String>>,
    /// `CREATE DATABASE`s running as tasks of their own, which an interrupt cannot cut
    /// short: [`ScratchServer::cleanup`] waits for them, else it could drop a database
    /// before the server had made it, and leave it behind.
    in_flight: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl ScratchServer {
    /// Scratch databases on the server of `url` (for SQLite, in memory: the URL only says
    /// the kind).
    pub fn new(url: DatabaseUrl) -> Self {
        Self { admin: url, created: Mutex::new(Vec::new()), in_flight: Mutex::new(Vec::new()) }
    }

    /// The database kind.
    pub fn kind(&self) -> Option<DatabaseKind> {
        self.admin.kind()
    }

    /// A new, empty scratch database, connected.
    ///
    /// # Errors
    /// [`ScratchError::NoPrivilege`] when the user may not create databases; a
    /// [`DbError`] when the server cannot be reached.
    pub async fn create(&self) -> Result<Conn, ScratchError> {
        let timeout = Duration::from_secs(60);
        if self.admin.kind() == Some(DatabaseKind::Sqlite) {
            return Ok(Conn::connect("sqlite::memory:", timeout).await?);
        }
        let mut admin = Conn::connect_to(self.admin.clone(), timeout).await?;
        // The process id lets a test (or an operator) tell whose scratch databases are left.
        let name = format!("migrate_scratch_{}_{}", std::process::id(), random_hex());
        // Recorded first: an interrupt between CREATE and the record must not leak it.
        self.created.lock().unwrap_or_else(|e| e.into_inner()).push(name.clone());
        let sql = format!("CREATE DATABASE {name}");
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let created = admin.execute_raw(&sql).await;
            admin.close().await;
            let _ = sender.send(created);
        });
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner()).push(task);
        let created = receiver.await.unwrap_or(Err(sqlx::Error::WorkerCrashed));
        if let Err(cause) = created {
            let message = super::database_message(&cause);
            let code = super::code_and_message(&cause).and_then(|(code, _)| code);
            let privilege = match (self.admin.kind(), code.as_deref()) {
                (Some(DatabaseKind::Postgres), Some("42501")) => Some("CREATEDB"),
                (Some(DatabaseKind::MySql), Some("42000" | "1044" | "1045" | "1227")) => Some("CREATE"),
                _ => None,
            };
            return Err(match privilege {
                Some(privilege) => {
                    ScratchError::NoPrivilege { server: self.admin.masked().to_owned(), privilege, message }
                }
                None => {
                    DbError::Query { context: format!("cannot create a scratch database on {}", self.admin), cause }
                        .into()
                }
            });
        }
        let url = DatabaseUrl::new(crate::url::with_database(self.admin.expose(), &name));
        let mut conn = Conn::connect_to(url, timeout).await?;
        if conn.kind() == DatabaseKind::Postgres {
            // Nothing here needs to survive a crash of the server.
            conn.execute_raw("SET synchronous_commit = off")
                .await
                .map_err(conn.error("cannot set up the scratch database"))?;
        }
        Ok(conn)
    }

    /// A fresh connection to the scratch database `conn` is on (for SQLite, `conn` itself:
    /// an in-memory database lives in its connection), so that session settings a script
    /// made (`search_path`…) do not change what introspection sees.
    ///
    /// # Errors
    /// As [`Conn::connect`].
    pub async fn fresh(&self, conn: Conn) -> Result<Conn, DbError> {
        if conn.kind() == DatabaseKind::Sqlite {
            return Ok(conn);
        }
        let fresh = conn.reconnect().await?;
        conn.close().await;
        Ok(fresh)
    }

    /// Drops every scratch database made so far. Safe to call more than once, and after an
    /// interrupt dropped the connections mid-query.
    ///
    /// # Errors
    /// The first failure, after trying every database; the names that could not be dropped
    /// are kept for another try.
    pub async fn cleanup(&self) -> Result<(), DbError> {
        let in_flight = std::mem::take(&mut *self.in_flight.lock().unwrap_or_else(|e| e.into_inner()));
        for task in in_flight {
            // A CREATE that never ends (a server stuck on a lock) must not hang the exit:
            // past the wait, the DROP below is tried anyway, and a failure names the name.
            let _ = tokio::time::timeout(Duration::from_secs(30), task).await;
        }
        let names = std::mem::take(&mut *self.created.lock().unwrap_or_else(|e| e.into_inner()));
        if names.is_empty() {
            return Ok(());
        }
        let mut admin = Conn::connect_to(self.admin.clone(), Duration::from_secs(60)).await?;
        let force = if admin.kind() == DatabaseKind::Postgres { " WITH (FORCE)" } else { "" };
        let mut first_error = None;
        let mut left = Vec::new();
        for name in names {
            let mut dropped = admin.execute_raw(&format!("DROP DATABASE IF EXISTS {name}{force}")).await;
            // PostgreSQL 12 has no `WITH (FORCE)` (a syntax error there): every connection
            // to a scratch database is closed by now, so the plain form does.
            if !force.is_empty()
                && let Err(e) = &dropped
                && super::code_and_message(e).and_then(|(code, _)| code).as_deref() == Some("42601")
            {
                dropped = admin.execute_raw(&format!("DROP DATABASE IF EXISTS {name}")).await;
            }
            if let Err(cause) = dropped {
                first_error.get_or_insert(DbError::Query {
                    context: format!("cannot drop the scratch database {name} on {}; drop it by hand", self.admin),
                    cause,
                });
                left.push(name);
            }
        }
        admin.close().await;
        self.created.lock().unwrap_or_else(|e| e.into_inner()).extend(left);
        first_error.map_or(Ok(()), Err)
    }
}

/// 12 random hex digits.
fn random_hex() -> String {
    let mut bytes = [0u8; 6];
    // Without OS randomness, the time still makes concurrent runs differ.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        bytes.copy_from_slice(&(nanos as u64 ^ u64::from(std::process::id())).to_le_bytes()[..6]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
