//! PostgreSQL's DDL.
//!
//! * A type change is `ALTER COLUMN … TYPE … USING col::type` (through `text` when an enum
//!   is on either side), with the column's default dropped first and set again after, since
//!   PostgreSQL cannot always cast the old default.
//! * An enum type whose values are only added gets them in place (`ALTER TYPE … ADD VALUE …
//!   BEFORE/AFTER`); one that loses or reorders values is rebuilt: the old type renamed,
//!   the new one created, every column using it converted (`USING col::text::new`), the
//!   old one dropped at the end. A value added in place and used in the same script (in a
//!   default, a check, an index, or by a column converted to the type) must be committed
//!   first: the script is then not transactional.
//! * Foreign keys keep `DEFERRABLE`; identity columns, serials and their sequences follow
//!   the column (the sequence restarted after the highest value).

use super::{Context, Out, RenderError, Script, mentions};
use crate::schema::change::Change;
use crate::schema::model::{Column, Identity, IndexTarget, Table};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn render(ctx: &Context) -> Result<Script, RenderError> {
    let mut out = Out::default();
    let enums = EnumPlan::new(ctx);
    let mut converted: BTreeSet<(String, String)> = BTreeSet::new();
    // Kept foreign keys on a key the changes drop: out first, back at the end.
    let lifted = ctx.lifted_foreign_keys(false);
    for (i, change) in ctx.changes.iter().enumerate() {
        if i == ctx.lift_at() {
            for (table, fk) in &lifted {
                drop_constraint(ctx, &mut out, table, &fk.name.name);
            }
        }
        if i == ctx.deferred_at {
            add_deferred(ctx, &mut out);
            add_foreign_keys(ctx, &mut out, &lifted);
        }
        out.begin(change);
        match change {
            Change::RenameTable { from, to } => {
                out.push(format!("ALTER TABLE {} RENAME TO {}", ctx.q(from), ctx.q(to)));
            }
            Change::RenameColumn { table, from, to } => {
                out.push(format!("ALTER TABLE {} RENAME COLUMN {} TO {}", ctx.q(table), ctx.q(from), ctx.q(to)));
            }
            Change::DropForeignKey { table, foreign_key: fk } => drop_constraint(ctx, &mut out, table, &fk.name.name),
            Change::DropIndex { index, .. } => out.push(format!("DROP INDEX {}", ctx.q(&index.name.name))),
            Change::DropCheck { table, check } => drop_constraint(ctx, &mut out, table, &check.name.name),
            Change::DropUnique { table, unique } => drop_constraint(ctx, &mut out, table, &unique.name.name),
            Change::DropPrimaryKey { table, key } => drop_constraint(ctx, &mut out, table, &key.name.name),
            Change::DropColumn { table, column } => {
                out.push(format!("ALTER TABLE {} DROP COLUMN {}", ctx.q(table), ctx.q(&column.name)));
            }
            Change::DropTable { table } => {
                let pending = out.forget_pending();
                for (t, fk) in ctx.cycle_drops.iter().filter(|_| ctx.is_first_drop(change)) {
                    drop_constraint(ctx, &mut out, t, &fk.name.name);
                }
                pending.into_iter().for_each(|w| out.warn(w));
                out.push(format!("DROP TABLE {}", ctx.q(&table.name)));
            }
            Change::AddEnum { enum_type } => {
                let values: Vec<String> = enum_type.values.iter().map(|v| ctx.lit(v)).collect();
                out.push(format!("CREATE TYPE {} AS ENUM ({})", ctx.q(&enum_type.name), values.join(", ")));
            }
            Change::AlterEnum { name, from, to } => {
                alter_enum(ctx, &mut out, &enums, name, from, to, &mut converted);
            }
            Change::DropEnum { enum_type } => out.push(format!("DROP TYPE {}", ctx.q(&enum_type.name))),
            Change::AddTable { table } => create_table(ctx, &mut out, table),
            Change::AddColumn { table, column } => {
                out.push(format!("ALTER TABLE {} ADD COLUMN {}", ctx.q(table), column_definition(ctx, column)));
            }
            Change::AlterColumn { table, from, to } => {
                let was_converted = converted.contains(&(table.clone(), to.name.clone()));
                alter_column(ctx, &mut out, table, from, to, was_converted);
            }
            Change::AlterAutoincrement { table, .. } => {
                return Err(
                    ctx.unsupported(table, format!("make table '{table}' AUTOINCREMENT (a SQLite table option)"))
                );
            }
            Change::AddPrimaryKey { table, key } => out.push(format!(
                "ALTER TABLE {} ADD {}PRIMARY KEY ({})",
                ctx.q(table),
                ctx.constraint_name(&key.name),
                ctx.columns(&key.columns)
            )),
            Change::AddUnique { table, unique } => {
                out.push(format!("ALTER TABLE {} ADD {}", ctx.q(table), ctx.unique_clause(unique)));
            }
            Change::AddCheck { table, check } => {
                out.push(format!("ALTER TABLE {} ADD {}", ctx.q(table), ctx.check_clause(check)));
            }
            Change::AddIndex { table, index } => out.push(create_index(ctx, table, index)),
            Change::AddForeignKey { table, foreign_key } => {
                out.push(format!("ALTER TABLE {} ADD {}", ctx.q(table), ctx.foreign_key_clause(foreign_key, true)));
            }
        }
    }
    if ctx.lift_at() == ctx.changes.len() {
        for (table, fk) in &lifted {
            drop_constraint(ctx, &mut out, table, &fk.name.name);
        }
    }
    if ctx.deferred_at == ctx.changes.len() {
        add_deferred(ctx, &mut out);
        add_foreign_keys(ctx, &mut out, &lifted);
    }
    for name in enums.rebuilt.keys() {
        out.push(format!("DROP TYPE {}", ctx.q(&old_type_name(name))));
    }
    Ok(out.finish(!enums.new_value_used(ctx), false))
}

