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
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
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
    /// Every file and folder looked at (for `rerun-if-changed`).
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
        let entries = std::fs::read_dir(&folder).map_err(|source| SourceError::Io { path: folder.clone(), source })?;
        for entry in entries {
            let entry = entry.map_err(|source| SourceError::Io { path: folder.clone(), source })?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let file_type = entry.file_type().map_err(|source| SourceError::Io { path: path.clone(), source })?;
            if file_type.is_dir() || (file_type.is_symlink() && path.is_dir()) {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "sql") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Reads and parses every revision file under `dir`. Files that fail to parse become
/// problems (all of them, not just the first); paths in revisions and problems are shown
/// relative to `display_root` when they are inside it.
///
/// # Errors
/// [`SourceError`] when the folder or a file cannot be read.
pub fn load_dir(dir: &Path, display_root: &Path) -> Result<LoadedRevisions, SourceError> {
    let files = list_revision_files(dir)?;
    let mut loaded = LoadedRevisions { files: files.clone(), ..LoadedRevisions::default() };
    for file in files {
        let bytes = std::fs::read(&file).map_err(|source| SourceError::Io { path: file.clone(), source })?;
        let shown = file.strip_prefix(display_root).map(Path::to_path_buf).unwrap_or_else(|_| file.clone());
        match parse_revision(&bytes) {
            Ok(mut revision) => {
                revision.origin.path = shown;
                loaded.revisions.push(revision);
            }
            Err(error) => loaded.problems.push(Problem {
                code: ProblemCode::ParseError,
                message: error.kind.to_string(),
                locations: vec![Location::new(shown, error.line)],
                hint: None,
            }),
        }
    }
    Ok(loaded)
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
    fn missing_dir_says_how_to_create_it() {
        let error = list_revision_files(Path::new("/nonexistent/migrations")).unwrap_err();
        assert!(error.to_string().contains("cargo migrate init"));
    }
}
