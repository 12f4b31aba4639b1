//! Autogenerate's whole loop on real databases, over random pairs of schemas (issue:
//! "building A, applying the generated up SQL gives a database equal to B, applying the
//! down SQL gives A again, and B against itself is 'No changes'").
//!
//! Each case does what `revision --autogenerate` does, with the test's models standing in
//! for the revisions and `schema.sql`: model `a` is created with [`create_all`] on one
//! scratch database and introspected (A'), model `b` likewise on another (B', with `b`'s
//! `renamed_from` notes put on it as `schema.sql`'s `-- renamed from:` notes would be);
//! `compare(A', B')` is rendered up and down; up runs on A's database, which must then
//! read back with no changes against B'; down runs there too, and must read back with no
//! changes against A'; `b` built a second time must compare empty with B'. Scripts run as
//! the runner runs a revision (one transaction unless the script says otherwise, foreign
//! keys off around it when it asks, `PRAGMA foreign_key_check` before commit on SQLite).
//!
//! SQLite runs in memory, 128 cases. PostgreSQL and MariaDB run from
//! `MIGRATE_TEST_POSTGRES_URL` / `MIGRATE_TEST_MYSQL_URL` (skipped with `SKIPPED` when
//! unset, failing under `MIGRATE_REQUIRE_DATABASES=1`) on a smaller budget, 16 and 12
//! cases, each case on scratch databases made and dropped by [`ScratchServer`].
//! `MIGRATE_ROUNDTRIP_CASES=N` runs N cases on each database instead.

use super::introspect;
use crate::config::TableName;
use crate::db::Conn;
use crate::db::scratch::ScratchServer;
use crate::dialect::DatabaseKind;
use crate::schema::testing::{Limits, arb_schema_pair_with};
use crate::schema::{Change, Schema, Script, compare, create_all, render, reverse_all};
use crate::url::DatabaseUrl;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::Cell;

/// Runs `script` as the runner runs a revision's section.
async fn run(conn: &mut Conn, script: &Script) -> Result<(), String> {
    let kind = conn.kind();
    let switch = conn.dialect().foreign_keys_switch().filter(|_| script.foreign_keys_off);
    if let Some((off, _)) = switch {
        conn.execute_raw(off).await.map_err(|e| format!("{off}: {e}"))?;
    }
    // MySQL commits every DDL statement itself: statement by statement there.
    let atomic = script.transactional && kind != DatabaseKind::MySql;
    if atomic {
        conn.execute_raw("BEGIN").await.map_err(|e| format!("BEGIN: {e}"))?;
    }
    let mut result = Ok(());
    for statement in &script.statements {
        if let Err(e) = conn.execute_raw(&statement.sql).await {
            result = Err(format!("{}: {e}", statement.sql));
            break;
        }
    }
    if result.is_ok() && kind == DatabaseKind::Sqlite {
        let dangling = conn
            .fetch("SELECT COUNT(*) FROM pragma_foreign_key_check", |r| r.int())
            .await
            .map_err(|e| format!("foreign_key_check: {e}"))?;
        if dangling.first().is_some_and(|&n| n > 0) {
            result = Err(format!("{} foreign key violations before commit", dangling[0]));
        }
    }
    if atomic {
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        if let Err(e) = conn.execute_raw(end).await {
            result = result.and(Err(format!("{end}: {e}")));
        }
    }
    if let Some((_, on)) = switch {
        conn.execute_raw(on).await.map_err(|e| format!("{on}: {e}"))?;
    }
    result
}

/// A new scratch database with `model` created on it, and the model read back from it.
async fn build(server: &ScratchServer, kind: DatabaseKind, model: &Schema) -> Result<(Conn, Schema), String> {
    let mut conn = server.create().await.map_err(|e| e.to_string())?;
    let script = create_all(kind, model).map_err(|e| format!("create_all: {e}"))?;
    run(&mut conn, &script).await.map_err(|e| format!("creating the model failed: {e}\n{}", script.to_sql(kind)))?;
    let read = read(server, conn).await?;
    Ok(read)
}

/// The schema of the database `conn` is on, from a fresh connection as autogenerate reads
/// it; returns the connection to go on with.
async fn read(server: &ScratchServer, conn: Conn) -> Result<(Conn, Schema), String> {
    let mut conn = server.fresh(conn).await.map_err(|e| e.to_string())?;
    let schema = introspect(&mut conn, &TableName::default()).await.map_err(|e| e.to_string())?;
    Ok((conn, schema))
}

/// `schema` with `model`'s `-- renamed from:` notes, as `apply_rename_notes` puts them on
/// the desired side.
fn with_rename_notes(mut schema: Schema, model: &Schema) -> Schema {
    for (name, table) in &model.tables {
        let Some(read) = schema.tables.get_mut(name) else { continue };
        read.renamed_from.clone_from(&table.renamed_from);
        for column in &table.columns {
            if let Some(c) = read.columns.iter_mut().find(|c| c.name == column.name) {
                c.renamed_from.clone_from(&column.renamed_from);
            }
        }
    }
    schema
}