/// The foreign keys of new tables that waited for every table (and key) to exist.
fn add_deferred(ctx: &Context, out: &mut Out) {
    add_foreign_keys(ctx, out, &ctx.deferred);
}

fn add_foreign_keys(ctx: &Context, out: &mut Out, keys: &[(String, crate::schema::model::ForeignKey)]) {
    for (table, fk) in keys {
        out.push(format!("ALTER TABLE {} ADD {}", ctx.q(table), ctx.foreign_key_clause(fk, true)));
    }
}

fn drop_constraint(ctx: &Context, out: &mut Out, table: &str, name: &str) {
    out.push(format!("ALTER TABLE {} DROP CONSTRAINT {}", ctx.q(table), ctx.q(name)));
}

/// The name a rebuilt enum type's old version takes while columns are converted.
fn old_type_name(name: &str) -> String {
    format!("{name}__old")
}

/// `serial`/`bigserial`/`smallserial` for a serial column of `data_type`.
fn serial_type(data_type: &str) -> Option<&'static str> {
    match data_type {
        "integer" => Some("serial"),
        "bigint" => Some("bigserial"),
        "smallint" => Some("smallserial"),
        _ => None,
    }
}

/// A column's definition: `"c" type [GENERATED …] [NOT NULL] [DEFAULT …]`.
fn column_definition(ctx: &Context, c: &Column) -> String {
    let mut s = ctx.q(&c.name);
    s.push(' ');
    match (c.identity, serial_type(&c.data_type)) {
        (Some(Identity::Serial), Some(serial)) => s.push_str(serial),
        _ => s.push_str(&c.data_type),
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", g.expression));
    }
    match c.identity {
        Some(Identity::Always) => s.push_str(" GENERATED ALWAYS AS IDENTITY"),
        Some(Identity::ByDefault | Identity::AutoIncrement) => s.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
        Some(Identity::Serial) if serial_type(&c.data_type).is_none() => {
            // Not an integer type: an identity is the nearest thing.
            s.push_str(" GENERATED BY DEFAULT AS IDENTITY");
        }
        _ => {}
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default
        && c.generated.is_none()
        && c.identity.is_none()
    {
        s.push_str(" DEFAULT ");
        s.push_str(d);
    }
    s
}

fn create_table(ctx: &Context, out: &mut Out, table: &Table) {
    let columns = table.columns.iter().map(|c| column_definition(ctx, c)).collect();
    out.push(ctx.create_new_table(table, columns, true, true));
    for index in &table.indexes {
        out.push(create_index(ctx, &table.name, index));
    }
}

fn create_index(ctx: &Context, table: &str, index: &crate::schema::model::Index) -> String {
    let mut s = String::from(if index.unique { "CREATE UNIQUE INDEX " } else { "CREATE INDEX " });
    if !index.name.generated && !index.name.name.is_empty() {
        s.push_str(&ctx.q(&index.name.name));
        s.push(' ');
    }
    s.push_str(&format!("ON {} ({})", ctx.q(table), ctx.index_keys(&index.keys)));
    if let Some(p) = &index.predicate {
        s.push_str(" WHERE ");
        s.push_str(p);
    }
    s
}

/// What happens to the enum types whose values change.
struct EnumPlan {
    /// Types rebuilt (a value removed or the order changed): name → new values.
    rebuilt: BTreeMap<String, Vec<String>>,
    /// Types that get values in place: name → the new values.
    added_in_place: BTreeMap<String, Vec<String>>,
}

impl EnumPlan {
    fn new(ctx: &Context) -> EnumPlan {
        let mut plan = EnumPlan { rebuilt: BTreeMap::new(), added_in_place: BTreeMap::new() };
        for change in &ctx.changes {
            if let Change::AlterEnum { name, from, to } = change {
                let kept: Vec<&String> = to.iter().filter(|v| from.contains(v)).collect();
                let in_place = from.iter().all(|v| to.contains(v)) && kept.iter().copied().eq(from.iter());
                if in_place {
                    plan.added_in_place
                        .insert(name.clone(), to.iter().filter(|v| !from.contains(v)).cloned().collect());
                } else {
                    plan.rebuilt.insert(name.clone(), to.clone());
                }
            }
        }
        plan
    }

    fn is_enum_type(ctx: &Context, data_type: &str) -> bool {
        let base = data_type.strip_suffix("[]").unwrap_or(data_type);
        let base = base.trim_matches('"');
        ctx.before.enums.contains_key(base) || ctx.after.enums.contains_key(base)
    }

    /// Whether a value added in place is used by the same script: named in an expression
    /// the script writes (a default, a generated column, a check, an index), or needed by
    /// a column the script converts to the type.
    fn new_value_used(&self, ctx: &Context) -> bool {
        if self.added_in_place.is_empty() {
            return false;
        }
        let literals: Vec<String> = self.added_in_place.values().flatten().map(|v| ctx.lit(v)).collect();
        let mut texts: Vec<String> = Vec::new();
        let column_texts = |c: &Column, texts: &mut Vec<String>| {
            texts.extend(c.default.clone());
            texts.extend(c.generated.as_ref().map(|g| g.expression.clone()));
        };
        for change in &ctx.changes {
            match change {
                Change::AddTable { table } => {
                    for c in &table.columns {
                        column_texts(c, &mut texts);
                    }
                    texts.extend(table.checks.iter().map(|c| c.expression.clone()));
                    texts.extend(table.indexes.iter().flat_map(index_texts));
                }
                Change::AddColumn { column, .. } => column_texts(column, &mut texts),
                Change::AlterColumn { from, to, .. } => {
                    column_texts(to, &mut texts);
                    let base = to.data_type.strip_suffix("[]").unwrap_or(&to.data_type);
                    if from.data_type != to.data_type && self.added_in_place.contains_key(base.trim_matches('"')) {
                        return true;
                    }
                }
                Change::AddCheck { check, .. } => texts.push(check.expression.clone()),
                Change::AddIndex { index, .. } => texts.extend(index_texts(index)),
                _ => {}
            }
        }
        texts.iter().any(|t| literals.iter().any(|l| t.contains(l.as_str())))
    }
}

fn index_texts(index: &crate::schema::model::Index) -> Vec<String> {
    let mut texts: Vec<String> = index
        .keys
        .iter()
        .filter_map(|k| match &k.target {
            IndexTarget::Expression(e) => Some(e.clone()),
            IndexTarget::Column(_) => None,
        })
        .collect();
    texts.extend(index.predicate.clone());
    texts
}

fn alter_enum(
    ctx: &Context,
    out: &mut Out,
    plan: &EnumPlan,
    name: &str,
    from: &[String],
    to: &[String],
    converted: &mut BTreeSet<(String, String)>,
) {
    let ty = ctx.q(name);
    if !plan.rebuilt.contains_key(name) {
        // Values only added: in place, each placed before the next kept value (or after
        // the last value when none follows).
        let mut current: Vec<String> = from.to_vec();
        for (i, value) in to.iter().enumerate() {
            if current.contains(value) {
                continue;
            }
            let next_kept = to[i + 1..].iter().find(|v| current.contains(v));
            let placement = match next_kept {
                Some(next) => format!(" BEFORE {}", ctx.lit(next)),
                None => match current.last() {
                    Some(last) => format!(" AFTER {}", ctx.lit(last)),
                    None => String::new(),
                },
            };
            out.push(format!("ALTER TYPE {ty} ADD VALUE {}{placement}", ctx.lit(value)));
            let at = next_kept.and_then(|n| current.iter().position(|v| v == n)).unwrap_or(current.len());
            current.insert(at, value.clone());
        }
        return;
    }
    // Rebuilt: rename the old type, create the new one, convert the columns that keep the
    // type (columns changing to another type are converted by their own change).
    out.push(format!("ALTER TYPE {ty} RENAME TO {}", ctx.q(&old_type_name(name))));
    let values: Vec<String> = to.iter().map(|v| ctx.lit(v)).collect();
    out.push(format!("CREATE TYPE {ty} AS ENUM ({})", values.join(", ")));
    let array = format!("{name}[]");
    for t in ctx.before.tables.values() {
        let Some(after) = ctx.after_table(&t.name) else { continue };
        for c in &t.columns {
            let Some(ac) = after.column(&c.name) else { continue };
            let uses = |ty: &str| ty.trim_matches('"') == name || ty == array;
            if !uses(&c.data_type) || ac.data_type != c.data_type {
                continue;
            }
            let (table, column) = (ctx.q(&t.name), ctx.q(&c.name));
            // Predicates, index expressions and checks that read the column hold values of
            // the old type, which the conversion cannot rewrite: they go first and come
            // back after, as the desired side has them.
            let reads = |expr: &str| mentions(ctx.kind, expr, &c.name);
            let kept_indexes: Vec<&crate::schema::model::Index> = t
                .indexes
                .iter()
                .filter(|i| after.indexes.contains(i))
                .filter(|i| {
                    i.predicate.as_deref().is_some_and(reads)
                        || i.keys.iter().any(|k| matches!(&k.target, IndexTarget::Expression(e) if reads(e)))
                })
                .collect();
            let kept_checks: Vec<&crate::schema::model::Check> =
                t.checks.iter().filter(|k| after.checks.contains(k) && reads(&k.expression)).collect();
            for index in &kept_indexes {
                out.push(format!("DROP INDEX {}", ctx.q(&index.name.name)));
            }
            for check in &kept_checks {
                out.push(format!("ALTER TABLE {table} DROP CONSTRAINT {}", ctx.q(&check.name.name)));
            }
            if c.default.is_some() {
                out.push(format!("ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT"));
            }
            let cast = if c.data_type == array { "text[]" } else { "text" };
            out.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} TYPE {} USING {column}::{cast}::{}",
                ac.data_type, ac.data_type
            ));
            if let Some(d) = &ac.default {
                out.push(format!("ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {d}"));
            }
            for check in &kept_checks {
                out.push(format!("ALTER TABLE {table} ADD {}", ctx.check_clause(check)));
            }
            for index in &kept_indexes {
                out.push(create_index(ctx, &t.name, index));
            }
            converted.insert((t.name.clone(), c.name.clone()));
        }
    }
}

