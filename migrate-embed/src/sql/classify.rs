//! What a statement does, read from its leading keywords: enough for the runner to know
//! which statements commit implicitly, and for the linter to pick the statements it
//! inspects. Lexical, like the splitter: comments and whitespace before the keywords are
//! skipped by the dialect's rules.

use super::split::{dollar_quote_end, find_byte, is_word_byte, skip_quoted, skip_trivia, word_end};
use crate::dialect::Lexing;
use std::borrow::Cow;

/// The leading keywords of a statement, past comments and whitespace, as written.
///
/// ```
/// use migrate_embed::dialect::DatabaseKind;
/// use migrate_embed::sql::classify::leading_words;
/// let lexing = DatabaseKind::Postgres.dialect().lexing();
/// let words: Vec<&str> = leading_words("/* note */ CREATE UNIQUE INDEX i ON t (x)", &lexing).take(3).collect();
/// assert_eq!(words, ["CREATE", "UNIQUE", "INDEX"]);
/// ```
pub fn leading_words<'a>(statement: &'a str, lexing: &Lexing) -> impl Iterator<Item = &'a str> + 'a {
    let lexing = *lexing;
    let bytes = statement.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        at = skip_trivia(bytes, at, &lexing);
        if at >= bytes.len() || !is_word_byte(bytes[at]) {
            return None;
        }
        let end = word_end(bytes, at);
        // Words end at ASCII bytes (or the end), so this slice is on char boundaries.
        let word = statement.get(at..end)?;
        at = end;
        Some(word)
    })
}

/// What kind of token [`tokens`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: a keyword or an unquoted identifier.
    Word,
    /// A quoted identifier (`"x"`, and `` `x` `` or `[x]` where the dialect has them).
    Quoted,
    /// A string literal (`'…'`, `E'…'`, a dollar quote; `"…"` where it is a string, as in MySQL).
    String,
    /// Any other single byte: punctuation and operators.
    Punct(u8),
}

/// One token of a statement: its kind, its text as written, and its byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// What it is.
    pub kind: TokenKind,
    /// The token as written (quotes included).
    pub text: &'a str,
    /// Byte offset in the statement.
    pub offset: usize,
}

impl<'a> Token<'a> {
    /// Whether this is the bare word `keyword` (ASCII case-insensitive).
    pub fn is(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    /// Whether this is the punctuation byte `c`.
    pub fn is_punct(&self, c: u8) -> bool {
        self.kind == TokenKind::Punct(c)
    }

    /// Whether this token can name an object (a bare word or a quoted identifier).
    pub fn is_name(&self) -> bool {
        matches!(self.kind, TokenKind::Word | TokenKind::Quoted)
    }

    /// The name it spells: quotes removed (doubled quotes undone), bare words as written.
    pub fn name(&self) -> Cow<'a, str> {
        if self.kind != TokenKind::Quoted || self.text.len() < 2 {
            return Cow::Borrowed(self.text);
        }
        let (open, inner) = (self.text.as_bytes()[0], &self.text[1..self.text.len() - 1]);
        let close = if open == b'[' { "]" } else { &self.text[..1] };
        if inner.contains(close) && open != b'[' {
            Cow::Owned(inner.replace(&close.repeat(2), close))
        } else {
            Cow::Borrowed(inner)
        }
    }
}

/// Every token of a statement, past comments and whitespace, read with the dialect's
/// lexical rules (the splitter's): enough for the linter to tell what a statement creates,
/// drops or renames when no parser reads it.
///
/// ```
/// use migrate_embed::dialect::DatabaseKind;
/// use migrate_embed::sql::classify::{tokens, TokenKind};
/// let lexing = DatabaseKind::MySql.dialect().lexing();
/// let names: Vec<String> = tokens("DROP TABLE `my table`, b -- gone", &lexing).map(|t| t.name().into_owned()).collect();
/// assert_eq!(names, ["DROP", "TABLE", "my table", ",", "b"]);
/// ```
pub fn tokens<'a>(statement: &'a str, lexing: &Lexing) -> impl Iterator<Item = Token<'a>> + 'a {
    let lex = *lexing;
    let b = statement.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        at = skip_trivia(b, at, &lex);
        if at >= b.len() {
            return None;
        }
        let start = at;
        let c = b[at];
        let (kind, end) = match c {
            b'\'' => (TokenKind::String, skip_quoted(b, at, b'\'', lex.backslash_escapes)),
            // MySQL reads "…" as a string; everyone else as an identifier.
            b'"' if lex.backslash_escapes => (TokenKind::String, skip_quoted(b, at, b'"', true)),
            b'"' => (TokenKind::Quoted, skip_quoted(b, at, b'"', false)),
            b'`' if lex.backtick_identifiers => (TokenKind::Quoted, skip_quoted(b, at, b'`', false)),
            b'[' if lex.bracket_identifiers => {
                (TokenKind::Quoted, find_byte(b, at + 1, b']').map_or(b.len(), |p| p + 1))
            }
            b'$' if lex.dollar_quotes => match dollar_quote_end(statement, at) {
                Some(end) => (TokenKind::String, end),
                None => (TokenKind::Word, word_end(b, at)),
            },
            c if is_word_byte(c) => {
                let end = word_end(b, at);
                if lex.escape_string_prefix && end == at + 1 && (c | 0x20) == b'e' && b.get(end) == Some(&b'\'') {
                    (TokenKind::String, skip_quoted(b, end, b'\'', true))
                } else {
                    (TokenKind::Word, end)
                }
            }
            c => (TokenKind::Punct(c), at + 1),
        };
        let end = end.min(b.len());
        at = end;
        // Token ends are ASCII bytes or the end of the text, so the slice is on char
        // boundaries; a non-ASCII punctuation byte cannot happen (such bytes are words).
        statement.get(start..end).map(|text| Token { kind, text, offset: start })
    })
}

