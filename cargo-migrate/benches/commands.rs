//! Whole-process timings of the graph commands on 1,000 and 10,000 revisions (SPEC §9,
//! issue 3: `heads` and `history` on 10,000 revisions under 50 ms in release).
//!
//! `cargo bench -p cargo-migrate --bench commands`. Each sample starts the real binary in a
//! temporary package whose folder holds a long chain with a branch and a merge every 50
//! revisions.

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
    let all = PACKAGES.get_or_init(|| SIZES.iter().map(|&n| (n, make_package(n))).collect());
    all.iter().find(|(size, _)| *size == n).map(|(_, dir)| dir.path()).expect("a size from SIZES")
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
    let heads = run(root, &["heads"]);
    assert_eq!(heads.lines().count(), 1, "{heads}");
    dir
}

fn run(dir: &Path, args: &[&str]) -> String {
    let output = Command::new(binary()).current_dir(dir).args(args).output().expect("cargo-migrate runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cargo-migrate"))
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn heads(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| run(dir, &["heads"]));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn history(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| run(dir, &["history"]));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn graph(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| run(dir, &["graph"]));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn history_json(bencher: Bencher, n: usize) {
    let dir = package(n);
    bencher.bench(|| run(dir, &["history", "--format", "json"]));
}
