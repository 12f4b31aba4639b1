//! New revision files: ids, slugs, dates, file names, and writing them safely. (The text
//! itself comes from `migrate_embed::revision::write`, beside the parser, which checks that
//! it reads back as asked.)
//!
//! A new file is written to a hidden temporary file in the same folder, then linked into
//! place, so a file is never half-written and an existing file is never overwritten.

use crate::error::Failure;
use anyhow::{Context as _, Result};
use sha2::Digest as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Alembic's `truncate_slug_length`.
pub const SLUG_LENGTH: usize = 40;

/// The placeholders a `file_template` may use.
pub const TEMPLATE_KEYS: [&str; 8] = ["rev", "slug", "year", "month", "day", "hour", "minute", "second"];

/// Splits `-m` into the message (first line) and the description (the rest), trimmed.
pub fn split_message(text: &str) -> (String, String) {
    let text = text.trim();
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let description: Vec<&str> = rest.lines().map(str::trim_end).collect();
    (first.trim().to_owned(), description.join("\n").trim().to_owned())
}

/// The file-name slug of a message, as Alembic makes it: the runs of ASCII letters, digits
/// and `_`, lowercased, joined by `_`, and cut at a word boundary after 40 characters.
pub fn slug(message: &str) -> String {
    let words: Vec<&str> =
        message.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let slug = words.join("_").to_ascii_lowercase();
    if slug.len() <= SLUG_LENGTH {
        return slug;
    }
    let cut = &slug[..SLUG_LENGTH];
    match cut.rsplit_once('_') {
        Some((head, _)) => format!("{head}_"),
        None => format!("{cut}_"),
    }
}

/// A wall-clock time to the second, with its offset from UTC: when a revision was made,
/// as its `Create Date` and the date placeholders of `file_template` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// Year, e.g. 2026.
    pub year: i64,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
    /// 0–23.
    pub hour: u32,
    /// 0–59.
    pub minute: u32,
    /// 0–59.
    pub second: u32,
    /// Seconds east of UTC.
    pub offset_seconds: i32,
}

impl Timestamp {
    /// The time `secs` seconds after 1970-01-01 00:00:00 UTC, in UTC.
    pub fn from_unix(secs: i64) -> Self {
        let time = jiff::Timestamp::from_second(secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        Self::of(&time.to_zoned(jiff::tz::TimeZone::UTC))
    }

    fn of(zoned: &jiff::Zoned) -> Self {
        let to_u32 = |n: i8| u32::try_from(n).unwrap_or(0);
        Self {
            year: i64::from(zoned.year()),
            month: to_u32(zoned.month()),
            day: to_u32(zoned.day()),
            hour: to_u32(zoned.hour()),
            minute: to_u32(zoned.minute()),
            second: to_u32(zoned.second()),
            offset_seconds: zoned.offset().seconds(),
        }
    }

    /// Now, or `SOURCE_DATE_EPOCH` when set (for reproducible files and tests), in
    /// `timezone` (an IANA name such as `Europe/Paris`; UTC when `None`), as Alembic's
    /// `timezone` option.
    ///
    /// # Errors
    /// A usage [`Failure`] when `SOURCE_DATE_EPOCH` is not a whole number, or the time zone
    /// is unknown.
    pub fn now(timezone: Option<&str>) -> Result<Self, Failure> {
        let zone = match timezone {
            None => jiff::tz::TimeZone::UTC,
            Some(name) => jiff::tz::TimeZone::get(name).map_err(|e| {
                Failure::usage(format!("[package.metadata.migrate] timezone = {name:?} is not a time zone: {e}"))
                    .hint("use an IANA name such as \"UTC\" or \"Europe/Paris\", or remove the key for UTC")
            })?,
        };
        let time = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(epoch) => {
                let secs = epoch.trim().parse::<i64>().map_err(|_| {
                    Failure::usage(format!("SOURCE_DATE_EPOCH={epoch:?} is not a whole number of seconds"))
                })?;
                jiff::Timestamp::from_second(secs)
                    .map_err(|e| Failure::usage(format!("SOURCE_DATE_EPOCH={epoch:?} is out of range: {e}")))?
            }
            Err(_) => jiff::Timestamp::now(),
        };
        Ok(Self::of(&time.to_zoned(zone)))
    }

