//! The command line: `cargo migrate [OPTIONS] <COMMAND>`.
//!
//! Cargo runs an external subcommand as `cargo-migrate migrate <args>`; [`Cli::parse_from_env`]
//! drops that leading `migrate`, so the binary also works when run directly. Global options
//! may be given before or after the command. To add a command, add a variant to [`Command`]
//! (its doc comment is the help text) and a module under `commands/`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use migrate_embed::config::LockMode;
use migrate_embed::graph::{Destination, RangeSpec, Target};
use std::ffi::OsString;
use std::path::PathBuf;

/// Alembic's revision graph for Rust: plain-SQL revision files that name their parents,
/// with branches, merges and labels.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-migrate",
    bin_name = "cargo migrate",
    version,
    propagate_version = true,
    arg_required_else_help = true,
    after_help = "Exit codes: 0 ok, 1 check failed, 2 usage, configuration or input error, 3 database error."
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses `std::env::args_os()`, dropping the `migrate` that Cargo inserts; exits with
    /// clap's message (and code 2) on a usage error.
    pub fn parse_from_env() -> Self {
        Self::parse_from(strip_cargo_subcommand(std::env::args_os().collect()))
    }
}

/// Removes the subcommand name Cargo passes first (`cargo-migrate migrate heads`).
pub fn strip_cargo_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_some_and(|arg| arg == "migrate") {
        args.remove(1);
    }
    args
}

/// Options every command takes; they may come before or after the command.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global Options")]
pub struct GlobalArgs {
    /// Path to the package's Cargo.toml [default: the package of the current directory]
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    /// The workspace package whose migrations to use
    #[arg(short = 'p', long, global = true, value_name = "NAME")]
    pub package: Option<String>,

    /// The migrations folder, relative to the current directory [default: `dir` from
    /// [package.metadata.migrate], else `migrations` in the package]
    #[arg(long, global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// The database to use [default: DATABASE_URL from the environment or .env, else
    /// `database_url` from [package.metadata.migrate]]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Output format: `text` or `json` (`graph` also takes `dot` and `mermaid`, `schema` `sql`)
    #[arg(long, global = true, value_enum, value_name = "FORMAT", default_value_t = Format::Text, hide_possible_values = true)]
    pub format: Format,

    /// Say more; with `history`, `heads`, `branches`: Alembic's verbose listing
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Print only results and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people, as Alembic prints it.
    Text,
    /// JSON for scripts (shapes documented in `output.rs`).
    Json,
    /// Graphviz DOT (`graph` only).
    Dot,
    /// Mermaid flowchart (`graph` only).
    Mermaid,
    /// SQL (`schema` only; its default).
    Sql,
}

impl Format {
    /// The value as typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::Dot => "dot",
            Self::Mermaid => "mermaid",
            Self::Sql => "sql",
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the migrations folder and add [package.metadata.migrate] to Cargo.toml
    Init(InitArgs),
    /// Create a new revision file on top of the head
    ///
    /// The file is named by `file_template` (default `{rev}_{slug}`, in the migrations
    /// folder) and opens with its header filled in: the message, Revision ID, Revises,
    /// Create Date (now, in UTC; `SOURCE_DATE_EPOCH` when set), Branch Labels and Depends On,
    /// then empty `-- migrate:up` and `-- migrate:down` sections. With several heads, say
    /// which one to build on with --head, or merge them first.
    Revision(RevisionArgs),
    /// Create a revision that joins several heads into one
    ///
    /// `cargo migrate merge heads -m "merge"` joins every head, as `alembic merge heads`.
    /// The new file's `Revises` lists the heads; its up and down sections start empty.
    Merge(MergeArgs),
    /// List the heads: revisions nothing revises
    Heads,
    /// List the branch points and the revisions they branch into
    Branches,
    /// Show one revision in detail (an id, a unique prefix, a label, `head`, `heads`…)
    Show(ShowArgs),
    /// List revisions, newest first, as `parent -> id (head), message`
    History(HistoryArgs),
    /// Draw the revision graph (`--format text|dot|mermaid|json`)
    Graph,
    /// Apply revisions up to TARGET (`head`, `heads`, an id, `label@head`, `+N`…)
    ///
    /// Runs, in topological order, every revision the target needs that the database lacks,
    /// each in one transaction with its version-table row. With --sql, prints the script
    /// instead and never connects (TARGET may be a range `A:B`).
    Upgrade(UpgradeArgs),
    /// Undo revisions down to TARGET (`base`, an id, `-N`, `label@base`…), as Alembic
    ///
    /// Runs the down sections of the applied revisions that descend from TARGET (and of
    /// those that depend on them), newest first. With --sql, prints the script for a range
    /// `FROM:TO` and never connects.
    Downgrade(DowngradeArgs),
    /// Show the database's applied head(s)
    Current,
    /// Record TARGET as the database's state without running any SQL
    Stamp(StampArgs),
    /// Exit 0 only if the files obey the chain rules, the database is at head(s), and no
    /// applied revision changed since it ran
    Check,
    /// Accept deliberate edits of applied revisions: record their current checksums and
    /// down SQL, and clear failed marks
    Repair(RepairArgs),
    /// Report statements that lock or break a live database, with the safe rewrite
    ///
    /// Checks every revision (or those named, or those after --since) without a database:
    /// PostgreSQL lock hazards (squawk), MySQL/MariaDB and SQLite hazards, and what only
    /// the chain shows (missing or incomplete down sections, dropping what is deployed).
    /// Levels come from [package.metadata.migrate.lint]; `-- Lint-Allow: CODE` silences a
    /// rule for one revision. Exits 1 when a `deny` rule fires.
    Lint(LintArgs),
    /// Print the schema at head (`--format sql`, the default, or `json`), built on a
    /// scratch database; --write creates `schema.sql` from it
    Schema(SchemaArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

impl Command {
    /// The command's name as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Init(_) => "init",
            Self::Revision(_) => "revision",
            Self::Merge(_) => "merge",
            Self::Heads => "heads",
            Self::Branches => "branches",
            Self::Show(_) => "show",
            Self::History(_) => "history",
            Self::Graph => "graph",
            Self::Upgrade(_) => "upgrade",
            Self::Downgrade(_) => "downgrade",
            Self::Current => "current",
            Self::Stamp(_) => "stamp",
            Self::Check => "check",
            Self::Repair(_) => "repair",
            Self::Lint(_) => "lint",
            Self::Schema(_) => "schema",
            Self::Completions(_) => "completions",
        }
    }
}

