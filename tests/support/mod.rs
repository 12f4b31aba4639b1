//! Helpers shared by the end-to-end tests: temp Cargo projects, the workspace root,
//! and the database URLs (skipping clearly, or failing under CI, when they are absent).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The workspace root: the nearest folder above the package that holds `Cargo.lock`.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .expect("the package sits inside the workspace")
        .to_path_buf()
}

/// A target dir shared by every nested `cargo build`, so dependencies compile once.
pub fn nested_target_dir() -> PathBuf {
    workspace_root().join("target").join("e2e")
}

/// Writes `files` (relative path, contents) under `root`, creating folders.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// A revision file's text.
pub fn revision(id: &str, revises: &str, message: &str, up: &str, down: &str) -> String {
    format!(
        "-- {message}\n--\n-- Revision ID: {id}\n-- Revises: {revises}\n-- Create Date: 2026-11-22 10:00:00+00:00\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n"
    )
}

/// The URL of a test server from `var`, or `None` after saying the test is skipped.
/// Under `MIGRATE_REQUIRE_DATABASES=1` (as `.ci/run` sets) a missing URL fails instead.
pub fn database_url(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("MIGRATE_REQUIRE_DATABASES").is_ok_and(|v| v == "1") {
                panic!("{test}: {var} is not set, and MIGRATE_REQUIRE_DATABASES=1 forbids skipping database tests");
            }
            eprintln!("SKIPPED {test}: set {var} to run it against a real server");
            None
        }
    }
}

/// A unique, valid database name for one test.
pub fn unique_name(prefix: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u32(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{prefix}_{:012x}", hasher.finish() & 0xffff_ffff_ffff)
}

/// `url` with its database (path) replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[authority_start..].find('/').map_or(url.len(), |i| authority_start + i);
    let query_start = url[path_start..].find('?').map_or(url.len(), |i| path_start + i);
    format!("{}/{name}{}", &url[..path_start], &url[query_start..])
}

/// Copies the example application into `dir` as a package of its own named `name` (with
/// its real `build.rs`, `src/main.rs` and migrations, dependencies by path, the workspace's
/// lock file), so a test can change it and build it alone. `default_url: false` leaves out
/// the config's `database_url`.
pub fn copy_example(dir: &Path, name: &str, default_url: bool) {
    let root = workspace_root();
    let example = root.join("examples/todo");
    for entry in ["src/main.rs", "build.rs"] {
        std::fs::create_dir_all(dir.join(entry).parent().unwrap()).unwrap();
        std::fs::copy(example.join(entry), dir.join(entry)).unwrap();
    }
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    for file in std::fs::read_dir(example.join("migrations")).unwrap() {
        let file = file.unwrap();
        std::fs::copy(file.path(), dir.join("migrations").join(file.file_name())).unwrap();
    }
    let config =
        if default_url { "[package.metadata.migrate]\ndatabase_url = \"sqlite://todo.db?mode=rwc\"\n" } else { "" };
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n\n{config}\n\
         [dependencies]\nmigrate-embed = {{ path = {:?} }}\n\
         tokio = {{ version = \"1\", features = [\"rt\", \"macros\", \"time\", \"rt-multi-thread\"] }}\n\
         sqlx = {{ version = \"0.8\", default-features = false, features = [\"runtime-tokio\", \"sqlite\", \"postgres\", \"mysql\", \"any\"] }}\n\
         clap = {{ version = \"4.5\", features = [\"derive\", \"env\", \"wrap_help\"] }}\nanyhow = \"1\"\n\n\
         [build-dependencies]\nbuild-support = {{ path = {:?} }}\n",
        root.join("migrate-embed"),
        root.join("build-support"),
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
}
