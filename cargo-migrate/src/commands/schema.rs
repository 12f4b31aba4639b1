//! `cargo migrate schema [--write] [--format sql|json]`: the schema at head, built from the
//! revisions on a scratch database and introspected, printed as the database's own DDL (or
//! the model as JSON); `--write` creates `schema.sql` from it, the starting point for
//! `revision --autogenerate`.

use super::Context;
use super::autogenerate::{build_head, schema_path, with_scratch};
use super::db::load_checked;
use crate::authoring::write_new_file;
use crate::cli::{DatabaseArgs, Format, SchemaArgs};
use crate::error::Failure;
use anyhow::Result;
use migrate_embed::schema::create_all;

/// Prints or writes the head schema.
///
/// # Errors
/// Usage errors (a `--format` other than sql/json, an existing `schema.sql`, a schema the
/// DDL writer cannot express); database errors from the scratch server.
pub fn run(ctx: &Context, args: &SchemaArgs) -> Result<()> {
    let format = ctx.global.format;
    if !matches!(format, Format::Text | Format::Sql | Format::Json) {
        return Err(Failure::usage(format!(
            "`--format {}` is not for `schema`; it prints sql or json",
            format.as_str()
        ))
        .into());
    }
    let loaded = load_checked(ctx)?;
    let path = schema_path(&loaded);
    if args.write && path.exists() {
        return Err(Failure::usage(format!("{} already exists; nothing was written", ctx.display(&path)))
            .hint("compare it with head with `cargo migrate check`, or move it away and run `cargo migrate schema --write` again")
            .into());
    }
    let database = DatabaseArgs { lock_timeout: 60, lock: None };
    let (kind, head) = with_scratch(ctx, &loaded, async |server| {
        let head = build_head(server, &loaded, &database, &[]).await?;
        Ok((server.kind().expect("a supported URL"), head))
    })?;
    if format == Format::Json && !args.write {
        return Ok(ctx.output.print_json(&head)?);
    }
    let script = create_all(kind, &head).map_err(|e| Failure::usage(format!("cannot write the schema as SQL: {e}")))?;
    let graph = &*loaded.graph;
    let heads: Vec<&str> = graph.heads().iter().map(|&h| graph.revision(h).id.as_str()).collect();
    let mut text = format!(
        "-- The schema at head ({}), written by `cargo migrate schema`.\n-- Edit it, then run `cargo migrate revision --autogenerate -m '…'`.\n\n",
        if heads.is_empty() { "no revisions".to_owned() } else { heads.join(", ") }
    );
    text.push_str(&script.to_sql(kind));
    let not_compared: Vec<String> = head.not_compared.iter().map(|n| format!("{} '{}'", n.kind, n.name)).collect();
    if !not_compared.is_empty() {
        ctx.output.note(&format!("not compared, and not written: {}", not_compared.join(", ")));
    }
    if args.write {
        write_new_file(&path, &text)?;
        ctx.output.status(&format!("Writing {} ... done", ctx.display(&path)))?;
        Ok(())
    } else {
        Ok(ctx.output.print_raw(&text)?)
    }
}
