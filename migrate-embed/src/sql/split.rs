//! Cutting a revision's SQL into single statements.
//!
//! Revisions marked `Transactional: false` run one statement at a time outside a
//! transaction (so PostgreSQL's `CREATE INDEX CONCURRENTLY` works), and a failure must name
//! the statement that failed. Splitting is lexical, not a parse: it only needs to know where
//! a `;` is *not* a statement end — inside quotes, comments, PostgreSQL dollar quotes,
//! parentheses (PostgreSQL's `CREATE RULE … DO ALSO (a; b)`) and `BEGIN … END` bodies of
//! triggers, stored programs and `BEGIN ATOMIC` functions.
//!
//! The scanner works on bytes, takes linear time, never panics, and only cuts at ASCII
//! `;` and ASCII whitespace, so every slice it returns lies on `char` boundaries.

use crate::dialect::{DatabaseKind, Lexing};

/// One statement cut from a revision's SQL: its text (trimmed, without the closing `;`)
/// and the 1-based line in the given text where it starts.
///
/// The text borrows from the input so error messages can quote it and point at its line
/// in the revision file without copying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement<'a> {
    /// The statement's text, including comments inside or leading it, trimmed of
    /// whitespace and without the `;` that ended it.
    pub sql: &'a str,
    /// The 1-based line (counting `\n`) of the statement's first character.
    pub line: usize,
}

/// Splits SQL into statements at top-level semicolons, the way `kind`'s server would read
/// them, so a non-transactional revision can be run, and its failures reported, one
/// statement at a time.
///
/// A `;` does not end a statement inside quoted strings and identifiers, comments,
/// PostgreSQL dollar quotes, parentheses, or the `BEGIN … END` body of a `CREATE`
/// statement (triggers, procedures, functions, events, `BEGIN ATOMIC`). Statements made
/// only of comments and whitespace are dropped. Unterminated quotes, comments and
/// parentheses run to the end of the input.
///
/// ```
/// use migrate_embed::dialect::DatabaseKind;
/// use migrate_embed::sql::split::split_statements;
///
/// let sql = "CREATE TABLE t (s TEXT);\nINSERT INTO t VALUES ('a;b');\n-- done\n";
/// let statements = split_statements(sql, DatabaseKind::Sqlite);
/// assert_eq!(statements.len(), 2);
/// assert_eq!(statements[1].sql, "INSERT INTO t VALUES ('a;b')");
/// assert_eq!(statements[1].line, 2);
/// ```
pub fn split_statements(sql: &str, kind: DatabaseKind) -> Vec<Statement<'_>> {
    split_with(sql, kind.dialect().lexing())
}

/// [`split_statements`] with the lexing rules given directly.
pub fn split_with(sql: &str, lexing: Lexing) -> Vec<Statement<'_>> {
    Splitter::new(sql, lexing).run()
}

/// The scanner's state: the input, the statements cut so far, and the one being read.
struct Splitter<'a> {
    sql: &'a str,
    b: &'a [u8],
    lex: Lexing,
    out: Vec<Statement<'a>>,
    /// Where the current statement's first non-whitespace byte is, once seen.
    start: Option<usize>,
    /// The line of `start`.
    start_line: usize,
    /// Whether the current statement has a token that is not a comment.
    has_content: bool,
    /// Whether the current statement's first token is `CREATE`.
    is_create: bool,
    /// How many `BEGIN`/`CASE` levels of a block body are open.
    depth: usize,
    /// How many parentheses are open: `CREATE RULE … DO ALSO (a; b)` is one statement.
    parens: usize,
    /// Newlines are counted up to this byte ...
    counted_to: usize,
    /// ... which is on this 1-based line.
    line: usize,
}

impl<'a> Splitter<'a> {
    fn new(sql: &'a str, lex: Lexing) -> Self {
        Splitter {
            sql,
            b: sql.as_bytes(),
            lex,
            out: Vec::new(),
            start: None,
            start_line: 1,
            has_content: false,
            is_create: false,
            depth: 0,
            parens: 0,
            counted_to: 0,
            line: 1,
        }
    }