    /// `YYYY-MM-DD HH:MM:SS+HH:MM`, the `Create Date` format.
    pub fn create_date(&self) -> String {
        let sign = if self.offset_seconds < 0 { '-' } else { '+' };
        let offset = self.offset_seconds.unsigned_abs();
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{sign}{:02}:{:02}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            offset / 3600,
            offset / 60 % 60
        )
    }
}

/// Why a `file_template` cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// `{name}` that is not a placeholder.
    UnknownPlaceholder(String),
    /// A `{` without `}`, or a `}` without `{`.
    Unbalanced,
    /// A name that is empty, absolute, or has `.`/`..` parts.
    BadPath(String),
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownPlaceholder(name) => write!(
                f,
                "unknown placeholder `{{{name}}}`; the placeholders are {}",
                TEMPLATE_KEYS.map(|k| format!("{{{k}}}")).join(", ")
            ),
            Self::Unbalanced => f.write_str("a `{` or `}` is not part of a `{placeholder}`"),
            Self::BadPath(name) => {
                write!(f, "it gives {name:?}, which is not a file name inside the migrations folder")
            }
        }
    }
}

/// Expands a `file_template` (`{rev}_{slug}`, also `{year}`…`{second}`, zero-padded) and
/// adds `.sql`. `/` makes subfolders.
///
/// # Errors
/// [`TemplateError`] for unknown placeholders, unbalanced braces, or a name that would
/// leave the folder.
pub fn expand_template(template: &str, rev: &str, slug: &str, time: &Timestamp) -> Result<PathBuf, TemplateError> {
    let mut name = String::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(TemplateError::Unbalanced);
        }
        name.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(TemplateError::Unbalanced)?;
        let key = &after[..close];
        let value = match key {
            "rev" => rev.to_owned(),
            "slug" => slug.to_owned(),
            "year" => format!("{:04}", time.year),
            "month" => format!("{:02}", time.month),
            "day" => format!("{:02}", time.day),
            "hour" => format!("{:02}", time.hour),
            "minute" => format!("{:02}", time.minute),
            "second" => format!("{:02}", time.second),
            other => return Err(TemplateError::UnknownPlaceholder(other.to_owned())),
        };
        name.push_str(&value);
        rest = &after[close + 1..];
    }
    name.push_str(rest);
    let parts: Vec<&str> = name.split('/').collect();
    if parts.iter().any(|p| p.is_empty() || *p == "." || *p == ".." || p.contains('\\'))
        || parts.last().is_some_and(|p| p.starts_with('.'))
    {
        return Err(TemplateError::BadPath(name));
    }
    let mut path: PathBuf = parts.iter().collect();
    path.set_extension(match path.extension() {
        Some(ext) => format!("{}.sql", ext.to_string_lossy()),
        None => "sql".to_owned(),
    });
    Ok(path)
}

/// 12 random lowercase hex digits, like Alembic's revision ids.
///
/// # Errors
/// When the operating system's random source fails.
pub fn random_id() -> Result<String> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("cannot generate a random revision id: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The migrations folder, locked while a command reads it, checks it and writes a
/// revision into it (`revision`, `merge`), so that commands started together take turns:
/// each sees the revision the one before it wrote, and builds on it. Released on drop (and
/// by the operating system when the process ends, however it ends).
///
/// The lock is an advisory lock (`flock`) on the folder itself, so nothing is added to the
/// repository. Where a folder cannot be locked (Windows, some network file systems), it is
/// a lock file in the system's temporary folder, named after the folder's path.
#[derive(Debug)]
pub struct FolderLock {
    _held: std::fs::File,
}

/// Takes the folder's lock, calling `waiting` once if another command holds it first.
/// A folder that cannot be opened is not locked: reading it will say what is wrong.
///
/// # Errors
/// When neither the folder nor the fallback lock file can be locked.
pub fn lock_folder(dir: &Path, waiting: impl FnOnce()) -> Result<Option<FolderLock>> {
    let Ok(folder) = std::fs::File::open(dir) else { return Ok(None) };
    let held = match try_lock(folder, waiting) {
        Ok(held) => held,
        Err(_) => {
            // No lock on a folder here: a lock file outside the repository instead.
            let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
            let digest = sha2::Sha256::digest(canonical.as_os_str().as_encoded_bytes());
            let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            let path = std::env::temp_dir().join(format!("cargo-migrate-{hex}.lock"));
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .with_context(|| format!("cannot open the lock file {}", path.display()))?;
            file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
            file
        }
    };
    Ok(Some(FolderLock { _held: held }))
}

/// Locks `file`, waiting (after telling `waiting`) while another process holds it.
fn try_lock(file: std::fs::File, waiting: impl FnOnce()) -> std::io::Result<std::fs::File> {
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            file.lock()?;
            Ok(file)
        }
        Err(std::fs::TryLockError::Error(error)) => Err(error),
    }
}

