//! The DDL of a list of [`Change`]s, per database, in dependency order.
//!
//! [`render()`] puts the changes in the order they can run — renames; drops of foreign keys,
//! of tables (children first), of other constraints and indexes, of columns; enum types;
//! new tables (parents first, foreign keys in a cycle added afterwards); columns; keys,
//! checks and indexes; foreign keys; dropped enum types last — and hands them to the
//! database's own renderer (`sqlite.rs`, `postgres.rs`, `mysql.rs`), which writes its SQL and
//! may add what its server needs (SQLite's table rebuilds, PostgreSQL's enum rebuilds,
//! MySQL's implicit foreign-key indexes).
//!
//! Every statement a destructive change produces carries that change's warning
//! ([`Change::destructive`]); statements of pure additions never do.

mod mysql;
mod postgres;
mod sqlite;

use super::change::{Change, Renames};
use super::model::{Check, Column, ForeignKey, Index, IndexKey, IndexTarget, Schema, Table, Unique};
use crate::dialect::{DatabaseKind, Dialect};
use std::collections::{BTreeMap, BTreeSet};

/// The SQL of one direction of a revision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// The statements, in order.
    pub statements: Vec<ScriptStatement>,
    /// Whether the script can run in one transaction. `false` when PostgreSQL must commit
    /// a new enum value before the same script uses it: the revision is then written
    /// `Transactional: false`.
    pub transactional: bool,
    /// SQLite: the script rebuilds or drops a table other tables may reference, so it must
    /// run with foreign keys off (the runner's `Foreign Keys: off`), or SQLite would fire
    /// `ON DELETE` actions on the rows of child tables. The script ends with
    /// `PRAGMA foreign_key_check`.
    pub foreign_keys_off: bool,
}

/// One statement of a [`Script`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptStatement {
    /// The statement, without its terminating `;`.
    pub sql: String,
    /// What it may destroy, one line each (written `-- WARNING: …` above it); empty for
    /// statements that destroy nothing.
    pub warnings: Vec<String>,
}

impl Script {
    /// Whether there is nothing to run.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Every warning, in statement order.
    pub fn warnings(&self) -> impl Iterator<Item = &str> {
        self.statements.iter().flat_map(|s| s.warnings.iter().map(String::as_str))
    }

    /// The script as revision text: each statement terminated for `kind`'s own client,
    /// its warnings written `-- WARNING: …` on the lines above it.
    ///
    /// ```
    /// use migrate_embed::dialect::DatabaseKind;
    /// use migrate_embed::schema::render::{Script, ScriptStatement};
    /// let script = Script {
    ///     statements: vec![ScriptStatement { sql: "DROP TABLE \"t\"".into(), warnings: vec!["dropping table 't' deletes its rows".into()] }],
    ///     transactional: true,
    ///     foreign_keys_off: false,
    /// };
    /// assert_eq!(script.to_sql(DatabaseKind::Postgres), "-- WARNING: dropping table 't' deletes its rows\nDROP TABLE \"t\";\n");
    /// ```
    pub fn to_sql(&self, kind: DatabaseKind) -> String {
        let mut out = String::new();
        for statement in &self.statements {
            for warning in &statement.warnings {
                out.push_str("-- WARNING: ");
                out.push_str(warning);
                out.push('\n');
            }
            kind.dialect().script_statement(&statement.sql, &mut out);
        }
        out
    }
}

/// Why a list of changes cannot be written for a database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The database has no such thing (an enum type on SQLite, a partial index on MySQL…).
    #[error("{database} cannot {what}")]
    Unsupported {
        /// The database (`sqlite`, `postgres`, `mysql`).
        database: &'static str,
        /// The table or type concerned.
        object: String,
        /// What it cannot do, naming the object.
        what: String,
    },
    /// A change is on a table the schemas it was rendered against do not have.
    #[error("a change on table '{table}' does not match the schemas given to render it")]
    UnknownTable {
        /// The table.
        table: String,
    },
}

