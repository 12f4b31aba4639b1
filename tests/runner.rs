//! The runner against real databases: SQLite always, PostgreSQL and MySQL/MariaDB from
//! `MIGRATE_TEST_POSTGRES_URL` / `MIGRATE_TEST_MYSQL_URL` (skipped with a message when
//! unset, failing under `MIGRATE_REQUIRE_DATABASES=1`). Each test gets its own database.

#[path = "support/server_db.rs"]
mod server_db;
mod support;

use migrate_embed::config::TableName;
use migrate_embed::db::Conn;
use migrate_embed::db::lock::RunLock;
use migrate_embed::dialect::DatabaseKind;
use migrate_embed::graph::{RevisionGraph, check_chain};
use migrate_embed::revision::parse_revision;
use migrate_embed::runner::{Event, Migrator, RunError, Settings};
use migrate_embed::source::load_dir;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;
use support::{database_url, unique_name, with_database, workspace_root};

/// A database made for one test and dropped afterwards (also when the test panics).
struct TestDb {
    kind: DatabaseKind,
    url: String,
    admin: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    async fn new(kind: DatabaseKind, test: &str) -> Option<TestDb> {
        match kind {
            DatabaseKind::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Some(TestDb { kind, url, admin: None, _dir: Some(dir) })
            }
            DatabaseKind::Postgres | DatabaseKind::MySql => {
                let var =
                    if kind == DatabaseKind::Postgres { "MIGRATE_TEST_POSTGRES_URL" } else { "MIGRATE_TEST_MYSQL_URL" };
                let admin = database_url(var, test)?;
                let name = unique_name("mt");
                let mut conn = Conn::connect(&admin, Duration::from_secs(5)).await.expect("test server reachable");
                conn.execute_raw(&format!("CREATE DATABASE {name}")).await.expect("create test database");
                Some(TestDb { kind, url: with_database(&admin, &name), admin: Some((admin, name)), _dir: None })
            }
        }
    }

    async fn conn(&self) -> Conn {
        Conn::connect(&self.url, Duration::from_secs(5)).await.expect("connect to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.admin.take() else { return };
        let kind = self.kind;
        // Drop runs inside the test's runtime; use a thread with its own.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                if let Ok(mut conn) = Conn::connect(&admin, Duration::from_secs(5)).await {
                    let force = if kind == DatabaseKind::Postgres { " WITH (FORCE)" } else { "" };
                    let _ = conn.execute_raw(&format!("DROP DATABASE IF EXISTS {name}{force}")).await;
                }
            });
        })
        .join()
        .unwrap();
    }
}

/// Generates `mod name { sqlite, postgres, mysql }` tests calling `body(db)`.
macro_rules! on_every_database {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(db) = TestDb::new(DatabaseKind::Sqlite, concat!(stringify!($name), "::sqlite")).await { super::$name(db).await }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = TestDb::new(DatabaseKind::Postgres, concat!(stringify!($name), "::postgres")).await { super::$name(db).await }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() {
                if let Some(db) = TestDb::new(DatabaseKind::MySql, concat!(stringify!($name), "::mysql")).await { super::$name(db).await }
            }
        }
    )*};
}

on_every_database!(
    seed_articles_up_down_up,
    failing_statement_leaves_last_good_revision,
    unknown_recorded_revision_is_refused,
    recorded_down_rolls_back_a_newer_release,
    checksum_drift_warns_or_refuses,
    irreversible_downgrade_runs_nothing,
    branches_merges_and_labels,
    non_transactional_failure_is_marked,
    stamp_and_repair,
    concurrent_runners_apply_each_revision_once,
    held_lock_waits_reports_and_times_out,
    dml_then_failing_ddl,
    foreign_keys_off_rebuilds_a_parent_and_keeps_its_children,
    statements_ending_in_comments_run_whole,
    branch_at_revision_targets,
    up_to_date_takes_no_lock,
);

fn graph_of(files: &[(&str, String)]) -> RevisionGraph {
    let revisions = files
        .iter()
        .map(|(name, text)| {
            let mut rev = parse_revision(text.as_bytes()).unwrap();
            rev.origin.path = Path::new("migrations").join(name);
            rev
        })
        .collect();
    RevisionGraph::build(revisions).unwrap()
}

fn rev(id: &str, revises: &str, up: &str, down: Option<&str>) -> (String, String) {
    let down = down.map(|d| format!("-- migrate:down\n{d}\n")).unwrap_or_default();
    (
        format!("{id}.sql"),
        format!("-- {id} message\n--\n-- Revision ID: {id}\n-- Revises: {revises}\n\n-- migrate:up\n{up}\n\n{down}"),
    )
}

fn owned(files: &[(String, String)]) -> Vec<(&str, String)> {
    files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect()
}

fn settings() -> Settings {
    let mut s = Settings::new(TableName::default(), true);
    s.lock_timeout = Duration::from_secs(20);
    s
}

fn target(text: &str) -> migrate_embed::Target {
    text.parse().unwrap()
}

