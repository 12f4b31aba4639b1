//! Which package we work on, like Cargo decides it, and its `[package.metadata.migrate]`.
//!
//! `--manifest-path` names a `Cargo.toml`; otherwise the nearest `Cargo.toml` from the
//! current directory upwards is used (Cargo's own rule). When that manifest is a package and
//! `-p` does not name another one, it is read directly; that keeps read-only commands fast,
//! since `cargo metadata` costs tens of milliseconds. Otherwise (`-p`, a virtual workspace
//! manifest) `cargo metadata --no-deps` lists the workspace's packages.

use crate::error::Failure;
use anyhow::{Context as _, Result};
use migrate_embed::config::Config;
use std::path::{Path, PathBuf};

/// A package found in the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `package.name`.
    pub name: String,
    /// Its `Cargo.toml`, absolute.
    pub manifest_path: PathBuf,
}

impl Package {
    /// The folder holding the manifest.
    pub fn root(&self) -> &Path {
        self.manifest_path.parent().unwrap_or(Path::new("."))
    }
}

/// A package together with its migration settings.
#[derive(Debug, Clone)]
pub struct Project {
    /// The package.
    pub package: Package,
    /// `[package.metadata.migrate]`, defaults filled in.
    pub config: Config,
    /// The migrations folder, absolute: `--dir` if given, else `dir` from the config.
    pub dir: PathBuf,
}

/// What the user said about which package to use.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// `--manifest-path`.
    pub manifest_path: Option<&'a Path>,
    /// `-p/--package`.
    pub package: Option<&'a str>,
    /// `--dir`.
    pub dir: Option<&'a Path>,
    /// The current directory, against which relative paths are resolved.
    pub cwd: &'a Path,
}

impl Project {
    /// Finds the package and reads its config.
    ///
    /// # Errors
    /// A [`Failure`] when no package matches (listing the workspace's packages), or a
    /// `ConfigError` naming the manifest and the offending key.
    pub fn load(selection: Selection<'_>) -> Result<Self> {
        let package = find_package(selection)?;
        let config = Config::from_manifest(&package.manifest_path)?;
        let dir = match selection.dir {
            Some(dir) => selection.cwd.join(dir),
            None => package.root().join(&config.dir),
        };
        Ok(Self { package, config, dir })
    }
}

/// Finds the selected package (see the module docs for the rules).
///
/// # Errors
/// A [`Failure`] when there is no manifest, the manifest is unreadable, `-p` names no
/// package of the workspace, or a virtual manifest leaves the choice open.
pub fn find_package(selection: Selection<'_>) -> Result<Package> {
    let manifest = match selection.manifest_path {
        Some(path) => {
            let path = selection.cwd.join(path);
            if path.file_name().is_none_or(|name| name != "Cargo.toml") {
                return Err(Failure::usage(format!(
                    "the manifest path must be a path to a Cargo.toml file, not {}",
                    path.display()
                ))
                .into());
            }
            if !path.is_file() {
                return Err(Failure::usage(format!("manifest path {} does not exist", path.display())).into());
            }
            path
        }
        None => nearest_manifest(selection.cwd).ok_or_else(|| {
            Failure::usage(format!(
                "could not find `Cargo.toml` in {} or any parent directory",
                selection.cwd.display()
            ))
            .hint("run this inside a Cargo package, or pass --manifest-path <path/to/Cargo.toml>")
        })?,
    };
    let text = std::fs::read_to_string(&manifest).with_context(|| format!("cannot read {}", manifest.display()))?;
    // A manifest that is not TOML is reported here, without the quoted line that Cargo's
    // own message would show (it may hold a database URL's password).
    let table: toml::Table = text.parse().map_err(|error| {
        Failure::usage(format!(
            "{} is not valid TOML: {}",
            manifest.display(),
            migrate_embed::config::describe_toml_error(&error, &text)
        ))
    })?;
    if let Some(name) = package_name(&table)
        && selection.package.is_none_or(|wanted| wanted == name)
    {
        return Ok(Package { name, manifest_path: manifest });
    }
    from_metadata(&manifest, selection.package)
}

/// The nearest `Cargo.toml` in `dir` or one of its parents.
pub fn nearest_manifest(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join("Cargo.toml")).find(|candidate| candidate.is_file())
}

/// `package.name` of a manifest, when it is a package manifest with a literal name.
fn package_name(manifest: &toml::Table) -> Option<String> {
    manifest.get("package")?.get("name")?.as_str().map(str::to_owned)
}

/// What `cargo metadata` said on stderr, fit to show as one line of our own error: without
/// the lines it quotes from manifests (`7 | database_url = "…"`, and the gutter and caret
/// lines around them), which may hold a password, without its `error:` markers, and with
/// any URL's password masked in the rest.
fn cargo_message(stderr: &str) -> String {
    let quoted = |line: &str| {
        let digits = line.trim_start_matches(|c: char| c.is_ascii_digit());
        digits.trim_start().starts_with('|') || line == "..."
    };
    let parts: Vec<String> = stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !quoted(line) && *line != "Caused by:")
        .map(|line| match line.strip_prefix("--> ") {
            Some(place) => format!("at {place}"),
            None => line.strip_prefix("error: ").unwrap_or(line).to_owned(),
        })
        .collect();
    migrate_embed::url::mask_passwords_in(&parts.join("; "))
}

