//! `[package.metadata.migrate]`: where the migrations live and how they run (the README's
//! "Configuration" section lists every key).

use crate::dialect::DatabaseKind;
use crate::lint::Level;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The package's migration settings; every key is optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct Config {
    /// The migrations folder, relative to the package.
    pub dir: PathBuf,
    /// Used when neither `--database-url` nor `DATABASE_URL` is set.
    pub database_url: Option<String>,
    /// The table that records applied revisions (checked once, when the config is read).
    pub version_table: TableName,
    /// New file names: `{rev}`, `{slug}`, `{year}`, `{month}`, `{day}`, `{hour}`, `{minute}`, `{second}`.
    pub file_template: String,
    /// Default for revisions without a `Transactional` key.
    pub transactional: bool,
    /// Allow several heads, each carrying a branch label.
    pub multiple_heads: bool,
    /// The desired schema file (autogenerate, `check`), relative to the package; `None`
    /// means `schema.sql`.
    pub schema: Option<PathBuf>,
    /// The server on which autogenerate creates its scratch databases; `None` means the
    /// database URL's server (SQLite's are in memory).
    pub scratch_url: Option<String>,
    /// How runners exclude each other; `None` means the database's default.
    pub lock: Option<LockMode>,
    /// The time zone of new revisions' `Create Date` and of `file_template`'s dates (an
    /// IANA name, as Alembic's `timezone` option); `None` means UTC.
    pub timezone: Option<String>,
    /// The databases the migrations are written for, for the linter: `sqlite`, `postgres`,
    /// `mysql` (`mariadb` and `postgresql` are accepted). `None`: the `database_url`'s.
    #[serde(deserialize_with = "database_list")]
    pub databases: Option<Vec<DatabaseKind>>,
    /// The PostgreSQL server version the linter assumes (`"15"`, `"16.2"`); `None`:
    /// [`crate::lint::DEFAULT_POSTGRES_VERSION`].
    pub postgres_version: Option<String>,
    /// The newest revision already deployed (an id, prefix or label): later revisions form
    /// the coming release, for the linter's `removes-deployed-object`.
    pub deployed: Option<String>,
    /// `[package.metadata.migrate.lint]`: a level per lint code.
    pub lint: BTreeMap<String, Level>,
}

fn database_list<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<DatabaseKind>>, D::Error> {
    let names = Vec::<String>::deserialize(deserializer)?;
    names
        .iter()
        .map(|name| {
            DatabaseKind::from_url(&format!("{name}:")).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown database `{name}` in `databases`; use \"sqlite\", \"postgres\" or \"mysql\""
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

/// How concurrent runners exclude each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LockMode {
    /// A session lock of the server: `pg_advisory_lock` on PostgreSQL, `GET_LOCK` on MySQL.
    /// The default on both.
    Advisory,
    /// A row in a lock table, held under a lease that its holder renews: for connections
    /// that do not keep one server session (PgBouncer in transaction pooling mode), and for
    /// servers without advisory locks.
    Table,
    /// A lock file beside an SQLite database (SQLite's default and only choice).
    File,
}

impl LockMode {
    /// The value as written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Advisory => "advisory",
            Self::Table => "table",
            Self::File => "file",
        }
    }
}

impl fmt::Display for LockMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for LockMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [Self::Advisory, Self::Table, Self::File]
            .into_iter()
            .find(|mode| mode.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| format!("unknown lock `{text}`; use `advisory`, `table` or `file`"))
    }
}

/// A version table's name, checked once to be a plain identifier: `[A-Za-z_][A-Za-z0-9_]*`,
/// at most 63 bytes. SQL names it quoted (see [`crate::dialect::Dialect::quote_identifier`]),
/// so reserved words such as `order` work too.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableName(Cow<'static, str>);

impl TableName {
    /// Checks a name.
    ///
    /// # Errors
    /// The rejected name, when it is not a plain identifier.
    pub fn new(name: impl Into<String>) -> Result<Self, String> {
        let name = name.into();
        if is_valid_table_name(&name) { Ok(Self(Cow::Owned(name))) } else { Err(name) }
    }

    /// A name `build-support` checked when it embedded the config.
    #[doc(hidden)]
    pub const fn __from_build_support(name: &'static str) -> Self {
        Self(Cow::Borrowed(name))
    }

    /// The name as configured.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TableName {
    fn default() -> Self {
        Self(Cow::Borrowed("migrate_version"))
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TableName {
    /// Any string: [`Config::from_manifest_str`] checks it, to name the manifest in its error.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|name| Self(Cow::Owned(name)))
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("migrations"),
            database_url: None,
            version_table: TableName::default(),
            file_template: "{rev}_{slug}".into(),
            transactional: true,
            multiple_heads: false,
            schema: None,
            scratch_url: None,
            lock: None,
            timezone: None,
            databases: None,
            postgres_version: None,
            deployed: None,
            lint: BTreeMap::new(),
        }
    }
}

