//! Comparing two schemas: the [`Change`]s that take one to the other.
//!
//! Both schemas come from real databases of the same kind, already normalised by
//! introspection, so the comparison is field by field, with three exceptions:
//!
//! * objects whose name the server made up ([`Name::generated`]) are matched by what they
//!   constrain or index, never by name;
//! * `renamed_from` on the desired side (from `-- renamed from: OLD` in `schema.sql`)
//!   turns a removal plus an addition into a rename that keeps the data; it is ignored when
//!   the old name is gone already (the rename was applied) or the new name exists;
//! * a removal plus an addition of the same shape without `renamed_from` is reported as a
//!   [`PossibleRename`], and left as a removal plus an addition.
//!
//! Column order is never compared.

use super::change::{Change, Renames};
use super::model::{Column, Name, Schema, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// What [`compare`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The changes, in a reading order (renames first, then by table). Renderers put them
    /// in dependency order themselves.
    pub changes: Vec<Change>,
    /// Removals and additions that look like renames (not acted on).
    pub possible_renames: Vec<PossibleRename>,
}

impl Comparison {
    /// Whether the schemas are the same.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// A table or column removed while another of the same shape was added: perhaps a rename,
/// which `-- renamed from: OLD` in `schema.sql` would make keep its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PossibleRename {
    /// Table `from` removed, table `to` added, with the same columns.
    Table {
        /// The removed table.
        from: String,
        /// The added table.
        to: String,
    },
    /// Column `from` of `table` removed, column `to` added, of the same definition.
    Column {
        /// The table.
        table: String,
        /// The removed column.
        from: String,
        /// The added column.
        to: String,
    },
}

impl fmt::Display for PossibleRename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PossibleRename::Table { from, to } => write!(
                f,
                "table '{from}' removed and table '{to}' added with the same columns: if it was renamed, \
                 end the line of `CREATE TABLE {to}` in schema.sql with `-- renamed from: {from}`"
            ),
            PossibleRename::Column { table, from, to } => write!(
                f,
                "column '{table}.{from}' removed and column '{table}.{to}' added with the same definition: \
                 if it was renamed, end the line of column {to} in schema.sql with `-- renamed from: {from}`"
            ),
        }
    }
}

/// The changes that take schema `from` (head) to schema `to` (desired).
///
/// Every change names tables and columns as they are after the renames (see
/// [`super::change`]); [`super::change::reverse_all`] gives the way back. `compare(a, a)`
/// is empty.
///
/// ```
/// use migrate_embed::schema::{compare, model::{Column, Schema, Table}};
/// let table = |columns: &[&str]| Table {
///     name: "users".into(),
///     columns: columns.iter().map(|c| Column { name: c.to_string(), data_type: "text".into(), nullable: true, ..Column::default() }).collect(),
///     ..Table::default()
/// };
/// let mut head = Schema::default();
/// head.tables.insert("users".into(), table(&["id", "gender"]));
/// let mut desired = Schema::default();
/// desired.tables.insert("users".into(), table(&["id"]));
/// let found = compare(&head, &desired);
/// assert_eq!(found.changes[0].describe(), "removed column 'users.gender'");
/// assert!(compare(&head, &head).is_empty());
/// ```
pub fn compare(from: &Schema, to: &Schema) -> Comparison {
    let mut changes = Vec::new();
    let renames = find_renames(from, to, &mut changes);
    let from = without_renamed_from(&renames.apply_to_schema(from));
    let to = without_renamed_from(to);
    let mut possible_renames = Vec::new();

    // Enum types.
    for (name, e) in &to.enums {
        match from.enums.get(name) {
            None => changes.push(Change::AddEnum { enum_type: e.clone() }),
            Some(old) if old.values != e.values => {
                changes.push(Change::AlterEnum { name: name.clone(), from: old.values.clone(), to: e.values.clone() })
            }
            Some(_) => {}
        }
    }

    // Tables added and removed.
    let added: Vec<&Table> = to.tables.values().filter(|t| !from.tables.contains_key(&t.name)).collect();
    let removed: Vec<&Table> = from.tables.values().filter(|t| !to.tables.contains_key(&t.name)).collect();
    for t in &added {
        changes.push(Change::AddTable { table: (*t).clone() });
    }
    for t in &removed {
        changes.push(Change::DropTable { table: (*t).clone() });
    }
    for r in &removed {
        for a in &added {
            if table_shape(r) == table_shape(a) {
                possible_renames.push(PossibleRename::Table { from: r.name.clone(), to: a.name.clone() });
            }
        }
    }

    // Tables on both sides.
    for t in to.tables.values() {
        if let Some(f) = from.tables.get(&t.name) {
            compare_table(f, t, &mut changes, &mut possible_renames);
        }
    }

    for (name, e) in &from.enums {
        if !to.enums.contains_key(name) {
            changes.push(Change::DropEnum { enum_type: e.clone() });
        }
    }
    Comparison { changes, possible_renames }
}

