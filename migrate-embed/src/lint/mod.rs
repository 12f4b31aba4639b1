//! The migration linter: statements that lock or break a live database, found before they
//! run, with stable kebab-case codes ([`rules::RULES`]), a file and line each, and the
//! safe rewrite (`cargo migrate lint --explain CODE`).
//!
//! Like cargo-deny, every finding is collected first and levels are applied at one sink
//! (`sink`): the rule's default, the config's `[package.metadata.migrate.lint]`,
//! then the revision's own `Lint-Allow` header, which silences a rule for that revision.
//!
//! Three engines, one list of codes:
//! - cargo-migrate's own rules, for every database: what the chain alone can tell (a down
//!   section that is missing or leaves objects behind, a release that drops or renames
//!   what is already deployed, statements that empty tables). They read statements by
//!   their keywords ([`crate::sql::classify`], as the runner does), so they need no parser.
//! - MySQL/MariaDB and SQLite hazards read with `sqlparser` (feature `lint-sql`); a
//!   statement the parser cannot read falls back to its keywords and is reported as
//!   `unparsed-statement`, which never fails a build unless configured to.
//! - PostgreSQL's lock and downtime rules from squawk (feature `lint-postgres`), told
//!   whether each revision runs in a transaction and which server version is configured.
//!
//! Only up sections are checked for hazards: a down section runs on a rollback, when the
//! application that needs the objects is being removed with them. Down sections are
//! checked for completeness (`incomplete-down`).

mod alter;
mod chain;
mod objects;
#[cfg(feature = "lint-sql")]
mod parsed;
#[cfg(feature = "lint-postgres")]
mod postgres;
pub mod rules;

use crate::config::Config;
use crate::dialect::DatabaseKind;
use crate::graph::{RevIndex, RevisionGraph};
use crate::revision::{Revision, RevisionBody};
use crate::sql::split::{Statement, split_statements};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// How much a rule matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported; the build and `check` go on.
    Warn,
    /// Reported as an error: the build fails, `check` and `lint` exit 1.
    Deny,
}

impl Level {
    /// `allow`, `warn` or `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [Level::Allow, Level::Warn, Level::Deny]
            .into_iter()
            .find(|level| level.as_str() == text)
            .ok_or_else(|| format!("unknown lint level `{text}`; use `allow`, `warn` or `deny`"))
    }
}

/// The PostgreSQL version rules assume when `postgres_version` is not configured: the
/// oldest server cargo-migrate supports, so version-dependent rules err on the safe side.
pub const DEFAULT_POSTGRES_VERSION: &str = "12";

/// What the linter needs to know about the package, from its config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintSettings {
    /// The databases the package's migrations are written for; empty when unknown (then
    /// only the rules for every database run).
    pub databases: Vec<DatabaseKind>,
    /// Whether revisions without a `Transactional` key run in a transaction.
    pub transactional: bool,
    /// The PostgreSQL server version rules assume (`major` or `major.minor`).
    pub postgres_version: String,
    /// Levels set in `[package.metadata.migrate.lint]`, by code.
    pub levels: BTreeMap<String, Level>,
    /// `deployed`: the newest revision already in production (an id, prefix or label).
    pub deployed: Option<String>,
}

impl LintSettings {
    /// The settings a package's config gives: its databases are `databases` when set, else
    /// the one `database_url`'s scheme names, else unknown.
    pub fn from_config(config: &Config) -> Self {
        let databases = match &config.databases {
            Some(list) => list.clone(),
            None => config.database_url.as_deref().and_then(DatabaseKind::from_url).into_iter().collect(),
        };
        Self {
            databases,
            transactional: config.transactional,
            postgres_version: config.postgres_version.clone().unwrap_or_else(|| DEFAULT_POSTGRES_VERSION.to_owned()),
            levels: config.lint.clone(),
            deployed: config.deployed.clone(),
        }
    }

    /// The level of `code` for `revision`: its `Lint-Allow` header, else the config, else
    /// the rule's default.
    pub fn level(&self, code: &str, lint_allow: &[String]) -> Level {
        if lint_allow.iter().any(|c| c == code) {
            return Level::Allow;
        }
        self.levels.get(code).copied().or_else(|| rules::find(code).map(|r| r.default_level)).unwrap_or(Level::Warn)
    }
}

