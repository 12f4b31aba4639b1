//! What a statement does to the schema's objects — creates, drops, renames, empties — read
//! from its tokens ([`crate::sql::classify::tokens`]), so it works for every database and
//! for statements no parser reads. The chain rules (`incomplete-down`,
//! `removes-deployed-object`, `destructive-statement`) are built on it.
//!
//! Names are compared folded to lower case, without their schema: `public.Users` and
//! `users` are one table. That is looser than the servers are, and errs toward silence.

use crate::dialect::Lexing;
use crate::sql::classify::{Token, TokenKind, tokens};

/// A schema object, as named in statements.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Object {
    /// A table, view, materialized view or sequence (one namespace, as in PostgreSQL).
    Relation(String),
    /// A column of a table.
    Column(String, String),
    /// An index or a named constraint (MySQL keeps both as the table's keys).
    Key(String),
    /// A type or domain.
    Type(String),
    /// A function or procedure.
    Routine(String),
    /// A trigger.
    Trigger(String),
    /// A schema (or, on MySQL, a database).
    Schema(String),
}

impl Object {
    /// `table users`, `column users.email`, …, with `label` naming the kind as written.
    pub(crate) fn describe(&self, label: &str) -> String {
        match self {
            Object::Column(table, column) => format!("column {table}.{column}"),
            Object::Relation(name)
            | Object::Key(name)
            | Object::Type(name)
            | Object::Routine(name)
            | Object::Trigger(name)
            | Object::Schema(name) => format!("{label} {name}"),
        }
    }

    /// The table an object belongs to, when dropping that table drops it too.
    fn table(&self) -> Option<&str> {
        match self {
            Object::Column(table, _) => Some(table),
            _ => None,
        }
    }
}

/// What a statement does to one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Creates it.
    Create,
    /// Drops it.
    Drop,
    /// Renames it to this.
    Rename(Object),
    /// Deletes all of its rows (`TRUNCATE`, `DELETE` without `WHERE`).
    Empty,
}

/// One effect of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Effect {
    /// What happens.
    pub action: Action,
    /// To what.
    pub object: Object,
    /// The kind as the statement names it (`table`, `view`, `index`, `constraint`…).
    pub label: &'static str,
    /// The table an index, constraint or trigger is on, when the statement says.
    pub table: Option<String>,
}

impl Effect {
    fn new(action: Action, object: Object, label: &'static str) -> Self {
        Self { action, object, label, table: None }
    }

    /// The table whose drop also removes this object (its own table for a column; the
    /// table an index, constraint or trigger is on).
    pub(crate) fn owner(&self) -> Option<&str> {
        self.object.table().or(self.table.as_deref())
    }
}

/// A name folded for comparison: the last part of a qualified name, lower case.
fn fold(name: &str) -> String {
    name.to_lowercase()
}

struct Cursor<'a> {
    tokens: Vec<Token<'a>>,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.at)
    }

    fn is(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|t| t.is(keyword))
    }

    fn eat(&mut self, keyword: &str) -> bool {
        let hit = self.is(keyword);
        self.at += usize::from(hit);
        hit
    }

    fn eat_all(&mut self, keywords: &[&str]) -> bool {
        let fits =
            keywords.iter().enumerate().all(|(k, keyword)| self.tokens.get(self.at + k).is_some_and(|t| t.is(keyword)));
        if fits {
            self.at += keywords.len();
        }
        fits
    }

    fn eat_punct(&mut self, c: u8) -> bool {
        let hit = self.peek().is_some_and(|t| t.is_punct(c));
        self.at += usize::from(hit);
        hit
    }

    /// A possibly qualified name (`a`, `s.a`, `"S"."a"`): its last part, folded.
    fn name(&mut self) -> Option<String> {
        loop {
            let token = self.peek().filter(|t| t.is_name())?;
            let last = fold(&token.name());
            self.at += 1;
            if !self.eat_punct(b'.') {
                return Some(last);
            }
        }
    }

    fn done(&self) -> bool {
        self.at >= self.tokens.len()
    }

    /// Skips a balanced `( … )` if one starts here.
    fn skip_parens(&mut self) {
        if !self.eat_punct(b'(') {
            return;
        }
        let mut depth = 1usize;
        while let Some(token) = self.peek().copied() {
            self.at += 1;
            if token.is_punct(b'(') {
                depth += 1;
            } else if token.is_punct(b')') {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
        }
    }
}

