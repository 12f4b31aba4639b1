//! `cargo migrate downgrade TARGET [--sql] [--use-recorded-down]`.

use super::Context;
use super::db::{load_checked, offline_kind, printer, require_url, run_failure, runtime, settings};
use crate::cli::DowngradeArgs;
use anyhow::Result;
use migrate_embed::graph::Target;
use migrate_embed::offline::offline_script;
use migrate_embed::plan::Direction;
use migrate_embed::runner::Migrator;

/// Undoes revisions down to TARGET, printing `Running downgrade …` per revision; or, with
/// --sql and a range, prints the script.
///
/// # Errors
/// Usage errors for bad targets, a target above the current state, or an irreversible
/// revision in the way (all before anything runs); database errors otherwise.
pub fn run(ctx: &Context, args: &DowngradeArgs) -> Result<()> {
    let loaded = load_checked(ctx)?;
    let graph = &*loaded.graph;
    let config = &loaded.project.config;
    if args.sql {
        let kind = offline_kind(ctx, &loaded)?;
        let script =
            offline_script(graph, kind, &config.version_table, config.transactional, Direction::Down, &args.target)?;
        return Ok(ctx.output.print(&script)?);
    }
    let target: Target = args.target.parse()?;
    let url = require_url(ctx, &loaded)?;
    let mut settings = settings(&loaded, args.database.lock_timeout);
    settings.use_recorded_down = args.use_recorded_down;
    let migrator = Migrator::new(graph, settings);
    let mut on = printer(&ctx.output);
    runtime()?.block_on(async {
        let mut conn = migrator.connect(&url).await.map_err(run_failure)?;
        migrator.downgrade(&mut conn, &url, &target, &mut on).await.map_err(run_failure)
    })?;
    Ok(())
}
