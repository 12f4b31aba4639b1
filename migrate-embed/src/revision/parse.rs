//! Reading a revision file: the header's keys, the message and description, and the up and
//! down sections, with the line of every problem and how to fix it.

use super::{HeaderKey, Origin, Revision, RevisionBody, normalize, validate_name};
use std::path::PathBuf;

/// Why a revision file could not be parsed; always with the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct ParseError {
    /// 1-based line of the problem (1 for whole-file problems).
    pub line: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// The kinds of parse failure, each worded as what is wrong plus how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The file is not UTF-8.
    #[error("the file is not valid UTF-8 (first bad byte at column {column}); save it as UTF-8")]
    NotUtf8 {
        /// 1-based byte column of the first invalid byte.
        column: usize,
    },
    /// Nothing but whitespace.
    #[error(
        "the file is empty; a revision needs a header (`-- Revision ID: …`, `-- Revises: …`) and a `-- migrate:up` section, or delete the file"
    )]
    Empty,
    /// A required key is absent.
    #[error("the header has no `{key}:` line; add one{extra}")]
    MissingKey {
        /// The missing key.
        key: HeaderKey,
        /// Extra advice (e.g. a line that looks like a misspelt key).
        extra: String,
    },
    /// A key line whose key we do not know.
    #[error("unknown header key `{key}`; the keys are: {}", HeaderKey::list())]
    UnknownKey {
        /// The key as written.
        key: String,
    },
    /// A key given twice.
    #[error("`{key}` is given twice (first on line {first_line}); keep one")]
    DuplicateKey {
        /// The repeated key.
        key: HeaderKey,
        /// Where it was first given.
        first_line: usize,
    },
    /// Free text among the keys.
    #[error(
        "unexpected header line `{text}` among the keys; write `Key: value`, or move description lines above `Revision ID`"
    )]
    StrayHeaderLine {
        /// The line's text.
        text: String,
    },
    /// A malformed id or label.
    #[error("{what} `{value}` is not valid: use 1 to 32 characters from A-Z, a-z, 0-9 and _")]
    InvalidName {
        /// "revision id", "branch label"…
        what: &'static str,
        /// The value as written.
        value: String,
    },
    /// An id or label that is a reserved word.
    #[error("{what} `{value}` is a reserved word (head, heads, base, current); choose another name")]
    ReservedName {
        /// "revision id", "branch label"…
        what: &'static str,
        /// The value.
        value: String,
    },
    /// A key with nothing after the colon, or an empty list item.
    #[error("`{key}` has an empty value; {fix}")]
    EmptyValue {
        /// The key.
        key: HeaderKey,
        /// How to fill it.
        fix: &'static str,
    },
    /// `Transactional` not `true`/`false`.
    #[error("`Transactional` must be `true` or `false`, not `{value}`")]
    InvalidBool {
        /// The value as written.
        value: String,
    },
    /// The same id listed twice in one key.
    #[error("`{key}` lists `{value}` twice; list it once")]
    RepeatedValue {
        /// The key.
        key: HeaderKey,
        /// The repeated value.
        value: String,
    },
    /// No `-- migrate:up`.
    #[error("no `-- migrate:up` line; put the upgrade SQL after a `-- migrate:up` line below the header")]
    MissingUp,
    /// `-- migrate:up` twice.
    #[error("`-- migrate:up` appears again (first on line {first_line}); a revision has one up section")]
    DuplicateUp {
        /// Line of the first marker.
        first_line: usize,
    },
    /// `-- migrate:down` twice.
    #[error("`-- migrate:down` appears again (first on line {first_line}); a revision has at most one down section")]
    DuplicateDown {
        /// Line of the first marker.
        first_line: usize,
    },
    /// Down marker before the up marker.
    #[error("`-- migrate:down` comes before `-- migrate:up`; put the up section first")]
    DownBeforeUp,
    /// A `-- migrate:` marker we do not know.
    #[error("unknown section marker `{marker}`; the markers are `-- migrate:up` and `-- migrate:down`")]
    UnknownMarker {
        /// The marker as written.
        marker: String,
    },
    /// A header key below the header block (after a blank line), which would be ignored.
    #[error(
        "`{key}:` is below the header (a blank line ends the header), so it would be ignored; move it up into the header block"
    )]
    KeyOutsideHeader {
        /// The key.
        key: HeaderKey,
    },
    /// SQL between the header and the up marker.
    #[error("SQL before `-- migrate:up`; move it into the up section")]
    SqlBeforeUp,
    /// `Foreign Keys` not `off`/`on`.
    #[error("`Foreign Keys` must be `off` (or `on`, the default), not `{value}`")]
    InvalidForeignKeys {
        /// The value as written.
        value: String,
    },
    /// A `Lint-Allow` item that is not a lint code's shape.
    #[error(
        "`Lint-Allow` item `{value}` is not a lint code: codes are kebab-case, e.g. `require-concurrent-index-creation` (`cargo migrate lint --explain` lists them)"
    )]
    InvalidLintCode {
        /// The item as written.
        value: String,
    },
}