/// `cargo migrate init [DIR]`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create, relative to the package [default: `--dir`, else `migrations`]
    pub dir: Option<PathBuf>,
}

/// `cargo migrate revision -m MSG …`.
#[derive(Debug, Args)]
pub struct RevisionArgs {
    /// What the revision does; the first line becomes the file's message and name
    #[arg(short, long, value_name = "MSG")]
    pub message: String,

    /// The parent: a head, `<label>@head`, or (with --splice) any revision; `base` starts a
    /// new root [default: the only head]
    #[arg(long, value_name = "REV")]
    pub head: Option<Target>,

    /// Allow --head to name a revision that is not a head (starts a new branch)
    #[arg(long)]
    pub splice: bool,

    /// A branch label for the new revision (repeat or separate with commas)
    #[arg(long = "branch-label", value_name = "LABEL", value_delimiter = ',')]
    pub branch_labels: Vec<String>,

    /// A revision or branch label that must be applied first (repeat or separate with commas)
    #[arg(long = "depends-on", value_name = "REV", value_delimiter = ',')]
    pub depends_on: Vec<String>,

    /// Use this id instead of 12 random hex digits
    #[arg(long, value_name = "ID")]
    pub rev_id: Option<String>,

    /// Mark the revision `Transactional: false` (statements run one by one, outside a
    /// transaction; e.g. for `CREATE INDEX CONCURRENTLY`)
    #[arg(long)]
    pub no_transaction: bool,

    /// Write the up and down SQL that take head to the schema in `schema.sql` and back,
    /// comparing the two built on scratch databases (never the real one)
    #[arg(long)]
    pub autogenerate: bool,
}

/// `cargo migrate schema [--write]`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Create `schema.sql` (the config's `schema`) from head instead of printing it;
    /// refuses to overwrite an existing file
    #[arg(long)]
    pub write: bool,
}

/// `cargo migrate merge REVS… -m MSG`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The heads to join; `heads` means all of them
    #[arg(required = true, value_name = "REVS")]
    pub revisions: Vec<Target>,

    /// What the merge is for
    #[arg(short, long, value_name = "MSG")]
    pub message: String,

    /// A branch label for the merge revision (repeat or separate with commas)
    #[arg(long = "branch-label", value_name = "LABEL", value_delimiter = ',')]
    pub branch_labels: Vec<String>,

    /// Use this id instead of 12 random hex digits
    #[arg(long, value_name = "ID")]
    pub rev_id: Option<String>,
}

/// `cargo migrate show REV`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A full id, a unique prefix, a branch label, `head`, `heads`, `<label>@head`, `<rev>-N`…
    #[arg(value_name = "REV")]
    pub revision: Target,
}

