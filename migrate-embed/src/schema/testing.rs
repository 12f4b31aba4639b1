//! Test support: a change list applied to a model, schema equivalence, and random schemas.

use super::change::Change;
use super::model::{
    Action, Check, Column, Deferrable, EnumType, ForeignKey, Index, IndexKey, IndexTarget, Name, PrimaryKey, Schema,
    Table, Unique,
};
use crate::dialect::DatabaseKind;
use proptest::prelude::*;
use proptest::sample::subsequence;

/// `schema` with `changes` applied as model operations (renames first, as the renderers do).
/// Panics when a change does not fit the schema (dropping what is not there, altering a
/// column from a definition it does not have…): the list was wrong.
pub(crate) fn apply(schema: &Schema, changes: &[Change]) -> Schema {
    let mut s = schema.clone();
    for change in changes {
        if let Change::RenameTable { from, to } = change {
            let mut t = s.tables.remove(from).unwrap_or_else(|| panic!("rename of missing table {from}"));
            assert!(!s.tables.contains_key(to), "rename onto existing table {to}");
            t.name = to.clone();
            s.tables.insert(to.clone(), t);
            for t in s.tables.values_mut() {
                for fk in &mut t.foreign_keys {
                    if fk.ref_table == *from {
                        fk.ref_table = to.clone();
                    }
                }
            }
        }
    }
    for change in changes {
        if let Change::RenameColumn { table, from, to } = change {
            let t = s.tables.get_mut(table).unwrap_or_else(|| panic!("rename column in missing table {table}"));
            let rename = |c: &mut String| {
                if c == from {
                    *c = to.clone();
                }
            };
            let column = t.columns.iter_mut().find(|c| c.name == *from).expect("renamed column exists");
            column.name = to.clone();
            t.primary_key.iter_mut().flat_map(|k| k.columns.iter_mut()).for_each(rename);
            t.uniques.iter_mut().flat_map(|u| u.columns.iter_mut()).for_each(rename);
            t.foreign_keys.iter_mut().flat_map(|k| k.columns.iter_mut()).for_each(rename);
            for index in &mut t.indexes {
                for key in &mut index.keys {
                    if let IndexTarget::Column(c) = &mut key.target {
                        rename(c);
                    }
                }
            }
            for other in s.tables.values_mut() {
                for fk in &mut other.foreign_keys {
                    if fk.ref_table == *table {
                        fk.ref_columns.iter_mut().for_each(rename);
                    }
                }
            }
        }
    }
    for change in changes {
        apply_one(&mut s, change);
    }
    s
}

fn remove_equal<T: PartialEq + std::fmt::Debug>(items: &mut Vec<T>, item: &T) {
    let at = items.iter().position(|x| x == item).unwrap_or_else(|| panic!("{item:?} not found in {items:?}"));
    items.remove(at);
}

fn apply_one(s: &mut Schema, change: &Change) {
    use Change::*;
    match change {
        RenameTable { .. } | RenameColumn { .. } => {}
        AddEnum { enum_type } => assert!(s.enums.insert(enum_type.name.clone(), enum_type.clone()).is_none()),
        DropEnum { enum_type } => assert_eq!(s.enums.remove(&enum_type.name).as_ref(), Some(enum_type)),
        AlterEnum { name, from, to } => {
            let e = s.enums.get_mut(name).expect("enum exists");
            assert_eq!(&e.values, from);
            e.values = to.clone();
        }
        AddTable { table } => assert!(s.tables.insert(table.name.clone(), table.clone()).is_none()),
        DropTable { table } => assert_eq!(s.tables.remove(&table.name).as_ref(), Some(table)),
        AddColumn { table, column } => {
            let t = table_mut(s, table);
            assert!(t.column(&column.name).is_none());
            t.columns.push(column.clone());
        }
        DropColumn { table, column } => remove_equal(&mut table_mut(s, table).columns, column),
        AlterColumn { table, from, to } => {
            let t = table_mut(s, table);
            let c = t.columns.iter_mut().find(|c| c.name == from.name).expect("altered column exists");
            assert_eq!(c, from);
            *c = to.clone();
        }
        AlterAutoincrement { table, from, to } => {
            let t = table_mut(s, table);
            assert_eq!(t.autoincrement, *from);
            t.autoincrement = *to;
        }
        AddPrimaryKey { table, key } => {
            let t = table_mut(s, table);
            assert!(t.primary_key.is_none());
            t.primary_key = Some(key.clone());
        }
        DropPrimaryKey { table, key } => {
            let t = table_mut(s, table);
            assert_eq!(t.primary_key.as_ref(), Some(key));
            t.primary_key = None;
        }
        AddUnique { table, unique } => table_mut(s, table).uniques.push(unique.clone()),
        DropUnique { table, unique } => remove_equal(&mut table_mut(s, table).uniques, unique),
        AddCheck { table, check } => table_mut(s, table).checks.push(check.clone()),
        DropCheck { table, check } => remove_equal(&mut table_mut(s, table).checks, check),
        AddForeignKey { table, foreign_key } => table_mut(s, table).foreign_keys.push(foreign_key.clone()),
        DropForeignKey { table, foreign_key } => remove_equal(&mut table_mut(s, table).foreign_keys, foreign_key),
        AddIndex { table, index } => table_mut(s, table).indexes.push(index.clone()),
        DropIndex { table, index } => remove_equal(&mut table_mut(s, table).indexes, index),
    }
}

