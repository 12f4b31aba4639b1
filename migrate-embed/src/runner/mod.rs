//! The runner: moves a real database through the graph. One connection, the run lock
//! around the whole run, and one commit per revision holding both its SQL and its
//! version-table row where the database can roll a revision back as a whole.
//!
//! | file | what it holds |
//! | --- | --- |
//! | [`mod.rs`](self) | [`Migrator`], its [`Settings`], and the public calls |
//! | `run.rs` | one locked run: read the state, refuse what must be refused, plan, apply |
//! | `apply.rs` | applying one [`Step`](crate::plan::Step): in one transaction, or marked in progress statement by statement |
//! | `stamp.rs` | `stamp` and `repair`: changing what the version table records without running SQL |
//! | `error.rs`, `event.rs` | what a run reports |

mod apply;
mod error;
mod event;
mod run;
mod stamp;

pub use crate::status::DbState;
pub use error::{FailedMark, RunError, StatementFailure};
pub use event::{Event, OnEvent};

use crate::config::{LockMode, TableName};
use crate::db::lock::RunLock;
use crate::db::{Conn, VersionStore};
use crate::graph::{RevisionGraph, Target};
use crate::plan::Direction;
use crate::version_table::VersionTable;
use std::future::Future;
use std::time::Duration;

/// How a run behaves; from the package config (or the embedded copy of it) plus flags.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The version table.
    pub version_table: TableName,
    /// Default for revisions without a `Transactional` key.
    pub transactional_default: bool,
    /// How long to wait for another runner's lock (and, on SQLite, for the write lock).
    pub lock_timeout: Duration,
    /// Roll back revisions the graph does not know, from their recorded down SQL.
    pub use_recorded_down: bool,
    /// Refuse (rather than warn) when an applied revision's file changed since.
    pub refuse_drift: bool,
    /// The run lock; `None` is the database's default.
    pub lock: Option<LockMode>,
}

impl Settings {
    /// Settings with the documented defaults: a 60 s lock timeout, the database's own lock.
    pub fn new(version_table: TableName, transactional_default: bool) -> Self {
        Self {
            version_table,
            transactional_default,
            lock_timeout: Duration::from_secs(60),
            use_recorded_down: false,
            refuse_drift: false,
            lock: None,
        }
    }
}

/// A revision that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// Up or down.
    pub direction: Direction,
    /// The revision id.
    pub revision: String,
    /// How long its SQL took.
    pub duration: Duration,
}

/// Runs migrations of one graph against databases.
#[derive(Debug)]
pub struct Migrator<'g> {
    graph: &'g RevisionGraph,
    settings: Settings,
}