fn alter_column(ctx: &Context, out: &mut Out, table: &str, from: &Column, to: &Column, converted: bool) {
    let t = ctx.q(table);
    let c = ctx.q(&to.name);
    let alter = |what: String| format!("ALTER TABLE {t} ALTER COLUMN {c} {what}");
    if from.generated != to.generated {
        // PostgreSQL cannot make a column generated, nor change its expression in place
        // before 17: the column is replaced.
        if from.generated.is_some() && to.generated.is_none() && from.data_type == to.data_type {
            out.push(alter("DROP EXPRESSION".into()));
            let plain = Column { generated: None, default: None, ..from.clone() };
            if plain != *to {
                alter_column(ctx, out, table, &plain, to, converted);
            }
            return;
        }
        out.push(format!("ALTER TABLE {t} DROP COLUMN {c}"));
        out.push(format!("ALTER TABLE {t} ADD COLUMN {}", column_definition(ctx, to)));
        return;
    }
    // The default the column has now: one converted with its enum type already has its new one.
    let mut current_default = if converted { to.default.clone() } else { from.default.clone() };
    // 1. The old numbering goes.
    if from.identity != to.identity {
        match from.identity {
            Some(Identity::Serial) => {
                // The nextval() default (the model does not list it).
                current_default = None;
                out.push(alter("DROP DEFAULT".into()));
                out.push(format!(
                    "DO $$ BEGIN EXECUTE 'DROP SEQUENCE IF EXISTS ' || pg_get_serial_sequence({}, {}); END $$",
                    ctx.lit(&t),
                    ctx.lit(&to.name)
                ));
            }
            Some(Identity::Always | Identity::ByDefault | Identity::AutoIncrement)
                if !matches!(to.identity, Some(Identity::Always | Identity::ByDefault | Identity::AutoIncrement)) =>
            {
                out.push(alter("DROP IDENTITY".into()));
            }
            _ => {}
        }
    }
    // 2. The type, with the default out of the way.
    let type_changes = from.data_type != to.data_type;
    if type_changes {
        if current_default.take().is_some() {
            out.push(alter("DROP DEFAULT".into()));
        }
        let via_text = EnumPlan::is_enum_type(ctx, &from.data_type) || EnumPlan::is_enum_type(ctx, &to.data_type);
        let using = if via_text {
            let text = if from.data_type.ends_with("[]") { "text[]" } else { "text" };
            if to.data_type == text { format!("{c}::{text}") } else { format!("{c}::{text}::{}", to.data_type) }
        } else {
            format!("{c}::{}", to.data_type)
        };
        out.push(alter(format!("TYPE {} USING {using}", to.data_type)));
    }
    // 3. Nullability, NULL rows filled from the default first.
    if from.nullable != to.nullable {
        if to.nullable {
            out.push(alter("DROP NOT NULL".into()));
        } else {
            if let Some(d) = &to.default {
                out.push(ctx.fill_nulls(table, to, d));
            }
            out.push(alter("SET NOT NULL".into()));
        }
    }
    // 4. The default.
    let wanted = if to.identity.is_some() { None } else { to.default.clone() };
    if current_default != wanted {
        match &wanted {
            Some(d) => out.push(alter(format!("SET DEFAULT {d}"))),
            None => out.push(alter("DROP DEFAULT".into())),
        }
    }
    // 5. The new numbering, continuing after the rows already there.
    if from.identity != to.identity {
        let restart = format!(
            "SELECT setval(pg_get_serial_sequence({}, {}), max({c})) FROM {t} HAVING max({c}) IS NOT NULL",
            ctx.lit(&t),
            ctx.lit(&to.name)
        );
        let was_identity =
            matches!(from.identity, Some(Identity::Always | Identity::ByDefault | Identity::AutoIncrement));
        match to.identity {
            Some(Identity::Always) if was_identity => out.push(alter("SET GENERATED ALWAYS".into())),
            Some(Identity::ByDefault | Identity::AutoIncrement) if was_identity => {
                out.push(alter("SET GENERATED BY DEFAULT".into()))
            }
            Some(Identity::Always) => {
                out.push(alter("ADD GENERATED ALWAYS AS IDENTITY".into()));
                out.push(restart);
            }
            Some(Identity::ByDefault | Identity::AutoIncrement) => {
                out.push(alter("ADD GENERATED BY DEFAULT AS IDENTITY".into()));
                out.push(restart);
            }
            Some(Identity::Serial) => {
                let sequence = format!("{table}_{}_seq", to.name);
                let sequence: String = sequence.chars().take(63).collect();
                let as_type = match to.data_type.as_str() {
                    ty @ ("smallint" | "integer" | "bigint") => format!(" AS {ty}"),
                    _ => String::new(),
                };
                out.push(format!("CREATE SEQUENCE {}{as_type} OWNED BY {t}.{c}", ctx.q(&sequence)));
                out.push(alter(format!("SET DEFAULT nextval({}::regclass)", ctx.lit(&ctx.q(&sequence)))));
                out.push(restart);
            }
            None => {}
        }
    }
}