/// Makes an object of one kind from its name.
type MakeObject = fn(String) -> Object;

/// The object kinds statements name after `CREATE`/`DROP`, with their labels.
fn kind_of(token: &Token<'_>) -> Option<(&'static str, MakeObject)> {
    const KINDS: [(&str, &str, MakeObject); 12] = [
        ("table", "table", Object::Relation),
        ("view", "view", Object::Relation),
        ("sequence", "sequence", Object::Relation),
        ("index", "index", Object::Key),
        ("type", "type", Object::Type),
        ("domain", "domain", Object::Type),
        ("function", "function", Object::Routine),
        ("procedure", "procedure", Object::Routine),
        ("trigger", "trigger", Object::Trigger),
        ("schema", "schema", Object::Schema),
        ("database", "database", Object::Schema),
        ("key", "index", Object::Key),
    ];
    if token.kind != TokenKind::Word {
        return None;
    }
    KINDS.iter().find(|(word, _, _)| token.text.eq_ignore_ascii_case(word)).map(|(_, label, make)| (*label, *make))
}

/// Everything a statement creates, drops, renames or empties, in order.
pub(crate) fn effects(statement: &str, lexing: &Lexing) -> Vec<Effect> {
    let mut cursor = Cursor { tokens: tokens(statement, lexing).collect(), at: 0 };
    let mut out = Vec::new();
    let Some(first) = cursor.peek().copied() else { return out };
    cursor.at = 1;
    if first.is("create") {
        create(&mut cursor, &mut out);
    } else if first.is("drop") {
        drop(&mut cursor, &mut out);
    } else if first.is("alter") {
        alter(&mut cursor, &mut out);
    } else if first.is("rename") {
        // MySQL: RENAME TABLE a TO b, c TO d
        if cursor.eat("table") || cursor.eat("tables") {
            while let Some(from) = cursor.name() {
                if !cursor.eat("to") {
                    break;
                }
                let Some(to) = cursor.name() else { break };
                out.push(Effect::new(Action::Rename(Object::Relation(to)), Object::Relation(from), "table"));
                if !cursor.eat_punct(b',') {
                    break;
                }
            }
        }
    } else if first.is("truncate") {
        cursor.eat("table");
        cursor.eat("only");
        while let Some(name) = cursor.name() {
            out.push(Effect::new(Action::Empty, Object::Relation(name), "table"));
            cursor.eat_punct(b'*');
            if !cursor.eat_punct(b',') {
                break;
            }
        }
    } else if first.is("delete") {
        // DELETE [LOW_PRIORITY] [QUICK] [IGNORE] FROM t …: no WHERE means every row.
        while !cursor.done() && !cursor.is("from") {
            cursor.at += 1;
        }
        if cursor.eat("from") {
            cursor.eat("only");
            let has_where = cursor.tokens[cursor.at..].iter().any(|t| t.is("where") || t.is("using") || t.is("join"));
            if let Some(name) = cursor.name()
                && !has_where
            {
                out.push(Effect::new(Action::Empty, Object::Relation(name), "table"));
            }
        }
    }
    out
}