    fn run(mut self) -> Vec<Statement<'a>> {
        let n = self.b.len();
        let mut i = 0;
        while i < n {
            let c = self.b[i];
            if is_space(c) {
                i += 1;
                continue;
            }
            if c == b';' && self.depth == 0 && self.parens == 0 {
                self.finish(i);
                i += 1;
                continue;
            }
            self.mark_start(i);
            if let Some(end) = comment_end(self.b, i, &self.lex) {
                i = end;
                continue;
            }
            i = self.token(i);
        }
        self.finish(n);
        self.out
    }

    /// Records `i` as the current statement's start if it has none yet.
    fn mark_start(&mut self, i: usize) {
        if self.start.is_none() {
            self.line += count_newlines(&self.b[self.counted_to..i]);
            self.counted_to = i;
            self.start = Some(i);
            self.start_line = self.line;
        }
    }

    /// Notes a non-comment token; the first one decides whether this is a `CREATE`.
    fn content(&mut self, is_create_word: bool) {
        if !self.has_content {
            self.has_content = true;
            self.is_create = is_create_word;
        }
    }

    /// Ends the current statement just before `end`, keeping it if it has content.
    fn finish(&mut self, end: usize) {
        if let (Some(start), true) = (self.start, self.has_content)
            && let Some(text) = self.sql.get(start..end)
        {
            let text = trim(text);
            if !text.is_empty() {
                self.out.push(Statement { sql: text, line: self.start_line });
            }
        }
        self.start = None;
        self.has_content = false;
        self.is_create = false;
        self.depth = 0;
        self.parens = 0;
    }

    /// Skips the token (not whitespace, not a comment) at `i` and returns where the next
    /// one may start.
    fn token(&mut self, i: usize) -> usize {
        let b = self.b;
        match b[i] {
            b'\'' => {
                self.content(false);
                skip_quoted(b, i, b'\'', self.lex.backslash_escapes)
            }
            b'"' => {
                self.content(false);
                // MySQL reads "…" as a string (unless ANSI_QUOTES), with backslash escapes.
                skip_quoted(b, i, b'"', self.lex.backslash_escapes)
            }
            // SQLite accepts MySQL-style backtick identifiers too.
            b'`' if self.lex.backtick_identifiers => {
                self.content(false);
                skip_quoted(b, i, b'`', false)
            }
            b'[' if self.lex.bracket_identifiers => {
                self.content(false);
                match find_byte(b, i + 1, b']') {
                    Some(p) => p + 1,
                    None => b.len(),
                }
            }
            b'$' if self.lex.dollar_quotes => match dollar_quote_end(self.sql, i) {
                Some(end) => {
                    self.content(false);
                    end
                }
                // `$1` and the like: a parameter, never a keyword.
                None => {
                    self.content(false);
                    word_end(b, i)
                }
            },
            c if is_word_byte(c) => self.word(i),
            b'(' => {
                self.content(false);
                self.parens += 1;
                i + 1
            }
            b')' => {
                self.content(false);
                // A stray `)` opens nothing.
                self.parens = self.parens.saturating_sub(1);
                i + 1
            }
            _ => {
                self.content(false);
                i + 1
            }
        }
    }

    /// Skips the word at `i`, tracking the `BEGIN … END` keywords, and returns its end.
    fn word(&mut self, i: usize) -> usize {
        let b = self.b;
        let j = word_end(b, i);
        let w = &b[i..j];
        let first = !self.has_content;
        self.content(w.eq_ignore_ascii_case(b"create"));

        // PostgreSQL `E'…'`: a string with backslash escapes.
        if self.lex.escape_string_prefix && w.eq_ignore_ascii_case(b"e") && b.get(j) == Some(&b'\'') {
            return skip_quoted(b, j, b'\'', true);
        }
        // `NEW.end`, `@end`: a column or variable, not a keyword.
        if i > 0 && matches!(b[i - 1], b'.' | b'@') {
            return j;
        }

        if w.eq_ignore_ascii_case(b"begin") {
            if self.depth > 0 || self.is_create || (first && self.mariadb_anonymous_block(j)) {
                self.depth += 1;
            }
        } else if w.eq_ignore_ascii_case(b"case") {
            if self.depth > 0 {
                self.depth += 1;
            }
        } else if w.eq_ignore_ascii_case(b"end") && self.depth > 0 {
            if let Some((next, next_end)) = self.next_word(j) {
                if [&b"if"[..], b"loop", b"while", b"repeat"].iter().any(|k| next.eq_ignore_ascii_case(k)) {
                    // MySQL flow control, whose openers are not counted.
                    return next_end;
                }
                if next.eq_ignore_ascii_case(b"case") {
                    // `END CASE` closes the CASE level; its CASE must not open another.
                    self.depth -= 1;
                    return next_end;
                }
            }
            self.depth -= 1;
        }
        j
    }

    /// The word after `i`, past whitespace and comments, and where it ends.
    fn next_word(&self, i: usize) -> Option<(&'a [u8], usize)> {
        let b = self.b;
        let k = skip_trivia(b, i, &self.lex);
        if k < b.len() && is_word_byte(b[k]) {
            let e = word_end(b, k);
            Some((&b[k..e], e))
        } else {
            None
        }
    }

    /// Whether a statement-opening `BEGIN` ending at `i` is MariaDB's `BEGIN NOT ATOMIC`
    /// anonymous block rather than a transaction start.
    fn mariadb_anonymous_block(&self, i: usize) -> bool {
        if !self.lex.anonymous_blocks {
            return false;
        }
        match self.next_word(i) {
            Some((w, e)) if w.eq_ignore_ascii_case(b"not") => {
                matches!(self.next_word(e), Some((w, _)) if w.eq_ignore_ascii_case(b"atomic"))
            }
            _ => false,
        }
    }
}

/// Whether `sql` holds a `;` outside quotes and comments: where a client that splits at
/// every such `;` (the `mysql` client, which knows nothing of `BEGIN … END` bodies) would
/// cut it.
pub fn has_bare_semicolon(sql: &str, lexing: &Lexing) -> bool {
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = comment_end(b, i, lexing) {
            i = end;
            continue;
        }
        i = match b[i] {
            b';' => return true,
            b'\'' => skip_quoted(b, i, b'\'', lexing.backslash_escapes),
            b'"' => skip_quoted(b, i, b'"', lexing.backslash_escapes),
            b'`' if lexing.backtick_identifiers => skip_quoted(b, i, b'`', false),
            _ => i + 1,
        };
    }
    false
}

/// Whether `sql` ends inside a line comment (`-- …`, or `# …` on MySQL), so that a `;`
/// appended to it would be commented out.
pub fn ends_in_line_comment(sql: &str, lexing: &Lexing) -> bool {
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = comment_end(b, i, lexing) {
            if end >= b.len() {
                return b[i] != b'/';
            }
            i = end;
            continue;
        }
        i = match b[i] {
            b'\'' => skip_quoted(b, i, b'\'', lexing.backslash_escapes),
            b'"' => skip_quoted(b, i, b'"', lexing.backslash_escapes),
            b'`' if lexing.backtick_identifiers => skip_quoted(b, i, b'`', false),
            b'$' if lexing.dollar_quotes => dollar_quote_end(sql, i).unwrap_or(i + 1),
            _ => i + 1,
        };
    }
    false
}

/// SQL whitespace: what servers skip between tokens.
pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// Trims the whitespace `is_space` knows (ASCII only, so boundaries stay put).
fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii() && is_space(c as u8))
}

/// Bytes that continue a word: identifier characters, digits, `$`, and any non-ASCII byte.
pub(crate) fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// The end of the word starting at `i`.
pub(crate) fn word_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() && is_word_byte(b[j]) {
        j += 1;
    }
    j
}

fn count_newlines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

pub(crate) fn find_byte(b: &[u8], from: usize, needle: u8) -> Option<usize> {
    b.get(from..)?.iter().position(|&c| c == needle).map(|p| from + p)
}

