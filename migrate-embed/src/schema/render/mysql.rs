//! MySQL's and MariaDB's DDL.
//!
//! * A column change is `MODIFY COLUMN` with the whole definition restated (MySQL has no
//!   `ALTER COLUMN … TYPE`). Attributes the model does not hold (a column's comment,
//!   character set and collation, `ON UPDATE`) are not restated.
//! * InnoDB creates an index for a foreign key that has none; dropping the key drops that
//!   index in the same statement (it is named after the key, or after its first column when
//!   the server named the key; renaming that column renames the index with it). Dropping
//!   the only index a kept foreign key can use puts the key's own index in its place, as
//!   InnoDB requires.
//! * `RENAME TABLE` renames the keys the server named after the table (`t_ibfk_1`): later
//!   statements of the same script use the new name.
//! * `AUTO_INCREMENT` needs a key: a column loses it before keys are dropped and gains it
//!   after keys are added.
//! * InnoDB refuses to change the type of a column a foreign key uses (on either side), or
//!   to drop a key a foreign key references: such foreign keys are dropped first and added
//!   again at the end.
//! * No enum types (they are inline in the column type), no partial or expression indexes
//!   on MariaDB, no `DEFERRABLE`.

use super::{Context, Out, RenderError, Script};
use crate::schema::change::Change;
use crate::schema::model::{Column, ForeignKey, Index, IndexTarget, Table};

/// MySQL's own order: `AUTO_INCREMENT` goes before the keys it needs are dropped, and comes
/// after the keys it needs are added.
pub(super) fn phase(change: &Change) -> Option<u8> {
    match change {
        Change::AlterColumn { from, to, .. } if from.identity.is_some() && to.identity.is_none() => Some(5),
        Change::AlterColumn { from, to, .. } if from.identity.is_none() && to.identity.is_some() => Some(105),
        _ => None,
    }
}

