//! `cargo build` of a real package whose build.rs uses build-support: passes on a good
//! chain, fails on each broken one naming the file, and re-runs when files change.

mod support;

use std::path::Path;
use std::process::Command;
use support::{nested_target_dir, revision, workspace_root, write_files};

fn cargo_build(project: &Path) -> (bool, String) {
    cargo_run(project, true)
}

/// `cargo run` in the project; `quiet` hides Cargo's progress (and build-script warnings).
fn cargo_run(project: &Path, quiet: bool) -> (bool, String) {
    let args: &[&str] = if quiet { &["run", "--quiet", "--offline"] } else { &["run", "--offline"] };
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", nested_target_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

fn new_project(dir: &Path) {
    let root = workspace_root();
    let manifest = format!(
        "[package]\nname = \"chain-check-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n\
         [dependencies]\nmigrate-embed = {{ path = {:?}, default-features = false }}\n\n\
         [build-dependencies]\nbuild-support = {{ path = {:?} }}\n",
        root.join("migrate-embed"),
        root.join("build-support"),
    );
    write_files(
        dir,
        &[
            ("Cargo.toml", &manifest),
            (
                "build.rs",
                "use build_support::ResultExt;\nfn main() { build_support::embed_migrations().unwrap_or_exit(); }\n",
            ),
            (
                "src/main.rs",
                "static MIGRATIONS: migrate_embed::EmbeddedMigrations = migrate_embed::embedded_migrations!();\n\
                 fn main() {\n\
                     let ids: Vec<&str> = MIGRATIONS.revisions().iter().map(|r| r.id()).collect();\n\
                     println!(\"revisions: {}\", ids.join(\",\"));\n\
                     let graph = MIGRATIONS.graph();\n\
                     let sums: Vec<&str> = graph.revisions().iter().map(|r| &r.body.checksum[..8]).collect();\n\
                     println!(\"checksums: {}\", sums.join(\",\"));\n\
                 }\n",
            ),
            ("migrations/a1_first.sql", &revision("a1", "<base>", "first", "CREATE TABLE t (x INT);", "DROP TABLE t;")),
            ("migrations/b2_second.sql", &revision("b2", "a1", "second", "ALTER TABLE t ADD y INT;", "SELECT 1;")),
        ],
    );
    // The project lock file pins the same versions the workspace uses, so `--offline` works.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
}

#[test]
fn build_passes_fails_and_reruns() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    new_project(dir);
    let (ok, out) = cargo_build(dir);
    assert!(ok, "good chain should build:\n{out}");
    assert!(out.contains("revisions: a1,b2"), "{out}");

    // Each broken chain fails the build, naming the file and the rule.
    let head = "-- m\n-- Revision ID: c3\n-- Revises: b2\n";
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        (
            "dup.sql",
            revision("b2", "a1", "dup", "SELECT 1;", "SELECT 1;").into_bytes(),
            &["migrations/dup.sql", "b2_second.sql", "duplicate-revision"],
        ),
        (
            "c3.sql",
            revision("c3", "zz9", "orphan", "SELECT 1;", "").into_bytes(),
            &["migrations/c3.sql:4", "revises zz9", "missing-parent"],
        ),
        (
            "c3.sql",
            format!("{head}-- Depends On: nope\n-- migrate:up\n").into_bytes(),
            &["migrations/c3.sql:4", "depends on nope", "missing-dependency"],
        ),
        (
            "c3.sql",
            revision("c3", "c3", "self", "SELECT 1;", "").into_bytes(),
            &["migrations/c3.sql:4", "revision c3 revises itself", "cycle"],
        ),
        (
            "c3.sql",
            format!("{head}-- Depends On: c3\n-- migrate:up\n").into_bytes(),
            &["migrations/c3.sql:4", "revision c3 depends on itself", "cycle"],
        ),
        (
            "c3.sql",
            revision("c3", "a1", "fork", "SELECT 1;", "").into_bytes(),
            &["2 heads", "c3 (fork)", "cargo migrate merge heads"],
        ),
        (
            "c3.sql",
            format!("{head}-- Branch Labels: a1\n-- migrate:up\n").into_bytes(),
            &["migrations/c3.sql:4", "label-collides-with-id"],
        ),
        (
            "c3.sql",
            format!("{head}-- Branch Labels: heads\n-- migrate:up\n").into_bytes(),
            &["migrations/c3.sql:4", "reserved word"],
        ),
        (
            "c3.sql",
            format!("{head}-- Colour: red\n-- migrate:up\n").into_bytes(),
            &["migrations/c3.sql:4", "unknown header key `Colour`"],
        ),
        (
            "c3.sql",
            format!("{head}-- Revises: a1\n-- migrate:up\n").into_bytes(),
            &["migrations/c3.sql:4", "`Revises` is given twice"],
        ),
        ("c3.sql", head.as_bytes().to_vec(), &["migrations/c3.sql:4", "no `-- migrate:up`"]),
        (
            "c3.sql",
            format!("{head}-- migrate:down\n-- migrate:up\n").into_bytes(),
            &["migrations/c3.sql:4", "before `-- migrate:up`"],
        ),
        ("c3.sql", Vec::new(), &["migrations/c3.sql:1", "the file is empty"]),
        ("c3.sql", b"-- m\n-- Revision ID: c\xff3\n".to_vec(), &["migrations/c3.sql:2", "not valid UTF-8"]),
    ];
    for (name, bytes, needles) in &cases {
        let path = dir.join("migrations").join(name);
        std::fs::write(&path, bytes).unwrap();
        let (ok, out) = cargo_build(dir);
        assert!(!ok, "{name} {:?} should fail the build:\n{out}", String::from_utf8_lossy(bytes));
        assert!(out.contains("error: "), "{out}");
        for needle in needles.iter() {
            assert!(out.contains(needle), "expected `{needle}` in:\n{out}");
        }
        assert!(!out.contains("panicked"), "{out}");
        std::fs::remove_file(&path).unwrap();
    }

    // Two problems at once are both reported.
    write_files(dir, &[("migrations/x.sql", ""), ("migrations/y.sql", &revision("y9", "nope", "y", "SELECT 1;", ""))]);
    let (ok, out) = cargo_build(dir);
    assert!(!ok && out.contains("migrations/x.sql:1") && out.contains("migrations/y.sql:4"), "{out}");
    std::fs::remove_file(dir.join("migrations/x.sql")).unwrap();
    std::fs::remove_file(dir.join("migrations/y.sql")).unwrap();

    // Adding a revision (in a subfolder, even) re-runs the check and changes the binary.
    write_files(dir, &[("migrations/later/c3_third.sql", &revision("c3", "b2", "third", "SELECT 3;", "SELECT 3;"))]);
    let (ok, out) = cargo_build(dir);
    assert!(ok && out.contains("revisions: a1,b2,c3"), "{out}");
    // Deleting it is seen too.
    std::fs::remove_file(dir.join("migrations/later/c3_third.sql")).unwrap();
    let (ok, out) = cargo_build(dir);
    assert!(ok && out.contains("revisions: a1,b2\n"), "{out}");

    // Editing a revision changes the binary.
    let checksums = |out: &str| out.lines().find(|l| l.starts_with("checksums: ")).map(str::to_owned);
    let before = checksums(&out);
    write_files(
        dir,
        &[("migrations/b2_second.sql", &revision("b2", "a1", "second", "ALTER TABLE t ADD z INT;", "SELECT 1;"))],
    );
    let (ok, out) = cargo_build(dir);
    assert!(
        ok && checksums(&out).is_some() && checksums(&out) != before,
        "an edit must change the embedded checksum:\n{out}"
    );

    // Nothing changed: nothing reruns or rebuilds.
    let output = Command::new(env!("CARGO"))
        .args(["build", "--offline", "-v"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", nested_target_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let verbose = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && verbose.contains("Fresh chain-check-app"), "{verbose}");
    assert!(!verbose.contains("build-script-build`"), "the build script must not rerun:\n{verbose}");
}

/// The build script lints: findings are Cargo warnings with file and line, a `deny` rule
/// fails the build, all without a database; an unchanged chain rebuilds nothing.
#[test]
fn build_prints_lint_findings_and_fails_on_deny() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    new_project(dir);
    let manifest_path = dir.join("Cargo.toml");
    // A name of its own: the other test builds `chain-check-app` in the same target dir at
    // the same time.
    let manifest = std::fs::read_to_string(&manifest_path).unwrap().replace("chain-check-app", "lint-check-app");
    // MySQL: an ALTER that copies the table (read by its keywords: build-support's default).
    let with_config = |lint: &str| {
        manifest.replace(
            "[dependencies]",
            &format!("[package.metadata.migrate]\ndatabase_url = \"mysql://db/app\"\n{lint}\n[dependencies]"),
        )
    };
    std::fs::write(&manifest_path, with_config("")).unwrap();
    write_files(
        dir,
        &[(
            "migrations/c3_widen.sql",
            &revision("c3", "b2", "widen", "SELECT 1;\nALTER TABLE t MODIFY x BIGINT;", "ALTER TABLE t MODIFY x INT;"),
        )],
    );
    let (ok, out) = cargo_run(dir, false);
    assert!(ok, "warnings do not fail the build:\n{out}");
    // Cargo prints `warning: <package>@<version>: <line>`.
    assert!(
        out.contains("warning: lint-check-app@0.1.0: migrations/c3_widen.sql:9: MODIFY/CHANGE COLUMN blocks writes"),
        "{out}"
    );
    assert!(out.contains("[mysql-blocking-alter]"), "{out}");

    // The safe rewrite is clean.
    write_files(
        dir,
        &[(
            "migrations/c3_widen.sql",
            &revision(
                "c3",
                "b2",
                "widen",
                "SELECT 1;\nALTER TABLE t MODIFY x BIGINT, ALGORITHM=INPLACE, LOCK=NONE;",
                "ALTER TABLE t MODIFY x INT, ALGORITHM=INPLACE, LOCK=NONE;",
            ),
        )],
    );
    let (ok, out) = cargo_run(dir, false);
    assert!(ok && !out.contains("mysql-blocking-alter"), "{out}");

    // deny: the build fails with the finding as an error; nothing panics.
    write_files(
        dir,
        &[(
            "migrations/c3_widen.sql",
            &revision("c3", "b2", "widen", "SELECT 1;\nALTER TABLE t MODIFY x BIGINT;", "ALTER TABLE t MODIFY x INT;"),
        )],
    );
    std::fs::write(&manifest_path, with_config("[package.metadata.migrate.lint]\nmysql-blocking-alter = \"deny\"\n"))
        .unwrap();
    let (ok, out) = cargo_run(dir, false);
    assert!(!ok, "a deny rule fails the build:\n{out}");
    assert!(out.contains("error: lint-check-app@0.1.0: migrations/c3_widen.sql:9: "), "{out}");
    assert!(!out.contains("panicked"), "{out}");

    // A statement no parser reads builds (build-support's default reads keywords only;
    // with `lint-sql`, it would warn as `unparsed-statement`); an unknown code fails.
    std::fs::write(&manifest_path, with_config("")).unwrap();
    write_files(
        dir,
        &[(
            "migrations/c3_widen.sql",
            &revision("c3", "b2", "odd", "ALTER TABLE t SOMETHING MARIADB ONLY;", "SELECT 1;"),
        )],
    );
    let (ok, out) = cargo_run(dir, false);
    assert!(ok && !out.contains("panicked"), "{out}");
    std::fs::write(&manifest_path, with_config("[package.metadata.migrate.lint]\nno-such-rule = \"deny\"\n")).unwrap();
    let (ok, out) = cargo_run(dir, false);
    assert!(!ok && out.contains("`no-such-rule`") && out.contains("Cargo.toml"), "{out}");

    // Back to a clean state; a second build does no work.
    std::fs::write(&manifest_path, with_config("")).unwrap();
    std::fs::remove_file(dir.join("migrations/c3_widen.sql")).unwrap();
    let (ok, out) = cargo_run(dir, false);
    assert!(ok, "{out}");
    let output = Command::new(env!("CARGO"))
        .args(["build", "--offline", "-v"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", nested_target_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let verbose = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && verbose.contains("Fresh lint-check-app"), "{verbose}");
    assert!(!verbose.contains("build-script-build`"), "the build script must not rerun:\n{verbose}");
}
