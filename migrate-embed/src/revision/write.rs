//! Writing a revision file: the header in the layout the parser reads, then the up and down
//! sections. Every file is parsed back before it is returned and must mean exactly what
//! was asked, so a message that would read as a header key is refused, not written.

use super::{HeaderKey, Revision, RevisionBody, parse_revision, revises_text};

/// Why a revision cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The text would be read back as something else (for example a message that looks
    /// like a header key).
    #[error("the message {message:?} cannot be written into a revision header: {why}")]
    ReadsBackDifferently {
        /// The message.
        message: String,
        /// What the parser made of it.
        why: String,
    },
}

/// A revision file's text for `revision`: its header, then its up section and (unless the
/// revision is irreversible) its down section.
///
/// # Errors
/// [`WriteError::ReadsBackDifferently`] when the text would not parse back to the same
/// header and SQL.
///
/// ```
/// use migrate_embed::revision::{Revision, RevisionBody, parse_revision, write_revision};
/// let mut rev = parse_revision(b"-- m\n-- Revision ID: a1\n-- Revises: <base>\n-- migrate:up\n").unwrap();
/// rev.message = "create t".into();
/// rev.body = RevisionBody::new("CREATE TABLE t (x INT);", Some("DROP TABLE t;".into()));
/// let text = write_revision(&rev).unwrap();
/// assert_eq!(parse_revision(text.as_bytes()).unwrap().body, rev.body);
/// ```
pub fn write_revision(revision: &Revision) -> Result<String, WriteError> {
    let text = render(revision);
    let unreadable = |why: String| WriteError::ReadsBackDifferently { message: revision.message.clone(), why };
    let parsed = parse_revision(text.as_bytes()).map_err(|e| unreadable(e.to_string()))?;
    let same = parsed.id == revision.id
        && parsed.message == revision.message
        && parsed.description == revision.description
        && parsed.parents == revision.parents
        && parsed.branch_labels == revision.branch_labels
        && parsed.depends_on == revision.depends_on
        && parsed.transactional == revision.transactional
        && parsed.lint_allow == revision.lint_allow
        && parsed.foreign_keys_off == revision.foreign_keys_off
        && parsed.body.up_sql == revision.body.up_sql.trim()
        && parsed.body.down_sql.as_deref() == revision.body.down_sql.as_deref().map(str::trim);
    if same {
        Ok(text)
    } else {
        Err(unreadable(format!(
            "it would read back as message {:?}, description {:?}",
            parsed.message, parsed.description
        )))
    }
}

/// The text, unchecked.
fn render(revision: &Revision) -> String {
    let RevisionBody { up_sql, down_sql, .. } = &revision.body;
    let mut out = format!("-- {}\n--\n", revision.message);
    if !revision.description.is_empty() {
        for line in revision.description.lines() {
            if line.is_empty() {
                out.push_str("--\n");
            } else {
                out.push_str(&format!("-- {line}\n"));
            }
        }
        out.push_str("--\n");
    }
    let mut key = |key: HeaderKey, value: &str| out.push_str(&format!("-- {key}: {value}\n"));
    key(HeaderKey::RevisionId, &revision.id);
    key(HeaderKey::Revises, &revises_text(&revision.parents));
    if let Some(date) = &revision.create_date {
        key(HeaderKey::CreateDate, date);
    }
    if !revision.branch_labels.is_empty() {
        key(HeaderKey::BranchLabels, &revision.branch_labels.join(", "));
    }
    if !revision.depends_on.is_empty() {
        key(HeaderKey::DependsOn, &revision.depends_on.join(", "));
    }
    if let Some(flag) = revision.transactional {
        key(HeaderKey::Transactional, &flag.to_string());
    }
    if revision.foreign_keys_off {
        key(HeaderKey::ForeignKeys, "off");
    }
    if !revision.lint_allow.is_empty() {
        key(HeaderKey::LintAllow, &revision.lint_allow.join(", "));
    }
    out.push_str(&format!("\n-- migrate:up\n{}\n\n", up_sql.trim()));
    if let Some(down) = down_sql {
        out.push_str(&format!("-- migrate:down\n{}\n", down.trim()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revision::Origin;

    fn sample() -> Revision {
        Revision {
            id: "1975ea83b712".into(),
            message: "create account table".into(),
            description: String::new(),
            parents: Vec::new(),
            depends_on: vec!["55af2cb1c267".into()],
            branch_labels: vec!["accounts".into()],
            create_date: Some("2026-11-22 10:00:00+00:00".into()),
            transactional: None,
            lint_allow: Vec::new(),
            foreign_keys_off: false,
            origin: Origin::default(),
            body: RevisionBody::new("", Some(String::new())),
        }
    }

    #[test]
    fn header_matches_the_documented_layout() {
        assert_eq!(
            write_revision(&sample()).unwrap(),
            "-- create account table\n--\n-- Revision ID: 1975ea83b712\n-- Revises: <base>\n\
             -- Create Date: 2026-11-22 10:00:00+00:00\n-- Branch Labels: accounts\n\
             -- Depends On: 55af2cb1c267\n\n-- migrate:up\n\n\n-- migrate:down\n\n"
        );
        let merge = Revision {
            parents: vec!["a1".into(), "b2".into()],
            branch_labels: Vec::new(),
            depends_on: Vec::new(),
            description: "first line\n\nsecond paragraph".into(),
            transactional: Some(false),
            foreign_keys_off: true,
            lint_allow: vec!["renaming-column".into()],
            ..sample()
        };
        let text = write_revision(&merge).unwrap();
        assert!(text.contains("-- Revises: a1, b2\n"), "{text}");
        assert!(text.contains("--\n-- first line\n--\n-- second paragraph\n--\n-- Revision ID"));
        assert!(text.contains("-- Transactional: false\n-- Foreign Keys: off\n-- Lint-Allow: renaming-column\n"));
    }

    #[test]
    fn sections_round_trip_and_irreversible_has_no_down() {
        let rev = Revision { body: RevisionBody::new("CREATE TABLE t (x INT);\n", None), ..sample() };
        let text = write_revision(&rev).unwrap();
        assert!(text.ends_with("-- migrate:up\nCREATE TABLE t (x INT);\n\n"), "{text}");
        assert_eq!(parse_revision(text.as_bytes()).unwrap().body.down_sql, None);
    }

    #[test]
    fn messages_that_read_back_differently_are_refused() {
        for message in ["Revises: abc", "migrate:up now", "Revision ID: x"] {
            let rev = Revision { message: message.into(), ..sample() };
            assert!(write_revision(&rev).is_err(), "{message}");
        }
    }
}
