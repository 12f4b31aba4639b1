//! `cargo migrate` against real databases, as processes: the whole workflow, eight
//! runners at once, and a runner killed with SIGKILL in the middle of an upgrade.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
#[path = "support/runs.rs"]
mod runs;
#[path = "support/server_db.rs"]
mod server_db;

use runs::{cargo_migrate, package, scalar, scalar_or_zero, text};
use server_db::ServerDb;
use support::{revision, write_files};

fn eight_runners_at_once(url: &str) {
    let project = tempfile::tempdir().unwrap();
    package(project.path(), 25, None);
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_cargo-migrate"))
                .env("CARGO_MIGRATE_NO_CACHE", "1")
                .args(["upgrade", "head", "--database-url", url])
                .current_dir(project.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut runs = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a runner failed:\n{}", text(&out));
        runs += text(&out).matches("Running upgrade").count();
    }
    assert_eq!(runs, 25, "every revision ran exactly once across the eight processes");
    assert_eq!(scalar(url, "SELECT COUNT(*) FROM applied"), 24);
    assert_eq!(scalar(url, "SELECT COUNT(DISTINCT revision) FROM applied"), 24);
    assert_eq!(scalar(url, "SELECT COUNT(*) FROM migrate_version"), 25);
}

#[test]
fn eight_processes_sqlite() {
    let db = tempfile::tempdir().unwrap();
    eight_runners_at_once(&format!("sqlite://{}?mode=rwc", db.path().join("x.db").display()));
}

#[test]
fn eight_processes_postgres() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "eight_processes_postgres") else { return };
    eight_runners_at_once(&db.url);
}

#[test]
fn eight_processes_mysql() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "eight_processes_mysql") else { return };
    eight_runners_at_once(&db.url);
}

