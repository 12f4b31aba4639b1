//! The revision file format: a header of `--` comment lines, then an up section and an
//! optional down section. [`parse`] reads it and [`write`](mod@write) writes it, so the two cannot
//! drift apart.
//!
//! ```
//! use migrate_embed::revision::parse_revision;
//! let text = "-- create account table\n--\n-- Revision ID: 1975ea83b712\n-- Revises: <base>\n\n\
//!             -- migrate:up\nCREATE TABLE account (id INTEGER PRIMARY KEY);\n\n\
//!             -- migrate:down\nDROP TABLE account;\n";
//! let rev = parse_revision(text.as_bytes()).unwrap();
//! assert_eq!(rev.id, "1975ea83b712");
//! assert!(rev.parents.is_empty());
//! assert_eq!(rev.body.down_sql.as_deref(), Some("DROP TABLE account;"));
//! ```

pub mod parse;
pub mod write;

pub use parse::{ParseError, ParseErrorKind, parse_revision};
pub use write::{WriteError, write_revision};

use sha2::{Digest, Sha256};
use std::fmt;
use std::path::PathBuf;

/// Words that name positions in the graph and so cannot be ids or labels.
pub const RESERVED_NAMES: [&str; 4] = ["head", "heads", "base", "current"];

/// The keys a revision header may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeaderKey {
    /// `Revision ID`: the revision's id (required).
    RevisionId,
    /// `Revises`: `<base>`, one parent id, or several (a merge) (required).
    Revises,
    /// `Create Date`: when the file was made, as written.
    CreateDate,
    /// `Branch Labels`: labels naming the branch from this revision on.
    BranchLabels,
    /// `Depends On`: revisions or labels that must be applied first.
    DependsOn,
    /// `Transactional`: `false` runs the revision statement by statement, outside a
    /// transaction.
    Transactional,
    /// `Lint-Allow`: lint codes silenced for this revision.
    LintAllow,
    /// `Foreign Keys: off`: the revision runs with foreign-key enforcement off (SQLite's
    /// table rebuilds), checked for dangling references before it commits.
    ForeignKeys,
}

impl HeaderKey {
    /// Every key, in the order new files write them.
    pub const ALL: [HeaderKey; 8] = [
        HeaderKey::RevisionId,
        HeaderKey::Revises,
        HeaderKey::CreateDate,
        HeaderKey::BranchLabels,
        HeaderKey::DependsOn,
        HeaderKey::Transactional,
        HeaderKey::ForeignKeys,
        HeaderKey::LintAllow,
    ];

    /// The key as written in a file.
    pub fn as_str(self) -> &'static str {
        match self {
            HeaderKey::RevisionId => "Revision ID",
            HeaderKey::Revises => "Revises",
            HeaderKey::CreateDate => "Create Date",
            HeaderKey::BranchLabels => "Branch Labels",
            HeaderKey::DependsOn => "Depends On",
            HeaderKey::Transactional => "Transactional",
            HeaderKey::LintAllow => "Lint-Allow",
            HeaderKey::ForeignKeys => "Foreign Keys",
        }
    }

    /// The key a text names (case-insensitive), if any.
    pub fn find(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL.into_iter().find(|key| key.as_str().eq_ignore_ascii_case(text))
    }

    /// `Revision ID, Revises, …`: every key, for messages.
    pub fn list() -> String {
        Self::ALL.map(HeaderKey::as_str).join(", ")
    }
}

impl fmt::Display for HeaderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One revision: its header, and a body `B` — [`RevisionBody`] (its SQL) for a revision
/// read whole, `()` for a [`RevisionHeader`] (what the graph commands need, and what the
/// header cache keeps). The type says which one a caller holds, so a header can never be
/// taken for a revision with no SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision<B = RevisionBody> {
    /// The revision id (`Revision ID`).
    pub id: String,
    /// The first header line.
    pub message: String,
    /// Free header lines between the message and the keys.
    pub description: String,
    /// `Revises`: empty for a base revision, several for a merge.
    pub parents: Vec<String>,
    /// `Depends On`: ids or branch labels this revision needs applied first.
    pub depends_on: Vec<String>,
    /// `Branch Labels`.
    pub branch_labels: Vec<String>,
    /// `Create Date`, as written.
    pub create_date: Option<String>,
    /// `Transactional`, when given; otherwise the config's default applies.
    pub transactional: Option<bool>,
    /// `Lint-Allow`: lint codes silenced for this revision.
    pub lint_allow: Vec<String>,
    /// `Foreign Keys: off`: run with foreign-key enforcement off, checking references
    /// before the commit.
    pub foreign_keys_off: bool,
    /// Where the revision came from, for diagnostics.
    pub origin: Origin,
    /// The SQL, or `()` for a header alone.
    pub body: B,
}