impl ParseErrorKind {
    fn at(self, line: usize) -> ParseError {
        ParseError { line, kind: self }
    }
}

/// Parses one revision file. The returned revision's `origin.path` is empty: the caller
/// (see [`crate::source`]) knows the path.
///
/// # Errors
/// A [`ParseError`] with the line and a fix for: non-UTF-8 or empty files, missing, unknown
/// or repeated keys, malformed or reserved ids and labels, and misplaced section markers.
pub fn parse_revision(bytes: &[u8]) -> Result<Revision, ParseError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = &bytes[..err.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = err.valid_up_to() - line_start + 1;
            return Err(ParseErrorKind::NotUtf8 { column }.at(line));
        }
    };
    let text = normalize(text);
    if text.trim().is_empty() {
        return Err(ParseErrorKind::Empty.at(1));
    }
    Parser::default().parse(&text)
}

/// A line is a section marker when, after `--` and spaces, it starts with `migrate:`.
fn marker_of(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("--")?.trim_start();
    rest.starts_with("migrate:").then(|| rest.trim_end())
}

#[derive(Default)]
struct Parser {
    id: Option<(String, usize)>,
    parents: Option<(Vec<String>, usize)>,
    create_date: Option<(String, usize)>,
    labels: Option<(Vec<String>, usize)>,
    depends_on: Option<(Vec<String>, usize)>,
    transactional: Option<(bool, usize)>,
    lint_allow: Option<(Vec<String>, usize)>,
    foreign_keys_off: Option<(bool, usize)>,
}

impl Parser {
    fn parse(mut self, text: &str) -> Result<Revision, ParseError> {
        let lines: Vec<&str> = text.split('\n').collect();
        let mut index = 0;
        while index < lines.len() && lines[index].trim().is_empty() {
            index += 1;
        }
        // The header: leading `--` lines up to the first non-comment line or section marker.
        let header_start = index;
        while index < lines.len() && lines[index].trim_start().starts_with("--") && marker_of(lines[index]).is_none() {
            index += 1;
        }
        let header = &lines[header_start..index];
        let (message, description, suspicious) = self.read_header(header, header_start + 1)?;

        let (up, down) = read_sections(&lines, index)?;
        let Some((id, id_line)) = self.id.take() else {
            let extra = suspicious
                .map(|(line, text)| format!(" (line {line}, `{text}`, looks like a misspelt key)"))
                .unwrap_or_default();
            return Err(ParseErrorKind::MissingKey { key: HeaderKey::RevisionId, extra }.at(header_start + 1));
        };
        let Some((parents, revises_line)) = self.parents.take() else {
            return Err(ParseErrorKind::MissingKey {
                key: HeaderKey::Revises,
                extra: " (`<base>` for a first revision, or the parent's id)".into(),
            }
            .at(id_line));
        };
        let (up_line, up_sql) = up;
        let down_line = down.as_ref().map_or(0, |(line, _)| *line);
        let (depends_on, depends_on_line) = self.depends_on.take().unwrap_or_default();
        let (branch_labels, labels_line) = self.labels.take().unwrap_or_default();
        let (lint_allow, lint_allow_line) = self.lint_allow.take().unwrap_or_default();
        Ok(Revision {
            id,
            message,
            description,
            parents,
            depends_on,
            branch_labels,
            create_date: self.create_date.take().map(|(d, _)| d),
            transactional: self.transactional.take().map(|(t, _)| t),
            lint_allow,
            foreign_keys_off: self.foreign_keys_off.take().is_some_and(|(off, _)| off),
            origin: Origin {
                path: PathBuf::new(),
                id_line,
                revises_line,
                depends_on_line,
                labels_line,
                lint_allow_line,
                up_line,
                down_line,
            },
            body: RevisionBody::new(up_sql, down.map(|(_, sql)| sql)),
        })
    }

