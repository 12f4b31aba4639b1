//! A stat-validated cache of parsed revision headers, so the commands that only show the
//! graph (`heads`, `history`, `graph`, `branches`, `show`) need not read and parse every
//! file of a large migrations folder on every run.
//!
//! Only headers are kept (id, message, parents, labels, dependencies, date, lines): what
//! those commands print. The SQL is not, so the cache stays small however large the SQL
//! is, and a revision taken from it has empty `up_sql` and `checksum` and no `down_sql`.
//! Commands that need the SQL read the files ([`crate::commands::Context::load`]).
//!
//! It works like git's index. Each entry records the file's device, inode, size, mtime and
//! ctime as they were when its bytes were read. A file whose metadata still matches is
//! taken from the cache; any other file is read and parsed again. Nothing in user space can
//! set a ctime, so an edit that restores a file's size and mtime is still seen. Files
//! changed within the last [`SETTLE_TIME`] are never cached: file timestamps are coarse,
//! and a second edit within the same clock tick could otherwise leave the stamp unchanged.
//!
//! The cache only ever saves time. A missing, corrupt, foreign or unwritable cache makes
//! the command read the files, never fail; files that do not parse are never cached, so
//! their problems are always reported from the file itself. The commands that write
//! (`revision`, `merge`, the database commands, `check`) always read the files.

use migrate_embed::diagnostic::Problem;
use migrate_embed::revision::{Origin, Revision, RevisionHeader};
use migrate_embed::source::{
    Listing, LoadedRevisions, SourceError, in_chunks, list_revision_files, parse_file, read_file_with_metadata,
    shown_path, strip_root, too_large,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How old a file's last change must be before its parsed form is cached.
pub const SETTLE_TIME: Duration = Duration::from_secs(2);

/// Set to anything but `0` or empty to turn the cache off.
pub const NO_CACHE_ENV: &str = "CARGO_MIGRATE_NO_CACHE";

/// Overrides the folder the cache files go in.
pub const CACHE_DIR_ENV: &str = "CARGO_MIGRATE_CACHE_DIR";

/// A cache file ends with the SHA-256 of the rest, so a damaged file is never believed
/// (about a millisecond for ten thousand revisions).
const DIGEST_LEN: usize = 32;

/// The first bytes of a cache file; the number is the format's version, bumped whenever the
/// layout or the meaning of a parsed revision changes.
const MAGIC: &[u8] = b"cargo-migrate revision header cache 1\n";

/// Where cache files go: [`CACHE_DIR_ENV`], else `$XDG_CACHE_HOME/cargo-migrate`, else
/// `~/.cache/cargo-migrate` (`%LOCALAPPDATA%\cargo-migrate` on Windows). `None` when the
/// cache is turned off ([`NO_CACHE_ENV`]) or no such folder can be named.
pub fn default_cache_dir() -> Option<PathBuf> {
    default_cache_dir_from(|name| std::env::var_os(name))
}

/// [`default_cache_dir`] with the environment given.
fn default_cache_dir_from(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|value| !value.is_empty());
    if set(NO_CACHE_ENV).is_some_and(|value| value != "0") {
        return None;
    }
    if let Some(dir) = set(CACHE_DIR_ENV) {
        return Some(PathBuf::from(dir));
    }
    let absolute = |name: &str| set(name).map(PathBuf::from).filter(|path| path.is_absolute());
    let base = if cfg!(windows) {
        absolute("LOCALAPPDATA")?
    } else {
        absolute("XDG_CACHE_HOME").or_else(|| absolute("HOME").map(|home| home.join(".cache")))?
    };
    Some(base.join("cargo-migrate"))
}

