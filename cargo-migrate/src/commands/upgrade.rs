//! `cargo migrate upgrade TARGET [--sql]`.

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
    let loaded = load_checked(ctx)?;
    let graph = &*loaded.graph;
    let config = &loaded.project.config;
    if args.sql {
        let kind = offline_kind(ctx, &loaded)?;
        let script =
            offline_script(graph, kind, &config.version_table, config.transactional, Direction::Up, &args.target)?;
        return Ok(ctx.output.print(&script)?);
    }
    let target: Target = args.target.parse()?;
    let url = require_url(ctx, &loaded)?;
    let migrator = Migrator::new(graph, settings(&loaded, args.database.lock_timeout));
    let mut on = printer(&ctx.output);
    runtime()?.block_on(async {
        let mut conn = migrator.connect(&url).await.map_err(run_failure)?;
        migrator.upgrade(&mut conn, &url, &target, &mut on).await.map_err(run_failure)
    })?;
    Ok(())
}
