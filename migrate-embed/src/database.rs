//! Which database a URL names, and how to print a URL without its password.

use std::fmt;

/// The database families cargo-migrate supports, chosen by the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatabaseKind {
    /// `sqlite:` URLs; the embedded default.
    Sqlite,
    /// `postgres:` and `postgresql:` URLs.
    Postgres,
    /// `mysql:` and `mariadb:` URLs.
    MySql,
}

impl DatabaseKind {
    /// The kind a URL's scheme names, or `None` for a scheme we do not support.
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            "mysql" | "mariadb" => Some(Self::MySql),
            _ => None,
        }
    }

    /// The kind's name as users write it (`sqlite`, `postgres`, `mysql`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
            Self::MySql => "mysql",
        }
    }
}

impl fmt::Display for DatabaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A database URL with any password replaced by `***`, safe to print or log.
///
/// ```
/// use migrate_embed::database::mask_password;
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
    fn kind_from_scheme() {
        assert_eq!(DatabaseKind::from_url("sqlite://dev.db?mode=rwc"), Some(DatabaseKind::Sqlite));
        assert_eq!(DatabaseKind::from_url("sqlite::memory:"), Some(DatabaseKind::Sqlite));
        assert_eq!(DatabaseKind::from_url("postgresql://x/y"), Some(DatabaseKind::Postgres));
        assert_eq!(DatabaseKind::from_url("MariaDB://x/y"), Some(DatabaseKind::MySql));
        assert_eq!(DatabaseKind::from_url("oracle://x"), None);
        assert_eq!(DatabaseKind::from_url("no scheme"), None);
    }

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
}
