//! SQLite's DDL.
//!
//! `ALTER TABLE` on SQLite renames tables and columns, adds a column (without a key, with a
//! constant default) and drops a column nothing else uses. Anything else on a table is a
//! rebuild, as SQLite's documentation describes it and Alembic's batch mode does it, but
//! keeping what those lose:
//!
//! 1. `CREATE TABLE "_new_t"` with the table's whole new definition (unnamed checks and
//!    `AUTOINCREMENT` included);
//! 2. `INSERT INTO "_new_t" (…) SELECT … FROM "t"`: the columns both sides have (a column
//!    becoming `NOT NULL` takes its default where it was NULL);
//! 3. the `AUTOINCREMENT` counter carried over in `sqlite_sequence`, so ids of deleted rows
//!    are not handed out again;
//! 4. `DROP TABLE "t"`, then `ALTER TABLE "_new_t" RENAME TO "t"` (with
//!    `legacy_alter_table` on, so views reading `t` do not stop the rename);
//! 5. the table's indexes and triggers created again;
//! 6. `PRAGMA foreign_key_check` at the end of the script.
//!
//! A script with a rebuild, or that drops a table other tables reference, must run with
//! foreign keys off ([`super::Script::foreign_keys_off`]): with them on, dropping the old
//! table would fire `ON DELETE CASCADE` and empty the child tables.

use super::{Context, Out, RenderError, Script, index_uses, mentions};
use crate::schema::change::Change;
use crate::schema::model::{Column, Index, PrimaryKey, Table};
use crate::sql::tokens::{TokenKind, tokenize};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn render(ctx: &Context) -> Result<Script, RenderError> {
    let rebuilt = tables_to_rebuild(ctx);
    let drops_a_parent = ctx.changes.iter().any(|c| match c {
        Change::DropTable { table } => ctx
            .before
            .tables
            .values()
            .any(|t| t.name != table.name && t.foreign_keys.iter().any(|fk| fk.ref_table == table.name)),
        _ => false,
    });
    let foreign_keys_off = !rebuilt.is_empty() || drops_a_parent;

    let mut out = Out::default();
    // The warnings of the changes a rebuild carries out, for the rebuild.
    let mut folded: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for change in &ctx.changes {
        if let Some(table) = change.table()
            && rebuilt.contains(table)
            && !matches!(change, Change::RenameTable { .. } | Change::RenameColumn { .. })
        {
            folded.entry(table).or_default().extend(change.destructive());
        }
    }
    let rebuild_at = ctx.phases.iter().position(|&p| p >= super::ALTER_PHASE).unwrap_or(ctx.changes.len());
    for (i, change) in ctx.changes.iter().enumerate() {
        if i == rebuild_at {
            for table in &rebuilt {
                rebuild(ctx, &mut out, table, folded.remove(table.as_str()).unwrap_or_default())?;
            }
        }
        if let Some(table) = change.table()
            && rebuilt.contains(table)
            && !matches!(change, Change::RenameTable { .. } | Change::RenameColumn { .. })
        {
            // Part of the table's rebuild.
            continue;
        }
        out.begin(change);
        match change {
            Change::RenameTable { from, to } => {
                out.push(format!("ALTER TABLE {} RENAME TO {}", ctx.q(from), ctx.q(to)));
            }
            Change::RenameColumn { table, from, to } => {
                out.push(format!("ALTER TABLE {} RENAME COLUMN {} TO {}", ctx.q(table), ctx.q(from), ctx.q(to)));
            }
            Change::DropIndex { index, .. } => out.push(format!("DROP INDEX {}", ctx.q(&index_name(&index.name.name)))),
            Change::DropColumn { table, column } => {
                out.push(format!("ALTER TABLE {} DROP COLUMN {}", ctx.q(table), ctx.q(&column.name)));
            }
            Change::DropTable { table } => out.push(format!("DROP TABLE {}", ctx.q(&table.name))),
            Change::AddTable { table } => {
                out.push(create_table(ctx, table, &table.name));
                for index in &table.indexes {
                    out.push(create_index(ctx, &table.name, index));
                }
            }
            Change::AddColumn { table, column } => {
                out.push(format!("ALTER TABLE {} ADD COLUMN {}", ctx.q(table), column_definition(ctx, column, None)));
            }
            Change::AddIndex { table, index } => out.push(create_index(ctx, table, index)),
            Change::AddEnum { enum_type: crate::schema::model::EnumType { name, .. } }
            | Change::DropEnum { enum_type: crate::schema::model::EnumType { name, .. } }
            | Change::AlterEnum { name, .. } => {
                return Err(ctx.unsupported(name, format!("have enum type '{name}' (it has no enum types)")));
            }
            // Everything else on a table is a rebuild (above).
            Change::AlterColumn { table, .. }
            | Change::AlterAutoincrement { table, .. }
            | Change::AddPrimaryKey { table, .. }
            | Change::DropPrimaryKey { table, .. }
            | Change::AddUnique { table, .. }
            | Change::DropUnique { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. } => {
                return Err(RenderError::UnknownTable { table: table.clone() });
            }
        }
    }
    if rebuild_at == ctx.changes.len() {
        for table in &rebuilt {
            rebuild(ctx, &mut out, table, folded.remove(table.as_str()).unwrap_or_default())?;
        }
    }
    if foreign_keys_off {
        out.push("PRAGMA foreign_key_check");
    }
    Ok(out.finish(true, foreign_keys_off))
}

