//! Problems found in a migrations folder, each with a stable code, the places it concerns
//! and a hint for the fix. Every check collects all of them before reporting.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

/// A place in a revision file that a problem concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as found in the migrations folder (or as embedded).
    pub path: PathBuf,
    /// 1-based line, when the problem is on one line.
    pub line: Option<usize>,
}

impl Location {
    /// A location pointing at a line of a file (`line == 0` means the whole file).
    pub fn new(path: impl Into<PathBuf>, line: usize) -> Self {
        Self { path: path.into(), line: (line > 0).then_some(line) }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// Stable, kebab-case names for every kind of problem, for scripts and docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemCode {
    /// A file does not parse (rule 5).
    ParseError,
    /// Two files share a revision id (rule 1).
    DuplicateRevision,
    /// Two revisions declare the same branch label (rule 1).
    DuplicateLabel,
    /// A branch label is also a revision id (rule 1).
    LabelCollidesWithId,
    /// `Revises` names a revision that does not exist (rule 2).
    MissingParent,
    /// `Depends On` names a revision or label that does not exist (rule 2).
    MissingDependency,
    /// Revisions revise or depend on each other in a loop (rule 3).
    Cycle,
    /// Several heads without `multiple_heads = true` (rule 4).
    MultipleHeads,
    /// With `multiple_heads = true`, a head without a branch label (rule 4).
    UnlabelledHead,
    /// A link to a folder that contains it; the link is not followed (rule 5).
    SymlinkLoop,
    /// A `*.sql` name that is not a regular file once links are followed: a FIFO, a
    /// socket, a device, or a link to nothing (rule 5).
    NotAFile,
    /// A revision file larger than [`crate::source::MAX_REVISION_BYTES`] (rule 5).
    FileTooLarge,
}

impl ProblemCode {
    /// The code as printed, e.g. `missing-parent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ParseError => "parse-error",
            Self::DuplicateRevision => "duplicate-revision",
            Self::DuplicateLabel => "duplicate-label",
            Self::LabelCollidesWithId => "label-collides-with-id",
            Self::MissingParent => "missing-parent",
            Self::MissingDependency => "missing-dependency",
            Self::Cycle => "cycle",
            Self::MultipleHeads => "multiple-heads",
            Self::UnlabelledHead => "unlabelled-head",
            Self::SymlinkLoop => "symlink-loop",
            Self::NotAFile => "not-a-file",
            Self::FileTooLarge => "file-too-large",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with the migrations: what is wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Which rule was broken.
    pub code: ProblemCode,
    /// What is wrong, naming the revision(s).
    pub message: String,
    /// The file(s) and line(s) concerned; the first is the main one.
    pub locations: Vec<Location>,
    /// How to fix it.
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(first) = self.locations.first() {
            write!(f, "{first}: ")?;
        }
        write!(f, "{} [{}]", self.message, self.code)?;
        for other in self.locations.iter().skip(1) {
            write!(f, "\n  also: {other}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem a migrations folder has, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_problems(.problems))]
pub struct ChainError {
    /// The problems, in the order of the files they concern.
    pub problems: Vec<Problem>,
}

fn render_problems(problems: &[Problem]) -> String {
    let mut out =
        format!("the migrations have {} problem{}:", problems.len(), if problems.len() == 1 { "" } else { "s" });
    for problem in problems {
        out.push_str("\n- ");
        out.push_str(&problem.to_string().replace('\n', "\n  "));
    }
    out
}

/// Text from files, databases or other programs made safe to show on a terminal: control
/// characters (C0 but `\n` and `\t`, DEL, C1) and the bidirectional-text controls that
/// can reorder what a line appears to say are written as escapes (`\u{1b}`, `\r`,
/// `\u{202e}`), so a revision message or a file name cannot clear the screen, move the
/// cursor, set the window title or hide text. Borrows when there is nothing to escape.
///
/// ```
/// use migrate_embed::diagnostic::printable;
/// assert_eq!(printable("add \x1b[2Jusers\ttable"), "add \\u{1b}[2Jusers\ttable");
/// assert_eq!(printable("plain text, é ✓\nsecond line"), "plain text, é ✓\nsecond line");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    escape(text, &['\n', '\t'])
}

/// [`printable`] for text that must stay on one line (a message, a file name): `\n` and
/// `\t` are escaped too.
pub fn printable_line(text: &str) -> Cow<'_, str> {
    escape(text, &[])
}

fn escape<'a>(text: &'a str, keep: &[char]) -> Cow<'a, str> {
    let unsafe_char = |c: char| (c.is_control() || is_bidi_control(c)) && !keep.contains(&c);
    if !text.contains(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The Unicode controls of bidirectional text (embeddings, overrides, isolates, marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        let cases = [
            ("\x1b]0;pwned\x07title", "\\u{1b}]0;pwned\\u{7}title"),
            ("carriage\rreturn", "carriage\\rreturn"),
            ("del\x7f and c1 \u{9b}31m", "del\\u{7f} and c1 \\u{9b}31m"),
            ("evil\u{202e}txt.sql", "evil\\u{202e}txt.sql"),
            ("lines\nand\ttabs stay", "lines\nand\ttabs stay"),
        ];
        for (text, shown) in cases {
            assert_eq!(printable(text), shown, "{text:?}");
        }
        assert_eq!(printable_line("one\ntwo\tthree"), "one\\ntwo\\tthree");
        assert!(matches!(printable("nothing to do"), Cow::Borrowed(_)));
    }
}
