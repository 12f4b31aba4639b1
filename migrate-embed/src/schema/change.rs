//! One difference between two schemas: a [`Change`], with its exact reverse, whether it
//! destroys data, and how Alembic would announce it.
//!
//! # Names
//!
//! A list of changes runs its renames first ([`Change::RenameTable`], then
//! [`Change::RenameColumn`]); every other change names tables and columns as they are once
//! those renames are done — the names of the schema the list leads to (for a dropped table
//! or column, its own name). That is what lets the renderer put the renames first and what
//! [`reverse_all`] relies on to write the down.
//!
//! Expressions (defaults, checks, index expressions and predicates, generated columns) are
//! opaque text: a rename does not rewrite them.

use super::model::{Check, Column, EnumType, ForeignKey, Index, IndexTarget, PrimaryKey, Schema, Table, Unique};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One kind of difference between two schemas. Each variant carries what both sides need,
/// so that [`Change::reverse`] is exact and the renderer needs no other input to write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// A new PostgreSQL enum type.
    AddEnum {
        /// The type.
        enum_type: EnumType,
    },
    /// A PostgreSQL enum type removed.
    DropEnum {
        /// The type as it was.
        enum_type: EnumType,
    },
    /// A PostgreSQL enum type's values changed (added, removed or reordered).
    AlterEnum {
        /// The type's name.
        name: String,
        /// The values before, in order.
        from: Vec<String>,
        /// The values after, in order.
        to: Vec<String>,
    },
    /// A new table, with its keys, checks, foreign keys and indexes.
    AddTable {
        /// The table.
        table: Table,
    },
    /// A table removed, with everything on it.
    DropTable {
        /// The table as it was.
        table: Table,
    },
    /// A table renamed (from `-- renamed from:` in `schema.sql`); its data is kept.
    RenameTable {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// A new column.
    AddColumn {
        /// The table.
        table: String,
        /// The column.
        column: Column,
    },
    /// A column removed.
    DropColumn {
        /// The table.
        table: String,
        /// The column as it was.
        column: Column,
    },
    /// A column renamed (from `-- renamed from:`); its data is kept.
    RenameColumn {
        /// The table (its name after any table rename).
        table: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// A column's type, nullability, default, identity or generation changed.
    AlterColumn {
        /// The table.
        table: String,
        /// The column before (named as after the list's renames).
        from: Column,
        /// The column after.
        to: Column,
    },
    /// SQLite: the table's integer primary key gains or loses `AUTOINCREMENT`.
    AlterAutoincrement {
        /// The table.
        table: String,
        /// Whether it had `AUTOINCREMENT`.
        from: bool,
        /// Whether it has it now.
        to: bool,
    },
    /// A primary key added to an existing table.
    AddPrimaryKey {
        /// The table.
        table: String,
        /// The key.
        key: PrimaryKey,
    },
    /// A primary key removed from a table that stays.
    DropPrimaryKey {
        /// The table.
        table: String,
        /// The key as it was.
        key: PrimaryKey,
    },
    /// A unique constraint added.
    AddUnique {
        /// The table.
        table: String,
        /// The constraint.
        unique: Unique,
    },
    /// A unique constraint removed.
    DropUnique {
        /// The table.
        table: String,
        /// The constraint as it was.
        unique: Unique,
    },
    /// A check constraint added.
    AddCheck {
        /// The table.
        table: String,
        /// The constraint.
        check: Check,
    },
    /// A check constraint removed.
    DropCheck {
        /// The table.
        table: String,
        /// The constraint as it was.
        check: Check,
    },
    /// A foreign key added.
    AddForeignKey {
        /// The referencing table.
        table: String,
        /// The key.
        foreign_key: ForeignKey,
    },
    /// A foreign key removed.
    DropForeignKey {
        /// The referencing table.
        table: String,
        /// The key as it was.
        foreign_key: ForeignKey,
    },
    /// An index added.
    AddIndex {
        /// The table.
        table: String,
        /// The index.
        index: Index,
    },
    /// An index removed.
    DropIndex {
        /// The table.
        table: String,
        /// The index as it was.
        index: Index,
    },
}

impl Change {
    /// The change that undoes this one: additions become drops (with the same data),
    /// renames swap, alterations swap their two sides. `c.reverse().reverse() == c`.
    ///
    /// A single change does not know the list's renames; to reverse a whole list (the
    /// down of a revision), use [`reverse_all`], which also renames.
    pub fn reverse(&self) -> Change {
        use Change::*;
        match self.clone() {
            AddEnum { enum_type } => DropEnum { enum_type },
            DropEnum { enum_type } => AddEnum { enum_type },
            AlterEnum { name, from, to } => AlterEnum { name, from: to, to: from },
            AddTable { table } => DropTable { table },
            DropTable { table } => AddTable { table },
            RenameTable { from, to } => RenameTable { from: to, to: from },
            AddColumn { table, column } => DropColumn { table, column },
            DropColumn { table, column } => AddColumn { table, column },
            RenameColumn { table, from, to } => RenameColumn { table, from: to, to: from },
            AlterColumn { table, from, to } => AlterColumn { table, from: to, to: from },
            AlterAutoincrement { table, from, to } => AlterAutoincrement { table, from: to, to: from },
            AddPrimaryKey { table, key } => DropPrimaryKey { table, key },
            DropPrimaryKey { table, key } => AddPrimaryKey { table, key },
            AddUnique { table, unique } => DropUnique { table, unique },
            DropUnique { table, unique } => AddUnique { table, unique },
            AddCheck { table, check } => DropCheck { table, check },
            DropCheck { table, check } => AddCheck { table, check },
            AddForeignKey { table, foreign_key } => DropForeignKey { table, foreign_key },
            DropForeignKey { table, foreign_key } => AddForeignKey { table, foreign_key },
            AddIndex { table, index } => DropIndex { table, index },
            DropIndex { table, index } => AddIndex { table, index },
        }
    }

    /// The warning for a step that can lose data or removes something, or `None`: drops of
    /// tables, columns, constraints, indexes, enum types and enum values, lossy type changes
    /// (`varchar` to `integer`, a narrower length or precision, a type the check does not
    /// know), and a column replaced by a generated one. Pure additions and renames never
    /// carry one.
    ///
    /// ```
    /// use migrate_embed::schema::change::Change;
    /// use migrate_embed::schema::model::Column;
    /// let col = |t: &str| Column { name: "age".into(), data_type: t.into(), nullable: true, ..Column::default() };
    /// let change = Change::AlterColumn { table: "users".into(), from: col("character varying(20)"), to: col("integer") };
    /// assert_eq!(change.destructive().unwrap(),
    ///            "changing the type of column 'users.age' from character varying(20) to integer may lose data");
    /// assert_eq!(change.reverse().destructive(), None);
    /// ```
    pub fn destructive(&self) -> Option<String> {
        use Change::*;
        match self {
            DropEnum { enum_type } => Some(format!("dropping enum type '{}'", enum_type.name)),
            AlterEnum { name, from, to } => {
                let removed: Vec<&String> = from.iter().filter(|v| !to.contains(v)).collect();
                (!removed.is_empty()).then(|| {
                    let values = removed.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ");
                    let s = if removed.len() > 1 { "s" } else { "" };
                    format!("removing value{s} {values} from enum type '{name}' (fails if a row still holds one)")
                })
            }
            DropTable { table } => Some(format!("dropping table '{}' deletes its rows", table.name)),
            DropColumn { table, column } => Some(format!("dropping column '{table}.{}' deletes its data", column.name)),
            AlterColumn { table, from, to } => {
                if from.generated.is_none() && to.generated.is_some() {
                    return Some(format!(
                        "column '{table}.{}' becomes a generated column: its data is replaced",
                        to.name
                    ));
                }
                (normalized_type(&from.data_type) != normalized_type(&to.data_type)
                    && lossy_type_change(&from.data_type, &to.data_type))
                .then(|| {
                    format!(
                        "changing the type of column '{table}.{}' from {} to {} may lose data",
                        to.name, from.data_type, to.data_type
                    )
                })
            }
            DropPrimaryKey { table, key } => Some(format!("dropping {}", describe_primary_key(table, key))),
            DropUnique { table, unique } => Some(format!("dropping {}", describe_unique(table, unique))),
            DropCheck { table, check } => Some(format!("dropping {}", describe_check(table, check))),
            DropForeignKey { table, foreign_key } => {
                Some(format!("dropping {}", describe_foreign_key(table, foreign_key)))
            }
            DropIndex { table, index } => Some(format!("dropping {}", describe_index(table, index))),
            AddEnum { .. }
            | AddTable { .. }
            | RenameTable { .. }
            | AddColumn { .. }
            | RenameColumn { .. }
            | AlterAutoincrement { .. }
            | AddPrimaryKey { .. }
            | AddUnique { .. }
            | AddCheck { .. }
            | AddForeignKey { .. }
            | AddIndex { .. } => None,
        }
    }

    /// What changed, in Alembic's words, without the `Detected ` the command prints first:
    /// `added table 'products'`, `removed column 'users.gender'`, `added index 'ix_x' on
    /// 'users'`, `NOT NULL on column 'users.email'`… A change of several aspects of one
    /// column gives them in one line, separated by `; `.
    ///
    /// ```
    /// use migrate_embed::schema::change::Change;
    /// use migrate_embed::schema::model::Table;
    /// let add = Change::AddTable { table: Table { name: "products".into(), ..Table::default() } };
    /// assert_eq!(add.describe(), "added table 'products'");
    /// assert_eq!(add.reverse().describe(), "removed table 'products'");
    /// ```
    pub fn describe(&self) -> String {
        use Change::*;
        match self {
            AddEnum { enum_type } => format!("added enum type '{}'", enum_type.name),
            DropEnum { enum_type } => format!("removed enum type '{}'", enum_type.name),
            AlterEnum { name, from, to } => describe_enum_change(name, from, to),
            AddTable { table } => format!("added table '{}'", table.name),
            DropTable { table } => format!("removed table '{}'", table.name),
            RenameTable { from, to } => format!("renamed table '{from}' to '{to}'"),
            AddColumn { table, column } => format!("added column '{table}.{}'", column.name),
            DropColumn { table, column } => format!("removed column '{table}.{}'", column.name),
            RenameColumn { table, from, to } => format!("renamed column '{table}.{from}' to '{table}.{to}'"),
            AlterColumn { table, from, to } => describe_column_change(table, from, to),
            AlterAutoincrement { table, to, .. } => {
                format!("{} AUTOINCREMENT on table '{table}'", if *to { "added" } else { "removed" })
            }
            AddPrimaryKey { table, key } => format!("added {}", describe_primary_key(table, key)),
            DropPrimaryKey { table, key } => format!("removed {}", describe_primary_key(table, key)),
            AddUnique { table, unique } => format!("added {}", describe_unique(table, unique)),
            DropUnique { table, unique } => format!("removed {}", describe_unique(table, unique)),
            AddCheck { table, check } => format!("added {}", describe_check(table, check)),
            DropCheck { table, check } => format!("removed {}", describe_check(table, check)),
            AddForeignKey { table, foreign_key } => format!("added {}", describe_foreign_key(table, foreign_key)),
            DropForeignKey { table, foreign_key } => format!("removed {}", describe_foreign_key(table, foreign_key)),
            AddIndex { table, index } => format!("added {}", describe_index(table, index)),
            DropIndex { table, index } => format!("removed {}", describe_index(table, index)),
        }
    }

    /// The table this change is on (the referencing table for a foreign key), or `None`
    /// for enum types.
    pub fn table(&self) -> Option<&str> {
        use Change::*;
        match self {
            AddEnum { .. } | DropEnum { .. } | AlterEnum { .. } => None,
            AddTable { table } | DropTable { table } => Some(&table.name),
            RenameTable { to, .. } => Some(to),
            AddColumn { table, .. }
            | DropColumn { table, .. }
            | RenameColumn { table, .. }
            | AlterColumn { table, .. }
            | AlterAutoincrement { table, .. }
            | AddPrimaryKey { table, .. }
            | DropPrimaryKey { table, .. }
            | AddUnique { table, .. }
            | DropUnique { table, .. }
            | AddCheck { table, .. }
            | DropCheck { table, .. }
            | AddForeignKey { table, .. }
            | DropForeignKey { table, .. }
            | AddIndex { table, .. }
            | DropIndex { table, .. } => Some(table),
        }
    }
}

/// The changes that undo `changes`, in the order they must run: each reversed, the list
/// backwards, and tables and columns renamed back (every change of the result names them
/// as the result's renames leave them, like [`crate::schema::compare`]'s output).
/// `reverse_all(&reverse_all(c)) == c` for a list `compare` produced.
pub fn reverse_all(changes: &[Change]) -> Vec<Change> {
    let mut renames = Renames::default();
    for change in changes {
        match change {
            // Undone: the new name goes back to the old one.
            Change::RenameTable { from, to } => {
                renames.tables.insert(to.clone(), from.clone());
            }
            Change::RenameColumn { table, from, to } => {
                renames.columns.insert((table.clone(), to.clone()), from.clone());
            }
            _ => {}
        }
    }
    // The data of the forward list uses the new names (tables and columns); its columns
    // are looked up by the table's new name, before the table is renamed back.
    renames.columns_by_old_table = true;
    changes
        .iter()
        .rev()
        .map(|change| match change {
            Change::RenameTable { .. } => change.reverse(),
            Change::RenameColumn { table, from, to } => {
                Change::RenameColumn { table: renames.table(table), from: to.clone(), to: from.clone() }
            }
            other => {
                let mut reversed = other.reverse();
                renames.apply_to_change(&mut reversed);
                reversed
            }
        })
        .collect()
}

/// Table and column renames, applied to schema data.
#[derive(Debug, Clone, Default)]
pub(crate) struct Renames {
    /// Table name → new name.
    pub tables: BTreeMap<String, String>,
    /// (table, column) → the column's new name. The table is the table's new name, unless
    /// `columns_by_old_table`.
    pub columns: BTreeMap<(String, String), String>,
    /// Look columns up by the table's name before the table rename applies.
    pub columns_by_old_table: bool,
}

impl Renames {
    pub(crate) fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.columns.is_empty()
    }

    pub(crate) fn table(&self, name: &str) -> String {
        self.tables.get(name).cloned().unwrap_or_else(|| name.to_owned())
    }

    /// The new name of column `column` of the table currently named `table`.
    pub(crate) fn column(&self, table: &str, column: &str) -> String {
        let key_table = if self.columns_by_old_table { table.to_owned() } else { self.table(table) };
        self.columns.get(&(key_table, column.to_owned())).cloned().unwrap_or_else(|| column.to_owned())
    }

    fn columns_of(&self, table: &str, columns: &mut [String]) {
        for c in columns {
            *c = self.column(table, c);
        }
    }

    /// Renames a table's own name, its columns, and what its constraints and indexes name.
    pub(crate) fn apply_to_table(&self, table: &mut Table) {
        let old = table.name.clone();
        for column in &mut table.columns {
            column.name = self.column(&old, &column.name);
        }
        if let Some(pk) = &mut table.primary_key {
            self.columns_of(&old, &mut pk.columns);
        }
        for unique in &mut table.uniques {
            self.columns_of(&old, &mut unique.columns);
        }
        for fk in &mut table.foreign_keys {
            self.apply_to_foreign_key(&old, fk);
        }
        for index in &mut table.indexes {
            self.apply_to_index(&old, index);
        }
        table.name = self.table(&old);
    }

    fn apply_to_foreign_key(&self, table: &str, fk: &mut ForeignKey) {
        self.columns_of(table, &mut fk.columns);
        let ref_table = fk.ref_table.clone();
        self.columns_of(&ref_table, &mut fk.ref_columns);
        fk.ref_table = self.table(&ref_table);
    }

    fn apply_to_index(&self, table: &str, index: &mut Index) {
        for key in &mut index.keys {
            if let IndexTarget::Column(c) = &mut key.target {
                *c = self.column(table, c);
            }
        }
    }

    /// Renames a whole schema (tables keyed by their new names).
    pub(crate) fn apply_to_schema(&self, schema: &Schema) -> Schema {
        if self.is_empty() {
            return schema.clone();
        }
        let mut out = schema.clone();
        out.tables = schema
            .tables
            .values()
            .map(|t| {
                let mut t = t.clone();
                self.apply_to_table(&mut t);
                (t.name.clone(), t)
            })
            .collect();
        out
    }

    /// Renames what a (non-rename) change names.
    pub(crate) fn apply_to_change(&self, change: &mut Change) {
        use Change::*;
        match change {
            AddEnum { .. } | DropEnum { .. } | AlterEnum { .. } | RenameTable { .. } | RenameColumn { .. } => {}
            AddTable { table } | DropTable { table } => self.apply_to_table(table),
            AddColumn { table, column } | DropColumn { table, column } => {
                column.name = self.column(table, &column.name);
                *table = self.table(table);
            }
            AlterColumn { table, from, to } => {
                from.name = self.column(table, &from.name);
                to.name = self.column(table, &to.name);
                *table = self.table(table);
            }
            AddPrimaryKey { table, key } | DropPrimaryKey { table, key } => {
                self.columns_of(table, &mut key.columns);
                *table = self.table(table);
            }
            AddUnique { table, unique } | DropUnique { table, unique } => {
                self.columns_of(table, &mut unique.columns);
                *table = self.table(table);
            }
            AddCheck { table, .. } | DropCheck { table, .. } | AlterAutoincrement { table, .. } => {
                *table = self.table(table)
            }
            AddForeignKey { table, foreign_key } | DropForeignKey { table, foreign_key } => {
                self.apply_to_foreign_key(table, foreign_key);
                *table = self.table(table);
            }
            AddIndex { table, index } | DropIndex { table, index } => {
                self.apply_to_index(table, index);
                *table = self.table(table);
            }
        }
    }
}

