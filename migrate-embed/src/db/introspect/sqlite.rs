//! SQLite read into the schema model. The pragmas give columns, keys, foreign keys and
//! indexes; what they do not give (constraint names, checks, generated expressions,
//! `DEFERRABLE`, `AUTOINCREMENT`, index expressions and predicates) is read from the
//! `CREATE` text SQLite stores, cut into tokens by the statement splitter's rules. Stored
//! text is kept as written, so types, defaults and expressions go through
//! [`crate::schema::normalize::sqlite`].

use super::{TableFilter, text_rows};
use crate::db::Conn;
use crate::dialect::DatabaseKind;
use crate::schema::model::{
    Check, Column, Deferrable, ForeignKey, Generated, Identity, Index, IndexKey, IndexTarget, Name, NotCompared,
    PrimaryKey, Schema, Table, Unique,
};
use crate::schema::normalize::sqlite::{canonical_default, canonical_expression, canonical_type};
use crate::sql::tokens::{Token, TokenKind, tokenize};
use std::collections::BTreeMap;

const OBJECTS: &str = "SELECT type, name, tbl_name, sql FROM sqlite_schema
WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name";

const SHADOW_TABLES: &str = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'";

/// `FROM` every ordinary table of `main` joined with `pragma`: each catalog is read for all
/// tables in one query (a query is a round trip to the connection's worker thread, which
/// costs more than the reading). Virtual tables are left out: their pragmas may need a
/// module this connection lacks.
macro_rules! each_table {
    ($pragma:literal) => {
        concat!(
            " FROM sqlite_schema m JOIN ",
            $pragma,
            " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            " AND ltrim(m.sql) NOT LIKE 'CREATE VIRTUAL%'"
        )
    };
}

/// Columns: table, name, declared type, NOT NULL, default, position in the primary key,
/// hidden (2: generated virtual, 3: generated stored).
const COLUMNS: &str = concat!(
    "SELECT m.name, p.name, p.type, CAST(p.\"notnull\" AS TEXT), p.dflt_value, CAST(p.pk AS TEXT), \
     CAST(p.hidden AS TEXT)",
    each_table!("pragma_table_xinfo(m.name, 'main') p"),
    " ORDER BY m.name, p.cid"
);

/// Foreign keys: table, id, referenced table, column, referenced column, on update, on delete.
const FOREIGN_KEYS: &str = concat!(
    "SELECT m.name, CAST(f.id AS TEXT), f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete",
    each_table!("pragma_foreign_key_list(m.name, 'main') f"),
    " ORDER BY m.name, f.id DESC, f.seq"
);

/// Indexes: table, name, unique, origin (`c` CREATE INDEX, `u` UNIQUE, `pk`).
const INDEXES: &str = concat!(
    "SELECT m.name, i.name, CAST(i.\"unique\" AS TEXT), i.origin",
    each_table!("pragma_index_list(m.name, 'main') i"),
    " ORDER BY m.name, i.name"
);

/// The columns of unique constraints: table, index, column.
const UNIQUE_COLUMNS: &str = concat!(
    "SELECT m.name, i.name, c.name",
    each_table!("pragma_index_list(m.name, 'main') i JOIN pragma_index_info(i.name, 'main') c"),
    " AND i.origin = 'u' ORDER BY m.name, i.name, c.seqno"
);

type Rows = Vec<Vec<Option<String>>>;

/// Every table's pragma rows, by table name (the name column taken off).
#[derive(Default)]
struct Catalog {
    columns: BTreeMap<String, Rows>,
    foreign_keys: BTreeMap<String, Rows>,
    indexes: BTreeMap<String, Rows>,
    /// (table, index) → the unique constraint's columns.
    unique_columns: BTreeMap<(String, String), Vec<String>>,
    /// Index name → its `CREATE INDEX` text.
    index_sql: BTreeMap<String, String>,
}