/// The SQL that runs `changes` (from [`super::compare`], or [`super::change::reverse_all`]
/// for the down) on a `kind` database, taking schema `before` to schema `after`.
///
/// `before` and `after` are the two sides the changes were found between (for the down,
/// swapped): the renderer reads them for what a change alone does not say (a SQLite
/// table's full new definition, the columns using a PostgreSQL enum, the indexes that back
/// a MySQL foreign key).
///
/// # Errors
///
/// [`RenderError::Unsupported`] for what the database has no DDL for (enum types outside
/// PostgreSQL, partial and expression indexes on MySQL/MariaDB); [`RenderError::UnknownTable`]
/// when the changes do not fit the schemas.
pub fn render(kind: DatabaseKind, changes: &[Change], before: &Schema, after: &Schema) -> Result<Script, RenderError> {
    let ctx = Context::new(kind, changes, before, after, |c| match kind {
        DatabaseKind::MySql => mysql::phase(c),
        _ => None,
    });
    ctx.check_tables()?;
    match kind {
        DatabaseKind::Sqlite => sqlite::render(&ctx),
        DatabaseKind::Postgres => postgres::render(&ctx),
        DatabaseKind::MySql => mysql::render(&ctx),
    }
}

/// The SQL that creates `schema` in an empty `kind` database (enum types, tables parents
/// first, indexes, foreign keys in a cycle last): `cargo migrate schema`'s output.
///
/// # Errors
///
/// As [`render`].
pub fn create_all(kind: DatabaseKind, schema: &Schema) -> Result<Script, RenderError> {
    let mut changes: Vec<Change> = schema.enums.values().map(|e| Change::AddEnum { enum_type: e.clone() }).collect();
    changes.extend(schema.tables.values().map(|t| Change::AddTable { table: t.clone() }));
    render(kind, &changes, &Schema::default(), schema)
}

/// What the database renderers work from.
pub(crate) struct Context<'a> {
    pub kind: DatabaseKind,
    pub dialect: &'static dyn Dialect,
    /// `before` with the list's renames done: every name as the changes use it.
    pub before: Schema,
    pub after: &'a Schema,
    /// The changes in the order they run.
    pub changes: Vec<&'a Change>,
    /// Each change's phase (see [`phase`]), in the same order.
    pub phases: Vec<u8>,
    /// Foreign keys of new tables added after all tables exist (cycles, or keys whose
    /// referenced key is added later), by table.
    pub deferred: Vec<(String, ForeignKey)>,
    /// Where in `changes` the deferred foreign keys are added: before the first foreign key
    /// added (or at the end).
    pub deferred_at: usize,
    /// Foreign keys between dropped tables that must go before the tables (cycles).
    pub cycle_drops: Vec<(String, ForeignKey)>,
    /// The renames: new table name → old one.
    pub old_table_names: BTreeMap<String, String>,
}

/// The phase of column changes (after new tables and added columns).
pub(crate) const ALTER_PHASE: u8 = 80;

/// The order changes run in (see the module docs).
fn phase(change: &Change) -> u8 {
    use Change::*;
    match change {
        RenameTable { .. } => 0,
        RenameColumn { .. } => 1,
        DropForeignKey { .. } => 10,
        // Before the keys of kept tables its foreign keys may need.
        DropTable { .. } => 15,
        DropIndex { .. } | DropCheck { .. } | DropUnique { .. } => 20,
        DropPrimaryKey { .. } => 25,
        DropColumn { column, .. } if column.generated.is_some() => 30,
        DropColumn { .. } => 31,
        AddEnum { .. } | AlterEnum { .. } => 50,
        AddTable { .. } => 60,
        AddColumn { column, .. } if column.generated.is_none() => 70,
        AddColumn { .. } => 71,
        AlterColumn { .. } | AlterAutoincrement { .. } => ALTER_PHASE,
        AddPrimaryKey { .. } => 90,
        AddUnique { .. } | AddCheck { .. } => 95,
        AddIndex { .. } => 100,
        AddForeignKey { .. } => 110,
        DropEnum { .. } => 120,
    }
}

