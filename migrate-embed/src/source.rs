//! Finding revision files in a migrations folder and parsing them, keeping paths and lines
//! for diagnostics.

use crate::diagnostic::{Location, Problem, ProblemCode};
use crate::revision::{Revision, parse_revision};
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

/// The revisions read from a folder, plus one problem per file that did not parse.
#[derive(Debug, Default)]
pub struct LoadedRevisions {
    /// Revisions that parsed, in path order; `origin.path` is `display_root` joined with
    /// the file's path inside the folder.
    pub revisions: Vec<Revision>,
    /// Files that did not parse.
    pub problems: Vec<Problem>,
    /// Every revision file looked at, in path order (build-support watches their folders).
    pub files: Vec<PathBuf>,
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
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|error| SourceError::Io { path: folder.clone(), error })?;
        for entry in entries {
            let entry = entry.map_err(|error| SourceError::Io { path: folder.clone(), error })?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let file_type = entry.file_type().map_err(|error| SourceError::Io { path: path.clone(), error })?;
            if file_type.is_dir() || (file_type.is_symlink() && path.is_dir()) {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "sql") {
                files.push(path);
            }
        }
    }
    // Path order, compared component by component as `Path`'s `Ord` does, but on one byte
    // string per path (components joined by NUL, which sorts below every other byte): on
    // thousands of files this is several times cheaper than `sort()`.
    files.sort_by_cached_key(|path| {
        let mut key = Vec::with_capacity(path.as_os_str().len());
        for component in path.components() {
            key.extend_from_slice(component.as_os_str().as_encoded_bytes());
            key.push(0);
        }
        key
    });
    Ok(files)
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
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(8)
        .min(files.len() / FILES_PER_THREAD + 1);
    let parts: Vec<Result<Vec<Result<Revision, Problem>>, SourceError>> = if threads <= 1 {
        vec![load_files(&files, display_root)]
    } else {
        let chunk = files.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> =
                files.chunks(chunk).map(|part| scope.spawn(move || load_files(part, display_root))).collect();
            workers.into_iter().map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
        })
    };
    let mut loaded = LoadedRevisions { files, ..LoadedRevisions::default() };
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

/// Below this many files per thread, threads cost more than they save.
const FILES_PER_THREAD: usize = 256;

/// Reads and parses `files` in order: per file, the revision or the problem.
fn load_files(files: &[PathBuf], display_root: &Path) -> Result<Vec<Result<Revision, Problem>>, SourceError> {
    let mut out = Vec::with_capacity(files.len());
    // One buffer for every file, filled without asking each file's size first (`fs::read`
    // and `File::read_to_end` do, at one more system call per file).
    let mut bytes = Vec::with_capacity(16 * 1024);
    for file in files {
        bytes.clear();
        std::fs::File::open(file)
            .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, u64::MAX), &mut bytes))
            .map_err(|error| SourceError::Io { path: file.clone(), error })?;
        let shown = file.strip_prefix(display_root).map(Path::to_path_buf).unwrap_or_else(|_| file.clone());
        out.push(match parse_revision(&bytes) {
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
        });
    }
    Ok(out)
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
        let n = FILES_PER_THREAD * 3 + 7;
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
    fn missing_dir_says_how_to_create_it() {
        let error = list_revision_files(Path::new("/nonexistent/migrations")).unwrap_err();
        assert!(error.to_string().contains("cargo migrate init"));
    }
}