impl Catalog {
    async fn read(conn: &mut Conn, objects: &Rows) -> Result<Self, sqlx::Error> {
        let by_table = |rows: Rows| {
            let mut out: BTreeMap<String, Rows> = BTreeMap::new();
            for mut row in rows {
                let table = row.remove(0).unwrap_or_default();
                out.entry(table).or_default().push(row);
            }
            out
        };
        let mut unique_columns: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for r in text_rows(conn, UNIQUE_COLUMNS, 3).await? {
            let key = (r[0].clone().unwrap_or_default(), r[1].clone().unwrap_or_default());
            unique_columns.entry(key).or_default().extend(r[2].clone());
        }
        Ok(Catalog {
            columns: by_table(text_rows(conn, COLUMNS, 7).await?),
            foreign_keys: by_table(text_rows(conn, FOREIGN_KEYS, 7).await?),
            indexes: by_table(text_rows(conn, INDEXES, 4).await?),
            unique_columns,
            index_sql: objects
                .iter()
                .filter(|o| o[0].as_deref() == Some("index"))
                .filter_map(|o| Some((o[1].clone()?, o[3].clone()?)))
                .collect(),
        })
    }

    /// The primary key columns of `table` (named in any letter case), in key order.
    fn primary_key(&self, table: &str) -> Vec<String> {
        let Some(rows) = self
            .columns
            .get(table)
            .or_else(|| self.columns.iter().find(|(name, _)| name.eq_ignore_ascii_case(table)).map(|(_, rows)| rows))
        else {
            return Vec::new();
        };
        let mut key: Vec<(i64, String)> = rows
            .iter()
            .filter_map(|c| Some((c[4].as_deref()?.parse().ok().filter(|&pk: &i64| pk > 0)?, c[0].clone()?)))
            .collect();
        key.sort();
        key.into_iter().map(|(_, c)| c).collect()
    }
}

/// Reads the `main` database of an SQLite connection.
pub(super) async fn introspect(conn: &mut Conn, filter: &TableFilter) -> Result<Schema, sqlx::Error> {
    let mut schema = Schema::default();
    let objects = text_rows(conn, OBJECTS, 4).await?;
    // The tables a virtual table keeps its data in (`docs_data`… of an FTS5 `docs`) are
    // its own, not compared: they come and go with it. (SQLite 3.37+ tells them apart.)
    let shadow: Vec<String> = text_rows(conn, SHADOW_TABLES, 1)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .collect();
    let catalog = Catalog::read(conn, &objects).await?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    for o in objects.iter().filter(|o| o[0].as_deref() == Some("table")) {
        let name = text(&o[1]);
        if !filter.keeps(&name) || shadow.contains(&name) {
            continue;
        }
        let sql = text(&o[3]);
        if sql.trim_start().get(..14).is_some_and(|s| s.eq_ignore_ascii_case("CREATE VIRTUAL")) {
            schema.not_compared.push(super::not_compared("virtual table", &name));
            continue;
        }
        let table = read_table(&name, &sql, &catalog);
        schema.tables.insert(name, table);
    }
    for o in &objects {
        let (kind, name, table) = (text(&o[0]), text(&o[1]), text(&o[2]));
        if !filter.keeps(&table) {
            continue;
        }
        match kind.as_str() {
            "view" => schema.not_compared.push(super::not_compared("view", &name)),
            "trigger" => schema.not_compared.push(NotCompared {
                kind: "trigger".into(),
                name: format!("{table}.{name}"),
                definition: o[3].clone(),
            }),
            _ => {}
        }
    }
    schema.not_compared.sort();
    Ok(schema)
}