/// What a locked run is for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Goal<'t> {
    Upgrade(&'t Target),
    Downgrade(&'t Target),
    Either(&'t Target),
}

impl<'g> Migrator<'g> {
    /// A runner for `graph` with `settings`.
    pub fn new(graph: &'g RevisionGraph, settings: Settings) -> Self {
        Self { graph, settings }
    }

    /// The graph.
    pub fn graph(&self) -> &'g RevisionGraph {
        self.graph
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Connects to `url` with this runner's lock timeout as SQLite's busy timeout.
    ///
    /// # Errors
    /// [`RunError::Db`], with the password masked.
    pub async fn connect(&self, url: &str) -> Result<Conn, RunError> {
        Ok(Conn::connect(url, self.settings.lock_timeout).await?)
    }

    /// The version table on `conn`'s database.
    fn table(&self, conn: &Conn) -> VersionTable {
        VersionTable::new(&self.settings.version_table, conn.dialect())
    }

    /// Reads the recorded state without locking or writing anything.
    ///
    /// # Errors
    /// [`RunError::Db`].
    pub async fn state(&self, conn: &mut Conn) -> Result<DbState, RunError> {
        let table = self.table(conn);
        let rows = VersionStore::new(&table).read(conn).await?;
        Ok(DbState::new(self.graph, rows))
    }

    /// Upgrades to `target`, reporting through `on`.
    ///
    /// # Errors
    /// Any [`RunError`]; the database is left at the last revision that fully applied.
    pub async fn upgrade(&self, conn: &mut Conn, target: &Target, on: OnEvent<'_>) -> Result<Vec<Ran>, RunError> {
        if self.nothing_to_do(conn, Goal::Upgrade(target), on).await? {
            return Ok(Vec::new());
        }
        let (lock, keeper) = self.lock(conn, on).await?;
        let result = keep_lease(&lock, keeper, self.run_locked(conn, &lock, on, Goal::Upgrade(target))).await;
        self.unlock_after(conn, lock, on, result).await
    }

    /// Downgrades to `target`, as Alembic (see [`crate::plan::plan_downgrade`]).
    ///
    /// # Errors
    /// Any [`RunError`]; an irreversible revision in the way stops it before anything runs.
    pub async fn downgrade(&self, conn: &mut Conn, target: &Target, on: OnEvent<'_>) -> Result<Vec<Ran>, RunError> {
        if self.nothing_to_do(conn, Goal::Downgrade(target), on).await? {
            return Ok(Vec::new());
        }
        let (lock, keeper) = self.lock(conn, on).await?;
        let result = keep_lease(&lock, keeper, self.run_locked(conn, &lock, on, Goal::Downgrade(target))).await;
        self.unlock_after(conn, lock, on, result).await
    }

    /// Moves to `target` whichever way it lies: up when the target needs revisions that are
    /// not applied, down otherwise (`--migrate-to`). Decided under the lock, from the one
    /// read of the version table the run makes anyway. (Like `upgrade` and `downgrade`, a
    /// database with nothing to do is told so from one read, without taking the lock.)
    ///
    /// # Errors
    /// Any [`RunError`].
    pub async fn migrate_to(&self, conn: &mut Conn, target: &Target, on: OnEvent<'_>) -> Result<Vec<Ran>, RunError> {
        if self.nothing_to_do(conn, Goal::Either(target), on).await? {
            return Ok(Vec::new());
        }
        let (lock, keeper) = self.lock(conn, on).await?;
        let result = keep_lease(&lock, keeper, self.run_locked(conn, &lock, on, Goal::Either(target))).await;
        self.unlock_after(conn, lock, on, result).await
    }

    /// Sets the recorded state to exactly `target` (and what it needs) without running SQL;
    /// `purge` first deletes every row, unknown and failed ones included. Returns what changed.
    ///
    /// # Errors
    /// Any [`RunError`]; unknown revisions without `purge` are refused.
    pub async fn stamp(
        &self,
        conn: &mut Conn,
        target: &Target,
        purge: bool,
        on: OnEvent<'_>,
    ) -> Result<Vec<String>, RunError> {
        let (lock, keeper) = self.lock(conn, on).await?;
        let result = keep_lease(&lock, keeper, self.stamp_locked(conn, &lock, on, target, purge)).await;
        self.unlock_after(conn, lock, on, result).await
    }

    /// After a deliberate edit of applied revisions: records their current checksums and
    /// down SQL and clears failed marks, for `revisions` (every applied one when empty).
    /// Returns one line per change.
    ///
    /// # Errors
    /// Any [`RunError`]; a named revision that is not applied is an error.
    pub async fn repair(
        &self,
        conn: &mut Conn,
        revisions: &[String],
        on: OnEvent<'_>,
    ) -> Result<Vec<String>, RunError> {
        let (lock, keeper) = self.lock(conn, on).await?;
        let result = keep_lease(&lock, keeper, self.repair_locked(conn, &lock, on, revisions)).await;
        self.unlock_after(conn, lock, on, result).await
    }

    /// Takes the run lock, and for a `table` lock opens the connection that renews its
    /// lease while the run works.
    async fn lock(&self, conn: &mut Conn, on: OnEvent<'_>) -> Result<(RunLock, Option<Conn>), RunError> {
        let mut waiting = |holder| on(Event::WaitingForLock { holder });
        let lock = RunLock::acquire(conn, self.settings.lock, &self.settings.version_table, &mut waiting).await?;
        let keeper = match lock.lease() {
            Some(_) => match conn.reconnect().await {
                Ok(keeper) => Some(keeper),
                Err(error) => {
                    let _ = lock.release(conn).await;
                    return Err(error.into());
                }
            },
            None => None,
        };
        Ok((lock, keeper))
    }

    /// Releases the lock whatever happened; the run's own error wins over a release error.
    async fn unlock_after<T>(
        &self,
        conn: &mut Conn,
        lock: RunLock,
        on: OnEvent<'_>,
        result: Result<T, RunError>,
    ) -> Result<T, RunError> {
        let released = lock.release(conn).await;
        let value = result?;
        if !released? {
            on(Event::Warning(
                "the migration lock was not held by this connection's server session when it was released: \
                 connections are pooled per transaction in between (PgBouncer in transaction mode?), so the lock \
                 excluded no other runner. Set `lock = \"table\"` in [package.metadata.migrate] (or pass --lock table)"
                    .to_owned(),
            ));
        }
        Ok(value)
    }
}

/// Polls `work`, and beside it, for a `table` lock, the renewal of its lease.
async fn keep_lease<T>(
    lock: &RunLock,
    keeper: Option<Conn>,
    work: impl Future<Output = Result<T, RunError>>,
) -> Result<T, RunError> {
    match (lock.lease(), keeper) {
        (Some(lease), Some(keeper)) => {
            tokio::select! {
                result = work => result,
                never = lease.keep_alive(keeper) => match never {},
            }
        }
        _ => work.await,
    }
}

/// Regression: `RawSql::execute`'s generic future once made every runner future
/// non-`Send` ("implementation of `Executor` is not general enough"), so applications
/// could not migrate from a spawned task. This only has to compile.
#[cfg(test)]
#[allow(dead_code)]
mod runner_futures_are_send {
    use super::*;

    fn is_send<T: Send>(_: T) {}

    fn public_futures(m: &Migrator<'_>, conn: &mut Conn, t: &Target, on: OnEvent<'_>) {
        is_send(m.upgrade(conn, t, on));
    }

    fn downgrade_stamp_repair(m: &Migrator<'_>, conn: &mut Conn, t: &Target, on: OnEvent<'_>) {
        is_send(m.downgrade(conn, t, on));
    }

    fn stamp(m: &Migrator<'_>, conn: &mut Conn, t: &Target, on: OnEvent<'_>) {
        is_send(m.stamp(conn, t, false, on));
    }

    fn repair(m: &Migrator<'_>, conn: &mut Conn, on: OnEvent<'_>) {
        is_send(m.repair(conn, &[], on));
    }

    fn migrate_to_and_state(m: &Migrator<'_>, conn: &mut Conn, t: &Target, on: OnEvent<'_>) {
        is_send(m.migrate_to(conn, t, on));
    }

    fn state(m: &Migrator<'_>, conn: &mut Conn) {
        is_send(m.state(conn));
    }
}
