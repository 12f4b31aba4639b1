//! `cargo migrate lint` end to end, without a database: findings with file and line, the
//! config and `Lint-Allow` levels, `--since`, `--explain`, `--format json`, exit codes,
//! `check` including the findings, and the repository's own revisions (the example and
//! the seed chains) linting clean.

mod support;

use std::path::Path;
use std::process::Output;
use support::{workspace_root, write_files};

fn cargo_migrate(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cargo-migrate"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("CARGO_MIGRATE_CACHE_DIR", dir.join(".cache"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn texts(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn revision(id: &str, parent: &str, extra: &str, up: &str, down: Option<&str>) -> String {
    let down = down.map(|d| format!("\n-- migrate:down\n{d}\n")).unwrap_or_default();
    format!("-- {id}\n--\n-- Revision ID: {id}\n-- Revises: {parent}\n{extra}\n-- migrate:up\n{up}\n{down}")
}

/// A package targeting `database` with `lint` appended to its manifest.
fn package(database: &str, lint: &str, files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifest = format!(
        "[package]\nname = \"linted\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.migrate]\ndatabase_url = \"{database}\"\n{lint}"
    );
    write_files(dir.path(), &[("Cargo.toml", &manifest), ("src/main.rs", "fn main() {}\n")]);
    std::fs::create_dir_all(dir.path().join("migrations")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("migrations").join(name), text).unwrap();
    }
    dir
}

fn postgres_chain() -> Vec<(&'static str, String)> {
    vec![
        (
            "a1_orders.sql",
            revision(
                "a1",
                "<base>",
                "",
                "CREATE TABLE orders (id BIGINT, user_id BIGINT);",
                Some("DROP TABLE orders;"),
            ),
        ),
        (
            "b2_index.sql",
            revision(
                "b2",
                "a1",
                "",
                "SELECT 1;\nCREATE INDEX ix_orders_user ON orders (user_id);",
                Some("DROP INDEX ix_orders_user;"),
            ),
        ),
    ]
}

