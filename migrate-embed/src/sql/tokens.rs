//! SQL text cut into tokens, by the same lexing rules as the statement splitter
//! ([`super::split`]): what is a string, a quoted identifier or a comment is decided in one
//! place for every database.
//!
//! This is a lexer, not a parser: it knows words, numbers, strings, quoted identifiers,
//! punctuation and operators, and drops whitespace and comments. Autogenerate builds its
//! canonical spellings of SQLite's stored text on it (`schema::normalize`), and tells from
//! it whether an expression mentions a column.

use super::split::{comment_end, dollar_quote_end, is_space, is_word_byte, skip_quoted, word_end};
use crate::dialect::Lexing;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: a keyword, an identifier or a function name, as written.
    Word,
    /// A quoted identifier: `"…"`, `` `…` `` or `[…]`, quotes included.
    QuotedIdentifier,
    /// A string literal, quotes and any prefix included: `'…'`, `E'…'`, `X'…'` (a blob),
    /// PostgreSQL's `$$…$$`, MySQL's `"…"`.
    String,
    /// A numeric literal: `12`, `1.5`, `.5`, `1e-3`, `0x1F`.
    Number,
    /// A parameter: `$1`, `?`, `?1`, `:name`, `@name`.
    Parameter,
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `;`
    Semicolon,
    /// An operator: `=`, `<>`, `||`, `::`, `->>`…
    Operator,
}

/// One token: its kind, its text as written, and where it starts in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// What it is.
    pub kind: TokenKind,
    /// Its text as written (quotes included).
    pub text: &'a str,
    /// Its byte offset in the input.
    pub start: usize,
}

impl Token<'_> {
    /// The identifier this token names, unquoted, if it is a word or a quoted identifier
    /// (doubled quotes inside are undone).
    pub fn identifier(&self) -> Option<String> {
        match self.kind {
            TokenKind::Word => Some(self.text.to_owned()),
            TokenKind::QuotedIdentifier => {
                let inner = self.text.get(1..self.text.len().saturating_sub(1)).unwrap_or("");
                Some(match self.text.as_bytes().first() {
                    Some(b'"') => inner.replace("\"\"", "\""),
                    Some(b'`') => inner.replace("``", "`"),
                    _ => inner.to_owned(),
                })
            }
            _ => None,
        }
    }

    /// Whether this is the word `word`, in any case.
    pub fn is_word(&self, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(word)
    }
}

/// Operators longer than one character, longest first (maximal munch).
const LONG_OPERATORS: &[&str] =
    &["->>", "<=>", "#>>", "<<", ">>", "<=", ">=", "<>", "!=", "==", "||", "::", "->", ":=", "&&", "#>", "@>", "<@"];

/// Cuts `sql` into tokens by `lexing`'s rules, dropping whitespace and comments. Never
/// fails: an unterminated quote or comment runs to the end of the input, and a byte no
/// rule knows becomes a one-character operator.
///
/// ```
/// use migrate_embed::dialect::DatabaseKind;
/// use migrate_embed::sql::tokens::{tokenize, TokenKind};
/// let tokens = tokenize("CHECK ([qty] != 'a''b') -- note", DatabaseKind::Sqlite.dialect().lexing());
/// let kinds: Vec<TokenKind> = tokens.iter().map(|t| t.kind).collect();
/// assert_eq!(kinds, [TokenKind::Word, TokenKind::Open, TokenKind::QuotedIdentifier,
///                    TokenKind::Operator, TokenKind::String, TokenKind::Close]);
/// assert_eq!(tokens[4].text, "'a''b'");
/// ```
pub fn tokenize(sql: &str, lexing: Lexing) -> Vec<Token<'_>> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if is_space(c) {
            i += 1;
            continue;
        }
        if let Some(end) = comment_end(b, i, &lexing) {
            i = end;
            continue;
        }
        let (kind, end) = token_at(sql, i, &lexing);
        // Every token ends at an ASCII byte or the end of the input, and starts where the
        // previous one ended (past ASCII whitespace): both are char boundaries. A non-ASCII
        // byte only ever appears inside a word, a quote or a comment.
        let end = end.max(i + 1).min(b.len());
        let end = (end..=b.len()).find(|&e| sql.is_char_boundary(e)).unwrap_or(b.len());
        out.push(Token { kind, text: &sql[i..end], start: i });
        i = end;
    }
    out
}