    /// Reads message, description and keys. Returns the message, the description, and
    /// the first description line that looks like a misspelt key (for a better error).
    #[allow(clippy::type_complexity)]
    fn read_header(
        &mut self,
        header: &[&str],
        first_line: usize,
    ) -> Result<(String, String, Option<(usize, String)>), ParseError> {
        let mut message = String::new();
        let mut description: Vec<&str> = Vec::new();
        let mut keys_started = false;
        let mut suspicious = None;
        for (offset, raw) in header.iter().enumerate() {
            let line_no = first_line + offset;
            let content = raw.trim_start().trim_start_matches('-');
            let content = content.strip_prefix(' ').unwrap_or(content).trim_end();
            if let Some((key, value)) = split_key(content) {
                self.set_key(key, value.trim(), line_no)?;
                keys_started = true;
                continue;
            }
            if keys_started {
                if content.trim().is_empty() {
                    continue;
                }
                if let Some((key, _)) = content.split_once(':')
                    && looks_like_key(key)
                {
                    return Err(ParseErrorKind::UnknownKey { key: key.trim().to_owned() }.at(line_no));
                }
                return Err(ParseErrorKind::StrayHeaderLine { text: content.trim().to_owned() }.at(line_no));
            }
            if offset == 0 {
                message = content.trim().to_owned();
            } else {
                if suspicious.is_none()
                    && let Some((key, _)) = content.split_once(':')
                    && looks_like_key(key)
                {
                    suspicious = Some((line_no, content.trim().to_owned()));
                }
                description.push(content);
            }
        }
        while description.first().is_some_and(|l| l.trim().is_empty()) {
            description.remove(0);
        }
        while description.last().is_some_and(|l| l.trim().is_empty()) {
            description.pop();
        }
        Ok((message, description.join("\n"), suspicious))
    }

    fn set_key(&mut self, key: HeaderKey, value: &str, line: usize) -> Result<(), ParseError> {
        let first_line = match key {
            HeaderKey::RevisionId => self.id.as_ref().map(|(_, l)| *l),
            HeaderKey::Revises => self.parents.as_ref().map(|(_, l)| *l),
            HeaderKey::CreateDate => self.create_date.as_ref().map(|(_, l)| *l),
            HeaderKey::BranchLabels => self.labels.as_ref().map(|(_, l)| *l),
            HeaderKey::DependsOn => self.depends_on.as_ref().map(|(_, l)| *l),
            HeaderKey::Transactional => self.transactional.as_ref().map(|(_, l)| *l),
            HeaderKey::LintAllow => self.lint_allow.as_ref().map(|(_, l)| *l),
            HeaderKey::ForeignKeys => self.foreign_keys_off.as_ref().map(|(_, l)| *l),
        };
        if let Some(first_line) = first_line {
            return Err(ParseErrorKind::DuplicateKey { key, first_line }.at(line));
        }
        match key {
            HeaderKey::RevisionId => {
                if value.is_empty() {
                    return Err(ParseErrorKind::EmptyValue { key, fix: "write the revision's id" }.at(line));
                }
                validate_name("revision id", value).map_err(|k| k.at(line))?;
                self.id = Some((value.to_owned(), line));
            }
            HeaderKey::Revises => {
                let parents = if value == "<base>" {
                    Vec::new()
                } else {
                    parse_list(key, value, "revision id", line, "write `<base>` or the parent id(s)")?
                };
                self.parents = Some((parents, line));
            }
            HeaderKey::CreateDate => self.create_date = Some((value.to_owned(), line)),
            HeaderKey::BranchLabels => {
                let labels = parse_list(key, value, "branch label", line, "name a label or remove the line")?;
                self.labels = Some((labels, line));
            }
            HeaderKey::DependsOn => {
                let deps = parse_list(key, value, "dependency", line, "name a revision or label, or remove the line")?;
                self.depends_on = Some((deps, line));
            }
            HeaderKey::Transactional => {
                let flag = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ParseErrorKind::InvalidBool { value: value.to_owned() }.at(line));
                    }
                };
                self.transactional = Some((flag, line));
            }
            HeaderKey::LintAllow => {
                let codes = parse_codes(value, line)?;
                self.lint_allow = Some((codes, line));
            }
            HeaderKey::ForeignKeys => {
                let off = match value.to_ascii_lowercase().as_str() {
                    "off" => true,
                    "on" => false,
                    _ => return Err(ParseErrorKind::InvalidForeignKeys { value: value.to_owned() }.at(line)),
                };
                self.foreign_keys_off = Some((off, line));
            }
        }
        Ok(())
    }
}