fn list(columns: &[String]) -> String {
    columns.join(", ")
}

fn describe_primary_key(table: &str, key: &PrimaryKey) -> String {
    if key.name.generated {
        format!("primary key on '{table}' ({})", list(&key.columns))
    } else {
        format!("primary key '{}' on '{table}' ({})", key.name.name, list(&key.columns))
    }
}

fn describe_unique(table: &str, unique: &Unique) -> String {
    if unique.name.generated {
        format!("unique constraint on '{table}' ({})", list(&unique.columns))
    } else {
        format!("unique constraint '{}' on '{table}'", unique.name.name)
    }
}

fn describe_check(table: &str, check: &Check) -> String {
    if check.name.generated {
        format!("check constraint on '{table}' ({})", check.expression)
    } else {
        format!("check constraint '{}' on '{table}'", check.name.name)
    }
}

fn describe_foreign_key(table: &str, fk: &ForeignKey) -> String {
    let name = if fk.name.generated { String::new() } else { format!("'{}' ", fk.name.name) };
    format!(
        "foreign key {name}on '{table}' ({}) referencing '{}' ({})",
        list(&fk.columns),
        fk.ref_table,
        list(&fk.ref_columns)
    )
}

fn describe_index(table: &str, index: &Index) -> String {
    let unique = if index.unique { "unique " } else { "" };
    if index.name.generated {
        let keys: Vec<String> = index
            .keys
            .iter()
            .map(|k| {
                let target = match &k.target {
                    IndexTarget::Column(c) => c.clone(),
                    IndexTarget::Expression(e) => e.clone(),
                };
                if k.descending { format!("{target} DESC") } else { target }
            })
            .collect();
        format!("{unique}index on '{table}' ({})", keys.join(", "))
    } else {
        format!("{unique}index '{}' on '{table}'", index.name.name)
    }
}