/// The revision headers of [`migrate_embed::source::load_dir`], through the cache in
/// `cache_dir`, in path order: settled files the cache knows are not read again.
///
/// # Errors
/// [`SourceError`] when the folder or a file cannot be read (never for the cache).
pub fn load_headers_cached(
    dir: &Path,
    display_root: &Path,
    cache_dir: &Path,
) -> Result<LoadedRevisions<()>, SourceError> {
    load_headers_cached_at(dir, display_root, cache_dir, SystemTime::now()).map(|(loaded, _)| loaded)
}

/// [`load_headers_cached`] with the time it runs at given (tests pretend files have
/// settled); also says, per revision, whether its file was read.
fn load_headers_cached_at(
    dir: &Path,
    display_root: &Path,
    cache_dir: &Path,
    now: SystemTime,
) -> Result<(LoadedRevisions<()>, Vec<bool>), SourceError> {
    let cache_file = cache_dir.join(cache_file_name(dir));
    // Listing the folder waits on the file system; read the cache meanwhile.
    let (files, old_bytes) = std::thread::scope(|scope| {
        let reading = scope.spawn(|| std::fs::read(&cache_file).unwrap_or_default());
        let listing = list_revision_files(dir, display_root);
        (listing, reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let Listing { files, problems } = files?;
    let old = CacheFile::decode(&old_bytes, dir).unwrap_or_default();
    let settled_before = stamp_nanos(now.checked_sub(SETTLE_TIME).unwrap_or(SystemTime::UNIX_EPOCH));

    let relative: Vec<&[u8]> = files.iter().map(|file| relative_bytes(file, dir)).collect();
    let cached = old.align(&relative);
    let jobs: Vec<(&PathBuf, Option<&Entry<'_>>)> = files.iter().zip(cached).collect();
    let parts = in_chunks(&jobs, |part| {
        let mut buffer = Vec::new();
        part.iter()
            .map(|&(file, entry)| load_one(file, entry, display_root, settled_before, &mut buffer))
            .collect::<Vec<_>>()
    });

    let mut loaded =
        LoadedRevisions { revisions: Vec::with_capacity(files.len()), problems, ..LoadedRevisions::default() };
    let mut read = Vec::with_capacity(files.len());
    let mut new_entries = Vec::with_capacity(files.len());
    for (outcome, rel) in parts.into_iter().flatten().zip(&relative) {
        let outcome = outcome?;
        if let Some((stamp, blob)) = outcome.keep {
            new_entries.push(OwnedEntry { path: rel, stamp, blob });
        }
        match outcome.revision {
            Ok(revision) => {
                loaded.revisions.push(revision);
                read.push(outcome.read);
            }
            Err(problem) => loaded.problems.push(problem),
        }
    }
    // Kept entries come from the old cache unless new, so the same count and nothing new
    // means the same cache. (Unparsable and unsettled files are in neither.)
    let changed =
        new_entries.len() != old.entries.len() || new_entries.iter().any(|entry| matches!(entry.blob, Blob::New(_)));
    if changed {
        // Best effort: a cache that cannot be written only means the next run reads files.
        let _ = write_atomically(&cache_file, &encode_cache(dir, &new_entries));
    }
    loaded.files = files;
    Ok((loaded, read))
}

/// What loading one file gave: its header or problem, the entry to keep in the cache
/// (none for unsettled or unparsable files), and whether the file was read.
struct Outcome<'a> {
    revision: Result<RevisionHeader, Problem>,
    keep: Option<(Stamp, Blob<'a>)>,
    read: bool,
}

/// A cache entry's encoded revision: borrowed from the old cache, or newly encoded.
enum Blob<'a> {
    Old(&'a [u8]),
    New(Vec<u8>),
}

impl Blob<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Blob::Old(bytes) => bytes,
            Blob::New(bytes) => bytes,
        }
    }
}

fn load_one<'a>(
    file: &Path,
    entry: Option<&Entry<'a>>,
    display_root: &Path,
    settled_before: i128,
    buffer: &mut Vec<u8>,
) -> Result<Outcome<'a>, SourceError> {
    if let Some(entry) = entry
        && let Ok(metadata) = std::fs::metadata(file)
        && Stamp::of(&metadata) == Some(entry.stamp)
        && let Some(mut revision) = decode_revision(entry.blob)
    {
        revision.origin.path = shown_path(file, display_root);
        return Ok(Outcome { revision: Ok(revision), keep: Some((entry.stamp, Blob::Old(entry.blob))), read: false });
    }
    let metadata = match read_file_with_metadata(file, buffer) {
        Ok(metadata) => metadata,
        Err(error @ SourceError::TooLarge { .. }) => {
            return Ok(Outcome { revision: Err(too_large(&error, file, display_root)), keep: None, read: true });
        }
        Err(error) => return Err(error),
    };
    let revision = parse_file(file, buffer, display_root).map(Revision::into_header);
    let keep = match (&revision, Stamp::of(&metadata)) {
        (Ok(revision), Some(stamp)) if stamp.settled(settled_before) => {
            Some((stamp, Blob::New(encode_revision(revision))))
        }
        _ => None,
    };
    Ok(Outcome { revision, keep, read: true })
}

