//! Arbitrary bytes into the revision file parser (SPEC §2). It must never panic, and
//! whatever it returns must hold up:
//!
//! - parsing is deterministic;
//! - line endings (LF, CRLF, lone CR, mixed) and a UTF-8 BOM do not change the result,
//!   success or failure (SPEC §2: "must not change what a revision means or its checksum");
//! - an error's line is inside the file;
//! - a revision's checksum is `checksum(up_sql)`, its ids and labels are valid names, its
//!   SQL is trimmed LF text taken from the file, and the lines in `origin` point at the
//!   right lines;
//! - written back out in canonical form, it parses to the same revision.

#![no_main]

use libfuzzer_sys::fuzz_target;
use migrate_embed::revision::{
    ParseErrorKind, RESERVED_NAMES, Revision, checksum, is_valid_name, normalize, parse_revision,
};

fuzz_target!(|data: &[u8]| {
    let result = parse_revision(data);
    assert_eq!(parse_revision(data), result, "parsing is not deterministic");

    let Ok(text) = std::str::from_utf8(data) else {
        assert!(
            matches!(&result, Err(e) if matches!(e.kind, ParseErrorKind::NotUtf8 { .. })),
            "non-UTF-8 input gave {result:?}"
        );
        return;
    };
    assert!(
        !matches!(&result, Err(e) if matches!(e.kind, ParseErrorKind::NotUtf8 { .. })),
        "valid UTF-8 reported as not UTF-8"
    );

    // What the parser reads: no BOM, LF line endings.
    let lf = normalize(text);
    let lines: Vec<&str> = lf.split('\n').collect();

    for variant in line_ending_variants(&lf) {
        assert_eq!(
            parse_revision(variant.as_bytes()),
            result,
            "changing line endings / adding a BOM changed the result; variant: {variant:?}"
        );
    }

    match &result {
        Err(error) => {
            assert!(
                (1..=lines.len()).contains(&error.line),
                "error line {} outside a {}-line file: {error}",
                error.line,
                lines.len()
            );
        }
        Ok(rev) => {
            check_revision(rev, &lf, &lines);
            check_round_trip(rev);
        }
    }
});

/// The same text with other line endings and with a BOM. A text that itself starts with
/// U+FEFF (after the parser stripped one) keeps it behind a BOM we add, so the variants
/// still mean the same.
fn line_ending_variants(lf: &str) -> Vec<String> {
    let keep = if lf.starts_with('\u{feff}') { "\u{feff}" } else { "" };
    let crlf = lf.replace('\n', "\r\n");
    let cr = lf.replace('\n', "\r");
    let mut mixed = String::with_capacity(crlf.len());
    for (i, line) in lf.split('\n').enumerate() {
        if i > 0 {
            mixed.push_str(["\r\n", "\n", "\r"][i % 3]);
        }
        mixed.push_str(line);
    }
    vec![
        format!("{keep}{lf}"),
        format!("{keep}{crlf}"),
        format!("{keep}{cr}"),
        format!("{keep}{mixed}"),
        format!("\u{feff}{lf}"),
        format!("\u{feff}{crlf}"),
    ]
}

fn check_name(what: &str, name: &str) {
    assert!(is_valid_name(name), "{what} `{name}` is not a valid name");
    assert!(!RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(name)), "{what} `{name}` is reserved");
}

fn check_list(what: &str, list: &[String]) {
    for (i, name) in list.iter().enumerate() {
        check_name(what, name);
        assert!(!list[..i].contains(name), "{what} `{name}` listed twice");
    }
}

/// `line` (1-based) exists and contains `needle` (case-insensitive).
fn line_has(lines: &[&str], line: usize, needle: &str, what: &str) {
    assert!((1..=lines.len()).contains(&line), "{what} line {line} outside a {}-line file", lines.len());
    assert!(
        lines[line - 1].to_ascii_lowercase().contains(&needle.to_ascii_lowercase()),
        "{what} line {line} is `{}`, which lacks `{needle}`",
        lines[line - 1]
    );
}

