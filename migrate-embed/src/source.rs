//! Finding revision files in a migrations folder and parsing them, keeping paths and lines
//! for diagnostics.

use crate::diagnostic::{Location, Problem, ProblemCode};
use crate::revision::{Revision, RevisionBody, parse_revision};
use std::path::{Path, PathBuf};

/// The largest revision file read: 64 MiB. A revision is SQL a person reviews (bulk data
/// belongs in `COPY`/`LOAD DATA`), and every file is read whole, by the build script
/// and the commands alike; a larger file (or a link to an endless one) is a problem
/// instead of memory exhausted.
pub const MAX_REVISION_BYTES: u64 = 64 * 1024 * 1024;

/// Why a migrations folder could not be read at all (as opposed to a bad file in it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The folder does not exist.
    #[error("migrations folder {} does not exist; run `cargo migrate init` or set `dir` in [package.metadata.migrate]", .dir.display())]
    MissingDir {
        /// The folder looked for.
        dir: PathBuf,
    },
    /// The path of the folder names something else, such as a file.
    #[error("migrations folder {} is {kind}, not a folder; set `dir` in [package.metadata.migrate] (or pass --dir) to the folder that holds the revision files", .dir.display())]
    NotADir {
        /// The path.
        dir: PathBuf,
        /// What it is: "a file", "a FIFO"…
        kind: &'static str,
    },
    /// An I/O error while listing or reading.
    #[error("cannot read {}: {error}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error (shown in the message, so not also returned as `source()`).
        error: std::io::Error,
    },
    /// A revision file larger than [`MAX_REVISION_BYTES`]. The loaders turn it into a
    /// [`ProblemCode::FileTooLarge`] problem.
    #[error("{} is larger than {} MiB, the most a revision file may hold", .path.display(), MAX_REVISION_BYTES >> 20)]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
}

/// The revisions read from a folder, plus one problem per file that did not parse. `B` is
/// the revisions' body: their SQL, or `()` where only headers were needed.
#[derive(Debug)]
pub struct LoadedRevisions<B = RevisionBody> {
    /// Revisions that parsed, in path order; `origin.path` is `display_root` joined with
    /// the file's path inside the folder.
    pub revisions: Vec<Revision<B>>,
    /// Files that did not parse, and what listing the folder refused (see [`Listing`]).
    pub problems: Vec<Problem>,
    /// Every revision file looked at, in path order (build-support watches their folders).
    pub files: Vec<PathBuf>,
}

impl<B> Default for LoadedRevisions<B> {
    fn default() -> Self {
        Self { revisions: Vec::new(), problems: Vec::new(), files: Vec::new() }
    }
}

/// What a folder holds: its revision files, and a problem for each thing that looked like
/// one but cannot be read as one.
#[derive(Debug, Default)]
pub struct Listing {
    /// The `*.sql` files (regular files, or links to them), in path order.
    pub files: Vec<PathBuf>,
    /// A [`ProblemCode::SymlinkLoop`] per link back to a folder that contains it, and a
    /// [`ProblemCode::NotAFile`] per `*.sql` name that is not a regular file.
    pub problems: Vec<Problem>,
}

/// Every `*.sql` file under `dir`, recursively, skipping hidden files and folders, sorted.
///
/// Links are followed; each folder is listed once (known by device and inode), so a link
/// to a folder already listed adds nothing, and a link back to a folder that contains it is
/// a [`ProblemCode::SymlinkLoop`] problem rather than an endless walk. Only regular files
/// (after following links) are revision files: a FIFO, socket or device named `*.sql`,
/// which would block or never end when read, is a [`ProblemCode::NotAFile`] problem.
/// Problems name paths relative to `display_root` when inside it.
///
/// # Errors
/// [`SourceError`] when the folder is missing, is not a folder, or cannot be read.
pub fn list_revision_files(dir: &Path, display_root: &Path) -> Result<Listing, SourceError> {
    let metadata = match std::fs::metadata(dir) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(SourceError::MissingDir { dir: dir.to_owned() });
        }
        Err(error) => return Err(SourceError::Io { path: dir.to_owned(), error }),
    };
    if !metadata.is_dir() {
        return Err(SourceError::NotADir { dir: dir.to_owned(), kind: kind_of(&metadata.file_type()) });
    }
    let mut walk = Walk { display_root, listing: Listing::default(), open: Vec::new(), seen: Vec::new() };
    let key = DirKey::of(dir, &metadata);
    walk.seen.push(key.clone());
    walk.open.push((key, dir.to_owned()));
    walk.collect_sorted(dir)?;
    Ok(walk.listing)
}