/// Writes `contents` to `path`, which must not exist: through a hidden temporary file in
/// the same folder, then a hard link (which refuses to replace a file), so the file is
/// either absent or complete. Creates missing parent folders.
///
/// # Errors
/// A usage [`Failure`] when `path` exists; the I/O error otherwise.
pub fn write_new_file(path: &Path, contents: &str) -> Result<()> {
    let exists = || {
        Failure::usage(format!("{} already exists; nothing was written", path.display()))
            .hint("files are never overwritten; include `{rev}` in `file_template`, or move the existing file away")
    };
    if path.exists() {
        return Err(exists().into());
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))?;
    let temp = write_temp(folder, path, contents)?;
    let placed = match std::fs::hard_link(&temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists().into()),
        // Filesystems without hard links: check, then rename.
        Err(_) if !path.exists() => {
            std::fs::rename(&temp, path).with_context(|| format!("cannot write {}", path.display()))
        }
        Err(_) => Err(exists().into()),
    };
    let _ = std::fs::remove_file(&temp);
    placed
}

/// Replaces `path` (which exists) with `contents` through a temporary file and a rename,
/// keeping its permissions.
///
/// # Errors
/// The I/O error; `path` is then unchanged.
pub fn replace_file(path: &Path, contents: &str) -> Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let temp = write_temp(folder, path, contents)?;
    let result = std::fs::metadata(path)
        .and_then(|meta| std::fs::set_permissions(&temp, meta.permissions()))
        .and_then(|()| std::fs::rename(&temp, path))
        .with_context(|| format!("cannot write {}", path.display()));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Creates `.<name>.<random>.tmp` in `folder` with `contents`, flushed to disk.
