//! `cargo migrate repair [REV…]`.

use super::Context;
use super::db::{load_checked, printer, require_url, run_failure, runtime, settings};
use crate::cli::RepairArgs;
use anyhow::Result;
use migrate_embed::runner::Migrator;

/// Records the current checksums and down SQL of applied revisions and clears failed marks,
/// printing each change.
///
/// # Errors
/// A named revision that is unknown or not applied, or a database error.
pub fn run(ctx: &Context, args: &RepairArgs) -> Result<()> {
    let loaded = load_checked(ctx)?;
    let url = require_url(ctx, &loaded)?;
    let migrator = Migrator::new(&loaded.graph, settings(&loaded, &args.database));
    let mut on = printer(&ctx.output);
    let changes = runtime()?.block_on(async {
        let mut conn = migrator.connect(&url).await.map_err(run_failure)?;
        migrator.repair(&mut conn, &args.revisions, &mut on).await.map_err(run_failure)
    })?;
    if changes.is_empty() {
        ctx.output.status("Nothing to repair: every applied revision matches its file")?;
    }
    for change in changes {
        ctx.output.status(&format!("Repaired {change}"))?;
    }
    Ok(())
}