/// A revision's header alone.
pub type RevisionHeader = Revision<()>;

/// A revision's SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevisionBody {
    /// The SQL of the up section, trimmed, with LF line endings.
    pub up_sql: String,
    /// The SQL of the down section; `None` makes the revision irreversible.
    pub down_sql: Option<String>,
    /// Hex SHA-256 of `up_sql`: detects applied revisions edited afterwards.
    pub checksum: String,
}

/// Where a revision was read from, with the lines of its keys, so problems can point there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The file, relative to the package when known.
    pub path: PathBuf,
    /// Line of `Revision ID` (0 when unknown).
    pub id_line: usize,
    /// Line of `Revises`.
    pub revises_line: usize,
    /// Line of `Depends On`.
    pub depends_on_line: usize,
    /// Line of `Branch Labels`.
    pub labels_line: usize,
    /// Line of `Lint-Allow`.
    pub lint_allow_line: usize,
    /// Line of the up section's first SQL line.
    pub up_line: usize,
    /// Line of the down section's first SQL line.
    pub down_line: usize,
}

impl<B> Revision<B> {
    /// Whether this revision merges several parents.
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }

    /// `Transactional` with the config's default applied.
    pub fn is_transactional(&self, default: bool) -> bool {
        self.transactional.unwrap_or(default)
    }

    /// The header alone.
    pub fn into_header(self) -> RevisionHeader {
        self.with_body(())
    }

    /// The same header with another body.
    pub fn with_body<C>(self, body: C) -> Revision<C> {
        Revision {
            id: self.id,
            message: self.message,
            description: self.description,
            parents: self.parents,
            depends_on: self.depends_on,
            branch_labels: self.branch_labels,
            create_date: self.create_date,
            transactional: self.transactional,
            lint_allow: self.lint_allow,
            foreign_keys_off: self.foreign_keys_off,
            origin: self.origin,
            body,
        }
    }
}

impl RevisionBody {
    /// A body from its two sections, with the up section's checksum.
    pub fn new(up_sql: impl Into<String>, down_sql: Option<String>) -> Self {
        let up_sql = up_sql.into();
        Self { checksum: checksum(&up_sql), up_sql, down_sql }
    }
}

/// `<base>` for no parents, else the parents joined by `, `: the `Revises` value, and how
/// Alembic names a revision's parents in its logs.
pub fn revises_text(parents: &[String]) -> String {
    if parents.is_empty() { "<base>".to_owned() } else { parents.join(", ") }
}

/// Whether `name` is a well-formed id or label: `[A-Za-z0-9_]{1,32}`.
pub fn is_valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Checks an id or label, returning the error to report for it.
pub fn validate_name(what: &'static str, value: &str) -> Result<(), ParseErrorKind> {
    if !is_valid_name(value) {
        return Err(ParseErrorKind::InvalidName { what, value: value.to_owned() });
    }
    if RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(value)) {
        return Err(ParseErrorKind::ReservedName { what, value: value.to_owned() });
    }
    Ok(())
}

/// Hex SHA-256 of normalised SQL (LF endings, no BOM, trimmed), as stored in the version table.
pub fn checksum(sql: &str) -> String {
    let normalized = normalize(sql);
    let digest = Sha256::digest(normalized.trim().as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    hex
}

/// Removes a UTF-8 BOM and turns CRLF (and lone CR) into LF, so the bytes of a file
/// saved on another platform mean the same revision.
pub fn normalize(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_ignores_line_endings_and_outer_whitespace() {
        assert_eq!(checksum("SELECT 1;\r\nSELECT 2;\r\n"), checksum("SELECT 1;\nSELECT 2;"));
        assert_ne!(checksum("SELECT 1;"), checksum("SELECT 2;"));
    }

    #[test]
    fn header_keys_round_trip() {
        for key in HeaderKey::ALL {
            assert_eq!(HeaderKey::find(&key.as_str().to_ascii_uppercase()), Some(key));
        }
        assert_eq!(HeaderKey::find("Colour"), None);
        assert!(HeaderKey::list().ends_with("Transactional, Foreign Keys, Lint-Allow"));
    }
}
