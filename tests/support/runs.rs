//! Running the real `cargo-migrate` binary against a package of revisions, for the tests
//! that drive whole processes. (Included with `#[path]` next to `server_db.rs` by the
//! tests of the cargo-migrate package.)
#![allow(dead_code)]

use crate::support::{revision, write_files};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// The command for `cargo-migrate ARGS --database-url URL` in `dir`, with the header cache
/// off, no colour and no `DATABASE_URL` from the environment.
pub fn command(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-migrate"));
    command
        .env("CARGO_MIGRATE_NO_CACHE", "1")
        .args(args)
        .arg("--database-url")
        .arg(url)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1");
    command
}

/// Runs `cargo-migrate ARGS --database-url URL` in `dir` to the end.
pub fn cargo_migrate(dir: &Path, url: &str, args: &[&str]) -> Output {
    command(dir, url, args).output().expect("cargo-migrate runs")
}

/// Starts `cargo-migrate ARGS --database-url URL` in `dir`, output captured.
pub fn spawn(dir: &Path, url: &str, args: &[&str]) -> Child {
    command(dir, url, args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("cargo-migrate starts")
}

/// stdout then stderr, as text.
pub fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// A package whose revisions each insert their id into `applied` (r00 creates it); `slow`
/// appends a statement (a sleep) to revision `at`, and `non_transactional` marks revisions
/// `Transactional: false`.
pub fn package(dir: &Path, count: usize, slow: Option<(usize, &str)>) {
    package_with(dir, count, slow, &[]);
}

/// [`package`], with the revisions at `non_transactional` marked `Transactional: false`.
pub fn package_with(dir: &Path, count: usize, slow: Option<(usize, &str)>, non_transactional: &[usize]) {
    write_files(
        dir,
        &[
            ("Cargo.toml", "[package]\nname = \"dbapp\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("src/main.rs", "fn main() {}\n"),
        ],
    );
    let mut files = vec![(
        "migrations/r00.sql".to_owned(),
        revision(
            "r00",
            "<base>",
            "create applied",
            "CREATE TABLE applied (revision VARCHAR(10) NOT NULL);",
            "DROP TABLE applied;",
        ),
    )];
    for i in 1..count {
        let (id, parent) = (format!("r{i:02}"), format!("r{:02}", i - 1));
        let mut up = format!("INSERT INTO applied VALUES ('{id}');");
        if let Some((at, sleep)) = slow
            && at == i
        {
            up = format!("{up}\n{sleep}");
        }
        let mut text =
            revision(&id, &parent, &format!("step {i}"), &up, &format!("DELETE FROM applied WHERE revision = '{id}';"));
        if non_transactional.contains(&i) {
            text = text.replacen("-- Create Date:", "-- Transactional: false\n-- Create Date:", 1);
        }
        files.push((format!("migrations/{id}.sql"), text));
    }
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    write_files(dir, &borrowed);
}

/// The first column of the first row of `sql`, a whole number.
pub fn scalar(url: &str, sql: &str) -> i64 {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(crate::server_db::scalar_i64(url, sql))
}

/// [`scalar`], or 0 when the query fails (e.g. the table does not exist yet).
pub fn scalar_or_zero(url: &str, sql: &str) -> i64 {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(crate::server_db::try_scalar_i64(url, sql)).unwrap_or(0)
}
