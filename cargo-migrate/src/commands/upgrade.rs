//! `cargo migrate upgrade TARGET [--sql]`, and the body `downgrade` shares.

use super::Context;
use super::db::{load_checked, offline_dialect, printer, require_url, run_failure, runtime, settings};
use crate::cli::{DatabaseArgs, UpgradeArgs};
use crate::error::Failure;
use anyhow::Result;
use migrate_embed::graph::Destination;
use migrate_embed::offline::offline_script;
use migrate_embed::plan::Direction;
use migrate_embed::runner::Migrator;

/// Applies what TARGET needs, printing `Running upgrade …` per revision; or, with --sql,
/// prints the script.
///
/// # Errors
/// Usage errors for bad targets (nothing ran); database errors naming the revision and
/// statement, and the state the database was left in.
pub fn run(ctx: &Context, args: &UpgradeArgs) -> Result<()> {
    move_database(ctx, Direction::Up, &args.target, args.sql, &args.database, false)
}

/// Moves the database up or down to `destination` (or, with `sql`, prints the script for
/// it without connecting), printing each revision as it runs.
///
/// # Errors
/// Usage errors for bad targets or plans (nothing ran); database errors otherwise.
pub fn move_database(
    ctx: &Context,
    direction: Direction,
    destination: &Destination,
    sql: bool,
    database: &DatabaseArgs,
    use_recorded_down: bool,
) -> Result<()> {
    let loaded = load_checked(ctx)?;
    let graph = &*loaded.graph;
    let config = &loaded.project.config;
    if sql {
        let dialect = offline_dialect(ctx, &loaded)?;
        let script =
            offline_script(graph, dialect, &config.version_table, config.transactional, direction, destination)?;
        return Ok(ctx.output.print_raw(&script)?);
    }
    let target = match destination {
        Destination::Target(target) => target,
        Destination::Range(range) => {
            return Err(Failure::usage(format!("`{range}` is a range; a range is only for --sql"))
                .hint(format!(
                    "name one target, or print the script with `cargo migrate {} {range} --sql`",
                    direction.verb()
                ))
                .into());
        }
    };
    let url = require_url(ctx, &loaded)?;
    let mut settings = settings(&loaded, database);
    settings.use_recorded_down = use_recorded_down;
    let migrator = Migrator::new(graph, settings);
    let mut on = printer(&ctx.output);
    runtime()?.block_on(async {
        let mut conn = migrator.connect(&url).await.map_err(run_failure)?;
        match direction {
            Direction::Up => migrator.upgrade(&mut conn, target, &mut on).await,
            Direction::Down => migrator.downgrade(&mut conn, target, &mut on).await,
        }
        .map_err(run_failure)
    })?;
    Ok(())
}
