//! The linter beside the build script's chain check, on 1,000 revisions (issue 13).
//!
//! `build_script_check` is what build-support does without the linter: read the folder,
//! parse every file, check the chain, generate the embed. The `lint_*` benchmarks lint the
//! same revisions for one database each (`none`: only the rules of every database) and
//! count statements, so divan's throughput column gives statements per second (its
//! inverse is µs per statement); the ratio to `build_script_check` is the cost the linter
//! adds to a build-script run.
//!
//! ```text
//! cargo bench -p migrate-embed --bench lint --no-default-features --features lint-sql,lint-postgres
//! ```

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use migrate_embed::Config;
use migrate_embed::dialect::DatabaseKind;
use migrate_embed::embedded::generate_embed_code;
use migrate_embed::graph::check_chain;
use migrate_embed::lint::{LintSettings, Selection, lint};
use migrate_embed::source::load_dir;
use std::path::Path;

fn main() {
    divan::main();
}

const N: usize = 1_000;

fn id_of(i: usize) -> String {
    format!("{:012x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 16)
}

/// A linear history whose revisions look like real ones: a table, a column with an index,
/// a backfill, each with its down section. Four up statements per revision.
fn history() -> Vec<(String, String)> {
    (0..N)
        .map(|i| {
            let revises = if i == 0 { "<base>".to_owned() } else { id_of(i - 1) };
            let text = format!(
                "-- step {i}\n--\n-- Revision ID: {id}\n-- Revises: {revises}\n-- Create Date: 2026-12-04 10:00:00+00:00\n\n\
                 -- migrate:up\nCREATE TABLE t{i} (\n    id BIGINT PRIMARY KEY,\n    name VARCHAR(50) NOT NULL\n);\n\
                 ALTER TABLE t{i} ADD COLUMN note VARCHAR(200);\nCREATE INDEX t{i}_name ON t{i} (name);\n\
                 UPDATE t{i} SET note = 'x' WHERE id = 1;\n\n\
                 -- migrate:down\nDROP INDEX t{i}_name;\nDROP TABLE t{i};\n",
                id = id_of(i),
            );
            (format!("{}_step_{i}.sql", id_of(i)), text)
        })
        .collect()
}

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in history() {
        std::fs::write(dir.path().join(name), text).expect("write revision file");
    }
    dir
}

/// The build script's work without the linter, counted in statements like the lints.
#[divan::bench(sample_count = 30)]
fn build_script_check(bencher: Bencher) {
    let dir = folder();
    let root = dir.path();
    let config = Config::default();
    bencher.counter(ItemsCount::new(4 * N)).bench(|| {
        let loaded = load_dir(black_box(root), root).expect("folder loads");
        let graph = check_chain(loaded.revisions, loaded.problems, false).expect("valid chain");
        generate_embed_code(&graph, &config)
    });
}

fn bench_lint(bencher: Bencher, databases: &[DatabaseKind]) {
    let dir = folder();
    let loaded = load_dir(dir.path(), dir.path()).expect("folder loads");
    let graph = check_chain(loaded.revisions, loaded.problems, false).expect("valid chain");
    let mut settings = LintSettings::from_config(&Config::default());
    settings.databases = databases.to_vec();
    let report = lint(&graph, &settings, &Selection::default(), Path::new("Cargo.toml"));
    assert_eq!(report.statements, 4 * N);
    bencher
        .counter(ItemsCount::new(report.statements))
        .bench(|| lint(black_box(&graph), &settings, &Selection::default(), Path::new("Cargo.toml")));
}

#[divan::bench(sample_count = 30)]
fn lint_none(bencher: Bencher) {
    bench_lint(bencher, &[]);
}

#[divan::bench(sample_count = 30)]
fn lint_sqlite(bencher: Bencher) {
    bench_lint(bencher, &[DatabaseKind::Sqlite]);
}

#[divan::bench(sample_count = 30)]
fn lint_mysql(bencher: Bencher) {
    bench_lint(bencher, &[DatabaseKind::MySql]);
}

#[divan::bench(sample_count = 30)]
fn lint_postgres(bencher: Bencher) {
    bench_lint(bencher, &[DatabaseKind::Postgres]);
}