/// `cargo migrate history [-r A:B]`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only revisions from A up to B, both included; either side may be empty (`ae10:`,
    /// `:head`, `accounts@base:accounts@head`)
    #[arg(short = 'r', long = "rev-range", value_name = "A:B")]
    pub range: Option<RangeSpec>,

    /// Mark the database's current revision(s) `(current)`; reads the database
    #[arg(short = 'i', long)]
    pub indicate_current: bool,
}

/// The longest `--lock-timeout`: a day (see `migrate_embed::db::lock::MAX_LOCK_TIMEOUT_SECS`,
/// which an application's `--migrate-lock-timeout` shares).
pub const MAX_LOCK_TIMEOUT: u64 = migrate_embed::db::lock::MAX_LOCK_TIMEOUT_SECS;

/// Options of commands that take the migration lock.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Seconds to wait for another runner's migration lock (at most 86400)
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=MAX_LOCK_TIMEOUT))]
    pub lock_timeout: u64,

    /// How runners exclude each other: `advisory`, `table` (behind a transaction-pooling
    /// PgBouncer) or `file` (SQLite) [default: `lock` from [package.metadata.migrate], else
    /// the database's own]
    #[arg(long, value_name = "LOCK")]
    pub lock: Option<LockMode>,
}

/// `cargo migrate upgrade TARGET [--sql]`.
#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// Where to go: `head`, `heads`, an id or prefix, a label, `label@head`, `+N`…; with
    /// --sql also a range `A:B`
    #[arg(value_name = "TARGET", allow_hyphen_values = true)]
    pub target: Destination,

    /// Print the SQL (version-table statements included) instead of running it; never
    /// connects
    #[arg(long)]
    pub sql: bool,

    /// Lock options.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `cargo migrate downgrade TARGET [--sql] [--use-recorded-down]`.
#[derive(Debug, Args)]
pub struct DowngradeArgs {
    /// Where to go: `base`, an id or prefix, `-N`, `label@base`, `label@-N`…; with --sql a
    /// range `FROM:TO`
    #[arg(value_name = "TARGET", allow_hyphen_values = true)]
    pub target: Destination,

    /// Print the SQL instead of running it; needs a range `FROM:TO`; never connects
    #[arg(long)]
    pub sql: bool,

    /// Also roll back revisions these files do not contain (a newer release's), using the
    /// down SQL the version table recorded for them
    #[arg(long)]
    pub use_recorded_down: bool,

    /// Lock options.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `cargo migrate stamp TARGET [--purge]`.
#[derive(Debug, Args)]
pub struct StampArgs {
    /// The state to record: `head`, `heads`, `base`, an id, a label…
    #[arg(value_name = "TARGET", allow_hyphen_values = true)]
    pub target: Target,

    /// Delete every version-table row first, including revisions these files do not know
    #[arg(long)]
    pub purge: bool,

    /// Lock options.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `cargo migrate repair [REV…]`.
#[derive(Debug, Args)]
pub struct RepairArgs {
    /// The revisions to repair [default: every applied revision]
    #[arg(value_name = "REV")]
    pub revisions: Vec<String>,

    /// Lock options.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `cargo migrate lint [REV…] [--since REV] [--explain [CODE]]`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The revisions to check (ids, prefixes, labels, `heads`…) [default: every revision]
    #[arg(value_name = "REV", conflicts_with = "since")]
    pub revisions: Vec<Target>,

    /// Check the revisions after REV: REV and what it needs are deployed, the rest is the
    /// coming release [default: `deployed` from [package.metadata.migrate]]
    #[arg(long, value_name = "REV")]
    pub since: Option<Target>,

    /// Explain a lint code (what it catches, why, the safe rewrite); without CODE, list
    /// every code
    #[arg(long, value_name = "CODE", num_args = 0..=1, default_missing_value = "")]
    pub explain: Option<String>,
}

/// `cargo migrate completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn leading_migrate_is_dropped_once() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            strip_cargo_subcommand(args(&["cargo-migrate", "migrate", "heads"])),
            args(&["cargo-migrate", "heads"])
        );
        assert_eq!(strip_cargo_subcommand(args(&["cargo-migrate", "heads"])), args(&["cargo-migrate", "heads"]));
    }

    #[test]
    fn global_options_go_anywhere() {
        let cli = Cli::try_parse_from(["cargo-migrate", "heads", "--format", "json", "-v"]).expect("parses");
        assert_eq!(cli.global.format, Format::Json);
        assert_eq!(cli.global.verbose, 1);
        let cli = Cli::try_parse_from(["cargo-migrate", "-p", "app", "revision", "-m", "x", "--branch-label", "a,b"])
            .expect("parses");
        assert_eq!(cli.global.package.as_deref(), Some("app"));
        let Command::Revision(args) = cli.command else { panic!("revision expected") };
        assert_eq!(args.branch_labels, ["a", "b"]);
    }
}
