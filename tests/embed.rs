//! The example application as users ship it: built in release, copied alone into an empty
//! folder, migrating real databases with `--migrate`; and an older release rolling back a
//! newer one's revisions only when asked.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
#[path = "support/server_db.rs"]
mod server_db;

use server_db::ServerDb;
use support::{copy_example, nested_target_dir, workspace_root, write_files};

/// Builds the example in release once per test run and returns the binary.
fn release_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let output = Command::new(env!("CARGO"))
            .args(["build", "--release", "--offline", "-p", "todo-example"])
            .current_dir(workspace_root())
            .env("CARGO_TARGET_DIR", nested_target_dir())
            .output()
            .expect("cargo runs");
        assert!(output.status.success(), "release build of the example failed:\n{}", text(&output));
        nested_target_dir().join("release").join(format!("todo-example{}", std::env::consts::EXE_SUFFIX))
    })
}

/// Copies the binary alone into a fresh folder: no source tree, no migrations beside it.
fn installed_alone(binary: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(binary.file_name().unwrap());
    std::fs::copy(binary, &copy).unwrap();
    (dir, copy)
}

fn run(binary: &Path, dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(binary);
    command.args(args).current_dir(dir).env_remove("DATABASE_URL");
    if let Some(url) = url {
        command.env("DATABASE_URL", url);
    }
    // A copy just written can be busy for a moment: another test thread that forked
    // meanwhile holds its write descriptor until its child execs ("Text file busy").
    for _ in 0..100 {
        match command.output() {
            Err(error) if error.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.expect("the binary runs"),
        }
    }
    command.output().expect("the binary runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// `--migrate`, again (a no-op), `--migrate-status`, then real use of the schema.
fn migrate_twice_then_status(url: &str) {
    let (dir, binary) = installed_alone(release_binary());
    let first = run(&binary, dir.path(), Some(url), &["--migrate"]);
    assert!(first.status.success(), "{}", text(&first));
    let out = text(&first);
    assert_eq!(out.matches("Running upgrade").count(), 6, "{out}");
    assert!(
        out.contains("Running upgrade 3c4d5e6f7081, 4d5e6f708192 -> 5e6f708192a3, merge tags and priority"),
        "{out}"
    );
    let again = run(&binary, dir.path(), Some(url), &["--migrate"]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("is up to date; nothing to run"), "{}", text(&again));
    let status = run(&binary, dir.path(), Some(url), &["--migrate-status"]);
    assert!(status.status.success());
    assert!(
        text(&status).contains("current:  6f708192a3b4 (seed default tags) (head)\npending:  none"),
        "{}",
        text(&status)
    );
    let added = run(&binary, dir.path(), Some(url), &["add", "ship it", "--tag", "work", "--priority", "2"]);
    assert!(added.status.success(), "{}", text(&added));
    let listed = run(&binary, dir.path(), Some(url), &["list"]);
    assert!(text(&listed).contains("[ ] #1 ship it (priority 2) #work"), "{}", text(&listed));
    assert!(!text(&first).contains("hunter2"));
}

#[test]
fn release_binary_alone_migrates_sqlite() {
    let db = tempfile::tempdir().unwrap();
    migrate_twice_then_status(&format!("sqlite://{}?mode=rwc", db.path().join("todo.db").display()));
}

#[test]
fn release_binary_alone_migrates_postgres() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "release_binary_alone_migrates_postgres") else { return };
    migrate_twice_then_status(&db.url);
}

#[test]
fn release_binary_alone_migrates_mysql() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "release_binary_alone_migrates_mysql") else { return };
    migrate_twice_then_status(&db.url);
}

