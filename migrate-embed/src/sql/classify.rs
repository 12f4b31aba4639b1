//! What a statement does, read from its leading keywords: enough for the runner to know
//! which statements commit implicitly, and for the linter to pick the statements it
//! inspects. Lexical, like the splitter: comments and whitespace before the keywords are
//! skipped by the dialect's rules.

use super::split::{is_word_byte, skip_trivia, word_end};
use crate::dialect::Lexing;

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
    fn verbs() {
        assert_eq!(Verb::of("CREATE"), Verb::Create);
        assert_eq!(Verb::of("update"), Verb::Data);
        assert_eq!(Verb::of("vacuum"), Verb::Other("vacuum"));
        assert!(Verb::of("truncate").is_ddl() && !Verb::of("insert").is_ddl());
    }
}
