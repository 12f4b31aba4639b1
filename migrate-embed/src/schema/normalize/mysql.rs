//! MySQL and MariaDB normalise types and checks themselves; what is left is their two ways
//! of reporting defaults, RESTRICT meaning NO ACTION, and the names they make up.

use super::ObjectKind;
use crate::schema::model::Action;

/// A column's default from `information_schema.COLUMNS`: `COLUMN_DEFAULT` (`None` for SQL
/// NULL), `EXTRA`, whether the column is generated, and whether the server is MariaDB.
///
/// * MariaDB (10.2.7+) quotes string literals and reports "no default" and `DEFAULT NULL`
///   as the bare word `NULL`: both become `None`.
/// * MySQL 8 reports literals unquoted, and expression defaults marked `DEFAULT_GENERATED`
///   in `EXTRA`: literals come back quoted as MariaDB writes them (numbers bare).
/// * A generated column has no default.
///
/// ```
/// use migrate_embed::schema::normalize::mysql::column_default;
/// assert_eq!(column_default(Some("NULL"), "", false, true), None);
/// assert_eq!(column_default(Some("'NULL'"), "", false, true).as_deref(), Some("'NULL'"));
/// assert_eq!(column_default(Some("'ok'"), "", false, true).as_deref(), Some("'ok'"));
/// assert_eq!(column_default(Some("current_timestamp()"), "", false, true).as_deref(), Some("current_timestamp()"));
/// assert_eq!(column_default(Some("NULL"), "VIRTUAL GENERATED", true, true), None);
/// // MySQL 8
/// assert_eq!(column_default(Some("ok"), "", false, false).as_deref(), Some("'ok'"));
/// assert_eq!(column_default(Some("0"), "", false, false).as_deref(), Some("0"));
/// assert_eq!(column_default(Some("CURRENT_TIMESTAMP"), "DEFAULT_GENERATED", false, false).as_deref(), Some("CURRENT_TIMESTAMP"));
/// ```
pub fn column_default(column_default: Option<&str>, extra: &str, generated: bool, mariadb: bool) -> Option<String> {
    let d = column_default?;
    if generated {
        return None;
    }
    if mariadb {
        return (d != "NULL").then(|| d.to_owned());
    }
    if extra.to_ascii_uppercase().contains("DEFAULT_GENERATED") {
        return Some(d.to_owned());
    }
    if d.parse::<f64>().is_ok() && !d.starts_with('+') && !d.ends_with('.') {
        return Some(d.to_owned());
    }
    Some(format!("'{}'", d.replace('\'', "''")))
}

/// A foreign-key rule from `REFERENTIAL_CONSTRAINTS` (`RESTRICT`, `NO ACTION`, `CASCADE`,
/// `SET NULL`, `SET DEFAULT`). InnoDB treats RESTRICT and NO ACTION alike (and MariaDB
/// reports an unspecified rule as RESTRICT), so both are [`Action::NoAction`].
pub fn action(rule: &str) -> Action {
    match rule.to_ascii_uppercase().as_str() {
        "CASCADE" => Action::Cascade,
        "SET NULL" => Action::SetNull,
        "SET DEFAULT" => Action::SetDefault,
        _ => Action::NoAction,
    }
}

/// Whether MySQL or MariaDB would have made up `name` for an object of `kind` on `table`
/// over `columns`: `PRIMARY`; a unique key or index named after its first column
/// (`email`, `email_2`); MariaDB's `CONSTRAINT_<n>` or column-named checks, MySQL's
/// `<t>_chk_<n>`; `<t>_ibfk_<n>` foreign keys.
///
/// ```
/// use migrate_embed::schema::normalize::{ObjectKind, mysql::is_generated_name};
/// assert!(is_generated_name(ObjectKind::PrimaryKey, "t", &[], "PRIMARY"));
/// assert!(is_generated_name(ObjectKind::Unique, "t", &["code".into()], "code_2"));
/// assert!(is_generated_name(ObjectKind::Check, "t", &[], "CONSTRAINT_1"));
/// assert!(is_generated_name(ObjectKind::Check, "t", &[], "t_chk_1"));
/// assert!(is_generated_name(ObjectKind::ForeignKey, "child", &["p".into()], "child_ibfk_1"));
/// assert!(!is_generated_name(ObjectKind::ForeignKey, "child", &["p".into()], "fk_child_p"));
/// ```
pub fn is_generated_name(kind: ObjectKind, table: &str, columns: &[String], name: &str) -> bool {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let first_column = |name: &str| {
        columns.first().is_some_and(|c| {
            name.eq_ignore_ascii_case(c)
                || name.get(..c.len()).is_some_and(|head| head.eq_ignore_ascii_case(c))
                    && name[c.len()..]
                        .strip_prefix('_')
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    match kind {
        ObjectKind::PrimaryKey => name == "PRIMARY",
        ObjectKind::Unique | ObjectKind::Index => first_column(name),
        ObjectKind::Check => numbered("CONSTRAINT_") || numbered(&format!("{table}_chk_")) || first_column(name),
        ObjectKind::ForeignKey => numbered(&format!("{table}_ibfk_")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restrict_is_no_action() {
        assert_eq!(action("RESTRICT"), Action::NoAction);
        assert_eq!(action("NO ACTION"), Action::NoAction);
        assert_eq!(action("CASCADE"), Action::Cascade);
        assert_eq!(action("SET NULL"), Action::SetNull);
        assert_eq!(action("SET DEFAULT"), Action::SetDefault);
    }

    #[test]
    fn mysql_literals_quote_back() {
        assert_eq!(column_default(Some("it's"), "", false, false).as_deref(), Some("'it''s'"));
        assert_eq!(column_default(Some("-1.5"), "", false, false).as_deref(), Some("-1.5"));
        assert_eq!(column_default(None, "", false, false), None);
    }

    #[test]
    fn generated_check_names_follow_the_column() {
        assert!(is_generated_name(ObjectKind::Check, "parent", &["a".into()], "a"));
        assert!(!is_generated_name(ObjectKind::Check, "parent", &["a".into()], "positive_a"));
        assert!(!is_generated_name(ObjectKind::Unique, "t", &["code".into()], "uq_code"));
    }
}