/// A section's SQL: trimmed, LF only, taken verbatim from the file, and its line points at
/// its first line.
fn check_sql(what: &str, sql: &str, line: usize, lf: &str, lines: &[&str]) {
    assert!(!sql.contains('\r'), "{what} SQL has a CR");
    assert_eq!(sql, sql.trim_end(), "{what} SQL is not trimmed at the end");
    assert!(lf.contains(sql), "{what} SQL is not a slice of the file");
    if let Some(first) = sql.split('\n').next()
        && !sql.is_empty()
    {
        assert!(!first.trim().is_empty(), "{what} SQL starts with a blank line");
        assert!((1..=lines.len()).contains(&line), "{what} line {line} outside the file");
        assert!(
            lines[line - 1].starts_with(first),
            "{what} line {line} is `{}`, but the SQL starts `{first}`",
            lines[line - 1]
        );
    }
}

fn check_revision(rev: &Revision, lf: &str, lines: &[&str]) {
    assert_eq!(rev.checksum, checksum(&rev.up_sql), "checksum is not checksum(up_sql)");
    assert!(
        rev.checksum.len() == 64 && rev.checksum.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "checksum `{}` is not 64 lowercase hex digits",
        rev.checksum
    );

    check_name("revision id", &rev.id);
    check_list("parent", &rev.parents);
    check_list("branch label", &rev.branch_labels);
    check_list("dependency", &rev.depends_on);

    for (what, value) in [("message", rev.message.as_str()), ("create date", rev.create_date.as_deref().unwrap_or(""))]
    {
        assert!(!value.contains(['\n', '\r']), "{what} `{value:?}` spans lines");
        assert_eq!(value, value.trim(), "{what} is not trimmed");
    }
    assert!(!rev.description.contains('\r'), "description has a CR");

    let origin = &rev.origin;
    line_has(lines, origin.id_line, "revision id", "Revision ID");
    line_has(lines, origin.id_line, &rev.id, "Revision ID");
    line_has(lines, origin.revises_line, "revises", "Revises");
    if rev.branch_labels.is_empty() {
        assert_eq!(origin.labels_line, 0, "labels line set without labels");
    } else {
        line_has(lines, origin.labels_line, "branch labels", "Branch Labels");
    }
    if rev.depends_on.is_empty() {
        assert_eq!(origin.depends_on_line, 0, "Depends On line set without dependencies");
    } else {
        line_has(lines, origin.depends_on_line, "depends on", "Depends On");
    }

    check_sql("up", &rev.up_sql, origin.up_line, lf, lines);
    match &rev.down_sql {
        Some(down) => check_sql("down", down, origin.down_line, lf, lines),
        None => assert_eq!(origin.down_line, 0, "down line set without a down section"),
    }
}

/// Writes a revision in canonical form. Free header lines are written as `--- text`:
/// the parser strips every leading `-` of a header line, and `---` keeps a text such as
/// `migrate:up` from reading as a section marker.
fn render(rev: &Revision) -> String {
    let mut out = format!("--- {}\n---\n", rev.message);
    if !rev.description.is_empty() {
        for line in rev.description.split('\n') {
            out.push_str("--- ");
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("---\n");
    }
    out.push_str(&format!("-- Revision ID: {}\n", rev.id));
    let revises = if rev.parents.is_empty() { "<base>".to_owned() } else { rev.parents.join(", ") };
    out.push_str(&format!("-- Revises: {revises}\n"));
    if let Some(date) = &rev.create_date {
        out.push_str(&format!("-- Create Date: {date}\n"));
    }
    if !rev.branch_labels.is_empty() {
        out.push_str(&format!("-- Branch Labels: {}\n", rev.branch_labels.join(", ")));
    }
    if !rev.depends_on.is_empty() {
        out.push_str(&format!("-- Depends On: {}\n", rev.depends_on.join(", ")));
    }
    if let Some(flag) = rev.transactional {
        out.push_str(&format!("-- Transactional: {flag}\n"));
    }
    out.push_str("\n-- migrate:up\n");
    out.push_str(&rev.up_sql);
    out.push('\n');
    if let Some(down) = &rev.down_sql {
        out.push_str("\n-- migrate:down\n");
        out.push_str(down);
        out.push('\n');
    }
    out
}

fn check_round_trip(rev: &Revision) {
    let rendered = render(rev);
    match parse_revision(rendered.as_bytes()) {
        Ok(mut again) => {
            again.origin = rev.origin.clone();
            assert_eq!(&again, rev, "the canonical form parses differently:\n{rendered}");
        }
        Err(error) => panic!("the canonical form does not parse: {error}\n{rendered}"),
    }
}