async fn up(m: &Migrator<'_>, db: &TestDb, to: &str) -> Result<Vec<String>, RunError> {
    let mut conn = db.conn().await;
    let mut log = Vec::new();
    m.upgrade(&mut conn, &target(to), &mut |e| log.push(e.to_string())).await.map(|_| log)
}

async fn down(m: &Migrator<'_>, db: &TestDb, to: &str) -> Result<Vec<String>, RunError> {
    let mut conn = db.conn().await;
    let mut log = Vec::new();
    m.downgrade(&mut conn, &target(to), &mut |e| log.push(e.to_string())).await.map(|_| log)
}

async fn heads(m: &Migrator<'_>, db: &TestDb) -> Vec<String> {
    let mut conn = db.conn().await;
    let state = m.state(&mut conn).await.unwrap();
    m.graph().applied_heads(&state.applied).iter().map(|&h| m.graph().revision(h).id.clone()).collect()
}

/// Rows of `sql`, read over a connection of the test's own.
async fn query<T>(db: &TestDb, sql: &str) -> Vec<T>
where
    T: Send + Unpin,
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + for<'r> sqlx::FromRow<'r, sqlx::mysql::MySqlRow>,
{
    server_db::query(&db.url, sql).await
}

/// Tables (other than the version table) and their columns, as sets.
async fn schema(db: &TestDb) -> BTreeMap<String, BTreeSet<String>> {
    let sql = match db.kind {
        DatabaseKind::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        DatabaseKind::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = 'public'"
        }
        DatabaseKind::MySql => {
            "SELECT CAST(table_name AS CHAR), CAST(column_name AS CHAR) FROM information_schema.columns WHERE table_schema = DATABASE()"
        }
    };
    let rows: Vec<(String, String)> = query(db, sql).await;
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (table, column) in rows.into_iter().filter(|(t, _)| t != "migrate_version") {
        tables.entry(table).or_default().insert(column);
    }
    tables
}

async fn pg_enums(db: &TestDb) -> BTreeSet<String> {
    if db.kind != DatabaseKind::Postgres {
        return BTreeSet::new();
    }
    let rows: Vec<(String,)> = query(db, "SELECT typname::text FROM pg_type WHERE typtype = 'e'").await;
    rows.into_iter().map(|r| r.0).collect()
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let rows: Vec<(i64,)> = query(db, sql).await;
    rows[0].0
}

async fn seed_articles_up_down_up(db: TestDb) {
    let root = workspace_root().join("tests/fixtures/seeds");
    let dir = root.join(db.kind.name());
    let loaded = load_dir(&dir, &root).unwrap();
    let graph = check_chain(loaded.revisions, loaded.problems, false).unwrap();
    let m = Migrator::new(&graph, settings());
    let expect: toml::Value = toml::from_str(&std::fs::read_to_string(root.join("expect.toml")).unwrap()).unwrap();
    let steps = expect["step"].as_array().unwrap();
    let expected_tables = |step: &toml::Value| -> BTreeMap<String, BTreeSet<String>> {
        step["tables"]
            .as_table()
            .unwrap()
            .iter()
            .map(|(t, cols)| {
                (t.clone(), cols.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect())
            })
            .collect()
    };
    for step in steps {
        let revision = step["revision"].as_str().unwrap();
        up(&m, &db, revision).await.unwrap_or_else(|e| panic!("upgrade to {revision}: {e}"));
        assert_eq!(schema(&db).await, expected_tables(step), "schema after {revision}");
        if db.kind == DatabaseKind::Postgres {
            let enums: BTreeSet<String> =
                step["pg_enums"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_owned()).collect();
            assert_eq!(pg_enums(&db).await, enums, "enum types after {revision}");
        }
        if let Some(roles) = step.get("rows").and_then(|r| r.get("roles")) {
            assert_eq!(
                count(&db, "SELECT COUNT(*) FROM roles").await,
                roles.as_integer().unwrap(),
                "roles after {revision}"
            );
        }
    }
    let log = down(&m, &db, "base").await.unwrap();
    assert_eq!(log.len(), graph.len(), "{log:#?}");
    assert!(log[0].starts_with("Running downgrade e7a9c1b3d5f2 -> c2e4a6f8b0d1"), "{log:#?}");
    assert!(schema(&db).await.is_empty(), "nothing left after downgrade base: {:?}", schema(&db).await);
    assert!(pg_enums(&db).await.is_empty());
    assert_eq!(count(&db, "SELECT COUNT(*) FROM migrate_version").await, 0);
    let log = up(&m, &db, "head").await.unwrap();
    assert_eq!(log.first().map(String::as_str), Some("Running upgrade <base> -> 1975ea83b712, create account table"));
    assert_eq!(schema(&db).await, expected_tables(steps.last().unwrap()));
    assert_eq!(heads(&m, &db).await, ["e7a9c1b3d5f2"]);
    // Up to date: nothing runs.
    assert!(up(&m, &db, "head").await.unwrap().is_empty());
}

