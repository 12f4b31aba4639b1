//! The `--migrate` flags an application flattens into its own clap arguments:
//!
//! ```
//! use clap::Parser;
//!
//! #[derive(Parser)]
//! struct Cli {
//!     #[command(flatten)]
//!     migrate: migrate_embed::cli::MigrateArgs,
//! }
//!
//! let cli = Cli::parse_from(["app", "--migrate"]);
//! assert!(cli.migrate.requested());
//! ```

use crate::app::{self, MigrateError};
use crate::config::LockMode;
use crate::db::DbError;
use crate::diagnostic::printable;
use crate::dialect::DatabaseKind;
use crate::embedded::EmbeddedMigrations;
use crate::exit::ExitStatus;
use crate::graph::Destination;
use crate::offline::offline_script;
use crate::plan::Direction;
use crate::runner::{Event, RunError};
use crate::url::mask_password;
use std::process::ExitCode;
use std::time::Duration;

/// Flags that make an application migrate its database and exit.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Migrations")]
pub struct MigrateArgs {
    /// Upgrade the database to head, print what ran, and exit.
    #[arg(long)]
    pub migrate: bool,
    /// Move the database to REV (up or down, as `cargo migrate upgrade/downgrade`), and exit.
    #[arg(long, value_name = "REV")]
    pub migrate_to: Option<String>,
    /// Print the SQL that takes an empty database to head (version-table statements included) without connecting, and exit.
    #[arg(long)]
    pub migrate_sql: bool,
    /// Print which revisions are applied and pending, and exit.
    #[arg(long)]
    pub migrate_status: bool,
    /// Roll back revisions this binary does not carry (a newer release's) from the down SQL the database recorded.
    #[arg(long)]
    pub use_recorded_down: bool,
    /// Run even when applied revisions differ from the ones embedded (checksum drift).
    #[arg(long)]
    pub allow_checksum_drift: bool,
    /// Seconds to wait for another runner's migration lock (at most 86400).
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(0..=crate::db::lock::MAX_LOCK_TIMEOUT_SECS))]
    pub migrate_lock_timeout: u64,
    /// How runners exclude each other: `advisory`, `table` (behind a transaction-pooling
    /// PgBouncer) or `file` (SQLite) [default: the package's `lock`, else the database's]
    #[arg(long, value_name = "LOCK")]
    pub migrate_lock: Option<LockMode>,
}

impl MigrateArgs {
    /// Whether any flag that makes the application migrate and exit was given.
    pub fn requested(&self) -> bool {
        self.migrate || self.migrate_to.is_some() || self.migrate_sql || self.migrate_status
    }

    /// Does what the flags ask, printing progress to stdout and errors to stderr, and
    /// returns the exit code. `database_url` is the application's own (flag or
    /// environment); the embedded config's `database_url` is the fallback.
    pub async fn run(&self, migrations: &EmbeddedMigrations, database_url: Option<&str>) -> ExitCode {
        match self.execute(migrations, database_url).await {
            Ok(()) => ExitStatus::Ok.into(),
            Err(error) => {
                eprintln!("error: {}", printable(&error.to_string()));
                error.exit_status().into()
            }
        }
    }

    async fn execute(&self, migrations: &EmbeddedMigrations, database_url: Option<&str>) -> Result<(), MigrateError> {
        let url = database_url.or(migrations.default_database_url());
        if self.migrate_sql {
            let graph = migrations.graph();
            // No URL at all means SQLite (the embedded default); a URL we cannot read is
            // the same usage error as online, not SQLite's SQL.
            let kind = match url {
                None => DatabaseKind::Sqlite,
                Some(url) => DatabaseKind::from_url(url).ok_or_else(|| {
                    RunError::Db(DbError::UnsupportedUrl { url: mask_password(url), extra: String::new() })
                })?,
            };
            let head = Destination::Target("head".parse()?);
            let script = offline_script(
                &graph,
                kind.dialect(),
                migrations.version_table(),
                migrations.transactional_default(),
                Direction::Up,
                &head,
            )?;
            print!("{script}");
            return Ok(());
        }
        let url = url.ok_or(MigrateError::NoDatabaseUrl)?;
        if self.migrate_status {
            println!("{}", printable(&app::current(migrations, url).await?.to_string()));
            return Ok(());
        }
        let target = self.migrate_to.as_deref().unwrap_or("head");
        let mut settings = app::settings(migrations);
        settings.lock_timeout = Duration::from_secs(self.migrate_lock_timeout);
        settings.use_recorded_down = self.use_recorded_down;
        settings.refuse_drift = !self.allow_checksum_drift;
        settings.lock = self.migrate_lock.or(settings.lock);
        let ran = app::migrate_to(migrations, url, target, settings, &mut |event: Event| println!("{event}")).await?;
        if ran.is_empty() {
            println!("Database {} is up to date; nothing to run.", printable(&mask_password(url)));
        } else {
            let total: Duration = ran.iter().map(|r| r.duration).sum();
            println!("Ran {} revision(s) in {:.1?}.", ran.len(), total);
        }
        Ok(())
    }
}