fn describe_enum_change(name: &str, from: &[String], to: &[String]) -> String {
    let mut parts = Vec::new();
    for v in to.iter().filter(|v| !from.contains(v)) {
        parts.push(format!("added value '{v}' to enum type '{name}'"));
    }
    for v in from.iter().filter(|v| !to.contains(v)) {
        parts.push(format!("removed value '{v}' from enum type '{name}'"));
    }
    let kept_from: Vec<&String> = from.iter().filter(|v| to.contains(v)).collect();
    let kept_to: Vec<&String> = to.iter().filter(|v| from.contains(v)).collect();
    if kept_from != kept_to {
        parts.push(format!("reordered values of enum type '{name}'"));
    }
    parts.join("; ")
}

fn describe_column_change(table: &str, from: &Column, to: &Column) -> String {
    let column = &to.name;
    let mut parts = Vec::new();
    if from.data_type != to.data_type {
        parts.push(format!("type change from {} to {} on '{table}.{column}'", from.data_type, to.data_type));
    }
    if from.nullable != to.nullable {
        let null = if to.nullable { "NULL" } else { "NOT NULL" };
        parts.push(format!("{null} on column '{table}.{column}'"));
    }
    if from.default != to.default {
        let mut text = format!("server default on column '{table}.{column}'");
        let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "none".to_owned());
        let _ = write!(text, " ({} to {})", show(&from.default), show(&to.default));
        parts.push(text);
    }
    if from.identity != to.identity {
        let show = |i: &Option<super::model::Identity>| match i {
            None => "none".to_owned(),
            Some(i) => format!("{i:?}").to_lowercase(),
        };
        parts.push(format!(
            "identity change from {} to {} on '{table}.{column}'",
            show(&from.identity),
            show(&to.identity)
        ));
    }
    if from.generated != to.generated {
        let what = match (&from.generated, &to.generated) {
            (None, Some(_)) => "now generated",
            (Some(_), None) => "no longer generated",
            _ => "generated expression change",
        };
        parts.push(format!("{what} on column '{table}.{column}'"));
    }
    parts.join("; ")
}

