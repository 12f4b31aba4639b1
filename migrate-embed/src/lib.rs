//! Alembic's revision graph for Rust: revision files, the graph, and (with the database
//! features) the runner that moves SQLite, PostgreSQL and MySQL databases through it.
//!
//! # The pure half (always built; no I/O but reading the migrations folder)
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`revision`] | the revision file format: its reader and its writer |
//! | [`source`] | finding and reading revision files in a folder |
//! | [`diagnostic`] | problems with stable codes (`missing-parent`, `cycle`…), each with a file, a line and a fix |
//! | [`graph`] | the revision graph (Alembic's `RevisionMap`): building, the chain rules, targets |
//! | [`plan`] | from a graph, the applied revisions and a target to the [`plan::Step`]s to run |
//! | [`sql`] | statements cut from a revision, and what kind each is |
//! | [`dialect`] | everything that differs between SQLite, PostgreSQL and MySQL, one file each |
//! | [`version_table`] | the version table's statements, shared by the runner and `--sql` |
//! | [`offline`] | `--sql`: the script a run would execute |
//! | [`status`] | what a database records against the revisions at hand |
//! | [`config`], [`url`], [`exit`] | `[package.metadata.migrate]`, database URLs, exit codes |
//! | [`embedded`] | migrations frozen into a binary by `build-support` |
//! | `schema` | autogenerate's schema model, comparison and DDL (feature `schema`) |
//! | [`lint`] | the migration linter |
//!
//! # The database half (features `sqlite`, `postgres`, `mysql`)
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`db`] | connections, the run lock, the version table's reads and writes |
//! | [`runner`] | moving a database through the graph, `stamp` and `repair` |
//! | [`app`], [`cli`] | the calls and the `--migrate` flags for applications |
//!
//! `build-support` uses this crate with `default-features = false`: the pure half only, no
//! sqlx, no tokio in a user's build script.
#![deny(missing_docs)]

#[cfg(feature = "runner")]
pub mod app;
#[cfg(all(feature = "clap", feature = "runner"))]
pub mod cli;
pub mod config;
#[cfg(feature = "runner")]
pub mod db;
pub mod diagnostic;
pub mod dialect;
pub mod embedded;
pub mod exit;
pub mod graph;
pub mod lint;
pub mod offline;
pub mod plan;
pub mod revision;
#[cfg(feature = "runner")]
pub mod runner;
#[cfg(feature = "schema")]
pub mod schema;
pub mod source;
pub mod sql;
pub mod status;
pub mod url;
pub mod version_table;

pub use config::Config;
pub use diagnostic::{ChainError, Problem, ProblemCode};
pub use embedded::{EmbeddedMigrations, EmbeddedRevision};
pub use graph::{RevisionGraph, Target};
pub use revision::Revision;
