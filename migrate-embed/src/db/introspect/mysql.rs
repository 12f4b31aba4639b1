//! MySQL's and MariaDB's `information_schema` of the current database read into the schema
//! model. The servers normalise types (`int(11)`), checks and generated expressions
//! themselves; defaults, foreign-key rules and made-up names go through
//! [`crate::schema::normalize::mysql`]. Unique indexes are unique constraints; the index
//! InnoDB made for a foreign key is part of the key, not an index of its own.

use super::{TableFilter, not_compared, text_rows};
use crate::db::Conn;
use crate::schema::model::{
    Check, Column, ForeignKey, Generated, Identity, Index, IndexKey, IndexTarget, Name, PrimaryKey, Schema, Table,
    Unique,
};
use crate::schema::normalize::ObjectKind;
use crate::schema::normalize::mysql::{action, column_default, is_generated_name};
use std::collections::BTreeMap;

const TABLES: &str = "SELECT TABLE_NAME, TABLE_TYPE, ENGINE FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME";

const COLUMNS: &str = "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
  GENERATION_EXPRESSION
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION";

/// Primary keys, unique keys and foreign keys with their columns in order.
const KEY_COLUMNS: &str = "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE, k.COLUMN_NAME,
  k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, rc.UPDATE_RULE, rc.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
  AND tc.TABLE_NAME = k.TABLE_NAME AND tc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
  AND rc.TABLE_NAME = k.TABLE_NAME AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'FOREIGN KEY')
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION";

/// Every index key in order (unique keys included: MySQL has no other unique constraint).
const INDEX_COLUMNS: &str = "SELECT TABLE_NAME, INDEX_NAME, CAST(NON_UNIQUE AS CHAR), COLUMN_NAME, COLLATION,
  CAST(SUB_PART AS CHAR), INDEX_TYPE
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY'
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";

/// MariaDB: checks carry their table.
const CHECKS_MARIADB: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME";

/// MySQL 8: the table comes from `TABLE_CONSTRAINTS`.
const CHECKS_MYSQL: &str = "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS cc
JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA
  AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE cc.CONSTRAINT_SCHEMA = DATABASE() ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME";

const NOT_COMPARED: &str =
    "SELECT 'trigger', CONCAT(EVENT_OBJECT_TABLE, '.', TRIGGER_NAME) FROM information_schema.TRIGGERS
WHERE TRIGGER_SCHEMA = DATABASE()
UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()
UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()
UNION ALL SELECT 'comment', TABLE_NAME FROM information_schema.TABLES
  WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_COMMENT <> ''
UNION ALL SELECT 'comment', CONCAT(c.TABLE_NAME, '.', c.COLUMN_NAME) FROM information_schema.COLUMNS c
  JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
  WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' AND c.COLUMN_COMMENT <> ''";

