//! The chain of small revisions the whole-process benchmarks run (`upgrade`,
//! `autogenerate`): every four work on one table (create it, add a column, seed three rows,
//! index it and update a row), each with a down section. Portable across SQLite, PostgreSQL
//! and MariaDB but for the index drop, whose spelling the caller gives.

use std::path::Path;

/// How a down section drops an index: `DROP INDEX ix` (SQLite, PostgreSQL) or
/// `DROP INDEX ix ON t` (MySQL, which needs the table).
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)] // each bench uses the spelling of its databases
pub enum DropIndex {
    Alone,
    OnTable,
}

/// The id of revision `i`: twelve hex digits, spread so that ids do not sort by position.
pub fn rev_id(i: usize) -> String {
    format!("{:012x}", i.wrapping_mul(0x9e37_79b9_7f4a) & 0xffff_ffff_ffff)
}

/// Writes the revision `i` of the chain (its parent is `i - 1`) into `root/migrations`.
pub fn write_chain_revision(root: &Path, i: usize, drop_index: DropIndex) {
    let t = format!("t_{}", i / 4);
    let (message, up, down) = match i % 4 {
        0 => (
            format!("create table {t}"),
            format!(
                "CREATE TABLE {t} (\n    id INTEGER PRIMARY KEY,\n    name VARCHAR(50) NOT NULL,\n    \
                 created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP\n);"
            ),
            format!("DROP TABLE {t};"),
        ),
        1 => (
            format!("add note to {t}"),
            format!("ALTER TABLE {t} ADD COLUMN note VARCHAR(100);"),
            format!("ALTER TABLE {t} DROP COLUMN note;"),
        ),
        2 => (
            format!("seed {t}"),
            format!(
                "INSERT INTO {t} (id, name, note) VALUES (1, 'alpha', 'first');\n\
                 INSERT INTO {t} (id, name, note) VALUES (2, 'beta', NULL);\n\
                 INSERT INTO {t} (id, name, note) VALUES (3, 'it''s', 'third');"
            ),
            format!("DELETE FROM {t} WHERE id IN (1, 2, 3);"),
        ),
        _ => (
            format!("index {t} name"),
            format!("CREATE INDEX ix_{t}_name ON {t} (name);\nUPDATE {t} SET note = 'indexed' WHERE id = 2;"),
            match drop_index {
                DropIndex::Alone => format!("DROP INDEX ix_{t}_name;"),
                DropIndex::OnTable => format!("DROP INDEX ix_{t}_name ON {t};"),
            },
        ),
    };
    let revises = if i == 0 { "<base>".to_owned() } else { rev_id(i - 1) };
    write_revision(root, i, &message, &revises, &up, &down);
}

/// Writes revision number `i` with the given parent and sections.
pub fn write_revision(root: &Path, i: usize, message: &str, revises: &str, up: &str, down: &str) {
    let text = format!(
        "-- {message}\n--\n-- Revision ID: {}\n-- Revises: {revises}\n\
         -- Create Date: 2026-11-22 10:00:00+00:00\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n",
        rev_id(i)
    );
    let file = format!("{}_{}.sql", rev_id(i), message.replace(' ', "_"));
    std::fs::write(root.join("migrations").join(file), text).expect("revision");
}
