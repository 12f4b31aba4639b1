//! Runs that survive what real deployments do to them, as whole processes: many replicas
//! at once, `kill -9` in the middle of a revision, and PostgreSQL behind PgBouncer in
//! transaction pooling mode (`MIGRATE_TEST_PGBOUNCER_URL`, started by `.ci/pgbouncer`).

mod support;

#[path = "support/runs.rs"]
mod runs;
#[path = "support/server_db.rs"]
mod server_db;

use runs::{cargo_migrate, package_with, scalar, scalar_or_zero, spawn, text};
use server_db::ServerDb;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};
use support::{revision, write_files};

/// `count` runners of `upgrade head` at once on `url`, over a package of `revisions`
/// with the ones at `non_transactional` marked `Transactional: false`: every process
/// exits 0 and every revision runs exactly once.
/// `check` is a URL of the same database for the test's own queries (the test's sqlx
/// connections prepare statements, which a transaction-pooling PgBouncer cannot keep).
fn concurrent_runners(
    url: &str,
    check: &str,
    count: usize,
    revisions: usize,
    non_transactional: &[usize],
    extra: &[&str],
) {
    let project = tempfile::tempdir().unwrap();
    package_with(project.path(), revisions, None, non_transactional);
    let mut args = vec!["upgrade", "head"];
    args.extend_from_slice(extra);
    let children: Vec<_> = (0..count).map(|_| spawn(project.path(), url, &args)).collect();
    let mut runs = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a runner failed:\n{}", text(&out));
        runs += text(&out).matches("Running upgrade").count();
    }
    assert_eq!(runs, revisions, "every revision ran exactly once across the {count} processes");
    let revisions = i64::try_from(revisions).unwrap();
    assert_eq!(scalar(check, "SELECT COUNT(*) FROM applied"), revisions - 1);
    assert_eq!(scalar(check, "SELECT COUNT(DISTINCT revision) FROM applied"), revisions - 1);
    assert_eq!(scalar(check, "SELECT COUNT(*) FROM migrate_version WHERE failed_statements IS NULL"), revisions);
}

#[test]
fn sqlite_32_runners_with_a_non_transactional_revision() {
    for round in 0..3 {
        let db = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", db.path().join("x.db").display());
        concurrent_runners(&url, &url, 32, 30, &[15], &[]);
        assert!(!db.path().join("x.db-migrate-lock").exists(), "the lock file goes with its last holder");
        eprintln!("round {round}: 32 runners, every revision once");
    }
}

#[test]
fn pgbouncer_8_runners_with_the_table_lock() {
    let Some((db, url)) = ServerDb::behind_pgbouncer("pgbouncer_8_runners_with_the_table_lock") else { return };
    concurrent_runners(&url, &db.url, 8, 25, &[12], &["--lock", "table"]);
}

#[test]
fn mysql_8_runners_with_the_table_lock() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "mysql_8_runners_with_the_table_lock") else { return };
    concurrent_runners(&db.url, &db.url, 8, 25, &[12], &["--lock", "table"]);
}

