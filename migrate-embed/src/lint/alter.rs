//! One `ALTER TABLE` as the MySQL and SQLite rules see it: its operations and its
//! `ALGORITHM=`/`LOCK=` clauses. Built from `sqlparser`'s tree when the parser reads the
//! statement (feature `lint-sql`), else from the statement's tokens, so the rules are
//! written once and a statement the parser cannot read is still checked by its keywords.

use super::RawFinding;
use super::objects::{Action, Object, effects};
use crate::dialect::Lexing;
use crate::sql::classify::{Token, TokenKind, tokens};
use crate::sql::split::Statement;

/// What the revision's earlier statements did that changes what a statement costs: the
/// tables they created (empty, so nothing to copy), and whether foreign-key checks are off
/// (the header's `Foreign Keys: off`, or MySQL's `SET FOREIGN_KEY_CHECKS = 0`), which lets
/// MySQL add a foreign key in place instead of copying the table.
#[derive(Debug, Default)]
pub(crate) struct NewTables {
    tables: std::collections::HashSet<String>,
    foreign_key_checks_off: bool,
}

impl NewTables {
    /// The state at a revision's start; `foreign_keys_off` is its header's `Foreign Keys: off`.
    pub(crate) fn new(foreign_keys_off: bool) -> Self {
        Self { tables: Default::default(), foreign_key_checks_off: foreign_keys_off }
    }

    fn contains(&self, table: &str) -> bool {
        self.tables.contains(table)
    }

    /// Notes what a statement does (after checking it).
    pub(crate) fn record(&mut self, sql: &str, lexing: &Lexing) {
        for effect in effects(sql, lexing) {
            if let (Action::Create, Object::Relation(name)) = (&effect.action, &effect.object) {
                self.tables.insert(name.clone());
            }
        }
        let words: Vec<Token<'_>> = tokens(sql, lexing).take(6).collect();
        let names_checks = |i: usize| words.get(i).is_some_and(|t| t.is("foreign_key_checks"));
        if words.first().is_some_and(|t| t.is("set")) {
            let at = if names_checks(1) {
                1
            } else if names_checks(2) {
                2
            } else {
                return;
            };
            if let Some(value) = words.get(at + 2) {
                self.foreign_key_checks_off = value.text == "0" || value.is("off");
            }
        }
    }
}

/// `ALGORITHM=` of a MySQL ALTER TABLE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    Default,
    Instant,
    Inplace,
    /// MariaDB's NOCOPY.
    Nocopy,
    Copy,
}

/// `LOCK=` of a MySQL ALTER TABLE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    Default,
    None,
    Shared,
    Exclusive,
}

/// A column's default, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefaultValue {
    Absent,
    Null,
    Constant,
    /// `CURRENT_TIMESTAMP`, a function call, an expression in parentheses.
    NonConstant,
}

/// A column added by `ADD COLUMN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewColumn {
    pub name: String,
    pub primary_key: bool,
    pub unique: bool,
    pub not_null: bool,
    pub default: DefaultValue,
    pub auto_increment: bool,
    pub stored: bool,
    pub references: bool,
}

/// One operation of an ALTER TABLE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    AddColumn(NewColumn),
    DropColumn,
    RenameColumn,
    RenameTable,
    /// MODIFY/CHANGE: the column is redefined, its type possibly changed.
    ChangeColumn,
    /// ALTER COLUMN … TYPE / SET DATA TYPE.
    SetColumnType,
    /// ALTER COLUMN … SET/DROP DEFAULT.
    ColumnDefault,
    /// ALTER COLUMN … SET/DROP NOT NULL.
    ColumnNullability,
    AddForeignKey,
    AddCheck,
    AddIndex {
        fulltext_or_spatial: bool,
    },
    AddPrimaryKey,
    DropPrimaryKey,
    /// DROP INDEX/KEY/FOREIGN KEY/CONSTRAINT/CHECK.
    DropKey,
    /// ENGINE=, FORCE, ROW_FORMAT=…: a rebuild.
    Rebuild(&'static str),
    ConvertCharset,
    /// Anything else, named by its leading words.
    Other(String),
}