/// The tables a change needs rebuilt (by their names after the renames).
fn tables_to_rebuild(ctx: &Context) -> BTreeSet<String> {
    let mut rebuilt = BTreeSet::new();
    for change in &ctx.changes {
        match change {
            Change::AlterColumn { table, .. }
            | Change::AlterAutoincrement { table, .. }
            | Change::AddPrimaryKey { table, .. }
            | Change::DropPrimaryKey { table, .. }
            | Change::AddUnique { table, .. }
            | Change::DropUnique { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. } => {
                rebuilt.insert(table.clone());
            }
            Change::AddColumn { table, column } if !can_add_column(column) => {
                rebuilt.insert(table.clone());
            }
            Change::DropColumn { table, column } if !can_drop_column(ctx, table, column) => {
                rebuilt.insert(table.clone());
            }
            _ => {}
        }
    }
    rebuilt
}

/// Whether `ALTER TABLE … ADD COLUMN` can add `column`: no stored generation, no identity,
/// a constant default, and a non-NULL one when the column is `NOT NULL`.
fn can_add_column(column: &Column) -> bool {
    if column.identity.is_some() || column.generated.as_ref().is_some_and(|g| g.stored) {
        return false;
    }
    match &column.default {
        None => column.nullable || column.generated.is_some(),
        Some(d) => constant(d) && (column.nullable || !d.eq_ignore_ascii_case("null")),
    }
}

/// Whether `ALTER TABLE … DROP COLUMN` can drop `column`: nothing on the table uses it.
fn can_drop_column(ctx: &Context, table: &str, column: &Column) -> bool {
    let Some(t) = ctx.before_table(table) else { return false };
    let name = &column.name;
    let in_list = |columns: &[String]| columns.iter().any(|c| c == name);
    if column.generated.as_ref().is_some_and(|g| g.stored)
        || t.primary_key.as_ref().is_some_and(|k| in_list(&k.columns))
        || t.uniques.iter().any(|u| in_list(&u.columns))
        || t.foreign_keys.iter().any(|fk| in_list(&fk.columns))
        || t.indexes.iter().any(|i| index_uses(ctx.kind, i, name))
        || t.checks.iter().any(|c| mentions(ctx.kind, &c.expression, name))
    {
        return false;
    }
    !t.columns
        .iter()
        .filter(|c| c.name != *name)
        .any(|c| c.generated.as_ref().is_some_and(|g| mentions(ctx.kind, &g.expression, name)))
}

/// Whether a default is a literal SQLite writes without parentheses: a string, a number
/// (signed or not), a blob, NULL, TRUE/FALSE, or `CURRENT_TIME`/`_DATE`/`_TIMESTAMP`.
fn literal(default: &str) -> bool {
    let tokens = tokenize(default, crate::dialect::DatabaseKind::Sqlite.dialect().lexing());
    match tokens.as_slice() {
        [t] => match t.kind {
            TokenKind::String | TokenKind::Number => true,
            TokenKind::Word => ["null", "true", "false", "current_time", "current_date", "current_timestamp"]
                .iter()
                .any(|w| t.text.eq_ignore_ascii_case(w)),
            _ => false,
        },
        [sign, number] => matches!(sign.text, "-" | "+") && number.kind == TokenKind::Number,
        _ => false,
    }
}

/// Whether a default is a constant `ADD COLUMN` accepts (a literal, not the clock).
fn constant(default: &str) -> bool {
    literal(default) && !default.to_ascii_lowercase().starts_with("current_")
}

/// A column's definition, with the primary key inline when it is `AUTOINCREMENT`.
fn column_definition(ctx: &Context, c: &Column, inline_key: Option<&PrimaryKey>) -> String {
    let mut s = ctx.q(&c.name);
    if !c.data_type.is_empty() {
        s.push(' ');
        s.push_str(&c.data_type);
    }
    if let Some(pk) = inline_key {
        s.push(' ');
        s.push_str(&ctx.constraint_name(&pk.name));
        s.push_str("PRIMARY KEY AUTOINCREMENT");
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default
        && c.generated.is_none()
    {
        if literal(d) {
            s.push_str(&format!(" DEFAULT {d}"));
        } else {
            s.push_str(&format!(" DEFAULT ({d})"));
        }
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) {}", g.expression, if g.stored { "STORED" } else { "VIRTUAL" }));
    }
    s
}

