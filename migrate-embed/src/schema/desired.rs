//! Reading `schema.sql`, the desired schema: the statements to run on a scratch database
//! (with line numbers for errors), and the `-- renamed from: OLD` notes that turn a removal
//! plus an addition into a rename. Pure: the running is the database half's.
//!
//! `schema.sql` may be a `pg_dump --schema-only` or `mysqldump --no-data` output: psql
//! meta-commands (`\restrict`, `\connect`…) are skipped, mysql's `DELIMITER` blocks are
//! cut at their own delimiter, and a statement that is only a MySQL executable comment
//! (`/*!40014 SET FOREIGN_KEY_CHECKS=0 */;`, which the dump needs to create its tables in
//! name order) is kept for the server to run or ignore, as the `mysql` client does.

use super::model::Schema;
use crate::dialect::DatabaseKind;
use crate::sql::split::split_statements;
use crate::sql::tokens::{TokenKind, tokenize};

/// One statement of `schema.sql` and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredStatement {
    /// The statement, without the comments that lead it and without its terminator.
    pub sql: String,
    /// Its first line in the file (1-based).
    pub line: usize,
}

/// The statements of `schema.sql`, in order.
///
/// ```
/// use migrate_embed::dialect::DatabaseKind;
/// use migrate_embed::schema::desired::statements;
/// // mysqldump: a trigger between `DELIMITER` lines.
/// let sql = "CREATE TABLE t (id int);\nDELIMITER ;;\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.id = 1; END ;;\nDELIMITER ;\n";
/// let found = statements(sql, DatabaseKind::MySql);
/// assert_eq!(found.len(), 2);
/// assert_eq!(found[1].line, 3);
/// assert!(found[1].sql.ends_with("END"));
/// // pg_dump: psql's meta-commands are not SQL.
/// let found = statements("\\restrict abc\nCREATE TABLE t (id int);\n", DatabaseKind::Postgres);
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].line, 2);
/// ```
pub fn statements(text: &str, kind: DatabaseKind) -> Vec<DesiredStatement> {
    // Meta-commands and DELIMITER lines become empty lines (line numbers stay right); a
    // custom delimiter at a line's end becomes `;`.
    let mut delimiter: Option<String> = None;
    let mut cleaned = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let newline = &line[body.len()..];
        if kind == DatabaseKind::Postgres && trimmed.starts_with('\\') {
            cleaned.push_str(newline);
            continue;
        }
        if kind == DatabaseKind::MySql
            && let Some(rest) = trimmed.get(10..)
            && trimmed.as_bytes()[..10].eq_ignore_ascii_case(b"DELIMITER ")
            && !rest.trim().is_empty()
        {
            let d = rest.trim();
            delimiter = (d != ";").then(|| d.to_owned());
            cleaned.push_str(newline);
            continue;
        }
        // MariaDB's dump starts with `/*M!999999\- enable the sandbox mode */`: a command
        // for the mysql client, not SQL.
        if kind == DatabaseKind::MySql && trimmed.starts_with("/*M!999999\\-") {
            cleaned.push_str(newline);
            continue;
        }
        let indent = &body[..body.len() - trimmed.len()];
        cleaned.push_str(indent);
        // The splitter drops statements made only of comments: a mark in front of an
        // executable comment keeps its statement (the mark is taken out again below).
        if kind == DatabaseKind::MySql && (trimmed.starts_with("/*!") || trimmed.starts_with("/*M!")) {
            cleaned.push(EXECUTABLE_COMMENT_MARK);
        }
        match &delimiter {
            Some(d) if trimmed.trim_end().ends_with(d.as_str()) => {
                let end = trimmed.trim_end().len() - d.len();
                cleaned.push_str(&trimmed[..end]);
                cleaned.push(';');
                cleaned.push_str(newline);
            }
            _ => cleaned.push_str(&line[indent.len()..]),
        }
    }
    let lexing = kind.dialect().lexing();
    split_statements(&cleaned, kind)
        .into_iter()
        .map(|s| {
            // The statement from its first token on, past the comments that lead it (an
            // executable comment is the statement), so that its line is the statement's and
            // a position the server reports counts from there.
            let token = tokenize(s.sql, lexing).first().map_or(s.sql.len(), |t| t.start);
            let first = s.sql.find(EXECUTABLE_COMMENT_MARK).map_or(token, |mark| mark.min(token));
            let line = s.line + s.sql[..first].matches('\n').count();
            DesiredStatement { sql: s.sql[first..].replace(EXECUTABLE_COMMENT_MARK, ""), line }
        })
        .filter(|s| !(kind == DatabaseKind::Sqlite && creates_internal_table(&s.sql, lexing)))
        .collect()
}

