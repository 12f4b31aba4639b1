//! `cargo migrate`: parse, run, map the error to an exit code (see `cargo_migrate::error`).

use cargo_migrate::{cli::Cli, commands, error, output};
use std::process::ExitCode;

/// mimalloc rather than the system allocator: the graph commands allocate a few strings per
/// revision on several threads, where glibc's per-thread arenas grow a page at a time
/// (`cargo bench -p cargo-migrate --bench commands` measures the difference).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse_from_env();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = error::exit_code(&err);
            if code != error::OK {
                output::print_error(&err);
            }
            ExitCode::from(code)
        }
    }
}
