//! SQLite: transactional DDL, `BEGIN IMMEDIATE` to take the write lock up front, `[…]` and
//! backtick identifiers, "database is locked" (busy) errors, and a lock file beside the
//! database as the run lock (SQLite has no session lock of its own).
//!
//! sqlx runs each SQLite connection on a worker thread, so every call is a hand-off between
//! threads: a transactional revision is sent as one batch (see [`Dialect::batches_revisions`]).

use super::{DatabaseKind, Dialect, Lexing, VersionColumns};
use crate::config::LockMode;
use std::path::PathBuf;

/// SQLite's dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn kind(&self) -> DatabaseKind {
        DatabaseKind::Sqlite
    }

    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn lexing(&self) -> Lexing {
        Lexing { backtick_identifiers: true, bracket_identifiers: true, ..Lexing::default() }
    }

    fn quote_identifier(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }

    fn version_columns(&self) -> VersionColumns {
        VersionColumns {
            id: "TEXT",
            text: "TEXT",
            long_text: "TEXT",
            applied_at: "TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP",
            int: "INTEGER",
            timestamp: "TEXT",
        }
    }

    fn now(&self) -> &'static str {
        "CURRENT_TIMESTAMP"
    }

    fn plus_seconds(&self, expression: &str, seconds: u64) -> String {
        format!("datetime({expression}, '+{seconds} seconds')")
    }

    /// `BEGIN IMMEDIATE` takes the database's write lock at once (waiting up to the busy
    /// timeout), so a revision never fails half-way for want of it.
    fn begin_write(&self) -> &'static str {
        "BEGIN IMMEDIATE"
    }

    fn batches_revisions(&self) -> bool {
        true
    }

    fn is_missing_table(&self, _code: Option<&str>, message: &str) -> bool {
        message.contains("no such table")
    }

    fn is_schema_mismatch(&self, _code: Option<&str>, message: &str) -> bool {
        ["already exists", "no such table", "no such column", "no such index", "duplicate column name"]
            .iter()
            .any(|needle| message.contains(needle))
    }

    /// `SQLITE_BUSY`, `SQLITE_LOCKED` and their extended codes.
    fn is_busy(&self, code: Option<&str>) -> bool {
        matches!(code, Some("5" | "6" | "517" | "262"))
    }

    fn foreign_keys_switch(&self) -> Option<(&'static str, &'static str)> {
        Some(("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"))
    }

    fn foreign_key_check(&self) -> Option<&'static str> {
        Some("PRAGMA foreign_key_check")
    }

    fn default_lock(&self) -> LockMode {
        LockMode::File
    }

    fn supports_lock(&self, mode: LockMode) -> bool {
        mode == LockMode::File
    }
}

/// The lock file that serialises runners of the database a `sqlite:` URL names:
/// `<database>-migrate-lock` beside it; `None` for an in-memory database, which no other
/// process can see.
pub fn lock_file_path(url: &str) -> Option<PathBuf> {
    let rest = url.split_once(':')?.1;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path.is_empty()
        || path == ":memory:"
        || query.split('&').any(|param| param.eq_ignore_ascii_case("mode=memory"));
    if in_memory {
        return None;
    }
    let path = percent_decode(path);
    Some(PathBuf::from(format!("{path}-migrate-lock")))
}

/// `%XX` escapes decoded (sqlx decodes SQLite paths the same way); invalid escapes kept.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'%'));
                i += 3;
            }
            (byte, ..) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(feature = "sqlite")]
pub(crate) use driver::*;

#[cfg(feature = "sqlite")]
mod driver {
    use crate::db::lock::{LockWait, Waiting};
    use crate::dialect::Dialect;
    use sqlx::ConnectOptions;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
    use std::fs::{File, OpenOptions, TryLockError};
    use std::io::{Read, Seek, Write};
    use std::path::Path;
    use std::time::{Duration, Instant};

    /// Connects with the busy timeout set to the lock timeout, so a revision waits for
    /// another writer as long as a runner waits for the run lock.
    pub(crate) async fn connect(url: &str, busy_timeout: Duration) -> Result<SqliteConnection, sqlx::Error> {
        let options: SqliteConnectOptions = url.parse()?;
        // Rows come from sqlx's worker thread through a channel; one that holds a whole version
        // table spares a thread hand-off every few dozen rows.
        options.busy_timeout(busy_timeout).row_buffer_size(4096).disable_statement_logging().connect().await
    }