impl Op {
    fn describe(&self) -> String {
        match self {
            Op::AddColumn(c) => format!("ADD COLUMN {}", c.name),
            Op::DropColumn => "DROP COLUMN".into(),
            Op::RenameColumn => "RENAME COLUMN".into(),
            Op::RenameTable => "RENAME TO".into(),
            Op::ChangeColumn => "MODIFY/CHANGE COLUMN".into(),
            Op::SetColumnType => "ALTER COLUMN … TYPE".into(),
            Op::ColumnDefault => "ALTER COLUMN … DEFAULT".into(),
            Op::ColumnNullability => "ALTER COLUMN … NOT NULL".into(),
            Op::AddForeignKey => "ADD FOREIGN KEY".into(),
            Op::AddCheck => "ADD CHECK".into(),
            Op::AddIndex { fulltext_or_spatial: true } => "ADD FULLTEXT/SPATIAL INDEX".into(),
            Op::AddIndex { .. } => "ADD INDEX".into(),
            Op::AddPrimaryKey => "ADD PRIMARY KEY".into(),
            Op::DropPrimaryKey => "DROP PRIMARY KEY".into(),
            Op::DropKey => "DROP INDEX/CONSTRAINT".into(),
            Op::Rebuild(what) => (*what).into(),
            Op::ConvertCharset => "CONVERT TO CHARACTER SET".into(),
            Op::Other(what) => what.clone(),
        }
    }
}

/// An ALTER TABLE statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AlterTable {
    /// The table, folded to lower case, without its schema.
    pub table: String,
    pub ops: Vec<Op>,
    pub algorithm: Option<Algorithm>,
    pub lock: Option<Lock>,
}

impl AlterTable {
    /// Reads `ALTER TABLE …` by its tokens; `None` for any other statement.
    pub(crate) fn from_tokens(sql: &str, lexing: &Lexing) -> Option<Self> {
        let all: Vec<Token<'_>> = tokens(sql, lexing).collect();
        let mut at = 0;
        let is = |at: usize, word: &str| all.get(at).is_some_and(|t| t.is(word));
        if !is(0, "alter") {
            return None;
        }
        at += 1;
        if is(at, "online") || is(at, "ignore") {
            at += 1;
        }
        if !is(at, "table") {
            return None;
        }
        at += 1;
        if is(at, "if") && is(at + 1, "exists") {
            at += 2;
        }
        if is(at, "only") {
            at += 1;
        }
        // The table name, possibly qualified.
        let mut table = String::new();
        while let Some(name) = all.get(at).filter(|t| t.is_name()) {
            table = name.name().to_lowercase();
            at += 1;
            if all.get(at).is_some_and(|t| t.is_punct(b'.')) {
                at += 1;
            } else {
                break;
            }
        }
        let mut alter = AlterTable { table, ops: Vec::new(), algorithm: None, lock: None };
        let mut depth = 0usize;
        let mut start = at;
        for i in at..=all.len() {
            match all.get(i) {
                Some(t) if t.is_punct(b'(') => depth += 1,
                Some(t) if t.is_punct(b')') => depth = depth.saturating_sub(1),
                Some(t) if !(t.is_punct(b',') && depth == 0) => {}
                _ => {
                    if i > start {
                        alter.read_action(&all[start..i]);
                    }
                    start = i + 1;
                }
            }
        }
        Some(alter)
    }