/// `Key: value` where Key is a [`HeaderKey`] (case-insensitive).
fn split_key(content: &str) -> Option<(HeaderKey, &str)> {
    let (key, value) = content.split_once(':')?;
    HeaderKey::find(key).map(|k| (k, value))
}

/// One to three capitalised-looking words: `Revison ID`, `Depends-On`.
fn looks_like_key(key: &str) -> bool {
    let key = key.trim();
    !key.is_empty()
        && key.len() <= 24
        && key.split([' ', '-', '_']).count() <= 3
        && key.chars().all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '-' | '_'))
}

fn parse_list(
    key: HeaderKey,
    value: &str,
    what: &'static str,
    line: usize,
    fix: &'static str,
) -> Result<Vec<String>, ParseError> {
    if value.is_empty() {
        return Err(ParseErrorKind::EmptyValue { key, fix }.at(line));
    }
    let mut items: Vec<String> = Vec::new();
    for item in value.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(ParseErrorKind::EmptyValue { key, fix }.at(line));
        }
        validate_name(what, item).map_err(|k| k.at(line))?;
        if items.iter().any(|i| i == item) {
            return Err(ParseErrorKind::RepeatedValue { key, value: item.to_owned() }.at(line));
        }
        items.push(item.to_owned());
    }
    Ok(items)
}

/// `Lint-Allow`: kebab-case codes, comma-separated. Whether each names a rule is for the
/// linter to say (it knows the rules; the parser does not).
fn parse_codes(value: &str, line: usize) -> Result<Vec<String>, ParseError> {
    let key = HeaderKey::LintAllow;
    let fix = "name the lint codes to silence, or remove the line";
    if value.is_empty() {
        return Err(ParseErrorKind::EmptyValue { key, fix }.at(line));
    }
    let mut codes: Vec<String> = Vec::new();
    for item in value.split(',').map(str::trim) {
        if item.is_empty() {
            return Err(ParseErrorKind::EmptyValue { key, fix }.at(line));
        }
        let shaped = item.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !item.starts_with('-')
            && item.len() <= 64;
        if !shaped {
            return Err(ParseErrorKind::InvalidLintCode { value: item.to_owned() }.at(line));
        }
        if codes.iter().any(|c| c == item) {
            return Err(ParseErrorKind::RepeatedValue { key, value: item.to_owned() }.at(line));
        }
        codes.push(item.to_owned());
    }
    Ok(codes)
}

type Section = (usize, String);

