//! PostgreSQL's catalog read into the schema model: `pg_class`, `pg_attribute`,
//! `pg_constraint`, `pg_index` and `pg_enum` of the connection's current schema, with the
//! server's own spellings (`format_type`, `pg_get_expr`, `pg_get_indexdef`), so both sides
//! of a comparison pass through the same normalisation.

use super::{TableFilter, int_list, not_compared, text_rows};
use crate::db::Conn;
use crate::schema::model::{
    Check, Column, Deferrable, EnumType, ForeignKey, Generated, Index, IndexKey, IndexTarget, Name, PrimaryKey, Schema,
    Table, Unique,
};
use crate::schema::normalize::ObjectKind;
use crate::schema::normalize::postgres::{
    action, canonical_default, canonical_expression, column_numbering, is_generated_name,
};
use std::collections::BTreeMap;

/// The tables of the current schema (ordinary and partitioned; partitions are listed as not
/// compared): `oid`, name, whether it is a partition.
const TABLES: &str = "SELECT c.oid::text, c.relname::text, c.relispartition::text
FROM pg_catalog.pg_class c
WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())
  AND c.relkind IN ('r', 'p')
ORDER BY c.relname";

/// Every column: table oid, number, name, type, NULL allowed, default, identity, generated,
/// the sequence the column owns.
const COLUMNS: &str = "SELECT a.attrelid::text, a.attnum::text, a.attname::text,
  pg_catalog.format_type(a.atttypid, a.atttypmod), (NOT a.attnotnull)::text,
  pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text,
  (SELECT s.oid::regclass::text FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_class s ON s.oid = dep.objid
   WHERE dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_catalog.pg_class'::regclass
     AND s.relkind = 'S' AND dep.deptype IN ('a', 'i') LIMIT 1)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())
  AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum";

/// Primary key, unique, check and foreign-key constraints: table oid, name, type, columns,
/// referenced table, referenced columns, update and delete actions, deferrable, deferred,
/// definition.
const CONSTRAINTS: &str = "SELECT con.conrelid::text, con.conname::text, con.contype::text,
  pg_catalog.array_to_string(con.conkey, ' '), rc.relname::text, pg_catalog.array_to_string(con.confkey, ' '),
  con.confupdtype::text, con.confdeltype::text, con.condeferrable::text, con.condeferred::text,
  pg_catalog.pg_get_constraintdef(con.oid, true)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())
  AND con.contype IN ('p', 'u', 'c', 'f') AND con.conislocal
ORDER BY con.conrelid, con.conname";

/// Indexes that back no constraint: table oid, name, unique, key columns (0 for an
/// expression), key count, options (bit 1: DESC), predicate, access method, oid.
const INDEXES: &str = "SELECT i.indrelid::text, ic.relname::text, i.indisunique::text,
  pg_catalog.array_to_string(i.indkey, ' '), i.indnkeyatts::text, pg_catalog.array_to_string(i.indoption, ' '),
  pg_catalog.pg_get_expr(i.indpred, i.indrelid), am.amname::text, i.indexrelid::text
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())
  AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
ORDER BY ic.relname";

/// Enum types of the current schema with their values in order.
const ENUMS: &str = "SELECT t.typname::text, e.enumlabel::text
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())
ORDER BY t.typname, e.enumsortorder";

/// What is there and not compared: views, standalone sequences, functions, triggers,
/// comments, other schemas, domains and composite types, exclusion constraints.
const NOT_COMPARED: &str = "SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'sequence' END, c.relname::text
FROM pg_catalog.pg_class c
WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())
  AND (c.relkind IN ('v', 'm', 'f')
       OR (c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
            WHERE d.objid = c.oid AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i'))))
UNION ALL
SELECT 'function', p.proname::text FROM pg_catalog.pg_proc p
WHERE p.pronamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'trigger', c.relname || '.' || t.tgname FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema()) AND NOT t.tgisinternal
UNION ALL
SELECT 'comment', c.relname || COALESCE('.' || a.attname, '') FROM pg_catalog.pg_description d
JOIN pg_catalog.pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_catalog.pg_class'::regclass
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())
UNION ALL
SELECT 'schema', n.nspname::text FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT IN ('information_schema', pg_catalog.current_schema())
  AND (n.nspname <> 'public' OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid))
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, t.typname::text FROM pg_catalog.pg_type t
WHERE t.typnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())
  AND (t.typtype = 'd' OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c'))
UNION ALL
SELECT 'exclusion constraint', c.relname || '.' || con.conname FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema()) AND con.contype = 'x'
UNION ALL
SELECT 'extension', e.extname::text FROM pg_catalog.pg_extension e WHERE e.extname <> 'plpgsql'";

