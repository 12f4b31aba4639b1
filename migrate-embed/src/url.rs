//! Database URLs: which database one names, and how to print it without its password.

use crate::dialect::DatabaseKind;
use std::fmt;

/// A database URL, kept with its password-masked form and the database it names, so that
/// every message can show it safely without the raw text travelling further.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    masked: String,
    kind: Option<DatabaseKind>,
}

impl DatabaseUrl {
    /// Wraps a URL as given (flag, environment or config).
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        Self { masked: mask_password(&raw), kind: DatabaseKind::from_url(&raw), raw }
    }

    /// The URL as given, password included: only for connecting.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// The URL with its password replaced by `***`.
    pub fn masked(&self) -> &str {
        &self.masked
    }

    /// The database its scheme names, if we support it.
    pub fn kind(&self) -> Option<DatabaseKind> {
        self.kind
    }
}

/// Shows the masked URL: a `DatabaseUrl` cannot be printed with its password.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({:?})", self.masked)
    }
}

/// The URL of another database on the same server: the path replaced by `database`, the
/// user, password, host and parameters kept.
///
/// ```
/// use migrate_embed::url::with_database;
/// assert_eq!(with_database("postgres://app:pw@db:5432/prod?sslmode=require", "scratch"),
///            "postgres://app:pw@db:5432/scratch?sslmode=require");
/// assert_eq!(with_database("mysql://root@localhost", "scratch"), "mysql://root@localhost/scratch");
/// ```
pub fn with_database(url: &str, database: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_owned() };
    let authority_start = scheme_end + 3;
    let (before_query, query) = match url[authority_start..].find(['?', '#']) {
        Some(at) => url.split_at(authority_start + at),
        None => (url, ""),
    };
    let host_end = before_query[authority_start..].find('/').map_or(before_query.len(), |at| authority_start + at);
    format!("{}/{database}{query}", &before_query[..host_end])
}

/// A database URL with any password replaced by `***`, safe to print or log.
///
/// ```
/// use migrate_embed::url::mask_password;
/// assert_eq!(mask_password("postgres://app:s3cret@db:5432/prod"), "postgres://app:***@db:5432/prod");
/// assert_eq!(mask_password("mysql://root@localhost/test"), "mysql://root@localhost/test");
/// ```
pub fn mask_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    let mut masked = url[..rest_start].to_owned();
    // The userinfo ends at the *last* `@`: a password may hold `/`, `?`, `#` or `@` unescaped,
    // and masking too much is safe where masking too little is not.
    let host_and_tail = match rest.rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            match userinfo.split_once(':') {
                Some((user, _password)) => {
                    masked.push_str(user);
                    masked.push_str(":***");
                }
                None => masked.push_str(userinfo),
            }
            masked.push('@');
            &rest[at + 1..]
        }
        None => rest,
    };
    let authority_end = host_and_tail.find(['/', '?', '#']).unwrap_or(host_and_tail.len());
    masked.push_str(&host_and_tail[..authority_end]);
    masked.push_str(&mask_query_password(&host_and_tail[authority_end..]));
    masked
}

/// `text` (a message, a configuration snippet, another program's output) with the password
/// of every URL in it masked, for text that may quote a URL without being one: each
/// `scheme://user:password@…` loses everything between the user's `:` and the line's last
/// `@`, and every `password=…` loses its value. It masks too much rather than too little:
/// a URL cut short by a quote or a space still loses its password.
///
/// ```
/// use migrate_embed::url::mask_passwords_in;
/// assert_eq!(
///     mask_passwords_in("database_url = \"postgres://app:hun ter2@db/prod\" # main"),
///     "database_url = \"postgres://app:***@db/prod\" # main"
/// );
/// assert_eq!(mask_passwords_in("x = 'mysql://h/db?user=u&password=pw'"), "x = 'mysql://h/db?user=u&password=***'");
/// ```
pub fn mask_passwords_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&mask_line(line));
    }
    out
}