/// A statement's leading verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb<'a> {
    /// `CREATE …`
    Create,
    /// `ALTER …`
    Alter,
    /// `DROP …`
    Drop,
    /// `RENAME …` (MySQL)
    Rename,
    /// `TRUNCATE …`
    Truncate,
    /// `GRANT …`
    Grant,
    /// `REVOKE …`
    Revoke,
    /// `LOCK …`
    Lock,
    /// `UNLOCK …`
    Unlock,
    /// `INSERT`, `UPDATE`, `DELETE`, `MERGE`, `REPLACE`, `UPSERT`: data changes.
    Data,
    /// Anything else, as written.
    Other(&'a str),
}

impl<'a> Verb<'a> {
    /// The verb a statement's first word names.
    pub fn of(word: &'a str) -> Self {
        const VERBS: [(&str, Verb<'static>); 15] = [
            ("create", Verb::Create),
            ("alter", Verb::Alter),
            ("drop", Verb::Drop),
            ("rename", Verb::Rename),
            ("truncate", Verb::Truncate),
            ("grant", Verb::Grant),
            ("revoke", Verb::Revoke),
            ("lock", Verb::Lock),
            ("unlock", Verb::Unlock),
            ("insert", Verb::Data),
            ("update", Verb::Data),
            ("delete", Verb::Data),
            ("merge", Verb::Data),
            ("replace", Verb::Data),
            ("upsert", Verb::Data),
        ];
        VERBS.iter().find(|(name, _)| word.eq_ignore_ascii_case(name)).map_or(Verb::Other(word), |(_, verb)| *verb)
    }

    /// Whether the verb changes the schema (DDL).
    pub fn is_ddl(self) -> bool {
        matches!(self, Verb::Create | Verb::Alter | Verb::Drop | Verb::Rename | Verb::Truncate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::DatabaseKind;

    #[test]
    fn words_skip_each_dialects_comments() {
        let mysql = DatabaseKind::MySql.dialect().lexing();
        let words: Vec<&str> = leading_words("# c\n-- d\n  Drop TEMPORARY table x", &mysql).collect();
        assert_eq!(words, ["Drop", "TEMPORARY", "table", "x"]);
        let pg = DatabaseKind::Postgres.dialect().lexing();
        assert_eq!(leading_words("/* a /* nested */ b */ alter table t", &pg).next(), Some("alter"));
        assert_eq!(leading_words("  -- only a comment", &pg).next(), None);
        assert_eq!(leading_words("(SELECT 1)", &pg).next(), None);
    }

    #[test]
    fn tokens_read_quotes_strings_and_punctuation() {
        let pg = DatabaseKind::Postgres.dialect().lexing();
        let all: Vec<(TokenKind, String)> =
            tokens("ALTER TABLE \"a\"\"b\" ADD c text DEFAULT E'x\\'y' /* c */ , d", &pg)
                .map(|t| (t.kind, t.name().into_owned()))
                .collect();
        assert_eq!(
            all,
            [
                (TokenKind::Word, "ALTER".into()),
                (TokenKind::Word, "TABLE".into()),
                (TokenKind::Quoted, "a\"b".into()),
                (TokenKind::Word, "ADD".into()),
                (TokenKind::Word, "c".into()),
                (TokenKind::Word, "text".into()),
                (TokenKind::Word, "DEFAULT".into()),
                (TokenKind::String, "E'x\\'y'".into()),
                (TokenKind::Punct(b','), ",".into()),
                (TokenKind::Word, "d".into()),
            ]
        );
        let lite = DatabaseKind::Sqlite.dialect().lexing();
        let names: Vec<String> = tokens("DROP TABLE [x y]", &lite).map(|t| t.name().into_owned()).collect();
        assert_eq!(names, ["DROP", "TABLE", "x y"]);
        // Unterminated quotes end the statement without panicking.
        assert_eq!(tokens("SELECT 'abc", &pg).count(), 2);
        assert_eq!(tokens("x $$ body", &pg).last().map(|t| t.kind), Some(TokenKind::String));
    }

    #[test]
    fn verbs() {
        assert_eq!(Verb::of("CREATE"), Verb::Create);
        assert_eq!(Verb::of("update"), Verb::Data);
        assert_eq!(Verb::of("vacuum"), Verb::Other("vacuum"));
        assert!(Verb::of("truncate").is_ddl() && !Verb::of("insert").is_ddl());
    }
}
