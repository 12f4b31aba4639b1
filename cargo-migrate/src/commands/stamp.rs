//! `cargo migrate stamp TARGET [--purge]`.

use super::Context;
use super::db::{load_checked, printer, require_url, run_failure, runtime, settings};
use crate::cli::StampArgs;
use anyhow::Result;
use migrate_embed::runner::Migrator;

/// Records TARGET (and what it needs) as applied, without running SQL; prints each change.
///
/// # Errors
/// Bad target, unknown recorded revisions without --purge, or a database error.
pub fn run(ctx: &Context, args: &StampArgs) -> Result<()> {
    let loaded = load_checked(ctx)?;
    let url = require_url(ctx, &loaded)?;
    let migrator = Migrator::new(&loaded.graph, settings(&loaded, &args.database));
    let mut on = printer(&ctx.output);
    let changes = runtime()?.block_on(async {
        let mut conn = migrator.connect(&url).await.map_err(run_failure)?;
        migrator.stamp(&mut conn, &args.target, args.purge, &mut on).await.map_err(run_failure)
    })?;
    if changes.is_empty() {
        ctx.output.status(&format!("Nothing to change: the database already records {}", args.target))?;
    }
    for change in changes {
        ctx.output.status(&format!("Stamp: {change}"))?;
    }
    Ok(())
}