fn five_with_bad_third() -> Vec<(String, String)> {
    // On MySQL the DDL before the bad statement commits implicitly.
    vec![
        rev("r1", "<base>", "CREATE TABLE one (x INT);", Some("DROP TABLE one;")),
        rev("r2", "r1", "CREATE TABLE two (x INT);", Some("DROP TABLE two;")),
        rev(
            "r3",
            "r2",
            "CREATE TABLE three (x INT);\nINSERT INTO three VALUES (1);\nINSERT INTO no_such_table VALUES (1);",
            Some("DROP TABLE three;"),
        ),
        rev("r4", "r3", "CREATE TABLE four (x INT);", Some("DROP TABLE four;")),
        rev("r5", "r4", "SELECT 5;", Some("SELECT 5;")),
    ]
}

async fn failing_statement_leaves_last_good_revision(db: TestDb) {
    let files = five_with_bad_third();
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    let error = up(&m, &db, "head").await.unwrap_err().to_string();
    assert!(
        error.contains("upgrade of revision r3 (r3 message) failed at statement 3 (migrations/r3.sql:9)"),
        "{error}"
    );
    assert!(error.contains("INSERT INTO no_such_table"), "{error}");
    assert!(error.contains("no_such_table"), "database message: {error}");
    let tables: Vec<String> = schema(&db).await.into_keys().collect();
    if db.kind == DatabaseKind::MySql {
        // CREATE TABLE three committed implicitly: r3 is marked failed, and runs refuse.
        assert!(error.contains("marked failed in migrate_version"), "{error}");
        assert_eq!(tables, ["one", "three", "two"]);
        let again = up(&m, &db, "head").await.unwrap_err().to_string();
        assert!(
            again.contains("revision r3 (r3 message) is marked failed") && again.contains("cargo migrate stamp"),
            "{again}"
        );
        // The operator finishes r3 by hand and repairs: runs go on.
        let mut conn = db.conn().await;
        let repaired = m.repair(&mut conn, &["r3".to_owned()], &mut |_| {}).await.unwrap();
        assert_eq!(repaired.len(), 1, "{repaired:?}");
        // CREATE TABLE three committed; the INSERT after it was rolled back with the
        // failing statement's transaction, so one statement's effects were kept.
        assert!(repaired[0].contains("failed mark cleared (1 statement(s) had run)"), "{repaired:?}");
        up(&m, &db, "head").await.unwrap();
        assert_eq!(heads(&m, &db).await, ["r5"]);
    } else {
        assert!(error.contains("Nothing of this revision was kept"), "{error}");
        assert_eq!(tables, ["one", "two"]);
        assert_eq!(heads(&m, &db).await, ["r2"]);
    }
}

async fn unknown_recorded_revision_is_refused(db: TestDb) {
    let newer = vec![
        rev("a1", "<base>", "CREATE TABLE t (x INT);", Some("DROP TABLE t;")),
        rev("b2", "a1", "CREATE TABLE u (x INT);", Some("DROP TABLE u;")),
    ];
    let graph_new = graph_of(&owned(&newer));
    up(&Migrator::new(&graph_new, settings()), &db, "head").await.unwrap();
    let older = graph_of(&owned(&newer[..1]));
    let m = Migrator::new(&older, settings());
    for result in [up(&m, &db, "head").await, down(&m, &db, "base").await] {
        let error = result.unwrap_err().to_string();
        assert!(
            error.contains("records 1 revision(s) that these migrations do not contain: b2 (b2 message)"),
            "{error}"
        );
        assert!(error.contains("Nothing was changed") && error.contains("--use-recorded-down"), "{error}");
    }
    assert_eq!(schema(&db).await.len(), 2);
}

async fn recorded_down_rolls_back_a_newer_release(db: TestDb) {
    let release_n = vec![
        rev("a1", "<base>", "CREATE TABLE t (x INT);", Some("DROP TABLE t;")),
        rev("b2", "a1", "CREATE TABLE u (x INT);", Some("DROP TABLE u;")),
        rev("c3", "b2", "ALTER TABLE u ADD y INT;", Some("ALTER TABLE u DROP COLUMN y;")),
    ];
    up(&Migrator::new(&graph_of(&owned(&release_n)), settings()), &db, "head").await.unwrap();
    let older = graph_of(&owned(&release_n[..1]));
    let mut s = settings();
    s.use_recorded_down = true;
    let m = Migrator::new(&older, s);
    // A bad target fails before anything is rolled back.
    assert!(up(&m, &db, "nope").await.is_err());
    assert_eq!(schema(&db).await.len(), 2, "nothing rolled back for a bad target");
    let log = up(&m, &db, "head").await.unwrap();
    assert_eq!(
        log,
        [
            "Running downgrade c3 -> b2, c3 message (recorded down SQL)",
            "Running downgrade b2 -> a1, b2 message (recorded down SQL)"
        ]
    );
    assert_eq!(schema(&db).await.into_keys().collect::<Vec<_>>(), ["t"]);
    assert_eq!(heads(&m, &db).await, ["a1"]);
}

