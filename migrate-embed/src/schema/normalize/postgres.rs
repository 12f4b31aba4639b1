//! PostgreSQL normalises most text itself (`format_type`, `pg_get_expr`): what is left is
//! telling a serial column from a plain default, spelling actions, and recognising the
//! names it makes up.

use super::ObjectKind;
use crate::schema::model::{Action, Identity};

/// A column's default and numbering from the catalog: `attidentity` (`a`, `d` or empty),
/// the default's text (`pg_get_expr`), and the sequence `pg_get_serial_sequence` says the
/// column owns.
///
/// An identity column has no default. A `nextval()` default on the sequence the column owns
/// is a serial column ([`Identity::Serial`]), without its default, so that the sequence's
/// name (which keeps a renamed table's old name) is not compared. Any other default is
/// kept.
///
/// ```
/// use migrate_embed::schema::model::Identity;
/// use migrate_embed::schema::normalize::postgres::column_numbering;
/// assert_eq!(
///     column_numbering(Some("nextval('child_id_seq'::regclass)"), "", Some("public.child_id_seq")),
///     (None, Some(Identity::Serial))
/// );
/// assert_eq!(column_numbering(None, "a", Some("public.t_id_seq")), (None, Some(Identity::Always)));
/// assert_eq!(column_numbering(Some("0"), "", None), (Some("0".to_owned()), None));
/// // A nextval() on some other sequence is an ordinary default.
/// assert_eq!(
///     column_numbering(Some("nextval('shared_seq'::regclass)"), "", None),
///     (Some("nextval('shared_seq'::regclass)".to_owned()), None)
/// );
/// ```
pub fn column_numbering(
    default: Option<&str>,
    attidentity: &str,
    owned_sequence: Option<&str>,
) -> (Option<String>, Option<Identity>) {
    match attidentity {
        "a" => return (None, Some(Identity::Always)),
        "d" => return (None, Some(Identity::ByDefault)),
        _ => {}
    }
    let Some(default) = default else { return (None, None) };
    if let (Some(sequence), Some(owned)) = (nextval_sequence(default), owned_sequence)
        && same_sequence(&sequence, owned)
    {
        return (None, Some(Identity::Serial));
    }
    (Some(default.to_owned()), None)
}

/// A plain default's canonical text. PostgreSQL keeps a default with the cast it was
/// written with, so the same value reads differently: a number written as a string
/// (`'0'::character varying`, `'-1'::bigint`, `'0'::numeric`) is read as the number it
/// gives (`0`, `-1`), and `CURRENT_TIMESTAMP` and `transaction_timestamp()` as `now()`,
/// which they are.
///
/// ```
/// use migrate_embed::schema::normalize::postgres::canonical_default;
/// assert_eq!(canonical_default("'0'::character varying"), "0");
/// assert_eq!(canonical_default("'-1'::integer"), canonical_default("'-1'::bigint"));
/// assert_eq!(canonical_default("CURRENT_TIMESTAMP"), "now()");
/// // Text that is not a number keeps its cast; so does a number written differently.
/// assert_eq!(canonical_default("'active'::character varying"), "'active'::character varying");
/// assert_eq!(canonical_default("'007'::text"), "'007'::text");
/// ```
pub fn canonical_default(default: &str) -> String {
    let default = default.trim();
    if default == "CURRENT_TIMESTAMP" || default == "transaction_timestamp()" {
        return "now()".to_owned();
    }
    // `'<number>'::<type name>`, the type a plain name (`character varying`, `"char"`).
    if let Some((literal, cast)) = default.strip_prefix('\'').and_then(|rest| rest.split_once("'::"))
        && cast.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '_' || c == '"')
        && is_plain_number(literal)
    {
        return literal.to_owned();
    }
    default.to_owned()
}

/// `0`, `-12`, `3.25`: a number as PostgreSQL prints one (no leading zeros, no exponent),
/// so that the number it reads back is spelled the same.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && (fraction.is_empty() || all_digits(fraction))
        && !digits.ends_with('.')
}