fn read_table<'a>(name: &str, sql: &str, catalog: &'a Catalog) -> Table {
    let parsed = parse_create_table(sql);
    let rows =
        |map: &'a BTreeMap<String, Rows>| -> &'a [Vec<Option<String>>] { map.get(name).map_or(&[], Vec::as_slice) };
    let mut table = Table { name: name.to_owned(), autoincrement: parsed.autoincrement, ..Table::default() };

    // name, type, notnull, dflt_value, pk, hidden
    let mut key: Vec<(i64, String)> = Vec::new();
    for c in rows(&catalog.columns) {
        let column_name = c[0].clone().unwrap_or_default();
        let declared = c[1].clone().unwrap_or_default();
        let hidden = c[5].as_deref().unwrap_or("0");
        let generated = matches!(hidden, "2" | "3").then(|| Generated {
            expression: parsed.generated_expression(&column_name).unwrap_or_default(),
            stored: hidden == "3",
        });
        let pk: i64 = c[4].as_deref().and_then(|p| p.parse().ok()).unwrap_or(0);
        if pk > 0 {
            key.push((pk, column_name.clone()));
        }
        table.columns.push(Column {
            name: column_name,
            data_type: canonical_type(&declared),
            nullable: c[2].as_deref() != Some("1"),
            default: if generated.is_some() { None } else { c[3].as_deref().map(|d| canonical_default(d, &declared)) },
            identity: None,
            generated,
            renamed_from: None,
        });
    }
    key.sort();
    if !key.is_empty() {
        let columns: Vec<String> = key.into_iter().map(|(_, c)| c).collect();
        // A single INTEGER PRIMARY KEY is the rowid: it numbers itself and is never NULL.
        if let [only] = columns.as_slice()
            && !parsed.without_rowid
            && let Some(column) = table.columns.iter_mut().find(|c| c.name == *only)
            && column.data_type == "INTEGER"
        {
            column.identity = Some(Identity::AutoIncrement);
            column.nullable = false;
        }
        table.primary_key = Some(PrimaryKey { name: parsed.name_of(ConstraintKind::PrimaryKey, &columns), columns });
    }
    if table.primary_key.as_ref().is_none_or(|k| k.columns.len() != 1) {
        table.autoincrement = false;
    }

    // id, table, from, to, on_update, on_delete
    let mut current: Option<(String, ForeignKey)> = None;
    let mut foreign_keys = Vec::new();
    for f in rows(&catalog.foreign_keys) {
        let id = f[0].clone().unwrap_or_default();
        if current.as_ref().is_none_or(|(i, _)| *i != id) {
            foreign_keys.extend(current.take().map(|(_, fk)| fk));
            current = Some((
                id,
                ForeignKey {
                    ref_table: f[1].clone().unwrap_or_default(),
                    on_update: action(f[4].as_deref()),
                    on_delete: action(f[5].as_deref()),
                    ..ForeignKey::default()
                },
            ));
        }
        let fk = &mut current.as_mut().expect("set above").1;
        fk.columns.push(f[2].clone().unwrap_or_default());
        if let Some(to) = f[3].clone() {
            fk.ref_columns.push(to);
        }
    }
    foreign_keys.extend(current.map(|(_, fk)| fk));
    for mut fk in foreign_keys {
        if fk.ref_columns.is_empty() {
            // `REFERENCES parent` names the parent's primary key.
            fk.ref_columns = catalog.primary_key(&fk.ref_table);
        }
        let clause = parsed.foreign_key(&fk.columns, &fk.ref_table);
        fk.name = clause.map_or_else(unnamed, |c| c.name.clone());
        fk.deferrable = clause.map_or(Deferrable::NotDeferrable, |c| c.deferrable);
        table.foreign_keys.push(fk);
    }

    // name, unique, origin
    for i in rows(&catalog.indexes) {
        let index_name = i[0].clone().unwrap_or_default();
        match i[2].as_deref() {
            Some("u") => {
                let columns =
                    catalog.unique_columns.get(&(name.to_owned(), index_name.clone())).cloned().unwrap_or_default();
                let name = parsed.name_of(ConstraintKind::Unique, &columns);
                table.uniques.push(Unique { name, columns });
            }
            Some("c") => {
                let sql = catalog.index_sql.get(&index_name).map_or("", String::as_str);
                let (keys, predicate) = parse_create_index(sql);
                table.indexes.push(Index {
                    name: Name { name: index_name, generated: false },
                    unique: i[1].as_deref() == Some("1"),
                    keys,
                    predicate,
                });
            }
            _ => {}
        }
    }
    table.checks = parsed
        .checks
        .iter()
        .map(|(name, expression)| Check { name: name.clone(), expression: expression.clone() })
        .collect();
    table
}

fn action(rule: Option<&str>) -> crate::schema::model::Action {
    use crate::schema::model::Action;
    match rule.unwrap_or("").to_ascii_uppercase().as_str() {
        "RESTRICT" => Action::Restrict,
        "CASCADE" => Action::Cascade,
        "SET NULL" => Action::SetNull,
        "SET DEFAULT" => Action::SetDefault,
        _ => Action::NoAction,
    }
}

/// The name of an unnamed SQLite constraint: none.
fn unnamed() -> Name {
    Name { name: String::new(), generated: true }
}

/// Which named constraint a pragma row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConstraintKind {
    PrimaryKey,
    Unique,
}

/// A foreign key as written in `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ForeignKeyClause {
    name: Name,
    columns: Vec<String>,
    ref_table: String,
    deferrable: Deferrable,
}

