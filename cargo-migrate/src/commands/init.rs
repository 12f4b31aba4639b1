//! `cargo migrate init [DIR]`: create the migrations folder and add
//! `[package.metadata.migrate]` to the package's Cargo.toml, as `alembic init` sets a
//! project up.

use super::Context;
use crate::authoring::replace_file;
use crate::cli::InitArgs;
use crate::error::Failure;
use crate::output::InitJson;
use crate::project::find_package;
use anyhow::{Context as _, Result};
use migrate_embed::config::Config;
use std::path::{Path, PathBuf};

/// The `database_url` written by `init`: a SQLite file created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://dev.db?mode=rwc";

/// Creates the folder and the config table. The manifest's text is kept as it is; the table
/// is appended.
///
/// # Errors
/// A usage [`Failure`] (nothing written) when the folder exists, the table exists, or the
/// manifest cannot take the table.
pub fn run(ctx: &Context, args: &InitArgs) -> Result<()> {
    let package = find_package(ctx.selection())?;
    let manifest = &package.manifest_path;
    let shown_manifest = ctx.display(manifest);
    let root = package.root();
    let text = std::fs::read_to_string(manifest).with_context(|| format!("cannot read {}", manifest.display()))?;
    let table: toml::Table = text.parse().map_err(|e| {
        Failure::usage(format!(
            "{shown_manifest} is not valid TOML: {}",
            migrate_embed::config::describe_toml_error(&e, &text)
        ))
    })?;
    if table.get("package").and_then(|p| p.get("metadata")).and_then(|m| m.get("migrate")).is_some() {
        return Err(Failure::usage(format!(
            "{shown_manifest} already has [package.metadata.migrate]; nothing was written"
        ))
        .hint("the project is set up already; edit the table by hand, or remove it to run init again")
        .into());
    }

    let (dir, configured) = choose_dir(ctx, args, root)?;
    let shown_dir = ctx.display(&dir);
    if dir.exists() {
        return Err(Failure::usage(format!(
            "{shown_dir} already exists; nothing was written"
        ))
        .hint(format!(
            "to use it as it is, add [package.metadata.migrate] to {shown_manifest} by hand; or choose another folder: cargo migrate init <DIR>"
        ))
        .into());
    }

    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut updated = text.clone();
    if !updated.is_empty() && !updated.ends_with('\n') {
        updated.push_str(newline);
    }
    let mut lines = vec![
        String::new(),
        "[package.metadata.migrate]".to_owned(),
        format!("database_url = {}", toml::Value::String(DEFAULT_DATABASE_URL.to_owned())),
    ];
    if configured != "migrations" {
        lines.push(format!("dir = {}", toml::Value::String(configured.clone())));
    }
    for line in lines {
        updated.push_str(&line);
        updated.push_str(newline);
    }
    let cannot = |why: String| {
        Failure::usage(format!("cannot add [package.metadata.migrate] to {shown_manifest}: {why}; nothing was written"))
            .hint(format!("add it by hand:\n  [package.metadata.migrate]\n  database_url = \"{DEFAULT_DATABASE_URL}\""))
    };
    let config = Config::from_manifest_str(&updated, manifest).map_err(|e| cannot(e.to_string()))?;
    if config.dir != Path::new(&configured) || config.database_url.as_deref() != Some(DEFAULT_DATABASE_URL) {
        return Err(cannot("the appended table would not be read back as written".into()).into());
    }

    let first_missing =
        dir.ancestors().take_while(|a| !a.exists()).last().map(Path::to_path_buf).unwrap_or_else(|| dir.clone());
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {shown_dir}"))?;
    if let Err(error) = replace_file(manifest, &updated) {
        // Leave nothing behind: the folders were just created and are empty.
        let _ = std::fs::remove_dir_all(&first_missing);
        return Err(error);
    }

    if ctx.output.json() {
        ctx.output.print_json(&InitJson {
            dir: shown_dir,
            manifest: shown_manifest,
            database_url: DEFAULT_DATABASE_URL,
        })?;
    } else {
        ctx.output.status(&format!("Creating directory {shown_dir} ... done"))?;
        ctx.output.status(&format!("Adding [package.metadata.migrate] to {shown_manifest} ... done"))?;
        ctx.output
            .status("Next: cargo migrate revision -m \"create account table\", then cargo migrate upgrade head")?;
    }
    Ok(())
}

/// The folder to create (absolute) and the `dir` value to write (relative to the package
/// when inside it): `DIR` (relative to the package), else `--dir` (relative to the current
/// directory), else `migrations`.
fn choose_dir(ctx: &Context, args: &InitArgs, root: &Path) -> Result<(PathBuf, String)> {
    let absolute = match (&args.dir, &ctx.global.dir) {
        (Some(dir), _) => root.join(dir),
        (None, Some(dir)) => ctx.cwd.join(dir),
        (None, None) => root.join("migrations"),
    };
    let absolute = normalize(&absolute);
    let relative = absolute.strip_prefix(root).unwrap_or(&absolute);
    if relative.as_os_str().is_empty() {
        return Err(Failure::usage("the migrations folder cannot be the package folder itself")
            .hint("choose a subfolder, e.g. cargo migrate init migrations")
            .into());
    }
    let configured = relative
        .to_str()
        .ok_or_else(|| Failure::usage(format!("{} is not valid UTF-8", relative.display())))?
        .replace('\\', "/");
    Ok((absolute, configured))
}

/// Removes `.` and `..` components lexically (the folder does not exist yet).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/a/b/./../c")), Path::new("/a/c"));
        assert_eq!(normalize(Path::new("/a/migrations/")), Path::new("/a/migrations"));
    }
}