/// `CREATE TABLE name (…)` with `table`'s definition (`name` differs during a rebuild).
fn create_table(ctx: &Context, table: &Table, name: &str) -> String {
    let inline = table.primary_key.as_ref().filter(|k| table.autoincrement && k.columns.len() == 1);
    let mut lines: Vec<String> =
        table.columns.iter().map(|c| column_definition(ctx, c, inline.filter(|k| k.columns[0] == c.name))).collect();
    if let Some(pk) = &table.primary_key
        && inline.is_none()
    {
        lines.push(format!("{}PRIMARY KEY ({})", ctx.constraint_name(&pk.name), ctx.columns(&pk.columns)));
    }
    lines.extend(table.uniques.iter().map(|u| ctx.unique_clause(u)));
    lines.extend(table.checks.iter().map(|c| ctx.check_clause(c)));
    lines.extend(table.foreign_keys.iter().map(|fk| ctx.foreign_key_clause(fk, true)));
    ctx.create_table(name, &lines)
}

/// An index name SQLite accepts (it has no unnamed indexes).
fn index_name(name: &str) -> String {
    if name.is_empty() { "ix_unnamed".to_owned() } else { name.to_owned() }
}

fn create_index(ctx: &Context, table: &str, index: &Index) -> String {
    let mut s = format!(
        "CREATE {}INDEX {} ON {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        ctx.q(&index_name(&index.name.name)),
        ctx.q(table),
        ctx.index_keys(&index.keys)
    );
    if let Some(p) = &index.predicate {
        s.push_str(" WHERE ");
        s.push_str(p);
    }
    s
}

/// Rebuilds `table` to its new definition, keeping its rows (see the module docs).
fn rebuild(ctx: &Context, out: &mut Out, table: &str, warnings: Vec<String>) -> Result<(), RenderError> {
    let (Some(before), Some(after)) = (ctx.before_table(table), ctx.after_table(table)) else {
        return Err(RenderError::UnknownTable { table: table.to_owned() });
    };
    let new = format!("_new_{table}");
    let (t, n) = (ctx.q(table), ctx.q(&new));
    out.push(create_table(ctx, after, &new));

    let mut targets = Vec::new();
    let mut sources = Vec::new();
    for c in after.columns.iter().filter(|c| c.generated.is_none()) {
        let Some(old) = before.column(&c.name) else { continue };
        let q = ctx.q(&c.name);
        targets.push(q.clone());
        match &c.default {
            Some(d) if old.nullable && !c.nullable => {
                let d = if literal(d) { d.clone() } else { format!("({d})") };
                sources.push(format!("COALESCE({q}, {d})"));
            }
            _ => sources.push(q),
        }
    }
    if !targets.is_empty() {
        out.push(format!("INSERT INTO {n} ({}) SELECT {} FROM {t}", targets.join(", "), sources.join(", ")));
    }
    if before.autoincrement && after.autoincrement {
        out.push(format!("DELETE FROM sqlite_sequence WHERE name = {}", ctx.lit(&new)));
        out.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {}, seq FROM sqlite_sequence WHERE name = {}",
            ctx.lit(&new),
            ctx.lit(table)
        ));
    }
    // Triggers go with the old table: they are created again below, or said lost.
    let old_name = ctx.old_table_names.get(table).map_or(table, String::as_str);
    let triggers: Vec<&crate::schema::model::NotCompared> = ctx
        .before
        .not_compared
        .iter()
        .filter(|nc| nc.kind == "trigger" && nc.name.split_once('.').is_some_and(|(t, _)| t == old_name || t == table))
        .collect();
    for warning in warnings {
        out.warn(warning);
    }
    for trigger in triggers.iter().filter(|t| t.definition.is_none()) {
        out.warn(format!(
            "trigger '{}' is dropped with table '{table}' by this rebuild and not created again: add its CREATE TRIGGER below",
            trigger.name
        ));
    }
    out.push(format!("DROP TABLE {t}"));
    out.push("PRAGMA legacy_alter_table = ON");
    out.push(format!("ALTER TABLE {n} RENAME TO {t}"));
    out.push("PRAGMA legacy_alter_table = OFF");
    for index in &after.indexes {
        out.push(create_index(ctx, table, index));
    }
    for trigger in &triggers {
        if let Some(sql) = &trigger.definition {
            out.push(sql.trim().trim_end_matches(';').to_owned());
        }
    }
    Ok(())
}