/// The renames `to` asks for that apply to `from`, pushed as changes (tables first).
fn find_renames(from: &Schema, to: &Schema, changes: &mut Vec<Change>) -> Renames {
    let mut renames = Renames::default();
    let mut used = BTreeSet::new();
    for t in to.tables.values() {
        if let Some(old) = &t.renamed_from
            && *old != t.name
            && from.tables.contains_key(old)
            && !to.tables.contains_key(old)
            && !from.tables.contains_key(&t.name)
            && used.insert(old.clone())
        {
            renames.tables.insert(old.clone(), t.name.clone());
            changes.push(Change::RenameTable { from: old.clone(), to: t.name.clone() });
        }
    }
    for t in to.tables.values() {
        let old_table = renames.tables.iter().find(|(_, new)| **new == t.name).map_or(&t.name, |(old, _)| old);
        let Some(f) = from.tables.get(old_table) else { continue };
        let mut used = BTreeSet::new();
        for c in &t.columns {
            if let Some(old) = &c.renamed_from
                && *old != c.name
                && f.column(old).is_some()
                && t.column(old).is_none()
                && f.column(&c.name).is_none()
                && used.insert(old.clone())
            {
                renames.columns.insert((t.name.clone(), old.clone()), c.name.clone());
                changes.push(Change::RenameColumn { table: t.name.clone(), from: old.clone(), to: c.name.clone() });
            }
        }
    }
    renames
}

/// `schema` without the desired side's `renamed_from` notes.
fn without_renamed_from(schema: &Schema) -> Schema {
    let mut out = schema.clone();
    for t in out.tables.values_mut() {
        t.renamed_from = None;
        for c in &mut t.columns {
            c.renamed_from = None;
        }
    }
    out
}

/// What makes two tables look alike: their columns' names and definitions.
fn table_shape(t: &Table) -> BTreeSet<(String, String, bool)> {
    t.columns.iter().map(|c| (c.name.clone(), c.data_type.clone(), c.nullable)).collect()
}

/// A column's definition without its name.
fn column_shape(c: &Column) -> Column {
    Column { name: String::new(), renamed_from: None, ..c.clone() }
}