// ----- Lossy type changes ----------------------------------------------------------------

/// A type's text, lower case with single spaces and no spaces around parentheses/commas.
fn normalized_type(text: &str) -> String {
    let lower = text.trim().to_ascii_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut pending_space = false;
    for c in lower.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !matches!(c, '(' | ')' | ',') && !out.ends_with(['(', ',']) && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// What a type can hold, as far as the lossiness check knows.
#[derive(Debug, Clone, PartialEq)]
enum TypeClass {
    /// Integers of this many bytes.
    Int {
        bytes: u8,
        unsigned: bool,
    },
    Bool,
    /// `numeric(precision, scale)`; `None`: unbounded.
    Decimal(Option<(u32, u32)>),
    /// Floating point of this many bytes.
    Float(u8),
    /// Character data up to this many characters; `None`: unbounded.
    Text(Option<u64>),
    /// Binary data up to this many bytes; `None`: unbounded.
    Binary(Option<u64>),
    Date,
    Time,
    Timestamp {
        zone: bool,
        precision: u32,
    },
    Json,
    /// MySQL's inline `enum('a','b')` / `set(…)`.
    Values(Vec<String>),
    /// Anything else (user types, PostgreSQL enums, arrays, intervals…).
    Other(String),
}

fn classify(text: &str) -> TypeClass {
    let t = normalized_type(text);
    let (head, params) = match t.find('(') {
        Some(open) => {
            let close = t.rfind(')').unwrap_or(t.len());
            (format!("{}{}", &t[..open], t.get(close + 1..).unwrap_or("")), t.get(open + 1..close).unwrap_or(""))
        }
        None => (t.clone(), ""),
    };
    let head = head.trim().to_owned();
    let nums: Vec<u64> = params.split(',').filter_map(|p| p.trim().parse().ok()).collect();
    let first = nums.first().copied();
    let unsigned = head.contains("unsigned");
    let base = head.replace(" unsigned", "").replace(" zerofill", "").replace(" signed", "");
    if head.ends_with("[]") {
        return TypeClass::Other(t);
    }
    match base.as_str() {
        "tinyint" | "int1" if first == Some(1) && !unsigned => TypeClass::Bool,
        "tinyint" | "int1" => TypeClass::Int { bytes: 1, unsigned },
        "smallint" | "int2" | "smallserial" | "serial2" => TypeClass::Int { bytes: 2, unsigned },
        "mediumint" | "int3" => TypeClass::Int { bytes: 3, unsigned },
        "int" | "integer" | "int4" | "serial" | "serial4" => TypeClass::Int { bytes: 4, unsigned },
        "bigint" | "int8" | "bigserial" | "serial8" => TypeClass::Int { bytes: 8, unsigned },
        "bool" | "boolean" => TypeClass::Bool,
        "numeric" | "decimal" | "dec" | "fixed" => match nums.as_slice() {
            [] => TypeClass::Decimal(None),
            [p] => TypeClass::Decimal(Some((*p as u32, 0))),
            [p, s, ..] => TypeClass::Decimal(Some((*p as u32, *s as u32))),
        },
        "real" | "float4" => TypeClass::Float(4),
        "float" => TypeClass::Float(if first.is_some_and(|p| p <= 24) { 4 } else { 8 }),
        "double" | "double precision" | "float8" => TypeClass::Float(8),
        "char" | "character" | "nchar" | "varchar" | "character varying" | "nvarchar" | "varchar2" | "bpchar" => {
            TypeClass::Text(first.or(if base.contains("var") { None } else { Some(1) }))
        }
        "text" | "clob" | "citext" | "longtext" | "string" | "ntext" => TypeClass::Text(None),
        "tinytext" => TypeClass::Text(Some(255)),
        "mediumtext" => TypeClass::Text(Some(16_777_215)),
        "bytea" | "blob" | "longblob" => TypeClass::Binary(None),
        "tinyblob" => TypeClass::Binary(Some(255)),
        "mediumblob" => TypeClass::Binary(Some(16_777_215)),
        "binary" | "varbinary" => TypeClass::Binary(first),
        "date" => TypeClass::Date,
        "time" | "time without time zone" | "time with time zone" | "timetz" => TypeClass::Time,
        "timestamp" | "timestamp without time zone" | "datetime" => {
            TypeClass::Timestamp { zone: false, precision: first.unwrap_or(6) as u32 }
        }
        "timestamptz" | "timestamp with time zone" => {
            TypeClass::Timestamp { zone: true, precision: first.unwrap_or(6) as u32 }
        }
        "json" | "jsonb" => TypeClass::Json,
        "enum" | "set" => TypeClass::Values(
            params.split(',').map(|v| v.trim().trim_matches('\'').to_owned()).filter(|v| !v.is_empty()).collect(),
        ),
        _ => TypeClass::Other(t),
    }
}

/// Decimal digits an integer of `bytes` bytes needs.
fn int_digits(bytes: u8, unsigned: bool) -> u32 {
    match (bytes, unsigned) {
        (1, _) => 3,
        (2, _) => 5,
        (3, false) => 7,
        (3, true) => 8,
        (4, _) => 10,
        (_, false) => 19,
        (_, true) => 20,
    }
}

/// Whether converting values of type `from` to type `to` can lose data or fail on some
/// value. Conservative: a pair it does not know is lossy.
fn lossy_type_change(from: &str, to: &str) -> bool {
    use TypeClass::*;
    let (a, b) = (classify(from), classify(to));
    if a == b {
        return false;
    }
    match (&a, &b) {
        // Anything but binary data reads back from unbounded text.
        (Binary(_), Text(None)) => true,
        (_, Text(None)) => false,
        (Text(Some(m)), Text(Some(n))) => n < m,
        // Text long enough for every value's text.
        (Int { bytes, unsigned }, Text(Some(n))) => *n < u64::from(int_digits(*bytes, *unsigned)) + 1,
        (Decimal(Some((p, _))), Text(Some(n))) => *n < u64::from(*p) + 2,
        (Bool, Text(Some(n))) => *n < 5,
        (Date, Text(Some(n))) => *n < 10,
        (Int { bytes: x, unsigned: ux }, Int { bytes: y, unsigned: uy }) => match (ux, uy) {
            (false, true) => true,
            (true, false) => y <= x,
            _ => y < x,
        },
        (Int { bytes, unsigned }, Decimal(d)) => {
            d.is_some_and(|(p, s)| p.saturating_sub(s) < int_digits(*bytes, *unsigned))
        }
        (Int { bytes, .. }, Float(f)) => !((*f == 8 && *bytes <= 4) || (*f == 4 && *bytes <= 2)),
        (Bool, Int { .. } | Decimal(_) | Float(_)) => false,
        (Decimal(Some((p, s))), Decimal(d)) => {
            d.is_some_and(|(p2, s2)| s2 < *s || p2.saturating_sub(s2) < p.saturating_sub(*s))
        }
        (Decimal(None), Decimal(Some(_))) => true,
        (Float(x), Float(y)) => y < x,
        (Binary(Some(m)), Binary(n)) => n.is_some_and(|n| n < *m),
        (Binary(None), Binary(Some(_))) => true,
        (Date, Timestamp { .. }) => false,
        (Timestamp { zone: z1, precision: p1 }, Timestamp { zone: z2, precision: p2 }) => (*z1 && !*z2) || p2 < p1,
        (Json, Json) => false,
        (Values(x), Values(y)) => !x.iter().all(|v| y.contains(v)),
        (Values(x), Text(Some(n))) => x.iter().any(|v| v.chars().count() as u64 > *n),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::model::{IndexKey, Name};

    fn col(name: &str, data_type: &str) -> Column {
        Column { name: name.into(), data_type: data_type.into(), nullable: true, ..Column::default() }
    }

    fn user_name(name: &str) -> Name {
        Name { name: name.into(), generated: false }
    }

    fn server_name(name: &str) -> Name {
        Name { name: name.into(), generated: true }
    }

    /// One change of every kind.
    pub(crate) fn every_change() -> Vec<Change> {
        let table = Table {
            name: "products".into(),
            columns: vec![col("id", "integer"), col("price", "numeric(10,2)")],
            primary_key: Some(PrimaryKey { name: server_name("products_pkey"), columns: vec!["id".into()] }),
            ..Table::default()
        };
        let fk = ForeignKey {
            name: server_name("orders_product_id_fkey"),
            columns: vec!["product_id".into()],
            ref_table: "products".into(),
            ref_columns: vec!["id".into()],
            ..ForeignKey::default()
        };
        let index = Index {
            name: user_name("ix_orders_placed"),
            unique: false,
            keys: vec![IndexKey { target: IndexTarget::Column("placed".into()), descending: true }],
            predicate: None,
        };
        let mood = EnumType { name: "mood".into(), values: vec!["sad".into(), "ok".into()] };
        vec![
            Change::AddEnum { enum_type: mood.clone() },
            Change::DropEnum { enum_type: mood },
            Change::AlterEnum { name: "mood".into(), from: vec!["a".into()], to: vec!["a".into(), "b".into()] },
            Change::AddTable { table: table.clone() },
            Change::DropTable { table },
            Change::RenameTable { from: "old".into(), to: "new".into() },
            Change::AddColumn { table: "users".into(), column: col("gender", "text") },
            Change::DropColumn { table: "users".into(), column: col("gender", "text") },
            Change::RenameColumn { table: "users".into(), from: "nick".into(), to: "handle".into() },
            Change::AlterColumn {
                table: "users".into(),
                from: col("age", "character varying(20)"),
                to: Column { nullable: false, default: Some("0".into()), ..col("age", "integer") },
            },
            Change::AlterAutoincrement { table: "log".into(), from: false, to: true },
            Change::AddPrimaryKey {
                table: "users".into(),
                key: PrimaryKey { name: user_name("users_pk"), columns: vec!["id".into()] },
            },
            Change::DropPrimaryKey {
                table: "users".into(),
                key: PrimaryKey { name: server_name("users_pkey"), columns: vec!["id".into()] },
            },
            Change::AddUnique {
                table: "users".into(),
                unique: Unique { name: server_name("users_email_key"), columns: vec!["email".into()] },
            },
            Change::DropUnique {
                table: "users".into(),
                unique: Unique { name: user_name("uq_users_email"), columns: vec!["email".into()] },
            },
            Change::AddCheck {
                table: "products".into(),
                check: Check { name: server_name("products_price_check"), expression: "price > 0".into() },
            },
            Change::DropCheck {
                table: "products".into(),
                check: Check { name: user_name("ck_price"), expression: "price > 0".into() },
            },
            Change::AddForeignKey { table: "orders".into(), foreign_key: fk.clone() },
            Change::DropForeignKey { table: "orders".into(), foreign_key: fk },
            Change::AddIndex { table: "orders".into(), index: index.clone() },
            Change::DropIndex { table: "orders".into(), index },
        ]
    }

    #[test]
    fn reverse_twice_is_identity() {
        for change in every_change() {
            assert_eq!(change.reverse().reverse(), change);
            assert_ne!(change.reverse(), change, "{change:?}");
        }
    }

    #[test]
    fn descriptions_read_like_alembic() {
        let described: Vec<String> = every_change().iter().map(Change::describe).collect();
        assert_eq!(
            described,
            [
                "added enum type 'mood'",
                "removed enum type 'mood'",
                "added value 'b' to enum type 'mood'",
                "added table 'products'",
                "removed table 'products'",
                "renamed table 'old' to 'new'",
                "added column 'users.gender'",
                "removed column 'users.gender'",
                "renamed column 'users.nick' to 'users.handle'",
                "type change from character varying(20) to integer on 'users.age'; NOT NULL on column 'users.age'; \
                 server default on column 'users.age' (none to 0)",
                "added AUTOINCREMENT on table 'log'",
                "added primary key 'users_pk' on 'users' (id)",
                "removed primary key on 'users' (id)",
                "added unique constraint on 'users' (email)",
                "removed unique constraint 'uq_users_email' on 'users'",
                "added check constraint on 'products' (price > 0)",
                "removed check constraint 'ck_price' on 'products'",
                "added foreign key on 'orders' (product_id) referencing 'products' (id)",
                "removed foreign key on 'orders' (product_id) referencing 'products' (id)",
                "added index 'ix_orders_placed' on 'orders'",
                "removed index 'ix_orders_placed' on 'orders'",
            ]
        );
    }

    #[test]
    fn only_removals_and_lossy_changes_warn() {
        let warned: Vec<(String, Option<String>)> =
            every_change().iter().map(|c| (c.describe(), c.destructive())).collect();
        for (described, warning) in &warned {
            let removal = described.starts_with("removed") || described.starts_with("type change");
            assert_eq!(warning.is_some(), removal, "{described}: {warning:?}");
        }
        assert_eq!(warned[4].1.as_deref(), Some("dropping table 'products' deletes its rows"));
        assert_eq!(warned[7].1.as_deref(), Some("dropping column 'users.gender' deletes its data"));
        assert_eq!(warned[20].1.as_deref(), Some("dropping index 'ix_orders_placed' on 'orders'"));
        let removal =
            Change::AlterEnum { name: "mood".into(), from: vec!["a".into(), "b".into()], to: vec!["b".into()] };
        assert_eq!(
            removal.destructive().as_deref(),
            Some("removing value 'a' from enum type 'mood' (fails if a row still holds one)")
        );
        let reorder = Change::AlterEnum {
            name: "mood".into(),
            from: vec!["a".into(), "b".into()],
            to: vec!["b".into(), "a".into()],
        };
        assert_eq!(reorder.destructive(), None);
        assert_eq!(reorder.describe(), "reordered values of enum type 'mood'");
    }

    #[test]
    fn type_changes_that_can_lose_data() {
        let lossy = [
            ("character varying(20)", "integer"),
            ("varchar(50)", "varchar(20)"),
            ("VARCHAR(50)", "CHAR(10)"),
            ("text", "character varying(255)"),
            ("bigint", "integer"),
            ("int(11)", "smallint(6)"),
            ("int(10) unsigned", "int(11)"),
            ("integer", "int unsigned"),
            ("numeric(10,2)", "numeric(10,1)"),
            ("numeric(10,2)", "numeric(8,2)"),
            ("numeric", "numeric(12,2)"),
            ("double precision", "real"),
            ("bigint", "double precision"),
            ("integer", "boolean"),
            ("timestamp with time zone", "timestamp without time zone"),
            ("timestamp(6)", "timestamp(3)"),
            ("timestamp", "date"),
            ("enum('a','b','c')", "enum('a','b')"),
            ("bytea", "text"),
            ("mood", "text[]"),
            ("text", "mood"),
            ("numeric(10,2)", "integer"),
            ("bigint", "varchar(10)"),
            ("numeric(10,2)", "varchar(11)"),
        ];
        for (from, to) in lossy {
            assert!(lossy_type_change(from, to), "{from} -> {to} should be lossy");
        }
        let safe = [
            ("integer", "bigint"),
            ("int(11)", "bigint(20)"),
            ("int(10) unsigned", "bigint(20)"),
            ("smallint", "integer"),
            ("varchar(20)", "varchar(50)"),
            ("character varying(20)", "text"),
            ("character(10)", "character varying(10)"),
            ("integer", "text"),
            ("mood", "text"),
            ("integer", "numeric(12,2)"),
            ("integer", "numeric"),
            ("integer", "double precision"),
            ("numeric(10,2)", "numeric(12,3)"),
            ("real", "double precision"),
            ("boolean", "integer"),
            ("tinyint(1)", "int(11)"),
            ("date", "timestamp with time zone"),
            ("timestamp(3) without time zone", "timestamp with time zone"),
            ("json", "jsonb"),
            ("enum('a','b')", "enum('b','a','c')"),
            ("enum('a','bb')", "varchar(2)"),
            ("VARCHAR(20)", "TEXT"),
            ("integer", "character varying(20)"),
            ("numeric(10,2)", "varchar(12)"),
        ];
        for (from, to) in safe {
            assert!(!lossy_type_change(from, to), "{from} -> {to} should be safe");
        }
    }

    #[test]
    fn a_type_spelled_differently_is_no_change() {
        let a = Change::AlterColumn { table: "t".into(), from: col("a", "VARCHAR( 20 )"), to: col("a", "varchar(20)") };
        assert_eq!(a.destructive(), None);
    }

    #[test]
    fn reverse_all_renames_back() {
        let changes = vec![
            Change::RenameTable { from: "people".into(), to: "users".into() },
            Change::RenameColumn { table: "users".into(), from: "nick".into(), to: "handle".into() },
            Change::AlterColumn {
                table: "users".into(),
                from: col("handle", "text"),
                to: Column { nullable: false, ..col("handle", "text") },
            },
            Change::AddIndex {
                table: "users".into(),
                index: Index {
                    name: user_name("ix_handle"),
                    unique: true,
                    keys: vec![IndexKey { target: IndexTarget::Column("handle".into()), descending: false }],
                    predicate: None,
                },
            },
            Change::AddForeignKey {
                table: "orders".into(),
                foreign_key: ForeignKey {
                    name: server_name("orders_user_fkey"),
                    columns: vec!["user_handle".into()],
                    ref_table: "users".into(),
                    ref_columns: vec!["handle".into()],
                    ..ForeignKey::default()
                },
            },
        ];
        let down = reverse_all(&changes);
        assert_eq!(
            down.iter().map(Change::describe).collect::<Vec<_>>(),
            [
                "removed foreign key on 'orders' (user_handle) referencing 'people' (nick)",
                "removed unique index 'ix_handle' on 'people'",
                "NULL on column 'people.nick'",
                "renamed column 'people.handle' to 'people.nick'",
                "renamed table 'users' to 'people'",
            ]
        );
        assert_eq!(reverse_all(&down), changes);
    }
}