#[test]
fn killed_mid_upgrade_on_postgres_the_next_run_finishes() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "killed_mid_upgrade_on_postgres_the_next_run_finishes")
    else {
        return;
    };
    let project = tempfile::tempdir().unwrap();
    package(project.path(), 5, Some((3, "SELECT pg_sleep(3);")));
    let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-migrate"))
        .env("CARGO_MIGRATE_NO_CACHE", "1")
        .args(["upgrade", "head", "--database-url", &db.url])
        .current_dir(project.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until r02 is recorded: r03 (sleeping) is then in flight.
    let started = Instant::now();
    while scalar_or_zero(&db.url, "SELECT COUNT(*) FROM migrate_version") < 3 {
        assert!(started.elapsed() < Duration::from_secs(30), "the runner never reached r03");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(scalar(&db.url, "SELECT COUNT(*) FROM migrate_version"), 3, "r03 was not committed");
    let out = cargo_migrate(project.path(), &db.url, &["upgrade", "head"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Running upgrade r02 -> r03, step 3"), "{}", text(&out));
    assert_eq!(scalar(&db.url, "SELECT COUNT(*) FROM applied"), 4);
    assert_eq!(scalar(&db.url, "SELECT COUNT(*) FROM migrate_version"), 5);
}

#[test]
fn workflow_on_sqlite_reads_like_alembic() {
    let project = tempfile::tempdir().unwrap();
    package(project.path(), 3, None);
    let dir = project.path();
    let url = format!("sqlite://{}?mode=rwc", dir.join("app.db").display());
    let run = |args: &[&str]| {
        let out = cargo_migrate(dir, &url, args);
        (out.status.code(), text(&out))
    };
    assert_eq!(run(&["current"]), (Some(0), "(nothing applied: the database is at base)\n".into()));
    assert_eq!(
        run(&["upgrade", "head"]),
        (Some(0), "Running upgrade <base> -> r00, create applied\nRunning upgrade r00 -> r01, step 1\nRunning upgrade r01 -> r02, step 2\n".into())
    );
    assert_eq!(run(&["current"]), (Some(0), "r02 (head)\n".into()));
    assert_eq!(run(&["downgrade", "-1"]), (Some(0), "Running downgrade r02 -> r01, step 2\n".into()));
    assert_eq!(
        run(&["history", "--indicate-current"]).1,
        "r01 -> r02 (head), step 2\nr00 -> r01 (current), step 1\n<base> -> r00, create applied\n"
    );
    let (code, out) = run(&["check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("not at head: 1 revision(s) pending: r02 (step 2)") && out.contains("cargo migrate upgrade heads"),
        "{out}"
    );
    assert_eq!(run(&["upgrade", "+1"]).1, "Running upgrade r01 -> r02, step 2\n");
    assert_eq!(run(&["check"]).0, Some(0));
    let (code, out) = run(&["upgrade", "-1"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("error: `upgrade -1` goes the wrong way; use `downgrade -1`"), "{out}");
    let (code, out) = run(&["downgrade", "+1"]);
    assert_eq!(code, Some(2), "{out}");
    let (code, out) = run(&["upgrade", "nope"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("no revision matches `nope`"), "{out}");
    // An edited applied revision: check fails naming it, upgrade warns, repair accepts.
    let path = dir.join("migrations/r01.sql");
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap().replace("'r01'", "'r01' ")).unwrap();
    let (code, out) = run(&["check"]);
    assert_eq!(code, Some(1));
    assert!(out.contains("r01 (step 1) (migrations/r01.sql) changed since it was applied (checksum drift)"), "{out}");
    let (code, out) = run(&["current", "-v"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("CHANGED since applied (checksum drift)") && out.contains("warning: r01 (step 1) changed"),
        "{out}"
    );
    assert!(run(&["upgrade", "head"]).1.contains("warning: applied revision(s) changed since they ran"));
    assert!(run(&["repair"]).1.starts_with("Repaired r01 (step 1): checksum "));
    assert_eq!(run(&["check"]).0, Some(0));
    // Offline SQL needs no database and is runnable by sqlite3 as-is.
    let (code, script) = run(&["upgrade", "head", "--sql"]);
    assert_eq!(code, Some(0));
    assert!(script.starts_with("-- cargo-migrate upgrade head (offline, sqlite)"), "{script}");
    assert_eq!(run(&["stamp", "base"]).1.lines().count(), 3);
    let (code, out) = run(&["downgrade", "head", "--sql"]);
    assert_eq!(code, Some(2));
    assert!(out.contains("offline downgrade needs a range"), "{out}");
}

#[test]
fn unreachable_database_is_clear_and_masks_the_password() {
    let project = tempfile::tempdir().unwrap();
    package(project.path(), 2, None);
    let out = cargo_migrate(project.path(), "postgres://app:hunter2@127.0.0.1:1/db", &["upgrade", "head"]);
    assert_eq!(out.status.code(), Some(3));
    let message = text(&out);
    assert!(message.starts_with("error: cannot connect to postgres://app:***@127.0.0.1:1/db"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn offline_script_runs_in_sqlite3_as_is() {
    if Command::new("sqlite3").arg("-version").output().is_err() {
        eprintln!("SKIPPED offline_script_runs_in_sqlite3_as_is: no sqlite3 on PATH");
        return;
    }
    let project = tempfile::tempdir().unwrap();
    package(project.path(), 4, None);
    let db = project.path().join("offline.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let script = cargo_migrate(project.path(), &url, &["upgrade", "head", "--sql"]);
    assert!(script.status.success());
    let mut sqlite = Command::new("sqlite3").arg("-bail").arg(&db).stdin(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    sqlite.stdin.take().unwrap().write_all(&script.stdout).unwrap();
    assert!(sqlite.wait().unwrap().success());
    // The database it made is at head as far as cargo migrate can tell.
    let out = cargo_migrate(project.path(), &url, &["check"]);
    assert!(out.status.success(), "{}", text(&out));
}

/// The `--sql` script, piped into the database's own client, leaves a database that
/// `cargo migrate check` finds at head.
fn offline_script_runs_in_client(url: &str, client: &[&str]) {
    let project = tempfile::tempdir().unwrap();
    package(project.path(), 4, None);
    let script = cargo_migrate(project.path(), url, &["upgrade", "head", "--sql"]);
    assert!(script.status.success(), "{}", text(&script));
    let mut child = Command::new(client[0])
        .args(&client[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&script.stdout).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{} rejected the script:\n{}", client[0], text(&out));
    let check = cargo_migrate(project.path(), url, &["check"]);
    assert!(check.status.success(), "{}", text(&check));
}

#[test]
fn offline_script_runs_in_psql_as_is() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "offline_script_runs_in_psql_as_is") else { return };
    offline_script_runs_in_client(&db.url, &["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &db.url]);
}

#[test]
fn offline_script_runs_in_mysql_as_is() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "offline_script_runs_in_mysql_as_is") else { return };
    // mysql://user@host:port/name -> mysql -h host -P port -u user name
    let rest = db.url.trim_start_matches("mysql://");
    let (authority, name) = rest.split_once('/').unwrap();
    let (user, hostport) = authority.split_once('@').unwrap();
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
    offline_script_runs_in_client(&db.url, &["mysql", "-h", host, "-P", port, "-u", user, name]);
}

/// `--lock-timeout` above a day is refused by clap (exit 2, nothing written) even while
/// another runner holds the lock, on every command that takes the lock; a day works.
fn lock_timeout_is_range_checked(url: &str, too_long: &str) {
    let project = tempfile::tempdir().unwrap();
    package(project.path(), 3, None);
    let held = server_db::HeldRunLock::take(url);
    let before = server_db::table_names(url);
    for command in [&["upgrade", "head"][..], &["downgrade", "base"], &["stamp", "head"], &["repair"]] {
        let mut process = Command::new(env!("CARGO_BIN_EXE_cargo-migrate"));
        process
            .args(command)
            .args(["--lock-timeout", too_long, "--database-url", url])
            .current_dir(project.path())
            .env("CARGO_MIGRATE_NO_CACHE", "1");
        let out = server_db::output_within(&mut process, Duration::from_secs(20))
            .unwrap_or_else(|| panic!("{command:?} --lock-timeout {too_long} waited instead of being refused"));
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or_default(),
            format!("error: invalid value '{too_long}' for '--lock-timeout <SECONDS>': {too_long} is not in 0..=86400"),
        );
    }
    assert_eq!(server_db::table_names(url), before, "nothing may be written");
    drop(held);
    let out = cargo_migrate(project.path(), url, &["upgrade", "head", "--lock-timeout", "86400"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(text(&out).matches("Running upgrade").count(), 3, "{}", text(&out));
}

#[test]
fn lock_timeout_is_range_checked_sqlite() {
    let db = tempfile::tempdir().unwrap();
    lock_timeout_is_range_checked(&format!("sqlite://{}?mode=rwc", db.path().join("x.db").display()), "2147484");
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

/// A URL whose scheme names no supported database is a usage error (exit 2) online and
/// with --sql alike, names the URL with its password masked, and touches nothing.
#[test]
fn unknown_url_scheme_is_a_usage_error() {
    let project = tempfile::tempdir().unwrap();
    package(project.path(), 2, None);
    let url = "oracle://app:hunter2@db.example/prod";
    for args in [
        &["upgrade", "head"][..],
        &["downgrade", "base"],
        &["current"],
        &["check"],
        &["stamp", "head"],
        &["repair"],
        &["history", "--indicate-current"],
        &["upgrade", "head", "--sql"],
        &["downgrade", "head:base", "--sql"],
    ] {
        let before = std::fs::read_dir(project.path()).unwrap().count();
        let out = cargo_migrate(project.path(), url, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("error: unsupported database URL oracle://app:***@db.example/prod"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("sqlite:, postgres:, postgresql:, mysql: or mariadb:"), "{args:?}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{args:?}: {stderr}");
        assert_eq!(std::fs::read_dir(project.path()).unwrap().count(), before, "{args:?} wrote a file");
    }
}

/// The commands a message suggests: every backticked span that starts with `cargo migrate`.
fn suggested_commands(message: &str) -> Vec<String> {
    message.split('`').skip(1).step_by(2).filter(|span| span.starts_with("cargo migrate ")).map(str::to_owned).collect()
}

/// Runs a suggested command the way a user would paste it: `sh -c` with `cargo` and
/// `cargo-migrate` on PATH, in the package, the database given by `DATABASE_URL`.
fn paste(dir: &Path, url: &str, command: &str) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cargo-migrate")).parent().unwrap().to_path_buf();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let cargo_dir = Path::new(&cargo).parent().map(Path::to_path_buf).unwrap_or_default();
    let path = std::env::join_paths(
        [bin_dir, cargo_dir].into_iter().chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env("PATH", path)
        .env("DATABASE_URL", url)
        .env("CARGO_MIGRATE_NO_CACHE", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs")
}

/// Asserts that `message` suggests exactly the two recovery commands for a revision `b2`
/// whose parent is `a1` (the stamp goes one step down b2's own line, to a1), written so that a shell runs them as they stand (no `(…)`,
/// `<…>` or quotes inside), and returns them (repair, stamp).
fn recovery_commands(message: &str) -> (String, String) {
    let commands = suggested_commands(message);
    assert_eq!(commands, ["cargo migrate repair b2", "cargo migrate stamp b2@-1"], "{message}");
    for command in &commands {
        assert!(
            command.chars().all(|c| c.is_ascii_alphanumeric() || " _-.:@+".contains(c)),
            "not pasteable: `{command}` in {message}"
        );
    }
    (commands[0].clone(), commands[1].clone())
}

/// A failed mark, on a database where one can happen: the failure, the refusal of the
/// next run, `check` and `current` all give the recovery as commands that work when pasted
/// (and `check` does not suggest `upgrade heads`, which would refuse); pasting them
/// (stamp after undoing the revision by hand, repair after completing it) clears the mark.
fn failed_mark_hints_are_pasteable(url: &str, transactional: bool) {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    write_files(
        dir,
        &[
            ("Cargo.toml", "[package]\nname = \"dbapp\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("src/main.rs", "fn main() {}\n"),
        ],
    );
    let header = if transactional { "" } else { "-- Transactional: false\n" };
    write_files(
        dir,
        &[
            ("migrations/a1.sql", &revision("a1", "<base>", "create t", "CREATE TABLE t (x INT);", "DROP TABLE t;")),
            (
                "migrations/b2.sql",
                &revision("b2", "a1", "half", "CREATE TABLE done1 (x INT);\nALTER TABLE nope ADD y INT;", "SELECT 1;")
                    .replace("-- Create Date", &format!("{header}-- Create Date")),
            ),
        ],
    );
    let run = |args: &[&str]| {
        let out = cargo_migrate(dir, url, args);
        (out.status.code(), text(&out))
    };
    let (code, failure) = run(&["upgrade", "head"]);
    assert_eq!(code, Some(3), "{failure}");
    assert!(failure.contains("so b2 is marked failed in migrate_version"), "{failure}");
    recovery_commands(&failure);
    let (code, refusal) = run(&["upgrade", "head"]);
    assert_eq!(code, Some(3), "{refusal}");
    assert!(refusal.contains("revision b2 (half) is marked failed in migrate_version"), "{refusal}");
    recovery_commands(&refusal);
    let (code, check) = run(&["check"]);
    assert_eq!(code, Some(1), "{check}");
    let hints: Vec<&str> = check.lines().filter(|l| l.starts_with("hint: ")).collect();
    assert!(!hints.is_empty() && !check.contains("upgrade heads"), "{check}");
    recovery_commands(hints[0]);
    let (code, current) = run(&["current"]);
    assert_eq!(code, Some(0), "{current}");
    let (repair, stamp) = recovery_commands(&current);

    // Undo by hand, then paste the stamp: the mark is gone, b2 is pending again.
    server_db::admin_sql(url, "DROP TABLE done1");
    let out = paste(dir, url, &stamp);
    assert!(out.status.success(), "`{stamp}`: {}", text(&out));
    assert!(text(&out).contains("Stamp: unstamped b2 (half)"), "{}", text(&out));
    let (code, check) = run(&["check"]);
    assert_eq!(code, Some(1), "{check}");
    assert!(check.contains("pending: b2 (half)") && check.contains("cargo migrate upgrade heads"), "{check}");

    // Fail again; complete it by hand, then paste the repair: the database is at head.
    assert_eq!(run(&["upgrade", "head"]).0, Some(3));
    server_db::admin_sql(url, "CREATE TABLE nope (x INT)");
    server_db::admin_sql(url, "ALTER TABLE nope ADD y INT");
    let out = paste(dir, url, &repair);
    assert!(out.status.success(), "`{repair}`: {}", text(&out));
    assert!(text(&out).contains("Repaired b2 (half): failed mark cleared (1 statement(s) had run)"), "{}", text(&out));
    let (code, check) = run(&["check"]);
    assert_eq!(code, Some(0), "{check}");
}

#[test]
fn failed_mark_hints_are_pasteable_sqlite_not_transactional() {
    let db = tempfile::tempdir().unwrap();
    failed_mark_hints_are_pasteable(&format!("sqlite://{}?mode=rwc", db.path().join("x.db").display()), false);
}

#[test]
fn failed_mark_hints_are_pasteable_postgres_not_transactional() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "failed_mark_hints_are_pasteable_postgres") else {
        return;
    };
    failed_mark_hints_are_pasteable(&db.url, false);
}

#[test]
fn failed_mark_hints_are_pasteable_mysql_not_transactional() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "failed_mark_hints_are_pasteable_mysql") else { return };
    failed_mark_hints_are_pasteable(&db.url, false);
}

/// MySQL commits each DDL statement: a transactional revision that fails after one is
/// marked failed too.
#[test]
fn failed_mark_hints_are_pasteable_mysql_ddl() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "failed_mark_hints_are_pasteable_mysql_ddl") else {
        return;
    };
    failed_mark_hints_are_pasteable(&db.url, true);
}

/// The database's own client reading a script on stdin, for `url`.
fn client(url: &str) -> Vec<String> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap();
        return vec!["sqlite3".into(), "-bail".into(), path.into()];
    }
    if url.starts_with("postgres") {
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url].map(str::to_owned).to_vec();
    }
    // mysql://user@host:port/name -> mysql -h host -P port -u user name
    let rest = url.trim_start_matches("mysql://");
    let (authority, name) = rest.split_once('/').unwrap();
    let (user, hostport) = authority.split_once('@').unwrap();
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
    ["mysql", "-h", host, "-P", port, "-u", user, name].map(str::to_owned).to_vec()
}

/// Pipes `script` into the database's own client; panics with its output if it fails.
fn run_in_client(url: &str, script: &[u8]) {
    let client = client(url);
    let mut child = Command::new(&client[0])
        .args(&client[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(script).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{} rejected the script:\n{}", client[0], text(&out));
}

/// `version_table` set to a reserved word works end to end: every statement quotes it.
fn reserved_words_as_version_table(url: &str) {
    for name in ["order", "select", "user"] {
        let project = tempfile::tempdir().unwrap();
        let dir = project.path();
        package(dir, 3, None);
        let manifest = dir.join("Cargo.toml");
        let text_of = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(&manifest, format!("{text_of}\n[package.metadata.migrate]\nversion_table = \"{name}\"\n"))
            .unwrap();
        let run = |args: &[&str]| {
            let out = cargo_migrate(dir, url, args);
            assert!(out.status.success(), "{name}: {args:?}: {}", text(&out));
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        assert_eq!(run(&["upgrade", "head"]).matches("Running upgrade").count(), 3, "{name}");
        assert!(server_db::table_names(url).contains(&name.to_owned()), "{name}: {:?}", server_db::table_names(url));
        assert_eq!(scalar(url, &format!("SELECT COUNT(*) FROM {}", quoted(url, name))), 3, "{name}");
        assert_eq!(run(&["current"]), "r02 (head)\n", "{name}");
        assert_eq!(run(&["downgrade", "r00"]).matches("Running downgrade").count(), 2, "{name}");
        assert_eq!(run(&["current"]), "r00\n", "{name}");
        assert_eq!(run(&["stamp", "head"]), "Stamp: stamped r01 (step 1)\nStamp: stamped r02 (step 2)\n", "{name}");
        run(&["check"]);
        assert_eq!(run(&["downgrade", "base"]).matches("Running downgrade").count(), 3, "{name}");
        assert_eq!(scalar(url, &format!("SELECT COUNT(*) FROM {}", quoted(url, name))), 0, "{name}");
        // The offline script, run by the database's own client, leaves a database at head.
        server_db::admin_sql(url, &format!("DROP TABLE {}", quoted(url, name)));
        run_in_client(url, run(&["upgrade", "head", "--sql"]).as_bytes());
        run(&["check"]);
        assert_eq!(scalar(url, "SELECT COUNT(*) FROM applied"), 2, "{name}");
        run_in_client(url, run(&["downgrade", "head:base", "--sql"]).as_bytes());
        assert_eq!(run(&["current"]), "(nothing applied: the database is at base)\n", "{name}");
        server_db::admin_sql(url, &format!("DROP TABLE {}", quoted(url, name)));
    }
}

/// `name` quoted for the database `url` names.
fn quoted(url: &str, name: &str) -> String {
    if url.starts_with("mysql") { format!("`{name}`") } else { format!("\"{name}\"") }
}

#[test]
fn reserved_words_as_version_table_sqlite() {
    let db = tempfile::tempdir().unwrap();
    reserved_words_as_version_table(&format!("sqlite://{}?mode=rwc", db.path().join("x.db").display()));
}

#[test]
fn reserved_words_as_version_table_postgres() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "reserved_words_as_version_table_postgres") else {
        return;
    };
    reserved_words_as_version_table(&db.url);
}

#[test]
fn reserved_words_as_version_table_mysql() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "reserved_words_as_version_table_mysql") else { return };
    reserved_words_as_version_table(&db.url);
}

/// SQLite's write lock, held by another connection (`BEGIN IMMEDIATE`) until dropped.
struct SqliteWriter {
    release: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SqliteWriter {
    fn begin_immediate(url: &str) -> Self {
        let url = url.to_owned();
        let (held_tx, held_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                use sqlx::{Connection, Executor};
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                conn.execute("BEGIN IMMEDIATE").await.unwrap();
                held_tx.send(()).unwrap();
                let _ = release_rx.recv();
                conn.execute("ROLLBACK").await.unwrap();
            });
        });
        held_rx.recv().expect("the write lock is taken");
        Self { release: Some(release_tx), thread: Some(thread) }
    }
}

impl Drop for SqliteWriter {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts `cargo migrate <args>` while `writer` holds SQLite's write lock, waits until it
/// says on stderr that it waits (and for whom), releases the lock, and returns its output.
fn waits_for_the_write_lock(dir: &Path, url: &str, args: &[&str], writer: SqliteWriter) -> (Output, String) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-migrate"))
        .env("CARGO_MIGRATE_NO_CACHE", "1")
        .env("NO_COLOR", "1")
        .args(args)
        .args(["--database-url", url])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (line_tx, line_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if line_tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = line_rx.recv_timeout(Duration::from_secs(20));
    // It is still waiting: nothing has been written while the other connection writes.
    assert!(child.try_wait().unwrap().is_none(), "{args:?} finished while the write lock was held");
    drop(writer);
    let output = child.wait_with_output().unwrap();
    reader.join().unwrap();
    let mut stderr: Vec<String> = first.into_iter().collect();
    stderr.extend(line_rx.try_iter());
    (output, stderr.join("\n"))
}

/// `stamp` and `repair` on SQLite say that they wait when another connection holds the
/// write lock, then finish once it is released.
#[test]
fn sqlite_stamp_and_repair_say_they_wait_for_the_write_lock() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    package(dir, 3, None);
    let db = dir.join("app.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    assert!(cargo_migrate(dir, &url, &["upgrade", "r00"]).status.success());
    let waiting = format!("warning: Waiting for the migration lock, held by another connection writing to {url}");

    let (out, stderr) = waits_for_the_write_lock(dir, &url, &["stamp", "head"], SqliteWriter::begin_immediate(&url));
    assert_eq!(stderr, waiting);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Stamp: stamped r01 (step 1)\nStamp: stamped r02 (step 2)\n");

    let path = dir.join("migrations/r01.sql");
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap().replace("'r01'", "'r01' ")).unwrap();
    let (out, stderr) = waits_for_the_write_lock(dir, &url, &["repair"], SqliteWriter::begin_immediate(&url));
    assert_eq!(stderr, waiting);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Repaired r01 (step 1): checksum "), "{}", text(&out));
    assert!(cargo_migrate(dir, &url, &["check"]).status.success());
}

/// A password holding `/` (or `#`, `?`) made sqlx say "invalid port number" and nothing
/// more: now the message says to percent-encode it (a usage error, exit 2), still masked,
/// and the encoded URL works. `user` is made with a password `pa/ss@x` where the
/// server checks passwords (MariaDB); PostgreSQL's test server trusts every password.
fn reserved_characters_in_the_password(url: &str, user: &str) {
    let project = tempfile::tempdir().unwrap();
    package(project.path(), 2, None);
    let (scheme, rest) = url.split_once("://").unwrap();
    let host_and_db = &rest[rest.find('@').unwrap() + 1..];
    let raw = format!("{scheme}://{user}:pa/ss@x@{host_and_db}");
    let out = cargo_migrate(project.path(), &raw, &["current"]);
    let message = text(&out);
    assert_eq!(out.status.code(), Some(2), "{message}");
    assert_eq!(
        message,
        format!(
            "error: cannot connect to {scheme}://{user}:***@{host_and_db}: error with configuration: invalid port number; \
             a user name or password holding `@`, `:`, `/`, `?` or `#` must be percent-encoded in the URL \
             (`%40`, `%3A`, `%2F`, `%3F`, `%23`), or it ends the host part of the URL early\n"
        )
    );
    assert!(!message.contains("pa/ss"), "{message}");
    let encoded = format!("{scheme}://{user}:pa%2Fss%40x@{host_and_db}");
    let out = cargo_migrate(project.path(), &encoded, &["upgrade", "head"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn reserved_characters_in_the_password_postgres() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "reserved_characters_in_the_password_postgres") else {
        return;
    };
    reserved_characters_in_the_password(&db.url, "postgres");
}

#[test]
fn reserved_characters_in_the_password_mysql() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "reserved_characters_in_the_password_mysql") else { return };
    let user = support::unique_name("pw");
    let database = db.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    server_db::admin_sql(&db.url, &format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'pa/ss@x'"));
    server_db::admin_sql(&db.url, &format!("GRANT ALL ON {database}.* TO '{user}'@'%'"));
    let result = std::panic::catch_unwind(|| reserved_characters_in_the_password(&db.url, &user));
    server_db::admin_sql(&db.url, &format!("DROP USER '{user}'@'%'"));
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Messages with terminal escape codes, from the files and from the version table, are
/// shown escaped by `upgrade`, `current -v`, `check` and the `--sql` script's comments.
fn control_characters_are_escaped(url: &str) {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    package(dir, 2, None);
    let path = dir.join("migrations/r01.sql");
    let evil = std::fs::read_to_string(&path).unwrap().replace("-- step 1", "-- step\x1b[2J\x1b]0;owned\x07 1");
    std::fs::write(&path, evil).unwrap();
    let shown = "step\\u{1b}[2J\\u{1b}]0;owned\\u{7} 1";
    let raw = |out: &str| out.contains('\x1b') || out.contains('\x07');
    for args in [&["upgrade", "head"][..], &["current", "-v"], &["history", "-i"], &["upgrade", "r00:head", "--sql"]] {
        let out = cargo_migrate(dir, url, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        assert!(!raw(&text(&out)) && text(&out).contains(shown), "{args:?}: {:?}", text(&out));
    }
    // A row the files do not know, whose message came from elsewhere.
    server_db::admin_sql(
        url,
        "INSERT INTO migrate_version (revision, parents, message, checksum, duration_ms, seq) \
         VALUES ('zz9', 'r01', 'from\x1b[8m afar', 'x', 0, 99)",
    );
    for (args, code) in [(&["current"][..], 0), (&["check"], 1), (&["upgrade", "head"], 3)] {
        let out = cargo_migrate(dir, url, args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", text(&out));
        assert!(!raw(&text(&out)) && text(&out).contains("zz9 (from\\u{1b}[8m afar)"), "{args:?}: {:?}", text(&out));
    }
}

#[test]
fn control_characters_are_escaped_sqlite() {
    let db = tempfile::tempdir().unwrap();
    control_characters_are_escaped(&format!("sqlite://{}?mode=rwc", db.path().join("x.db").display()));
}

#[test]
fn control_characters_are_escaped_postgres() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "control_characters_are_escaped_postgres") else {
        return;
    };
    control_characters_are_escaped(&db.url);
}

#[test]
fn control_characters_are_escaped_mysql() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "control_characters_are_escaped_mysql") else { return };
    control_characters_are_escaped(&db.url);
}