/// What `CREATE TABLE`'s text says beyond the pragmas.
#[derive(Debug, Default)]
struct ParsedTable {
    autoincrement: bool,
    without_rowid: bool,
    /// Named primary key and unique constraints with their columns.
    named: Vec<(ConstraintKind, String, Vec<String>)>,
    /// Checks in order: name and canonical condition.
    checks: Vec<(Name, String)>,
    /// Generated columns' canonical expressions.
    generated: Vec<(String, String)>,
    foreign_keys: Vec<ForeignKeyClause>,
}

impl ParsedTable {
    fn name_of(&self, kind: ConstraintKind, columns: &[String]) -> Name {
        self.named
            .iter()
            .find(|(k, _, c)| *k == kind && same_columns(c, columns))
            .map_or_else(unnamed, |(_, name, _)| Name { name: name.clone(), generated: false })
    }

    fn generated_expression(&self, column: &str) -> Option<String> {
        self.generated.iter().find(|(c, _)| c.eq_ignore_ascii_case(column)).map(|(_, e)| e.clone())
    }

    fn foreign_key(&self, columns: &[String], ref_table: &str) -> Option<&ForeignKeyClause> {
        self.foreign_keys
            .iter()
            .find(|f| same_columns(&f.columns, columns) && f.ref_table.eq_ignore_ascii_case(ref_table))
    }
}

fn same_columns(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// The tokens of `sql` by SQLite's lexing.
fn tokens(sql: &str) -> Vec<Token<'_>> {
    tokenize(sql, DatabaseKind::Sqlite.dialect().lexing())
}