async fn checksum_drift_warns_or_refuses(db: TestDb) {
    let files = vec![rev("a1", "<base>", "CREATE TABLE t (x INT);", Some("DROP TABLE t;"))];
    up(&Migrator::new(&graph_of(&owned(&files)), settings()), &db, "head").await.unwrap();
    let mut edited = files.clone();
    edited[0].1 = edited[0].1.replace("x INT", "x BIGINT");
    edited.push(rev("b2", "a1", "SELECT 1;", Some("SELECT 1;")));
    let graph = graph_of(&owned(&edited));
    let m = Migrator::new(&graph, settings());
    let mut conn = db.conn().await;
    assert_eq!(m.state(&mut conn).await.unwrap().drifted, [0]);
    let log = up(&m, &db, "head").await.unwrap();
    assert!(
        log[0].starts_with(
            "warning: applied revision(s) changed since they ran (checksum drift): a1 (migrations/a1.sql)"
        ),
        "{log:?}"
    );
    let mut strict = settings();
    strict.refuse_drift = true;
    let error = down(&Migrator::new(&graph, strict), &db, "a1").await.unwrap_err();
    assert!(matches!(error, RunError::Drift { .. }), "{error}");
    let repaired = m.repair(&mut conn, &[], &mut |_| {}).await.unwrap();
    assert_eq!(repaired.len(), 1);
    assert!(repaired[0].starts_with("a1 (a1 message): checksum "), "{repaired:?}");
    assert!(m.state(&mut conn).await.unwrap().drifted.is_empty());
}

async fn irreversible_downgrade_runs_nothing(db: TestDb) {
    let files = vec![
        rev("a1", "<base>", "CREATE TABLE t (x INT);", Some("DROP TABLE t;")),
        rev("b2", "a1", "CREATE TABLE u (x INT);", None),
        rev("c3", "b2", "CREATE TABLE v (x INT);", Some("DROP TABLE v;")),
    ];
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    up(&m, &db, "head").await.unwrap();
    let error = down(&m, &db, "base").await.unwrap_err().to_string();
    assert!(
        error.contains("cannot downgrade through b2 (b2 message) (migrations/b2.sql)")
            && error.contains("nothing was run"),
        "{error}"
    );
    assert_eq!(schema(&db).await.len(), 3, "c3 must not have been rolled back");
    let error = up(&m, &db, "nope").await.unwrap_err().to_string();
    assert!(error.contains("no revision matches `nope`"), "{error}");
}

async fn branches_merges_and_labels(db: TestDb) {
    let mut files = vec![
        rev("a1", "<base>", "CREATE TABLE base_t (x INT);", Some("DROP TABLE base_t;")),
        rev("b2", "a1", "CREATE TABLE left_t (x INT);", Some("DROP TABLE left_t;")),
        rev("c3", "a1", "CREATE TABLE right_t (x INT);", Some("DROP TABLE right_t;")),
    ];
    files[1].1 = files[1].1.replace("-- Revises: a1", "-- Revises: a1\n-- Branch Labels: lefty");
    files[2].1 = files[2].1.replace("-- Revises: a1", "-- Revises: a1\n-- Branch Labels: righty");
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    let error = up(&m, &db, "head").await.unwrap_err().to_string();
    assert!(error.contains("there are 2 heads") && error.contains("`heads`"), "{error}");
    up(&m, &db, "lefty@head").await.unwrap();
    assert_eq!(heads(&m, &db).await, ["b2"]);
    up(&m, &db, "heads").await.unwrap();
    assert_eq!(heads(&m, &db).await, ["b2", "c3"]);
    down(&m, &db, "righty@base").await.unwrap();
    assert_eq!(heads(&m, &db).await, ["b2"]);
    up(&m, &db, "heads").await.unwrap();
    // Merge, then step back across it: both parents are heads again.
    files.push(rev("d4", "b2, c3", "CREATE TABLE merged_t (x INT);", Some("DROP TABLE merged_t;")));
    let merged = graph_of(&owned(&files));
    let m = Migrator::new(&merged, settings());
    let log = up(&m, &db, "head").await.unwrap();
    assert_eq!(log, ["Running upgrade b2, c3 -> d4, d4 message"]);
    // --migrate-to heads on a database already there does nothing (and is no error).
    let mut conn = db.conn().await;
    assert!(m.migrate_to(&mut conn, &target("heads"), &mut |_| {}).await.unwrap().is_empty());
    let log = down(&m, &db, "-1").await.unwrap();
    assert_eq!(log, ["Running downgrade d4 -> b2, c3, d4 message"]);
    assert_eq!(heads(&m, &db).await, ["b2", "c3"]);
    // SPEC §4: `+1` with several current heads is ambiguous.
    let error = up(&m, &db, "+1").await.unwrap_err().to_string();
    assert!(error.contains("the database has 2 current heads: b2 (b2 message), c3 (c3 message)"), "{error}");
}