/// Reads the current database of a MySQL or MariaDB server.
pub(super) async fn introspect(conn: &mut Conn, filter: &TableFilter) -> Result<Schema, sqlx::Error> {
    let version = text_rows(conn, "SELECT VERSION()", 1).await?;
    let mariadb = version.first().and_then(|r| r[0].as_deref()).is_some_and(|v| v.contains("MariaDB"));
    let mut schema = Schema::default();
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for r in text_rows(conn, TABLES, 3).await? {
        let name = text(&r[0]);
        if !filter.keeps(&name) {
            continue;
        }
        match r[1].as_deref() {
            Some("BASE TABLE") => {
                let engine = text(&r[2]);
                if !engine.eq_ignore_ascii_case("InnoDB") {
                    schema.not_compared.push(not_compared("engine", &format!("{name} ({engine})")));
                }
                tables.insert(name.clone(), Table { name, ..Table::default() });
            }
            Some("VIEW" | "SYSTEM VIEW") => schema.not_compared.push(not_compared("view", &name)),
            Some("SEQUENCE") => schema.not_compared.push(not_compared("sequence", &name)),
            _ => {}
        }
    }
    for r in text_rows(conn, COLUMNS, 7).await? {
        let Some(table) = tables.get_mut(&text(&r[0])) else { continue };
        let extra = text(&r[5]).to_ascii_uppercase();
        let generated_expression = r[6].clone().filter(|e| !e.is_empty());
        let generated = (extra.contains("GENERATED") && !extra.contains("DEFAULT_GENERATED")).then(|| Generated {
            expression: generated_expression.unwrap_or_default(),
            stored: extra.contains("STORED") || extra.contains("PERSISTENT"),
        });
        table.columns.push(Column {
            name: text(&r[1]),
            data_type: text(&r[2]),
            nullable: r[3].as_deref() == Some("YES"),
            default: column_default(r[4].as_deref(), &extra, generated.is_some(), mariadb),
            identity: extra.contains("AUTO_INCREMENT").then_some(Identity::AutoIncrement),
            generated,
            renamed_from: None,
        });
    }

    // Keys: (table, name) → columns, and the foreign keys' references.
    let mut foreign: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for r in text_rows(conn, KEY_COLUMNS, 8).await? {
        let table_name = text(&r[0]);
        let Some(table) = tables.get_mut(&table_name) else { continue };
        let name = text(&r[1]);
        match r[2].as_deref() {
            Some("PRIMARY KEY") => table
                .primary_key
                .get_or_insert_with(|| PrimaryKey {
                    name: Name { name: name.clone(), generated: name == "PRIMARY" },
                    columns: Vec::new(),
                })
                .columns
                .push(text(&r[3])),
            Some("FOREIGN KEY") => {
                let fk = foreign.entry((table_name, name.clone())).or_insert_with(|| ForeignKey {
                    name: Name { name, generated: false },
                    ref_table: text(&r[4]),
                    on_update: action(r[6].as_deref().unwrap_or("")),
                    on_delete: action(r[7].as_deref().unwrap_or("")),
                    ..ForeignKey::default()
                });
                fk.columns.push(text(&r[3]));
                fk.ref_columns.push(text(&r[5]));
            }
            _ => {}
        }
    }
    for ((table_name, _), mut fk) in foreign {
        fk.name.generated = is_generated_name(ObjectKind::ForeignKey, &table_name, &fk.columns, &fk.name.name);
        tables.get_mut(&table_name).expect("keys of known tables").foreign_keys.push(fk);
    }

    // Indexes: (table, name) → (unique, keys, prefix or full-text index).
    type IndexEntry = (bool, Vec<IndexKey>, Option<String>);
    let mut indexes: BTreeMap<(String, String), IndexEntry> = BTreeMap::new();
    for r in text_rows(conn, INDEX_COLUMNS, 7).await? {
        let table_name = text(&r[0]);
        if !tables.contains_key(&table_name) {
            continue;
        }
        let entry = indexes
            .entry((table_name, text(&r[1])))
            .or_insert_with(|| (r[2].as_deref() == Some("0"), Vec::new(), None));
        let index_type = text(&r[6]);
        if index_type != "BTREE" && index_type != "HASH" {
            entry.2 = Some(format!("{} index", index_type.to_ascii_lowercase()));
        } else if r[5].is_some() {
            entry.2 = Some("prefix index".to_owned());
        }
        entry.1.push(IndexKey { target: IndexTarget::Column(text(&r[3])), descending: r[4].as_deref() == Some("D") });
    }
    for ((table_name, name), (unique, keys, unsupported)) in indexes {
        let table = tables.get_mut(&table_name).expect("indexes of known tables");
        if let Some(kind) = unsupported {
            schema.not_compared.push(not_compared(&kind, &format!("{table_name}.{name}")));
            continue;
        }
        let columns: Vec<String> = keys
            .iter()
            .filter_map(|k| match &k.target {
                IndexTarget::Column(c) => Some(c.clone()),
                IndexTarget::Expression(_) => None,
            })
            .collect();
        if unique && keys.iter().all(|k| !k.descending) {
            let generated = is_generated_name(ObjectKind::Unique, &table_name, &columns, &name);
            table.uniques.push(Unique { name: Name { name, generated }, columns });
            continue;
        }
        // The index InnoDB made for a foreign key (named after the key, or after its first
        // column when the key is unnamed) is the key's, not an index of its own.
        let implicit = !unique
            && table.foreign_keys.iter().any(|fk| {
                let own_name = if fk.name.generated {
                    fk.columns.first().map(String::as_str)
                } else {
                    Some(fk.name.name.as_str())
                };
                own_name == Some(name.as_str()) && fk.columns == columns
            });
        if implicit {
            continue;
        }
        let generated = is_generated_name(ObjectKind::Index, &table_name, &columns, &name);
        table.indexes.push(Index { name: Name { name, generated }, unique, keys, predicate: None });
    }

    let checks = if mariadb { CHECKS_MARIADB } else { CHECKS_MYSQL };
    for r in text_rows(conn, checks, 3).await? {
        let table_name = text(&r[0]);
        let Some(table) = tables.get_mut(&table_name) else { continue };
        let name = text(&r[1]);
        let expression = text(&r[2]);
        // MariaDB's column-level checks are named after their column.
        let columns: Vec<String> = table.columns.iter().filter(|c| c.name == name).map(|c| c.name.clone()).collect();
        let generated = is_generated_name(ObjectKind::Check, &table_name, &columns, &name);
        table.checks.push(Check { name: Name { name, generated }, expression });
    }
    for r in text_rows(conn, NOT_COMPARED, 2).await? {
        let name = text(&r[1]);
        if filter.keeps(name.split('.').next().unwrap_or("")) {
            schema.not_compared.push(not_compared(r[0].as_deref().unwrap_or(""), &name));
        }
    }
    schema.tables = tables;
    schema.not_compared.sort();
    Ok(schema)
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}
