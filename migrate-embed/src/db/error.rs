//! Why talking to a database failed. Every URL in these messages is password-masked.

use std::path::PathBuf;
use std::time::Duration;

/// Why talking to the database failed, always with the URL's password masked.
///
/// The database's own message is part of each message (never also returned as `source()`),
/// so it prints once however the error is shown.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The URL's scheme is not one we support (or not compiled in).
    #[error("unsupported database URL {url}: use sqlite:, postgres:, postgresql:, mysql: or mariadb:{extra}")]
    UnsupportedUrl {
        /// The masked URL.
        url: String,
        /// Which features are missing, if that is the reason.
        extra: String,
    },
    /// The URL asks for TLS (`sslmode=require`, `ssl-mode=required`…) and this build has
    /// none.
    #[error(
        "cannot connect to {url}: the URL asks for TLS, and this build of migrate-embed has no TLS; enable its `tls` feature (cargo-migrate has it)"
    )]
    TlsNotBuilt {
        /// The masked URL.
        url: String,
    },
    /// Could not connect.
    #[error("cannot connect to {url}: {cause}{}", .hint.as_ref().map(|h| format!("; {h}")).unwrap_or_default())]
    Connect {
        /// The masked URL.
        url: String,
        /// What sqlx said.
        cause: sqlx::Error,
        /// What to do about it, when we can tell.
        hint: Option<String>,
    },
    /// The run lock was not granted in time.
    #[error("timed out after {}s waiting for the migration lock on {url}{}; another runner is migrating this database — retry later, or raise --lock-timeout", .waited.as_secs(), .holder.as_ref().map(|h| format!(" (held by {h})")).unwrap_or_default())]
    LockTimeout {
        /// The masked URL.
        url: String,
        /// How long we waited.
        waited: Duration,
        /// Who holds it, where the database can tell.
        holder: Option<String>,
    },
    /// The lock file beside an SQLite database could not be used.
    #[error("cannot use the lock file {} of {url}: {error}; runners of an SQLite database take it to exclude each other, so its folder must be writable", .path.display())]
    LockFile {
        /// The masked URL.
        url: String,
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// The configured lock does not work on this database.
    #[error("lock = \"{lock}\" does not work on {database}: {hint}")]
    UnsupportedLock {
        /// The database kind.
        database: &'static str,
        /// The configured lock.
        lock: crate::config::LockMode,
        /// What to use instead.
        hint: &'static str,
    },
    /// The lock table's lease ran out while this runner still worked (it was paused for
    /// longer than the lease), so another runner may have taken over.
    #[error(
        "lost the migration lock on {url}: its lease in the lock table expired while this runner worked; stopped before running revision {revision}. Run again: the next run continues where this one stopped"
    )]
    LockLost {
        /// The masked URL.
        url: String,
        /// The revision that was about to run.
        revision: String,
    },
    /// SQLite's write lock stayed taken past the busy timeout.
    #[error(
        "{context}: timed out after the lock timeout waiting for SQLite's write lock; another connection is writing to this database — retry later, or raise --lock-timeout"
    )]
    SqliteBusy {
        /// What we were doing.
        context: String,
    },
    /// A query failed.
    #[error("{context}: {cause}")]
    Query {
        /// What we were doing.
        context: String,
        /// What the database said.
        cause: sqlx::Error,
    },
}

/// Why a URL that does not parse may not be the URL's fault: a user name or password
/// holding `/`, `?`, `#`, `@` or `:`, which a URL reads as the end of the host part (hence
/// sqlx's "invalid port number") unless percent-encoded. `None` when the URL's user
/// information holds none of them, or the error is not about the URL. Names no character
/// of the password.
pub(crate) fn userinfo_hint(raw_url: &str, cause: &sqlx::Error) -> Option<String> {
    if !matches!(cause, sqlx::Error::Configuration(_)) {
        return None;
    }
    let rest = &raw_url[raw_url.find("://")? + 3..];
    // As `mask_password` reads it: the user information ends at the last `@`.
    let userinfo = &rest[..rest.rfind('@')?];
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let reserved =
        |text: &str, extra: &[char]| text.contains(['/', '?', '#', '@', '[', ']', ' ']) || text.contains(extra);
    (reserved(user, &[]) || reserved(password, &[':'])).then(|| {
        "a user name or password holding `@`, `:`, `/`, `?` or `#` must be percent-encoded in the URL \
         (`%40`, `%3A`, `%2F`, `%3F`, `%23`), or it ends the host part of the URL early"
            .to_owned()
    })
}

