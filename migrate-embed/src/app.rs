//! Migrating from an application: the calls behind `--migrate`, for applications that
//! migrate at start-up.
//!
//! ```no_run
//! # async fn start(migrations: &migrate_embed::EmbeddedMigrations) -> Result<(), migrate_embed::app::MigrateError> {
//! let ran = migrate_embed::app::upgrade(migrations, "sqlite://app.db?mode=rwc").await?;
//! println!("{} revision(s) applied", ran.len());
//! # Ok(()) }
//! ```

use crate::embedded::EmbeddedMigrations;
use crate::exit::ExitStatus;
use crate::graph::{Target, TargetError};
use crate::runner::{Event, Migrator, Ran, RunError, Settings};
use crate::status::{DbState, Status};

/// Why an application-side migration failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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

impl MigrateError {
    /// The exit status this error ends a process with (the same policy as `cargo migrate`).
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            MigrateError::Target(_) | MigrateError::Offline(_) | MigrateError::NoDatabaseUrl => ExitStatus::Usage,
            MigrateError::NotUpToDate(_) => ExitStatus::CheckFailed,
            MigrateError::Run(error) => error.exit_status(),
        }
    }
}

/// The runner settings the embedded config implies.
pub fn settings(migrations: &EmbeddedMigrations) -> Settings {
    let mut settings = Settings::new(migrations.version_table().clone(), migrations.transactional_default());
    settings.lock = migrations.lock();
    settings
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
    Ok(migrator.migrate_to(&mut conn, &target, on).await?)
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
    Ok(migrator.downgrade(&mut conn, &target, &mut |_| {}).await?)
}

/// The database's state against the embedded revisions. Reads only.
///
/// # Errors
/// [`MigrateError::Run`] when the database cannot be read.
pub async fn current(migrations: &EmbeddedMigrations, url: &str) -> Result<Status, MigrateError> {
    let graph = migrations.graph();
    let migrator = Migrator::new(&graph, settings(migrations));
    let mut conn = migrator.connect(url).await?;
    let state: DbState = migrator.state(&mut conn).await?;
    Ok(Status::new(&graph, &state, conn.url().masked()))
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
