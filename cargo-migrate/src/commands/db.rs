//! What the database commands share: the checked graph, the URL, a runtime, the runner's
//! settings, progress lines, and turning runner errors into exit codes.

use super::{Context, Loaded};
use crate::error::Failure;
use crate::output::Output;
use anyhow::Result;
use migrate_embed::db::{Conn, VersionStore};
use migrate_embed::diagnostic::ChainError;
use migrate_embed::dialect::{DatabaseKind, Dialect};
use migrate_embed::runner::{Event, RunError, Settings};
use migrate_embed::status::{Checksummed, DbState};
use migrate_embed::url::mask_password;
use migrate_embed::version_table::VersionTable;
use std::time::Duration;

/// The package's graph with every chain rule checked (SPEC §2), heads policy included:
/// the database commands run only what `cargo build` would accept.
///
/// # Errors
/// A `ChainError` with every problem.
pub fn load_checked(ctx: &Context) -> Result<Loaded> {
    let loaded = ctx.load()?;
    let problems = loaded.graph.head_problems(loaded.project.config.multiple_heads);
    if !problems.is_empty() {
        return Err(ChainError { problems }.into());
    }
    Ok(loaded)
}

/// The database URL, or a usage error saying where one can come from.
///
/// # Errors
/// A usage [`Failure`] when no URL is configured anywhere.
pub fn require_url<B>(ctx: &Context, loaded: &Loaded<B>) -> Result<String> {
    ctx.database_url(&loaded.project).ok_or_else(|| {
        Failure::usage("no database URL")
            .hint("pass --database-url, set DATABASE_URL (environment or .env), or set database_url in [package.metadata.migrate]")
            .into()
    })
}

/// The database's dialect for offline `--sql` (from the URL, which is not connected to).
///
/// # Errors
/// A usage [`Failure`] when the URL is missing or its scheme unknown.
pub fn offline_dialect(ctx: &Context, loaded: &Loaded) -> Result<&'static dyn Dialect> {
    let url = ctx.database_url(&loaded.project).ok_or_else(|| {
        Failure::usage("--sql needs to know which database to write SQL for")
            .hint("pass --database-url (it is only read for its scheme; nothing connects), or set DATABASE_URL or database_url")
    })?;
    DatabaseKind::from_url(&url).map(DatabaseKind::dialect).ok_or_else(|| {
        Failure::usage(format!("unsupported database URL {}", mask_password(&url)))
            .hint("use sqlite:, postgres:, postgresql:, mysql: or mariadb:")
            .into()
    })
}

/// Reads the database's recorded state (no lock, no writes), for the read-only commands.
/// With headers alone (`B = ()`) drift is not checked; with whole revisions it is.
///
/// # Errors
/// A database [`Failure`] (unreachable, unreadable version table).
pub fn read_state<B: Checksummed>(loaded: &Loaded<B>, url: &str) -> Result<DbState> {
    let rows = runtime()?.block_on(async {
        let mut conn = Conn::connect(url, Duration::from_secs(60)).await.map_err(|e| run_failure(e.into()))?;
        let table = VersionTable::new(&loaded.project.config.version_table, conn.dialect());
        VersionStore::new(&table).read(&mut conn).await.map_err(|e| run_failure(e.into()))
    })?;
    Ok(DbState::new(&loaded.graph, rows))
}

/// Runner settings from the config and the lock options.
pub fn settings(loaded: &Loaded, database: &crate::cli::DatabaseArgs) -> Settings {
    let config = &loaded.project.config;
    let mut settings = Settings::new(config.version_table.clone(), config.transactional);
    settings.lock_timeout = Duration::from_secs(database.lock_timeout);
    settings.lock = database.lock.or(config.lock);
    settings
}

/// A single-threaded runtime: the runner uses one connection at a time.
///
/// # Errors
/// When the OS refuses the runtime's resources.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

/// Prints runner events: `Running upgrade …` lines on stdout (not with `-q`), warnings
/// and lock waits on stderr.
pub fn printer(output: &Output) -> impl FnMut(Event) + Send + use<> {
    let output = output.clone();
    move |event| match event {
        Event::Warning(text) => output.warn(&text, &[]),
        running @ Event::Running { .. } => {
            let _ = output.status(&running.to_string());
        }
        other => output.warn(&other.to_string(), &[]),
    }
}

/// A runner error with its exit code, by the policy `--migrate` shares
/// ([`RunError::exit_status`]).
pub fn run_failure(error: RunError) -> anyhow::Error {
    Failure { code: error.exit_status().code(), message: error.to_string(), hints: Vec::new() }.into()
}