fn table_mut<'a>(s: &'a mut Schema, name: &str) -> &'a mut Table {
    s.tables.get_mut(name).unwrap_or_else(|| panic!("missing table {name}"))
}

/// `schema` in a canonical form: columns and constraint lists sorted, no rename notes, no
/// constraint names (a server-made name matches any other; names the user gave are
/// checked by the comparison's own tests).
pub(crate) fn canonical(schema: &Schema) -> Schema {
    let mut s = schema.clone();
    let blank = |n: &mut Name| *n = Name::default();
    for t in s.tables.values_mut() {
        t.primary_key.iter_mut().for_each(|k| blank(&mut k.name));
        t.uniques.iter_mut().for_each(|x| blank(&mut x.name));
        t.checks.iter_mut().for_each(|x| blank(&mut x.name));
        t.foreign_keys.iter_mut().for_each(|x| blank(&mut x.name));
        t.indexes.iter_mut().for_each(|x| blank(&mut x.name));
        t.renamed_from = None;
        for c in &mut t.columns {
            c.renamed_from = None;
        }
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
        t.uniques.sort_by_key(|x| format!("{x:?}"));
        t.checks.sort_by_key(|x| format!("{x:?}"));
        t.foreign_keys.sort_by_key(|x| format!("{x:?}"));
        t.indexes.sort_by_key(|x| format!("{x:?}"));
    }
    s
}

/// Whether two schemas are the same but for column and constraint order and names.
pub(crate) fn equivalent(a: &Schema, b: &Schema) -> bool {
    canonical(a) == canonical(b)
}

// ----- Random schemas --------------------------------------------------------------------

const TABLES: &[&str] = &["t0", "t1", "t2", "t3"];
/// Columns `a`…`d` take any of the types [`arb_ty`] picks; `flag` is always a boolean and
/// `at` always a timestamp, so that no pair changes a column between a timestamp or a
/// boolean and a number (PostgreSQL has no cast for the `USING` of such a change: it is
/// written by hand).
const COLUMNS: &[&str] = &["a", "b", "c", "d", "flag", "at"];

/// The fixed type of a column that has one (`flag`, `at`).
fn fixed_type(column: usize) -> Option<Ty> {
    match COLUMNS[column] {
        "flag" => Some(Ty::Bool),
        "at" => Some(Ty::Timestamp),
        _ => None,
    }
}

/// Abstract column types, spelled per database by [`type_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    BigInt,
    Text,
    Varchar,
    Decimal,
    /// The PostgreSQL enum `mood` (text where the schema has no enum).
    Mood,
    /// Only for `flag`.
    Bool,
    /// Only for `at`.
    Timestamp,
}

pub(crate) fn type_name(kind: DatabaseKind, ty: Ty) -> &'static str {
    use DatabaseKind::*;
    match (kind, ty) {
        (Postgres, Ty::Int) => "integer",
        (Postgres, Ty::BigInt) => "bigint",
        (Postgres, Ty::Text) => "text",
        (Postgres, Ty::Varchar) => "character varying(20)",
        (Postgres, Ty::Decimal) => "numeric(10,2)",
        (MySql, Ty::Int) => "int(11)",
        (MySql, Ty::BigInt) => "bigint(20)",
        (MySql, Ty::Text) => "varchar(200)",
        (MySql, Ty::Varchar) => "varchar(20)",
        (MySql, Ty::Decimal) => "decimal(10,2)",
        (Sqlite, Ty::Int) => "INTEGER",
        (Sqlite, Ty::BigInt) => "BIGINT",
        (Sqlite, Ty::Text) => "TEXT",
        (Sqlite, Ty::Varchar) => "VARCHAR(20)",
        (Sqlite, Ty::Decimal) => "NUMERIC(10,2)",
        (Postgres, Ty::Bool) => "boolean",
        (Postgres, Ty::Timestamp) => "timestamp without time zone",
        (MySql, Ty::Bool) => "tinyint(1)",
        (MySql, Ty::Timestamp) => "datetime",
        (Sqlite, Ty::Bool) => "BOOLEAN",
        (Sqlite, Ty::Timestamp) => "TIMESTAMP",
        (_, Ty::Mood) => "mood",
    }
}