/// Which revisions to lint, and which are already deployed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// The revisions to report on; `None` means all of them.
    pub revisions: Option<Vec<RevIndex>>,
    /// The newest deployed revision: it and everything below it are deployed, the rest is
    /// the coming release. Overrides the config's `deployed`.
    pub deployed: Option<RevIndex>,
}

/// One finding, with its level applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's code.
    pub code: &'static str,
    /// `warn` or `deny` (allowed findings are not kept).
    pub level: Level,
    /// The revision's id.
    pub revision: String,
    /// Its file, as the graph has it.
    pub path: PathBuf,
    /// 1-based line in the file.
    pub line: usize,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong here.
    pub message: String,
    /// How to fix it here (the rule's rewrite is `--explain`'s).
    pub help: Option<String>,
    /// The database the finding is about; `None` for the rules of every database.
    pub database: Option<DatabaseKind>,
}

impl fmt::Display for Finding {
    /// `path:line: message [code]`, one line, as the build script prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)?;
        if let Some(column) = self.column {
            write!(f, ":{column}")?;
        }
        write!(f, ": {} [{}]", self.message, self.code)?;
        if let Some(help) = &self.help {
            write!(f, "; help: {help}")?;
        }
        Ok(())
    }
}

/// A problem with the lint input itself (not a hazard): an unknown code in a `Lint-Allow`
/// header, a `deployed` revision that does not exist. Always an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintError {
    /// The file (a revision, or the manifest).
    pub path: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for LintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
        } else {
            write!(f, "{}: {}", self.path.display(), self.message)
        }
    }
}

/// What a rule found before levels are applied.
#[derive(Debug, Clone)]
pub(crate) struct RawFinding {
    pub code: &'static str,
    /// 1-based line within the revision's up (or down) section text.
    pub section_line: usize,
    pub column: Option<usize>,
    pub down: bool,
    pub message: String,
    pub help: Option<String>,
    pub database: Option<DatabaseKind>,
}

impl RawFinding {
    pub(crate) fn new(code: &'static str, statement: &Statement<'_>, message: impl Into<String>) -> Self {
        Self {
            code,
            section_line: statement.line,
            column: None,
            down: false,
            message: message.into(),
            help: None,
            database: None,
        }
    }
}

/// Every finding of a run, levels applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Findings at `warn` or `deny`, in file order.
    pub findings: Vec<Finding>,
    /// Errors in the lint input (unknown codes in headers, an unknown `deployed`).
    pub errors: Vec<LintError>,
    /// How many findings a level or a `Lint-Allow` silenced.
    pub silenced: usize,
    /// How many revisions were checked.
    pub revisions: usize,
    /// How many up-section statements were checked.
    pub statements: usize,
}

impl Report {
    /// Whether anything must fail the build or the command: a `deny` finding or an error.
    pub fn fails(&self) -> bool {
        !self.errors.is_empty() || self.findings.iter().any(|f| f.level == Level::Deny)
    }

    /// How many findings are at `level`.
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }
}

/// Lints the revisions of `graph` that `selection` names (all by default).
///
/// `manifest` is named in errors about the config (an unknown `deployed` revision).
pub fn lint(
    graph: &RevisionGraph<RevisionBody>,
    settings: &LintSettings,
    selection: &Selection,
    manifest: &std::path::Path,
) -> Report {
    let mut report = Report::default();
    let deployed = match selection.deployed {
        Some(index) => Some(index),
        None => match &settings.deployed {
            Some(name) => match graph.resolve_name(name, None) {
                Ok(index) => Some(index),
                Err(error) => {
                    report.errors.push(LintError {
                        path: manifest.to_owned(),
                        line: 0,
                        message: format!(
                            "[package.metadata.migrate] deployed = {name:?} names no revision ({error}); set it to the id of the newest revision in production"
                        ),
                    });
                    None
                }
            },
            None => None,
        },
    };
    let chosen = match &selection.revisions {
        Some(list) => {
            let mut set = graph.empty_set();
            for &index in list {
                set[index] = true;
            }
            set
        }
        None => vec![true; graph.len()],
    };
    // The release is what lies above the deployed mark; every revision of it is checked
    // in graph order, so objects created earlier in the release are known.
    let deployed_set = deployed.map(|d| graph.ancestors(&[d], true));
    let mut release = chain::Release::default();
    let lexing_kind = settings.databases.first().copied().unwrap_or(DatabaseKind::Sqlite);
    for index in 0..graph.len() {
        let revision = graph.revision(index);
        let in_release = deployed_set.as_ref().is_some_and(|set| !set[index]);
        if !in_release {
            release.clear();
        }
        if !chosen[index] {
            if in_release {
                let statements = split_statements(&revision.body.up_sql, lexing_kind);
                release.record(&statements, lexing_kind);
            }
            continue;
        }
        report.revisions += 1;
        check_headers(revision, &mut report);
        let statements = split_statements(&revision.body.up_sql, lexing_kind);
        report.statements += statements.len();
        let mut raw = Vec::new();
        chain::check(revision, &statements, lexing_kind, &mut release, &mut raw);
        for &kind in &settings.databases {
            let in_transaction = revision.is_transactional(settings.transactional);
            let statements_of_kind;
            let statements = if kind == lexing_kind {
                &statements
            } else {
                statements_of_kind = split_statements(&revision.body.up_sql, kind);
                &statements_of_kind
            };
            database_rules(kind, revision, statements, in_transaction, settings, &mut raw);
        }
        if !in_release {
            release.clear();
        }
        sink(revision, settings, raw, &mut report);
    }
    report
}