/// What identifies one version of a file: if any of it differs, the file is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    size: u64,
    /// Nanoseconds since the Unix epoch.
    modified: i128,
    /// Nanoseconds since the Unix epoch (inode change: content, rename, chmod, …).
    changed: i128,
}

impl Stamp {
    /// The stamp of a file's metadata; `None` where the platform lacks inode change times
    /// (there the cache is never used).
    #[cfg(unix)]
    fn of(metadata: &Metadata) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        let nanos = |secs: i64, nanos: i64| i128::from(secs) * 1_000_000_000 + i128::from(nanos);
        Some(Self {
            device: metadata.dev(),
            inode: metadata.ino(),
            size: metadata.size(),
            modified: nanos(metadata.mtime(), metadata.mtime_nsec()),
            changed: nanos(metadata.ctime(), metadata.ctime_nsec()),
        })
    }

    #[cfg(not(unix))]
    fn of(_metadata: &Metadata) -> Option<Self> {
        None
    }

    /// Whether the file last changed before `settled_before` (nanoseconds since the epoch).
    fn settled(&self, settled_before: i128) -> bool {
        self.modified.max(self.changed) < settled_before
    }
}

fn stamp_nanos(time: SystemTime) -> i128 {
    time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |since| i128::try_from(since.as_nanos()).unwrap_or(0))
}

/// The cache file for one migrations folder: a hash of its path (the path itself is also
/// stored inside, and checked, so a collision only costs a re-read).
fn cache_file_name(dir: &Path) -> String {
    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    let hex: String = digest[..8].iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{hex}.cache")
}

fn relative_bytes<'a>(file: &'a Path, dir: &Path) -> &'a [u8] {
    strip_root(file, dir).unwrap_or(file).as_os_str().as_encoded_bytes()
}

/// One entry of a cache file as read: the file's path inside the folder, its stamp and its
/// encoded revision, all borrowed from the file's bytes.
#[derive(Debug)]
struct Entry<'a> {
    path: &'a [u8],
    stamp: Stamp,
    blob: &'a [u8],
}

/// One entry to write.
struct OwnedEntry<'a, 'b> {
    path: &'b [u8],
    stamp: Stamp,
    blob: Blob<'a>,
}

#[derive(Debug, Default)]
struct CacheFile<'a> {
    entries: Vec<Entry<'a>>,
}