#[test]
fn no_database_url_and_no_default_is_a_clear_error() {
    let project = tempfile::tempdir().unwrap();
    let binary = build_variant(project.path(), "todo-no-url", |_| {}, false);
    let (dir, binary) = installed_alone(&binary);
    let out = run(&binary, dir.path(), None, &["--migrate"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("error: no database URL: set DATABASE_URL"), "{}", text(&out));
}

#[test]
fn older_release_refuses_then_rolls_back_with_recorded_down() {
    let project = tempfile::tempdir().unwrap();
    let newer = build_variant(
        project.path(),
        "todo-next",
        |dir| {
            write_files(
                dir,
                &[(
                    "migrations/7a8b9c0d1e2f_add_notes.sql",
                    "-- add notes to todo\n--\n-- Revision ID: 7a8b9c0d1e2f\n-- Revises: 6f708192a3b4\n\n-- migrate:up\n\
                     ALTER TABLE todo ADD COLUMN notes VARCHAR(200);\n\n-- migrate:down\nALTER TABLE todo DROP COLUMN notes;\n",
                )],
            )
        },
        true,
    );
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", db.path().join("todo.db").display());
    let out = run(&newer, db.path(), Some(&url), &["--migrate"]);
    assert!(out.status.success() && text(&out).contains("-> 7a8b9c0d1e2f, add notes to todo"), "{}", text(&out));

    let (dir, older) = installed_alone(release_binary());
    let refused = run(&older, dir.path(), Some(&url), &["--migrate"]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    let message = text(&refused);
    assert!(
        message.contains("7a8b9c0d1e2f (add notes to todo)") && message.contains("Use a newer release"),
        "{message}"
    );
    assert!(message.contains("--use-recorded-down"), "{message}");

    let rolled = run(&older, dir.path(), Some(&url), &["--migrate-to", "head", "--use-recorded-down"]);
    assert!(rolled.status.success(), "{}", text(&rolled));
    assert!(
        text(&rolled).contains("Running downgrade 7a8b9c0d1e2f -> 6f708192a3b4, add notes to todo (recorded down SQL)"),
        "{}",
        text(&rolled)
    );
    let status = run(&older, dir.path(), Some(&url), &["--migrate-status"]);
    assert!(text(&status).contains("pending:  none") && !text(&status).contains("unknown"), "{}", text(&status));
}

#[test]
fn checksum_drift_is_refused_unless_allowed() {
    let project = tempfile::tempdir().unwrap();
    let edited = build_variant(
        project.path(),
        "todo-drift",
        |dir| {
            let path = dir.join("migrations/6f708192a3b4_seed_default_tags.sql");
            let text = std::fs::read_to_string(&path).unwrap().replace("(3, 'errand')", "(3, 'errands')");
            std::fs::write(path, text).unwrap();
        },
        true,
    );
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", db.path().join("todo.db").display());
    let (dir, original) = installed_alone(release_binary());
    assert!(run(&original, dir.path(), Some(&url), &["--migrate"]).status.success());
    let refused = run(&edited, db.path(), Some(&url), &["--migrate"]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(
        text(&refused).contains("checksum drift): 6f708192a3b4 (migrations/6f708192a3b4_seed_default_tags.sql)"),
        "{}",
        text(&refused)
    );
    let allowed = run(&edited, db.path(), Some(&url), &["--migrate", "--allow-checksum-drift"]);
    assert!(allowed.status.success(), "{}", text(&allowed));
    assert!(text(&allowed).contains("warning: applied revision(s) changed since they ran"), "{}", text(&allowed));
}

/// A copy of the example as its own package (named `name`), changed by `edit`, built in
/// debug; `keep_default_url: false` drops the config's `database_url`.
fn build_variant(dir: &Path, name: &str, edit: impl FnOnce(&Path), keep_default_url: bool) -> PathBuf {
    copy_example(dir, name, keep_default_url);
    edit(dir);
    let output = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", nested_target_dir())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "building {name} failed:\n{}", text(&output));
    nested_target_dir().join("debug").join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// The example as built for this test run (debug), run in `dir`.
fn debug_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_todo-example"))
}

/// `--migrate-lock-timeout` above a day is refused by clap (exit 2, nothing written), even
/// while another runner holds the lock: SQLite's driver used to panic at 2147484 seconds,
/// MySQL's `GET_LOCK` to time out at once ("after 0s") at 2^64-1, PostgreSQL to wait for
/// weeks. A day is accepted and works.
fn lock_timeout_is_range_checked(url: &str, too_long: &str) {
    let dir = tempfile::tempdir().unwrap();
    let held = server_db::HeldRunLock::take(url);
    let before = server_db::table_names(url);
    let mut command = Command::new(debug_binary());
    command.args(["--migrate", "--migrate-lock-timeout", too_long]).current_dir(dir.path()).env("DATABASE_URL", url);
    let out = server_db::output_within(&mut command, std::time::Duration::from_secs(20))
        .unwrap_or_else(|| panic!("--migrate-lock-timeout {too_long} waited instead of being refused"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or_default(),
        format!(
            "error: invalid value '{too_long}' for '--migrate-lock-timeout <SECONDS>': {too_long} is not in 0..=86400"
        ),
        "{}",
        text(&out)
    );
    assert_eq!(server_db::table_names(url), before, "nothing may be written");
    drop(held);
    let out = run(debug_binary(), dir.path(), Some(url), &["--migrate", "--migrate-lock-timeout", "86400"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(text(&out).matches("Running upgrade").count(), 6, "{}", text(&out));
}

#[test]
fn lock_timeout_is_range_checked_sqlite() {
    let db = tempfile::tempdir().unwrap();
    lock_timeout_is_range_checked(&format!("sqlite://{}?mode=rwc", db.path().join("todo.db").display()), "2147484");
}

#[test]
fn lock_timeout_is_range_checked_postgres() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "lock_timeout_is_range_checked_postgres") else { return };
    lock_timeout_is_range_checked(&db.url, "2147484");
}

#[test]
fn lock_timeout_is_range_checked_mysql() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "lock_timeout_is_range_checked_mysql") else { return };
    lock_timeout_is_range_checked(&db.url, "18446744073709551615");
}

/// An application given a URL whose scheme names no supported database exits 2 (a usage
/// error, as `cargo migrate` does) with the URL masked, for every `--migrate` flag:
/// `--migrate-sql` does not fall back to SQLite's SQL.
#[test]
fn unknown_url_scheme_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let url = "oracle://app:hunter2@db.example/prod";
    for args in [&["--migrate"][..], &["--migrate-to", "base"], &["--migrate-status"], &["--migrate-sql"]] {
        let out = run(debug_binary(), dir.path(), Some(url), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr,
            "error: unsupported database URL oracle://app:***@db.example/prod: use sqlite:, postgres:, postgresql:, mysql: or mariadb:\n",
            "{args:?}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{args:?} wrote a file");
    }
}