/// Why the config could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The manifest could not be read.
    #[error("cannot read {}: {error}", .path.display())]
    Io {
        /// The manifest.
        path: PathBuf,
        /// The OS error (shown in the message, so not also returned as `source()`).
        error: std::io::Error,
    },
    /// The manifest is not valid TOML, or the table has a wrong key or type.
    #[error("{}: [package.metadata.migrate] is invalid: {message}", .path.display())]
    Invalid {
        /// The manifest.
        path: PathBuf,
        /// What TOML said, naming the key.
        message: String,
    },
    /// `[package.metadata.migrate.lint]` names a rule that does not exist.
    #[error("{}: [package.metadata.migrate.lint] has `{name}`, which is not a lint code; {hint}", .path.display())]
    UnknownLintRule {
        /// The manifest.
        path: PathBuf,
        /// The key.
        name: String,
        /// What was meant, or where the codes are listed.
        hint: String,
    },
    /// `postgres_version` is not `major` or `major.minor`.
    #[error("{}: [package.metadata.migrate] postgres_version = {value:?} is not a version; write it as \"15\" or \"16.2\"", .path.display())]
    InvalidPostgresVersion {
        /// The manifest.
        path: PathBuf,
        /// The rejected value.
        value: String,
    },
    /// The version table name is not a plain identifier.
    #[error("{}: [package.metadata.migrate] version_table = {name:?} is not a plain identifier; use letters, digits and _ (at most 63, not starting with a digit)", .path.display())]
    InvalidVersionTable {
        /// The manifest.
        path: PathBuf,
        /// The rejected name.
        name: String,
    },
}

impl Config {
    /// Reads `[package.metadata.migrate]` from a `Cargo.toml`; a missing table means defaults.
    ///
    /// # Errors
    /// [`ConfigError`] naming the file and the offending key.
    pub fn from_manifest(manifest: &Path) -> Result<Self, ConfigError> {
        let text =
            std::fs::read_to_string(manifest).map_err(|error| ConfigError::Io { path: manifest.to_owned(), error })?;
        Self::from_manifest_str(&text, manifest)
    }

    /// Like [`Config::from_manifest`], from the manifest's text.
    ///
    /// # Errors
    /// [`ConfigError`] naming `manifest` and the offending key.
    pub fn from_manifest_str(text: &str, manifest: &Path) -> Result<Self, ConfigError> {
        #[derive(Deserialize)]
        struct Manifest {
            package: Option<Package>,
        }
        #[derive(Deserialize)]
        struct Package {
            metadata: Option<Metadata>,
        }
        #[derive(Deserialize)]
        struct Metadata {
            migrate: Option<Config>,
        }
        let parsed: Manifest = toml::from_str(text)
            .map_err(|e| ConfigError::Invalid { path: manifest.to_owned(), message: describe_toml_error(&e, text) })?;
        let Some(config) = parsed.package.and_then(|p| p.metadata).and_then(|m| m.migrate) else {
            return Ok(Self::default());
        };
        if !is_valid_table_name(config.version_table.as_str()) {
            return Err(ConfigError::InvalidVersionTable {
                path: manifest.to_owned(),
                name: crate::url::mask_passwords_in(config.version_table.as_str()),
            });
        }
        if let Some(name) = config.lint.keys().find(|name| crate::lint::rules::find(name).is_none()) {
            return Err(ConfigError::UnknownLintRule {
                path: manifest.to_owned(),
                name: name.clone(),
                hint: crate::lint::rules::unknown_code_hint(name),
            });
        }
        if let Some(value) = &config.postgres_version {
            let parts: Vec<&str> = value.split('.').collect();
            if parts.len() > 3
                || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(ConfigError::InvalidPostgresVersion { path: manifest.to_owned(), value: value.clone() });
            }
        }
        Ok(config)
    }
}

/// A TOML error as `line L, column C, key `k`: what is wrong`, without the snippet of the
/// file that TOML's own message quotes (it may hold a `database_url` with its password),
/// and with any URL's password in the message masked.
pub fn describe_toml_error(error: &toml::de::Error, text: &str) -> String {
    let message = crate::url::mask_passwords_in(error.message().trim_end());
    let Some(at) = error.span().map(|span| span.start.min(text.len())) else {
        return message;
    };
    let before = text.get(..at).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    // The key on that line, when it is a plain `key = …` line.
    let line_text = text[line_start..].lines().next().unwrap_or_default();
    let key = line_text
        .split_once('=')
        .map(|(key, _)| key.trim())
        .filter(|key| !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)));
    match key {
        Some(key) => format!("line {line}, column {column}, key `{key}`: {message}"),
        None => format!("line {line}, column {column}: {message}"),
    }
}