/// Why a statement of `schema.sql` may not run on a scratch database: it would reach
/// beyond it, to the server the scratch database lives on (the real database's server,
/// unless `scratch_url` says otherwise), or to files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideScratch {
    /// The statement's first line in the file.
    pub line: usize,
    /// What the statement would do, for the error.
    pub does: &'static str,
    /// How to write the file so that it does not.
    pub fix: &'static str,
}

/// The first statement that would act outside the scratch database: switching database
/// (`USE`, which `mysqldump --databases` writes, so that its `DROP TABLE`s would empty the
/// real tables), creating, altering or dropping databases (`pg_dump --create`), roles,
/// users, tablespaces or server settings, naming a table of another MySQL database,
/// attaching SQLite files, or streaming data (`COPY`).
///
/// ```
/// use migrate_embed::dialect::DatabaseKind;
/// use migrate_embed::schema::desired::{outside_scratch, statements};
/// let dump = "CREATE DATABASE shop;\nUSE shop;\nDROP TABLE IF EXISTS users;\n";
/// let found = outside_scratch(&statements(dump, DatabaseKind::MySql), DatabaseKind::MySql).unwrap();
/// assert_eq!(found.line, 1);
/// assert!(outside_scratch(&statements("CREATE TABLE t (id int);", DatabaseKind::MySql), DatabaseKind::MySql).is_none());
/// ```
pub fn outside_scratch(statements: &[DesiredStatement], kind: DatabaseKind) -> Option<OutsideScratch> {
    let lexing = kind.dialect().lexing();
    statements.iter().find_map(|statement| {
        let words: Vec<String> =
            crate::sql::classify::leading_words(&statement.sql, &lexing).take(3).map(str::to_ascii_uppercase).collect();
        let word = |i: usize| words.get(i).map_or("", String::as_str);
        let (does, fix) = match (kind, word(0), word(1)) {
            (DatabaseKind::MySql, "USE", _) => (
                "switches to another database: the statements after it would run there, not on the scratch database",
                "dump one database without --databases/-B (`mysqldump --no-data DBNAME > schema.sql`), or delete this line",
            ),
            (DatabaseKind::MySql | DatabaseKind::Postgres, "CREATE" | "DROP" | "ALTER", "DATABASE")
            | (DatabaseKind::MySql, "CREATE" | "DROP" | "ALTER", "SCHEMA") => (
                "creates, alters or drops a database on the server",
                "delete this line: schema.sql describes the tables of one database (`pg_dump --schema-only` without --create, `mysqldump --no-data DBNAME` without --databases)",
            ),
            (DatabaseKind::Postgres, "CREATE" | "DROP" | "ALTER", "ROLE" | "USER" | "GROUP" | "TABLESPACE")
            | (DatabaseKind::Postgres, "ALTER", "SYSTEM")
            | (DatabaseKind::MySql, "CREATE" | "DROP" | "ALTER" | "RENAME", "USER" | "ROLE")
            | (DatabaseKind::MySql, "GRANT" | "REVOKE" | "FLUSH", _)
            | (DatabaseKind::MySql, "SET", "GLOBAL" | "PERSIST" | "PERSIST_ONLY") => (
                "changes the server's accounts or settings, which every database shares",
                "delete this line: schema.sql describes tables, not the server",
            ),
            (DatabaseKind::Postgres, "COPY", _) => (
                "streams data (COPY), which schema.sql has no use for",
                "dump the schema only (`pg_dump --schema-only`), or delete the COPY block",
            ),
            (DatabaseKind::Sqlite, "ATTACH" | "VACUUM", _) => (
                "reads or writes another database file",
                "delete this line: schema.sql describes the tables of one database",
            ),
            (DatabaseKind::MySql, _, _) if names_another_database(&statement.sql, &lexing) => (
                "names a table of another database (`db.table`), which would be changed on the server",
                "write the table's name without its database",
            ),
            _ => return None,
        };
        Some(OutsideScratch { line: statement.line, does, fix })
    })
}

