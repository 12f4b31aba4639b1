//! One module per command, and what they share: the [`Context`] (global options, output,
//! current directory) and loading the package's revision graph.
//!
//! To add a command: a variant in [`crate::cli::Command`], a module here with a
//! `run(&Context, &Args) -> anyhow::Result<()>`, and a line in [`run`]. Return a
//! [`crate::error::Failure`] to choose the exit code.

pub mod autogenerate;
pub mod branches;
pub mod check;
pub mod completions;
pub mod current;
pub mod db;
pub mod downgrade;
pub mod graph;
pub mod heads;
pub mod history;
pub mod init;
pub mod lint;
pub mod merge;
pub mod repair;
pub mod revision;
pub mod schema;
pub mod show;
pub mod stamp;
pub mod upgrade;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::error::Failure;
use crate::output::Output;
use crate::project::{Project, Selection};
use anyhow::{Context as _, Result};
use migrate_embed::graph::{Anchor, RevIndex, RevisionGraph, Target, TargetKind, check_structure};
use migrate_embed::revision::{Revision, RevisionBody};
use migrate_embed::source::{LoadedRevisions, load_dir};
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};

/// Runs a parsed command line.
///
/// # Errors
/// Whatever the command reports; [`crate::error::exit_code`] maps it to an exit code.
pub fn run(cli: Cli) -> Result<()> {
    let ctx = Context::new(cli.global)?;
    if !matches!(cli.command, Command::Graph | Command::Completions(_) | Command::Schema(_)) {
        ctx.output.require_text_or_json(cli.command.name())?;
    }
    match &cli.command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Revision(args) => revision::run(&ctx, args),
        Command::Merge(args) => merge::run(&ctx, args),
        Command::Heads => heads::run(&ctx),
        Command::Branches => branches::run(&ctx),
        Command::Show(args) => show::run(&ctx, args),
        Command::History(args) => history::run(&ctx, args),
        Command::Graph => graph::run(&ctx),
        Command::Upgrade(args) => upgrade::run(&ctx, args),
        Command::Downgrade(args) => downgrade::run(&ctx, args),
        Command::Current => current::run(&ctx),
        Command::Stamp(args) => stamp::run(&ctx, args),
        Command::Check => check::run(&ctx),
        Command::Repair(args) => repair::run(&ctx, args),
        Command::Lint(args) => lint::run(&ctx, args),
        Command::Schema(args) => schema::run(&ctx, args),
        Command::Completions(args) => completions::run(&ctx, args),
    }
}

/// What every command gets: the global options, the output, the current directory.
#[derive(Debug, Clone)]
pub struct Context {
    /// The global options as given.
    pub global: GlobalArgs,
    /// Where and how to print.
    pub output: Output,
    /// The current directory; relative paths on the command line start here.
    pub cwd: PathBuf,
}