async fn non_transactional_failure_is_marked(db: TestDb) {
    let concurrently = if db.kind == DatabaseKind::Postgres { "CONCURRENTLY " } else { "" };
    let mut files = vec![
        rev("a1", "<base>", "CREATE TABLE t (x INT, y INT);", Some("DROP TABLE t;")),
        rev(
            "b2",
            "a1",
            &format!("CREATE INDEX {concurrently}ix_t_x ON t (x);\nCREATE INDEX {concurrently}ix_t_y ON t (nope);"),
            Some("SELECT 1;"),
        ),
    ];
    files[1].1 = files[1].1.replace("-- Revises: a1", "-- Revises: a1\n-- Transactional: false");
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    let error = up(&m, &db, "head").await.unwrap_err().to_string();
    assert!(error.contains("failed at statement 2 (migrations/b2.sql:"), "{error}");
    assert!(
        error.contains("1 statement(s) of it had run") && error.contains("marked failed in migrate_version"),
        "{error}"
    );
    let again = up(&m, &db, "head").await.unwrap_err().to_string();
    assert!(again.contains("is marked failed") && again.contains("outside a transaction"), "{again}");
    // Fix by stamping back to a1 after dropping the half-made index by hand.
    let mut conn = db.conn().await;
    let drop_index = match db.kind {
        DatabaseKind::MySql => "DROP INDEX ix_t_x ON t",
        _ => "DROP INDEX ix_t_x",
    };
    conn.execute_raw(drop_index).await.unwrap();
    let changes = m.stamp(&mut conn, &target("a1"), false, &mut |_| {}).await.unwrap();
    assert_eq!(changes, ["unstamped b2 (b2 message)"]);
    // A good non-transactional revision (CREATE INDEX CONCURRENTLY on PostgreSQL) applies.
    files[1].1 = files[1].1.replace("(nope)", "(y)");
    let fixed = graph_of(&owned(&files));
    up(&Migrator::new(&fixed, settings()), &db, "head").await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM migrate_version WHERE failed_statements IS NULL").await, 2);
}

async fn stamp_and_repair(db: TestDb) {
    let files = vec![
        rev("a1", "<base>", "CREATE TABLE t (x INT);", Some("DROP TABLE t;")),
        rev("b2", "a1", "CREATE TABLE u (x INT);", Some("DROP TABLE u;")),
    ];
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    let mut conn = db.conn().await;
    let changes = m.stamp(&mut conn, &target("head"), false, &mut |_| {}).await.unwrap();
    assert_eq!(changes, ["stamped a1 (a1 message)", "stamped b2 (b2 message)"]);
    assert!(schema(&db).await.is_empty(), "stamp runs no SQL");
    assert_eq!(heads(&m, &db).await, ["b2"]);
    let changes = m.stamp(&mut conn, &target("base"), false, &mut |_| {}).await.unwrap();
    assert_eq!(changes, ["unstamped b2 (b2 message)", "unstamped a1 (a1 message)"]);
    let error = m.repair(&mut conn, &["a1".to_owned()], &mut |_| {}).await.unwrap_err().to_string();
    assert!(error.contains("a1 (a1 message)"), "{error}");
    // --purge clears rows the graph does not know.
    let other = graph_of(&owned(&[rev("zz", "<base>", "SELECT 1;", None)]));
    Migrator::new(&other, settings()).stamp(&mut conn, &target("head"), false, &mut |_| {}).await.unwrap();
    let error = m.stamp(&mut conn, &target("a1"), false, &mut |_| {}).await.unwrap_err();
    assert!(matches!(error, RunError::UnknownRevisions { .. }));
    let changes = m.stamp(&mut conn, &target("a1"), true, &mut |_| {}).await.unwrap();
    assert_eq!(changes, ["purged 1 row(s) from migrate_version", "stamped a1 (a1 message)"]);
}

async fn concurrent_runners_apply_each_revision_once(db: TestDb) {
    // Each revision appends a row; a revision applied twice would leave two.
    let mut files =
        vec![rev("r00", "<base>", "CREATE TABLE applied (revision VARCHAR(10));", Some("DROP TABLE applied;"))];
    for i in 1..20 {
        let (id, parent) = (format!("r{i:02}"), format!("r{:02}", i - 1));
        files.push(rev(&id, &parent, &format!("INSERT INTO applied VALUES ('{id}');"), Some("SELECT 1;")));
    }
    let graph = std::sync::Arc::new(graph_of(&owned(&files)));
    let url = std::sync::Arc::new(db.url.clone());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (graph, url) = (graph.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let m = Migrator::new(&graph, settings());
            let mut conn = m.connect(&url).await.unwrap();
            m.upgrade(&mut conn, &target("head"), &mut |_| {}).await.map(|ran| ran.len())
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap().unwrap_or_else(|e| panic!("a concurrent runner failed: {e}"));
    }
    assert_eq!(total, 20, "each revision ran exactly once across all runners");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM applied").await, 19);
    assert_eq!(count(&db, "SELECT COUNT(DISTINCT revision) FROM applied").await, 19);
}

