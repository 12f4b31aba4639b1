//! Finding revision files in a migrations folder and parsing them, keeping paths and lines
//! for diagnostics.

use crate::diagnostic::{Location, Problem, ProblemCode};
use crate::revision::{Revision, RevisionBody, parse_revision};
use std::path::{Path, PathBuf};

/// Why a migrations folder could not be read at all (as opposed to a bad file in it).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The folder does not exist.
    #[error("migrations folder {} does not exist; run `cargo migrate init` or set `dir` in [package.metadata.migrate]", .dir.display())]
    MissingDir {
        /// The folder looked for.
        dir: PathBuf,
    },
    /// An I/O error while listing or reading.
    #[error("cannot read {}: {error}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error (shown in the message, so not also returned as `source()`).
        error: std::io::Error,
    },
}

/// The revisions read from a folder, plus one problem per file that did not parse. `B` is
/// the revisions' body: their SQL, or `()` where only headers were needed.
#[derive(Debug)]
pub struct LoadedRevisions<B = RevisionBody> {
    /// Revisions that parsed, in path order; `origin.path` is `display_root` joined with
    /// the file's path inside the folder.
    pub revisions: Vec<Revision<B>>,
    /// Files that did not parse.
    pub problems: Vec<Problem>,
    /// Every revision file looked at, in path order (build-support watches their folders).
    pub files: Vec<PathBuf>,
}

impl<B> Default for LoadedRevisions<B> {
    fn default() -> Self {
        Self { revisions: Vec::new(), problems: Vec::new(), files: Vec::new() }
    }
}

/// Every `*.sql` file under `dir`, recursively, skipping hidden files and folders, sorted.
///
/// # Errors
/// [`SourceError`] when the folder is missing or cannot be read.
pub fn list_revision_files(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    if !dir.is_dir() {
        return Err(SourceError::MissingDir { dir: dir.to_owned() });
    }
    let mut files = Vec::new();
    collect_sorted(dir, &mut files)?;
    Ok(files)
}

/// Appends the revision files under `folder` to `files` in path order: a folder's entries
/// sorted by name, each subfolder's files where its name sorts. That is the order `Path`'s
/// `Ord` gives (component by component), without sorting whole paths.
fn collect_sorted(folder: &Path, files: &mut Vec<PathBuf>) -> Result<(), SourceError> {
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
        let is_dir = file_type.is_dir() || (file_type.is_symlink() && entry.path().is_dir());
        if is_dir || bytes.ends_with(b".sql") {
            entries.push((name, is_dir));
        }
    }
    entries.sort_unstable_by(|(a, _), (b, _)| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    for (name, is_dir) in entries {
        // Built as a string, sized once: `join` copies the folder, then grows the buffer
        // and inspects both parts to place the separator.
        let mut path = std::ffi::OsString::with_capacity(folder.as_os_str().len() + 1 + name.len());
        path.push(folder);
        if folder.as_os_str().as_encoded_bytes().last().is_some_and(|&last| !std::path::is_separator(char::from(last)))
        {
            path.push(std::path::MAIN_SEPARATOR_STR);
        }
        path.push(name);
        let path = PathBuf::from(path);
        if is_dir {
            collect_sorted(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
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
    let files = list_revision_files(dir)?;
    let parts = in_chunks(&files, |part| load_files(part, display_root));
    let mut loaded =
        LoadedRevisions { revisions: Vec::with_capacity(files.len()), files, ..LoadedRevisions::default() };
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
        read_file(file, &mut bytes)?;
        out.push(parse_file(file, &bytes, display_root));
    }
    Ok(out)
}

/// Replaces `buffer`'s contents with the bytes of `file`.
///
/// One buffer serves many files, filled without asking each file's size first (`fs::read`
/// does, at one more system call per file).
///
/// # Errors
/// [`SourceError::Io`] naming the file.
pub fn read_file(file: &Path, buffer: &mut Vec<u8>) -> Result<(), SourceError> {
    buffer.clear();
    std::fs::File::open(file)
        .and_then(|handle| read_all(handle, buffer))
        .map_err(|error| SourceError::Io { path: file.to_owned(), error })
}

/// [`read_file`], also returning the file's metadata, taken from the open handle before
/// reading: never newer than the bytes, so a stat-validated cache can trust it.
///
/// # Errors
/// [`SourceError::Io`] naming the file.
pub fn read_file_with_metadata(file: &Path, buffer: &mut Vec<u8>) -> Result<std::fs::Metadata, SourceError> {
    buffer.clear();
    std::fs::File::open(file)
        .and_then(|handle| {
            let metadata = handle.metadata()?;
            read_all(handle, buffer)?;
            Ok(metadata)
        })
        .map_err(|error| SourceError::Io { path: file.to_owned(), error })
}

fn read_all(handle: std::fs::File, buffer: &mut Vec<u8>) -> std::io::Result<()> {
    std::io::Read::read_to_end(&mut std::io::Read::take(handle, u64::MAX), buffer).map(drop)
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
        let found: Vec<_> = list_revision_files(root)
            .unwrap()
            .into_iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        assert_eq!(found, ["a.sql", "sub/b.sql", "sub/deeper/c.sql"]);
        // The same order as sorting the paths themselves.
        for path in ["a/b.sql", "a.sql", "a-b.sql", "a/a/z.sql", "ab.sql", "a b.sql"] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), "").unwrap();
        }
        let listed = list_revision_files(root).unwrap();
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

    #[test]
    fn missing_dir_says_how_to_create_it() {
        let error = list_revision_files(Path::new("/nonexistent/migrations")).unwrap_err();
        assert!(error.to_string().contains("cargo migrate init"));
    }
}