fn default_for(kind: DatabaseKind, ty: Ty, pick: u8) -> Option<String> {
    if pick.is_multiple_of(3) {
        return None;
    }
    Some(match ty {
        Ty::Int | Ty::BigInt => "0".to_owned(),
        Ty::Decimal if kind == DatabaseKind::MySql => "0.00".to_owned(),
        Ty::Decimal => "0".to_owned(),
        Ty::Text if kind == DatabaseKind::Postgres => "'x'::text".to_owned(),
        Ty::Varchar if kind == DatabaseKind::Postgres => "'x'::character varying".to_owned(),
        Ty::Text | Ty::Varchar => "'x'".to_owned(),
        Ty::Mood => return None,
        Ty::Bool if kind == DatabaseKind::Postgres => if pick % 3 == 1 { "false" } else { "true" }.to_owned(),
        Ty::Bool => if pick % 3 == 1 { "0" } else { "1" }.to_owned(),
        // The clock, or a fixed time.
        Ty::Timestamp if pick % 3 == 1 => match kind {
            DatabaseKind::MySql => "current_timestamp()".to_owned(),
            _ => "CURRENT_TIMESTAMP".to_owned(),
        },
        Ty::Timestamp if kind == DatabaseKind::Postgres => {
            "'2020-01-01 00:00:00'::timestamp without time zone".to_owned()
        }
        Ty::Timestamp => "'2020-01-01 00:00:00'".to_owned(),
    })
}

/// A name the table and content decide, and whether the server made it up (decided by the
/// content alone, so it survives a table rename): the same object gets the same kind of
/// name on both sides of a pair.
fn name_for(table: &str, content: &str) -> Name {
    let hash = content.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let mut name: String = content.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    name.truncate(40);
    Name { name: format!("{table}_{name}_{:x}", hash % 4096), generated: hash % 2 == 0 }
}

/// One column's random definition.
#[derive(Debug, Clone)]
struct ColumnSpec {
    ty: Ty,
    nullable: bool,
    default: u8,
}

fn arb_ty() -> impl Strategy<Value = Ty> {
    prop_oneof![Just(Ty::Int), Just(Ty::BigInt), Just(Ty::Text), Just(Ty::Varchar), Just(Ty::Decimal), Just(Ty::Mood)]
}

fn arb_column() -> impl Strategy<Value = ColumnSpec> {
    (arb_ty(), any::<bool>(), any::<u8>()).prop_map(|(ty, nullable, default)| ColumnSpec { ty, nullable, default })
}

/// What a random table may hold, by index into its columns.
#[derive(Debug, Clone)]
struct TableSpec {
    columns: Vec<(usize, ColumnSpec)>,
    pk: u8,
    uniques: Vec<usize>,
    checks: Vec<usize>,
    fks: Vec<(usize, usize, u8)>,
    indexes: Vec<(Vec<usize>, bool, bool, u8)>,
    /// How `id` numbers itself, and whether there is a generated column `g` (and which).
    numbering: u8,
}

fn arb_table_spec() -> impl Strategy<Value = TableSpec> {
    (
        subsequence((0..COLUMNS.len()).collect::<Vec<_>>(), 0..=COLUMNS.len()),
        proptest::collection::vec(arb_column(), COLUMNS.len()),
        any::<u8>(),
        subsequence((0..COLUMNS.len()).collect::<Vec<_>>(), 0..=2),
        subsequence((0..COLUMNS.len()).collect::<Vec<_>>(), 0..=2),
        proptest::collection::vec((0..COLUMNS.len(), 0..TABLES.len(), any::<u8>()), 0..=2),
        proptest::collection::vec(
            (subsequence((0..COLUMNS.len()).collect::<Vec<_>>(), 1..=2), any::<bool>(), any::<bool>(), any::<u8>()),
            0..=2,
        ),
        any::<u8>(),
    )
        .prop_map(|(present, specs, pk, uniques, checks, fks, indexes, numbering)| TableSpec {
            columns: present
                .into_iter()
                .map(|i| (i, ColumnSpec { ty: fixed_type(i).unwrap_or(specs[i].ty), ..specs[i].clone() }))
                .collect(),
            pk,
            uniques,
            checks,
            fks,
            indexes,
            numbering,
        })
}

