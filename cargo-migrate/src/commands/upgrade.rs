//! `cargo migrate upgrade TARGET [--sql]`, and the body `downgrade` shares.

use super::Context;
use super::db::{load_checked, offline_kind, printer, require_url, run_failure, runtime, settings};
use crate::cli::UpgradeArgs;
use anyhow::Result;
use migrate_embed::graph::Target;
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
    move_database(ctx, Direction::Up, &args.target, args.sql, args.database.lock_timeout, false)
}

/// Moves the database up or down to `target` (or, with `sql`, prints the script for it
/// without connecting), printing each revision as it runs.
///
/// # Errors
/// Usage errors for bad targets or plans (nothing ran); database errors otherwise.
pub fn move_database(
    ctx: &Context,
    direction: Direction,
    target: &str,
    sql: bool,
    lock_timeout: u64,
    use_recorded_down: bool,
) -> Result<()> {
    let loaded = load_checked(ctx)?;
    let graph = &*loaded.graph;
    let config = &loaded.project.config;
    if sql {
        let kind = offline_kind(ctx, &loaded)?;
        let script = offline_script(graph, kind, &config.version_table, config.transactional, direction, target)?;
        return Ok(ctx.output.print(&script)?);
    }
    let target: Target = target.parse()?;
    let url = require_url(ctx, &loaded)?;
    let mut settings = settings(&loaded, lock_timeout);
    settings.use_recorded_down = use_recorded_down;
    let migrator = Migrator::new(graph, settings);
    let mut on = printer(&ctx.output);
    runtime()?.block_on(async {
        let mut conn = migrator.connect(&url).await.map_err(run_failure)?;
        match direction {
            Direction::Up => migrator.upgrade(&mut conn, &url, &target, &mut on).await,
            Direction::Down => migrator.downgrade(&mut conn, &url, &target, &mut on).await,
        }
        .map_err(run_failure)
    })?;
    Ok(())
}