/// Asks `cargo metadata --no-deps` for the workspace around `manifest` and picks a package.
fn from_metadata(manifest: &Path, wanted: Option<&str>) -> Result<Package> {
    let metadata =
        cargo_metadata::MetadataCommand::new().no_deps().manifest_path(manifest).exec().map_err(|error| {
            let detail = match &error {
                cargo_metadata::Error::CargoMetadata { stderr } => cargo_message(stderr),
                other => migrate_embed::url::mask_passwords_in(&other.to_string()),
            };
            Failure::usage(format!("cannot read the workspace of {}: {detail}", manifest.display()))
        })?;
    let to_package = |p: &cargo_metadata::Package| Package {
        name: p.name.clone(),
        manifest_path: p.manifest_path.clone().into_std_path_buf(),
    };
    let members = metadata.workspace_packages();
    let mut names: Vec<&str> = members.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    match wanted {
        Some(wanted) => members.iter().find(|p| p.name == wanted).map(|p| to_package(p)).ok_or_else(|| {
            Failure::usage(format!("package `{wanted}` is not in the workspace at {}", metadata.workspace_root))
                .hint(format!("the packages are: {}", names.join(", ")))
                .into()
        }),
        None => {
            let defaults = metadata.workspace_default_packages();
            match defaults[..] {
                [only] => Ok(to_package(only)),
                _ => Err(Failure::usage(format!(
                    "{} is a virtual workspace manifest; choose a package",
                    manifest.display()
                ))
                .hint(format!("pass -p <name>; the packages are: {}", names.join(", ")))
                .into()),
            }
        }
    }
}

/// The database URL, in order: `--database-url`, the `DATABASE_URL` environment variable,
/// `DATABASE_URL` in a `.env` file (current directory, then the package root), and
/// `database_url` from the config. The environment is not modified.
pub fn database_url(flag: Option<&str>, project: &Project, cwd: &Path) -> Option<String> {
    if let Some(url) = flag {
        return Some(url.to_owned());
    }
    if let Some(url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        return Some(url);
    }
    [cwd, project.package.root()]
        .iter()
        .find_map(|dir| dotenv_value(&dir.join(".env"), "DATABASE_URL"))
        .or_else(|| project.config.database_url.clone())
}

/// One key of a `.env` file, if the file exists and sets it.
fn dotenv_value(path: &Path, key: &str) -> Option<String> {
    dotenvy::from_path_iter(path).ok()?.filter_map(Result::ok).find(|(k, _)| k == key).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_name_only_for_package_manifests() {
        let name = |text: &str| package_name(&text.parse().unwrap());
        assert_eq!(name("[package]\nname = \"app\"\nversion = \"0.1.0\"\n").as_deref(), Some("app"));
        assert_eq!(name("[workspace]\nmembers = [\"a\"]\n"), None);
    }

    #[test]
    fn cargo_messages_lose_quoted_lines_and_passwords() {
        let stderr = "error: failed to load manifest for workspace member `/w/app`\n\
            referenced by workspace at `/w/Cargo.toml`\n\n\
            Caused by:\n  failed to parse manifest at `/w/app/Cargo.toml`\n\n\
            Caused by:\n  TOML parse error at line 7, column 51\n    |\n  7 | database_url = \"postgres://app:hunter2@db/x\n    |                                                   ^\n  \
            invalid basic string, expected `\"`\n  ...\n";
        let message = cargo_message(stderr);
        assert!(!message.contains("hunter2") && !message.contains("database_url"), "{message}");
        assert_eq!(
            message,
            "failed to load manifest for workspace member `/w/app`; referenced by workspace at `/w/Cargo.toml`; \
             failed to parse manifest at `/w/app/Cargo.toml`; TOML parse error at line 7, column 51; \
             invalid basic string, expected `\"`"
        );
        // Cargo 1.9x's own layout.
        let stderr = "error: invalid basic string, expected `\"`\n --> app/Cargo.toml:7:47\n  |\n\
            7 | database_url = \"postgres://app:hunter2@db/prod\n  |                                               ^\n\
            error: failed to load manifest for workspace member `/w/app`\nreferenced by workspace at `/w/Cargo.toml`\n";
        assert_eq!(
            cargo_message(stderr),
            "invalid basic string, expected `\"`; at app/Cargo.toml:7:47; failed to load manifest for workspace member \
             `/w/app`; referenced by workspace at `/w/Cargo.toml`"
        );
        assert_eq!(cargo_message("error: postgres://a:secret@h/x is bad"), "postgres://a:***@h/x is bad");
    }

    #[test]
    fn manifest_is_found_upwards() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        let deep = dir.path().join("src/a/b");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(nearest_manifest(&deep), Some(dir.path().join("Cargo.toml")));
    }

    #[test]
    fn dotenv_values_are_read_without_touching_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "OTHER=1\nDATABASE_URL=sqlite://x.db\n").unwrap();
        assert_eq!(dotenv_value(&path, "DATABASE_URL").as_deref(), Some("sqlite://x.db"));
        assert_eq!(dotenv_value(&dir.path().join("missing"), "DATABASE_URL"), None);
    }
}