fn create(cursor: &mut Cursor<'_>, out: &mut Vec<Effect>) {
    // Modifiers before the kind: OR REPLACE, TEMPORARY, UNIQUE, MATERIALIZED, DEFINER = …
    let mut temporary = false;
    let mut found = None;
    for _ in 0..12 {
        let Some(token) = cursor.peek().copied() else { return };
        cursor.at += 1;
        if token.is("temp") || token.is("temporary") {
            temporary = true;
        } else if let Some(kind) = kind_of(&token).filter(|_| !token.is("key")) {
            found = Some(kind);
            break;
        }
    }
    let Some((label, make)) = found else { return };
    if temporary {
        return;
    }
    cursor.eat("concurrently");
    cursor.eat_all(&["if", "not", "exists"]);
    if label == "index" && cursor.is("on") {
        return; // an unnamed index: its table's drop takes it
    }
    let Some(name) = cursor.name() else { return };
    let mut effect = Effect::new(Action::Create, make(name), label);
    if matches!(label, "index" | "trigger") {
        while !cursor.done() && !cursor.is("on") {
            cursor.at += 1;
        }
        if cursor.eat("on") {
            cursor.eat("only");
            effect.table = cursor.name();
        }
    }
    out.push(effect);
}

fn drop(cursor: &mut Cursor<'_>, out: &mut Vec<Effect>) {
    cursor.eat("materialized");
    cursor.eat("temporary");
    let Some((label, make)) =
        cursor.peek().and_then(kind_of).filter(|(label, _)| *label != "index" || !cursor.is("key"))
    else {
        return;
    };
    cursor.at += 1;
    cursor.eat("concurrently");
    cursor.eat_all(&["if", "exists"]);
    let start = out.len();
    while let Some(name) = cursor.name() {
        out.push(Effect::new(Action::Drop, make(name), label));
        cursor.skip_parens(); // a function's argument types
        if !cursor.eat_punct(b',') {
            break;
        }
    }
    // MySQL: DROP INDEX i ON t
    if cursor.eat("on") {
        let table = cursor.name();
        for effect in &mut out[start..] {
            effect.table.clone_from(&table);
        }
    }
}

fn alter(cursor: &mut Cursor<'_>, out: &mut Vec<Effect>) {
    let Some(kind) = cursor.peek().copied() else { return };
    cursor.at += 1;
    if kind.is("online") || kind.is("ignore") {
        // MariaDB's ALTER ONLINE TABLE / MySQL 5's ALTER IGNORE TABLE
        if !cursor.eat("table") {
            return;
        }
    } else if !kind.is("table") {
        // ALTER INDEX/VIEW/SEQUENCE/TYPE … RENAME TO …
        let Some((label, make)) = kind_of(&kind) else { return };
        cursor.eat_all(&["if", "exists"]);
        let Some(name) = cursor.name() else { return };
        if cursor.eat_all(&["rename", "to"])
            && let Some(to) = cursor.name()
        {
            out.push(Effect::new(Action::Rename(make(to)), make(name), label));
        }
        return;
    }
    cursor.eat_all(&["if", "exists"]);
    cursor.eat("only");
    let Some(table) = cursor.name() else { return };
    cursor.eat_punct(b'*');
    // One action at a time, up to the next top-level comma.
    while !cursor.done() {
        let start = cursor.at;
        let mut depth = 0usize;
        while let Some(token) = cursor.peek() {
            if token.is_punct(b'(') {
                depth += 1;
            } else if token.is_punct(b')') {
                depth = depth.saturating_sub(1);
            } else if token.is_punct(b',') && depth == 0 {
                break;
            }
            cursor.at += 1;
        }
        let end = cursor.at;
        cursor.eat_punct(b',');
        let mut action = Cursor { tokens: cursor.tokens[start..end].to_vec(), at: 0 };
        alter_action(&mut action, &table, out);
    }
}

/// Words that, after `ADD`/`DROP`, start a constraint or key rather than a column.
const KEY_WORDS: [&str; 9] =
    ["constraint", "index", "key", "unique", "primary", "foreign", "check", "fulltext", "spatial"];

