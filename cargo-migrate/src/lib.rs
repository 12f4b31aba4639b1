//! `cargo migrate`: Alembic's revision graph for Rust, as a Cargo subcommand.
//!
//! The binary is a thin shell over this library: [`cli`] parses the command line,
//! [`commands::run`] does the work, [`error::exit_code`] chooses the exit status and
//! [`output::print_error`] reports failures on stderr.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`cli`] | the clap definitions of every command and option |
//! | [`project`] | finding the package (like Cargo) and its `[package.metadata.migrate]` |
//! | [`output`] | text vs JSON, colour, and the documented JSON shapes |
//! | [`render`] | the Alembic-style text of `history`, `heads`, `branches` and `show` |
//! | [`draw`] | the revision graph drawn as text, DOT and Mermaid |
//! | [`authoring`] | new revision files: ids, slugs, dates, file names, safe writes |
//! | [`cache`] | parsed revisions kept between runs, checked against each file's metadata |
//! | [`commands`] | one module per command |
//!
//! Parsing and the graph live in `migrate-embed`; nothing here re-implements them.
#![warn(missing_docs)]

pub mod authoring;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod draw;
pub mod error;
pub mod output;
pub mod project;
pub mod render;