/// Finds the up and down sections after the header.
fn read_sections(lines: &[&str], start: usize) -> Result<(Section, Option<Section>), ParseError> {
    let mut up: Option<usize> = None;
    let mut down: Option<usize> = None;
    for (index, line) in lines.iter().enumerate().skip(start) {
        let line_no = index + 1;
        match marker_of(line) {
            Some("migrate:up") => {
                if let Some(first) = up {
                    return Err(ParseErrorKind::DuplicateUp { first_line: first + 1 }.at(line_no));
                }
                if down.is_some() {
                    return Err(ParseErrorKind::DownBeforeUp.at(down.unwrap_or(0) + 1));
                }
                up = Some(index);
            }
            Some("migrate:down") => {
                if let Some(first) = down {
                    return Err(ParseErrorKind::DuplicateDown { first_line: first + 1 }.at(line_no));
                }
                down = Some(index);
            }
            Some(other) => {
                return Err(ParseErrorKind::UnknownMarker { marker: format!("-- {other}") }.at(line_no));
            }
            None => {
                let trimmed = line.trim();
                if up.is_none() && down.is_none() && !trimmed.is_empty() {
                    let Some(comment) = trimmed.strip_prefix("--") else {
                        return Err(ParseErrorKind::SqlBeforeUp.at(line_no));
                    };
                    if let Some((key, _)) = split_key(comment.trim_start_matches('-').trim()) {
                        return Err(ParseErrorKind::KeyOutsideHeader { key }.at(line_no));
                    }
                }
            }
        }
    }
    let Some(up_index) = up else {
        return Err(match down {
            Some(d) => ParseErrorKind::DownBeforeUp.at(d + 1),
            None => ParseErrorKind::MissingUp.at(lines.len().min(start + 1).max(1)),
        });
    };
    let up_end = down.unwrap_or(lines.len());
    let up_section = section_text(lines, up_index + 1, up_end);
    let down_section = down.map(|d| section_text(lines, d + 1, lines.len()));
    Ok((up_section, down_section))
}