/// What tells two folders apart when links make one reachable by several paths.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DirKey {
    /// Device and inode.
    #[cfg(unix)]
    Inode(u64, u64),
    /// The canonical path, where there are no inodes (or it cannot be had).
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

impl DirKey {
    #[cfg(unix)]
    fn of(_path: &Path, metadata: &std::fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        Self::Inode(metadata.dev(), metadata.ino())
    }

    #[cfg(not(unix))]
    fn of(path: &Path, _metadata: &std::fs::Metadata) -> Self {
        Self::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()))
    }
}

/// What a file type is, for messages.
fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    if file_type.is_file() {
        "a file"
    } else if file_type.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// One listing in progress.
struct Walk<'a> {
    display_root: &'a Path,
    listing: Listing,
    /// The folders being listed, outermost first: a link to one of them is a loop.
    open: Vec<(DirKey, PathBuf)>,
    /// Every folder listed so far (few: a linear search is enough).
    seen: Vec<DirKey>,
}

impl Walk<'_> {
    /// Appends the revision files under `folder` in path order: a folder's entries sorted
    /// by name, each subfolder's files where its name sorts. That is the order `Path`'s
    /// `Ord` gives (component by component), without sorting whole paths.
    fn collect_sorted(&mut self, folder: &Path) -> Result<(), SourceError> {
        let folder_error = |error| SourceError::Io { path: folder.to_owned(), error };
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(folder).map_err(folder_error)? {
            let entry = entry.map_err(folder_error)?;
            let name = entry.file_name();
            let bytes = name.as_encoded_bytes();
            if bytes.starts_with(b".") {
                continue;
            }
            let file_type = entry.file_type().map_err(|error| SourceError::Io { path: entry.path(), error })?;
            let is_sql = bytes.ends_with(b".sql");
            // Regular files and folders need no more system calls (the folder's listing
            // says what they are); a link must be followed, and anything else named
            // `*.sql` is a problem.
            let kind = if file_type.is_dir() {
                Entry::Dir(None)
            } else if file_type.is_file() {
                Entry::File
            } else if file_type.is_symlink() {
                match std::fs::metadata(entry.path()) {
                    Ok(target) if target.is_dir() => Entry::Dir(Some(target)),
                    Ok(target) if target.is_file() => Entry::File,
                    Ok(target) => Entry::Other(format!("a link to {}", kind_of(&target.file_type()))),
                    Err(error) => Entry::Other(format!("a link that cannot be followed ({error})")),
                }
            } else {
                Entry::Other(kind_of(&file_type).to_owned())
            };
            if matches!(kind, Entry::Dir(_)) || is_sql {
                entries.push((name, kind));
            }
        }
        entries.sort_unstable_by(|(a, _), (b, _)| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        for (name, kind) in entries {
            // Built as a string, sized once: `join` copies the folder, then grows the
            // buffer and inspects both parts to place the separator.
            let mut path = std::ffi::OsString::with_capacity(folder.as_os_str().len() + 1 + name.len());
            path.push(folder);
            if folder
                .as_os_str()
                .as_encoded_bytes()
                .last()
                .is_some_and(|&last| !std::path::is_separator(char::from(last)))
            {
                path.push(std::path::MAIN_SEPARATOR_STR);
            }
            path.push(name);
            let path = PathBuf::from(path);
            match kind {
                Entry::File => self.listing.files.push(path),
                Entry::Dir(metadata) => self.enter(path, metadata)?,
                Entry::Other(what) => self.listing.problems.push(Problem {
                    code: ProblemCode::NotAFile,
                    message: format!(
                        "{} is {what}, not a regular file",
                        shown_path(&path, self.display_root).display()
                    ),
                    locations: vec![Location::new(shown_path(&path, self.display_root), 0)],
                    hint: Some(
                        "a revision file must be a regular file (or a link to one): replace it with one, or remove it"
                            .into(),
                    ),
                }),
            }
        }
        Ok(())
    }

    /// Lists a subfolder once: not again when another link reaches it, and not at all
    /// (a problem) when it contains the link.
    fn enter(&mut self, path: PathBuf, metadata: Option<std::fs::Metadata>) -> Result<(), SourceError> {
        let metadata = match metadata {
            Some(metadata) => metadata,
            None => std::fs::metadata(&path).map_err(|error| SourceError::Io { path: path.clone(), error })?,
        };
        let key = DirKey::of(&path, &metadata);
        if let Some((_, outer)) = self.open.iter().find(|(open, _)| *open == key) {
            let shown = shown_path(&path, self.display_root);
            let target = shown_path(outer, self.display_root);
            self.listing.problems.push(Problem {
                code: ProblemCode::SymlinkLoop,
                message: format!(
                    "{} is a link to {}, a folder that contains it; it was not followed",
                    shown.display(),
                    if target.as_os_str().is_empty() { Path::new(".") } else { &target }.display()
                ),
                locations: vec![Location::new(shown, 0)],
                hint: Some(
                    "remove the link: every revision file under the migrations folder is found without it".into(),
                ),
            });
            return Ok(());
        }
        if self.seen.contains(&key) {
            return Ok(());
        }
        self.seen.push(key.clone());
        self.open.push((key, path.clone()));
        let listed = self.collect_sorted(&path);
        self.open.pop();
        listed
    }
}