/// MySQL: whether the table a `CREATE`/`ALTER`/`DROP`/`RENAME`/`TRUNCATE TABLE`,
/// `INSERT`/`REPLACE INTO`, `UPDATE` or `DELETE FROM` acts on is written `db.table`.
fn names_another_database(sql: &str, lexing: &crate::dialect::Lexing) -> bool {
    let tokens = tokenize(sql, *lexing);
    let words_before_name = |t: &crate::sql::tokens::Token<'_>| {
        ["TABLE", "INTO", "UPDATE", "FROM", "VIEW", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"]
            .iter()
            .any(|w| t.is_word(w))
    };
    let first = tokens.first();
    let acts = first.is_some_and(|t| {
        ["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "INSERT", "REPLACE", "UPDATE", "DELETE"]
            .iter()
            .any(|w| t.is_word(w))
    });
    if !acts {
        return false;
    }
    // The first name after the statement's opening keywords.
    let Some(at) = tokens.iter().position(words_before_name) else { return false };
    let mut i = at + 1;
    while tokens.get(i).is_some_and(|t| t.is_word("IF") || t.is_word("NOT") || t.is_word("EXISTS")) {
        i += 1;
    }
    tokens.get(i).is_some_and(|t| t.identifier().is_some())
        && tokens.get(i + 1).is_some_and(|t| t.kind == TokenKind::Dot)
}

/// SQLite: `CREATE TABLE sqlite_sequence(name,seq)` and `sqlite_stat1`…, which
/// `sqlite3 .schema` prints and SQLite makes itself (and refuses to be given).
fn creates_internal_table(sql: &str, lexing: crate::dialect::Lexing) -> bool {
    let tokens = tokenize(sql, lexing);
    tokens.first().is_some_and(|t| t.is_word("CREATE"))
        && tokens.get(1).is_some_and(|t| t.is_word("TABLE"))
        && tokens.get(2).and_then(|t| t.identifier()).is_some_and(|n| n.to_ascii_lowercase().starts_with("sqlite_"))
}

/// Put before a MySQL executable comment (`/*!…*/`) that starts a line, so that the
/// splitter sees content there; never part of a statement it returns.
const EXECUTABLE_COMMENT_MARK: char = '\u{1}';

/// A `-- renamed from: OLD` note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameNote {
    /// The table the note is in (its new name).
    pub table: String,
    /// The column, for a column's note; `None` for the table's.
    pub column: Option<String>,
    /// The old name.
    pub from: String,
    /// The line of the note.
    pub line: usize,
}

/// The `-- renamed from: OLD` notes of `schema.sql`: on the line of `CREATE TABLE name` a
/// table's, on a column's line inside it the column's.
///
/// ```
/// use migrate_embed::dialect::DatabaseKind;
/// use migrate_embed::schema::desired::rename_notes;
/// let notes = rename_notes("CREATE TABLE people ( -- renamed from: users\n  id int,\n  position text -- renamed from: job_title\n);", DatabaseKind::Postgres);
/// assert_eq!(notes.len(), 2);
/// assert_eq!((notes[0].table.as_str(), notes[0].column.as_deref(), notes[0].from.as_str()), ("people", None, "users"));
/// assert_eq!((notes[1].column.as_deref(), notes[1].from.as_str()), (Some("position"), "job_title"));
/// ```
pub fn rename_notes(text: &str, kind: DatabaseKind) -> Vec<RenameNote> {
    let lexing = kind.dialect().lexing();
    let mut notes = Vec::new();
    let mut table: Option<String> = None;
    for (index, line) in text.lines().enumerate() {
        let tokens = tokenize(line, lexing);
        // `CREATE [TEMP] TABLE [IF NOT EXISTS] [schema.]name`
        if let Some(at) = tokens.iter().position(|t| t.is_word("TABLE"))
            && tokens.first().is_some_and(|t| t.is_word("CREATE"))
        {
            let mut i = at + 1;
            while tokens.get(i).is_some_and(|t| t.is_word("IF") || t.is_word("NOT") || t.is_word("EXISTS")) {
                i += 1;
            }
            while tokens.get(i + 1).is_some_and(|t| t.kind == TokenKind::Dot) {
                i += 2;
            }
            table = tokens.get(i).and_then(|t| t.identifier()).map(|n| fold(kind, tokens[i].text, n));
            if let (Some(t), Some(from)) = (&table, note(line, kind)) {
                notes.push(RenameNote { table: t.clone(), column: None, from, line: index + 1 });
            }
            continue;
        }
        if let (Some(t), Some(from)) = (&table, note(line, kind))
            && let Some(first) = tokens.first()
            && let Some(column) = first.identifier()
        {
            notes.push(RenameNote {
                table: t.clone(),
                column: Some(fold(kind, first.text, column)),
                from,
                line: index + 1,
            });
        }
    }
    notes
}