/// The trimmed text of lines `[from, to)` and the 1-based line its first non-blank line is on.
fn section_text(lines: &[&str], from: usize, to: usize) -> Section {
    let mut first = from;
    while first < to && lines[first].trim().is_empty() {
        first += 1;
    }
    let mut last = to;
    while last > first && lines[last - 1].trim().is_empty() {
        last -= 1;
    }
    let text = lines[first..last].join("\n");
    (first + 1, text.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "-- create account table\n--\n-- Longer description\n-- on two lines.\n--\n\
        -- Revision ID: 1975ea83b712\n-- Revises: <base>\n-- Create Date: 2026-11-22 10:00:00+00:00\n\
        -- Branch Labels: accounts\n-- Depends On: 55af2cb1c267\n\n-- migrate:up\n\
        CREATE TABLE account (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n\n\
        -- migrate:down\nDROP TABLE account;\n";

    fn err(text: &str) -> ParseError {
        parse_revision(text.as_bytes()).expect_err("should fail")
    }

    #[test]
    fn parses_the_spec_example() {
        let rev = parse_revision(GOOD.as_bytes()).unwrap();
        assert_eq!(rev.id, "1975ea83b712");
        assert_eq!(rev.message, "create account table");
        assert_eq!(rev.description, "Longer description\non two lines.");
        assert!(rev.parents.is_empty());
        assert_eq!(rev.branch_labels, ["accounts"]);
        assert_eq!(rev.depends_on, ["55af2cb1c267"]);
        assert_eq!(rev.create_date.as_deref(), Some("2026-11-22 10:00:00+00:00"));
        assert_eq!(rev.body.up_sql, "CREATE TABLE account (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);");
        assert_eq!(rev.body.down_sql.as_deref(), Some("DROP TABLE account;"));
        assert_eq!(rev.origin.id_line, 6);
        assert_eq!(rev.origin.revises_line, 7);
        assert_eq!(rev.origin.up_line, 13);
        assert_eq!(rev.body.checksum, super::super::checksum(&rev.body.up_sql));
    }

    #[test]
    fn crlf_and_bom_parse_identically() {
        let lf = parse_revision(GOOD.as_bytes()).unwrap();
        let crlf = GOOD.replace('\n', "\r\n");
        let bom = format!("\u{feff}{crlf}");
        for variant in [crlf, bom] {
            let rev = parse_revision(variant.as_bytes()).unwrap();
            assert_eq!(rev, lf);
        }
    }

    #[test]
    fn merge_and_flags() {
        let rev = parse_revision(
            b"-- merge\n-- Revision ID: m1\n-- Revises: a1, b2\n-- Transactional: false\n-- migrate:up\n",
        )
        .unwrap();
        assert_eq!(rev.parents, ["a1", "b2"]);
        assert!(rev.is_merge());
        assert_eq!(rev.transactional, Some(false));
        assert_eq!(rev.body.up_sql, "");
        assert_eq!(rev.body.down_sql, None);
    }

    #[test]
    fn message_may_be_absent() {
        let rev = parse_revision(b"-- Revision ID: a1\n-- Revises: <base>\n-- migrate:up\nSELECT 1;").unwrap();
        assert_eq!(rev.message, "");
    }

    #[test]
    fn bad_files_name_line_and_fix() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 1, "the file is empty"),
            ("  \n\n", 1, "the file is empty"),
            ("-- m\n-- Revises: <base>\n-- migrate:up\n", 1, "no `Revision ID:`"),
            ("-- m\n-- Revision ID: a1\n-- migrate:up\n", 2, "no `Revises:`"),
            (
                "-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- Colour: red\n-- migrate:up\n",
                4,
                "unknown header key `Colour`",
            ),
            (
                "-- m\n-- Revision ID: a1\n-- Revision ID: a2\n-- Revises: <base>\n-- migrate:up\n",
                3,
                "given twice (first on line 2)",
            ),
            ("-- m\n-- Revision ID: a1\n-- Revises: <base>\nSELECT 1;\n", 4, "SQL before `-- migrate:up`"),
            (
                "-- m\n-- Revision ID: a1\n-- Revises: <base>\n\n-- Depends On: b2\n-- migrate:up\n",
                5,
                "`Depends On:` is below the header",
            ),
            ("-- m\n-- Revision ID: a1\n-- Revises: <base>\n", 4, "no `-- migrate:up`"),
            (
                "-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- migrate:down\nDROP x;\n-- migrate:up\n",
                4,
                "before `-- migrate:up`",
            ),
            ("-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- migrate:down\n", 4, "before `-- migrate:up`"),
            (
                "-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- migrate:up\n-- migrate:up\n",
                5,
                "appears again (first on line 4)",
            ),
            (
                "-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- migrate:up\n-- migrate:down\n-- migrate:down\n",
                6,
                "at most one down",
            ),
            ("-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- migrate:sideways\n", 4, "unknown section marker"),
            ("-- m\n-- Revision ID: a-1\n-- Revises: <base>\n-- migrate:up\n", 2, "revision id `a-1` is not valid"),
            ("-- m\n-- Revision ID: head\n-- Revises: <base>\n-- migrate:up\n", 2, "reserved word"),
            (
                "-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- Branch Labels: base\n-- migrate:up\n",
                4,
                "branch label `base` is a reserved word",
            ),
            ("-- m\n-- Revision ID: a1\n-- Revises: b1,,c1\n-- migrate:up\n", 3, "empty value"),
            ("-- m\n-- Revision ID: a1\n-- Revises: b1, b1\n-- migrate:up\n", 3, "lists `b1` twice"),
            (
                "-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- Transactional: maybe\n-- migrate:up\n",
                4,
                "`true` or `false`",
            ),
            (
                "-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- Foreign Keys: maybe\n-- migrate:up\n",
                4,
                "`off` (or `on`, the default)",
            ),
            (
                "-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- just words\n-- migrate:up\n",
                4,
                "unexpected header line",
            ),
            ("-- m\n-- Revison ID: a1\n-- migrate:up\n", 1, "looks like a misspelt key"),
            (
                &format!("-- m\n-- Revision ID: {}\n-- Revises: <base>\n-- migrate:up\n", "a".repeat(33)),
                2,
                "1 to 32 characters",
            ),
        ];
        for (text, line, needle) in cases {
            let error = err(text);
            assert_eq!(error.line, *line, "line for {text:?}: {error}");
            assert!(error.to_string().contains(needle), "{text:?} gave `{error}`, wanted `{needle}`");
        }
    }

    #[test]
    fn non_utf8_names_line_and_column() {
        let error = parse_revision(b"-- m\n-- Revision ID: a\xff1\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert_eq!(error.kind, ParseErrorKind::NotUtf8 { column: 18 });
    }
}