fn compare_table(f: &Table, t: &Table, changes: &mut Vec<Change>, possible_renames: &mut Vec<PossibleRename>) {
    let table = &t.name;
    let mut added_columns = Vec::new();
    let mut removed_columns = Vec::new();
    for c in &t.columns {
        match f.column(&c.name) {
            None => {
                added_columns.push(c);
                changes.push(Change::AddColumn { table: table.clone(), column: c.clone() });
            }
            Some(old) if old != c => {
                changes.push(Change::AlterColumn { table: table.clone(), from: old.clone(), to: c.clone() })
            }
            Some(_) => {}
        }
    }
    for c in &f.columns {
        if t.column(&c.name).is_none() {
            removed_columns.push(c);
            changes.push(Change::DropColumn { table: table.clone(), column: c.clone() });
        }
    }
    for r in &removed_columns {
        for a in &added_columns {
            if column_shape(r) == column_shape(a) {
                possible_renames.push(PossibleRename::Column {
                    table: table.clone(),
                    from: r.name.clone(),
                    to: a.name.clone(),
                });
            }
        }
    }

    if f.autoincrement != t.autoincrement {
        changes.push(Change::AlterAutoincrement { table: table.clone(), from: f.autoincrement, to: t.autoincrement });
    }

    let pk_from: Vec<_> = f.primary_key.iter().collect();
    let pk_to: Vec<_> = t.primary_key.iter().collect();
    let (gone, new) = matched(&pk_from, &pk_to, |k| &k.name, |a, b| a.columns == b.columns);
    changes.extend(gone.into_iter().map(|k| Change::DropPrimaryKey { table: table.clone(), key: k.clone() }));
    changes.extend(new.into_iter().map(|k| Change::AddPrimaryKey { table: table.clone(), key: k.clone() }));

    let (gone, new) = matched(&refs(&f.uniques), &refs(&t.uniques), |u| &u.name, |a, b| a.columns == b.columns);
    changes.extend(gone.into_iter().map(|u| Change::DropUnique { table: table.clone(), unique: u.clone() }));
    changes.extend(new.into_iter().map(|u| Change::AddUnique { table: table.clone(), unique: u.clone() }));

    let (gone, new) = matched(&refs(&f.checks), &refs(&t.checks), |c| &c.name, |a, b| a.expression == b.expression);
    changes.extend(gone.into_iter().map(|c| Change::DropCheck { table: table.clone(), check: c.clone() }));
    changes.extend(new.into_iter().map(|c| Change::AddCheck { table: table.clone(), check: c.clone() }));

    let same_fk = |a: &super::model::ForeignKey, b: &super::model::ForeignKey| {
        a.columns == b.columns
            && a.ref_table == b.ref_table
            && a.ref_columns == b.ref_columns
            && a.on_delete == b.on_delete
            && a.on_update == b.on_update
            && a.deferrable == b.deferrable
    };
    let (gone, new) = matched(&refs(&f.foreign_keys), &refs(&t.foreign_keys), |k| &k.name, same_fk);
    changes.extend(gone.into_iter().map(|k| Change::DropForeignKey { table: table.clone(), foreign_key: k.clone() }));
    changes.extend(new.into_iter().map(|k| Change::AddForeignKey { table: table.clone(), foreign_key: k.clone() }));

    let same_index = |a: &super::model::Index, b: &super::model::Index| {
        a.unique == b.unique && a.keys == b.keys && a.predicate == b.predicate
    };
    let (gone, new) = matched(&refs(&f.indexes), &refs(&t.indexes), |i| &i.name, same_index);
    changes.extend(gone.into_iter().map(|i| Change::DropIndex { table: table.clone(), index: i.clone() }));
    changes.extend(new.into_iter().map(|i| Change::AddIndex { table: table.clone(), index: i.clone() }));
}

fn refs<T>(items: &[T]) -> Vec<&T> {
    items.iter().collect()
}