impl<'a> CacheFile<'a> {
    /// The entries of a cache file for `dir`; `None` when the bytes are not one (another
    /// format or version, another folder, truncated or corrupt).
    fn decode(bytes: &'a [u8], dir: &Path) -> Option<Self> {
        let (body, digest) = bytes.split_at_checked(bytes.len().checked_sub(DIGEST_LEN)?)?;
        if Sha256::digest(body).as_slice() != digest {
            return None;
        }
        let mut reader = Reader { bytes: body.strip_prefix(MAGIC)? };
        if reader.bytes()? != env!("CARGO_PKG_VERSION").as_bytes()
            || reader.bytes()? != dir.as_os_str().as_encoded_bytes()
        {
            return None;
        }
        let count = reader.u64()?;
        let mut entries = Vec::with_capacity(usize::try_from(count).ok()?.min(bytes.len()));
        for _ in 0..count {
            let path = reader.bytes()?;
            let stamp = Stamp {
                device: reader.u64()?,
                inode: reader.u64()?,
                size: reader.u64()?,
                modified: reader.i128()?,
                changed: reader.i128()?,
            };
            let blob = reader.bytes()?;
            entries.push(Entry { path, stamp, blob });
        }
        reader.bytes.is_empty().then_some(Self { entries })
    }

    /// The entry for each file (by its path inside the folder), or `None`.
    fn align(&self, files: &[&[u8]]) -> Vec<Option<&Entry<'a>>> {
        // Usually the folder is as it was: the same files in the same order.
        if self.entries.len() == files.len() && self.entries.iter().zip(files).all(|(entry, file)| entry.path == *file)
        {
            return self.entries.iter().map(Some).collect();
        }
        let by_path: HashMap<&[u8], &Entry<'a>> = self.entries.iter().map(|entry| (entry.path, entry)).collect();
        files.iter().map(|file| by_path.get(file).copied()).collect()
    }
}

fn encode_cache(dir: &Path, entries: &[OwnedEntry<'_, '_>]) -> Vec<u8> {
    let mut out = Writer(MAGIC.to_vec());
    out.bytes(env!("CARGO_PKG_VERSION").as_bytes());
    out.bytes(dir.as_os_str().as_encoded_bytes());
    out.u64(entries.len() as u64);
    for entry in entries {
        out.bytes(entry.path);
        out.u64(entry.stamp.device);
        out.u64(entry.stamp.inode);
        out.u64(entry.stamp.size);
        out.i128(entry.stamp.modified);
        out.i128(entry.stamp.changed);
        out.bytes(entry.blob.bytes());
    }
    let digest = Sha256::digest(&out.0);
    out.0.extend_from_slice(&digest);
    out.0
}

/// A revision's header as cache bytes (its path is not stored: it is where the entry is;
/// its SQL is not stored at all).
fn encode_revision(revision: &RevisionHeader) -> Vec<u8> {
    let mut out = Writer(Vec::with_capacity(256));
    out.str(&revision.id);
    out.str(&revision.message);
    out.str(&revision.description);
    for list in [&revision.parents, &revision.depends_on, &revision.branch_labels] {
        out.u64(list.len() as u64);
        for item in list {
            out.str(item);
        }
    }
    out.optional_str(revision.create_date.as_deref());
    out.u64(revision.lint_allow.len() as u64);
    for code in &revision.lint_allow {
        out.str(code);
    }
    out.0.push(match revision.transactional {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    });
    out.0.push(u8::from(revision.foreign_keys_off));
    let origin = &revision.origin;
    for line in [
        origin.id_line,
        origin.revises_line,
        origin.depends_on_line,
        origin.labels_line,
        origin.lint_allow_line,
        origin.up_line,
        origin.down_line,
    ] {
        out.u64(line as u64);
    }
    out.0
}