/// Options for random schemas that must also run on a real database.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub kind: DatabaseKind,
    /// Expression keys and partial indexes (not on MySQL/MariaDB).
    pub index_expressions: bool,
    /// PostgreSQL enum types.
    pub enums: bool,
    /// Primary keys other than `id` (changing them on a real database breaks the foreign
    /// keys that reference `id`).
    pub vary_primary_key: bool,
    /// Server-made names (a real database makes up its own).
    pub generated_names: bool,
}

impl Limits {
    /// Model-only tests: everything.
    pub(crate) fn model() -> Limits {
        Limits {
            kind: DatabaseKind::Postgres,
            index_expressions: true,
            enums: true,
            vary_primary_key: true,
            generated_names: true,
        }
    }
}

fn build_table(limits: Limits, name: &str, spec: &TableSpec, tables: &[&str], with_enum: bool) -> Table {
    let kind = limits.kind;
    // Columns of the enum type only where the schema has the enum.
    let spec = &TableSpec {
        columns: spec
            .columns
            .iter()
            .map(|(i, c)| {
                let ty = if c.ty == Ty::Mood && !with_enum { Ty::Text } else { c.ty };
                (*i, ColumnSpec { ty, ..c.clone() })
            })
            .collect(),
        ..spec.clone()
    };
    let named = |content: String| {
        let mut n = name_for(name, &content);
        if !limits.generated_names {
            n.generated = false;
        }
        n
    };
    let mut t = Table { name: name.to_owned(), ..Table::default() };
    t.columns.push(Column {
        name: "id".into(),
        data_type: type_name(kind, Ty::Int).into(),
        nullable: false,
        ..Column::default()
    });
    for (i, c) in &spec.columns {
        t.columns.push(Column {
            name: COLUMNS[*i].into(),
            data_type: type_name(kind, c.ty).into(),
            nullable: c.nullable,
            default: default_for(kind, c.ty, c.default),
            ..Column::default()
        });
    }
    let has = |i: &usize| spec.columns.iter().any(|(j, _)| j == i);
    let ty = |i: &usize| spec.columns.iter().find(|(j, _)| j == i).map(|(_, c)| c.ty);
    let pk_columns = match spec.pk % 4 {
        0 if limits.vary_primary_key => vec![],
        1 if limits.vary_primary_key && has(&0) && ty(&0) != Some(Ty::Text) => {
            vec!["id".to_owned(), COLUMNS[0].to_owned()]
        }
        _ => vec!["id".to_owned()],
    };
    if !pk_columns.is_empty() {
        let mut name = named(format!("pk_{}", pk_columns.join("_")));
        if kind == DatabaseKind::MySql {
            name = Name { name: "PRIMARY".into(), generated: true };
        }
        if kind == DatabaseKind::Sqlite {
            name.generated = true;
        }
        t.primary_key = Some(PrimaryKey { name, columns: pk_columns });
    }
    for i in spec.uniques.iter().filter(|i| has(i) && ty(i) != Some(Ty::Text)) {
        t.uniques.push(Unique { name: named(format!("{}_key", COLUMNS[*i])), columns: vec![COLUMNS[*i].into()] });
    }
    for i in spec.checks.iter().filter(|i| has(i) && !matches!(ty(i), Some(Ty::Mood | Ty::Bool | Ty::Timestamp))) {
        let expression = match (kind, ty(i)) {
            (_, Some(Ty::Text | Ty::Varchar)) => format!("{} <> ''", COLUMNS[*i]),
            (DatabaseKind::MySql, _) => format!("`{}` >= 0", COLUMNS[*i]),
            _ => format!("{} >= 0", COLUMNS[*i]),
        };
        let expression = if kind == DatabaseKind::MySql {
            expression.replace(&format!("{} <>", COLUMNS[*i]), &format!("`{}` <>", COLUMNS[*i]))
        } else {
            expression
        };
        let mut name = named(format!("{}_check", COLUMNS[*i]));
        if kind == DatabaseKind::Sqlite {
            name = Name { name: String::new(), generated: true };
        }
        t.checks.push(Check { name, expression });
    }
    let mut fk_columns = Vec::new();
    for (i, target, actions) in &spec.fks {
        // Integer columns referencing another table's id.
        if !has(i) || ty(i) != Some(Ty::Int) || fk_columns.contains(i) {
            continue;
        }
        let Some(ref_table) = tables.get(*target % tables.len().max(1)) else { continue };
        fk_columns.push(*i);
        let action = |n: u8| match n % 4 {
            0 => Action::NoAction,
            1 => Action::Cascade,
            2 => Action::SetNull,
            _ => Action::Restrict,
        };
        let (on_delete, on_update) = (action(*actions), action(*actions / 4));
        // SET NULL needs a nullable column (MySQL refuses the key otherwise).
        let nullable = spec.columns.iter().any(|(j, c)| j == i && c.nullable);
        let settable = |a| if a == Action::SetNull && !nullable { Action::NoAction } else { a };
        let (on_delete, on_update) = (settable(on_delete), settable(on_update));
        let (on_delete, on_update) = if kind == DatabaseKind::MySql {
            // RESTRICT and NO ACTION are the same on MySQL, normalised to NO ACTION.
            let same = |a| if a == Action::Restrict { Action::NoAction } else { a };
            (same(on_delete), same(on_update))
        } else {
            (on_delete, on_update)
        };
        let deferrable = if kind == DatabaseKind::MySql || actions / 16 % 3 == 0 {
            Deferrable::NotDeferrable
        } else if actions / 16 % 3 == 1 {
            Deferrable::InitiallyDeferred
        } else {
            Deferrable::InitiallyImmediate
        };
        let content = format!("{}_{ref_table}_{on_delete:?}{on_update:?}{deferrable:?}_fkey", COLUMNS[*i]);
        t.foreign_keys.push(ForeignKey {
            name: named(content),
            columns: vec![COLUMNS[*i].into()],
            ref_table: (*ref_table).to_owned(),
            ref_columns: vec!["id".into()],
            on_delete,
            on_update,
            deferrable,
        });
    }
    if kind == DatabaseKind::MySql {
        // MariaDB refuses a check on a column a foreign key with an action changes.
        let acted: Vec<String> = t
            .foreign_keys
            .iter()
            .filter(|fk| fk.on_delete != Action::NoAction || fk.on_update != Action::NoAction)
            .flat_map(|fk| fk.columns.clone())
            .collect();
        t.checks.retain(|c| !acted.iter().any(|a| c.expression.contains(&format!("`{a}`"))));
    }
    for (columns, unique, descending, extra) in &spec.indexes {
        let columns: Vec<&usize> =
            columns.iter().filter(|i| has(i) && (kind != DatabaseKind::MySql || ty(i) != Some(Ty::Text))).collect();
        if columns.is_empty() {
            continue;
        }
        let mut keys: Vec<IndexKey> = columns
            .iter()
            .map(|i| IndexKey { target: IndexTarget::Column(COLUMNS[**i].into()), descending: *descending })
            .collect();
        let mut predicate = None;
        if limits.index_expressions {
            if extra % 3 == 1 && !matches!(ty(columns[0]), Some(Ty::Mood | Ty::Bool | Ty::Timestamp)) {
                let c = COLUMNS[*columns[0]];
                keys[0].target = IndexTarget::Expression(match ty(columns[0]) {
                    Some(Ty::Text | Ty::Varchar) => format!("lower({c})"),
                    _ => format!("abs({c})"),
                });
            }
            if extra % 3 == 2 {
                predicate = Some(format!("{} IS NOT NULL", COLUMNS[*columns[0]]));
            }
        }
        let content = format!("{keys:?}{unique}{predicate:?}");
        let index = Index { name: named(content), unique: *unique, keys, predicate };
        if !t.indexes.iter().any(|x| x.keys == index.keys && x.unique == index.unique && x.predicate == index.predicate)
        {
            t.indexes.push(index);
        }
    }
    // How id numbers itself (where id is the whole primary key, as MySQL needs).
    let id_key = t.primary_key.as_ref().is_some_and(|k| k.columns == ["id"]);
    if id_key {
        t.columns[0].identity = match (kind, spec.numbering % 4) {
            (DatabaseKind::Postgres, 1) => Some(super::model::Identity::ByDefault),
            (DatabaseKind::Postgres, 2) => Some(super::model::Identity::Always),
            (DatabaseKind::Postgres, 3) => Some(super::model::Identity::Serial),
            (DatabaseKind::MySql, 1 | 2) => Some(super::model::Identity::AutoIncrement),
            _ => None,
        };
    }
    // A generated column.
    let expression = |factor: u8| {
        if kind == DatabaseKind::MySql { format!("`id` * {factor}") } else { format!("id * {factor}") }
    };
    let generated = match spec.numbering / 4 % 4 {
        1 => Some(super::model::Generated { expression: expression(2), stored: true }),
        2 => Some(super::model::Generated { expression: expression(3), stored: true }),
        3 if kind != DatabaseKind::Postgres => {
            Some(super::model::Generated { expression: expression(2), stored: false })
        }
        _ => None,
    };
    if let Some(generated) = generated {
        if kind == DatabaseKind::MySql {
            // MySQL: a generated column cannot read an AUTO_INCREMENT one.
            t.columns[0].identity = None;
        }
        t.columns.push(Column {
            name: "g".into(),
            data_type: type_name(kind, Ty::BigInt).into(),
            nullable: true,
            generated: Some(generated),
            ..Column::default()
        });
    }
    t.autoincrement =
        kind == DatabaseKind::Sqlite && spec.pk % 7 == 3 && t.primary_key.as_ref().is_some_and(|k| k.columns == ["id"]);
    if t.autoincrement || (kind == DatabaseKind::Sqlite && t.primary_key.as_ref().is_some_and(|k| k.columns == ["id"]))
    {
        t.columns[0].identity = Some(super::model::Identity::AutoIncrement);
    }
    t
}

