//! Alembic's revision graph for Rust: revision files, the graph, and (with the database
//! features) the runner that moves SQLite, PostgreSQL and MySQL databases through it.
//!
//! `build-support` uses this crate with `default-features = false`: parsing and the graph
//! only, no sqlx, no tokio.
#![deny(missing_docs)]

#[cfg(feature = "runner")]
pub mod app;
#[cfg(all(feature = "clap", feature = "runner"))]
pub mod cli;
pub mod config;
pub mod database;
pub mod diagnostic;
#[cfg(feature = "runner")]
pub mod dialect;
pub mod embedded;
pub mod graph;
pub mod offline;
pub mod plan;
pub mod revision;
#[cfg(feature = "runner")]
pub mod runner;
pub mod source;
pub mod split;
pub mod version_table;

pub use config::Config;
pub use diagnostic::{ChainError, Problem, ProblemCode};
pub use embedded::{EmbeddedMigrations, EmbeddedRevision};
pub use graph::{RevisionGraph, Target};
pub use revision::Revision;