async fn held_lock_waits_reports_and_times_out(db: TestDb) {
    let files = vec![rev("a1", "<base>", "CREATE TABLE t (x INT);", Some("DROP TABLE t;"))];
    let graph = graph_of(&owned(&files));
    let mut holder = db.conn().await;
    // Hold the lock the way another runner would.
    let held = RunLock::acquire(&mut holder, None, &TableName::default(), &mut |_| {}).await.unwrap();
    let mut s = settings();
    s.lock_timeout = Duration::from_secs(1);
    let m = Migrator::new(&graph, s);
    let mut conn = m.connect(&db.url).await.unwrap();
    let mut events = Vec::new();
    let started = std::time::Instant::now();
    let error = m.upgrade(&mut conn, &target("head"), &mut |e| events.push(e)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(15), "timed out promptly");
    assert!(matches!(events.first(), Some(Event::WaitingForLock { .. })), "{events:?}");
    let text = error.to_string();
    assert!(text.contains("timed out after") && text.contains("--lock-timeout"), "{text}");
    if db.kind == DatabaseKind::Postgres {
        assert!(text.contains("held by backend pid") && text.contains("cargo-migrate"), "{text}");
    }
    if db.kind == DatabaseKind::MySql {
        assert!(text.contains("held by connection"), "{text}");
    }
    assert!(!schema(&db).await.contains_key("t"), "nothing ran");
    // Released on the error path: once the holder lets go, a run succeeds.
    assert!(held.release(&mut holder).await.unwrap());
    drop(holder);
    m.upgrade(&mut conn, &target("head"), &mut |_| {}).await.unwrap();
}

#[tokio::test]
async fn unreachable_database_masks_password() {
    let error =
        Conn::connect("postgres://app:hunter2@127.0.0.1:1/db", Duration::from_secs(2)).await.err().unwrap().to_string();
    assert!(error.contains("postgres://app:***@127.0.0.1:1/db"), "{error}");
    assert!(!error.contains("hunter2"), "{error}");
    let error = Conn::connect("oracle://x", Duration::from_secs(1)).await.err().unwrap().to_string();
    assert!(error.contains("unsupported database URL"), "{error}");
}

/// A name that is not a plain identifier cannot reach the runner: `TableName` is the only
/// way to name the version table, and it is checked once, where the config is read.
#[test]
fn version_table_name_with_sql_is_rejected() {
    assert_eq!(TableName::new("v; DROP TABLE x"), Err("v; DROP TABLE x".to_owned()));
}

/// MySQL commits before each DDL statement, even one that fails: the INSERT before it is
/// kept there, so the revision must be marked failed; elsewhere the rollback undoes it.
async fn dml_then_failing_ddl(db: TestDb) {
    let files = vec![
        rev("a1", "<base>", "CREATE TABLE t (x INT);", Some("DROP TABLE t;")),
        rev("b2", "a1", "INSERT INTO t VALUES (1);\nALTER TABLE t ADD x INT;", Some("SELECT 1;")),
    ];
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    let error = up(&m, &db, "head").await.unwrap_err().to_string();
    assert!(error.contains("failed at statement 2"), "{error}");
    let rows = count(&db, "SELECT COUNT(*) FROM t").await;
    if db.kind == DatabaseKind::MySql {
        assert_eq!(rows, 1, "MySQL committed the INSERT before the ALTER");
        assert!(error.contains("marked failed"), "{error}");
    } else {
        assert_eq!(rows, 0);
        assert!(error.contains("Nothing of this revision was kept"), "{error}");
    }
}

#[tokio::test]
async fn mysql_lock_works_with_a_64_character_database_name() {
    let Some(admin) = database_url("MIGRATE_TEST_MYSQL_URL", "mysql_lock_works_with_a_64_character_database_name")
    else {
        return;
    };
    let name = format!("{}_{}", unique_name("long"), "x".repeat(64));
    let name = &name[..64];
    let mut conn = Conn::connect(&admin, Duration::from_secs(5)).await.unwrap();
    conn.execute_raw(&format!("CREATE DATABASE {name}")).await.unwrap();
    let url = with_database(&admin, name);
    let graph = graph_of(&owned(&[rev("a1", "<base>", "CREATE TABLE t (x INT);", Some("DROP TABLE t;"))]));
    let m = Migrator::new(&graph, settings());
    let result = async {
        let mut db = m.connect(&url).await?;
        m.upgrade(&mut db, &target("head"), &mut |_| {}).await
    }
    .await;
    conn.execute_raw(&format!("DROP DATABASE {name}")).await.unwrap();
    assert_eq!(result.unwrap().len(), 1);
}