    /// Takes the exclusive lock on the lock file (the operating system releases it when
    /// the holder exits, however it exits), polling until `timeout`, and writes who holds
    /// it into the file so a waiting runner can say so. [`release_file`] removes the file
    /// again, so none is left beside the database; a runner that locked a file that was
    /// removed meanwhile (it is no longer the file at `path`) starts over with a new one.
    pub(crate) async fn lock_file(
        path: &Path,
        holder: &str,
        timeout: Duration,
        waiting: Waiting<'_>,
    ) -> Result<File, LockWait> {
        let io = |error: std::io::Error| LockWait::File { path: path.to_owned(), error };
        let started = Instant::now();
        let mut announced = false;
        loop {
            let mut file =
                OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(io)?;
            loop {
                match file.try_lock() {
                    Ok(()) => break,
                    Err(TryLockError::WouldBlock) => {}
                    Err(TryLockError::Error(error)) => return Err(io(error)),
                }
                if started.elapsed() >= timeout {
                    return Err(LockWait::TimedOut { waited: started.elapsed(), holder: read_holder(&mut file) });
                }
                if !announced {
                    waiting(read_holder(&mut file));
                    announced = true;
                }
                tokio::time::sleep(Duration::from_millis(50).min(timeout.saturating_sub(started.elapsed()))).await;
            }
            if !still_at(&file, path) {
                continue;
            }
            let written = file.set_len(0).and_then(|()| file.rewind()).and_then(|()| file.write_all(holder.as_bytes()));
            written.map_err(io)?;
            return Ok(file);
        }
    }

    /// Whether the locked `file` is still the file at `path` (its holder before us may
    /// have removed it after we opened it).
    #[cfg(unix)]
    fn still_at(file: &File, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(held), Ok(current)) => held.dev() == current.dev() && held.ino() == current.ino(),
            _ => false,
        }
    }

    /// Elsewhere an open file cannot be removed, so it is always the file at `path`.
    #[cfg(not(unix))]
    fn still_at(_file: &File, _path: &Path) -> bool {
        true
    }

    /// Gives the lock back: removes the file while still holding it (so a runner waiting
    /// on it starts over), then unlocks it by closing it. Where the file cannot be removed
    /// (another process has it open, off Unix), it stays, still unlocked.
    pub(crate) fn release_file(file: File, path: &Path) {
        let _ = std::fs::remove_file(path);
        drop(file);
    }

    /// Tries the write lock without waiting (and gives it back at once): `false` when
    /// another connection holds it. The busy timeout is restored on every path.
    pub(crate) async fn write_lock_free(c: &mut SqliteConnection, busy_timeout: Duration) -> Result<bool, sqlx::Error> {
        sqlx::Executor::execute(&mut *c, sqlx::raw_sql("PRAGMA busy_timeout = 0")).await?;
        let probe = match sqlx::Executor::execute(&mut *c, sqlx::raw_sql("BEGIN IMMEDIATE")).await {
            Ok(_) => sqlx::Executor::execute(&mut *c, sqlx::raw_sql("ROLLBACK")).await.map(|_| true),
            Err(sqlx::Error::Database(db)) if super::Sqlite.is_busy(db.code().as_deref()) => Ok(false),
            Err(error) => Err(error),
        };
        let restore = format!("PRAGMA busy_timeout = {}", busy_timeout.as_millis());
        let restored = sqlx::Executor::execute(&mut *c, sqlx::raw_sql(&restore)).await;
        let free = probe?;
        restored?;
        Ok(free)
    }

    fn read_holder(file: &mut File) -> Option<String> {
        let mut text = String::new();
        file.rewind().ok()?;
        file.read_to_string(&mut text).ok()?;
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_file_sits_beside_the_database() {
        assert_eq!(lock_file_path("sqlite://todo.db?mode=rwc"), Some(PathBuf::from("todo.db-migrate-lock")));
        assert_eq!(lock_file_path("sqlite:///var/db/a%20b.db"), Some(PathBuf::from("/var/db/a b.db-migrate-lock")));
        assert_eq!(lock_file_path("sqlite:data.db"), Some(PathBuf::from("data.db-migrate-lock")));
        assert_eq!(lock_file_path("sqlite::memory:"), None);
        assert_eq!(lock_file_path("sqlite://x.db?mode=memory&cache=shared"), None);
    }
}