pub(super) fn render(ctx: &Context) -> Result<Script, RenderError> {
    let mut out = Out::default();
    let lifted = ctx.lifted_foreign_keys(true);
    let lift_at = ctx.lift_at();
    for (i, change) in ctx.changes.iter().enumerate() {
        if i == lift_at {
            for (table, fk) in &lifted {
                out.push(drop_foreign_key(ctx, table, fk));
            }
        }
        if i == ctx.deferred_at {
            add_deferred(ctx, &mut out);
            add_lifted(ctx, &mut out, &lifted);
        }
        out.begin(change);
        match change {
            Change::RenameTable { from, to } => out.push(format!("RENAME TABLE {} TO {}", ctx.q(from), ctx.q(to))),
            Change::RenameColumn { table, from, to } => out.push(rename_column(ctx, table, from, to)),
            Change::DropForeignKey { table, foreign_key } => out.push(drop_foreign_key(ctx, table, foreign_key)),
            Change::DropIndex { table, index } => out.push(drop_index(ctx, table, &index.name.name)),
            Change::DropUnique { table, unique } => out.push(drop_index(ctx, table, &unique.name.name)),
            Change::DropCheck { table, check } => {
                let name = name_after_renames(ctx, table, &check.name.name);
                out.push(format!("ALTER TABLE {} DROP CONSTRAINT {}", ctx.q(table), ctx.q(&name)))
            }
            Change::DropPrimaryKey { table, .. } => out.push(format!("ALTER TABLE {} DROP PRIMARY KEY", ctx.q(table))),
            Change::DropColumn { table, column } => {
                out.push(format!("ALTER TABLE {} DROP COLUMN {}", ctx.q(table), ctx.q(&column.name)));
            }
            Change::DropTable { table } => {
                let pending = out.forget_pending();
                for (t, fk) in ctx.cycle_drops.iter().filter(|_| ctx.is_first_drop(change)) {
                    out.push(format!("ALTER TABLE {} DROP FOREIGN KEY {}", ctx.q(t), ctx.q(&fk.name.name)));
                }
                pending.into_iter().for_each(|w| out.warn(w));
                out.push(format!("DROP TABLE {}", ctx.q(&table.name)));
            }
            Change::AddEnum { enum_type: crate::schema::model::EnumType { name, .. } }
            | Change::DropEnum { enum_type: crate::schema::model::EnumType { name, .. } }
            | Change::AlterEnum { name, .. } => {
                return Err(ctx.unsupported(name, format!("have enum type '{name}' (an enum is a column type here)")));
            }
            Change::AlterAutoincrement { table, .. } => {
                return Err(
                    ctx.unsupported(table, format!("make table '{table}' AUTOINCREMENT (a SQLite table option)"))
                );
            }
            Change::AddTable { table } => create_table(ctx, &mut out, table)?,
            Change::AddColumn { table, column } => {
                out.push(format!("ALTER TABLE {} ADD COLUMN {}", ctx.q(table), column_definition(ctx, column)));
            }
            Change::AlterColumn { table, from, to } => alter_column(ctx, &mut out, table, from, to),
            Change::AddPrimaryKey { table, key } => {
                out.push(format!("ALTER TABLE {} ADD PRIMARY KEY ({})", ctx.q(table), ctx.columns(&key.columns)));
            }
            Change::AddUnique { table, unique } => {
                out.push(format!("ALTER TABLE {} ADD {}", ctx.q(table), ctx.unique_clause(unique)));
            }
            Change::AddCheck { table, check } => {
                // MariaDB names a check written on a column's line after the column, one
                // added by `ADD CHECK` `CONSTRAINT_<n>`: the column's name is given, so that
                // the down, rendered from the side that has it, drops the check by its name.
                let named_after_column = check.name.generated
                    && ctx.after.table(table).is_some_and(|t| t.column(&check.name.name).is_some());
                let clause = if named_after_column {
                    format!("CONSTRAINT {} CHECK ({})", ctx.q(&check.name.name), check.expression)
                } else {
                    ctx.check_clause(check)
                };
                out.push(format!("ALTER TABLE {} ADD {clause}", ctx.q(table)));
            }
            Change::AddIndex { table, index } => out.push(create_index(ctx, table, index)?),
            Change::AddForeignKey { table, foreign_key } => {
                out.push(format!("ALTER TABLE {} ADD {}", ctx.q(table), ctx.foreign_key_clause(foreign_key, false)));
            }
        }
    }
    if lift_at == ctx.changes.len() {
        for (table, fk) in &lifted {
            out.push(drop_foreign_key(ctx, table, fk));
        }
    }
    if ctx.deferred_at == ctx.changes.len() {
        add_deferred(ctx, &mut out);
        add_lifted(ctx, &mut out, &lifted);
    }
    Ok(out.finish(true, false))
}

fn add_lifted(ctx: &Context, out: &mut Out, lifted: &[(String, ForeignKey)]) {
    for (table, fk) in lifted {
        out.push(format!("ALTER TABLE {} ADD {}", ctx.q(table), ctx.foreign_key_clause(fk, false)));
    }
}

fn add_deferred(ctx: &Context, out: &mut Out) {
    for (table, fk) in &ctx.deferred {
        out.push(format!("ALTER TABLE {} ADD {}", ctx.q(table), ctx.foreign_key_clause(fk, false)));
    }
}

/// A default as MySQL accepts it: literals and `CURRENT_TIMESTAMP` forms as they are,
/// any other expression in parentheses (MariaDB 10.2+, MySQL 8.0.13+). On text, blob, JSON
/// and geometry columns MySQL 8 takes only an expression default, so even a literal goes in
/// parentheses there (MariaDB reads `('x')` as `'x'`).
fn default_clause(data_type: &str, default: &str) -> String {
    let d = default.trim();
    let base = data_type.trim().to_ascii_lowercase();
    let expression_only = [
        "tinytext",
        "text",
        "mediumtext",
        "longtext",
        "tinyblob",
        "blob",
        "mediumblob",
        "longblob",
        "json",
        "geometry",
    ]
    .iter()
    .any(|t| base == *t || base.starts_with(&format!("{t} ")) || base.starts_with(&format!("{t}(")));
    if expression_only && !d.eq_ignore_ascii_case("null") {
        return format!("({d})");
    }
    let lower = d.to_ascii_lowercase();
    let literal = d.starts_with('\'')
        || d.parse::<f64>().is_ok()
        || lower == "null"
        || lower == "true"
        || lower == "false"
        || ((lower.starts_with("b'") || lower.starts_with("x'") || lower.starts_with("0x")) && !d.contains(' '))
        || lower.starts_with("current_timestamp")
        || lower.starts_with("localtimestamp")
        || lower.starts_with("now(");
    if literal { d.to_owned() } else { format!("({d})") }
}

