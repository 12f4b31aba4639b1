//! Snapshot tests (insta) for what people read: the `--help` of every command, the
//! Alembic-style listings, the offline `--sql` scripts per database, and the messages for
//! bad input. A change to any of them shows up as a diff to review
//! (`cargo insta review`, or `INSTA_UPDATE=always` then `git diff tests/snapshots`).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{workspace_root, write_files};

/// `cargo-migrate ARGS` in `dir`, with a fixed environment; (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-migrate"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_MIGRATE_NO_CACHE", "1")
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1798019999")
        .env_remove("DATABASE_URL")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("cargo-migrate runs");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// A package whose migrations are one of the seed chains (the Alembic articles' DDL).
fn seed_package(kind: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("Cargo.toml", "[package]\nname = \"seeds\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")],
    );
    let source: PathBuf = workspace_root().join("tests/fixtures/seeds").join(kind);
    std::fs::create_dir_all(dir.path().join("migrations")).unwrap();
    for file in std::fs::read_dir(source).unwrap() {
        let file = file.unwrap();
        std::fs::copy(file.path(), dir.path().join("migrations").join(file.file_name())).unwrap();
    }
    dir
}

#[test]
fn help_of_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let commands = [
        "init",
        "revision",
        "merge",
        "heads",
        "branches",
        "show",
        "history",
        "graph",
        "upgrade",
        "downgrade",
        "current",
        "stamp",
        "check",
        "repair",
        "lint",
        "schema",
        "completions",
    ];
    let (code, top, _) = run(dir.path(), &["--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("help", top);
    for command in commands {
        let (code, help, stderr) = run(dir.path(), &[command, "--help"]);
        assert_eq!(code, 0, "{command}: {stderr}");
        insta::assert_snapshot!(format!("help_{command}"), help);
    }
}

#[test]
fn listings_of_the_seed_chain() {
    let dir = seed_package("postgres");
    for (name, args) in [
        ("history", &["history"][..]),
        ("history_verbose", &["history", "-v"]),
        ("history_range", &["history", "-r", "27c6:e7a9"]),
        ("heads", &["heads", "-v"]),
        ("branches", &["branches"]),
        ("show_merge", &["show", "5e9a"]),
        ("graph", &["graph"]),
        ("graph_dot", &["graph", "--format", "dot"]),
        ("graph_mermaid", &["graph", "--format", "mermaid"]),
    ] {
        let (code, out, err) = run(dir.path(), args);
        assert_eq!(code, 0, "{name}: {err}");
        insta::assert_snapshot!(format!("listing_{name}"), out);
    }
}

#[test]
fn lint_report_and_explanations() {
    let dir = seed_package("postgres");
    // Without the seed chain's justified Lint-Allow headers, its two findings show.
    for file in std::fs::read_dir(dir.path().join("migrations")).unwrap() {
        let path = file.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: Vec<&str> = text.lines().filter(|line| !line.starts_with("-- Lint-Allow:")).collect();
        std::fs::write(&path, kept.join("\n") + "\n").unwrap();
    }
    for (name, args) in [
        ("report", &["lint", "--database-url", "postgres://app@db/seeds"][..]),
        ("explain_list", &["lint", "--explain"]),
        ("explain_removes_deployed_object", &["lint", "--explain", "removes-deployed-object"]),
    ] {
        let (code, out, err) = run(dir.path(), args);
        assert_eq!(code, 0, "{name}: {err}");
        insta::assert_snapshot!(format!("lint_{name}"), out);
    }
}

#[test]
fn offline_scripts_per_database() {
    for (kind, url) in
        [("sqlite", "sqlite://seeds.db"), ("postgres", "postgres://app@db/seeds"), ("mysql", "mysql://app@db/seeds")]
    {
        let dir = seed_package(kind);
        let (code, up, err) = run(dir.path(), &["upgrade", "head", "--sql", "--database-url", url]);
        assert_eq!(code, 0, "{kind}: {err}");
        insta::assert_snapshot!(format!("sql_upgrade_{kind}"), up);
        let (code, down, err) =
            run(dir.path(), &["downgrade", "e7a9c1b3d5f2:5e9a0b4c7d21", "--sql", "--database-url", url]);
        assert_eq!(code, 0, "{kind}: {err}");
        insta::assert_snapshot!(format!("sql_downgrade_{kind}"), down);
    }
}

#[test]
fn messages_for_bad_input() {
    let dir = seed_package("sqlite");
    let broken = dir.path().join("migrations/ffff00000001_broken.sql");
    std::fs::write(&broken, "-- broken\n-- Revision ID: ffff00000001\n-- Revises: nope\n-- migrate:up\nSELECT 1;\n")
        .unwrap();
    let cases: &[(&str, &[&str])] = &[("missing_parent", &["heads"])];
    for (name, args) in cases {
        let (code, out, err) = run(dir.path(), args);
        insta::assert_snapshot!(format!("error_{name}"), format!("exit {code}\n--- stdout\n{out}--- stderr\n{err}"));
    }
    std::fs::remove_file(&broken).unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("unknown_revision", &["show", "zz"]),
        ("unknown_target", &["upgrade", "nope", "--sql", "--database-url", "sqlite://x.db"]),
        ("unknown_scheme", &["upgrade", "head", "--sql", "--database-url", "oracle://db/x"]),
        ("downgrade_needs_range", &["downgrade", "base", "--sql", "--database-url", "sqlite://x.db"]),
        ("range_without_sql", &["upgrade", "a:b", "--database-url", "sqlite://x.db"]),
        ("lock_timeout_out_of_range", &["upgrade", "head", "--lock-timeout", "86401"]),
        ("unknown_lock", &["upgrade", "head", "--lock", "sometimes"]),
        ("no_url", &["current"]),
    ];
    for (name, args) in cases {
        let (code, out, err) = run(dir.path(), args);
        insta::assert_snapshot!(format!("error_{name}"), format!("exit {code}\n--- stdout\n{out}--- stderr\n{err}"));
    }
}