/// Reads the current schema of a PostgreSQL database.
pub(super) async fn introspect(conn: &mut Conn, filter: &TableFilter) -> Result<Schema, sqlx::Error> {
    let mut schema = Schema::default();
    let mut by_oid: BTreeMap<String, Table> = BTreeMap::new();
    // attnum → name, per table oid.
    let mut attnames: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for r in text_rows(conn, TABLES, 3).await? {
        let name = r[1].clone().unwrap_or_default();
        if !filter.keeps(&name) {
            continue;
        }
        if r[2].as_deref() == Some("true") {
            schema.not_compared.push(not_compared("partition", &name));
            continue;
        }
        by_oid.insert(r[0].clone().unwrap_or_default(), Table { name, ..Table::default() });
    }
    for r in text_rows(conn, COLUMNS, 9).await? {
        let oid = r[0].clone().unwrap_or_default();
        let Some(table) = by_oid.get_mut(&oid) else { continue };
        let name = r[2].clone().unwrap_or_default();
        attnames.entry(oid).or_default().insert(r[1].clone().unwrap_or_default(), name.clone());
        let generated_kind = r[7].as_deref().unwrap_or("");
        let (default, identity, generated) = if generated_kind == "s" {
            let expression = r[5].clone().unwrap_or_default();
            (None, None, Some(Generated { expression, stored: true }))
        } else {
            let (default, identity) = column_numbering(r[5].as_deref(), r[6].as_deref().unwrap_or(""), r[8].as_deref());
            (default.map(|d| canonical_default(&d)), identity, None)
        };
        table.columns.push(Column {
            name,
            data_type: r[3].clone().unwrap_or_default(),
            nullable: r[4].as_deref() == Some("true"),
            default,
            identity,
            generated,
            renamed_from: None,
        });
    }
    for r in text_rows(conn, CONSTRAINTS, 11).await? {
        let oid = r[0].clone().unwrap_or_default();
        let Some(table) = by_oid.get_mut(&oid) else { continue };
        let names = attnames.get(&oid);
        let columns = column_names(names, r[3].as_deref());
        let conname = r[1].clone().unwrap_or_default();
        let name =
            |kind| Name { generated: is_generated_name(kind, &table.name, &columns, &conname), name: conname.clone() };
        match r[2].as_deref() {
            Some("p") => {
                table.primary_key = Some(PrimaryKey { name: name(ObjectKind::PrimaryKey), columns: columns.clone() })
            }
            Some("u") => table.uniques.push(Unique { name: name(ObjectKind::Unique), columns: columns.clone() }),
            Some("c") => {
                let definition = r[10].clone().unwrap_or_default();
                table.checks.push(Check {
                    name: name(ObjectKind::Check),
                    expression: canonical_expression(&check_expression(&definition)),
                });
            }
            Some("f") => {
                let ref_table = r[4].clone().unwrap_or_default();
                let ref_oid = by_oid.iter().find(|(_, t)| t.name == ref_table).map(|(o, _)| o.clone());
                // Referenced columns are named from the referenced table's columns, read above
                // (a table outside the current schema keeps its numbers).
                let ref_columns = match ref_oid.as_ref().and_then(|o| attnames.get(o)) {
                    Some(ref_names) => column_names(Some(ref_names), r[5].as_deref()),
                    None => referenced_from_definition(r[10].as_deref().unwrap_or("")),
                };
                let deferrable = match (r[8].as_deref(), r[9].as_deref()) {
                    (Some("true"), Some("true")) => Deferrable::InitiallyDeferred,
                    (Some("true"), _) => Deferrable::InitiallyImmediate,
                    _ => Deferrable::NotDeferrable,
                };
                let table = by_oid.get_mut(&oid).expect("looked up above");
                let generated = is_generated_name(ObjectKind::ForeignKey, &table.name, &columns, &conname);
                table.foreign_keys.push(ForeignKey {
                    name: Name { name: conname, generated },
                    columns,
                    ref_table,
                    ref_columns,
                    on_update: action(r[6].as_deref().unwrap_or("a")),
                    on_delete: action(r[7].as_deref().unwrap_or("a")),
                    deferrable,
                });
            }
            _ => {}
        }
    }
    let indexes = text_rows(conn, INDEXES, 9).await?;
    for r in indexes {
        let oid = r[0].clone().unwrap_or_default();
        if !by_oid.contains_key(&oid) {
            continue;
        }
        let name = r[1].clone().unwrap_or_default();
        let method = r[7].clone().unwrap_or_default();
        let table_name = by_oid[&oid].name.clone();
        if method != "btree" {
            schema.not_compared.push(not_compared(&format!("{method} index"), &format!("{table_name}.{name}")));
            continue;
        }
        let attnums = int_list(r[3].as_deref());
        let key_count: usize = r[4].as_deref().and_then(|n| n.parse().ok()).unwrap_or(attnums.len());
        let options = int_list(r[5].as_deref());
        let index_oid = r[8].clone().unwrap_or_default();
        let mut keys = Vec::with_capacity(key_count);
        for k in 0..key_count {
            let descending = options.get(k).is_some_and(|o| o & 1 == 1);
            let target = match attnums.get(k) {
                Some(&n) if n != 0 => IndexTarget::Column(
                    attnames.get(&oid).and_then(|a| a.get(&n.to_string())).cloned().unwrap_or_default(),
                ),
                _ => {
                    let sql = format!("SELECT pg_catalog.pg_get_indexdef({index_oid}::oid, {}, true)", k + 1);
                    let text = text_rows(conn, &sql, 1).await?.pop().and_then(|mut r| r.pop().flatten());
                    IndexTarget::Expression(canonical_expression(&text.unwrap_or_default()))
                }
            };
            keys.push(IndexKey { target, descending });
        }
        let columns: Vec<String> = keys
            .iter()
            .map(|k| match &k.target {
                IndexTarget::Column(c) | IndexTarget::Expression(c) => c.clone(),
            })
            .collect();
        let generated = is_generated_name(ObjectKind::Index, &table_name, &columns, &name);
        by_oid.get_mut(&oid).expect("checked").indexes.push(Index {
            name: Name { name, generated },
            unique: r[2].as_deref() == Some("true"),
            keys,
            predicate: r[6].as_deref().map(canonical_expression),
        });
    }
    for r in text_rows(conn, ENUMS, 2).await? {
        let name = r[0].clone().unwrap_or_default();
        schema
            .enums
            .entry(name.clone())
            .or_insert_with(|| EnumType { name, values: Vec::new() })
            .values
            .push(r[1].clone().unwrap_or_default());
    }
    for r in text_rows(conn, NOT_COMPARED, 2).await? {
        let name = r[1].clone().unwrap_or_default();
        let table = name.split('.').next().unwrap_or("");
        if !filter.keeps(table) && name.contains('.') || !filter.keeps(&name) {
            continue;
        }
        schema.not_compared.push(not_compared(r[0].as_deref().unwrap_or(""), &name));
    }
    schema.tables = by_oid.into_values().map(|t| (t.name.clone(), t)).collect();
    schema.not_compared.sort();
    Ok(schema)
}