/// The whole definition of a column, as `ADD COLUMN`, `MODIFY COLUMN` and `CREATE TABLE`
/// write it.
fn column_definition(ctx: &Context, c: &Column) -> String {
    let mut s = format!("{} {}", ctx.q(&c.name), c.data_type);
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) {}", g.expression, if g.stored { "STORED" } else { "VIRTUAL" }));
        return s;
    }
    s.push_str(if c.nullable { " NULL" } else { " NOT NULL" });
    if let Some(d) = &c.default
        && c.identity.is_none()
    {
        s.push_str(" DEFAULT ");
        s.push_str(&default_clause(&c.data_type, d));
    }
    if c.identity.is_some() {
        s.push_str(" AUTO_INCREMENT");
    }
    s
}

fn create_table(ctx: &Context, out: &mut Out, table: &Table) -> Result<(), RenderError> {
    let columns = table.columns.iter().map(|c| column_definition(ctx, c)).collect();
    out.push(ctx.create_new_table(table, columns, false, false));
    for index in &table.indexes {
        out.push(create_index(ctx, &table.name, index)?);
    }
    Ok(())
}

/// An index's key parts; a prefix part written `` `col`(10) `` stays as it is.
fn key_parts(ctx: &Context, index: &Index) -> String {
    index
        .keys
        .iter()
        .map(|k| {
            let target = match &k.target {
                IndexTarget::Column(c) => ctx.q(c),
                IndexTarget::Expression(e) if is_prefix_part(e) => e.clone(),
                IndexTarget::Expression(e) => format!("({e})"),
            };
            if k.descending { format!("{target} DESC") } else { target }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `` `col`(10) ``: a column prefix, not an expression.
fn is_prefix_part(e: &str) -> bool {
    let Some(rest) = e.strip_prefix('`') else { return false };
    let Some(close) = rest.rfind('`') else { return false };
    let tail = &rest[close + 1..];
    tail.strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn create_index(ctx: &Context, table: &str, index: &Index) -> Result<String, RenderError> {
    if index.predicate.is_some() {
        return Err(ctx.unsupported(
            table,
            format!("create index '{}' on '{table}': it has no partial indexes (WHERE …)", index.name.name),
        ));
    }
    let unique = if index.unique { "UNIQUE " } else { "" };
    Ok(if index.name.generated || index.name.name.is_empty() {
        format!("ALTER TABLE {} ADD {unique}INDEX ({})", ctx.q(table), key_parts(ctx, index))
    } else {
        format!("CREATE {unique}INDEX {} ON {} ({})", ctx.q(&index.name.name), ctx.q(table), key_parts(ctx, index))
    })
}

/// Whether an index with keys `keys` can serve foreign key `fk` (its columns first).
fn covers(keys: &[String], fk: &ForeignKey) -> bool {
    keys.len() >= fk.columns.len() && keys[..fk.columns.len()] == fk.columns[..]
}

fn index_columns(index: &Index) -> Vec<String> {
    index
        .keys
        .iter()
        .map_while(|k| match &k.target {
            IndexTarget::Column(c) => Some(c.clone()),
            IndexTarget::Expression(_) => None,
        })
        .collect()
}

/// Every index of `table` other than the foreign keys' own: the primary key, the unique
/// constraints and the indexes, by name and columns.
fn explicit_indexes(table: &Table) -> Vec<(String, Vec<String>)> {
    let mut all = Vec::new();
    if let Some(pk) = &table.primary_key {
        all.push(("PRIMARY".to_owned(), pk.columns.clone()));
    }
    all.extend(table.uniques.iter().map(|u| (u.name.name.clone(), u.columns.clone())));
    all.extend(table.indexes.iter().map(|i| (i.name.name.clone(), index_columns(i))));
    all
}

/// The name InnoDB gives the index it creates for `fk`.
fn implicit_index_name(fk: &ForeignKey) -> String {
    if fk.name.generated { fk.columns.first().cloned().unwrap_or_default() } else { fk.name.name.clone() }
}

/// The name constraint `name` of `table` has once the script's `RENAME TABLE`s ran:
/// `RENAME TABLE old TO new` renames the foreign keys named `old_ibfk_<n>` (MySQL 8 also
/// the checks named `old_chk_<n>`) to `new_…`, while the model keeps the name it read.
fn name_after_renames(ctx: &Context, table: &str, name: &str) -> String {
    let Some(old) = ctx.old_table_names.get(table) else { return name.to_owned() };
    for marker in ["_ibfk_", "_chk_"] {
        if let Some(n) = name.strip_prefix(old.as_str()).and_then(|rest| rest.strip_prefix(marker))
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
        {
            return format!("{table}{marker}{n}");
        }
    }
    name.to_owned()
}

/// `RENAME COLUMN`, renaming with it the index InnoDB made for a server-named foreign key
/// starting with the column (named after that column), so the index keeps the name a
/// fresh build gives it, and a later `DROP FOREIGN KEY` finds it.
fn rename_column(ctx: &Context, table: &str, from: &str, to: &str) -> String {
    let mut s = format!("ALTER TABLE {} RENAME COLUMN {} TO {}", ctx.q(table), ctx.q(from), ctx.q(to));
    // `before` has the renames done: the key's columns already say `to`.
    let Some(before) = ctx.before_table(table) else { return s };
    let explicit = explicit_indexes(before);
    let own = before.foreign_keys.iter().any(|fk| {
        fk.name.generated
            && fk.columns.first().is_some_and(|c| c == to)
            && !explicit.iter().any(|(_, keys)| covers(keys, fk))
    });
    if own {
        s.push_str(&format!(", RENAME INDEX {} TO {}", ctx.q(from), ctx.q(to)));
    }
    s
}

/// `DROP FOREIGN KEY`, with the index InnoDB made for it when no other index served it.
fn drop_foreign_key(ctx: &Context, table: &str, fk: &ForeignKey) -> String {
    let name = name_after_renames(ctx, table, &fk.name.name);
    let mut s = format!("ALTER TABLE {} DROP FOREIGN KEY {}", ctx.q(table), ctx.q(&name));
    let served = ctx.before_table(table).is_some_and(|t| explicit_indexes(t).iter().any(|(_, keys)| covers(keys, fk)));
    if !served {
        s.push_str(&format!(", DROP INDEX {}", ctx.q(&implicit_index_name(fk))));
    }
    s
}

/// `DROP INDEX`, putting a kept foreign key's own index in its place when it was the only
/// index the key could use.
fn drop_index(ctx: &Context, table: &str, name: &str) -> String {
    let mut s = format!("ALTER TABLE {} DROP INDEX {}", ctx.q(table), ctx.q(name));
    let (Some(before), Some(after)) = (ctx.before_table(table), ctx.after_table(table)) else { return s };
    let indexes = explicit_indexes(before);
    let Some((_, keys)) = indexes.iter().find(|(n, _)| n == name) else { return s };
    for fk in before.foreign_keys.iter().filter(|fk| after.foreign_keys.contains(fk)) {
        let others = indexes.iter().any(|(n, k)| n != name && covers(k, fk));
        if covers(keys, fk) && !others {
            s.push_str(&format!(", ADD INDEX {} ({})", ctx.q(&implicit_index_name(fk)), ctx.columns(&fk.columns)));
        }
    }
    s
}

fn alter_column(ctx: &Context, out: &mut Out, table: &str, from: &Column, to: &Column) {
    let t = ctx.q(table);
    let replace = match (&from.generated, &to.generated) {
        (Some(a), Some(b)) => a.stored != b.stored,
        (None, None) => false,
        _ => true,
    };
    if replace {
        // A column cannot become generated in place, nor stop being one on MySQL, nor
        // switch between STORED and VIRTUAL.
        out.push(format!("ALTER TABLE {t} DROP COLUMN {}", ctx.q(&from.name)));
        out.push(format!("ALTER TABLE {t} ADD COLUMN {}", column_definition(ctx, to)));
        return;
    }
    if from.nullable
        && !to.nullable
        && to.generated.is_none()
        && let Some(d) = &to.default
    {
        out.push(ctx.fill_nulls(table, to, d));
    }
    out.push(format!("ALTER TABLE {t} MODIFY COLUMN {}", column_definition(ctx, to)));
}