fn write_temp(folder: &Path, target: &Path, contents: &str) -> Result<PathBuf> {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for _ in 0..8 {
        let temp = folder.join(format!(".{name}.{}.tmp", random_id()?));
        let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot write in {}", folder.display()));
            }
        };
        let written = file.write_all(contents.as_bytes()).and_then(|()| file.sync_all());
        if let Err(e) = written {
            drop(file);
            let _ = std::fs::remove_file(&temp);
            return Err(e).with_context(|| format!("cannot write {}", temp.display()));
        }
        return Ok(temp);
    }
    anyhow::bail!("cannot create a temporary file in {}", folder.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_alembic() {
        assert_eq!(slug("create account table"), "create_account_table");
        assert_eq!(slug("Add e-mail column (users)!"), "add_e_mail_column_users");
        assert_eq!(slug("add_user table"), "add_user_table");
        assert_eq!(slug("ajouter la colonne état"), "ajouter_la_colonne_tat");
        assert_eq!(slug("添加用户表"), "");
        assert_eq!(slug("  ...  "), "");
        let long = "add a very long column name to the accounts table for auditing";
        let s = slug(long);
        assert_eq!(s, "add_a_very_long_column_name_to_the_");
        assert!(s.len() <= SLUG_LENGTH + 1);
        assert_eq!(slug(&"x".repeat(50)), format!("{}_", "x".repeat(40)));
    }

    #[test]
    fn dates_are_utc_civil_time() {
        let cases = [
            (0, "1970-01-01 00:00:00+00:00"),
            (951_782_400, "2000-02-29 00:00:00+00:00"),
            (1_798_019_999, "2026-12-23 09:59:59+00:00"),
            (1_709_164_800, "2024-02-29 00:00:00+00:00"),
            (4_102_444_799, "2099-12-31 23:59:59+00:00"),
            (-1, "1969-12-31 23:59:59+00:00"),
        ];
        for (secs, expected) in cases {
            assert_eq!(Timestamp::from_unix(secs).create_date(), expected, "{secs}");
        }
    }

    #[test]
    fn templates_expand_and_reject_bad_names() {
        let t = Timestamp::from_unix(1_798_019_999);
        let expand = |tpl: &str| expand_template(tpl, "ab12", "add_x", &t);
        assert_eq!(expand("{rev}_{slug}").unwrap(), Path::new("ab12_add_x.sql"));
        assert_eq!(
            expand("{year}{month}{day}_{hour}{minute}{second}_{rev}").unwrap(),
            Path::new("20261223_095959_ab12.sql")
        );
        assert_eq!(expand("{year}/{rev}").unwrap(), Path::new("2026").join("ab12.sql"));
        assert_eq!(expand("v1.{rev}").unwrap(), Path::new("v1.ab12.sql"));
        assert_eq!(expand("{rev}_{title}"), Err(TemplateError::UnknownPlaceholder("title".into())));
        assert_eq!(expand("{rev"), Err(TemplateError::Unbalanced));
        assert_eq!(expand("rev}"), Err(TemplateError::Unbalanced));
        assert!(matches!(expand("../{rev}"), Err(TemplateError::BadPath(_))));
        assert!(matches!(expand("/{rev}"), Err(TemplateError::BadPath(_))));
        assert!(matches!(expand(".{rev}"), Err(TemplateError::BadPath(_))));
        assert!(expand("{rev}_{slug}").unwrap().to_string_lossy().ends_with(".sql"));
        assert!(TemplateError::UnknownPlaceholder("x".into()).to_string().contains("{rev}, {slug}"));
    }

    #[test]
    fn ids_are_twelve_hex_digits() {
        let id = random_id().unwrap();
        assert_eq!(id.len(), 12);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(id, random_id().unwrap());
    }

    #[test]
    fn messages_split_into_message_and_description() {
        assert_eq!(split_message("  add x \n\n more about it \n"), ("add x".into(), "more about it".into()));
    }

    #[test]
    fn offsets_are_written_as_alembic_writes_them() {
        let t = Timestamp { offset_seconds: -(5 * 3600 + 30 * 60), ..Timestamp::from_unix(0) };
        assert_eq!(t.create_date(), "1970-01-01 00:00:00-05:30");
    }

    #[test]
    fn a_locked_folder_waits_for_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock_folder(dir.path(), || panic!("nobody holds it yet")).unwrap();
        assert!(held.is_some());
        let (tx, rx) = std::sync::mpsc::channel();
        let path = dir.path().to_owned();
        let second = std::thread::spawn(move || {
            let lock = lock_folder(&path, || tx.send("waiting").unwrap()).unwrap();
            tx.send("locked").unwrap();
            drop(lock);
        });
        assert_eq!(rx.recv().unwrap(), "waiting");
        assert!(rx.recv_timeout(std::time::Duration::from_millis(200)).is_err(), "it waits while the lock is held");
        drop(held);
        assert_eq!(rx.recv().unwrap(), "locked");
        second.join().unwrap();
        // Nothing was written into the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // A folder that does not exist is not locked; reading it reports the problem.
        assert!(lock_folder(&dir.path().join("missing"), || {}).unwrap().is_none());
    }

    #[test]
    fn new_files_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/a.sql");
        write_new_file(&path, "one").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        let error = write_new_file(&path, "two").unwrap_err();
        assert!(error.to_string().contains("already exists"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        replace_file(&path, "three").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three");
        let leftovers: Vec<_> =
            std::fs::read_dir(dir.path().join("sub")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["a.sql"]);
    }
}
