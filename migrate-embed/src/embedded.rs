//! Migrations frozen into a binary by `build-support`: checked and ordered at build time,
//! so start-up only copies static data into a [`RevisionGraph`] and cannot fail.
//!
//! An application's `build.rs` calls `build_support::embed_migrations()`, and its code
//! takes the result with [`embedded_migrations!`](crate::embedded_migrations):
//!
//! ```ignore
//! static MIGRATIONS: migrate_embed::EmbeddedMigrations = migrate_embed::embedded_migrations!();
//! ```

use crate::config::{Config, LockMode, TableName};
use crate::graph::RevisionGraph;
use crate::revision::{Origin, Revision, RevisionBody};

/// One revision as embedded: static strings, edges already resolved to positions.
#[derive(Debug)]
pub struct EmbeddedRevision {
    id: &'static str,
    message: &'static str,
    description: &'static str,
    parents: &'static [usize],
    dependencies: &'static [usize],
    depends_on: &'static [&'static str],
    branch_labels: &'static [&'static str],
    create_date: Option<&'static str>,
    transactional: Option<bool>,
    foreign_keys_off: bool,
    up_sql: &'static str,
    down_sql: Option<&'static str>,
    checksum: &'static str,
    path: &'static str,
    up_line: usize,
    down_line: usize,
}

impl EmbeddedRevision {
    /// Built only by the code `build-support` generates; the arguments follow the
    /// fields of [`Revision`], with parents and dependencies as positions.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __from_build_support(
        id: &'static str,
        message: &'static str,
        description: &'static str,
        parents: &'static [usize],
        dependencies: &'static [usize],
        depends_on: &'static [&'static str],
        branch_labels: &'static [&'static str],
        create_date: Option<&'static str>,
        transactional: Option<bool>,
        foreign_keys_off: bool,
        up_sql: &'static str,
        down_sql: Option<&'static str>,
        checksum: &'static str,
        path: &'static str,
        up_line: usize,
        down_line: usize,
    ) -> Self {
        Self {
            id,
            message,
            description,
            parents,
            dependencies,
            depends_on,
            branch_labels,
            create_date,
            transactional,
            foreign_keys_off,
            up_sql,
            down_sql,
            checksum,
            path,
            up_line,
            down_line,
        }
    }

    /// The revision id.
    pub fn id(&self) -> &'static str {
        self.id
    }
}

/// A package's migrations and settings, frozen at build time.
#[derive(Debug)]
pub struct EmbeddedMigrations {
    revisions: &'static [EmbeddedRevision],
    version_table: TableName,
    transactional: bool,
    database_url: Option<&'static str>,
    lock: Option<LockMode>,
}

impl EmbeddedMigrations {
    /// Built only by the code `build-support` generates.
    #[doc(hidden)]
    pub const fn __from_build_support(
        revisions: &'static [EmbeddedRevision],
        version_table: TableName,
        transactional: bool,
        database_url: Option<&'static str>,
        lock: Option<LockMode>,
    ) -> Self {
        Self { revisions, version_table, transactional, database_url, lock }
    }

    /// The revisions, in topological (upgrade) order.
    pub fn revisions(&self) -> &'static [EmbeddedRevision] {
        self.revisions
    }

    /// The version table named by the package's config.
    pub fn version_table(&self) -> &TableName {
        &self.version_table
    }

    /// The run lock the package's config names, if any.
    pub fn lock(&self) -> Option<LockMode> {
        self.lock
    }

    /// The default for revisions without a `Transactional` key.
    pub fn transactional_default(&self) -> bool {
        self.transactional
    }

    /// The config's `database_url`, if it had one.
    pub fn default_database_url(&self) -> Option<&'static str> {
        self.database_url
    }

    /// The graph of the embedded revisions.
    pub fn graph(&self) -> RevisionGraph {
        let revisions = self
            .revisions
            .iter()
            .map(|r| Revision {
                id: r.id.to_owned(),
                message: r.message.to_owned(),
                description: r.description.to_owned(),
                parents: r.parents.iter().map(|&p| self.revisions[p].id.to_owned()).collect(),
                depends_on: r.depends_on.iter().map(|d| (*d).to_owned()).collect(),
                branch_labels: r.branch_labels.iter().map(|l| (*l).to_owned()).collect(),
                create_date: r.create_date.map(str::to_owned),
                transactional: r.transactional,
                lint_allow: Vec::new(),
                foreign_keys_off: r.foreign_keys_off,
                origin: Origin { path: r.path.into(), up_line: r.up_line, down_line: r.down_line, ..Origin::default() },
                body: RevisionBody {
                    up_sql: r.up_sql.to_owned(),
                    down_sql: r.down_sql.map(str::to_owned),
                    checksum: r.checksum.to_owned(),
                },
            })
            .collect();
        let parents = self.revisions.iter().map(|r| r.parents.to_vec()).collect();
        let dependencies = self.revisions.iter().map(|r| r.dependencies.to_vec()).collect();
        RevisionGraph::from_ordered(revisions, parents, dependencies)
    }
}

/// The migrations `build-support` embedded for this package, as a constant expression.
///
/// Needs `build_support::embed_migrations()` in the package's `build.rs`.
#[macro_export]
macro_rules! embedded_migrations {
    () => {
        include!(concat!(env!("OUT_DIR"), "/migrate_embed.rs"))
    };
}

/// Writes the Rust expression that [`embedded_migrations!`](crate::embedded_migrations)
/// includes: the checked graph's revisions as static data. Used by `build-support`;
/// kept here, beside the types it constructs, so the two cannot drift apart.
pub fn generate_embed_code(graph: &RevisionGraph, config: &Config) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(graph.revisions().iter().map(|r| r.body.up_sql.len() + 256).sum());
    out.push_str("{\nconst REVISIONS: &[::migrate_embed::EmbeddedRevision] = &[\n");
    let strs = |items: &[String]| items.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
    let idx = |items: &[usize]| items.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
    for (i, r) in graph.revisions().iter().enumerate() {
        let _ = writeln!(
            out,
            "::migrate_embed::EmbeddedRevision::__from_build_support({:?}, {:?}, {:?}, &[{}], &[{}], &[{}], &[{}], {:?}, {:?}, {:?}, {:?}, {:?}, {:?}, {:?}, {}, {}),",
            r.id,
            r.message,
            r.description,
            idx(graph.parents(i)),
            idx(graph.dependencies(i)),
            strs(&r.depends_on),
            strs(&r.branch_labels),
            r.create_date,
            r.transactional,
            r.foreign_keys_off,
            r.body.up_sql,
            r.body.down_sql,
            r.body.checksum,
            r.origin.path.to_string_lossy().replace('\\', "/"),
            r.origin.up_line,
            r.origin.down_line,
        );
    }
    let lock = match config.lock {
        Some(mode) => format!("Some(::migrate_embed::config::LockMode::{mode:?})"),
        None => "None".to_owned(),
    };
    let _ = write!(
        out,
        "];\n::migrate_embed::EmbeddedMigrations::__from_build_support(REVISIONS, \
         ::migrate_embed::config::TableName::__from_build_support({:?}), {:?}, {:?}, {lock})\n}}\n",
        config.version_table.as_str(),
        config.transactional,
        config.database_url,
    );
    out
}