impl<'a> Context<'a> {
    fn new(
        kind: DatabaseKind,
        changes: &'a [Change],
        before: &Schema,
        after: &'a Schema,
        phase_of: impl Fn(&Change) -> Option<u8>,
    ) -> Context<'a> {
        let mut renames = Renames::default();
        for change in changes {
            match change {
                Change::RenameTable { from, to } => {
                    renames.tables.insert(from.clone(), to.clone());
                }
                Change::RenameColumn { table, from, to } => {
                    renames.columns.insert((table.clone(), from.clone()), to.clone());
                }
                _ => {}
            }
        }
        let old_table_names = renames.tables.iter().map(|(old, new)| (new.clone(), old.clone())).collect();
        let before = renames.apply_to_schema(before);

        let mut ordered: Vec<&Change> = changes.iter().collect();
        ordered.sort_by_key(|c| phase_of(c).unwrap_or_else(|| phase(c)));

        // New tables parents first; dropped tables children first.
        let created: Vec<&Table> = ordered
            .iter()
            .filter_map(|c| match c {
                Change::AddTable { table } => Some(table),
                _ => None,
            })
            .collect();
        let keys_added_later: BTreeSet<&str> = changes
            .iter()
            .filter_map(|c| match c {
                Change::AddPrimaryKey { table, .. } | Change::AddUnique { table, .. } => Some(table.as_str()),
                Change::AddIndex { table, index } if index.unique => Some(table.as_str()),
                _ => None,
            })
            .collect();
        let (create_order, mut deferred) = creation_order(&created);
        for t in &created {
            for fk in &t.foreign_keys {
                if fk.ref_table != t.name
                    && keys_added_later.contains(fk.ref_table.as_str())
                    && !deferred.iter().any(|(n, k)| n == &t.name && k == fk)
                {
                    deferred.push((t.name.clone(), fk.clone()));
                }
            }
        }
        let dropped: Vec<&Table> = ordered
            .iter()
            .filter_map(|c| match c {
                Change::DropTable { table } => Some(table),
                _ => None,
            })
            .collect();
        let (drop_order, cycle_drops) = creation_order(&dropped);
        let rank = |order: &[String], name: &str| order.iter().position(|n| n == name).unwrap_or(usize::MAX);
        ordered.sort_by_key(|c| {
            let p = phase_of(c).unwrap_or_else(|| phase(c));
            let r = match c {
                Change::AddTable { table } => rank(&create_order, &table.name),
                Change::DropTable { table } => usize::MAX - rank(&drop_order, &table.name),
                _ => 0,
            };
            (p, r)
        });
        let deferred_at = ordered
            .iter()
            .position(|c| {
                phase_of(c).unwrap_or_else(|| phase(c))
                    >= phase(&Change::AddForeignKey { table: String::new(), foreign_key: ForeignKey::default() })
            })
            .unwrap_or(ordered.len());
        let phases = ordered.iter().map(|c| phase_of(c).unwrap_or_else(|| phase(c))).collect();
        Context {
            kind,
            dialect: kind.dialect(),
            before,
            after,
            changes: ordered,
            phases,
            deferred,
            deferred_at,
            cycle_drops,
            old_table_names,
        }
    }

    /// Every change on an existing table names a table one side has.
    fn check_tables(&self) -> Result<(), RenderError> {
        for change in &self.changes {
            let Some(table) = change.table() else { continue };
            let known =
                matches!(change, Change::AddTable { .. } | Change::DropTable { .. } | Change::RenameTable { .. })
                    || self.before.tables.contains_key(table)
                    || self.after.tables.contains_key(table);
            if !known {
                return Err(RenderError::UnknownTable { table: table.to_owned() });
            }
        }
        Ok(())
    }

    /// `name` quoted.
    pub fn q(&self, name: &str) -> String {
        self.dialect.quote_identifier(name)
    }

    /// A string literal.
    pub fn lit(&self, value: &str) -> String {
        self.dialect.string_literal(value)
    }

    /// Columns quoted and joined: `"a", "b"`.
    pub fn columns(&self, columns: &[String]) -> String {
        columns.iter().map(|c| self.q(c)).collect::<Vec<_>>().join(", ")
    }

    /// The table as it is before the change list (names as after its renames).
    pub fn before_table(&self, name: &str) -> Option<&Table> {
        self.before.tables.get(name)
    }

    /// The table as it is after the change list.
    pub fn after_table(&self, name: &str) -> Option<&Table> {
        self.after.tables.get(name)
    }

    /// Whether `fk` of the new table `table` is added after the tables are created.
    pub fn is_deferred(&self, table: &str, fk: &ForeignKey) -> bool {
        self.deferred.iter().any(|(t, k)| t == table && k == fk)
    }

    /// The unterminated `CONSTRAINT "name" ` prefix for a name the user gave; empty for a
    /// name the server made up.
    pub fn constraint_name(&self, name: &super::model::Name) -> String {
        if name.generated || name.name.is_empty() {
            String::new()
        } else {
            format!("CONSTRAINT {} ", self.q(&name.name))
        }
    }

    /// `UNIQUE ("a", "b")` with its name.
    pub fn unique_clause(&self, unique: &Unique) -> String {
        format!("{}UNIQUE ({})", self.constraint_name(&unique.name), self.columns(&unique.columns))
    }

    /// `CHECK (expr)` with its name.
    pub fn check_clause(&self, check: &Check) -> String {
        format!("{}CHECK ({})", self.constraint_name(&check.name), check.expression)
    }

    /// `FOREIGN KEY (…) REFERENCES "p" (…) ON DELETE … ON UPDATE … DEFERRABLE …` with its
    /// name; `deferrable` where the database has it.
    pub fn foreign_key_clause(&self, fk: &ForeignKey, deferrable: bool) -> String {
        let mut s = format!(
            "{}FOREIGN KEY ({}) REFERENCES {} ({})",
            self.constraint_name(&fk.name),
            self.columns(&fk.columns),
            self.q(&fk.ref_table),
            self.columns(&fk.ref_columns)
        );
        if fk.on_delete != super::model::Action::NoAction {
            s.push_str(" ON DELETE ");
            s.push_str(fk.on_delete.sql());
        }
        if fk.on_update != super::model::Action::NoAction {
            s.push_str(" ON UPDATE ");
            s.push_str(fk.on_update.sql());
        }
        if deferrable {
            match fk.deferrable {
                super::model::Deferrable::NotDeferrable => {}
                super::model::Deferrable::InitiallyImmediate => s.push_str(" DEFERRABLE INITIALLY IMMEDIATE"),
                super::model::Deferrable::InitiallyDeferred => s.push_str(" DEFERRABLE INITIALLY DEFERRED"),
            }
        }
        s
    }

    /// An index's keys: `"a" DESC, (lower(b))`. Expressions are wrapped in parentheses,
    /// which every database accepts around an expression key.
    pub fn index_keys(&self, keys: &[IndexKey]) -> String {
        keys.iter()
            .map(|k| {
                let target = match &k.target {
                    IndexTarget::Column(c) => self.q(c),
                    IndexTarget::Expression(e) => format!("({e})"),
                };
                if k.descending { format!("{target} DESC") } else { target }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A multi-line `CREATE TABLE` from its body lines.
    pub fn create_table(&self, name: &str, lines: &[String]) -> String {
        format!("CREATE TABLE {} (\n    {}\n)", self.q(name), lines.join(",\n    "))
    }

    /// `CREATE TABLE` for a table the revision adds, on a server that adds foreign keys
    /// after the tables when they form a cycle (PostgreSQL, MySQL): `columns` as the database
    /// writes them, then the primary key (named when `name_primary_key`), uniques, checks
    /// and the foreign keys not left for later ([`Context::is_deferred`]).
    pub fn create_new_table(
        &self,
        table: &Table,
        columns: Vec<String>,
        name_primary_key: bool,
        deferrable: bool,
    ) -> String {
        let mut lines = columns;
        if let Some(pk) = &table.primary_key {
            let name = if name_primary_key { self.constraint_name(&pk.name) } else { String::new() };
            lines.push(format!("{name}PRIMARY KEY ({})", self.columns(&pk.columns)));
        }
        lines.extend(table.uniques.iter().map(|u| self.unique_clause(u)));
        lines.extend(table.checks.iter().map(|c| self.check_clause(c)));
        lines.extend(
            table
                .foreign_keys
                .iter()
                .filter(|fk| !self.is_deferred(&table.name, fk))
                .map(|fk| self.foreign_key_clause(fk, deferrable)),
        );
        self.create_table(&table.name, &lines)
    }

    /// `UPDATE t SET c = default WHERE c IS NULL`: the rows a `NOT NULL` would refuse,
    /// filled first.
    pub fn fill_nulls(&self, table: &str, column: &Column, default: &str) -> String {
        format!(
            "UPDATE {} SET {} = {default} WHERE {} IS NULL",
            self.q(table),
            self.q(&column.name),
            self.q(&column.name)
        )
    }

    /// `Unsupported` for this database.
    pub fn unsupported(&self, object: &str, what: impl Into<String>) -> RenderError {
        RenderError::Unsupported { database: self.dialect.name(), object: object.to_owned(), what: what.into() }
    }

    /// The foreign keys both sides have that must still be dropped before the changes and
    /// added again after them: those referencing a primary key or unique key the changes
    /// drop (no database drops a key a foreign key needs), and with `retyped` (MySQL,
    /// where InnoDB refuses the change) those over a column whose type changes.
    pub fn lifted_foreign_keys(&self, retyped: bool) -> Vec<(String, ForeignKey)> {
        let mut dropped_keys: Vec<(&str, BTreeSet<&String>)> = Vec::new();
        let mut retyped_columns: Vec<(&str, &str)> = Vec::new();
        for change in &self.changes {
            match change {
                Change::DropPrimaryKey { table, key } => dropped_keys.push((table, key.columns.iter().collect())),
                Change::DropUnique { table, unique } => dropped_keys.push((table, unique.columns.iter().collect())),
                Change::DropIndex { table, index } if index.unique => {
                    let columns: BTreeSet<&String> = index
                        .keys
                        .iter()
                        .filter_map(|k| match &k.target {
                            IndexTarget::Column(c) => Some(c),
                            IndexTarget::Expression(_) => None,
                        })
                        .collect();
                    dropped_keys.push((table, columns));
                }
                Change::AlterColumn { table, from, to } if retyped && from.data_type != to.data_type => {
                    retyped_columns.push((table, &to.name));
                }
                _ => {}
            }
        }
        let mut lifted: Vec<(String, ForeignKey)> = Vec::new();
        for t in self.after.tables.values() {
            let Some(before) = self.before_table(&t.name) else { continue };
            for fk in t.foreign_keys.iter().filter(|fk| before.foreign_keys.contains(fk)) {
                let referenced: BTreeSet<&String> = fk.ref_columns.iter().collect();
                let needs_dropped_key =
                    dropped_keys.iter().any(|(table, key)| *table == fk.ref_table && *key == referenced);
                let over_retyped = retyped_columns.iter().any(|(table, column)| {
                    (*table == t.name && fk.columns.iter().any(|c| c == column))
                        || (*table == fk.ref_table && fk.ref_columns.iter().any(|c| c == column))
                });
                if (needs_dropped_key || over_retyped) && !lifted.iter().any(|(n, k)| *n == t.name && k == fk) {
                    lifted.push((t.name.clone(), fk.clone()));
                }
            }
        }
        lifted
    }

    /// Where lifted foreign keys are dropped: after the renames.
    pub fn lift_at(&self) -> usize {
        self.phases.iter().position(|&p| p >= 2).unwrap_or(self.changes.len())
    }

    /// Whether `change` is the first table drop (where the foreign keys of a cycle among
    /// dropped tables go first).
    pub fn is_first_drop(&self, change: &Change) -> bool {
        self.changes.iter().find(|c| matches!(c, Change::DropTable { .. })).is_some_and(|c| std::ptr::eq(*c, change))
    }
}

/// `tables` parents first (a table after those its foreign keys reference), and the
/// foreign keys that close a cycle (to add after all are created, or drop before any is
/// dropped). Ties go by name.
fn creation_order(tables: &[&Table]) -> (Vec<String>, Vec<(String, ForeignKey)>) {
    let mut remaining: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let by_name: BTreeMap<&str, &Table> = tables.iter().map(|t| (t.name.as_str(), *t)).collect();
    let mut order = Vec::new();
    let mut cut = Vec::new();
    while !remaining.is_empty() {
        let ready = remaining.iter().copied().find(|name| {
            by_name[name]
                .foreign_keys
                .iter()
                .all(|fk| fk.ref_table == *name || !remaining.contains(fk.ref_table.as_str()))
        });
        let name = match ready {
            Some(name) => name,
            None => {
                // A cycle: take the first by name and cut its keys into the rest.
                let name = *remaining.iter().next().expect("not empty");
                for fk in &by_name[name].foreign_keys {
                    if fk.ref_table != name && remaining.contains(fk.ref_table.as_str()) {
                        cut.push((name.to_owned(), fk.clone()));
                    }
                }
                name
            }
        };
        remaining.remove(name);
        order.push(name.to_owned());
    }
    (order, cut)
}

/// Statements being written, with the pending warnings of the change being rendered.
#[derive(Debug, Default)]
pub(crate) struct Out {
    statements: Vec<ScriptStatement>,
    pending: Vec<String>,
}

impl Out {
    /// Starts a change: its warning goes on the first statement pushed for it.
    pub fn begin(&mut self, change: &Change) {
        self.pending = change.destructive().into_iter().collect();
    }

    /// Adds warnings to the next statement.
    pub fn warn(&mut self, warning: String) {
        self.pending.push(warning);
    }

    /// Appends a statement.
    pub fn push(&mut self, sql: impl Into<String>) {
        let warnings = std::mem::take(&mut self.pending);
        self.statements.push(ScriptStatement { sql: sql.into(), warnings });
    }

    /// Drops warnings no statement took (the change wrote nothing here).
    pub fn forget_pending(&mut self) -> Vec<String> {
        std::mem::take(&mut self.pending)
    }

    pub fn finish(self, transactional: bool, foreign_keys_off: bool) -> Script {
        Script { statements: self.statements, transactional, foreign_keys_off }
    }
}

/// Whether expression text `expr` names the column `column` (as a word or a quoted
/// identifier, in any case), by `kind`'s lexing.
pub(crate) fn mentions(kind: DatabaseKind, expr: &str, column: &str) -> bool {
    crate::sql::tokens::tokenize(expr, kind.dialect().lexing())
        .iter()
        .filter_map(crate::sql::tokens::Token::identifier)
        .any(|name| name.eq_ignore_ascii_case(column))
}

/// Whether index `index` reads column `column`.
pub(crate) fn index_uses(kind: DatabaseKind, index: &Index, column: &str) -> bool {
    index.keys.iter().any(|k| match &k.target {
        IndexTarget::Column(c) => c == column,
        IndexTarget::Expression(e) => mentions(kind, e, column),
    }) || index.predicate.as_deref().is_some_and(|p| mentions(kind, p, column))
}

#[cfg(test)]
mod tests;
