//! The `build.rs` helper of cargo-migrate: checks the package's migration chain when the
//! package is compiled, fails `cargo build` listing every problem, and prepares the embed.
//!
//! ```no_run
//! // build.rs
//! use build_support::ResultExt;
//!
//! fn main() {
//!     build_support::embed_migrations().unwrap_or_exit();
//! }
//! ```
//! and in the application:
//! ```ignore
//! static MIGRATIONS: migrate_embed::EmbeddedMigrations = migrate_embed::embedded_migrations!();
//! ```
//!
//! This crate uses `migrate-embed` without its database features, so a user's build script
//! compiles neither sqlx nor tokio.
//!
//! # Lint
//!
//! The build script also lints the revisions (`cargo migrate lint`): each finding becomes a
//! `cargo::warning=path:line: message [code]` line, and a rule set to `deny` in
//! `[package.metadata.migrate.lint]` fails the build with `cargo::error=` lines. It runs only
//! when the build script does, that is when a revision or the manifest changed: a warm
//! build of an unchanged chain does no work. The rules for every database always run; the
//! features choose the parsers:
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `lint-sql` | off | MySQL/MariaDB and SQLite hazards read with `sqlparser` (without it, by keywords) |
//! | `lint-postgres` | off | PostgreSQL lock rules through squawk (needs Rust 1.94; `cargo migrate lint` always has them) |
#![deny(missing_docs)]

use migrate_embed::config::{Config, ConfigError};
use migrate_embed::diagnostic::ChainError;
use migrate_embed::embedded::generate_embed_code;
use migrate_embed::graph::check_chain;
use migrate_embed::lint::{Level, LintSettings, Report, Selection, lint};
use migrate_embed::source::{SourceError, load_dir};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a successful check found.
#[derive(Debug)]
pub struct Checked {
    /// The migrations folder.
    pub dir: PathBuf,
    /// Number of revisions.
    pub revisions: usize,
    /// Every file and folder the result depends on (for `rerun-if-changed`).
    pub watched: Vec<PathBuf>,
    /// What the linter found (levels applied).
    pub lint: Report,
}

/// Why the build must fail.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A `build.rs` environment variable Cargo always sets is missing.
    #[error("{name} is not set: embed_migrations() must run from a build script")]
    NotInBuildScript {
        /// The variable.
        name: &'static str,
    },
    /// `[package.metadata.migrate]` is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The folder cannot be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The chain breaks the rules.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The linter found `deny` findings or an unknown code in a `Lint-Allow` header.
    #[error("{}", .lines.join("\n"))]
    Lint {
        /// One line per finding or error, `path:line: message [code]`.
        lines: Vec<String>,
    },
    /// Writing the generated code failed.
    #[error("cannot write {}: {error}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error (shown in the message, so not also returned as `source()`).
        error: std::io::Error,
    },
}

impl BuildError {
    /// One line per problem, for `cargo::error=`.
    pub fn lines(&self) -> Vec<String> {
        match self {
            BuildError::Chain(chain) => chain
                .problems
                .iter()
                .map(|p| {
                    let mut line = p.to_string().replace("\n  also: ", "; also: ").replace("\n  hint: ", "; hint: ");
                    line.retain(|c| c != '\n');
                    // Cargo prints these lines to the terminal as they are.
                    migrate_embed::diagnostic::printable_line(&line).into_owned()
                })
                .collect(),
            BuildError::Lint { lines } => lines.clone(),
            other => {
                vec![migrate_embed::diagnostic::printable_line(&other.to_string().replace('\n', "; ")).into_owned()]
            }
        }
    }
}

/// Checks the chain of the package at `manifest_dir` (its config, its folder) without
/// writing anything. `cargo migrate check` and the build script agree because both call
/// the same `migrate_embed` functions.
///
/// # Errors
/// [`BuildError`] listing every problem.
pub fn check_package(manifest_dir: &Path) -> Result<(Checked, String), BuildError> {
    let manifest = manifest_dir.join("Cargo.toml");
    let config = Config::from_manifest(&manifest)?;
    let dir = manifest_dir.join(&config.dir);
    let mut watched = vec![manifest, dir.clone()];
    let loaded = load_dir(&dir, manifest_dir)?;
    watched.extend(loaded.files.iter().filter_map(|f| f.parent().map(Path::to_path_buf)));
    watched.sort();
    watched.dedup();
    let graph = check_chain(loaded.revisions, loaded.problems, config.multiple_heads)?;
    let code = generate_embed_code(&graph, &config);
    let lint = lint(&graph, &LintSettings::from_config(&config), &Selection::default(), Path::new("Cargo.toml"));
    Ok((Checked { dir, revisions: graph.len(), watched, lint }, code))
}