/// If a comment starts at `i`, where it ends (a line comment ends before its `\n`).
pub(crate) fn comment_end(b: &[u8], i: usize, lex: &Lexing) -> Option<usize> {
    let next = b.get(i + 1).copied();
    match b[i] {
        // MySQL wants whitespace or a control character after `--`: `5--1` is `5 - -1`.
        b'-' if next == Some(b'-') && (!lex.dash_comment_needs_space || b.get(i + 2).is_none_or(|&c| c <= b' ')) => {
            Some(find_byte(b, i + 2, b'\n').unwrap_or(b.len()))
        }
        b'#' if lex.hash_comments => Some(find_byte(b, i + 1, b'\n').unwrap_or(b.len())),
        b'/' if next == Some(b'*') => Some(block_comment_end(b, i + 2, lex.nested_block_comments)),
        _ => None,
    }
}

/// The end of a `/* … */` comment whose body starts at `j`; PostgreSQL nests them.
fn block_comment_end(b: &[u8], mut j: usize, nested: bool) -> usize {
    let mut depth = 1usize;
    while j + 1 < b.len() {
        if b[j] == b'*' && b[j + 1] == b'/' {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return j;
            }
        } else if nested && b[j] == b'/' && b[j + 1] == b'*' {
            depth += 1;
            j += 2;
        } else {
            j += 1;
        }
    }
    b.len()
}

/// Skips whitespace and comments from `i`.
pub(crate) fn skip_trivia(b: &[u8], mut i: usize, lex: &Lexing) -> usize {
    loop {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match (i < b.len()).then(|| comment_end(b, i, lex)).flatten() {
            Some(end) => i = end,
            None => return i,
        }
    }
}

/// The end of the quoted string or identifier opening with `quote` at `i`. A doubled
/// quote is an escape; with `backslash`, so is a backslash before any byte.
pub(crate) fn skip_quoted(b: &[u8], i: usize, quote: u8, backslash: bool) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        let c = b[j];
        if backslash && c == b'\\' {
            j += 2;
        } else if c == quote {
            if b.get(j + 1) == Some(&quote) {
                j += 2;
            } else {
                return j + 1;
            }
        } else {
            j += 1;
        }
    }
    b.len()
}

/// If a PostgreSQL dollar quote (`$$` or `$tag$`) opens at `i`, where it ends.
pub(crate) fn dollar_quote_end(sql: &str, i: usize) -> Option<usize> {
    let b = sql.as_bytes();
    let mut j = i + 1;
    match b.get(j) {
        Some(b'$') => {}
        Some(&c) if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
                j += 1;
            }
            if b.get(j) != Some(&b'$') {
                return None;
            }
        }
        _ => return None,
    }
    // Both ends are ASCII `$`, so these slices are on char boundaries.
    let delimiter = sql.get(i..=j)?;
    let body = j + 1;
    Some(match sql.get(body..).and_then(|rest| rest.find(delimiter)) {
        Some(p) => body + p + delimiter.len(),
        None => b.len(),
    })
}

#[cfg(test)]
mod line_comment_tests {
    use super::*;

    #[test]
    fn a_trailing_line_comment_is_seen_and_one_in_a_string_is_not() {
        let pg = DatabaseKind::Postgres.dialect().lexing();
        let my = DatabaseKind::MySql.dialect().lexing();
        assert!(ends_in_line_comment("SELECT 1 -- note", &pg));
        assert!(!ends_in_line_comment("SELECT '-- not a comment'", &pg));
        assert!(!ends_in_line_comment("SELECT 1 /* block */", &pg));
        assert!(!ends_in_line_comment("-- note\nSELECT 1", &pg));
        assert!(ends_in_line_comment("SELECT 1 # note", &my));
        assert!(!ends_in_line_comment("SELECT $$ -- $$", &pg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DatabaseKind::{MySql, Postgres, Sqlite};
    use proptest::prelude::*;

    const ALL: &[DatabaseKind] = &[Sqlite, Postgres, MySql];

    /// (name, dialects, input, expected statements as (sql, line)).
    type Case<'a> = (&'a str, &'a [DatabaseKind], &'a str, &'a [(&'a str, usize)]);