/// What a folder entry is, once links are followed.
enum Entry {
    /// A regular file.
    File,
    /// A folder (with its metadata, when a link had to be followed to know it).
    Dir(Option<std::fs::Metadata>),
    /// Anything else, described.
    Other(String),
}

/// Reads and parses every revision file under `dir`. Files that fail to parse become
/// problems (all of them, not just the first); paths in revisions and problems are shown
/// relative to `display_root` when they are inside it.
///
/// Large folders are read and parsed on a few threads (file I/O dominates the cost of the
/// graph commands on thousands of revisions); the result is the same as a sequential read,
/// in path order.
///
/// # Errors
/// [`SourceError`] when the folder or a file cannot be read.
pub fn load_dir(dir: &Path, display_root: &Path) -> Result<LoadedRevisions, SourceError> {
    let Listing { files, problems } = list_revision_files(dir, display_root)?;
    let parts = in_chunks(&files, |part| load_files(part, display_root));
    let mut loaded = LoadedRevisions { revisions: Vec::with_capacity(files.len()), files, problems };
    for part in parts {
        for one in part? {
            match one {
                Ok(revision) => loaded.revisions.push(revision),
                Err(problem) => loaded.problems.push(problem),
            }
        }
    }
    Ok(loaded)
}

/// Runs `work` on contiguous chunks of `items` on a few threads (one when there are few
/// items: below a few hundred files, threads cost more than they save), returning the
/// chunks' results in order. File I/O dominates the graph commands on thousands of
/// revisions, and it overlaps well.
pub fn in_chunks<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    const ITEMS_PER_THREAD: usize = 256;
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(8)
        .min(items.len() / ITEMS_PER_THREAD + 1);
    if threads <= 1 {
        return vec![work(items)];
    }
    let chunk = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items.chunks(chunk).map(|part| scope.spawn(move || work(part))).collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// Reads and parses `files` in order: per file, the revision or the problem.
fn load_files(files: &[PathBuf], display_root: &Path) -> Result<Vec<Result<Revision, Problem>>, SourceError> {
    let mut out = Vec::with_capacity(files.len());
    let mut bytes = Vec::with_capacity(16 * 1024);
    for file in files {
        match read_file(file, &mut bytes) {
            Ok(()) => out.push(parse_file(file, &bytes, display_root)),
            Err(error @ SourceError::TooLarge { .. }) => out.push(Err(too_large(&error, file, display_root))),
            Err(error) => return Err(error),
        }
    }
    Ok(out)
}

/// The problem for a [`SourceError::TooLarge`] file.
pub fn too_large(error: &SourceError, file: &Path, display_root: &Path) -> Problem {
    let shown = shown_path(file, display_root);
    Problem {
        code: ProblemCode::FileTooLarge,
        message: error.to_string().replacen(&file.display().to_string(), &shown.display().to_string(), 1),
        locations: vec![Location::new(shown, 0)],
        hint: Some(
            "split it into several revisions, or load bulk data another way (`COPY`, `LOAD DATA`, a script run beside the migration)".into(),
        ),
    }
}

/// Replaces `buffer`'s contents with the bytes of `file`, at most [`MAX_REVISION_BYTES`].
///
/// One buffer serves many files, filled without asking each file's size first (`fs::read`
/// does, at one more system call per file).
///
/// # Errors
/// [`SourceError::Io`] naming the file, or [`SourceError::TooLarge`].
pub fn read_file(file: &Path, buffer: &mut Vec<u8>) -> Result<(), SourceError> {
    buffer.clear();
    std::fs::File::open(file)
        .and_then(|handle| read_all(handle, buffer))
        .map_err(|error| SourceError::Io { path: file.to_owned(), error })?;
    check_size(file, buffer, MAX_REVISION_BYTES)
}