/// Pairs `from` and `to` items of the same content whose names agree (equal, or either
/// made up by the server), exact matches first; returns the unpaired ones of each side.
fn matched<'a, T: PartialEq>(
    from: &[&'a T],
    to: &[&'a T],
    name: impl Fn(&T) -> &Name,
    same: impl Fn(&T, &T) -> bool,
) -> (Vec<&'a T>, Vec<&'a T>) {
    let mut from_left: Vec<Option<&T>> = from.iter().map(|x| Some(*x)).collect();
    let mut to_left: Vec<Option<&T>> = to.iter().map(|x| Some(*x)).collect();
    let names_agree = |a: &Name, b: &Name| a.generated || b.generated || a.name == b.name;
    for exact in [true, false] {
        for slot in to_left.iter_mut() {
            let Some(t) = *slot else { continue };
            let found = from_left
                .iter_mut()
                .find(|f| f.is_some_and(|f| if exact { f == t } else { same(f, t) && names_agree(name(f), name(t)) }));
            if let Some(f) = found {
                *f = None;
                *slot = None;
            }
        }
    }
    (from_left.into_iter().flatten().collect(), to_left.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::change::reverse_all;
    use crate::schema::model::{Check, ForeignKey, Index, IndexKey, IndexTarget, PrimaryKey, Unique};
    use crate::schema::testing::{apply, arb_schema_pair, equivalent};
    use proptest::prelude::*;

    fn col(name: &str, data_type: &str) -> Column {
        Column { name: name.into(), data_type: data_type.into(), nullable: true, ..Column::default() }
    }

    fn table(name: &str, columns: Vec<Column>) -> Table {
        Table { name: name.into(), columns, ..Table::default() }
    }

    fn schema(tables: Vec<Table>) -> Schema {
        Schema { tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(), ..Schema::default() }
    }

    fn described(c: &Comparison) -> Vec<String> {
        c.changes.iter().map(Change::describe).collect()
    }

    fn named(name: &str, generated: bool) -> Name {
        Name { name: name.into(), generated }
    }

    #[test]
    fn same_schema_no_changes() {
        let s = schema(vec![table("a", vec![col("id", "integer")])]);
        assert!(compare(&s, &s).is_empty());
        assert!(compare(&Schema::default(), &Schema::default()).is_empty());
    }

    #[test]
    fn server_made_names_are_not_differences() {
        let mut head = table("t", vec![col("a", "integer"), col("b", "integer")]);
        head.primary_key = Some(PrimaryKey { name: named("t_pkey", true), columns: vec!["a".into()] });
        head.uniques = vec![Unique { name: named("t_b_key", true), columns: vec!["b".into()] }];
        head.checks = vec![
            Check { name: named("t_a_check", true), expression: "(a > 0)".into() },
            Check { name: named("t_a_check1", true), expression: "(a < 10)".into() },
        ];
        let mut desired = head.clone();
        desired.primary_key.as_mut().unwrap().name = named("CONSTRAINT_9", true);
        desired.uniques[0].name = named("uq_b", false);
        // The same checks, found in the other order and numbered the other way.
        desired.checks = vec![
            Check { name: named("t_a_check", true), expression: "(a < 10)".into() },
            Check { name: named("t_a_check1", true), expression: "(a > 0)".into() },
        ];
        assert!(compare(&schema(vec![head.clone()]), &schema(vec![desired.clone()])).is_empty());

        // Two names a user gave that differ are a difference.
        head.uniques[0].name = named("uq_old", false);
        let found = compare(&schema(vec![head]), &schema(vec![desired]));
        assert_eq!(
            described(&found),
            ["removed unique constraint 'uq_old' on 't'", "added unique constraint 'uq_b' on 't'"]
        );
    }

    #[test]
    fn unnamed_constraints_match_by_content() {
        let fk = |on_delete| ForeignKey {
            name: named("c_p_fkey", true),
            columns: vec!["p".into()],
            ref_table: "p".into(),
            ref_columns: vec!["id".into()],
            on_delete,
            ..ForeignKey::default()
        };
        let mut head = table("c", vec![col("p", "integer")]);
        head.foreign_keys = vec![fk(crate::schema::model::Action::NoAction)];
        let mut desired = head.clone();
        desired.foreign_keys = vec![fk(crate::schema::model::Action::Cascade)];
        let found = compare(&schema(vec![head]), &schema(vec![desired]));
        assert_eq!(
            described(&found),
            [
                "removed foreign key on 'c' (p) referencing 'p' (id)",
                "added foreign key on 'c' (p) referencing 'p' (id)"
            ]
        );
    }

    #[test]
    fn renamed_from_renames_and_keeps_data() {
        let head = schema(vec![table("people", vec![col("id", "integer"), col("nick", "text")])]);
        let mut users = table(
            "users",
            vec![col("id", "integer"), Column { renamed_from: Some("nick".into()), ..col("handle", "text") }],
        );
        users.renamed_from = Some("people".into());
        let desired = schema(vec![users]);
        let found = compare(&head, &desired);
        assert_eq!(
            described(&found),
            ["renamed table 'people' to 'users'", "renamed column 'users.nick' to 'users.handle'"]
        );
        assert!(found.possible_renames.is_empty());
        assert!(equivalent(&apply(&head, &found.changes), &desired));

        // Once applied, the note in schema.sql changes nothing.
        let applied = apply(&head, &found.changes);
        assert!(compare(&applied, &desired).is_empty());
    }

    #[test]
    fn same_shape_removed_and_added_is_a_possible_rename() {
        let head = schema(vec![table("people", vec![col("id", "integer"), col("nick", "text")])]);
        let desired = schema(vec![table("users", vec![col("id", "integer"), col("nick", "text")])]);
        let found = compare(&head, &desired);
        assert_eq!(described(&found), ["added table 'users'", "removed table 'people'"]);
        assert_eq!(found.possible_renames, [PossibleRename::Table { from: "people".into(), to: "users".into() }]);
        assert_eq!(
            found.possible_renames[0].to_string(),
            "table 'people' removed and table 'users' added with the same columns: if it was renamed, end the line \
             of `CREATE TABLE users` in schema.sql with `-- renamed from: people`"
        );

        let head = schema(vec![table("users", vec![col("id", "integer"), col("nick", "text")])]);
        let desired = schema(vec![table("users", vec![col("id", "integer"), col("handle", "text")])]);
        let found = compare(&head, &desired);
        assert_eq!(described(&found), ["added column 'users.handle'", "removed column 'users.nick'"]);
        assert_eq!(
            found.possible_renames,
            [PossibleRename::Column { table: "users".into(), from: "nick".into(), to: "handle".into() }]
        );
    }

    #[test]
    fn column_order_is_not_compared() {
        let head = schema(vec![table("t", vec![col("a", "integer"), col("b", "text")])]);
        let desired = schema(vec![table("t", vec![col("b", "text"), col("a", "integer")])]);
        assert!(compare(&head, &desired).is_empty());
    }

    #[test]
    fn indexes_match_by_keys_and_predicate() {
        let index = |name: &str, generated, predicate: Option<&str>| Index {
            name: named(name, generated),
            unique: false,
            keys: vec![IndexKey { target: IndexTarget::Expression("lower(note)".into()), descending: false }],
            predicate: predicate.map(str::to_owned),
        };
        let mut head = table("t", vec![col("note", "text")]);
        head.indexes = vec![index("t_lower_idx", true, None)];
        let mut desired = head.clone();
        desired.indexes = vec![index("t_lower_idx1", true, None)];
        assert!(compare(&schema(vec![head.clone()]), &schema(vec![desired.clone()])).is_empty());
        desired.indexes = vec![index("t_lower_idx", true, Some("(note IS NOT NULL)"))];
        let found = compare(&schema(vec![head]), &schema(vec![desired]));
        assert_eq!(described(&found), ["removed index on 't' (lower(note))", "added index on 't' (lower(note))"]);
    }

    #[test]
    fn enum_values() {
        let mut head = Schema::default();
        head.enums.insert(
            "mood".into(),
            crate::schema::model::EnumType { name: "mood".into(), values: vec!["a".into(), "b".into()] },
        );
        let mut desired = head.clone();
        desired.enums.get_mut("mood").unwrap().values = vec!["a".into(), "c".into(), "b".into()];
        desired
            .enums
            .insert("size".into(), crate::schema::model::EnumType { name: "size".into(), values: vec!["s".into()] });
        let found = compare(&head, &desired);
        assert_eq!(described(&found), ["added value 'c' to enum type 'mood'", "added enum type 'size'"]);
        assert_eq!(
            described(&compare(&desired, &head)),
            ["removed value 'c' from enum type 'mood'", "removed enum type 'size'"]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// The changes found, applied to the model, give the desired schema; their reverse
        /// gives the head back; a schema against itself gives nothing.
        #[test]
        fn compare_then_apply_reaches_the_target((a, b) in arb_schema_pair()) {
            prop_assert!(compare(&a, &a).is_empty());
            prop_assert!(compare(&b, &b).is_empty());
            let found = compare(&a, &b);
            let reached = apply(&a, &found.changes);
            prop_assert!(equivalent(&reached, &b), "up: {:#?}\nreached {:#?}", found.changes, reached);
            prop_assert!(compare(&reached, &b).is_empty());
            let down = reverse_all(&found.changes);
            let back = apply(&reached, &down);
            prop_assert!(equivalent(&back, &a), "down: {:#?}", down);
            prop_assert_eq!(reverse_all(&down), found.changes.clone());
            for change in &found.changes {
                prop_assert_eq!(&change.reverse().reverse(), change);
            }
        }
    }
}