/// The database's own message for an error (without sqlx's prefix), for reports.
pub fn database_message(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => format!("{} (code {code})", db.message()),
            None => db.message().to_owned(),
        },
        other => other.to_string(),
    }
}

/// How many lines into `sql` the database says `error` is, when it says: PostgreSQL's
/// error position, MySQL's "… at line N". `None` otherwise (SQLite gives no position), so
/// that a report can name the line of a long statement where the server stopped.
///
/// ```
/// let error = sqlx::Error::Protocol("no position".into());
/// assert_eq!(migrate_embed::db::error_line(&error, "SELECT\n1"), None);
/// ```
pub fn error_line(error: &sqlx::Error, sql: &str) -> Option<usize> {
    let sqlx::Error::Database(db) = error else { return None };
    #[cfg(feature = "postgres")]
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        // 1-based, counted in characters.
        let sqlx::postgres::PgErrorPosition::Original(at) = pg.position()? else { return None };
        return Some(sql.chars().take(at.saturating_sub(1)).filter(|&c| c == '\n').count());
    }
    #[cfg(feature = "mysql")]
    if db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>().is_some() {
        let message = db.message();
        let number = &message[message.rfind(" at line ")? + " at line ".len()..];
        let line: usize = number.trim().parse().ok()?;
        return Some(line.saturating_sub(1).min(sql.matches('\n').count()));
    }
    let _ = (db, sql);
    None
}

/// The SQLSTATE or vendor code and the message of a database error, for the dialect's
/// classifiers; `None` for errors that did not come from the database.
pub(crate) fn code_and_message(error: &sqlx::Error) -> Option<(Option<String>, String)> {
    match error {
        sqlx::Error::Database(db) => Some((db.code().map(|c| c.into_owned()), db.message().to_owned())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unescaped `/` in a password made sqlx say "invalid port number" and nothing more.
    #[test]
    fn reserved_characters_in_the_password_get_a_hint() {
        let config = || sqlx::Error::Configuration("invalid port number".into());
        for url in [
            "postgres://app:pa/ss@db/prod",
            "postgres://app:pa#ss@db/prod",
            "postgres://app:pa?ss@db/prod",
            "mysql://root:p@ss@db/prod",
            "mysql://root:pa:ss@db/prod",
            "postgres://ap@p:pass@db/prod",
        ] {
            // The same words whatever the password holds: they tell nothing about it.
            assert_eq!(
                userinfo_hint(url, &config()).as_deref(),
                Some(
                    "a user name or password holding `@`, `:`, `/`, `?` or `#` must be percent-encoded in the URL \
                     (`%40`, `%3A`, `%2F`, `%3F`, `%23`), or it ends the host part of the URL early"
                ),
                "{url}"
            );
        }
        for url in
            ["postgres://app:p%2Fss@db/prod", "postgres://db:x/prod", "sqlite://x.db", "postgres://app:plain@db/x"]
        {
            assert_eq!(userinfo_hint(url, &config()), None, "{url}");
        }
        assert_eq!(userinfo_hint("postgres://app:pa/ss@db/prod", &sqlx::Error::PoolTimedOut), None);
    }

    /// Regression: the database's message printed twice under `{:#}` when it was both in
    /// the message and the `source()`.
    #[test]
    fn the_cause_prints_once() {
        let error = DbError::Query { context: "cannot read".into(), cause: sqlx::Error::PoolTimedOut };
        assert!(std::error::Error::source(&error).is_none());
        let text = error.to_string();
        assert_eq!(text.matches("pool timed out").count(), 1, "{text}");
    }
}