/// [`mask_passwords_in`] for one line.
fn mask_line(line: &str) -> String {
    let mut masked = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(scheme_end) = rest.find("://") {
        let after = scheme_end + 3;
        masked.push_str(&rest[..after]);
        rest = &rest[after..];
        // The userinfo ends at the line's last `@` (as `mask_password` takes the URL's).
        if let Some(at) = rest.rfind('@') {
            let userinfo = &rest[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    masked.push_str(&userinfo[..colon]);
                    masked.push_str(":***");
                }
                None => masked.push_str(userinfo),
            }
            masked.push('@');
            rest = &rest[at + 1..];
        }
    }
    masked.push_str(rest);
    mask_password_params(&masked)
}

/// Every `password=value` in a line, value masked up to the next `&`, quote or space.
fn mask_password_params(line: &str) -> String {
    let lower = line.to_ascii_lowercase();
    let mut out = String::with_capacity(line.len());
    let mut from = 0;
    while let Some(found) = lower[from..].find("password=") {
        let value_start = from + found + "password=".len();
        let value_end =
            line[value_start..].find(['&', '"', '\'', '`', ' ', '\t', '#']).map_or(line.len(), |end| value_start + end);
        out.push_str(&line[from..value_start]);
        if value_end > value_start {
            out.push_str("***");
        }
        from = value_end;
    }
    out.push_str(&line[from..]);
    out
}

/// Masks `password=` parameters in a URL's query string.
fn mask_query_password(tail: &str) -> String {
    let Some(q) = tail.find('?') else {
        return tail.to_owned();
    };
    let (path, query) = tail.split_at(q + 1);
    let params: Vec<String> = query
        .split('&')
        .map(|param| match param.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => param.to_owned(),
        })
        .collect();
    format!("{path}{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_userinfo_and_query_passwords() {
        assert_eq!(mask_password("postgres://u:p%40ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(mask_password("postgres://h/db?user=u&password=pw&x=1"), "postgres://h/db?user=u&password=***&x=1");
        assert_eq!(mask_password("sqlite://dev.db?mode=rwc"), "sqlite://dev.db?mode=rwc");
        assert_eq!(mask_password("mysql://u:p@ss@h/db"), "mysql://u:***@h/db");
        // Unescaped `#`, `/` and `?` in a password must not end the userinfo early.
        for url in
            ["postgres://app:se#cret@db/prod", "postgres://app:se/cret@db/prod", "postgres://app:se?cret@db/prod"]
        {
            assert_eq!(mask_password(url), "postgres://app:***@db/prod", "{url}");
        }
        assert_eq!(mask_password("postgres://db:5432/prod"), "postgres://db:5432/prod");
    }

    #[test]
    fn passwords_in_free_text_are_masked() {
        let cases = [
            (
                "invalid type: string \"postgres://app:hunter2@db/x\", expected a bool",
                "invalid type: string \"postgres://app:***@db/x\", expected a bool",
            ),
            ("database_url = \"postgres://app:hunter2@localhost/x", "database_url = \"postgres://app:***@localhost/x"),
            ("a = \"mysql://u:p@ss@h/db\"\nb = \"sqlite://x.db\"", "a = \"mysql://u:***@h/db\"\nb = \"sqlite://x.db\""),
            ("two: postgres://a:b@h1/x and mysql://c:d@h2/y", "two: postgres://a:***@h2/y"),
            ("no password: postgres://app@h/db", "no password: postgres://app@h/db"),
            (
                "url = \"postgres://h/db?sslmode=require&Password=s3cret&x=1\"",
                "url = \"postgres://h/db?sslmode=require&Password=***&x=1\"",
            ),
            ("nothing here", "nothing here"),
            ("é://ü:ö@ß", "é://ü:***@ß"),
        ];
        for (text, masked) in cases {
            assert_eq!(mask_passwords_in(text), masked, "{text}");
        }
    }

    #[test]
    fn database_urls_print_masked() {
        let url = DatabaseUrl::new("postgres://app:s3cret@db/prod");
        assert_eq!(url.to_string(), "postgres://app:***@db/prod");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.expose(), "postgres://app:s3cret@db/prod");
        assert_eq!(url.kind(), Some(DatabaseKind::Postgres));
    }
}