/// The rules of one database.
fn database_rules(
    kind: DatabaseKind,
    revision: &Revision<RevisionBody>,
    statements: &[Statement<'_>],
    in_transaction: bool,
    settings: &LintSettings,
    raw: &mut Vec<RawFinding>,
) {
    let start = raw.len();
    match kind {
        DatabaseKind::MySql => chain::mysql(statements, revision.foreign_keys_off, cfg!(feature = "lint-sql"), raw),
        DatabaseKind::Sqlite => {
            chain::sqlite(statements, in_transaction, revision.foreign_keys_off, cfg!(feature = "lint-sql"), raw);
        }
        DatabaseKind::Postgres => {}
    }
    #[cfg(feature = "lint-sql")]
    if matches!(kind, DatabaseKind::MySql | DatabaseKind::Sqlite) {
        parsed::check(kind, statements, revision.foreign_keys_off, raw);
    }
    #[cfg(feature = "lint-postgres")]
    if kind == DatabaseKind::Postgres {
        postgres::check(&revision.body.up_sql, in_transaction, &settings.postgres_version, raw);
    }
    // Without the parser features these are only used above.
    let _ = (revision, settings);
    for finding in &mut raw[start..] {
        finding.database = Some(kind);
    }
}

/// Unknown codes in the `Lint-Allow` header are errors naming the code and the file.
fn check_headers(revision: &Revision<RevisionBody>, report: &mut Report) {
    for code in &revision.lint_allow {
        if rules::find(code).is_none() {
            report.errors.push(LintError {
                path: revision.origin.path.clone(),
                line: revision.origin.lint_allow_line,
                message: format!(
                    "`Lint-Allow` names `{code}`, which is not a lint code; {}",
                    rules::unknown_code_hint(code)
                ),
            });
        }
    }
}

/// The one place levels are applied.
fn sink(revision: &Revision<RevisionBody>, settings: &LintSettings, mut raw: Vec<RawFinding>, report: &mut Report) {
    raw.sort_by(|a, b| (a.down, a.section_line, a.column, a.code).cmp(&(b.down, b.section_line, b.column, b.code)));
    raw.dedup_by(|a, b| a.code == b.code && a.down == b.down && a.section_line == b.section_line);
    for finding in raw {
        let level = settings.level(finding.code, &revision.lint_allow);
        if level == Level::Allow {
            report.silenced += 1;
            continue;
        }
        let origin = &revision.origin;
        let line = match (finding.down, finding.section_line) {
            (_, 0) => origin.id_line.max(1),
            (false, n) => origin.up_line + n - 1,
            (true, n) => origin.down_line + n - 1,
        };
        report.findings.push(Finding {
            code: finding.code,
            level,
            revision: revision.id.clone(),
            path: origin.path.clone(),
            line,
            column: finding.column,
            message: finding.message,
            help: finding.help,
            database: finding.database,
        });
    }
}

/// 1-based line and column of a byte offset in `text`.
#[cfg_attr(not(feature = "lint-postgres"), allow(dead_code))]
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| before[nl + 1..].chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests;