/// The source text from token `from` up to and including token `to`.
fn source<'a>(sql: &'a str, tokens: &[Token<'_>], from: usize, to: usize) -> &'a str {
    if from > to || to >= tokens.len() {
        return "";
    }
    &sql[tokens[from].start..tokens[to].start + tokens[to].text.len()]
}

/// The index of the `)` closing the `(` at `open`, or the last token.
fn closing(tokens: &[Token<'_>], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len().saturating_sub(1)
}

/// Top-level comma-separated items between `open` and its closing parenthesis, as token
/// index ranges (inclusive).
fn items(tokens: &[Token<'_>], open: usize) -> Vec<(usize, usize)> {
    let close = closing(tokens, open);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    for (i, token) in tokens.iter().enumerate().take(close).skip(open + 1) {
        match token.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Comma if depth == 0 => {
                if start < i {
                    out.push((start, i - 1));
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < close {
        out.push((start, close - 1));
    }
    out
}

/// The identifiers of a parenthesised column list at `open` (each item's first token).
fn column_list(tokens: &[Token<'_>], open: usize) -> Vec<String> {
    items(tokens, open).into_iter().filter_map(|(a, _)| tokens[a].identifier()).collect()
}

/// Words that begin a column constraint (and so end a column's type).
const COLUMN_CONSTRAINT_WORDS: &[&str] =
    &["CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS"];

fn parse_create_table(sql: &str) -> ParsedTable {
    let t = tokens(sql);
    let mut parsed = ParsedTable::default();
    let Some(open) = t.iter().position(|t| t.kind == TokenKind::Open) else { return parsed };
    let close = closing(&t, open);
    parsed.without_rowid = t[close + 1..].windows(2).any(|w| w[0].is_word("WITHOUT") && w[1].is_word("ROWID"));
    for (from, to) in items(&t, open) {
        let first = &t[from];
        let followed_by = |word: &str| t.get(from + 1).is_some_and(|n| n.is_word(word));
        let opens = t.get(from + 1).is_some_and(|n| n.kind == TokenKind::Open);
        let table_constraint = first.is_word("CONSTRAINT")
            || (first.is_word("PRIMARY") && followed_by("KEY"))
            || (first.is_word("FOREIGN") && followed_by("KEY"))
            || ((first.is_word("UNIQUE") || first.is_word("CHECK")) && opens);
        if table_constraint {
            constraints(sql, &t, from, to, None, &mut parsed);
        } else {
            let column = first.identifier().unwrap_or_default();
            let mut i = from + 1;
            while i <= to && !COLUMN_CONSTRAINT_WORDS.iter().any(|w| t[i].is_word(w)) {
                i += if t[i].kind == TokenKind::Open { closing(&t, i) - i + 1 } else { 1 };
            }
            constraints(sql, &t, i, to, Some(&column), &mut parsed);
        }
    }
    parsed
}

/// Reads the constraints in tokens `from..=to`, of the column `column` or of the table.
fn constraints(sql: &str, t: &[Token<'_>], from: usize, to: usize, column: Option<&str>, parsed: &mut ParsedTable) {
    let mut name: Option<String> = None;
    let mut i = from;
    let take_name = |name: &mut Option<String>| match name.take() {
        Some(n) => Name { name: n, generated: false },
        None => unnamed(),
    };
    while i <= to {
        let w = &t[i];
        if w.is_word("CONSTRAINT") && i < to {
            name = t[i + 1].identifier();
            i += 2;
            continue;
        }
        let next_open = |at: usize| (at..=to).find(|&k| t[k].kind == TokenKind::Open);
        if w.is_word("PRIMARY") {
            let columns = match column {
                Some(c) => vec![c.to_owned()],
                None => next_open(i).map(|o| column_list(t, o)).unwrap_or_default(),
            };
            if let Some(n) = name.take() {
                parsed.named.push((ConstraintKind::PrimaryKey, n, columns));
            }
            let end = if column.is_none() { next_open(i).map_or(i, |o| closing(t, o)) } else { i + 1 };
            if (i..=to.min(end + 3)).any(|k| t[k].is_word("AUTOINCREMENT")) {
                parsed.autoincrement = true;
            }
            i = end + 1;
        } else if w.is_word("UNIQUE") {
            let columns = match column {
                Some(c) => vec![c.to_owned()],
                None => next_open(i).map(|o| column_list(t, o)).unwrap_or_default(),
            };
            if let Some(n) = name.take() {
                parsed.named.push((ConstraintKind::Unique, n, columns));
            }
            i = if column.is_none() { next_open(i).map_or(i, |o| closing(t, o)) + 1 } else { i + 1 };
        } else if w.is_word("CHECK") {
            let Some(open) = next_open(i) else { break };
            let close = closing(t, open);
            let expression = canonical_expression(source(sql, t, open + 1, close - 1));
            parsed.checks.push((take_name(&mut name), expression));
            i = close + 1;
        } else if (w.is_word("GENERATED") || w.is_word("AS")) && column.is_some() {
            let Some(open) = next_open(i) else { break };
            let close = closing(t, open);
            let expression = canonical_expression(source(sql, t, open + 1, close - 1));
            parsed.generated.push((column.unwrap_or_default().to_owned(), expression));
            i = close + 1;
        } else if w.is_word("FOREIGN") || w.is_word("REFERENCES") {
            let mut columns = column.map(|c| vec![c.to_owned()]).unwrap_or_default();
            let mut k = i;
            if w.is_word("FOREIGN") {
                let Some(open) = next_open(i) else { break };
                columns = column_list(t, open);
                k = closing(t, open) + 1;
                while k <= to && !t[k].is_word("REFERENCES") {
                    k += 1;
                }
            }
            let ref_table = t.get(k + 1).and_then(Token::identifier).unwrap_or_default();
            k += 2;
            if k <= to && t[k].kind == TokenKind::Open {
                k = closing(t, k) + 1;
            }
            // ON DELETE/UPDATE …, MATCH …, [NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]
            let mut deferrable = Deferrable::NotDeferrable;
            while k <= to {
                let word = &t[k];
                if word.is_word("CONSTRAINT")
                    || word.is_word("CHECK")
                    || word.is_word("UNIQUE")
                    || word.is_word("PRIMARY")
                    || word.is_word("DEFAULT")
                    || word.is_word("COLLATE")
                    || word.is_word("GENERATED")
                    || word.is_word("REFERENCES")
                    || (word.is_word("NOT") && !t.get(k + 1).is_some_and(|n| n.is_word("DEFERRABLE")))
                    || word.is_word("NULL")
                {
                    break;
                }
                if word.is_word("ON") {
                    // ON DELETE|UPDATE SET NULL|SET DEFAULT|NO ACTION|CASCADE|RESTRICT
                    let two_words = t.get(k + 2).is_some_and(|a| a.is_word("SET") || a.is_word("NO"));
                    k += if two_words { 4 } else { 3 };
                    continue;
                }
                if word.is_word("MATCH") || word.is_word("NOT") {
                    k += 2;
                    continue;
                }
                if word.is_word("DEFERRABLE") {
                    deferrable = if t.get(k + 2).is_some_and(|n| n.is_word("DEFERRED")) && t[k + 1].is_word("INITIALLY")
                    {
                        Deferrable::InitiallyDeferred
                    } else {
                        Deferrable::InitiallyImmediate
                    };
                }
                k += 1;
            }
            parsed.foreign_keys.push(ForeignKeyClause { name: take_name(&mut name), columns, ref_table, deferrable });
            i = k;
        } else if w.kind == TokenKind::Open {
            i = closing(t, i) + 1;
        } else {
            i += 1;
        }
    }
}

/// An index's keys and predicate from its `CREATE INDEX` text.
fn parse_create_index(sql: &str) -> (Vec<IndexKey>, Option<String>) {
    let t = tokens(sql);
    let Some(on) = t.iter().position(|t| t.is_word("ON")) else { return (Vec::new(), None) };
    let Some(open) = (on..t.len()).find(|&k| t[k].kind == TokenKind::Open) else { return (Vec::new(), None) };
    let close = closing(&t, open);
    let mut keys = Vec::new();
    for (from, mut to) in items(&t, open) {
        let mut descending = false;
        if t[to].is_word("DESC") || t[to].is_word("ASC") {
            descending = t[to].is_word("DESC");
            to = to.saturating_sub(1);
        }
        let target = if from == to && t[from].identifier().is_some() {
            IndexTarget::Column(t[from].identifier().unwrap_or_default())
        } else {
            IndexTarget::Expression(canonical_expression(source(sql, &t, from, to)))
        };
        keys.push(IndexKey { target, descending });
    }
    let predicate = t
        .iter()
        .skip(close + 1)
        .position(|w| w.is_word("WHERE"))
        .map(|p| canonical_expression(&sql[t[close + 1 + p].start + 5..]));
    (keys, predicate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_table_text_gives_names_checks_and_references() {
        let p = parse_create_table(
            "CREATE TABLE \"orders\" (id INTEGER PRIMARY KEY AUTOINCREMENT, \
             status VARCHAR(20) NOT NULL DEFAULT 'new' CONSTRAINT ck_status CHECK (status IN ('new','paid')), \
             total NUMERIC(10, 2) CHECK(total>=0), \
             user_id INTEGER REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED, \
             twice INTEGER GENERATED ALWAYS AS (total * 2) STORED, \
             CONSTRAINT uq_orders UNIQUE (user_id, status), \
             CONSTRAINT fk_x FOREIGN KEY (status) REFERENCES statuses (name))",
        );
        assert!(p.autoincrement);
        assert_eq!(
            p.checks,
            [
                (Name { name: "ck_status".into(), generated: false }, "status IN ('new', 'paid')".into()),
                (unnamed(), "total >= 0".into())
            ]
        );
        assert_eq!(p.generated, [("twice".into(), "total * 2".into())]);
        assert_eq!(p.name_of(ConstraintKind::Unique, &["user_id".into(), "status".into()]).name, "uq_orders");
        let fk = p.foreign_key(&["user_id".into()], "users").unwrap();
        assert_eq!(fk.deferrable, Deferrable::InitiallyDeferred);
        assert!(fk.name.generated);
        assert_eq!(p.foreign_key(&["status".into()], "statuses").unwrap().name.name, "fk_x");
    }

    #[test]
    fn a_column_named_like_a_keyword_is_a_column() {
        let p = parse_create_table("CREATE TABLE t (\"check\" TEXT CHECK (\"check\" <> ''), primary_thing INT)");
        assert_eq!(p.checks.len(), 1);
        assert!(p.named.is_empty());
    }

    #[test]
    fn index_text_gives_keys_and_predicate() {
        let (keys, predicate) =
            parse_create_index("CREATE INDEX ix ON t (a, lower(b) DESC, \"c\" ASC) WHERE deleted_at IS NULL");
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[0].target, IndexTarget::Column("a".into()));
        assert_eq!(keys[1], IndexKey { target: IndexTarget::Expression("lower(b)".into()), descending: true });
        assert_eq!(keys[2].target, IndexTarget::Column("c".into()));
        assert_eq!(predicate.as_deref(), Some("deleted_at IS NULL"));
    }
}