fn alter_action(cursor: &mut Cursor<'_>, table: &str, out: &mut Vec<Effect>) {
    let column = |name: String| Object::Column(table.to_owned(), name);
    let keyed = |action: Action, name: String, label: &'static str| Effect {
        action,
        object: Object::Key(name),
        label,
        table: Some(table.to_owned()),
    };
    if cursor.eat("add") {
        if cursor.is("partition") || cursor.is("exclude") {
            return;
        }
        let explicit_column = cursor.eat("column");
        cursor.eat_all(&["if", "not", "exists"]);
        if !explicit_column && KEY_WORDS.iter().any(|k| cursor.is(k)) {
            if cursor.eat("constraint") {
                if let Some(name) = cursor.name() {
                    out.push(keyed(Action::Create, name, "constraint"));
                }
                return;
            }
            if cursor.eat("primary") || cursor.eat("foreign") || cursor.eat("check") {
                return;
            }
            // MySQL: ADD [UNIQUE|FULLTEXT|SPATIAL] [INDEX|KEY] name (…)
            let _ = cursor.eat("unique") || cursor.eat("fulltext") || cursor.eat("spatial");
            let _ = cursor.eat("index") || cursor.eat("key");
            if cursor.peek().is_some_and(|t| t.is_name()) && !cursor.is("using") {
                let name = cursor.name().unwrap_or_default();
                out.push(keyed(Action::Create, name, "index"));
            }
            return;
        }
        if let Some(name) = cursor.name() {
            out.push(Effect::new(Action::Create, column(name), "column"));
        }
    } else if cursor.eat("drop") {
        let explicit_column = cursor.eat("column");
        if !explicit_column && KEY_WORDS.iter().any(|k| cursor.is(k)) {
            if cursor.eat("primary") {
                return;
            }
            let label = if cursor.is("index") || cursor.is("key") { "index" } else { "constraint" };
            let _ = cursor.eat("constraint") || cursor.eat("index") || cursor.eat("key") || cursor.eat("check");
            let _ = cursor.eat("foreign") && cursor.eat("key");
            cursor.eat_all(&["if", "exists"]);
            if let Some(name) = cursor.name() {
                out.push(keyed(Action::Drop, name, label));
            }
            return;
        }
        if cursor.is("default") || cursor.is("partition") {
            return;
        }
        cursor.eat_all(&["if", "exists"]);
        if let Some(name) = cursor.name() {
            out.push(Effect::new(Action::Drop, column(name), "column"));
        }
    } else if cursor.eat("rename") {
        if cursor.eat("to") || cursor.eat("as") {
            if let Some(to) = cursor.name() {
                out.push(Effect::new(
                    Action::Rename(Object::Relation(to)),
                    Object::Relation(table.to_owned()),
                    "table",
                ));
            }
            return;
        }
        let key = if cursor.eat("constraint") {
            Some("constraint")
        } else if cursor.eat("index") || cursor.eat("key") {
            Some("index")
        } else {
            cursor.eat("column");
            None
        };
        let Some(from) = cursor.name() else { return };
        if !cursor.eat("to") {
            return;
        }
        let Some(to) = cursor.name() else { return };
        match key {
            Some(label) => out.push(Effect {
                table: Some(table.to_owned()),
                ..Effect::new(Action::Rename(Object::Key(to)), Object::Key(from), label)
            }),
            None => out.push(Effect::new(Action::Rename(column(to)), column(from), "column")),
        }
    } else if cursor.eat("change") {
        // MySQL: CHANGE [COLUMN] old new type …
        cursor.eat("column");
        if let (Some(from), Some(to)) = (cursor.name(), cursor.name())
            && from != to
        {
            out.push(Effect::new(Action::Rename(column(to)), column(from), "column"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::DatabaseKind;

    fn read(kind: DatabaseKind, sql: &str) -> Vec<String> {
        effects(sql, &kind.dialect().lexing())
            .iter()
            .map(|e| {
                let what = e.object.describe(e.label);
                let on = e.table.as_deref().map(|t| format!(" on {t}")).unwrap_or_default();
                match &e.action {
                    Action::Create => format!("create {what}{on}"),
                    Action::Drop => format!("drop {what}{on}"),
                    Action::Rename(to) => format!("rename {what} to {}", to.describe(e.label)),
                    Action::Empty => format!("empty {what}"),
                }
            })
            .collect()
    }

    use DatabaseKind::{MySql, Postgres, Sqlite};

    #[test]
    fn creates() {
        assert_eq!(read(Postgres, "CREATE TABLE IF NOT EXISTS public.\"Account\" (id int)"), ["create table account"]);
        assert_eq!(
            read(Postgres, "create unique index concurrently if not exists ix on only t (a)"),
            ["create index ix on t"]
        );
        assert_eq!(read(Postgres, "CREATE INDEX ON t (a)"), Vec::<String>::new());
        assert_eq!(read(Postgres, "CREATE TEMP TABLE x (a int)"), Vec::<String>::new());
        assert_eq!(read(Postgres, "CREATE OR REPLACE VIEW v AS SELECT 1"), ["create view v"]);
        assert_eq!(read(Postgres, "CREATE TYPE s AS ENUM ('a')"), ["create type s"]);
        assert_eq!(
            read(MySql, "CREATE DEFINER=`u`@`h` TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1"),
            ["create trigger tr on t"]
        );
    }

    #[test]
    fn drops() {
        assert_eq!(read(Postgres, "DROP TABLE IF EXISTS a, s.b CASCADE"), ["drop table a", "drop table b"]);
        assert_eq!(read(MySql, "DROP INDEX ix ON t"), ["drop index ix on t"]);
        assert_eq!(read(Postgres, "DROP INDEX CONCURRENTLY IF EXISTS ix"), ["drop index ix"]);
        assert_eq!(read(Postgres, "DROP FUNCTION f(int, text), g()"), ["drop function f", "drop function g"]);
        assert_eq!(read(Postgres, "DROP MATERIALIZED VIEW mv"), ["drop view mv"]);
    }

    #[test]
    fn alter_table_actions() {
        assert_eq!(
            read(
                Postgres,
                "ALTER TABLE ONLY t ADD COLUMN IF NOT EXISTS a int DEFAULT f(1, 2), DROP COLUMN b, ADD CONSTRAINT c CHECK (a > 0)"
            ),
            ["create column t.a", "drop column t.b", "create constraint c on t"]
        );
        assert_eq!(read(Sqlite, "ALTER TABLE t ADD x TEXT"), ["create column t.x"]);
        assert_eq!(read(Postgres, "ALTER TABLE t RENAME COLUMN a TO b"), ["rename column t.a to column t.b"]);
        assert_eq!(read(Postgres, "ALTER TABLE t RENAME TO u"), ["rename table t to table u"]);
        assert_eq!(
            read(
                MySql,
                "ALTER TABLE t ADD UNIQUE INDEX u (a), ADD INDEX (b), DROP FOREIGN KEY fk, DROP INDEX i, DROP PRIMARY KEY"
            ),
            ["create index u on t", "drop constraint fk on t", "drop index i on t"]
        );
        assert_eq!(
            read(MySql, "ALTER TABLE t CHANGE COLUMN a b INT, CHANGE c c BIGINT"),
            ["rename column t.a to column t.b"]
        );
        assert_eq!(
            read(MySql, "RENAME TABLE a TO b, c TO d"),
            ["rename table a to table b", "rename table c to table d"]
        );
        assert_eq!(read(Postgres, "ALTER INDEX i RENAME TO j"), ["rename index i to index j"]);
        assert_eq!(read(Postgres, "ALTER TABLE t ALTER COLUMN a DROP DEFAULT"), Vec::<String>::new());
        assert_eq!(read(Postgres, "ALTER TABLE t DROP CONSTRAINT IF EXISTS c"), ["drop constraint c on t"]);
    }

    #[test]
    fn emptying() {
        assert_eq!(read(Postgres, "TRUNCATE TABLE a, b"), ["empty table a", "empty table b"]);
        assert_eq!(read(Postgres, "DELETE FROM t"), ["empty table t"]);
        assert_eq!(read(Postgres, "DELETE FROM t WHERE id = 1"), Vec::<String>::new());
        assert_eq!(read(MySql, "DELETE QUICK FROM t"), ["empty table t"]);
        assert!(read(Postgres, "").is_empty() && read(Postgres, "(").is_empty() && read(Postgres, "ALTER").is_empty());
    }
}