/// The revision header [`encode_revision`] wrote, or `None` for bytes it did not write.
fn decode_revision(bytes: &[u8]) -> Option<RevisionHeader> {
    let mut reader = Reader { bytes };
    let id = reader.string()?;
    let message = reader.string()?;
    let description = reader.string()?;
    let mut lists = [Vec::new(), Vec::new(), Vec::new()];
    for list in &mut lists {
        let count = usize::try_from(reader.u64()?).ok()?;
        // Each item takes at least a byte, so a corrupt count cannot reserve much.
        list.reserve(count.min(reader.bytes.len()));
        for _ in 0..count {
            list.push(reader.string()?);
        }
    }
    let [parents, depends_on, branch_labels] = lists;
    let create_date = reader.optional_string()?;
    let count = usize::try_from(reader.u64()?).ok()?;
    let mut lint_allow = Vec::with_capacity(count.min(reader.bytes.len()));
    for _ in 0..count {
        lint_allow.push(reader.string()?);
    }
    let transactional = match reader.byte()? {
        0 => None,
        1 => Some(false),
        2 => Some(true),
        _ => return None,
    };
    let foreign_keys_off = match reader.byte()? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let mut line = || usize::try_from(reader.u64()?).ok();
    let origin = Origin {
        path: PathBuf::new(),
        id_line: line()?,
        revises_line: line()?,
        depends_on_line: line()?,
        labels_line: line()?,
        lint_allow_line: line()?,
        up_line: line()?,
        down_line: line()?,
    };
    reader.bytes.is_empty().then_some(Revision {
        id,
        message,
        description,
        parents,
        depends_on,
        branch_labels,
        create_date,
        transactional,
        lint_allow,
        foreign_keys_off,
        origin,
        body: (),
    })
}

/// Length-prefixed encoding: integers as LEB128 varints (one byte for most lengths and
/// line numbers), times as 16 little-endian bytes.
struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.0.push((value as u8 & 0x7f) | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }

    fn i128(&mut self, value: i128) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.u64(bytes.len() as u64);
        self.0.extend_from_slice(bytes);
    }

    fn str(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    fn optional_str(&mut self, text: Option<&str>) {
        match text {
            None => self.0.push(0),
            Some(text) => {
                self.0.push(1);
                self.str(text);
            }
        }
    }
}