/// Before: the second run failed with `prepared statement "sqlx_s_1" already exists`.
#[test]
fn pgbouncer_every_command_again_and_again() {
    let Some((db, url)) = ServerDb::behind_pgbouncer("pgbouncer_every_command_again_and_again") else { return };
    let project = tempfile::tempdir().unwrap();
    package_with(project.path(), 6, None, &[3]);
    let dir = project.path();
    for args in [
        &["upgrade", "head", "--lock", "table"][..],
        &["current", "-v"],
        &["downgrade", "base", "--lock", "table"],
        &["upgrade", "+2", "--lock", "table"],
        &["upgrade", "head", "--lock", "table"],
        &["stamp", "r03", "--lock", "table"],
        &["stamp", "head", "--lock", "table"],
        &["repair", "--lock", "table"],
        &["check"],
        &["history", "-i"],
    ] {
        let out = cargo_migrate(dir, &url, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        assert!(!text(&out).contains("prepared statement"), "{args:?}: {}", text(&out));
    }
    assert_eq!(scalar(&db.url, "SELECT COUNT(*) FROM applied"), 5);
}

#[test]
fn pgbouncer_failing_revision_is_rolled_back_and_reported() {
    let Some((db, url)) = ServerDb::behind_pgbouncer("pgbouncer_failing_revision_is_rolled_back_and_reported") else {
        return;
    };
    let project = tempfile::tempdir().unwrap();
    write_files(
        project.path(),
        &[
            ("Cargo.toml", "[package]\nname = \"bouncer\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("migrations/a1.sql", &revision("a1", "<base>", "t", "CREATE TABLE t (x INT);", "DROP TABLE t;")),
            (
                "migrations/b2.sql",
                &revision("b2", "a1", "bad", "INSERT INTO t VALUES (1);\nINSERT INTO missing VALUES (1);", "SELECT 1;"),
            ),
        ],
    );
    for _ in 0..2 {
        let out = cargo_migrate(project.path(), &url, &["upgrade", "head", "--lock", "table"]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        let message = text(&out);
        assert!(message.contains("upgrade of revision b2 (bad) failed at statement 2"), "{message}");
        assert!(message.contains("Nothing of this revision was kept"), "{message}");
        assert_eq!(scalar(&db.url, "SELECT COUNT(*) FROM t"), 0);
        assert_eq!(scalar(&db.url, "SELECT COUNT(*) FROM migrate_version"), 1);
        // The lock is given back on the error path.
        assert_eq!(scalar(&db.url, "SELECT COUNT(*) FROM migrate_version_lock WHERE holder IS NOT NULL"), 0);
    }
}

/// The lock holder dies; its lease runs out, and the next runner takes over and finishes.
#[test]
fn pgbouncer_killed_lock_holder_is_taken_over_after_the_lease() {
    let Some((db, url)) = ServerDb::behind_pgbouncer("pgbouncer_killed_lock_holder_is_taken_over_after_the_lease")
    else {
        return;
    };
    let project = tempfile::tempdir().unwrap();
    // The killed holder's statement goes on running on the server (PostgreSQL notices the
    // closed connection only when it next reads), holding its transaction's locks: the
    // next runner waits for that, and for the lease to run out.
    package_with(project.path(), 5, Some((3, "SELECT pg_sleep(12);")), &[]);
    let mut holder = spawn(project.path(), &url, &["upgrade", "head", "--lock", "table"]);
    wait_for(&db.url, "SELECT COUNT(*) FROM migrate_version", 3, "the holder reached r03");
    holder.kill().unwrap();
    holder.wait().unwrap();
    let started = Instant::now();
    let out = cargo_migrate(project.path(), &url, &["upgrade", "head", "--lock", "table", "--lock-timeout", "60"]);
    assert!(out.status.success(), "{}", text(&out));
    let message = text(&out);
    assert!(message.contains("Waiting for the migration lock, held by cargo-migrate"), "{message}");
    assert!(message.contains("Running upgrade r02 -> r03"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(40), "taken over soon after the lease ran out");
    assert_eq!(scalar(&db.url, "SELECT COUNT(*) FROM applied"), 4);
}

/// Polls `sql` on `url` until it gives `at_least`.
fn wait_for(url: &str, sql: &str, at_least: i64, what: &str) {
    let started = Instant::now();
    while scalar_or_zero(url, sql) < at_least {
        assert!(started.elapsed() < Duration::from_secs(60), "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A package whose r2 creates `account`, then runs `slow`, then inserts a row; r1 and r3
/// are plain. `Transactional: false` on r2 when asked.
fn three_with_slow_middle(dir: &Path, slow: &str, non_transactional: bool) {
    let mut r2 = revision(
        "r2",
        "r1",
        "account",
        &format!("CREATE TABLE account (id INT);\n{slow};\nINSERT INTO account VALUES (1);"),
        "DROP TABLE account;",
    );
    if non_transactional {
        r2 = r2.replacen("-- Create Date:", "-- Transactional: false\n-- Create Date:", 1);
    }
    write_files(
        dir,
        &[
            ("Cargo.toml", "[package]\nname = \"killed\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("migrations/r1.sql", &revision("r1", "<base>", "one", "CREATE TABLE one (x INT);", "DROP TABLE one;")),
            ("migrations/r2.sql", &r2),
            ("migrations/r3.sql", &revision("r3", "r2", "three", "CREATE TABLE three (x INT);", "DROP TABLE three;")),
        ],
    );
}

/// A revision that cannot be rolled back as a whole is killed after its first statement:
/// the next run refuses, saying one statement had run and which one may have run too;
/// the operator finishes it by hand and repairs; the next run finishes.
fn killed_mid_revision_is_marked_then_recovered(url: &str, slow: &str, non_transactional: bool) {
    let project = tempfile::tempdir().unwrap();
    three_with_slow_middle(project.path(), slow, non_transactional);
    let dir = project.path();
    let mut runner = spawn(dir, url, &["upgrade", "head"]);
    wait_for(
        url,
        "SELECT COUNT(*) FROM migrate_version WHERE revision = 'r2' AND failed_statements = 1",
        1,
        "r2 ran 1",
    );
    runner.kill().unwrap();
    runner.wait().unwrap();
    let refused: Output = cargo_migrate(dir, url, &["upgrade", "head"]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    let message = text(&refused);
    assert!(message.contains("revision r2 (account) is marked failed"), "{message}");
    assert!(message.contains("in progress: upgrade by cargo-migrate"), "{message}");
    assert!(message.contains("(1 statement(s) had run; statement 2"), "{message}");
    assert!(message.contains("may have run as well"), "{message}");
    assert!(message.contains("`cargo migrate repair r2`"), "{message}");
    assert_eq!(scalar(url, "SELECT COUNT(*) FROM account"), 0, "the INSERT never ran");
    // The operator completes r2 by hand, then records it.
    let out = cargo_migrate(dir, url, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("hint: fix the schema by hand, then") && !text(&out).contains("upgrade heads"));
    server_db::admin_sql(url, "INSERT INTO account VALUES (1)");
    let out = cargo_migrate(dir, url, &["repair", "r2"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = cargo_migrate(dir, url, &["upgrade", "head"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Running upgrade r2 -> r3"), "{}", text(&out));
    assert_eq!(scalar(url, "SELECT COUNT(*) FROM migrate_version WHERE failed_statements IS NULL"), 3);
}

#[test]
fn mysql_ddl_revision_killed_mid_way_is_marked_then_recovered() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "mysql_ddl_revision_killed_mid_way") else { return };
    killed_mid_revision_is_marked_then_recovered(&db.url, "SELECT SLEEP(30)", false);
}

#[test]
fn postgres_non_transactional_revision_killed_mid_way_is_marked_then_recovered() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "postgres_non_transactional_killed_mid_way") else {
        return;
    };
    killed_mid_revision_is_marked_then_recovered(&db.url, "SELECT pg_sleep(30)", true);
}

#[test]
fn sqlite_non_transactional_revision_killed_mid_way_is_marked_then_recovered() {
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", db.path().join("x.db").display());
    let slow =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) SELECT COUNT(*) FROM c";
    killed_mid_revision_is_marked_then_recovered(&url, slow, true);
}