fn arb_schema(limits: Limits) -> impl Strategy<Value = Schema> {
    (
        subsequence(TABLES.to_vec(), 1..=3),
        proptest::collection::vec(arb_table_spec(), TABLES.len()),
        subsequence(vec!["x", "y", "z"], 0..=3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(names, specs, values, reversed, with_enum)| {
            let with_enum = limits.enums && with_enum && !values.is_empty();
            let mut s = Schema::default();
            for (name, spec) in names.iter().zip(&specs) {
                s.tables.insert((*name).to_owned(), build_table(limits, name, spec, &names, with_enum));
            }
            if with_enum {
                let mut values: Vec<String> = values.into_iter().map(str::to_owned).collect();
                if reversed {
                    values.reverse();
                }
                s.enums.insert("mood".into(), EnumType { name: "mood".into(), values });
            }
            s
        })
}

/// Random pairs of schemas over the same small pool of names (so they overlap), with some
/// `renamed_from` notes on the second.
pub(crate) fn arb_schema_pair() -> impl Strategy<Value = (Schema, Schema)> {
    arb_schema_pair_with(Limits::model())
}

/// [`arb_schema_pair`] within `limits`.
pub(crate) fn arb_schema_pair_with(limits: Limits) -> impl Strategy<Value = (Schema, Schema)> {
    (arb_schema(limits), arb_schema(limits), any::<u8>()).prop_map(|(a, mut b, pick)| {
        // A table only b has, renamed from one only a has.
        let only_a: Vec<String> = a.tables.keys().filter(|t| !b.tables.contains_key(*t)).cloned().collect();
        let only_b: Vec<String> = b.tables.keys().filter(|t| !a.tables.contains_key(*t)).cloned().collect();
        if pick.is_multiple_of(2)
            && let (Some(old), Some(new)) = (only_a.first(), only_b.first())
        {
            b.tables.get_mut(new).unwrap().renamed_from = Some(old.clone());
        }
        // A column only b's table has, renamed from one only a's has (not `flag` or `at`,
        // whose types have no cast to the others).
        if pick.is_multiple_of(3) {
            let fixed = |c: &&Column| COLUMNS.iter().position(|n| *n == c.name).and_then(fixed_type).is_some();
            for (name, t) in &mut b.tables {
                let Some(old) = a.tables.get(name) else { continue };
                let old_only: Vec<&Column> =
                    old.columns.iter().filter(|c| t.column(&c.name).is_none() && !fixed(c)).collect();
                let new_only: Vec<String> = t
                    .columns
                    .iter()
                    .filter(|c| old.column(&c.name).is_none() && !fixed(c))
                    .map(|c| c.name.clone())
                    .collect();
                if let (Some(o), Some(n)) = (old_only.first(), new_only.first()) {
                    let c = t.columns.iter_mut().find(|c| c.name == *n).unwrap();
                    c.renamed_from = Some(o.name.clone());
                    break;
                }
            }
        }
        (a, b)
    })
}
