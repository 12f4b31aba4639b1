//! Migrating from an application: the calls behind `--migrate`, for applications that
//! migrate at start-up.
//!
//! ```no_run
//! # async fn start(migrations: &migrate_embed::EmbeddedMigrations) -> Result<(), migrate_embed::app::MigrateError> {
//! let ran = migrate_embed::app::upgrade(migrations, "sqlite://app.db?mode=rwc").await?;
//! println!("{} revision(s) applied", ran.len());
//! # Ok(()) }
//! ```

use crate::database::mask_password;
use crate::embedded::EmbeddedMigrations;
use crate::graph::{RevisionGraph, Target, TargetError};
use crate::runner::{DbState, Event, Migrator, Ran, RunError, Settings};
use crate::version_table::VersionRow;
use std::fmt;

/// Why an application-side migration failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The target does not parse or resolve.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The run failed; the message says in what state it left the database.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The offline script could not be made.
    #[error(transparent)]
    Offline(#[from] crate::offline::OfflineError),
    /// No URL from flags, environment or config.
    #[error(
        "no database URL: set DATABASE_URL or pass the application's database URL option (the package's [package.metadata.migrate] has no database_url)"
    )]
    NoDatabaseUrl,
    /// `check` found the database not at head, or drifted, failed or ahead.
    #[error("the database is not up to date:\n{0}")]
    NotUpToDate(Status),
}

/// The runner settings the embedded config implies.
pub fn settings(migrations: &EmbeddedMigrations) -> Settings {
    Settings::new(migrations.version_table(), migrations.transactional_default())
}

/// Upgrades to head, printing nothing.
///
/// # Errors
/// [`MigrateError`]; the database is left at the last revision that fully applied.
pub async fn upgrade(migrations: &EmbeddedMigrations, url: &str) -> Result<Vec<Ran>, MigrateError> {
    migrate_to(migrations, url, "head", settings(migrations), &mut |_| {}).await
}

/// Moves the database to `target`: up when the target is above the current state, down
/// when it is below (as `upgrade`/`downgrade` would), reporting through `on`.
///
/// # Errors
/// [`MigrateError`].
pub async fn migrate_to(
    migrations: &EmbeddedMigrations,
    url: &str,
    target: &str,
    settings: Settings,
    on: &mut (dyn FnMut(Event) + Send),
) -> Result<Vec<Ran>, MigrateError> {
    let graph = migrations.graph();
    let target: Target = target.parse()?;
    let migrator = Migrator::new(&graph, settings);
    let mut conn = migrator.connect(url).await?;
    Ok(migrator.migrate_to(&mut conn, url, &target, on).await?)
}

/// Downgrades to `target` (Alembic's meaning).
///
/// # Errors
/// [`MigrateError`].
pub async fn downgrade(migrations: &EmbeddedMigrations, url: &str, target: &str) -> Result<Vec<Ran>, MigrateError> {
    let graph = migrations.graph();
    let target: Target = target.parse()?;
    let migrator = Migrator::new(&graph, settings(migrations));
    let mut conn = migrator.connect(url).await?;
    Ok(migrator.downgrade(&mut conn, url, &target, &mut |_| {}).await?)
}

/// The database's state against the embedded revisions. Reads only.
///
/// # Errors
/// [`MigrateError::Run`] when the database cannot be read.
pub async fn current(migrations: &EmbeddedMigrations, url: &str) -> Result<Status, MigrateError> {
    let graph = migrations.graph();
    let migrator = Migrator::new(&graph, settings(migrations));
    let mut conn = migrator.connect(url).await?;
    let state = migrator.state(&mut conn).await?;
    Ok(Status::new(&graph, &state, url))
}

/// `Ok` only when every embedded revision is applied, none drifted or failed, and the
/// database records nothing the binary lacks.
///
/// # Errors
/// [`MigrateError::NotUpToDate`] with the status, or a database error.
pub async fn check(migrations: &EmbeddedMigrations, url: &str) -> Result<Status, MigrateError> {
    let status = current(migrations, url).await?;
    if status.is_up_to_date() { Ok(status) } else { Err(MigrateError::NotUpToDate(status)) }
}

/// What the database holds compared with the revisions at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The URL, password masked.
    pub url: String,
    /// Applied heads, `id (message)`, each marked `(head)` when it is a head of the graph.
    pub current: Vec<String>,
    /// Revisions not applied yet, in upgrade order.
    pub pending: Vec<String>,
    /// Recorded revisions the graph does not know.
    pub unknown: Vec<String>,
    /// Revisions marked failed, with the reason.
    pub failed: Vec<String>,
    /// Applied revisions whose SQL changed since.
    pub drifted: Vec<String>,
}

impl Status {
    /// Compares a read state with a graph.
    pub fn new(graph: &RevisionGraph, state: &DbState, url: &str) -> Self {
        let current = graph
            .applied_heads(&state.applied)
            .iter()
            .map(|&h| if graph.is_head(h) { format!("{} (head)", graph.describe(h)) } else { graph.describe(h) })
            .collect();
        Status {
            url: mask_password(url),
            current,
            pending: (0..graph.len()).filter(|&i| !state.applied[i]).map(|i| graph.describe(i)).collect(),
            unknown: state.unknown.iter().map(VersionRow::describe).collect(),
            failed: state
                .failed
                .iter()
                .map(|r| format!("{}: {}", r.revision, r.failure.as_deref().unwrap_or("failed")))
                .collect(),
            drifted: state.drifted.iter().map(|&i| graph.describe(i)).collect(),
        }
    }

    /// Whether nothing is pending, unknown, failed or drifted.
    pub fn is_up_to_date(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty() && self.failed.is_empty() && self.drifted.is_empty()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |items: &[String]| if items.is_empty() { "none".to_owned() } else { items.join(", ") };
        writeln!(f, "database: {}", self.url)?;
        if self.current.is_empty() {
            writeln!(f, "current:  <base> (nothing applied)")?;
        } else {
            writeln!(f, "current:  {}", self.current.join(", "))?;
        }
        write!(f, "pending:  {}", list(&self.pending))?;
        if !self.unknown.is_empty() {
            write!(f, "\nunknown:  {} (applied by a newer release)", list(&self.unknown))?;
        }
        if !self.failed.is_empty() {
            write!(f, "\nfailed:   {}", list(&self.failed))?;
        }
        if !self.drifted.is_empty() {
            write!(f, "\ndrifted:  {} (edited since applied)", list(&self.drifted))?;
        }
        Ok(())
    }
}