/// Attribute numbers (`"1 3"`) to column names.
fn column_names(names: Option<&BTreeMap<String, String>>, numbers: Option<&str>) -> Vec<String> {
    numbers
        .unwrap_or("")
        .split_whitespace()
        .map(|n| names.and_then(|m| m.get(n)).cloned().unwrap_or_else(|| n.to_owned()))
        .collect()
}

/// `CHECK ((price >= 0)) NOT VALID` → `price >= 0`.
fn check_expression(definition: &str) -> String {
    let d = definition.trim();
    let d = d.strip_suffix("NOT VALID").map_or(d, str::trim_end);
    let d = d.strip_suffix("NO INHERIT").map_or(d, str::trim_end);
    let inner = d.strip_prefix("CHECK").map(str::trim_start).unwrap_or(d);
    strip_outer_parens(strip_outer_parens(inner)).to_owned()
}

/// `(x)` → `x` when the parentheses enclose the whole text.
fn strip_outer_parens(s: &str) -> &str {
    let s = s.trim();
    if !(s.starts_with('(') && s.ends_with(')')) {
        return s;
    }
    let mut depth = 0i32;
    let mut in_string = false;
    for (i, c) in s.char_indices() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth -= 1;
                if depth == 0 && i != s.len() - 1 {
                    return s;
                }
            }
            _ => {}
        }
    }
    &s[1..s.len() - 1]
}

/// The referenced columns of `FOREIGN KEY (a) REFERENCES other.t(x, y)`.
fn referenced_from_definition(definition: &str) -> Vec<String> {
    let Some(after) = definition.split("REFERENCES").nth(1) else { return Vec::new() };
    let Some(open) = after.find('(') else { return Vec::new() };
    let Some(close) = after[open..].find(')') else { return Vec::new() };
    after[open + 1..open + close].split(',').map(|c| c.trim().trim_matches('"').to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_definitions_lose_their_wrapping() {
        assert_eq!(check_expression("CHECK ((price >= 0))"), "price >= 0");
        assert_eq!(check_expression("CHECK (price >= 0) NOT VALID"), "price >= 0");
        assert_eq!(check_expression("CHECK ((a > 0) AND (b > 0))"), "(a > 0) AND (b > 0)");
        assert_eq!(
            check_expression("CHECK (((status)::text = ANY ((ARRAY['a'::character varying])::text[])))"),
            "(status)::text = ANY ((ARRAY['a'::character varying])::text[])"
        );
    }

    #[test]
    fn referenced_columns_from_the_definition() {
        assert_eq!(referenced_from_definition("FOREIGN KEY (a) REFERENCES other.t(x, \"Y\")"), ["x", "Y"]);
    }
}