    fn read_action(&mut self, t: &[Token<'_>]) {
        let is = |i: usize, word: &str| t.get(i).is_some_and(|x| x.is(word));
        let word = |i: usize| t.get(i).map(|x| x.text.to_ascii_uppercase()).unwrap_or_default();
        // `ALGORITHM [=] X`, `LOCK [=] X`
        let value = || {
            t.iter()
                .skip(1)
                .find(|x| x.kind == TokenKind::Word)
                .map(|x| x.text.to_ascii_lowercase())
                .unwrap_or_default()
        };
        let op = if is(0, "algorithm") {
            self.algorithm = Some(match value().as_str() {
                "instant" => Algorithm::Instant,
                "inplace" => Algorithm::Inplace,
                "nocopy" => Algorithm::Nocopy,
                "copy" => Algorithm::Copy,
                _ => Algorithm::Default,
            });
            return;
        } else if is(0, "lock") {
            self.lock = Some(match value().as_str() {
                "none" => Lock::None,
                "shared" => Lock::Shared,
                "exclusive" => Lock::Exclusive,
                _ => Lock::Default,
            });
            return;
        } else if is(0, "add") {
            let mut i = 1;
            let column_keyword = is(i, "column");
            i += usize::from(column_keyword);
            if is(i, "if") && is(i + 1, "not") && is(i + 2, "exists") {
                i += 3;
            }
            if !column_keyword && is(i, "constraint") {
                i += 2; // CONSTRAINT name
            }
            let rest = t.get(i..).unwrap_or_default();
            if column_keyword {
                read_column(rest)
            } else if is(i, "primary") {
                Op::AddPrimaryKey
            } else if is(i, "foreign") {
                Op::AddForeignKey
            } else if is(i, "check") {
                Op::AddCheck
            } else if is(i, "unique") || is(i, "index") || is(i, "key") {
                Op::AddIndex { fulltext_or_spatial: false }
            } else if is(i, "fulltext") || is(i, "spatial") {
                Op::AddIndex { fulltext_or_spatial: true }
            } else if is(i, "partition") || t.get(i).is_some_and(|x| x.is_punct(b'(')) {
                Op::Other(format!("ADD {}", word(i)))
            } else {
                read_column(rest)
            }
        } else if is(0, "drop") {
            if is(1, "primary") {
                Op::DropPrimaryKey
            } else if ["index", "key", "foreign", "constraint", "check"].iter().any(|w| is(1, w)) {
                Op::DropKey
            } else if is(1, "partition") || is(1, "default") {
                Op::Other(format!("DROP {}", word(1)))
            } else {
                Op::DropColumn
            }
        } else if is(0, "rename") {
            if is(1, "to") || is(1, "as") {
                Op::RenameTable
            } else if ["index", "key", "constraint"].iter().any(|w| is(1, w)) {
                Op::Other(format!("RENAME {}", word(1)))
            } else {
                Op::RenameColumn
            }
        } else if is(0, "modify") || is(0, "change") {
            Op::ChangeColumn
        } else if is(0, "alter") {
            let i = if is(1, "column") { 3 } else { 2 };
            if is(i, "type") || (is(i, "set") && is(i + 1, "data")) {
                Op::SetColumnType
            } else if (is(i, "set") || is(i, "drop")) && is(i + 1, "default") {
                Op::ColumnDefault
            } else if (is(i, "set") || is(i, "drop")) && is(i + 1, "not") {
                Op::ColumnNullability
            } else {
                Op::Other(format!("ALTER COLUMN … {}", word(i)))
            }
        } else if is(0, "engine") {
            Op::Rebuild("ENGINE=")
        } else if is(0, "force") {
            Op::Rebuild("FORCE")
        } else if is(0, "row_format") {
            Op::Rebuild("ROW_FORMAT=")
        } else if is(0, "convert") {
            Op::ConvertCharset
        } else {
            Op::Other(word(0))
        };
        self.ops.push(op);
    }
}

/// A column definition read by its tokens: `name type [options…]`.
fn read_column(t: &[Token<'_>]) -> Op {
    let mut column = NewColumn {
        name: t.first().map(|x| x.name().into_owned()).unwrap_or_default(),
        primary_key: false,
        unique: false,
        not_null: false,
        default: DefaultValue::Absent,
        auto_increment: false,
        stored: false,
        references: false,
    };
    let mut depth = 0usize;
    for (i, token) in t.iter().enumerate().skip(1) {
        if token.is_punct(b'(') {
            depth += 1;
        } else if token.is_punct(b')') {
            depth = depth.saturating_sub(1);
        }
        if depth > 0 || token.kind != TokenKind::Word {
            continue;
        }
        let next = t.get(i + 1);
        if token.is("primary") {
            column.primary_key = true;
        } else if token.is("unique") {
            column.unique = true;
        } else if token.is("not") && next.is_some_and(|n| n.is("null")) {
            column.not_null = true;
        } else if token.is("auto_increment") || token.is("autoincrement") {
            column.auto_increment = true;
        } else if token.is("stored") {
            column.stored = true;
        } else if token.is("references") {
            column.references = true;
        } else if token.is("default") {
            column.default = match next {
                None => DefaultValue::Absent,
                Some(n) if n.is("null") => DefaultValue::Null,
                Some(n) if n.kind == TokenKind::String || n.is("true") || n.is("false") => DefaultValue::Constant,
                Some(n) if n.is_punct(b'-') || n.is_punct(b'+') => DefaultValue::Constant,
                Some(n) if n.kind == TokenKind::Word && n.text.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
                    DefaultValue::Constant
                }
                Some(_) => DefaultValue::NonConstant,
            };
        }
    }
    Op::AddColumn(column)
}

/// `mysql-blocking-alter` and `mysql-table-rebuild` for one ALTER TABLE. A table the
/// revision created earlier is empty, so nothing is blocked or rebuilt for long.
pub(crate) fn mysql_rules(
    alter: &AlterTable,
    new_tables: &NewTables,
    statement: &Statement<'_>,
    raw: &mut Vec<RawFinding>,
) {
    if new_tables.contains(&alter.table) {
        return;
    }
    let lock_none = alter.lock == Some(Lock::None);
    let online_algorithm = matches!(alter.algorithm, Some(Algorithm::Instant | Algorithm::Inplace | Algorithm::Nocopy));
    let adds_primary_key = alter.ops.contains(&Op::AddPrimaryKey);
    let copies = alter.ops.iter().find(|op| match op {
        Op::ChangeColumn | Op::SetColumnType | Op::AddCheck | Op::ConvertCharset => true,
        Op::AddForeignKey => !new_tables.foreign_key_checks_off,
        Op::DropPrimaryKey => !adds_primary_key,
        Op::AddColumn(c) => c.stored,
        _ => false,
    });
    let no_concurrent_writes = alter.ops.iter().find(|op| match op {
        Op::AddIndex { fulltext_or_spatial } => *fulltext_or_spatial,
        Op::AddColumn(c) => c.auto_increment,
        _ => false,
    });
    let blocking = copies.filter(|_| !lock_none && !online_algorithm).or(no_concurrent_writes.filter(|_| !lock_none));
    if let Some(op) = blocking {
        raw.push(RawFinding {
            help: Some(
                "add `, ALGORITHM=INPLACE, LOCK=NONE` so the server refuses instead of locking, or change the column with expand/contract".into(),
            ),
            ..RawFinding::new(
                "mysql-blocking-alter",
                statement,
                format!("{} blocks writes to the table until it has copied or rebuilt it", op.describe()),
            )
        });
        return;
    }
    let rebuilds = alter.ops.iter().find(|op| {
        matches!(op, Op::ColumnNullability | Op::AddPrimaryKey | Op::Rebuild(_))
            || (matches!(op, Op::DropPrimaryKey) && adds_primary_key)
    });
    if let Some(op) = rebuilds
        && alter.algorithm != Some(Algorithm::Instant)
    {
        raw.push(RawFinding {
            help: Some(
                "run it at a quiet time with `ALGORITHM=INPLACE, LOCK=NONE` and a short lock_wait_timeout".into(),
            ),
            ..RawFinding::new("mysql-table-rebuild", statement, format!("{} rebuilds the whole table", op.describe()))
        });
    }
}

/// MySQL statements other than ALTER TABLE, read by their keywords: FULLTEXT/SPATIAL
/// indexes and OPTIMIZE TABLE.
pub(crate) fn mysql_statement_by_keywords(statement: &Statement<'_>, lexing: &Lexing, raw: &mut Vec<RawFinding>) {
    let words: Vec<Token<'_>> = tokens(statement.sql, lexing).take(4).collect();
    let is = |i: usize, w: &str| words.get(i).is_some_and(|t| t.is(w));
    if is(0, "create") && (is(1, "fulltext") || is(1, "spatial")) && is(2, "index") {
        let lock_none = {
            let all: Vec<Token<'_>> = tokens(statement.sql, lexing).collect();
            all.windows(3).any(|w| w[0].is("lock") && w[2].is("none"))
                || all.windows(2).any(|w| w[0].is("lock") && w[1].is("none"))
        };
        if !lock_none {
            mysql_index_blocks(statement, raw);
        }
    } else if is(0, "optimize") && is(1, "table") {
        raw.push(RawFinding::new("mysql-table-rebuild", statement, "OPTIMIZE TABLE rebuilds the whole table"));
    }
}

pub(crate) fn mysql_index_blocks(statement: &Statement<'_>, raw: &mut Vec<RawFinding>) {
    raw.push(RawFinding {
        help: Some("build it at a quiet time; `LOCK=NONE` makes the server refuse instead of blocking".into()),
        ..RawFinding::new(
            "mysql-blocking-alter",
            statement,
            "a FULLTEXT or SPATIAL index is built without concurrent writes to the table",
        )
    });
}

/// `sqlite-unsupported-alter` and `sqlite-add-column-rejected` for one ALTER TABLE (an
/// ADD COLUMN on a table the revision created is fine: it has no rows).
pub(crate) fn sqlite_rules(
    alter: &AlterTable,
    new_tables: &NewTables,
    statement: &Statement<'_>,
    raw: &mut Vec<RawFinding>,
) {
    let help = "rebuild the table: create the new one, copy the rows, drop the old one, rename the new one";
    if alter.ops.len() > 1 || alter.algorithm.is_some() || alter.lock.is_some() {
        raw.push(RawFinding {
            help: Some("one change per ALTER TABLE statement".into()),
            ..RawFinding::new(
                "sqlite-unsupported-alter",
                statement,
                "SQLite's ALTER TABLE takes one change per statement; this one fails",
            )
        });
        return;
    }
    let Some(op) = alter.ops.first() else { return };
    match op {
        Op::AddColumn(_) if new_tables.contains(&alter.table) => {}
        Op::AddColumn(column) => {
            let reason = if column.primary_key {
                Some("a PRIMARY KEY column")
            } else if column.unique {
                Some("a UNIQUE column")
            } else if column.stored {
                Some("a STORED generated column")
            } else if column.default == DefaultValue::NonConstant {
                Some("a column with a non-constant default")
            } else if column.not_null && matches!(column.default, DefaultValue::Absent | DefaultValue::Null) {
                Some("a NOT NULL column without a default")
            } else if column.references && column.default == DefaultValue::Constant {
                Some("a REFERENCES column with a non-NULL default")
            } else {
                None
            };
            if let Some(reason) = reason {
                raw.push(RawFinding {
                    help: Some(
                        "give it a constant default, add uniqueness with CREATE UNIQUE INDEX, or rebuild the table"
                            .into(),
                    ),
                    ..RawFinding::new(
                        "sqlite-add-column-rejected",
                        statement,
                        format!("SQLite cannot add {reason} to a table that has rows ({})", column.name),
                    )
                });
            }
        }
        Op::DropColumn | Op::RenameColumn | Op::RenameTable => {}
        other => raw.push(RawFinding {
            help: Some(help.into()),
            ..RawFinding::new(
                "sqlite-unsupported-alter",
                statement,
                format!("SQLite's ALTER TABLE has no {}; this statement fails", other.describe()),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::DatabaseKind;

    fn read(sql: &str) -> AlterTable {
        AlterTable::from_tokens(sql, &DatabaseKind::MySql.dialect().lexing()).expect("an ALTER TABLE")
    }

    /// Every prefix of statements the readers know (cut anywhere, as a file being typed
    /// or a broken one would be) is read without a panic, by both readers.
    #[test]
    fn truncated_statements_never_panic() {
        let samples = [
            "ALTER TABLE IF EXISTS s.t ADD COLUMN IF NOT EXISTS c INT NOT NULL DEFAULT (1), ADD CONSTRAINT k FOREIGN KEY (a) REFERENCES p (id), ALGORITHM = INPLACE, LOCK = NONE",
            "ALTER TABLE t DROP CONSTRAINT IF EXISTS c, DROP PRIMARY KEY, RENAME COLUMN a TO b, CHANGE COLUMN a b INT, ALTER COLUMN x SET DATA TYPE INT",
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON ONLY s.t (a) WHERE b > 0",
            "DROP INDEX CONCURRENTLY IF EXISTS a, b ON t CASCADE",
            "RENAME TABLE a TO b, c TO d",
            "DELETE QUICK FROM s.t WHERE a = 1",
            "TRUNCATE TABLE ONLY a *, b",
            "CREATE OR REPLACE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
            "ALTER INDEX IF EXISTS i RENAME TO j",
        ];
        for kind in [DatabaseKind::MySql, DatabaseKind::Postgres, DatabaseKind::Sqlite] {
            let lexing = kind.dialect().lexing();
            for sample in samples {
                for (cut, _) in sample.char_indices() {
                    let prefix = &sample[..cut];
                    let _ = AlterTable::from_tokens(prefix, &lexing);
                    let _ = effects(prefix, &lexing);
                    let mut seen = NewTables::new(false);
                    seen.record(prefix, &lexing);
                }
            }
        }
    }

    #[test]
    fn reads_the_table_name() {
        assert_eq!(read("ALTER TABLE IF EXISTS s.`Tab` ADD c INT").table, "tab");
    }

    #[test]
    fn reads_operations_and_clauses() {
        let alter = read(
            "ALTER TABLE s.t ADD COLUMN c INT NOT NULL DEFAULT 0, ADD INDEX i (a, b), ALGORITHM=INPLACE, LOCK = NONE",
        );
        assert_eq!(alter.algorithm, Some(Algorithm::Inplace));
        assert_eq!(alter.lock, Some(Lock::None));
        assert!(matches!(&alter.ops[0], Op::AddColumn(c) if c.not_null && c.default == DefaultValue::Constant));
        assert_eq!(alter.ops[1], Op::AddIndex { fulltext_or_spatial: false });
        let alter =
            read("ALTER TABLE t MODIFY c BIGINT, ENGINE=InnoDB, ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id)");
        assert_eq!(alter.ops, [Op::ChangeColumn, Op::Rebuild("ENGINE="), Op::AddForeignKey]);
        let alter =
            read("ALTER TABLE t ADD d TEXT DEFAULT (datetime('now')), DROP PRIMARY KEY, ALTER COLUMN x SET NOT NULL");
        assert!(matches!(&alter.ops[0], Op::AddColumn(c) if c.default == DefaultValue::NonConstant));
        assert_eq!(alter.ops[1..], [Op::DropPrimaryKey, Op::ColumnNullability]);
        assert!(AlterTable::from_tokens("CREATE TABLE t (a INT)", &DatabaseKind::MySql.dialect().lexing()).is_none());
    }
}