fn described(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "  (none)".to_owned();
    }
    changes.iter().map(|c| format!("  {}", c.describe())).collect::<Vec<_>>().join("\n")
}

/// One case: the whole loop for the pair `(a, b)` on `kind` scratch databases of `server`.
async fn case(server: &ScratchServer, kind: DatabaseKind, a: &Schema, b: &Schema) -> Result<(), String> {
    let (mut on_a, a_read) = build(server, kind, a).await.map_err(|e| format!("building A: {e}"))?;
    // The model went in whole: every table and column, read back.
    let names = |s: &Schema| -> Vec<(String, Vec<String>)> {
        s.tables
            .values()
            .map(|t| {
                let mut columns: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
                columns.sort();
                (t.name.clone(), columns)
            })
            .collect()
    };
    if names(&a_read) != names(a) {
        return Err(format!("A read back as {:?}, not {:?}", names(&a_read), names(a)));
    }
    let (on_b, b_read) = build(server, kind, b).await.map_err(|e| format!("building B: {e}"))?;
    on_b.close().await;
    let b_read = with_rename_notes(b_read, b);

    let found = compare(&a_read, &b_read);
    let changes = &found.changes;
    let up = render(kind, changes, &a_read, &b_read).map_err(|e| format!("render up: {e}\n{}", described(changes)))?;
    let down = render(kind, &reverse_all(changes), &b_read, &a_read)
        .map_err(|e| format!("render down: {e}\n{}", described(changes)))?;
    let context = || {
        format!(
            "changes A -> B:\n{}\n--- up ---\n{}--- down ---\n{}",
            described(changes),
            up.to_sql(kind),
            down.to_sql(kind)
        )
    };

    run(&mut on_a, &up).await.map_err(|e| format!("up failed: {e}\n{}", context()))?;
    let (mut on_a, after_up) = read(server, on_a).await?;
    let left = compare(&after_up, &b_read);
    if !left.is_empty() {
        return Err(format!("after up, the database differs from B:\n{}\n{}", described(&left.changes), context()));
    }
    run(&mut on_a, &down).await.map_err(|e| format!("down failed: {e}\n{}", context()))?;
    let (on_a, after_down) = read(server, on_a).await?;
    on_a.close().await;
    let left = compare(&after_down, &a_read);
    if !left.is_empty() {
        return Err(format!("after down, the database differs from A:\n{}\n{}", described(&left.changes), context()));
    }

    let (again, b_again) = build(server, kind, b).await.map_err(|e| format!("building B again: {e}"))?;
    again.close().await;
    let left = compare(&b_read, &b_again);
    if !left.is_empty() {
        return Err(format!("B built twice is not 'No changes':\n{}", described(&left.changes)));
    }
    Ok(())
}

