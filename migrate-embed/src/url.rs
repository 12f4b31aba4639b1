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
    fn database_urls_print_masked() {
        let url = DatabaseUrl::new("postgres://app:s3cret@db/prod");
        assert_eq!(url.to_string(), "postgres://app:***@db/prod");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.expose(), "postgres://app:s3cret@db/prod");
        assert_eq!(url.kind(), Some(DatabaseKind::Postgres));
    }
}