/// The kind and end of the token starting at `i` (not whitespace, not a comment).
fn token_at(sql: &str, i: usize, lex: &Lexing) -> (TokenKind, usize) {
    let b = sql.as_bytes();
    let c = b[i];
    let next = b.get(i + 1).copied();
    match c {
        b'\'' => (TokenKind::String, skip_quoted(b, i, b'\'', lex.backslash_escapes)),
        // MySQL reads "…" as a string (unless ANSI_QUOTES); everyone else as an identifier.
        b'"' if lex.backslash_escapes => (TokenKind::String, skip_quoted(b, i, b'"', true)),
        b'"' => (TokenKind::QuotedIdentifier, skip_quoted(b, i, b'"', false)),
        b'`' if lex.backtick_identifiers => (TokenKind::QuotedIdentifier, skip_quoted(b, i, b'`', false)),
        b'[' if lex.bracket_identifiers => {
            let end = b[i + 1..].iter().position(|&x| x == b']').map_or(b.len(), |p| i + 1 + p + 1);
            (TokenKind::QuotedIdentifier, end)
        }
        b'$' if lex.dollar_quotes => match dollar_quote_end(sql, i) {
            Some(end) => (TokenKind::String, end),
            None => (TokenKind::Parameter, word_end(b, i)),
        },
        b'(' => (TokenKind::Open, i + 1),
        b')' => (TokenKind::Close, i + 1),
        b',' => (TokenKind::Comma, i + 1),
        b';' => (TokenKind::Semicolon, i + 1),
        b'.' if next.is_some_and(|n| n.is_ascii_digit()) => (TokenKind::Number, number_end(b, i)),
        b'.' => (TokenKind::Dot, i + 1),
        b'0'..=b'9' => (TokenKind::Number, number_end(b, i)),
        b'?' if next.is_some_and(|n| n.is_ascii_digit()) => (TokenKind::Parameter, word_end(b, i)),
        b'?' if !lex.dollar_quotes => (TokenKind::Parameter, i + 1),
        b':' | b'@' if next.is_some_and(|n| n.is_ascii_alphabetic() || n == b'_') => {
            (TokenKind::Parameter, word_end(b, i + 1))
        }
        c if is_word_byte(c) => {
            let end = word_end(b, i);
            let word = &b[i..end];
            // A one-letter prefix glued to a string: E'…', X'…', N'…', B'…'.
            if word.len() == 1 && b.get(end) == Some(&b'\'') && b"eExXnNbB".contains(&word[0]) {
                let backslash = lex.backslash_escapes || (lex.escape_string_prefix && word.eq_ignore_ascii_case(b"e"));
                return (TokenKind::String, skip_quoted(b, end, b'\'', backslash));
            }
            (TokenKind::Word, end)
        }
        _ => {
            let rest = &sql[i..];
            let len = LONG_OPERATORS.iter().find(|op| rest.starts_with(*op)).map_or(1, |op| op.len());
            (TokenKind::Operator, i + len)
        }
    }
}

/// The end of the number starting at `i`: digits, one `.`, an exponent; or `0x…`.
fn number_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit) {
        j = i + 2;
        while j < b.len() && b[j].is_ascii_hexdigit() {
            j += 1;
        }
        return j;
    }
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    if b.get(j) == Some(&b'.') {
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    if matches!(b.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(b.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        if b.get(k).is_some_and(u8::is_ascii_digit) {
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            j = k;
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::DatabaseKind::{MySql, Postgres, Sqlite};
    use proptest::prelude::*;

    fn texts(sql: &str, kind: crate::dialect::DatabaseKind) -> Vec<(TokenKind, &str)> {
        tokenize(sql, kind.dialect().lexing()).into_iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn every_kind_of_token() {
        use TokenKind::*;
        assert_eq!(
            texts("a.\"B c\" >= -1.5e3, x'00' || [d] /* c */ <> `e` -- end", Sqlite),
            [
                (Word, "a"),
                (Dot, "."),
                (QuotedIdentifier, "\"B c\""),
                (Operator, ">="),
                (Operator, "-"),
                (Number, "1.5e3"),
                (Comma, ","),
                (String, "x'00'"),
                (Operator, "||"),
                (QuotedIdentifier, "[d]"),
                (Operator, "<>"),
                (QuotedIdentifier, "`e`"),
            ]
        );
    }

    #[test]
    fn strings_follow_each_database() {
        use TokenKind::*;
        // MySQL: "…" is a string, a backslash escapes the quote.
        assert_eq!(texts(r#""a\"b" = 'c\'d'"#, MySql), [(String, r#""a\"b""#), (Operator, "="), (String, r"'c\'d'")]);
        // PostgreSQL: dollar quotes, E'…', `::` casts, $1 parameters.
        assert_eq!(
            texts("$f$x;y$f$ || E'a\\'b'::text = $1", Postgres),
            [
                (String, "$f$x;y$f$"),
                (Operator, "||"),
                (String, "E'a\\'b'"),
                (Operator, "::"),
                (Word, "text"),
                (Operator, "="),
                (Parameter, "$1"),
            ]
        );
        // SQLite: "…" is an identifier.
        assert_eq!(texts("\"a\"\"b\"", Sqlite), [(QuotedIdentifier, "\"a\"\"b\"")]);
    }

    #[test]
    fn identifiers_unquote() {
        let t = tokenize("\"a\"\"b\" [c d] `e``f` g", Sqlite.dialect().lexing());
        let names: Vec<String> = t.iter().filter_map(Token::identifier).collect();
        assert_eq!(names, ["a\"b", "c d", "e`f", "g"]);
    }

    #[test]
    fn unterminated_quotes_run_to_the_end() {
        assert_eq!(texts("'abc", Sqlite), [(TokenKind::String, "'abc")]);
        assert_eq!(texts("[abc", Sqlite), [(TokenKind::QuotedIdentifier, "[abc")]);
    }

    proptest! {
        #[test]
        fn tokens_cover_the_input_in_order(sql in "[ -~\\n\u{e9}\u{4e2d}]{0,60}") {
            for kind in [Sqlite, Postgres, MySql] {
                let tokens = tokenize(&sql, kind.dialect().lexing());
                let mut at = 0;
                for t in &tokens {
                    prop_assert!(t.start >= at);
                    prop_assert_eq!(&sql[t.start..t.start + t.text.len()], t.text);
                    prop_assert!(!t.text.is_empty());
                    at = t.start + t.text.len();
                }
            }
        }
    }
}