/// Runs `cases` random pairs on `kind` databases on the server of `admin_url`, each case
/// on its own scratch databases, dropped after it; returns how many cases passed.
fn run_cases(kind: DatabaseKind, admin_url: &str, limits: Limits, cases: u32) -> u32 {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let passed = Cell::new(0u32);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&arb_schema_pair_with(limits), |(a, b)| {
        let server = ScratchServer::new(DatabaseUrl::new(admin_url));
        let outcome = runtime.block_on(async {
            let outcome = case(&server, kind, &a, &b).await;
            let cleaned = server.cleanup().await;
            outcome.and(cleaned.map_err(|e| e.to_string()))
        });
        match outcome {
            Ok(()) => {
                passed.set(passed.get() + 1);
                Ok(())
            }
            Err(e) => Err(TestCaseError::fail(format!("{kind}: {e}"))),
        }
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!("{kind}: {} random schema pairs built, migrated up and down, and compared", passed.get());
    passed.get()
}

/// `default`, or `MIGRATE_ROUNDTRIP_CASES` for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("MIGRATE_ROUNDTRIP_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("MIGRATE_REQUIRE_DATABASES").as_deref() != Ok("1"),
                "{var} is not set, and MIGRATE_REQUIRE_DATABASES=1 forbids skipping database tests"
            );
            eprintln!("SKIPPED: set {var} to run autogenerate's round trip on a real server");
            None
        }
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_round_trip() {
    let limits = Limits {
        kind: DatabaseKind::Sqlite,
        index_expressions: true,
        enums: false,
        // Foreign keys reference `id`: it stays the primary key.
        vary_primary_key: false,
        generated_names: true,
    };
    let want = cases(128);
    assert_eq!(run_cases(DatabaseKind::Sqlite, "sqlite::memory:", limits, want), want);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_round_trip() {
    let Some(url) = server_url("MIGRATE_TEST_POSTGRES_URL") else { return };
    let limits = Limits {
        kind: DatabaseKind::Postgres,
        index_expressions: true,
        enums: true,
        vary_primary_key: false,
        generated_names: true,
    };
    let want = cases(16);
    assert_eq!(run_cases(DatabaseKind::Postgres, &url, limits, want), want);
}

#[cfg(feature = "mysql")]
#[test]
fn mariadb_round_trip() {
    let Some(url) = server_url("MIGRATE_TEST_MYSQL_URL") else { return };
    let limits = Limits {
        kind: DatabaseKind::MySql,
        // MySQL/MariaDB have neither partial nor (MariaDB) expression indexes.
        index_expressions: false,
        enums: false,
        vary_primary_key: false,
        generated_names: true,
    };
    let want = cases(12);
    assert_eq!(run_cases(DatabaseKind::MySql, &url, limits, want), want);
}

/// SQLite's pragmas are read for every table at once (one query per pragma): a parent's
/// primary key named by `REFERENCES parent` (in another letter case), a unique
/// constraint's columns in order, an index's text, a table name with a quote in it, and a
/// virtual table left out with its shadow tables.
#[cfg(feature = "sqlite")]
#[test]
fn sqlite_pragmas_read_for_every_table_at_once() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let mut conn = Conn::connect("sqlite::memory:", std::time::Duration::from_secs(5)).await.unwrap();
        for sql in [
            "CREATE TABLE \"Parent's\" (a INTEGER, b TEXT NOT NULL DEFAULT 'x', PRIMARY KEY (b, a))",
            "CREATE TABLE child (id INTEGER PRIMARY KEY, pa INTEGER, pb TEXT, code TEXT, \
             CONSTRAINT uq_code UNIQUE (code, pb), FOREIGN KEY (pb, pa) REFERENCES \"PARENT'S\" ON DELETE CASCADE)",
            "CREATE INDEX ix_child ON child (lower(code)) WHERE code IS NOT NULL",
            "CREATE VIRTUAL TABLE docs USING fts5(body)",
        ] {
            conn.execute_raw(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        let schema = introspect(&mut conn, &TableName::default()).await.unwrap();
        assert_eq!(schema.tables.keys().map(String::as_str).collect::<Vec<_>>(), ["Parent's", "child"]);
        let parent = &schema.tables["Parent's"];
        assert_eq!(parent.primary_key.as_ref().unwrap().columns, ["b", "a"]);
        assert_eq!(parent.columns[1].default.as_deref(), Some("'x'"));
        let child = &schema.tables["child"];
        assert_eq!(child.columns.len(), 4);
        assert_eq!(child.foreign_keys.len(), 1);
        assert_eq!(child.foreign_keys[0].columns, ["pb", "pa"]);
        assert_eq!(child.foreign_keys[0].ref_columns, ["b", "a"]);
        assert_eq!(child.uniques.len(), 1);
        assert_eq!(child.uniques[0].name.name, "uq_code");
        assert_eq!(child.uniques[0].columns, ["code", "pb"]);
        assert_eq!(child.indexes.len(), 1);
        assert_eq!(child.indexes[0].predicate.as_deref(), Some("code IS NOT NULL"));
        let not_compared: Vec<String> = schema.not_compared.iter().map(|n| format!("{} {}", n.kind, n.name)).collect();
        assert_eq!(not_compared, ["virtual table docs"]);
    });
}

/// `version_table_definition` finds the version table only when it is there (one small
/// query tells it is not), on each database available.
#[test]
fn version_table_definition_only_when_there() {
    use super::version_table_definition;
    let mut urls = Vec::new();
    #[cfg(feature = "sqlite")]
    urls.push("sqlite::memory:".to_owned());
    #[cfg(feature = "postgres")]
    urls.extend(server_url("MIGRATE_TEST_POSTGRES_URL"));
    #[cfg(feature = "mysql")]
    urls.extend(server_url("MIGRATE_TEST_MYSQL_URL"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    for url in urls {
        let server = ScratchServer::new(DatabaseUrl::new(url.as_str()));
        let outcome: Result<(), String> = runtime.block_on(async {
            let mut conn = server.create().await.map_err(|e| e.to_string())?;
            let name = TableName::default();
            conn.execute_raw("CREATE TABLE other (id INTEGER PRIMARY KEY)").await.map_err(|e| e.to_string())?;
            let before = version_table_definition(&mut conn, &name).await.map_err(|e| e.to_string())?;
            conn.execute_raw("CREATE TABLE migrate_version (revision VARCHAR(32) PRIMARY KEY)")
                .await
                .map_err(|e| e.to_string())?;
            let after = version_table_definition(&mut conn, &name).await.map_err(|e| e.to_string())?;
            conn.close().await;
            match (before, after) {
                (None, Some(table)) if table.name == "migrate_version" && table.columns.len() == 1 => Ok(()),
                other => Err(format!("{other:?}")),
            }
        });
        let cleaned = runtime.block_on(server.cleanup());
        outcome.unwrap_or_else(|e| panic!("{url}: {e}"));
        cleaned.unwrap();
    }
}