/// Whether a version-table name is safe to splice into SQL: `[A-Za-z_][A-Za-z0-9_]{0,62}`.
pub fn is_valid_table_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && name.len() <= 63
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_manifest_str(text, Path::new("app/Cargo.toml"))
    }

    #[test]
    fn defaults_without_table() {
        assert_eq!(parse("[package]\nname = \"x\"\n").unwrap(), Config::default());
    }

    #[test]
    fn reads_every_key() {
        let config = parse(
            "[package.metadata.migrate]\ndir = \"db\"\ndatabase_url = \"sqlite://x.db\"\nversion_table = \"v\"\n\
             file_template = \"{year}_{rev}\"\ntransactional = false\nmultiple_heads = true\nschema = \"s.sql\"\n",
        )
        .unwrap();
        assert_eq!(config.dir, Path::new("db"));
        assert_eq!(config.database_url.as_deref(), Some("sqlite://x.db"));
        assert!(!config.transactional && config.multiple_heads);
    }

    #[test]
    fn unknown_key_and_wrong_type_name_key_and_file() {
        let error = parse("[package.metadata.migrate]\ndirectory = \"db\"\n").unwrap_err().to_string();
        assert!(error.contains("app/Cargo.toml") && error.contains("directory"), "{error}");
        let error = parse("[package.metadata.migrate]\nmultiple_heads = \"yes\"\n").unwrap_err().to_string();
        assert!(error.contains("app/Cargo.toml") && error.contains("bool"), "{error}");
    }

    /// TOML's own message quotes the line, which may hold the database URL's password.
    #[test]
    fn errors_never_show_a_password() {
        let cases = [
            (
                "[package]\nname = \"x\"\n\n[package.metadata.migrate]\ndatabase_url = [\"postgres://app:hunter2@db/prod\"]\n",
                "app/Cargo.toml: [package.metadata.migrate] is invalid: line 5, column 16, key `database_url`: invalid type: sequence, expected a string",
            ),
            (
                "[package.metadata.migrate]\ndatabase_url = \"postgres://app:hunter2@db/prod\n",
                "app/Cargo.toml: [package.metadata.migrate] is invalid: line 2, column 47, key `database_url`: invalid basic string",
            ),
            (
                "[package.metadata.migrate]\nlock = \"postgres://app:hunter2@db/prod\"\n",
                "app/Cargo.toml: [package.metadata.migrate] is invalid: line 2, column 8, key `lock`: unknown variant `postgres://app:***@db/prod`, expected one of `advisory`, `table`, `file`",
            ),
            (
                "[package.metadata.migrate]\nversion_table = \"postgres://app:hunter2@db/prod\"\n",
                "app/Cargo.toml: [package.metadata.migrate] version_table = \"postgres://app:***@db/prod\" is not a plain identifier; use letters, digits and _ (at most 63, not starting with a digit)",
            ),
        ];
        for (manifest, expected) in cases {
            let error = parse(manifest).unwrap_err().to_string();
            assert_eq!(error, expected);
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn lint_keys() {
        let config = parse(
            "[package.metadata.migrate]\ndatabases = [\"postgres\", \"mariadb\"]\npostgres_version = \"16.2\"\ndeployed = \"ab12\"\n\
             [package.metadata.migrate.lint]\nmissing-down = \"deny\"\nrequire-lock-timeout = \"warn\"\n",
        )
        .unwrap();
        assert_eq!(config.databases, Some(vec![DatabaseKind::Postgres, DatabaseKind::MySql]));
        assert_eq!(config.postgres_version.as_deref(), Some("16.2"));
        assert_eq!(config.deployed.as_deref(), Some("ab12"));
        assert_eq!(config.lint.get("missing-down"), Some(&Level::Deny));
        let error = parse("[package.metadata.migrate.lint]\nmissing-dwon = \"deny\"\n").unwrap_err().to_string();
        assert!(
            error.contains("app/Cargo.toml") && error.contains("`missing-dwon`") && error.contains("missing-down"),
            "{error}"
        );
        let error = parse("[package.metadata.migrate.lint]\nmissing-down = \"error\"\n").unwrap_err().to_string();
        assert!(error.contains("app/Cargo.toml") && error.contains("allow"), "{error}");
        let error = parse("[package.metadata.migrate]\ndatabases = [\"oracle\"]\n").unwrap_err().to_string();
        assert!(error.contains("oracle") && error.contains("databases"), "{error}");
        let error = parse("[package.metadata.migrate]\npostgres_version = \"fifteen\"\n").unwrap_err().to_string();
        assert!(error.contains("postgres_version") && error.contains("\"15\""), "{error}");
    }

    #[test]
    fn version_table_must_be_an_identifier() {
        let error = parse("[package.metadata.migrate]\nversion_table = \"v; DROP TABLE x\"\n").unwrap_err();
        assert!(matches!(error, ConfigError::InvalidVersionTable { .. }));
        assert!(is_valid_table_name("migrate_version") && !is_valid_table_name("1abc") && !is_valid_table_name(""));
    }
}
