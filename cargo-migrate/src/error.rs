//! Exit codes (the policy `migrate_embed::exit` sets for both the CLI and `--migrate`) and
//! the error type that carries one.
//!
//! Commands return `anyhow::Result`; [`exit_code`] looks through the error chain for a
//! [`Failure`] (which names its code) and otherwise falls back to [`USAGE`]: everything this
//! binary reports without a database is a problem with the input (arguments, config, files).

use migrate_embed::exit::ExitStatus;
use std::fmt;

/// Success.
pub const OK: u8 = ExitStatus::Ok.code();
/// `cargo migrate check` found the files, the database or the schema out of order.
pub const CHECK_FAILED: u8 = ExitStatus::CheckFailed.code();
/// Bad arguments, configuration or revision files (clap's own usage errors exit with 2 too).
pub const USAGE: u8 = ExitStatus::Usage.code();
/// The database could not be reached or refused a statement.
pub const DATABASE: u8 = ExitStatus::Database.code();

/// An error with a chosen exit code and `hint:` lines telling the user what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exit code: [`CHECK_FAILED`], [`USAGE`] or [`DATABASE`].
    pub code: u8,
    /// What went wrong, lowercase, naming the revision, file or option.
    pub message: String,
    /// How to fix it, one line each.
    pub hints: Vec<String>,
}

impl Failure {
    /// A usage, configuration or input error (exit code [`USAGE`]).
    pub fn usage(message: impl Into<String>) -> Self {
        Self { code: USAGE, message: message.into(), hints: Vec::new() }
    }

    /// A database error (exit code [`DATABASE`]).
    pub fn database(message: impl Into<String>) -> Self {
        Self { code: DATABASE, message: message.into(), hints: Vec::new() }
    }

    /// A failed check (exit code [`CHECK_FAILED`]).
    pub fn check_failed(message: impl Into<String>) -> Self {
        Self { code: CHECK_FAILED, message: message.into(), hints: Vec::new() }
    }

    /// Adds a `hint:` line.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Whether the error is a closed pipe on stdout (`cargo migrate history | head`), which is
/// not a failure worth reporting.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The exit code for an error: the code of the first [`Failure`] in its chain, [`OK`] for a
/// closed pipe, else [`USAGE`].
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if is_broken_pipe(error) {
        return OK;
    }
    error.chain().find_map(|cause| cause.downcast_ref::<Failure>().map(|f| f.code)).unwrap_or(USAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_the_chain() {
        let plain = anyhow::anyhow!("bad input");
        assert_eq!(exit_code(&plain), USAGE);
        let db = anyhow::Error::new(Failure::database("connection refused")).context("upgrading");
        assert_eq!(exit_code(&db), DATABASE);
        let pipe = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(exit_code(&pipe), OK);
    }
}
