//! Whole-process timings of the graph commands on 1,000 and 10,000 revisions (SPEC §9,
//! issue 3: `heads` and `history` on 10,000 revisions under 50 ms in release).
//!
//! `cargo bench -p cargo-migrate --bench commands`. Each sample starts the real binary in a
//! temporary package whose folder holds a long chain with a branch and a merge every 50
//! revisions. The graph commands keep parsed headers in a cache (`cargo_migrate::cache`):
//! `heads`, `history` and `graph` run with it warm, `*_no_cache` without it, as on a first
//! run or with `CARGO_MIGRATE_NO_CACHE=1`.

use divan::Bencher;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

const SIZES: [usize; 2] = [1_000, 10_000];

/// The package folders, made once per size and kept for the whole run.
fn package(n: usize) -> &'static Path {
    static PACKAGES: OnceLock<Vec<(usize, tempfile::TempDir)>> = OnceLock::new();
    let all = PACKAGES.get_or_init(|| {
        let packages = SIZES.iter().map(|&n| (n, make_package(n))).collect();
        // Files changed in the last two seconds are never cached; let them settle, then
        // warm each cache once.
        std::thread::sleep(cargo_migrate::cache::SETTLE_TIME + std::time::Duration::from_millis(500));
        packages
    });
    let dir = all.iter().find(|(size, _)| *size == n).map(|(_, dir)| dir.path()).expect("a size from SIZES");
    run(dir, &["heads"], true);
    dir
}

/// The cache folder for the whole run (not the user's).
fn cache_dir() -> &'static Path {
    static CACHE: OnceLock<tempfile::TempDir> = OnceLock::new();
    CACHE.get_or_init(|| tempfile::tempdir().expect("temp dir")).path()
}

fn make_package(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).expect("src");
    std::fs::write(root.join("src/main.rs"), "fn main() {}\n").expect("main.rs");
    std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"bench\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .expect("manifest");
    let migrations = root.join("migrations");
    std::fs::create_dir_all(&migrations).expect("migrations");
    let id = |i: usize| format!("{:012x}", i.wrapping_mul(0x9e37_79b9_7f4a) & 0xffff_ffff_ffff);
    for i in 0..n {
        // Every 50th revision branches off the one before its parent, and the next one
        // merges the two heads again.
        let revises = match i {
            0 => "<base>".to_owned(),
            i if i % 50 == 1 && i > 50 => id(i - 2),
            i if i % 50 == 2 && i > 50 => format!("{}, {}", id(i - 2), id(i - 1)),
            i => id(i - 1),
        };
        let text = format!(
            "-- revision number {i}\n--\n-- Revision ID: {}\n-- Revises: {revises}\n\
             -- Create Date: 2026-11-22 10:00:00+00:00\n\n-- migrate:up\n\
             CREATE TABLE t{i} (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE t{i};\n",
            id(i)
        );
        std::fs::write(migrations.join(format!("{}_revision_{i}.sql", id(i))), text).expect("revision");
    }
    // Check the fixture once: one head.
    let heads = run(root, &["heads"], false);
    assert_eq!(heads.lines().count(), 1, "{heads}");
    dir
}

fn run(dir: &Path, args: &[&str], cache: bool) -> String {
    let mut command = Command::new(binary());
    command.current_dir(dir).args(args).env("CARGO_MIGRATE_CACHE_DIR", cache_dir());
    if !cache {
        command.env("CARGO_MIGRATE_NO_CACHE", "1");
    }
    let output = command.output().expect("cargo-migrate runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cargo-migrate"))
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn heads(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| run(dir, &["heads"], true));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn history(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| run(dir, &["history"], true));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn graph(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| run(dir, &["graph"], true));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn history_json(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| run(dir, &["history", "--format", "json"], true));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn heads_no_cache(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| run(dir, &["heads"], false));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn history_no_cache(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| run(dir, &["history"], false));
}

/// The least any tool does, run side by side as whole processes: `ls -lU` stats every file
/// (what a run with a warm cache must still do), `find … -exec cat` reads every file (what
/// a run without the cache must do). Quote the commands above as ratios to these.
#[divan::bench(args = SIZES, sample_count = 30)]
fn floor_stat_every_file(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| reference(dir, "ls", &["-lU", "migrations"]));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn floor_read_every_file(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| reference(dir, "find", &["migrations", "-name", "*.sql", "-exec", "cat", "{}", "+"]));
}

fn reference(dir: &Path, program: &str, args: &[&str]) -> usize {
    let output = Command::new(program).current_dir(dir).args(args).output().expect("the reference command runs");
    assert!(output.status.success(), "{program}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout.len()
}