/// The sequence named by a `nextval('name'::regclass)` default.
fn nextval_sequence(default: &str) -> Option<String> {
    let rest = default.trim().strip_prefix("nextval('")?;
    let end = rest.find("'::regclass)")?;
    (rest.len() == end + "'::regclass)".len()).then(|| rest[..end].replace("''", "'"))
}

/// Whether two spellings of a sequence name (qualified or not, quoted or not) are one.
fn same_sequence(a: &str, b: &str) -> bool {
    let unqualified = |s: &str| -> String {
        let parts = split_qualified(s);
        parts.last().cloned().unwrap_or_default()
    };
    unqualified(a) == unqualified(b)
}

/// `schema.name` / `"Sch"."Na.me"` into its unquoted parts.
fn split_qualified(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut current)),
            c if quoted => current.push(c),
            c => current.push(c.to_ascii_lowercase()),
        }
    }
    parts.push(current);
    parts
}

/// An expression's canonical text (checks, index predicates): PostgreSQL deparses
/// `x IN ('a', 'b')` on a `varchar` as `ARRAY['a'::character varying, …]::text[]`, which it
/// reads back as an array of casts and deparses differently; the cast of the whole array
/// is moved onto each element, so both spellings are one.
///
/// ```
/// use migrate_embed::schema::normalize::postgres::canonical_expression;
/// assert_eq!(
///     canonical_expression("status::text = ANY (ARRAY['a'::character varying, 'b'::character varying]::text[])"),
///     canonical_expression("status::text = ANY (ARRAY['a'::character varying::text, 'b'::character varying::text])"),
/// );
/// assert_eq!(canonical_expression("price > 0"), "price > 0");
/// ```
pub fn canonical_expression(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("ARRAY[") {
        out.push_str(&rest[..at]);
        let body_start = at + "ARRAY[".len();
        let Some(close) = matching_bracket(&rest[body_start..]).map(|c| body_start + c) else {
            out.push_str(&rest[at..]);
            return out;
        };
        let after = &rest[close + 1..];
        let cast = after.strip_prefix("::").and_then(|t| {
            let end = t.find("[]")?;
            let name = &t[..end];
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '_' || c == '"').then_some(name)
        });
        let body = &rest[body_start..close];
        match cast {
            Some(name) => {
                let elements: Vec<String> =
                    split_top_level(body).into_iter().map(|e| format!("{}::{name}", e.trim())).collect();
                out.push_str(&format!("ARRAY[{}]", elements.join(", ")));
                rest = &after[2 + name.len() + 2..];
            }
            None => {
                out.push_str(&rest[at..=close]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The offset of the `]` closing a bracket whose content starts `s`, outside strings.
fn matching_bracket(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// `a, f(b, c), 'x,y'` → its top-level items.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                items.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&s[start..]);
    items
}

/// A foreign-key action from `pg_constraint.confupdtype`/`confdeltype` (`a`, `r`, `c`, `n`,
/// `d`); RESTRICT and NO ACTION stay apart (NO ACTION can be deferred).
pub fn action(code: &str) -> Action {
    match code {
        "r" => Action::Restrict,
        "c" => Action::Cascade,
        "n" => Action::SetNull,
        "d" => Action::SetDefault,
        _ => Action::NoAction,
    }
}

/// PostgreSQL's truncation of a made-up name to `NAMEDATALEN - 1` bytes.
const MAX_NAME: usize = 63;

/// Whether PostgreSQL would have made up `name` for an object of `kind` on `table` over
/// `columns`: `t_pkey`, `t_a_b_key`, `t_a_check`/`t_check`, `t_a_fkey`, `t_a_idx`, with a
/// number added on a collision and parts shortened to fit 63 bytes.
///
/// ```
/// use migrate_embed::schema::normalize::{ObjectKind, postgres::is_generated_name};
/// assert!(is_generated_name(ObjectKind::PrimaryKey, "users", &[], "users_pkey"));
/// assert!(is_generated_name(ObjectKind::Unique, "users", &["email".into()], "users_email_key"));
/// assert!(is_generated_name(ObjectKind::Check, "probe", &["i3".into()], "probe_i3_check1"));
/// assert!(is_generated_name(ObjectKind::Check, "child", &[], "child_check"));
/// assert!(!is_generated_name(ObjectKind::Unique, "users", &["email".into()], "uq_users_email"));
/// ```
pub fn is_generated_name(kind: ObjectKind, table: &str, columns: &[String], name: &str) -> bool {
    let label = match kind {
        ObjectKind::PrimaryKey => "pkey",
        ObjectKind::Unique => "key",
        ObjectKind::Check => "check",
        ObjectKind::ForeignKey => "fkey",
        ObjectKind::Index => "idx",
    };
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let Some(stem) = base.strip_suffix(label).and_then(|s| s.strip_suffix('_')) else { return false };
    if kind == ObjectKind::PrimaryKey {
        return fits(stem, table, name);
    }
    // `<table>_<col1>_<col2>…` (checks name their one column, or none), parts shortened
    // to fit when long.
    let mut candidates = vec![table.to_owned()];
    if !columns.is_empty() {
        candidates.push(format!("{table}_{}", columns.join("_")));
    }
    if kind == ObjectKind::Check {
        candidates.push(table.to_owned());
    }
    candidates.iter().any(|c| fits(stem, c, name)) || (name.len() >= MAX_NAME - 2 && stem.starts_with(prefix(table, 8)))
}

/// The longest start of `s` of at most `bytes` bytes that ends on a character boundary.
fn prefix(s: &str, bytes: usize) -> &str {
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Whether `stem` is `full`, or `full` shortened because `name` reached the limit.
fn fits(stem: &str, full: &str, name: &str) -> bool {
    stem == full || (name.len() >= MAX_NAME - 2 && full.starts_with(stem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_in_other_scripts_are_cut_on_character_boundaries() {
        // 62 bytes, byte 8 inside a character of the table's name: not made up, no panic.
        let table = "顧客マスタテーブル";
        let name = "ix_顧客マスタテーブル_電子メールアドレス_idx";
        assert!(name.len() >= MAX_NAME - 2);
        assert!(!is_generated_name(ObjectKind::Index, table, &["電子メールアドレス".into()], name));
        assert_eq!(prefix(table, 8), "顧客");
    }

    #[test]
    fn serial_needs_the_owned_sequence() {
        let owned = Some("\"Odd\".\"T_id_seq\"");
        assert_eq!(
            column_numbering(Some("nextval('\"Odd\".\"T_id_seq\"'::regclass)"), "", owned),
            (None, Some(Identity::Serial))
        );
        // After a table rename the default still names the old sequence; the column owns it.
        assert_eq!(
            column_numbering(Some("nextval('old_id_seq'::regclass)"), "", Some("public.old_id_seq")),
            (None, Some(Identity::Serial))
        );
        assert_eq!(column_numbering(Some("nextval('a_seq'::regclass)"), "", Some("public.b_seq")).1, None);
        assert_eq!(column_numbering(None, "d", None), (None, Some(Identity::ByDefault)));
    }

    #[test]
    fn actions() {
        assert_eq!(action("a"), Action::NoAction);
        assert_eq!(action("r"), Action::Restrict);
        assert_eq!(action("c"), Action::Cascade);
        assert_eq!(action("n"), Action::SetNull);
        assert_eq!(action("d"), Action::SetDefault);
    }

    #[test]
    fn generated_names() {
        let cols = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_generated_name(ObjectKind::ForeignKey, "child", &cols(&["parent_id"]), "child_parent_id_fkey"));
        assert!(is_generated_name(ObjectKind::Index, "child", &cols(&["lower"]), "child_lower_idx"));
        assert!(is_generated_name(ObjectKind::Unique, "t", &cols(&["a", "b"]), "t_a_b_key"));
        assert!(is_generated_name(ObjectKind::Unique, "t", &cols(&["a"]), "t_a_key1"));
        assert!(!is_generated_name(ObjectKind::PrimaryKey, "t", &[], "t_pk"));
        assert!(!is_generated_name(ObjectKind::ForeignKey, "t", &cols(&["a"]), "fk_t_a"));
        let long = "a".repeat(40);
        let name = format!("{}_{}_key", &long[..29], &"b".repeat(29));
        assert!(is_generated_name(ObjectKind::Unique, &long, &cols(&[&"b".repeat(40)]), &name));
    }
}