/// [`read_file`], also returning the file's metadata, taken from the open handle before
/// reading: never newer than the bytes, so a stat-validated cache can trust it.
///
/// # Errors
/// [`SourceError::Io`] naming the file.
pub fn read_file_with_metadata(file: &Path, buffer: &mut Vec<u8>) -> Result<std::fs::Metadata, SourceError> {
    buffer.clear();
    let metadata = std::fs::File::open(file)
        .and_then(|handle| {
            let metadata = handle.metadata()?;
            read_all(handle, buffer)?;
            Ok(metadata)
        })
        .map_err(|error| SourceError::Io { path: file.to_owned(), error })?;
    check_size(file, buffer, MAX_REVISION_BYTES)?;
    Ok(metadata)
}

/// Reads at most one byte more than [`MAX_REVISION_BYTES`]: enough to tell a file is too
/// large, whatever its metadata claims (or however it grows while being read).
fn read_all(handle: std::fs::File, buffer: &mut Vec<u8>) -> std::io::Result<()> {
    std::io::Read::read_to_end(&mut std::io::Read::take(handle, MAX_REVISION_BYTES + 1), buffer).map(drop)
}

fn check_size(file: &Path, buffer: &mut Vec<u8>, limit: u64) -> Result<(), SourceError> {
    if u64::try_from(buffer.len()).unwrap_or(u64::MAX) > limit {
        buffer.clear();
        buffer.shrink_to(16 * 1024);
        return Err(SourceError::TooLarge { path: file.to_owned() });
    }
    Ok(())
}

/// Parses the bytes of `file` into its revision, or into a problem naming the file (shown
/// relative to `display_root` when inside it) and the line.
pub fn parse_file(file: &Path, bytes: &[u8], display_root: &Path) -> Result<Revision, Problem> {
    let shown = shown_path(file, display_root);
    match parse_revision(bytes) {
        Ok(mut revision) => {
            revision.origin.path = shown;
            Ok(revision)
        }
        Err(error) => Err(Problem {
            code: ProblemCode::ParseError,
            message: error.kind.to_string(),
            locations: vec![Location::new(shown, error.line)],
            hint: None,
        }),
    }
}

/// `file` relative to `display_root` when inside it, else as given: how paths appear in
/// revisions' origins and in problems.
pub fn shown_path(file: &Path, display_root: &Path) -> PathBuf {
    strip_root(file, display_root).unwrap_or(file).to_owned()
}

