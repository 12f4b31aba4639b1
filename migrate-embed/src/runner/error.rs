//! Why a run stopped. Every message says what state the database is in and what to do.

use crate::db::DbError;
use crate::exit::ExitStatus;
use crate::plan::PlanError;
use crate::status::marked_hint;

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Talking to the database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The target or the plan is invalid; nothing ran.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The database records revisions the migrations do not contain.
    #[error("the database records {} revision(s) that these migrations do not contain: {}; it was migrated by a newer version of the application. Nothing was changed. Use a newer release, or take it back with `downgrade --use-recorded-down` (`--migrate-to head --use-recorded-down` in an application)", .revisions.len(), .revisions.join(", "))]
    UnknownRevisions {
        /// `id (message)` of each.
        revisions: Vec<String>,
    },
    /// A revision is marked failed, or was interrupted, in an earlier run.
    #[error(transparent)]
    FailedMark(Box<FailedMark>),
    /// Applied revisions whose files changed, with `refuse_drift`.
    #[error("applied revision(s) changed since they ran (checksum drift): {}; nothing was run. Restore the files, or run `cargo migrate repair` to accept the edits", .revisions.join(", "))]
    Drift {
        /// `id (path)` of each.
        revisions: Vec<String>,
    },
    /// A recorded revision without recorded down SQL cannot be rolled back.
    #[error(
        "cannot roll back {revision} with --use-recorded-down: it was recorded without down SQL (irreversible); nothing was run"
    )]
    NoRecordedDown {
        /// The revision.
        revision: String,
    },
    /// `repair` named a revision the database does not record.
    #[error(
        "revision {revision} is not applied, so there is nothing to repair; `repair` rewrites what the version table records (use `stamp` to record a revision as applied)"
    )]
    NotApplied {
        /// `id (message)`.
        revision: String,
    },
    /// A `Foreign Keys: off` revision on a database that cannot turn them off.
    #[error(
        "revision {revision} says `Foreign Keys: off`, which {database} cannot do (it has no session switch for foreign keys); nothing was run. Remove the key, or drop and re-add the constraints in the revision instead"
    )]
    ForeignKeysUnsupported {
        /// `id (message)`.
        revision: String,
        /// The database.
        database: &'static str,
    },
    /// A `Foreign Keys: off` revision left references pointing nowhere; rolled back.
    #[error(
        "revision {revision} ran with foreign keys off and left {} reference(s) pointing nowhere: {}; it was rolled back, so nothing of it was kept. Fix the revision so that every reference still finds its row",
        .references.len(), .references.join(", ")
    )]
    DanglingReferences {
        /// `id (message)`.
        revision: String,
        /// `table row N → parent` per violation (the first few).
        references: Vec<String>,
    },
    /// A statement failed (boxed: the report is large, and errors travel by value).
    #[error(transparent)]
    Statement(Box<StatementFailure>),
}

impl RunError {
    /// The exit status this error ends a process with: bad targets, plans and URLs (a URL
    /// that does not parse included) are usage errors (nothing ran), everything else is the
    /// database's.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            RunError::Plan(_) | RunError::ForeignKeysUnsupported { .. } => ExitStatus::Usage,
            RunError::Db(DbError::UnsupportedUrl { .. } | DbError::UnsupportedLock { .. }) => ExitStatus::Usage,
            RunError::Db(DbError::Connect { cause: sqlx::Error::Configuration(_), .. }) => ExitStatus::Usage,
            _ => ExitStatus::Database,
        }
    }
}

/// A revision marked failed or interrupted: every run refuses until the operator records
/// where the schema really is.
#[derive(Debug, thiserror::Error)]
#[error(
    "revision {describe} is marked failed in {table}: {failure} ({statements} statement(s) had run{next}). Nothing was changed. To go on, {}", marked_hint(.revision, .parents)
)]
pub struct FailedMark {
    /// The revision id.
    pub revision: String,
    /// `id (message)`.
    pub describe: String,
    /// The version table.
    pub table: String,
    /// How many statements had completed.
    pub statements: i64,
    /// Why it is marked.
    pub failure: String,
    /// For an interrupted revision: which statement may have run partly or fully.
    pub next: String,
    /// What the revision revises, for the recovery.
    pub parents: Vec<String>,
}

/// A failed statement: which, where, what the database said, and the state it left.
#[derive(Debug, thiserror::Error)]
#[error(
    "{verb} of revision {revision} failed at statement {number} ({location}):\n    {statement}\n  database said: {message}\n  {aftermath}"
)]
pub struct StatementFailure {
    /// "upgrade" or "downgrade".
    pub verb: &'static str,
    /// `id (message)`.
    pub revision: String,
    /// 1-based statement number in the section.
    pub number: usize,
    /// `file:line`.
    pub location: String,
    /// The statement (shortened).
    pub statement: String,
    /// The database's message.
    pub message: String,
    /// What state the database is in now, and what to do.
    pub aftermath: String,
}