impl Context {
    /// A context for the real process.
    ///
    /// # Errors
    /// When the current directory cannot be read.
    pub fn new(global: GlobalArgs) -> Result<Self> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let output = Output::new(global.format, global.quiet, global.verbose);
        Ok(Self { global, output, cwd })
    }

    /// The package selection from `--manifest-path`, `-p` and `--dir`.
    pub fn selection(&self) -> Selection<'_> {
        Selection {
            manifest_path: self.global.manifest_path.as_deref(),
            package: self.global.package.as_deref(),
            dir: self.global.dir.as_deref(),
            cwd: &self.cwd,
        }
    }

    /// The selected package and its config.
    ///
    /// # Errors
    /// See [`Project::load`].
    pub fn project(&self) -> Result<Project> {
        Project::load(self.selection())
    }

    /// A path as shown to people: relative to the current directory when inside it.
    pub fn display(&self, path: &Path) -> String {
        crate::output::display_path(path, &self.cwd)
    }

    /// The database URL (see [`crate::project::database_url`]), for the database commands.
    pub fn database_url(&self, project: &Project) -> Option<String> {
        crate::project::database_url(self.global.database_url.as_deref(), project, &self.cwd)
    }

    /// The package, its config and its revision graph, read from the files. The graph is
    /// checked for structure (parseable files, unique ids and labels, known parents, no
    /// cycles) but may have several heads, so `heads`, `history` and `merge` work on a
    /// folder that needs merging.
    ///
    /// # Errors
    /// A `ChainError` listing every problem, or the folder cannot be read.
    pub fn load(&self) -> Result<Loaded> {
        let project = self.project()?;
        let loaded = load_dir(&project.dir, &self.cwd)?;
        Loaded::new(project, loaded)
    }

    /// [`Context::load`] for the commands that write a revision (`revision`, `merge`): the
    /// folder is locked first ([`crate::authoring::lock_folder`]) and stays locked while
    /// the returned guard lives, so such commands started together take turns.
    ///
    /// # Errors
    /// As [`Context::load`], or the folder cannot be locked.
    pub fn load_for_writing(&self) -> Result<(Loaded, Option<crate::authoring::FolderLock>)> {
        let project = self.project()?;
        let lock = crate::authoring::lock_folder(&project.dir, || {
            self.output
                .warn(&format!("waiting for another command writing a revision to {}", self.display(&project.dir)), &[])
        })?;
        let loaded = load_dir(&project.dir, &self.cwd)?;
        Ok((Loaded::new(project, loaded)?, lock))
    }

    /// [`Context::load`] for commands that only need headers (showing the graph, naming
    /// the applied heads): through the header [`crate::cache`], so unchanged files are not
    /// read again. With `CARGO_MIGRATE_NO_CACHE=1`, every file is read.
    ///
    /// # Errors
    /// As [`Context::load`].
    pub fn load_headers(&self) -> Result<Loaded<()>> {
        let project = self.project()?;
        let loaded = match crate::cache::default_cache_dir() {
            Some(cache_dir) => crate::cache::load_headers_cached(&project.dir, &self.cwd, &cache_dir)?,
            None => {
                let loaded = load_dir(&project.dir, &self.cwd)?;
                LoadedRevisions {
                    revisions: loaded.revisions.into_iter().map(Revision::into_header).collect(),
                    problems: loaded.problems,
                    files: loaded.files,
                }
            }
        };
        Loaded::new(project, loaded)
    }
}

/// A package with its revision graph: whole revisions, or (`B = ()`) headers alone.
#[derive(Debug)]
pub struct Loaded<B = RevisionBody> {
    /// The package and its config.
    pub project: Project,
    /// The revisions, structurally checked. Never freed: the process ends right after the
    /// command, and freeing ten thousand revisions one string at a time costs more than
    /// some commands' whole work (`ManuallyDrop::into_inner` takes it back).
    pub graph: ManuallyDrop<RevisionGraph<B>>,
}

impl<B> Loaded<B> {
    fn new(project: Project, loaded: LoadedRevisions<B>) -> Result<Self> {
        let graph = ManuallyDrop::new(check_structure(loaded.revisions, loaded.problems)?);
        Ok(Loaded { project, graph })
    }
}

/// Whether a target counts from the database's state (`current`, `+N`, `-N`).
pub fn needs_database(target: &Target) -> bool {
    matches!(target.kind, TargetKind::Current | TargetKind::Relative { from: Anchor::Current, .. })
}

/// Resolves a target without a database to the revisions it names (empty for `base`).
///
/// # Errors
/// A usage [`Failure`] for targets that need a database; a `TargetError` for unknown or
/// ambiguous names.
pub fn resolve_offline<B>(graph: &RevisionGraph<B>, target: &Target) -> Result<Vec<RevIndex>> {
    if needs_database(target) {
        return Err(Failure::usage(format!(
            "`{target}` counts from the database's current state, and this command does not read the database"
        ))
        .hint("name a revision: an id, a unique prefix, a branch label, `head` or `<label>@head`")
        .into());
    }
    Ok(graph.upgrade_destination(target, &graph.empty_set())?)
}

/// The revisions newest first (reverse topological order), as Alembic lists them.
pub fn newest_first<B>(graph: &RevisionGraph<B>) -> impl Iterator<Item = RevIndex> + use<B> {
    (0..graph.len()).rev()
}