/// `Foreign Keys: off` (what autogenerate's SQLite table rebuilds need): the parent table
/// is rebuilt (new table, copy, drop, rename) and the children's rows survive, although
/// their foreign key says ON DELETE CASCADE. A rebuild that loses a parent row is caught by
/// the reference check and rolled back. PostgreSQL has no such switch and refuses.
async fn foreign_keys_off_rebuilds_a_parent_and_keeps_its_children(db: TestDb) {
    let id = if db.kind == DatabaseKind::MySql { "INT PRIMARY KEY" } else { "INTEGER PRIMARY KEY" };
    let base = rev(
        "a1",
        "<base>",
        &format!(
            "CREATE TABLE parent (id {id}, name VARCHAR(20));\n\
             CREATE TABLE child (id {id}, parent_id INT REFERENCES parent (id) ON DELETE CASCADE);\n\
             INSERT INTO parent VALUES (1, 'one'), (2, 'two');\n\
             INSERT INTO child VALUES (10, 1), (20, 2);"
        ),
        Some("DROP TABLE child;\nDROP TABLE parent;"),
    );
    let rebuild = |keep: &str| {
        format!(
            "-- b2 message\n--\n-- Revision ID: b2\n-- Revises: a1\n-- Foreign Keys: off\n\n-- migrate:up\n\
             CREATE TABLE parent_new (id {id}, name VARCHAR(40));\n\
             INSERT INTO parent_new SELECT id, name FROM parent WHERE id IN ({keep});\n\
             DROP TABLE parent;\nALTER TABLE parent_new RENAME TO parent;\n\n-- migrate:down\nSELECT 1;\n"
        )
    };
    let graph = graph_of(&owned(&[base.clone(), ("b2.sql".to_owned(), rebuild("1, 2"))]));
    let m = Migrator::new(&graph, settings());
    let result = up(&m, &db, "head").await;
    if db.kind == DatabaseKind::Postgres {
        let error = result.unwrap_err().to_string();
        assert!(
            error.contains("`Foreign Keys: off`, which postgres cannot do") && error.contains("nothing was run"),
            "{error}"
        );
        assert!(schema(&db).await.is_empty(), "nothing ran, a1 included");
        return;
    }
    result.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM child").await, 2, "children kept");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM parent").await, 2);
    if db.kind == DatabaseKind::Sqlite {
        // Enforcement is back on after the revision.
        let error = async {
            let mut conn = db.conn().await;
            conn.execute_raw("INSERT INTO child VALUES (30, 99)").await
        }
        .await;
        assert!(error.is_err(), "foreign keys are enforced again");
        // A rebuild that loses parent 2 leaves child 20 dangling: refused, rolled back.
        let db2 = TestDb::new(DatabaseKind::Sqlite, "foreign_keys_off::dangling").await.unwrap();
        let graph = graph_of(&owned(&[base, ("b2.sql".to_owned(), rebuild("1"))]));
        let m = Migrator::new(&graph, settings());
        let error = up(&m, &db2, "head").await.unwrap_err().to_string();
        assert!(error.contains("left 1 reference(s) pointing nowhere: child row 20 -> parent"), "{error}");
        assert_eq!(count(&db2, "SELECT COUNT(*) FROM parent").await, 2, "rolled back");
        assert_eq!(heads(&m, &db2).await, ["a1"]);
    }
}

/// A statement that ends in a line comment must not swallow the `;` the runner puts after
/// it (SQLite sends a revision as one batch), and the schema keeps the text as written.
async fn statements_ending_in_comments_run_whole(db: TestDb) {
    let files = vec![rev(
        "a1",
        "<base>",
        "CREATE TABLE t (x INT); -- the table\nINSERT INTO t VALUES (1) -- one row\n;\nINSERT INTO t VALUES (2); /* two */",
        Some("DROP TABLE t;"),
    )];
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    up(&m, &db, "head").await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM t").await, 2);
    if db.kind == DatabaseKind::Sqlite {
        let sql: Vec<(String,)> = query(&db, "SELECT sql FROM sqlite_master WHERE name = 't'").await;
        assert_eq!(sql[0].0, "CREATE TABLE t (x INT)");
    }
}

/// PostgreSQL's `CREATE RULE … DO ALSO (a; b)` is one statement to the splitter, so a
/// `Transactional: false` revision (run statement by statement) can hold one.
#[tokio::test]
async fn rule_with_a_statement_list_runs_outside_a_transaction_on_postgres() {
    let Some(db) = TestDb::new(DatabaseKind::Postgres, "rule_with_a_statement_list_runs_outside_a_transaction").await
    else {
        return;
    };
    let mut files = vec![
        rev("a1", "<base>", "CREATE TABLE t (id INT);\nCREATE TABLE a (id INT);\nCREATE TABLE b (id INT);", None),
        rev(
            "b2",
            "a1",
            "CREATE RULE log_insert AS ON INSERT TO t DO ALSO (\n    INSERT INTO a VALUES (new.id);\n    INSERT INTO b VALUES (new.id)\n);\nINSERT INTO t VALUES (7);",
            Some("DROP RULE log_insert ON t;"),
        ),
    ];
    files[1].1 = files[1].1.replace("-- Revises: a1", "-- Revises: a1\n-- Transactional: false");
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    up(&m, &db, "head").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM a").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM b").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM migrate_version WHERE failed_statements IS NULL").await, 2);
}

