//! `cargo migrate downgrade TARGET [--sql] [--use-recorded-down]`.

use super::Context;
use super::upgrade::move_database;
use crate::cli::DowngradeArgs;
use anyhow::Result;
use migrate_embed::plan::Direction;

/// Undoes revisions down to TARGET, printing `Running downgrade …` per revision; or, with
/// --sql and a range, prints the script.
///
/// # Errors
/// Usage errors for bad targets, a target above the current state, or an irreversible
/// revision in the way (all before anything runs); database errors otherwise.
pub fn run(ctx: &Context, args: &DowngradeArgs) -> Result<()> {
    move_database(ctx, Direction::Down, &args.target, args.sql, &args.database, args.use_recorded_down)
}