/// An unquoted name as the server stores it (PostgreSQL folds to lower case).
fn fold(kind: DatabaseKind, written: &str, name: String) -> String {
    let quoted = written.starts_with(['"', '`', '[']);
    if quoted { name } else { kind.dialect().fold_identifier(&name) }
}

/// The OLD of a `-- renamed from: OLD` comment on the line, read as SQL reads a name: a
/// quoted one as written (doubled quotes undone), a bare one folded as the server folds it.
fn note(line: &str, kind: DatabaseKind) -> Option<String> {
    let comment = &line[line.find("--")? + 2..];
    let lower = comment.to_ascii_lowercase();
    let at = lower.find("renamed from:")?;
    let old = comment[at + "renamed from:".len()..].trim().trim_end_matches(',').trim();
    let tokens = tokenize(old, kind.dialect().lexing());
    if let [token] = tokens.as_slice()
        && let Some(name) = token.identifier()
    {
        return (!name.is_empty()).then(|| fold(kind, token.text, name));
    }
    let old = old.trim_matches(|c| c == '"' || c == '`');
    (!old.is_empty()).then(|| old.to_owned())
}

/// Puts the notes on the desired schema (`renamed_from` of tables and columns); returns
/// the notes that name no table or column of it, for an error.
pub fn apply_rename_notes(schema: &mut Schema, notes: &[RenameNote]) -> Vec<RenameNote> {
    let mut unmatched = Vec::new();
    for n in notes {
        let Some(table) = schema.tables.get_mut(&n.table) else {
            unmatched.push(n.clone());
            continue;
        };
        match &n.column {
            None => table.renamed_from = Some(n.from.clone()),
            Some(column) => match table.columns.iter_mut().find(|c| c.name == *column) {
                Some(c) => c.renamed_from = Some(n.from.clone()),
                None => unmatched.push(n.clone()),
            },
        }
    }
    unmatched
}