/// `X@Y` where Y lies below the labelled part of branch X, on a real database: Alembic's
/// graph a → b → {c1 (left) → d1, c2 (right) → d2}, each revision a table of its own; then
/// the same with d2 depending on c1.
async fn branch_at_revision_targets(db: TestDb) {
    let mut files = Vec::new();
    for (id, revises, label) in [
        ("a", "<base>", ""),
        ("b", "a", ""),
        ("c1", "b", "left"),
        ("c2", "b", "right"),
        ("d1", "c1", ""),
        ("d2", "c2", ""),
    ] {
        let (name, mut text) =
            rev(id, revises, &format!("CREATE TABLE t_{id} (x INT);"), Some(&format!("DROP TABLE t_{id};")));
        if !label.is_empty() {
            let revises_line = format!("-- Revises: {revises}\n");
            text = text.replace(&revises_line, &format!("{revises_line}-- Branch Labels: {label}\n"));
        }
        files.push((name, text));
    }
    let tables = async || -> Vec<String> { schema(&db).await.into_keys().collect() };
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    let all = ["t_a", "t_b", "t_c1", "t_c2", "t_d1", "t_d2"];
    for (target, ran, left) in [
        ("left@b", vec!["Running downgrade d1 -> c1, d1 message", "Running downgrade c1 -> b, c1 message"], vec!["d2"]),
        ("c2@b", vec!["Running downgrade d2 -> c2, d2 message", "Running downgrade c2 -> b, c2 message"], vec!["d1"]),
        (
            "d1@base",
            vec!["Running downgrade d1 -> c1, d1 message", "Running downgrade c1 -> b, c1 message"],
            vec!["d2"],
        ),
        (
            "right@base+2",
            vec!["Running downgrade d2 -> c2, d2 message", "Running downgrade c2 -> b, c2 message"],
            vec!["d1"],
        ),
        (
            "left@a",
            vec![
                "Running downgrade d2 -> c2, d2 message",
                "Running downgrade d1 -> c1, d1 message",
                "Running downgrade c2 -> b, c2 message",
                "Running downgrade c1 -> b, c1 message",
                "Running downgrade b -> a, b message",
            ],
            vec!["a"],
        ),
    ] {
        up(&m, &db, "heads").await.unwrap();
        assert_eq!(tables().await, all, "{target}");
        assert_eq!(down(&m, &db, target).await.unwrap_or_else(|e| panic!("{target}: {e}")), ran, "{target}");
        assert_eq!(heads(&m, &db).await, left, "{target}");
        let kept: Vec<String> = graph
            .ancestors(&[graph.index_of(left[0]).unwrap()], true)
            .iter()
            .enumerate()
            .filter(|(_, kept)| **kept)
            .map(|(i, _)| format!("t_{}", graph.revision(i).id))
            .collect();
        assert_eq!(tables().await, kept, "{target}: only the revisions above it on the branch were undone");
    }
    // A revision on branch `left` is not a target on `right`, and nothing runs.
    up(&m, &db, "heads").await.unwrap();
    let error = down(&m, &db, "right@c1").await.unwrap_err().to_string();
    assert!(error.contains("revision c1 is not on branch `right`"), "{error}");
    assert_eq!(tables().await, all);

    // d2 depends on c1: taking `left` down to b takes d2 too; c2 stays.
    files[5].1 = files[5].1.replace("-- Revises: c2", "-- Revises: c2\n-- Depends On: c1");
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    let ran = down(&m, &db, "left@b").await.unwrap();
    assert_eq!(ran.len(), 3, "{ran:?}");
    assert!(ran[..2].contains(&"Running downgrade d2 -> c2, d2 message".to_owned()), "d2 goes before c1: {ran:?}");
    assert_eq!(ran[2], "Running downgrade c1 -> b, c1 message");
    assert_eq!(heads(&m, &db).await, ["c2"]);
    assert_eq!(tables().await, ["t_a", "t_b", "t_c2"]);
    // Upgrading `right` to its head needs c1 again, for d2.
    up(&m, &db, "right@head").await.unwrap();
    assert_eq!(tables().await, ["t_a", "t_b", "t_c1", "t_c2", "t_d2"]);
}

/// An up-to-date database is told so from one read: no lock is taken, so a start-up is not
/// held up by another runner's lock (here held by a test connection that never lets go).
async fn up_to_date_takes_no_lock(db: TestDb) {
    let files = vec![rev("a1", "<base>", "CREATE TABLE t (x INT);", Some("DROP TABLE t;"))];
    let graph = graph_of(&owned(&files));
    let m = Migrator::new(&graph, settings());
    up(&m, &db, "head").await.unwrap();
    let mut holder = db.conn().await;
    let held = RunLock::acquire(&mut holder, None, &TableName::default(), &mut |_| {}).await.unwrap();
    let mut conn = m.connect(&db.url).await.unwrap();
    let mut events = Vec::new();
    let started = std::time::Instant::now();
    assert!(m.upgrade(&mut conn, &target("head"), &mut |e| events.push(e)).await.unwrap().is_empty());
    assert!(m.migrate_to(&mut conn, &target("a1"), &mut |e| events.push(e)).await.unwrap().is_empty());
    assert!(events.is_empty(), "no wait: {events:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    held.release(&mut holder).await.unwrap();
}