/// Reads what [`Writer`] wrote; every method is `None` past the end or on bad data.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        if count > self.bytes.len() {
            return None;
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Some(taken)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u64(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn i128(&mut self) -> Option<i128> {
        Some(i128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let count = usize::try_from(self.u64()?).ok()?;
        self.take(count)
    }

    fn string(&mut self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_owned)
    }

    fn optional_string(&mut self) -> Option<Option<String>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`, so a
/// reader sees the old cache or the new one, never a part.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A migrations folder and a cache folder.
    struct Folders {
        migrations: tempfile::TempDir,
        cache: tempfile::TempDir,
    }

    impl Folders {
        fn new() -> Self {
            let folders = Self { migrations: tempfile::tempdir().unwrap(), cache: tempfile::tempdir().unwrap() };
            folders.write("a_first.sql", &revision("aaaa", "<base>", "first"));
            folders.write("b_second.sql", &revision("bbbb", "aaaa", "second"));
            folders.write("sub/c_third.sql", &revision("cccc", "bbbb", "third"));
            folders
        }

        fn write(&self, name: &str, text: &str) {
            let path = self.migrations.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }

        /// Loads as if `later` had passed since now.
        fn load_after(&self, later: Duration) -> (LoadedRevisions<()>, Vec<bool>) {
            let now = SystemTime::now() + later;
            let dir = self.migrations.path();
            load_headers_cached_at(dir, dir, self.cache.path(), now).unwrap()
        }

        /// Loads once the files have settled.
        fn load(&self) -> (LoadedRevisions<()>, Vec<bool>) {
            self.load_after(SETTLE_TIME * 5)
        }

        fn cache_file(&self) -> PathBuf {
            self.cache.path().join(cache_file_name(self.migrations.path()))
        }

        fn cached_entries(&self) -> usize {
            let bytes = std::fs::read(self.cache_file()).unwrap();
            CacheFile::decode(&bytes, self.migrations.path()).unwrap().entries.len()
        }
    }

    fn revision(id: &str, revises: &str, message: &str) -> String {
        format!("-- {message}\n--\n-- Revision ID: {id}\n-- Revises: {revises}\n\n-- migrate:up\nSELECT 1;\n")
    }

    /// `(id, message, parents, whether the SQL was read)` per revision.
    fn summary((loaded, read): &(LoadedRevisions<()>, Vec<bool>)) -> Vec<(String, String, Vec<String>, bool)> {
        loaded
            .revisions
            .iter()
            .zip(read)
            .map(|(r, &read)| (r.id.clone(), r.message.clone(), r.parents.clone(), read))
            .collect()
    }

    fn messages((loaded, _): &(LoadedRevisions<()>, Vec<bool>)) -> Vec<&str> {
        loaded.revisions.iter().map(|r| r.message.as_str()).collect()
    }

    #[test]
    fn a_header_survives_the_round_trip_without_its_sql() {
        let text = "-- add things\n-- more words\n--\n-- Revision ID: r2\n-- Revises: r1, r0\n\
                    -- Create Date: 2026-11-22 10:00:00+00:00\n-- Branch Labels: feature\n\
                    -- Depends On: other\n-- Transactional: false\n\n-- migrate:up\nSELECT 1;\n\n\
                    -- migrate:down\nSELECT 2;\n";
        let parsed = migrate_embed::revision::parse_revision(text.as_bytes()).unwrap();
        let decoded = decode_revision(&encode_revision(&parsed.clone().into_header())).unwrap();
        let expected = parsed.clone().into_header();
        assert_eq!(decoded, expected);
        assert_eq!(decoded.transactional, Some(false));
        // Every truncation of the bytes is refused, none panics.
        let bytes = encode_revision(&parsed.clone().into_header());
        for end in 0..bytes.len() {
            assert_eq!(decode_revision(&bytes[..end]), None, "{end} bytes");
        }
    }

    #[test]
    fn settled_files_are_served_from_the_cache_in_path_order() {
        let folders = Folders::new();
        let first = folders.load();
        assert_eq!(folders.cached_entries(), 3);
        let second = folders.load();
        let from_files = summary(&first);
        assert!(from_files.iter().all(|(.., read)| *read));
        // The same headers, in the same order, without reading the SQL.
        let from_cache = summary(&second);
        assert_eq!(
            from_cache.iter().map(|(id, m, p, _)| (id, m, p)).collect::<Vec<_>>(),
            from_files.iter().map(|(id, m, p, _)| (id, m, p)).collect::<Vec<_>>()
        );
        assert!(from_cache.iter().all(|(.., read)| !*read));
        let paths: Vec<_> = second.0.revisions.iter().map(|r| r.origin.path.clone()).collect();
        assert_eq!(paths, [Path::new("a_first.sql"), Path::new("b_second.sql"), Path::new("sub/c_third.sql")]);
        assert_eq!(second.0.revisions[1].origin.revises_line, 4);
    }

    #[test]
    fn files_changed_within_the_settle_time_are_not_cached() {
        let folders = Folders::new();
        folders.load_after(Duration::ZERO);
        assert!(!folders.cache_file().exists(), "nothing settled, nothing written");
        folders.load();
        assert_eq!(folders.cached_entries(), 3);
    }

    #[test]
    fn an_edit_is_seen_even_with_its_size_and_mtime_restored() {
        let folders = Folders::new();
        folders.load();
        let path = folders.migrations.path().join("b_second.sql");
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        // Past the clock tick the first write's times were taken in.
        std::thread::sleep(Duration::from_millis(50));
        std::fs::write(&path, revision("bbbb", "aaaa", "SECOND")).unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), modified);
        assert_eq!(messages(&folders.load()), ["first", "SECOND", "third"]);
        // And the new text is what is cached next.
        assert_eq!(messages(&folders.load()), ["first", "SECOND", "third"]);
    }

    #[test]
    fn added_removed_and_renamed_files_are_seen() {
        let folders = Folders::new();
        folders.load();
        let dir = folders.migrations.path();
        std::fs::remove_file(dir.join("sub/c_third.sql")).unwrap();
        folders.write("c_fourth.sql", &revision("dddd", "bbbb", "fourth"));
        std::fs::rename(dir.join("a_first.sql"), dir.join("z_first.sql")).unwrap();
        let loaded = folders.load();
        assert_eq!(messages(&loaded), ["second", "fourth", "first"]);
        assert_eq!(loaded.0.revisions[2].origin.path, Path::new("z_first.sql"));
        assert_eq!(folders.cached_entries(), 3);
    }

    #[test]
    fn a_file_that_does_not_parse_is_reported_every_time_and_never_cached() {
        let folders = Folders::new();
        folders.write("b_second.sql", "-- broken\n-- Revises: aaaa\n");
        for _ in 0..2 {
            let loaded = folders.load();
            assert_eq!(messages(&loaded), ["first", "third"]);
            assert_eq!(loaded.0.problems.len(), 1);
            assert_eq!(loaded.0.problems[0].locations[0].to_string(), "b_second.sql:3");
        }
        assert_eq!(folders.cached_entries(), 2);
    }

    #[test]
    fn a_corrupt_or_foreign_cache_is_ignored_and_replaced() {
        let folders = Folders::new();
        folders.load();
        let good = std::fs::read(folders.cache_file()).unwrap();
        let other = tempfile::tempdir().unwrap();
        let foreign = encode_cache(other.path(), &[]);
        // One bit of a message flipped: still decodes, so only the digest can tell.
        let at = good.windows(6).position(|w| w == b"second").unwrap();
        let mut flipped = good.clone();
        flipped[at] ^= 0x20;
        for bad in [Vec::new(), b"garbage".to_vec(), good[..good.len() / 2].to_vec(), foreign, flipped] {
            std::fs::write(folders.cache_file(), &bad).unwrap();
            let loaded = folders.load();
            assert_eq!(messages(&loaded), ["first", "second", "third"]);
            assert_eq!(folders.cached_entries(), 3, "rewritten");
        }
    }

    #[test]
    fn an_unwritable_cache_only_costs_time() {
        let folders = Folders::new();
        let blocked = folders.cache.path().join("not-a-folder");
        std::fs::write(&blocked, "").unwrap();
        let dir = folders.migrations.path();
        let now = SystemTime::now() + SETTLE_TIME * 5;
        let loaded = load_headers_cached_at(dir, dir, &blocked, now).unwrap();
        assert_eq!(messages(&loaded), ["first", "second", "third"]);
    }

    #[test]
    fn the_cache_can_be_turned_off_or_moved() {
        let dir = default_cache_dir_from(|name| match name {
            "CARGO_MIGRATE_CACHE_DIR" => Some("/somewhere".into()),
            _ => None,
        });
        assert_eq!(dir, Some(PathBuf::from("/somewhere")));
        let off = default_cache_dir_from(|name| match name {
            "CARGO_MIGRATE_NO_CACHE" => Some("1".into()),
            "CARGO_MIGRATE_CACHE_DIR" => Some("/somewhere".into()),
            _ => None,
        });
        assert_eq!(off, None);
        let zero = default_cache_dir_from(|name| match name {
            "CARGO_MIGRATE_NO_CACHE" => Some("0".into()),
            "HOME" => Some("/home/me".into()),
            _ => None,
        });
        assert_eq!(zero, Some(PathBuf::from("/home/me/.cache/cargo-migrate")));
        let xdg = default_cache_dir_from(|name| match name {
            "XDG_CACHE_HOME" => Some("/xdg".into()),
            "HOME" => Some("/home/me".into()),
            _ => None,
        });
        assert_eq!(xdg, Some(PathBuf::from("/xdg/cargo-migrate")));
        let relative = default_cache_dir_from(|name| match name {
            "XDG_CACHE_HOME" => Some("relative".into()),
            _ => None,
        });
        assert_eq!(relative, None);
    }
}