/// Names that differ from head's only in letter case, where the database compares names
/// without case, are not a drop and an add that would lose the data: a column (SQLite,
/// MySQL) is renamed to the new spelling; a table on SQLite, which cannot be renamed to
/// another spelling of its name, keeps head's. An explicit note wins.
///
/// ```
/// use migrate_embed::dialect::DatabaseKind;
/// use migrate_embed::schema::desired::case_only_renames;
/// use migrate_embed::schema::model::{Column, Schema, Table};
/// let table = |column: &str| Table {
///     name: "t".into(),
///     columns: vec![Column { name: column.into(), data_type: "INTEGER".into(), ..Column::default() }],
///     ..Table::default()
/// };
/// let mut head = Schema::default();
/// head.tables.insert("t".into(), table("id"));
/// let mut desired = Schema::default();
/// desired.tables.insert("t".into(), table("Id"));
/// case_only_renames(DatabaseKind::Sqlite, &head, &mut desired);
/// assert_eq!(desired.tables["t"].columns[0].renamed_from.as_deref(), Some("id"));
/// ```
pub fn case_only_renames(kind: DatabaseKind, head: &Schema, desired: &mut Schema) {
    if kind == DatabaseKind::Postgres {
        return;
    }
    if kind == DatabaseKind::Sqlite {
        // SQLite cannot rename a table to its own name in other letters, and never tells
        // them apart: the desired side takes head's spelling.
        let respelled: Vec<(String, String)> = desired
            .tables
            .iter()
            .filter(|(name, t)| t.renamed_from.is_none() && !head.tables.contains_key(*name))
            .filter_map(|(name, _)| {
                let old = head.tables.keys().find(|old| old.eq_ignore_ascii_case(name))?;
                (!desired.tables.contains_key(old)).then(|| (name.clone(), old.clone()))
            })
            .collect();
        for (new, old) in respelled {
            let mut table = desired.tables.remove(&new).expect("listed above");
            table.name = old.clone();
            desired.tables.insert(old.clone(), table);
            for t in desired.tables.values_mut() {
                for fk in &mut t.foreign_keys {
                    if fk.ref_table == new {
                        fk.ref_table = old.clone();
                    }
                }
            }
        }
    }
    for (name, table) in &mut desired.tables {
        let head_name = table.renamed_from.as_deref().unwrap_or(name);
        let Some(old_table) = head.tables.get(head_name) else { continue };
        let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        for column in &mut table.columns {
            if column.renamed_from.is_some() || old_table.column(&column.name).is_some() {
                continue;
            }
            if let Some(old) = old_table
                .columns
                .iter()
                .find(|old| old.name.eq_ignore_ascii_case(&column.name) && !names.contains(&old.name))
            {
                column.renamed_from = Some(old.name.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pg_dump_meta_commands_are_skipped_with_lines_kept() {
        let sql = "\\restrict Zx9\nSET x = 1;\n\nCREATE TABLE public.t (\n    id integer\n);\n\\unrestrict Zx9\n";
        let found = statements(sql, DatabaseKind::Postgres);
        assert_eq!(found.iter().map(|s| s.line).collect::<Vec<_>>(), [2, 4]);
    }

    #[test]
    fn statements_start_past_their_leading_comments() {
        let sql = "CREATE TABLE a (id int);\n\n-- the next one\n/* and more */\nCREATE TABLE b (id int);\n";
        let found = statements(sql, DatabaseKind::Sqlite);
        assert_eq!(found.iter().map(|s| s.line).collect::<Vec<_>>(), [1, 5]);
        assert_eq!(found[1].sql, "CREATE TABLE b (id int)");
    }

    #[test]
    fn mysqldump_executable_comments_are_statements() {
        let dump = "/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump\n\n/*!40101 SET NAMES utf8mb4 */;\n/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\nCREATE TABLE `a` (\n  `id` int(11) NOT NULL\n) ENGINE=InnoDB;\n/*!40101 SET character_set_client = @saved_cs_client */;\n/* a plain comment; */\n";
        let found = statements(dump, DatabaseKind::MySql);
        let texts: Vec<&str> = found.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            texts,
            [
                "/*!40101 SET NAMES utf8mb4 */",
                "/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */",
                "CREATE TABLE `a` (\n  `id` int(11) NOT NULL\n) ENGINE=InnoDB",
                "/*!40101 SET character_set_client = @saved_cs_client */",
            ]
        );
        assert_eq!(found.iter().map(|s| s.line).collect::<Vec<_>>(), [4, 5, 6, 9]);
        // In a DELIMITER block, as mysqldump writes triggers.
        let trigger = "DELIMITER ;;\n/*!50003 CREATE*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.x = 1; END */;;\nDELIMITER ;\n";
        let found = statements(trigger, DatabaseKind::MySql);
        assert_eq!(found.len(), 1);
        assert!(found[0].sql.starts_with("/*!50003 CREATE*/") && found[0].sql.ends_with("END */"), "{found:?}");
        // Elsewhere `/*!` is an ordinary comment.
        assert!(statements("/*!40101 SET NAMES utf8mb4 */;", DatabaseKind::Postgres).is_empty());
    }

    #[test]
    fn notes_follow_quoting_and_schema_qualification() {
        let notes = rename_notes(
            "CREATE TABLE IF NOT EXISTS public.\"People\" ( -- Renamed from: users\n  \"Pos\" text, -- renamed from: job\n  Other int\n);",
            DatabaseKind::Postgres,
        );
        assert_eq!(notes[0].table, "People");
        assert_eq!(notes[1].column.as_deref(), Some("Pos"));
        assert_eq!(notes.len(), 2);
    }

    #[test]
    fn old_names_are_read_as_sql_names() {
        let notes = rename_notes(
            "CREATE TABLE people ( -- renamed from: Users\n  nick text, -- renamed from: \"Full \"\"Nick\"\" Name\"\n  b text -- renamed from: \"Mixed\"\n);",
            DatabaseKind::Postgres,
        );
        let from: Vec<&str> = notes.iter().map(|n| n.from.as_str()).collect();
        assert_eq!(from, ["users", "Full \"Nick\" Name", "Mixed"]);
        let notes = rename_notes("CREATE TABLE t (\n  b int -- renamed from: `a``b`\n);", DatabaseKind::MySql);
        assert_eq!(notes[0].from, "a`b");
    }
}