/// The build script entry point: reads `CARGO_MANIFEST_DIR`, checks the chain, tells Cargo
/// to rerun when the folder or the manifest changes (new, edited and removed files
/// included), and writes `$OUT_DIR/migrate_embed.rs` when its bytes change.
///
/// The rerun lines are printed even when the check fails, so fixing a file re-runs it.
///
/// # Errors
/// [`BuildError`]; [`ResultExt::unwrap_or_exit`] reports it in Cargo's style.
pub fn embed_migrations() -> Result<Checked, BuildError> {
    let manifest_dir = env_path("CARGO_MANIFEST_DIR")?;
    let out_dir = env_path("OUT_DIR")?;
    let manifest = manifest_dir.join("Cargo.toml");
    println!("cargo::rerun-if-changed={}", manifest.display());
    // Watch the folder even if it is broken or missing, so fixing it triggers a rerun.
    if let Ok(config) = Config::from_manifest(&manifest) {
        println!("cargo::rerun-if-changed={}", manifest_dir.join(&config.dir).display());
    }
    let (checked, code) = check_package(&manifest_dir)?;
    for path in &checked.watched {
        println!("cargo::rerun-if-changed={}", path.display());
    }
    for finding in checked.lint.findings.iter().filter(|f| f.level == Level::Warn) {
        println!("cargo::warning={}", one_line(&finding.to_string()));
    }
    if checked.lint.fails() {
        let mut lines: Vec<String> = checked.lint.errors.iter().map(|e| one_line(&e.to_string())).collect();
        lines.extend(checked.lint.findings.iter().filter(|f| f.level == Level::Deny).map(|f| one_line(&f.to_string())));
        return Err(BuildError::Lint { lines });
    }
    write_if_changed(&out_dir.join("migrate_embed.rs"), code.as_bytes())?;
    Ok(checked)
}

/// Cargo reads one directive per line, and prints it to the terminal as it is.
fn one_line(text: &str) -> String {
    migrate_embed::diagnostic::printable_line(&text.replace(['\n', '\r'], " ")).into_owned()
}

fn env_path(name: &'static str) -> Result<PathBuf, BuildError> {
    std::env::var_os(name).map(PathBuf::from).ok_or(BuildError::NotInBuildScript { name })
}

/// Writes `bytes` unless the file already holds them, so an unchanged chain does not
/// touch the file's mtime and nothing downstream rebuilds.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let write = || -> std::io::Result<()> {
        let tmp = path.with_extension("rs.tmp");
        std::fs::File::create(&tmp)?.write_all(bytes)?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|error| BuildError::Write { path: path.to_owned(), error })
}

/// Reporting a build-script result the way Cargo reports its own errors.
pub trait ResultExt {
    /// On error, prints each problem as a `cargo::error=` line (Cargo shows them as
    /// `error: …` and fails the build) and exits.
    fn unwrap_or_exit(self);
}

impl<T> ResultExt for Result<T, BuildError> {
    fn unwrap_or_exit(self) {
        if let Err(error) = self {
            for line in error.lines() {
                println!("cargo::error={line}");
            }
            // `cargo::error` already fails the build; exiting 0 keeps Cargo from adding
            // a second, noisier "failed to run custom build command" report.
            std::process::exit(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"p\"\nversion = \"0.1.0\"\n").unwrap();
        std::fs::create_dir(dir.path().join("migrations")).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join("migrations").join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn good_chain_generates_code() {
        let dir = package(&[
            (
                "a.sql",
                "-- first\n-- Revision ID: a1\n-- Revises: <base>\n-- migrate:up\nCREATE TABLE t (x INT);\n-- migrate:down\nDROP TABLE t;\n",
            ),
            ("b.sql", "-- second\n-- Revision ID: b2\n-- Revises: a1\n-- migrate:up\nSELECT \"quoted\\n\";\n"),
        ]);
        let (checked, code) = check_package(dir.path()).unwrap();
        assert_eq!(checked.revisions, 2);
        assert!(code.contains("__from_build_support(\"a1\""));
        assert!(code.contains("\"SELECT \\\"quoted\\\\n\\\";\""), "{code}");
        assert!(checked.watched.contains(&dir.path().join("migrations")));
        // b2 has no down section.
        assert_eq!(checked.lint.findings.len(), 1, "{:#?}", checked.lint);
        assert_eq!(checked.lint.findings[0].to_string().split(": ").next(), Some("migrations/b.sql:2"));
    }

    #[test]
    fn every_problem_becomes_one_line() {
        let dir = package(&[
            ("a.sql", "-- first\n-- Revision ID: a1\n-- Revises: <base>\n-- migrate:up\n"),
            ("b.sql", "-- b\n-- Revision ID: b2\n-- Revises: zz\n-- migrate:up\n"),
            ("c.sql", ""),
        ]);
        let error = check_package(dir.path()).unwrap_err();
        let lines = error.lines();
        // b2's parent is missing, so it is an orphan rather than a second head: two problems.
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(lines.iter().any(|l| l.starts_with("migrations/b.sql:3: revision b2 revises zz")), "{lines:#?}");
        assert!(lines.iter().any(|l| l.starts_with("migrations/c.sql:1: the file is empty")), "{lines:#?}");
        assert!(lines.iter().all(|l| !l.contains('\n')));
    }
}
