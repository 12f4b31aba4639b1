//! `cargo migrate`: parse, run, map the error to an exit code (see `cargo_migrate::error`).

use cargo_migrate::{cli::Cli, commands, error, output};
use std::process::ExitCode;

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
