//! `cargo migrate completions SHELL`: a completion script for the `cargo-migrate` binary.

use super::Context;
use crate::cli::{Cli, CompletionsArgs};
use anyhow::Result;
use clap::CommandFactory;

/// Writes the script to stdout; e.g. `cargo migrate completions bash >
/// ~/.local/share/bash-completion/completions/cargo-migrate`.
///
/// # Errors
/// When stdout cannot be written.
pub fn run(_ctx: &Context, args: &CompletionsArgs) -> Result<()> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "cargo-migrate", &mut script);
    let mut stdout = std::io::stdout().lock();
    std::io::Write::write_all(&mut stdout, &script)?;
    Ok(())
}