#[test]
fn postgres_findings_name_file_line_and_code_and_levels_apply() {
    let project = package("postgres://db/app", "", &postgres_chain());
    let output = cargo_migrate(project.path(), &["lint"]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "warnings do not fail: {stderr}");
    assert!(stdout.contains("warning[require-concurrent-index-creation]: "), "{stdout}");
    assert!(stdout.contains("  --> migrations/b2_index.sql:8:1 (revision b2)"), "{stdout}");
    assert!(stdout.contains("lint: 1 warning and 0 errors in 2 revisions"), "{stdout}");

    // deny in the config: exit 1, the finding as an error.
    let project = package(
        "postgres://db/app",
        "\n[package.metadata.migrate.lint]\nrequire-concurrent-index-creation = \"deny\"\n",
        &postgres_chain(),
    );
    let output = cargo_migrate(project.path(), &["lint"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("error[require-concurrent-index-creation]: "), "{stdout}");
    assert!(stderr.contains("1 lint finding at level `deny`"), "{stderr}");

    // The safe rewrite is clean, even with the rule at deny.
    let mut chain = postgres_chain();
    chain[1].1 = revision(
        "b2",
        "a1",
        "-- Transactional: false",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_orders_user ON orders (user_id);",
        Some("DROP INDEX CONCURRENTLY IF EXISTS ix_orders_user;"),
    );
    let project = package(
        "postgres://db/app",
        "\n[package.metadata.migrate.lint]\nrequire-concurrent-index-creation = \"deny\"\n",
        &chain,
    );
    let output = cargo_migrate(project.path(), &["lint"]);
    assert!(output.status.success() && texts(&output).0.contains("lint: 0 warnings"), "{:?}", texts(&output));
}

#[test]
fn lint_allow_silences_one_revision_and_unknown_codes_are_errors() {
    let mut chain = postgres_chain();
    chain[1].1 = revision(
        "b2",
        "a1",
        "-- Lint-Allow: require-concurrent-index-creation",
        "SELECT 1;\nCREATE INDEX ix_orders_user ON orders (user_id);",
        Some("DROP INDEX ix_orders_user;"),
    );
    let project = package("postgres://db/app", "", &chain);
    let (stdout, _) = texts(&cargo_migrate(project.path(), &["lint"]));
    // Silenced: this finding, and the two timeout rules that are off by default.
    assert!(stdout.contains("lint: 0 warnings") && stdout.contains("3 silenced"), "{stdout}");

    chain[1].1 = chain[1].1.replace("require-concurrent-index-creation", "require-concurrent-index");
    let project = package("postgres://db/app", "", &chain);
    let output = cargo_migrate(project.path(), &["lint"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("migrations/b2_index.sql:5: `Lint-Allow` names `require-concurrent-index`"), "{stderr}");
    assert!(stderr.contains("require-concurrent-index-creation"), "suggests the code: {stderr}");

    // An unknown rule in the config names the key and the manifest.
    let project =
        package("postgres://db/app", "\n[package.metadata.migrate.lint]\nno-such-rule = \"deny\"\n", &postgres_chain());
    let output = cargo_migrate(project.path(), &["lint"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("Cargo.toml") && stderr.contains("`no-such-rule`"), "{stderr}");
}

#[test]
fn json_since_and_explain() {
    let project = package("postgres://db/app", "", &postgres_chain());
    let output = cargo_migrate(project.path(), &["lint", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "require-concurrent-index-creation");
    assert_eq!(finding["level"], "warn");
    assert_eq!(finding["path"], "migrations/b2_index.sql");
    assert_eq!(finding["line"], 8);
    assert_eq!(finding["database"], "postgres");
    assert_eq!(json["revisions"], 2);
    assert_eq!(json["warnings"], 1);

    // --since a1: only b2 is checked. --since b2: nothing.
    let output = cargo_migrate(project.path(), &["lint", "--since", "a1", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((json["revisions"].as_u64(), json["warnings"].as_u64()), (Some(1), Some(1)));
    let output = cargo_migrate(project.path(), &["lint", "b2", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["revisions"], 1);
    let output = cargo_migrate(project.path(), &["lint", "--since", "b2", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["revisions"], 0);

    let (stdout, _) =
        texts(&cargo_migrate(project.path(), &["lint", "--explain", "require-concurrent-index-creation"]));
    assert!(
        stdout.contains("Safe rewrite:") && stdout.contains("CONCURRENTLY") && stdout.contains("Lint-Allow"),
        "{stdout}"
    );
    let (stdout, _) = texts(&cargo_migrate(project.path(), &["lint", "--explain"]));
    for code in ["missing-down", "removes-deployed-object", "mysql-blocking-alter", "sqlite-unsupported-alter"] {
        assert!(stdout.contains(code), "{code} missing from the list:\n{stdout}");
    }
    let output = cargo_migrate(project.path(), &["lint", "--explain", "ban-drop-column"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(texts(&output).1.contains("removes-deployed-object"));
}

#[test]
fn check_includes_lint_findings() {
    let files = vec![(
        "a1_t.sql",
        revision("a1", "<base>", "", "CREATE TABLE t (id INTEGER PRIMARY KEY);\nDELETE FROM t;", Some("DROP TABLE t;")),
    )];
    let project = package("sqlite://dev.db?mode=rwc", "", &files);
    let output = cargo_migrate(project.path(), &["upgrade", "head"]);
    assert!(output.status.success(), "{:?}", texts(&output));
    let output = cargo_migrate(project.path(), &["check"]);
    let (stdout, stderr) = texts(&output);
    // t was created by the same revision: emptying it is not a finding.
    assert!(output.status.success() && !stderr.contains("warning"), "{stdout}{stderr}");

    let files = vec![
        ("a1_t.sql", revision("a1", "<base>", "", "CREATE TABLE t (id INTEGER PRIMARY KEY);", Some("DROP TABLE t;"))),
        ("b2_empty.sql", revision("b2", "a1", "", "DELETE FROM t;", Some("SELECT 1;"))),
    ];
    let project = package("sqlite://dev.db?mode=rwc", "", &files);
    assert!(cargo_migrate(project.path(), &["upgrade", "head"]).status.success());
    let output = cargo_migrate(project.path(), &["check"]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "a warning does not fail check: {stdout}{stderr}");
    assert!(
        stderr.contains("warning: migrations/b2_empty.sql:7: deletes every row of table t [destructive-statement]"),
        "{stderr}"
    );

    std::fs::write(
        project.path().join("Cargo.toml"),
        std::fs::read_to_string(project.path().join("Cargo.toml")).unwrap()
            + "\n[package.metadata.migrate.lint]\ndestructive-statement = \"deny\"\n",
    )
    .unwrap();
    let output = cargo_migrate(project.path(), &["check"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("migrations/b2_empty.sql:7: deletes every row of table t [destructive-statement]"),
        "{stderr}"
    );
}

#[test]
fn the_repository_revisions_lint_clean() {
    let root = workspace_root();
    let example = root.join("examples/todo");
    let output = cargo_migrate(&example, &["lint", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["findings"], serde_json::json!([]), "examples/todo");
    for database in ["postgres", "mysql", "sqlite"] {
        let dir = root.join("tests/fixtures/seeds").join(database);
        let url = format!("{database}://localhost/seeds");
        let output = cargo_migrate(
            &example,
            &["lint", "--format", "json", "--dir", dir.to_str().unwrap(), "--database-url", &url],
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(json["findings"], serde_json::json!([]), "{database} seeds");
        assert_eq!(json["errors"], serde_json::json!([]), "{database} seeds");
        assert_eq!(json["revisions"], 9);
    }
}