/// `path` without a leading `root`, as [`Path::strip_prefix`] gives it, but comparing bytes
/// first: it runs for every file of a folder, where comparing component by component
/// shows in profiles. Falls back to `strip_prefix` for anything but `root` + separator.
pub fn strip_root<'a>(path: &'a Path, root: &Path) -> Option<&'a Path> {
    let is_separator = |c: char| std::path::is_separator(c);
    if let (Some(text), Some(root_text)) = (path.to_str(), root.to_str())
        && let Some(rest) = text.strip_prefix(root_text)
        && !root_text.is_empty()
        && (rest.starts_with(is_separator) || root_text.ends_with(is_separator))
    {
        return Some(Path::new(rest.trim_start_matches(is_separator)));
    }
    path.strip_prefix(root).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sql_recursively_and_skips_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        for path in ["a.sql", "sub/b.sql", "sub/deeper/c.sql", ".hidden/d.sql", ".e.sql", "notes.txt"] {
            std::fs::write(root.join(path), "").unwrap();
        }
        let found: Vec<_> = list_revision_files(root, root)
            .unwrap()
            .files
            .into_iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        assert_eq!(found, ["a.sql", "sub/b.sql", "sub/deeper/c.sql"]);
        // The same order as sorting the paths themselves.
        for path in ["a/b.sql", "a.sql", "a-b.sql", "a/a/z.sql", "ab.sql", "a b.sql"] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), "").unwrap();
        }
        let listed = list_revision_files(root, root).unwrap().files;
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted);
    }

    #[test]
    fn every_bad_file_is_a_problem() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.sql"), "").unwrap();
        std::fs::write(dir.path().join("b.sql"), "-- m\n-- Revision ID: b\n-- Revises: <base>\n").unwrap();
        std::fs::write(dir.path().join("c.sql"), "-- m\n-- Revision ID: c\n-- Revises: <base>\n-- migrate:up\n")
            .unwrap();
        let loaded = load_dir(dir.path(), dir.path()).unwrap();
        assert_eq!(loaded.revisions.len(), 1);
        assert_eq!(loaded.revisions[0].origin.path, Path::new("c.sql"));
        let shown: Vec<String> = loaded.problems.iter().map(|p| p.locations[0].to_string()).collect();
        assert_eq!(shown, ["a.sql:1", "b.sql:4"]);
    }

    #[test]
    fn threaded_load_keeps_path_order() {
        // Enough files for several threads; every tenth is broken.
        let dir = tempfile::tempdir().unwrap();
        let n = 256 * 3 + 7;
        for i in 0..n {
            let text = if i % 10 == 0 {
                String::new()
            } else {
                format!("-- m\n-- Revision ID: r{i:04}\n-- Revises: <base>\n-- migrate:up\n")
            };
            std::fs::write(dir.path().join(format!("{i:04}.sql")), text).unwrap();
        }
        let loaded = load_dir(dir.path(), dir.path()).unwrap();
        let ids: Vec<String> = loaded.revisions.iter().map(|r| r.id.clone()).collect();
        let expected: Vec<String> = (0..n).filter(|i| i % 10 != 0).map(|i| format!("r{i:04}")).collect();
        assert_eq!(ids, expected);
        let broken: Vec<String> = loaded.problems.iter().map(|p| p.locations[0].to_string()).collect();
        let expected: Vec<String> = (0..n).filter(|i| i % 10 == 0).map(|i| format!("{i:04}.sql:1")).collect();
        assert_eq!(broken, expected);
        assert_eq!(loaded.files.len(), n);
    }

    #[test]
    fn strip_root_agrees_with_strip_prefix() {
        let cases = [
            ("/a/b/c.sql", "/a/b"),
            ("/a/b/c.sql", "/a/b/"),
            ("/a/b//c.sql", "/a/b"),
            ("/a/bc/d.sql", "/a/b"),
            ("/a/b", "/a/b"),
            ("./m/x.sql", "."),
            ("m/x.sql", ""),
            ("/x.sql", ""),
            ("/a/./b/c.sql", "/a/b"),
            ("/other/c.sql", "/a"),
        ];
        for (path, root) in cases {
            let (path, root) = (Path::new(path), Path::new(root));
            assert_eq!(strip_root(path, root), path.strip_prefix(root).ok(), "{path:?} without {root:?}");
        }
    }

    fn problems(listing: &Listing) -> Vec<(ProblemCode, String)> {
        listing.problems.iter().map(|p| (p.code, p.to_string())).collect()
    }

    /// Two links to `.` and one to `..` used to make an exponential walk (and one link
    /// "revision id … is used by 41 files"): each folder is now listed once, and a link
    /// back to a folder that contains it is named.
    #[cfg(unix)]
    #[test]
    fn links_to_folders_are_followed_once_and_loops_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("migrations");
        std::fs::create_dir_all(root.join("v1")).unwrap();
        std::fs::write(root.join("a.sql"), "").unwrap();
        std::fs::write(root.join("v1/b.sql"), "").unwrap();
        std::os::unix::fs::symlink(".", root.join("again")).unwrap();
        std::os::unix::fs::symlink(".", root.join("more")).unwrap();
        std::os::unix::fs::symlink("..", root.join("v1/up")).unwrap();
        // A second way to the same folder adds nothing; a link to a folder outside is
        // followed as usual.
        std::os::unix::fs::symlink("v1", root.join("v1_too")).unwrap();
        std::fs::create_dir_all(dir.path().join("shared")).unwrap();
        std::fs::write(dir.path().join("shared/c.sql"), "").unwrap();
        std::os::unix::fs::symlink("../shared", root.join("shared")).unwrap();
        let listing = list_revision_files(&root, dir.path()).unwrap();
        let found: Vec<_> =
            listing.files.iter().map(|p| p.strip_prefix(&root).unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(found, ["a.sql", "shared/c.sql", "v1/b.sql"]);
        assert_eq!(
            problems(&listing),
            [
                (
                    ProblemCode::SymlinkLoop,
                    "migrations/again: migrations/again is a link to migrations, a folder that contains it; it was not followed [symlink-loop]\n  hint: remove the link: every revision file under the migrations folder is found without it".to_owned()
                ),
                (
                    ProblemCode::SymlinkLoop,
                    "migrations/more: migrations/more is a link to migrations, a folder that contains it; it was not followed [symlink-loop]\n  hint: remove the link: every revision file under the migrations folder is found without it".to_owned()
                ),
                (
                    ProblemCode::SymlinkLoop,
                    "migrations/v1/up: migrations/v1/up is a link to migrations, a folder that contains it; it was not followed [symlink-loop]\n  hint: remove the link: every revision file under the migrations folder is found without it".to_owned()
                ),
            ]
        );
        // load_dir reports them with the files' own problems.
        let loaded = load_dir(&root, dir.path()).unwrap();
        assert_eq!(loaded.problems.iter().filter(|p| p.code == ProblemCode::SymlinkLoop).count(), 3);
    }

    /// A FIFO named `a.sql` hung every command; a link to `/dev/zero` read until memory ran
    /// out. Only regular files are read.
    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let made = std::process::Command::new("mkfifo").arg(root.join("a.sql")).status().unwrap();
        assert!(made.success());
        std::os::unix::fs::symlink("/dev/zero", root.join("b.sql")).unwrap();
        std::os::unix::fs::symlink("nowhere.sql", root.join("c.sql")).unwrap();
        std::fs::write(root.join("d.sql"), "-- m\n-- Revision ID: d\n-- Revises: <base>\n-- migrate:up\n").unwrap();
        std::os::unix::fs::symlink("d.sql", root.join("e.sql")).unwrap();
        let loaded = load_dir(root, root).unwrap();
        let shown: Vec<(ProblemCode, String)> =
            loaded.problems.iter().map(|p| (p.code, format!("{}: {}", p.locations[0], p.message))).collect();
        assert_eq!(shown[0], (ProblemCode::NotAFile, "a.sql: a.sql is a FIFO (named pipe), not a regular file".into()));
        assert_eq!(
            shown[1],
            (ProblemCode::NotAFile, "b.sql: b.sql is a link to a character device, not a regular file".into())
        );
        assert_eq!(shown[2].0, ProblemCode::NotAFile);
        assert!(shown[2].1.starts_with("c.sql: c.sql is a link that cannot be followed ("), "{:?}", shown[2]);
        assert_eq!(shown.len(), 3);
        // A link to a regular file is a revision file like any other.
        assert_eq!(loaded.files, [root.join("d.sql"), root.join("e.sql")]);
    }

    #[test]
    fn files_larger_than_the_limit_are_problems() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // A sparse file: one byte over the limit, without writing 64 MiB.
        let big = std::fs::File::create(root.join("big.sql")).unwrap();
        big.set_len(MAX_REVISION_BYTES + 1).unwrap();
        std::fs::write(root.join("ok.sql"), "-- m\n-- Revision ID: ok\n-- Revises: <base>\n-- migrate:up\n").unwrap();
        let loaded = load_dir(root, root).unwrap();
        assert_eq!(loaded.revisions.len(), 1);
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(
            loaded.problems[0].to_string(),
            "big.sql: big.sql is larger than 64 MiB, the most a revision file may hold [file-too-large]\n  \
             hint: split it into several revisions, or load bulk data another way (`COPY`, `LOAD DATA`, a script run beside the migration)"
        );
        // Exactly at the limit is fine as far as size goes.
        let mut buffer = vec![0u8; 10];
        assert!(check_size(Path::new("x.sql"), &mut buffer, 10).is_ok());
        buffer.push(0);
        assert!(matches!(check_size(Path::new("x.sql"), &mut buffer, 10), Err(SourceError::TooLarge { .. })));
        assert!(buffer.is_empty());
    }

    #[test]
    fn a_file_where_the_folder_should_be_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("migrations");
        std::fs::write(&path, "").unwrap();
        let error = list_revision_files(&path, dir.path()).unwrap_err();
        assert!(matches!(error, SourceError::NotADir { kind: "a file", .. }), "{error}");
        assert_eq!(
            error.to_string(),
            format!(
                "migrations folder {} is a file, not a folder; set `dir` in [package.metadata.migrate] (or pass --dir) to the folder that holds the revision files",
                path.display()
            )
        );
    }

    #[test]
    fn missing_dir_says_how_to_create_it() {
        let error = list_revision_files(Path::new("/nonexistent/migrations"), Path::new("/")).unwrap_err();
        assert!(error.to_string().contains("cargo migrate init"));
    }
}