    fn run(cases: &[Case<'_>]) {
        let mut failures = Vec::new();
        for &(name, kinds, input, expected) in cases {
            for &kind in kinds {
                let got: Vec<(&str, usize)> =
                    split_statements(input, kind).into_iter().map(|s| (s.sql, s.line)).collect();
                if got != expected {
                    failures.push(format!(
                        "{name} [{kind:?}]\n  input:    {input:?}\n  expected: {expected:?}\n  got:      {got:?}"
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
    }

    #[test]
    fn basics_and_lines() {
        run(&[
            ("simple", ALL, "SELECT 1; SELECT 2;", &[("SELECT 1", 1), ("SELECT 2", 1)]),
            ("no trailing semicolon", ALL, "SELECT 1;\nSELECT 2", &[("SELECT 1", 1), ("SELECT 2", 2)]),
            ("empty input", ALL, "", &[]),
            ("only whitespace and semicolons", ALL, "  \n ; ;; \n\t", &[]),
            ("leading semicolon", ALL, ";SELECT 1", &[("SELECT 1", 1)]),
            (
                "trimmed, lines of first character",
                ALL,
                "\n\n  CREATE TABLE a (x int)  ;\n\n\tINSERT INTO a VALUES (1)\n;\n",
                &[("CREATE TABLE a (x int)", 3), ("INSERT INTO a VALUES (1)", 5)],
            ),
            (
                "multi-line statement keeps inner newlines",
                ALL,
                "CREATE TABLE a (\n  x int,\n  y int\n);\nSELECT 1;",
                &[("CREATE TABLE a (\n  x int,\n  y int\n)", 1), ("SELECT 1", 5)],
            ),
            (
                "CRLF input",
                ALL,
                "CREATE TABLE a (x int);\r\nINSERT INTO a\r\nVALUES (1);\r\n\r\nSELECT 1;\r\n",
                &[("CREATE TABLE a (x int)", 1), ("INSERT INTO a\r\nVALUES (1)", 2), ("SELECT 1", 5)],
            ),
            ("vertical tab and form feed are whitespace", ALL, "\x0b\x0cSELECT 1\x0c;\x0b", &[("SELECT 1", 1)]),
            (
                "non-ASCII text",
                ALL,
                "INSERT INTO t VALUES ('héllo; wörld');\nSELECT 1 AS ñandú; SELECT '✓'",
                &[("INSERT INTO t VALUES ('héllo; wörld')", 1), ("SELECT 1 AS ñandú", 2), ("SELECT '✓'", 2)],
            ),
        ]);
    }

    #[test]
    fn quotes() {
        run(&[
            (
                "single quotes with doubled-quote escape",
                ALL,
                "INSERT INTO t VALUES ('a;b'); SELECT 'it''s; fine';",
                &[("INSERT INTO t VALUES ('a;b')", 1), ("SELECT 'it''s; fine'", 1)],
            ),
            (
                "backslash is literal in standard strings",
                &[Sqlite, Postgres],
                "SELECT 'a\\'; b'; SELECT 2;",
                &[("SELECT 'a\\'", 1), ("b'; SELECT 2;", 1)],
            ),
            (
                "MySQL backslash escapes in single quotes",
                &[MySql],
                "SELECT 'a\\'; b'; SELECT 2;",
                &[("SELECT 'a\\'; b'", 1), ("SELECT 2", 1)],
            ),
            (
                "MySQL escaped backslash before closing quote",
                &[MySql],
                "SELECT 'a\\\\'; SELECT 2;",
                &[("SELECT 'a\\\\'", 1), ("SELECT 2", 1)],
            ),
            (
                "PostgreSQL E-string backslash escapes",
                &[Postgres],
                "SELECT E'a\\'; b'; SELECT e'\\';'; SELECT 2;",
                &[("SELECT E'a\\'; b'", 1), ("SELECT e'\\';'", 1), ("SELECT 2", 1)],
            ),
            (
                "a word ending in e is not an E-string prefix",
                &[Postgres],
                "SELECT some'a\\'; SELECT 2;",
                &[("SELECT some'a\\'", 1), ("SELECT 2", 1)],
            ),
            (
                "double-quoted identifiers with doubled-quote escape",
                ALL,
                "SELECT \"a;b\", \"x\"\";y\" FROM t; SELECT 2;",
                &[("SELECT \"a;b\", \"x\"\";y\" FROM t", 1), ("SELECT 2", 1)],
            ),
            (
                "MySQL double-quoted strings take backslash escapes",
                &[MySql],
                "SELECT \"a\\\";b\"; SELECT 2;",
                &[("SELECT \"a\\\";b\"", 1), ("SELECT 2", 1)],
            ),
            (
                "backslash is literal in standard double quotes",
                &[Sqlite, Postgres],
                "SELECT \"a\\\";b\"; SELECT 2;",
                &[("SELECT \"a\\\"", 1), ("b\"; SELECT 2;", 1)],
            ),
            (
                "backtick identifiers",
                &[MySql, Sqlite],
                "SELECT `a;b`, `x``;y` FROM t; SELECT 2;",
                &[("SELECT `a;b`, `x``;y` FROM t", 1), ("SELECT 2", 1)],
            ),
            (
                "backticks mean nothing to PostgreSQL",
                &[Postgres],
                "SELECT `a;b` FROM t; SELECT 2;",
                &[("SELECT `a", 1), ("b` FROM t", 1), ("SELECT 2", 1)],
            ),
            (
                "SQLite bracket identifiers",
                &[Sqlite],
                "SELECT [a;b] FROM t; SELECT 2;",
                &[("SELECT [a;b] FROM t", 1), ("SELECT 2", 1)],
            ),
            (
                "brackets are not quotes elsewhere",
                &[Postgres, MySql],
                "SELECT [a;b] FROM t; SELECT 2;",
                &[("SELECT [a", 1), ("b] FROM t", 1), ("SELECT 2", 1)],
            ),
            (
                "quote characters inside other quotes",
                ALL,
                "SELECT '\"', \"'\", '--', '/*'; SELECT 2;",
                &[("SELECT '\"', \"'\", '--', '/*'", 1), ("SELECT 2", 1)],
            ),
            (
                "newlines inside strings count for later lines",
                ALL,
                "SELECT 'a\nb\nc'; SELECT 2;",
                &[("SELECT 'a\nb\nc'", 1), ("SELECT 2", 3)],
            ),
        ]);
    }

    #[test]
    fn comments() {
        run(&[
            (
                "line comment hides a semicolon and leads the next statement",
                ALL,
                "SELECT 1; -- no; split here\nSELECT 2;",
                &[("SELECT 1", 1), ("-- no; split here\nSELECT 2", 1)],
            ),
            (
                "leading comment lines give the statement's line",
                ALL,
                "SELECT 1;\n\n-- about two\nSELECT 2;",
                &[("SELECT 1", 1), ("-- about two\nSELECT 2", 3)],
            ),
            ("trailing comment is not a statement", ALL, "SELECT 1; -- trailing; comment\n", &[("SELECT 1", 1)]),
            ("trailing block comment is not a statement", ALL, "SELECT 1;\n/* done; */\n", &[("SELECT 1", 1)]),
            ("comment-only statement is dropped", ALL, "/* a; */ ; -- b\n; SELECT 1;", &[("SELECT 1", 2)]),
            ("comment-only input", ALL, "-- a;\n/* b; */\n", &[]),
            (
                "comments inside a statement stay",
                ALL,
                "SELECT 1 -- one;\n + 2 /* two; */;",
                &[("SELECT 1 -- one;\n + 2 /* two; */", 1)],
            ),
            (
                "statement ending in a line comment without semicolon",
                ALL,
                "SELECT 1 -- done",
                &[("SELECT 1 -- done", 1)],
            ),
            (
                "MySQL hash comments",
                &[MySql],
                "SELECT 1; # no; split\nSELECT 2;",
                &[("SELECT 1", 1), ("# no; split\nSELECT 2", 1)],
            ),
            (
                "hash is not a comment elsewhere",
                &[Postgres, Sqlite],
                "SELECT 1; # no; split\nSELECT 2;",
                &[("SELECT 1", 1), ("# no", 1), ("split\nSELECT 2", 1)],
            ),
            (
                "MySQL double dash needs whitespace after it",
                &[MySql],
                "SELECT 5--1;\nSELECT 2;",
                &[("SELECT 5--1", 1), ("SELECT 2", 2)],
            ),
            (
                "double dash without whitespace is a comment elsewhere",
                &[Postgres, Sqlite],
                "SELECT 5--1;\nSELECT 2;",
                &[("SELECT 5--1;\nSELECT 2", 1)],
            ),
            (
                "MySQL double dash with space, tab or at end of input",
                &[MySql],
                "SELECT 1 -- a;\nSELECT 2 --\tb;\n; SELECT 3 --",
                &[("SELECT 1 -- a;\nSELECT 2 --\tb;", 1), ("SELECT 3 --", 3)],
            ),
            (
                "block comments",
                ALL,
                "SELECT /* ; */ 1; SELECT /*/ ; */ 2;",
                &[("SELECT /* ; */ 1", 1), ("SELECT /*/ ; */ 2", 1)],
            ),
            (
                "PostgreSQL nests block comments",
                &[Postgres],
                "SELECT /* a /* b; */ c; */ 1; SELECT 2;",
                &[("SELECT /* a /* b; */ c; */ 1", 1), ("SELECT 2", 1)],
            ),
            (
                "other dialects do not nest block comments",
                &[Sqlite, MySql],
                "SELECT /* a /* b; */ c; */ 1; SELECT 2;",
                &[("SELECT /* a /* b; */ c", 1), ("*/ 1", 1), ("SELECT 2", 1)],
            ),
            (
                "comment markers inside strings",
                ALL,
                "SELECT '-- x;'; SELECT '/* y;'; SELECT 3;",
                &[("SELECT '-- x;'", 1), ("SELECT '/* y;'", 1), ("SELECT 3", 1)],
            ),
        ]);
    }

    #[test]
    fn dollar_quotes() {
        run(&[
            ("empty tag", &[Postgres], "SELECT $$a;b$$; SELECT 2;", &[("SELECT $$a;b$$", 1), ("SELECT 2", 1)]),
            (
                "named tag encloses other dollar quotes",
                &[Postgres],
                "SELECT $fn$ a $$;$$ b; $fn$; SELECT 2;",
                &[("SELECT $fn$ a $$;$$ b; $fn$", 1), ("SELECT 2", 1)],
            ),
            (
                "tags are case-sensitive",
                &[Postgres],
                "SELECT $A$ ; $a$ ; $A$; SELECT 2;",
                &[("SELECT $A$ ; $a$ ; $A$", 1), ("SELECT 2", 1)],
            ),
            (
                "non-ASCII and underscore tags",
                &[Postgres],
                "SELECT $é_1$;$é_1$; SELECT $_$;$_$;",
                &[("SELECT $é_1$;$é_1$", 1), ("SELECT $_$;$_$", 1)],
            ),
            (
                "positional parameters are not dollar quotes",
                &[Postgres],
                "PREPARE p AS SELECT $1, $2; EXECUTE p(1, 2);",
                &[("PREPARE p AS SELECT $1, $2", 1), ("EXECUTE p(1, 2)", 1)],
            ),
            ("a tag cannot start with a digit", &[Postgres], "SELECT $1$ ; $1$;", &[("SELECT $1$", 1), ("$1$", 1)]),
            (
                "dollar signs inside identifiers",
                &[Postgres],
                "SELECT x$y$; SELECT a$$b; SELECT 3;",
                &[("SELECT x$y$", 1), ("SELECT a$$b", 1), ("SELECT 3", 1)],
            ),
            (
                "dollar quotes are PostgreSQL only",
                &[Sqlite, MySql],
                "SELECT $$a;b$$;",
                &[("SELECT $$a", 1), ("b$$", 1)],
            ),
            (
                "quotes and comments inside dollar quotes are inert",
                &[Postgres],
                "SELECT $$ ' \" -- /* $$; SELECT 2;",
                &[("SELECT $$ ' \" -- /* $$", 1), ("SELECT 2", 1)],
            ),
            ("unterminated dollar quote runs to the end", &[Postgres], "SELECT $$ a; b", &[("SELECT $$ a; b", 1)]),
            (
                "CREATE FUNCTION with a plpgsql body",
                &[Postgres],
                "CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger AS $$\n\
                 BEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n\
                 $$ LANGUAGE plpgsql;\n\n\
                 CREATE TRIGGER users_touch BEFORE UPDATE ON users\n    \
                 FOR EACH ROW EXECUTE FUNCTION touch_updated_at();\n",
                &[
                    (
                        "CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger AS $$\n\
                         BEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n\
                         $$ LANGUAGE plpgsql",
                        1,
                    ),
                    (
                        "CREATE TRIGGER users_touch BEFORE UPDATE ON users\n    FOR EACH ROW EXECUTE FUNCTION touch_updated_at()",
                        8,
                    ),
                ],
            ),
            (
                "DO block with a named tag, then CREATE INDEX CONCURRENTLY",
                &[Postgres],
                "DO $body$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n        \
                 CREATE TYPE mood AS ENUM ('sad', 'ok');\n    END IF;\nEND\n$body$;\n\
                 CREATE INDEX CONCURRENTLY users_email ON users (email);\n",
                &[
                    (
                        "DO $body$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n        \
                         CREATE TYPE mood AS ENUM ('sad', 'ok');\n    END IF;\nEND\n$body$",
                        1,
                    ),
                    ("CREATE INDEX CONCURRENTLY users_email ON users (email)", 8),
                ],
            ),
        ]);
    }

    const SQLITE_TRIGGER: &str = "CREATE TRIGGER users_audit AFTER UPDATE ON users\n\
        BEGIN\n    UPDATE users SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;\n    \
        INSERT INTO audit (user_id, note) VALUES (NEW.id, 'updated; end');\nEND";

    const MYSQL_PROCEDURE: &str = "CREATE PROCEDURE p(IN x INT)\nBEGIN\n    DECLARE y INT DEFAULT 0;\n    \
        IF x > 0 THEN\n        SET y = 1;\n    ELSEIF x < 0 THEN\n        SET y = -1;\n    END IF;\n    \
        CASE y\n        WHEN 1 THEN SELECT 'pos';\n        ELSE SELECT CASE WHEN x = 0 THEN 'zero' ELSE 'neg' END;\n    END CASE;\n    \
        WHILE y < 10 DO\n        SET y = y + 1;\n    END WHILE;\n    \
        my_loop: LOOP\n        LEAVE my_loop;\n    END LOOP my_loop;\n    \
        REPEAT SET y = y - 1; UNTIL y <= 0 END REPEAT;\n    \
        BEGIN\n        DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;\n        SELECT y;\n    END;\nEND";

    #[test]
    fn blocks() {
        let sqlite_trigger_script = format!("{SQLITE_TRIGGER};\nINSERT INTO users (name) VALUES ('x');\n");
        let mysql_procedure_script = format!("{MYSQL_PROCEDURE};\nCALL p(1);");
        let sqlite_expected = [(SQLITE_TRIGGER, 1), ("INSERT INTO users (name) VALUES ('x')", 6)];
        let mysql_expected = [(MYSQL_PROCEDURE, 1), ("CALL p(1)", 25)];

        run(&[
            ("SQLite trigger body", &[Sqlite, MySql], &sqlite_trigger_script, &sqlite_expected),
            (
                "SQLite trigger with a CASE expression",
                &[Sqlite],
                "CREATE TRIGGER check_age BEFORE INSERT ON people\nBEGIN\n    \
                 SELECT CASE WHEN NEW.age < 0 THEN RAISE(ABORT, 'negative age') END;\nEND;\nSELECT 1;",
                &[
                    (
                        "CREATE TRIGGER check_age BEFORE INSERT ON people\nBEGIN\n    \
                         SELECT CASE WHEN NEW.age < 0 THEN RAISE(ABORT, 'negative age') END;\nEND",
                        1,
                    ),
                    ("SELECT 1", 5),
                ],
            ),
            ("MySQL procedure with flow control", &[MySql], &mysql_procedure_script, &mysql_expected),
            (
                "MySQL trigger, event and function",
                &[MySql],
                "CREATE TRIGGER bi BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n    SET NEW.backend = 'x'; SET NEW.end_date = NOW();\nEND;\n\
                 CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DO\nBEGIN\n    DELETE FROM log WHERE ts < NOW() - INTERVAL 30 DAY;\nEND;\n\
                 CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC\nBEGIN\n    RETURN CASE WHEN x > 0 THEN x ELSE 0 END;\nEND;\n",
                &[
                    (
                        "CREATE TRIGGER bi BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n    SET NEW.backend = 'x'; SET NEW.end_date = NOW();\nEND",
                        1,
                    ),
                    (
                        "CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DO\nBEGIN\n    DELETE FROM log WHERE ts < NOW() - INTERVAL 30 DAY;\nEND",
                        5,
                    ),
                    (
                        "CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC\nBEGIN\n    RETURN CASE WHEN x > 0 THEN x ELSE 0 END;\nEND",
                        9,
                    ),
                ],
            ),
            (
                "MySQL DEFINER clause before PROCEDURE",
                &[MySql],
                "CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; SELECT 2; END; CALL p();",
                &[
                    ("CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", 1),
                    ("CALL p()", 1),
                ],
            ),
            (
                "PostgreSQL BEGIN ATOMIC with a CASE expression",
                &[Postgres],
                "CREATE FUNCTION add(a int, b int) RETURNS int\nLANGUAGE SQL\nBEGIN ATOMIC\n    \
                 SELECT CASE WHEN a IS NULL THEN 0 ELSE a END + b;\nEND;\nSELECT add(1, 2);",
                &[
                    (
                        "CREATE FUNCTION add(a int, b int) RETURNS int\nLANGUAGE SQL\nBEGIN ATOMIC\n    \
                         SELECT CASE WHEN a IS NULL THEN 0 ELSE a END + b;\nEND",
                        1,
                    ),
                    ("SELECT add(1, 2)", 6),
                ],
            ),
            (
                "PostgreSQL procedure with BEGIN ATOMIC",
                &[Postgres],
                "CREATE PROCEDURE ins(a int) LANGUAGE SQL BEGIN ATOMIC INSERT INTO t VALUES (a); INSERT INTO t VALUES (a + 1); END; CALL ins(1);",
                &[
                    (
                        "CREATE PROCEDURE ins(a int) LANGUAGE SQL BEGIN ATOMIC INSERT INTO t VALUES (a); INSERT INTO t VALUES (a + 1); END",
                        1,
                    ),
                    ("CALL ins(1)", 1),
                ],
            ),
            (
                "bare BEGIN; ... COMMIT; is three statements",
                ALL,
                "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;",
                &[("BEGIN", 1), ("INSERT INTO t VALUES (1)", 2), ("COMMIT", 3)],
            ),
            (
                "BEGIN TRANSACTION ... END TRANSACTION",
                ALL,
                "begin transaction; select 1; end transaction;",
                &[("begin transaction", 1), ("select 1", 1), ("end transaction", 1)],
            ),
            (
                "BEGIN after a leading comment is still a transaction",
                ALL,
                "-- start\nBEGIN; SELECT 1; COMMIT;",
                &[("-- start\nBEGIN", 1), ("SELECT 1", 2), ("COMMIT", 2)],
            ),
            (
                "BEGIN in a statement not starting with CREATE opens nothing",
                ALL,
                "INSERT INTO t (x) SELECT 1 AS begin; SELECT 2;",
                &[("INSERT INTO t (x) SELECT 1 AS begin", 1), ("SELECT 2", 1)],
            ),
            (
                "CASE expression in a plain SELECT",
                ALL,
                "SELECT CASE WHEN a THEN 'x;' ELSE 'y' END FROM t; SELECT CASE x WHEN 1 THEN 2 END; SELECT 3;",
                &[
                    ("SELECT CASE WHEN a THEN 'x;' ELSE 'y' END FROM t", 1),
                    ("SELECT CASE x WHEN 1 THEN 2 END", 1),
                    ("SELECT 3", 1),
                ],
            ),
            (
                "CASE before the body of a CREATE is not counted",
                &[Sqlite],
                "CREATE TRIGGER x AFTER INSERT ON t WHEN CASE WHEN NEW.a THEN 1 END BEGIN SELECT 1; END; SELECT 2;",
                &[
                    ("CREATE TRIGGER x AFTER INSERT ON t WHEN CASE WHEN NEW.a THEN 1 END BEGIN SELECT 1; END", 1),
                    ("SELECT 2", 1),
                ],
            ),
            (
                "comments before CREATE still make a block",
                ALL,
                "-- make trigger\n/* c; */ CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END; SELECT 2;",
                &[
                    ("-- make trigger\n/* c; */ CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END", 1),
                    ("SELECT 2", 2),
                ],
            ),
            (
                "keywords are case-insensitive",
                ALL,
                "create trigger x after insert on t Begin select 1; eNd; select 2;",
                &[("create trigger x after insert on t Begin select 1; eNd", 1), ("select 2", 1)],
            ),
            (
                "keywords must be whole words",
                ALL,
                "CREATE TABLE t (backend INT, end_date DATE, beginning INT, cases INT); SELECT 1;",
                &[("CREATE TABLE t (backend INT, end_date DATE, beginning INT, cases INT)", 1), ("SELECT 1", 1)],
            ),
            (
                "keyword-like words inside a body",
                ALL,
                "CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET backend = 1, end_date = 2; SELECT 3; END; SELECT 4;",
                &[
                    (
                        "CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET backend = 1, end_date = 2; SELECT 3; END",
                        1,
                    ),
                    ("SELECT 4", 1),
                ],
            ),
            (
                "qualified names and variables are not keywords",
                &[MySql],
                "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.end = 1; SET @end = 2; SET NEW.`end` = 3; END; SELECT 1;",
                &[
                    (
                        "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.end = 1; SET @end = 2; SET NEW.`end` = 3; END",
                        1,
                    ),
                    ("SELECT 1", 1),
                ],
            ),
            (
                "keywords inside strings and comments are ignored",
                &[Sqlite],
                "CREATE TABLE t (note TEXT DEFAULT 'begin'); -- begin\nSELECT 1;\n\
                 CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 'end'; /* end */ -- end\n SELECT \"end\"; END; SELECT 2;",
                &[
                    ("CREATE TABLE t (note TEXT DEFAULT 'begin')", 1),
                    ("-- begin\nSELECT 1", 1),
                    (
                        "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 'end'; /* end */ -- end\n SELECT \"end\"; END",
                        3,
                    ),
                    ("SELECT 2", 4),
                ],
            ),
            (
                "comment between END and IF",
                &[MySql],
                "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END /* x */ IF; SELECT 2; END; SELECT 3;",
                &[("CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END /* x */ IF; SELECT 2; END", 1), ("SELECT 3", 1)],
            ),
            (
                "END CASE closes the CASE level without opening another",
                &[MySql],
                "CREATE PROCEDURE p() BEGIN CASE WHEN 1 THEN SELECT 1; END CASE; SELECT 2; END; SELECT 3;",
                &[
                    ("CREATE PROCEDURE p() BEGIN CASE WHEN 1 THEN SELECT 1; END CASE; SELECT 2; END", 1),
                    ("SELECT 3", 1),
                ],
            ),
            (
                "balanced begin/end column names in CREATE TABLE",
                &[Sqlite],
                "CREATE TABLE spans (begin INT, end INT); SELECT 1;",
                &[("CREATE TABLE spans (begin INT, end INT)", 1), ("SELECT 1", 1)],
            ),
            (
                "MariaDB BEGIN NOT ATOMIC anonymous block",
                &[MySql],
                "BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\nSELECT 3;",
                &[("BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND", 1), ("SELECT 3", 5)],
            ),
            (
                "stray END outside a block",
                ALL,
                "END; SELECT 1 END; SELECT 2;",
                &[("END", 1), ("SELECT 1 END", 1), ("SELECT 2", 1)],
            ),
        ]);
    }

    #[test]
    fn parentheses() {
        const RULE: &str = "CREATE RULE log_insert AS ON INSERT TO t DO ALSO (\n    INSERT INTO a VALUES (new.id);\n    INSERT INTO b VALUES (new.id)\n)";
        let rule_script = format!("{RULE};\nSELECT 1;");
        run(&[
            ("PostgreSQL CREATE RULE … DO ALSO (a; b)", &[Postgres], &rule_script, &[(RULE, 1), ("SELECT 1", 5)]),
            (
                "DO INSTEAD with nested parentheses",
                &[Postgres],
                "CREATE RULE r AS ON DELETE TO t DO INSTEAD (DELETE FROM a WHERE id IN (SELECT id FROM c WHERE (x = 1)); NOTIFY t); SELECT 2;",
                &[
                    (
                        "CREATE RULE r AS ON DELETE TO t DO INSTEAD (DELETE FROM a WHERE id IN (SELECT id FROM c WHERE (x = 1)); NOTIFY t)",
                        1,
                    ),
                    ("SELECT 2", 1),
                ],
            ),
            (
                "a semicolon inside parentheses never ends a statement",
                ALL,
                "SELECT (1; 2); SELECT ((3)); SELECT 4",
                &[("SELECT (1; 2)", 1), ("SELECT ((3))", 1), ("SELECT 4", 1)],
            ),
            (
                "parentheses in strings, identifiers and comments do not count",
                ALL,
                "SELECT '(' AS \"(\"; /* ( */ SELECT 2 -- (\n; SELECT ')';",
                &[("SELECT '(' AS \"(\"", 1), ("/* ( */ SELECT 2 -- (", 1), ("SELECT ')'", 2)],
            ),
            (
                "parentheses in dollar quotes do not count",
                &[Postgres],
                "DO $$ BEGIN PERFORM ('('); END $$; SELECT 2;",
                &[("DO $$ BEGIN PERFORM ('('); END $$", 1), ("SELECT 2", 1)],
            ),
            (
                "a stray closing parenthesis opens nothing",
                ALL,
                "SELECT 1); SELECT 2;",
                &[("SELECT 1)", 1), ("SELECT 2", 1)],
            ),
            (
                "a block body with parentheses",
                &[Sqlite],
                "CREATE TRIGGER t AFTER INSERT ON x WHEN (NEW.a > 0) BEGIN SELECT RAISE(ABORT, 'no;'); INSERT INTO y VALUES ((1)); END; SELECT 3;",
                &[
                    (
                        "CREATE TRIGGER t AFTER INSERT ON x WHEN (NEW.a > 0) BEGIN SELECT RAISE(ABORT, 'no;'); INSERT INTO y VALUES ((1)); END",
                        1,
                    ),
                    ("SELECT 3", 1),
                ],
            ),
        ]);
    }

    #[test]
    fn unterminated_input_runs_to_the_end() {
        run(&[
            ("string", ALL, "SELECT 1; SELECT 'abc; SELECT 2;", &[("SELECT 1", 1), ("SELECT 'abc; SELECT 2;", 1)]),
            ("quoted identifier", ALL, "SELECT \"x; y", &[("SELECT \"x; y", 1)]),
            ("backtick", &[MySql], "SELECT `x; y", &[("SELECT `x; y", 1)]),
            ("bracket", &[Sqlite], "SELECT [x; y", &[("SELECT [x; y", 1)]),
            ("block comment only", ALL, "SELECT 1; /* open; ", &[("SELECT 1", 1)]),
            ("block comment in a statement", ALL, "SELECT 1 /* open; ", &[("SELECT 1 /* open;", 1)]),
            ("nested block comment", &[Postgres], "SELECT /* /* */ ; SELECT 2;", &[("SELECT /* /* */ ; SELECT 2;", 1)]),
            (
                "block body",
                ALL,
                "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; SELECT 2;",
                &[("CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; SELECT 2;", 1)],
            ),
            ("backslash at the end", &[MySql], "SELECT 'a\\", &[("SELECT 'a\\", 1)]),
            ("E-string backslash at the end", &[Postgres], "SELECT E'\\", &[("SELECT E'\\", 1)]),
            ("lone dollar", &[Postgres], "SELECT $", &[("SELECT $", 1)]),
            ("open parenthesis", ALL, "SELECT (1; SELECT 2;", &[("SELECT (1; SELECT 2;", 1)]),
            (
                "dollar tag without closing dollar",
                &[Postgres],
                "SELECT $abc; SELECT 2",
                &[("SELECT $abc", 1), ("SELECT 2", 1)],
            ),
            (
                "END at the end of input",
                ALL,
                "CREATE TRIGGER t BEGIN SELECT 1; END",
                &[("CREATE TRIGGER t BEGIN SELECT 1; END", 1)],
            ),
        ]);
    }

    /// Checks that every statement is a trimmed, non-empty slice of `input`, in order,
    /// with the right line.
    fn check_invariants(input: &str, kind: DatabaseKind) -> Result<(), TestCaseError> {
        let statements = split_statements(input, kind);
        let base = input.as_ptr() as usize;
        let mut previous_end = 0;
        for s in &statements {
            prop_assert!(input.contains(s.sql));
            let offset = (s.sql.as_ptr() as usize).wrapping_sub(base);
            prop_assert!(
                offset >= previous_end && offset + s.sql.len() <= input.len(),
                "not a slice of the input: {s:?}"
            );
            prop_assert_eq!(&input[offset..offset + s.sql.len()], s.sql);
            prop_assert!(!s.sql.is_empty());
            prop_assert_eq!(trim(s.sql), s.sql);
            prop_assert_eq!(s.line, 1 + input[..offset].matches('\n').count());
            previous_end = offset + s.sql.len();
        }
        Ok(())
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => prop::sample::select(vec![
                ";", "'", "''", "\"", "`", "[", "]", "\\", "$", "$$", "$a$", "$1", "--", "-- ", "#", "/*", "*/",
                "\n", "\r\n", " ", "E'", "e", "BEGIN", "begin ", "END", " end ", "CASE", "IF", "LOOP", "CREATE ",
                "NOT ATOMIC", ".", "@", "SELECT 1", "é", "✓", "\t", "(", ")", "DO ALSO (",
            ])
            .prop_map(str::to_owned),
            1 => any::<String>(),
        ]
    }

    fn kind() -> impl Strategy<Value = DatabaseKind> {
        prop::sample::select(vec![Sqlite, Postgres, MySql])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_strings_never_panic(input in any::<String>(), kind in kind()) {
            check_invariants(&input, kind)?;
        }

        #[test]
        fn sql_like_strings_never_panic(parts in prop::collection::vec(fragment(), 0..40), kind in kind()) {
            check_invariants(&parts.concat(), kind)?;
        }

        #[test]
        fn plain_statements_split_like_a_naive_split(
            // No vowels, so no keywords; no parentheses (see the next property).
            parts in prop::collection::vec("[b-df-hj-np-tv-z0-9 ,=\n]{0,20}", 0..10),
            kind in kind(),
        ) {
            let input = parts.join(";");
            let expected: Vec<&str> = input.split(';').map(trim).filter(|s| !s.is_empty()).collect();
            let got: Vec<&str> = split_statements(&input, kind).into_iter().map(|s| s.sql).collect();
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn semicolons_inside_parentheses_do_not_split(
            statements in prop::collection::vec(parenthesised(), 0..8),
            kind in kind(),
        ) {
            // `;` joins the statements at the top level only; those inside balanced
            // parentheses, at any depth, belong to their statement.
            let input = statements.join(";");
            let expected: Vec<&str> = statements.iter().map(|s| trim(s)).filter(|s| !s.is_empty()).collect();
            let got: Vec<&str> = split_statements(&input, kind).into_iter().map(|s| s.sql).collect();
            prop_assert_eq!(got, expected);
        }
    }

    /// A statement without keywords or quotes whose parentheses are balanced and may hold
    /// `;`-separated lists, nested a few levels deep.
    fn parenthesised() -> impl Strategy<Value = String> {
        let plain = "[b-df-hj-np-tv-z0-9 ,=\n]{0,8}";
        let leaf = plain.prop_map(|s: String| s);
        let nested = leaf.prop_recursive(3, 24, 4, move |inner| {
            (plain, prop::collection::vec(inner, 1..4), plain)
                .prop_map(|(before, list, after)| format!("{before}({}){after}", list.join(";")))
        });
        (plain, nested).prop_map(|(head, body)| format!("{head}{body}"))
    }

    #[test]
    fn long_input_is_linear() {
        // Many unterminated-looking dollar tags and END keywords must not go quadratic.
        let input = "$a ".repeat(50_000) + &"CREATE TRIGGER t BEGIN END END ".repeat(20_000);
        let statements = split_statements(&input, Postgres);
        assert_eq!(statements.len(), 1);
        let input = "/*".repeat(100_000);
        assert!(split_statements(&input, Postgres).is_empty());
    }
}
