//! `revision --autogenerate`, `schema` and `check` given bad or unusual input, as processes
//! on SQLite, PostgreSQL and MariaDB (SPEC §8):
//!
//! - bad input: `schema.sql` missing, a statement in it the server refuses, head failing to
//!   build on scratch, no privilege to create a scratch database, several heads without
//!   `--head`, `schema.sql` redefining the version table, objects that are not compared,
//!   and Ctrl-C / SIGTERM during the head build. Each gives a clear message and the right
//!   exit code, writes no file and leaves no scratch database behind;
//! - false positives: the same schema written differently (type aliases, keyword case,
//!   inline or table-level constraints, `'0'`/`0`, `now()`/`CURRENT_TIMESTAMP`), and a
//!   real `pg_dump --schema-only` / `mysqldump --no-data` / `sqlite3 .schema` of head, give
//!   "No changes in schema detected.";
//! - the seed chains: `schema --write`, then no changes, `check` passing after `upgrade
//!   head` and failing after an edit;
//! - insta snapshots of what people read: the text and JSON output of an autogenerate with
//!   several kinds of change on SQLite.
//!
//! Every run is a spawned process whose pid is known: on the servers, each run is followed
//! by a look for `migrate_scratch_<pid>_…` databases, which must all be gone. (Tests run in
//! parallel with others, so only this process's are looked for.)

#[path = "support/runs.rs"]
mod runs;
#[path = "support/server_db.rs"]
mod server_db;
mod support;

use server_db::{ServerDb, admin_sql, table_names};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{revision, unique_name, workspace_root, write_files};

// ----- databases and runs ---------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
    Mysql,
}

/// The database a test runs against: a file of its own for SQLite, a fresh database on
/// the server otherwise (dropped with the guard).
struct Db {
    kind: Kind,
    url: String,
    _server: Option<ServerDb>,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
        Db { kind: Kind::Sqlite, url, _server: None, _dir: Some(dir) }
    }

    fn postgres(test: &str) -> Option<Db> {
        let server = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", test)?;
        Some(Db { kind: Kind::Postgres, url: server.url.clone(), _server: Some(server), _dir: None })
    }

    fn mysql(test: &str) -> Option<Db> {
        let server = ServerDb::new("MIGRATE_TEST_MYSQL_URL", test)?;
        Some(Db { kind: Kind::Mysql, url: server.url.clone(), _server: Some(server), _dir: None })
    }

    fn of(kind: Kind, test: &str) -> Option<Db> {
        match kind {
            Kind::Sqlite => Some(Db::sqlite()),
            Kind::Postgres => Db::postgres(test),
            Kind::Mysql => Db::mysql(test),
        }
    }

    /// The seed chain folder for this database.
    fn seeds(&self) -> &'static str {
        match self.kind {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
            Kind::Mysql => "mysql",
        }
    }

    /// The scratch databases of process `pid` that still exist (none on SQLite: in memory).
    fn scratch_left(&self, pid: u32) -> Vec<String> {
        let prefix = format!("migrate_scratch_{pid}_");
        let sql = match self.kind {
            Kind::Sqlite => return Vec::new(),
            Kind::Postgres => format!(
                "SELECT datname::text FROM pg_database WHERE left(datname, {}) = '{prefix}' ORDER BY 1",
                prefix.len()
            ),
            Kind::Mysql => format!(
                "SELECT CAST(SCHEMA_NAME AS CHAR) FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, {}) = '{prefix}' ORDER BY 1",
                prefix.len()
            ),
        };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let rows: Vec<(String,)> = runtime.block_on(server_db::query(&self.url, &sql));
        rows.into_iter().map(|(name,)| name).collect()
    }
}

/// One finished `cargo-migrate` process.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn text(&self) -> String {
        format!("exit {:?}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// `cargo-migrate ARGS --database-url URL` in `dir`, with a fixed Create Date; afterwards,
/// on the servers, no scratch database of that process may be left.
fn migrate(db: &Db, dir: &Path, args: &[&str]) -> Run {
    migrate_at(db, &db.url, dir, args)
}

/// [`migrate`] with another database URL (e.g. a user without privileges).
fn migrate_at(db: &Db, url: &str, dir: &Path, args: &[&str]) -> Run {
    let child = runs::command(dir, url, args)
        .env("SOURCE_DATE_EPOCH", "1798019999")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo-migrate starts");
    let pid = child.id();
    let out = child.wait_with_output().expect("cargo-migrate runs");
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    let left = db.scratch_left(pid);
    assert!(left.is_empty(), "`{}` left scratch databases behind: {left:?}\n{}", args.join(" "), run.text());
    run
}

// ----- packages -------------------------------------------------------------------------

const MANIFEST: &str = "[package]\nname = \"ag\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

/// A package with `revisions` (id, revises, up, down) and, when given, `schema.sql`.
fn package(revisions: &[(&str, &str, &str, &str)], schema: Option<&str>) -> tempfile::TempDir {
    package_with_config(revisions, schema, "")
}

/// [`package`] with lines for `[package.metadata.migrate]`.
fn package_with_config(
    revisions: &[(&str, &str, &str, &str)],
    schema: Option<&str>,
    config: &str,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifest = if config.is_empty() {
        MANIFEST.to_owned()
    } else {
        format!("{MANIFEST}\n[package.metadata.migrate]\n{config}\n")
    };
    write_files(dir.path(), &[("Cargo.toml", &manifest), ("src/main.rs", "fn main() {}\n")]);
    std::fs::create_dir_all(dir.path().join("migrations")).unwrap();
    for (id, revises, up, down) in revisions {
        let text = revision(id, revises, &format!("revision {id}"), up, down);
        std::fs::write(dir.path().join(format!("migrations/{id}.sql")), text).unwrap();
    }
    if let Some(schema) = schema {
        std::fs::write(dir.path().join("schema.sql"), schema).unwrap();
    }
    dir
}

/// A package whose migrations are the seed chain for `db` (the Alembic articles' DDL).
fn seed_package(db: &Db) -> tempfile::TempDir {
    let dir = package(&[], None);
    let source: PathBuf = workspace_root().join("tests/fixtures/seeds").join(db.seeds());
    for file in std::fs::read_dir(source).unwrap() {
        let file = file.unwrap();
        std::fs::copy(file.path(), dir.path().join("migrations").join(file.file_name())).unwrap();
    }
    dir
}

/// The files in the package's migrations folder, sorted.
fn migration_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Asserts the run failed with `code`, wrote no revision, and left the real database as
/// it was (autogenerate never touches it).
fn assert_refused(run: &Run, code: i32, db: &Db, dir: &Path, files_before: &[String]) {
    assert_eq!(run.code, Some(code), "{}", run.text());
    assert!(run.stdout.is_empty(), "nothing on stdout for a refusal:\n{}", run.text());
    assert_eq!(migration_files(dir), files_before, "no revision is written:\n{}", run.text());
    assert!(table_names(&db.url).is_empty(), "the real database is never changed:\n{}", run.text());
}

/// A simple head: one table `t (id, x)` built by two revisions.
fn simple_revisions() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    vec![
        ("aaaa00000001", "<base>", "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY);", "DROP TABLE t;"),
        ("bbbb00000002", "aaaa00000001", "ALTER TABLE t ADD COLUMN x INTEGER;", "ALTER TABLE t DROP COLUMN x;"),
    ]
}

const SIMPLE_SCHEMA: &str = "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, x INTEGER);\n";

/// Defines a module `$name` with the tests `sqlite`, `postgres` and `mysql`, each calling
/// `$body(&db)` with a database of its own (the server ones skip, or fail under
/// `MIGRATE_REQUIRE_DATABASES=1`, when their URL is not set).
macro_rules! on_every_database {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn sqlite() {
                let db = Db::of(Kind::Sqlite, concat!(stringify!($name), "::sqlite")).unwrap();
                ($body)(&db);
            }
            #[test]
            fn postgres() {
                let Some(db) = Db::of(Kind::Postgres, concat!(stringify!($name), "::postgres")) else { return };
                ($body)(&db);
            }
            #[test]
            fn mysql() {
                let Some(db) = Db::of(Kind::Mysql, concat!(stringify!($name), "::mysql")) else { return };
                ($body)(&db);
            }
        }
    };
}

// ----- bad input ------------------------------------------------------------------------

on_every_database!(missing_schema_sql_says_how_to_write_it, |db: &Db| {
    let pkg = package(&simple_revisions(), None);
    let before = migration_files(pkg.path());
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "add things"]);
    assert_refused(&run, 2, db, pkg.path(), &before);
    assert!(
        run.stderr.contains("error: schema.sql does not exist")
            && run.stderr.contains("hint: write the current schema to it with `cargo migrate schema --write`"),
        "{}",
        run.text()
    );
    // The hint works when pasted: then there is nothing to generate.
    let run = migrate(db, pkg.path(), &["schema", "--write"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "add things"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "No changes in schema detected.\n"), "{}", run.text());
    assert_eq!(migration_files(pkg.path()), before);
});

on_every_database!(syntax_error_names_file_line_and_the_servers_message, |db: &Db| {
    // The statement on line 4 (after a good one and a comment) and what each server says.
    let said = match db.kind {
        Kind::Sqlite => "near \"CREAT\": syntax error",
        Kind::Postgres => "syntax error at or near \"CREAT\" (code 42601)",
        Kind::Mysql => "You have an error in your SQL syntax",
    };
    let schema = format!(
        "{SIMPLE_SCHEMA}\n-- the next one is wrong\nCREAT TABLE u (id INTEGER);\nCREATE TABLE w (id INTEGER);\n"
    );
    let pkg = package(&simple_revisions(), Some(&schema));
    let before = migration_files(pkg.path());
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_refused(&run, 2, db, pkg.path(), &before);
    assert!(
        run.stderr.contains("error: schema.sql:4: the database refused this statement of the desired schema: ")
            && run.stderr.contains(said)
            && run.stderr.contains("hint: fix line 4 of schema.sql"),
        "{}",
        run.text()
    );
    // `check` reads schema.sql the same way (after the database is at head).
    assert_eq!(migrate(db, pkg.path(), &["upgrade", "head"]).code, Some(0));
    let run = migrate(db, pkg.path(), &["check"]);
    assert_eq!(run.code, Some(2), "{}", run.text());
    assert!(run.stderr.contains("schema.sql:4: the database refused") && run.stderr.contains(said), "{}", run.text());
});

on_every_database!(error_deep_in_a_statement_names_its_own_line, |db: &Db| {
    // The unknown type is on line 6, in a statement that starts on line 3. PostgreSQL and
    // MySQL say where in the statement they stopped; SQLite does not, so its line is the
    // statement's.
    let (bad_type, said, line) = match db.kind {
        Kind::Sqlite => ("INTEGER REFERENCES", "syntax error", 3),
        Kind::Postgres => ("nosuchtype", "type \"nosuchtype\" does not exist", 6),
        // MariaDB names no line for an unknown type ("Unknown data type"), only for syntax.
        Kind::Mysql => ("INTEGER DEFAULT DEFAULT", "You have an error in your SQL syntax", 6),
    };
    let schema = format!(
        "{SIMPLE_SCHEMA}\nCREATE TABLE w (\n    id INTEGER NOT NULL,\n    a INTEGER,\n    b {bad_type},\n    c INTEGER\n);\n"
    );
    let pkg = package(&simple_revisions(), Some(&schema));
    let before = migration_files(pkg.path());
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_refused(&run, 2, db, pkg.path(), &before);
    assert!(
        run.stderr.contains(&format!("error: schema.sql:{line}: the database refused"))
            && run.stderr.contains(said)
            && run.stderr.contains(&format!("hint: fix line {line} of schema.sql")),
        "{}",
        run.text()
    );
});

on_every_database!(schema_sql_error_is_reported_when_head_fails_too, |db: &Db| {
    // Head and schema.sql are built at the same time; when both fail, the file the user
    // just edited is the one named, whichever failed first, and both scratch databases go.
    let revisions = [
        ("aaaa00000001", "<base>", "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY);", "DROP TABLE t;"),
        ("bbbb00000002", "aaaa00000001", "ALTER TABLE nope ADD COLUMN y INTEGER;", "SELECT 1;"),
    ];
    // Many good statements first, so that schema.sql fails late, after head has.
    let mut schema: String =
        (0..60).map(|i| format!("CREATE TABLE s{i} (id INTEGER NOT NULL PRIMARY KEY);\n")).collect();
    schema.push_str("CREAT TABLE u (id INTEGER);\n");
    let pkg = package(&revisions, Some(&schema));
    let before = migration_files(pkg.path());
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_refused(&run, 2, db, pkg.path(), &before);
    assert!(
        run.stderr.contains("error: schema.sql:61: the database refused") && !run.stderr.contains("building head"),
        "{}",
        run.text()
    );
});

on_every_database!(statements_reaching_outside_the_scratch_database_are_refused, |db: &Db| {
    // What dumps of the wrong kind hold: `mysqldump --databases` (CREATE DATABASE, USE,
    // then DROP TABLE IF EXISTS: run on the server, they would empty the real tables),
    // `pg_dump --create` and `pg_dump` with data (COPY), a SQLite ATTACH.
    let pkg = package(&simple_revisions(), None);
    assert_eq!(migrate(db, pkg.path(), &["upgrade", "head"]).code, Some(0));
    admin_sql(&db.url, "INSERT INTO t (id, x) VALUES (1, 1), (2, 2)");
    let real = db.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    let cases: Vec<(String, usize, &str)> = match db.kind {
        Kind::Mysql => vec![
            (
                format!(
                    "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `{real}`;\nUSE `{real}`;\nDROP TABLE IF EXISTS `t`;\n{SIMPLE_SCHEMA}"
                ),
                1,
                "creates, alters or drops a database",
            ),
            (format!("{SIMPLE_SCHEMA}USE `{real}`;\nDROP TABLE IF EXISTS `t`;\n"), 2, "switches to another database"),
            (format!("{SIMPLE_SCHEMA}DROP TABLE IF EXISTS `{real}`.`t`;\n"), 2, "names a table of another database"),
            (format!("{SIMPLE_SCHEMA}GRANT ALL ON *.* TO 'nobody'@'%';\n"), 2, "accounts or settings"),
        ],
        Kind::Postgres => vec![
            (
                format!("DROP DATABASE {real};\nCREATE DATABASE {real};\n\\connect {real}\n{SIMPLE_SCHEMA}"),
                1,
                "creates, alters or drops a database",
            ),
            (
                format!("{SIMPLE_SCHEMA}ALTER DATABASE {real} SET work_mem = '1MB';\n"),
                2,
                "creates, alters or drops a database",
            ),
            (format!("{SIMPLE_SCHEMA}COPY t (id, x) FROM stdin;\n1\t1\n\\.\n"), 2, "streams data (COPY)"),
            (format!("{SIMPLE_SCHEMA}CREATE ROLE nobody;\n"), 2, "accounts or settings"),
        ],
        Kind::Sqlite => {
            vec![(format!("ATTACH DATABASE 'other.db' AS other;\n{SIMPLE_SCHEMA}"), 1, "another database file")]
        }
    };
    for (schema, line, does) in cases {
        std::fs::write(pkg.path().join("schema.sql"), &schema).unwrap();
        let before = migration_files(pkg.path());
        let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
        assert_eq!(run.code, Some(2), "{schema}\n{}", run.text());
        assert!(
            run.stderr.contains(&format!("error: schema.sql:{line}: this statement "))
                && run.stderr.contains(does)
                && run.stderr.contains("runs schema.sql on a scratch database only")
                && run.stderr.contains("hint: "),
            "{schema}\n{}",
            run.text()
        );
        assert_eq!(migration_files(pkg.path()), before, "no revision is written");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let rows = runtime.block_on(server_db::scalar_i64(&db.url, "SELECT COUNT(*) FROM t"));
        assert_eq!(rows, 2, "the real table keeps its rows\n{schema}\n{}", run.text());
    }
    assert!(!pkg.path().join("other.db").exists(), "no file is attached");
});

on_every_database!(dump_quirks_are_read_as_they_are, |db: &Db| {
    // A comment in another script (a DELIMITER check must not cut a character in two), and
    // on SQLite the `sqlite_sequence` table that `sqlite3 .schema` prints for AUTOINCREMENT.
    let revisions =
        [("aaaa00000001", "<base>", "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, x INTEGER);", "DROP TABLE t;")];
    let mut schema = format!("-- Kundenübersicht\n-- 顧客テーブル\n{SIMPLE_SCHEMA}");
    if db.kind == Kind::Sqlite {
        schema.push_str("CREATE TABLE sqlite_sequence(name,seq);\n");
    }
    let pkg = package(&revisions, Some(&schema));
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "No changes in schema detected.\n"), "{}", run.text());
});

/// Through a transaction-pooling PgBouncer (`MIGRATE_TEST_PGBOUNCER_URL`): scratch
/// databases are made, used and dropped through it as on the server, the revision applies
/// through it, and `check` then passes.
#[test]
fn autogenerate_through_pgbouncer() {
    let Some((server, bouncer)) = ServerDb::behind_pgbouncer("autogenerate_through_pgbouncer") else { return };
    let db = Db { kind: Kind::Postgres, url: server.url.clone(), _server: Some(server), _dir: None };
    let schema = "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, x INTEGER, name TEXT);\nCREATE INDEX ix_t_name ON t (name);\n";
    let pkg = package(&simple_revisions(), Some(schema));
    assert_eq!(migrate_at(&db, &bouncer, pkg.path(), &["upgrade", "head"]).code, Some(0));
    let run = migrate_at(&db, &bouncer, pkg.path(), &["revision", "--autogenerate", "-m", "name"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert!(
        run.stdout.contains("Detected added column 't.name'")
            && run.stdout.contains("Detected added index 'ix_t_name'"),
        "{}",
        run.text()
    );
    assert_eq!(migrate_at(&db, &bouncer, pkg.path(), &["upgrade", "head"]).code, Some(0));
    let run = migrate_at(&db, &bouncer, pkg.path(), &["check"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    let run = migrate_at(&db, &bouncer, pkg.path(), &["revision", "--autogenerate", "-m", "again"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "No changes in schema detected.\n"), "{}", run.text());
}

on_every_database!(head_failing_on_scratch_names_revision_and_statement, |db: &Db| {
    let revisions = [
        ("aaaa00000001", "<base>", "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY);", "DROP TABLE t;"),
        (
            "bbbb00000002",
            "aaaa00000001",
            "ALTER TABLE t ADD COLUMN x INTEGER;\nALTER TABLE nope ADD COLUMN y INTEGER;",
            "ALTER TABLE t DROP COLUMN x;",
        ),
    ];
    let pkg = package(&revisions, Some(SIMPLE_SCHEMA));
    let before = migration_files(pkg.path());
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_refused(&run, 3, db, pkg.path(), &before);
    // The revision file's up section starts on line 8: the failing statement is on line 9.
    assert!(
        run.stderr.contains("error: building head on a scratch database failed: upgrade of revision bbbb00000002 (revision bbbb00000002) failed at statement 2 (migrations/bbbb00000002.sql:9)")
            && run.stderr.contains("ALTER TABLE nope ADD COLUMN y INTEGER")
            && run.stderr.contains("database said: ")
            && run.stderr.contains("hint: fix the revision named above"),
        "{}",
        run.text()
    );
    // The scratch database is gone: advice about repairing or stamping the version table
    // would be about the real database, which was never touched.
    for misleading in ["repair", "stamp", "marked failed", "Nothing of this revision was kept"] {
        assert!(!run.stderr.contains(misleading), "{misleading:?} in:\n{}", run.text());
    }
    // `schema` builds head the same way.
    let run = migrate(db, pkg.path(), &["schema"]);
    assert_eq!(run.code, Some(3), "{}", run.text());
    assert!(run.stderr.contains("migrations/bbbb00000002.sql:9"), "{}", run.text());
});

on_every_database!(several_heads_need_head, |db: &Db| {
    let mut revisions = simple_revisions();
    revisions.push(("cccc00000003", "aaaa00000001", "CREATE TABLE u (id INTEGER);", "DROP TABLE u;"));
    let pkg = package(&revisions, Some(SIMPLE_SCHEMA));
    let before = migration_files(pkg.path());
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_refused(&run, 2, db, pkg.path(), &before);
    assert!(
        run.stderr.contains("error: the migrations have 2 heads: bbbb00000002 (revision bbbb00000002), cccc00000003 (revision cccc00000003)")
            && run.stderr.contains("hint: pass --head <rev>"),
        "{}",
        run.text()
    );
    // With `--head`, head is that branch: bbbb00000002's is exactly schema.sql.
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x", "--head", "bbbb00000002"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "No changes in schema detected.\n"), "{}", run.text());
    // cccc00000003's branch lacks `t.x` and has `u`.
    let run = migrate(
        db,
        pkg.path(),
        &["revision", "--autogenerate", "-m", "x", "--head", "cccc00000003", "--rev-id", "dddd00000004"],
    );
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert!(
        run.stdout.contains("Detected added column 't.x'")
            && run.stdout.contains("Detected removed table 'u'")
            && run.stdout.contains("Generating migrations/dddd00000004_x.sql ... done"),
        "{}",
        run.text()
    );
    let written = std::fs::read_to_string(pkg.path().join("migrations/dddd00000004_x.sql")).unwrap();
    assert!(written.contains("-- Revises: cccc00000003"), "{written}");
});

on_every_database!(schema_sql_redefining_the_version_table_is_refused, |db: &Db| {
    let schema = format!("{SIMPLE_SCHEMA}CREATE TABLE migrate_version (revision VARCHAR(32) NOT NULL PRIMARY KEY);\n");
    let pkg = package(&simple_revisions(), Some(&schema));
    let before = migration_files(pkg.path());
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_refused(&run, 2, db, pkg.path(), &before);
    assert!(
        run.stderr.contains(
            "error: schema.sql:2: defines the version table `migrate_version` differently from cargo migrate"
        ) && run.stderr.contains("hint: remove `migrate_version` from the file"),
        "{}",
        run.text()
    );
    // A configured name is the one looked for, and named ...
    let pkg = package_with_config(
        &simple_revisions(),
        Some(&schema.replace("migrate_version", "app_versions")),
        "version_table = \"app_versions\"",
    );
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_eq!(run.code, Some(2), "{}", run.text());
    assert!(run.stderr.contains("defines the version table `app_versions` differently"), "{}", run.text());
    // ... and then `migrate_version` is a table of the user's like any other.
    let pkg = package_with_config(&simple_revisions(), Some(&schema), "version_table = \"app_versions\"");
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x", "--rev-id", "cccc00000003"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert!(run.stdout.contains("Detected added table 'migrate_version'"), "{}", run.text());
});

/// Objects of each database that autogenerate does not compare, and how they are named.
fn not_compared_objects(db: &Db) -> (String, &'static str) {
    match db.kind {
        Kind::Sqlite => (
            format!(
                "{SIMPLE_SCHEMA}CREATE VIEW v AS SELECT id FROM t;\n\
                 CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 1 WHERE id = NEW.id; END;\n\
                 CREATE VIRTUAL TABLE docs USING fts5(body);\n"
            ),
            "note: not compared: trigger 't.tr', view 'v', virtual table 'docs'\n",
        ),
        Kind::Postgres => (
            format!(
                "{SIMPLE_SCHEMA}CREATE VIEW v AS SELECT id FROM t;\n\
                 CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.x := 1; RETURN NEW; END $$;\n\
                 CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
                 CREATE SEQUENCE loose_seq;\n\
                 COMMENT ON TABLE t IS 'the table';\n\
                 CREATE SCHEMA other;\n\
                 CREATE TABLE other.o (id int);\n"
            ),
            "note: not compared: comment 't', function 'f', schema 'other', sequence 'loose_seq', trigger 't.tr', view 'v'\n",
        ),
        Kind::Mysql => (
            format!(
                "{SIMPLE_SCHEMA}CREATE VIEW v AS SELECT id FROM t;\n\
                 DELIMITER ;;\n\
                 CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.x = 1; END;;\n\
                 CREATE PROCEDURE p() BEGIN SELECT 1; END;;\n\
                 DELIMITER ;\n\
                 CREATE FUNCTION f() RETURNS int DETERMINISTIC RETURN 1;\n\
                 CREATE SEQUENCE s;\n"
            ),
            "note: not compared: function 'f', procedure 'p', sequence 's', trigger 't.tr', view 'v'\n",
        ),
    }
}

on_every_database!(objects_not_compared_are_listed, |db: &Db| {
    let (schema, note) = not_compared_objects(db);
    let pkg = package(&simple_revisions(), Some(&schema));
    let before = migration_files(pkg.path());
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (Some(0), "No changes in schema detected.\n", note),
        "{}",
        run.text()
    );
    assert_eq!(migration_files(pkg.path()), before);
    // JSON lists them too, and only there (stderr stays empty).
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x", "--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert!(run.stderr.is_empty(), "{}", run.text());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let listed: Vec<String> =
        json["not_compared"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    assert_eq!(format!("note: not compared: {}\n", listed.join(", ")), note);
    assert_eq!(json["changes"], serde_json::json!([]));
    assert_eq!(json["revision"], serde_json::Value::Null);
    // `check` (at head) passes: objects that are not compared are no difference.
    assert_eq!(migrate(db, pkg.path(), &["upgrade", "head"]).code, Some(0));
    let run = migrate(db, pkg.path(), &["check"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
});

/// A role/user of its own on a server, dropped when the guard is.
struct ServerUser {
    admin: String,
    drop_sql: String,
}

impl Drop for ServerUser {
    fn drop(&mut self) {
        admin_sql(&self.admin, &self.drop_sql);
    }
}

/// `url` with `user:password@` as its user information.
fn with_user(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

/// A user that may use the test database but not create databases: its URL, and the guard.
fn user_without_create(db: &Db) -> (String, ServerUser) {
    let user = unique_name("ag_nocreate");
    let password = format!("Pw{}", unique_name("x"));
    let guard = match db.kind {
        Kind::Postgres => {
            admin_sql(&db.url, &format!("CREATE ROLE {user} LOGIN NOCREATEDB PASSWORD '{password}'"));
            ServerUser { admin: db.url.clone(), drop_sql: format!("DROP ROLE IF EXISTS {user}") }
        }
        Kind::Mysql => {
            let database = db.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
            admin_sql(&db.url, &format!("CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'"));
            let guard = ServerUser { admin: db.url.clone(), drop_sql: format!("DROP USER IF EXISTS '{user}'@'%'") };
            admin_sql(&db.url, &format!("GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'%'"));
            guard
        }
        Kind::Sqlite => unreachable!("SQLite has no users"),
    };
    (with_user(&db.url, &user, &password), guard)
}

fn no_privilege_to_create_a_scratch_database(db: &Db) {
    let (url, _user) = user_without_create(db);
    let password = url.split("://").nth(1).unwrap().split('@').next().unwrap().split(':').nth(1).unwrap().to_owned();
    let user = url.split("://").nth(1).unwrap().split(':').next().unwrap().to_owned();
    let pkg = package(&simple_revisions(), Some(SIMPLE_SCHEMA));
    let before = migration_files(pkg.path());
    for args in [&["revision", "--autogenerate", "-m", "x"][..], &["schema"]] {
        let run = migrate_at(db, &url, pkg.path(), args);
        assert_refused(&run, 3, db, pkg.path(), &before);
        let privilege = if db.kind == Kind::Postgres { "CREATEDB" } else { "CREATE" };
        assert!(
            run.stderr.contains(&format!(
                "error: cannot create a scratch database on {}://{user}:***@",
                url.split("://").next().unwrap()
            )) && run.stderr.contains(privilege)
                && run.stderr.contains("scratch_url")
                && run.stderr.contains("[package.metadata.migrate]"),
            "{args:?}:\n{}",
            run.text()
        );
        assert!(!run.stderr.contains(&password), "the password is never shown:\n{}", run.text());
    }
    // The `scratch_url` hint works: scratch databases on a server where the user may
    // create them, while the database URL stays the unprivileged one.
    let admin = db.url.clone();
    let pkg = package_with_config(&simple_revisions(), Some(SIMPLE_SCHEMA), &format!("scratch_url = {admin:?}"));
    let run = migrate_at(db, &url, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "No changes in schema detected.\n"), "{}", run.text());
}

/// The grant the hint names, run as the administrator, lets the user make scratch databases.
fn grant_from_hint_works(db: &Db) {
    let (url, _user) = user_without_create(db);
    let pkg = package(&simple_revisions(), Some(SIMPLE_SCHEMA));
    let run = migrate_at(db, &url, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_eq!(run.code, Some(3), "{}", run.text());
    let grant = run
        .stderr
        .lines()
        .find_map(|line| line.split_once("as an administrator, run `").and_then(|(_, l)| l.strip_suffix('`')))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("a hint with the statement to run:\n{}", run.text()));
    admin_sql(&db.url, &grant);
    let run = migrate_at(db, &url, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "No changes in schema detected.\n"),
        "{grant}\n{}",
        run.text()
    );
}

#[test]
fn no_privilege_postgres() {
    let Some(db) = Db::postgres("no_privilege_postgres") else { return };
    no_privilege_to_create_a_scratch_database(&db);
}

#[test]
fn no_privilege_mysql() {
    let Some(db) = Db::mysql("no_privilege_mysql") else { return };
    no_privilege_to_create_a_scratch_database(&db);
}

#[test]
fn no_privilege_hint_grant_works_postgres() {
    let Some(db) = Db::postgres("no_privilege_hint_grant_works_postgres") else { return };
    grant_from_hint_works(&db);
}

#[test]
fn no_privilege_hint_grant_works_mysql() {
    let Some(db) = Db::mysql("no_privilege_hint_grant_works_mysql") else { return };
    grant_from_hint_works(&db);
}

/// Starts an autogenerate whose head build sleeps 10 s, waits until it is in the sleep
/// (its scratch database exists, on the servers), sends `signal`, and checks that it ends
/// at once with exit code 130, nothing written, its scratch databases dropped.
fn interrupted_during_head_build(db: &Db, signal: &str) {
    let sleep = match db.kind {
        // A recursive count that takes seconds.
        Kind::Sqlite => {
            "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 300000000) SELECT count(*) FROM c;"
        }
        Kind::Postgres => "SELECT pg_sleep(10);",
        Kind::Mysql => "SELECT SLEEP(10);",
    };
    let mut revisions = simple_revisions();
    revisions.push(("cccc00000003", "bbbb00000002", sleep, "SELECT 1;"));
    let pkg = package(&revisions, Some(SIMPLE_SCHEMA));
    let before = migration_files(pkg.path());
    let mut child = runs::command(pkg.path(), &db.url, &["revision", "--autogenerate", "-m", "slow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let started = Instant::now();
    // A signal before the process handles it would kill it outright: wait until it does.
    while !catches_sigint(pid) {
        assert!(started.elapsed() < Duration::from_secs(20), "{pid} never installed its Ctrl-C handler");
        assert!(child.try_wait().unwrap().is_none(), "the process ended before it was interrupted");
        std::thread::sleep(Duration::from_millis(20));
    }
    if db.kind != Kind::Sqlite {
        while db.scratch_left(pid).is_empty() {
            assert!(started.elapsed() < Duration::from_secs(20), "no scratch database appeared for {pid}");
            assert!(child.try_wait().unwrap().is_none(), "the process ended before it was interrupted");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    std::thread::sleep(Duration::from_millis(1000));
    assert!(child.try_wait().unwrap().is_none(), "the process ended before it was interrupted");
    let killed = Command::new("kill").args([signal, &pid.to_string()]).status().unwrap();
    assert!(killed.success());
    let signalled = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if signalled.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("{signal} did not end the process");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(signalled.elapsed() < Duration::from_secs(6), "the sleep was not cut short: {stderr}");
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert_eq!(stderr, "error: interrupted; the scratch databases are dropped, nothing was written\n");
    assert!(out.stdout.is_empty());
    assert_eq!(db.scratch_left(pid), Vec::<String>::new(), "the scratch databases of {pid} are dropped");
    assert_eq!(migration_files(pkg.path()), before);
    assert!(table_names(&db.url).is_empty());
}

/// Whether process `pid` catches SIGINT (Linux: bit 2 of `SigCgt` in its status).
fn catches_sigint(pid: u32) -> bool {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        // Not Linux: give it time.
        std::thread::sleep(Duration::from_secs(1));
        return true;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("SigCgt:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (2 - 1)) != 0)
}

#[test]
fn ctrl_c_during_head_build_sqlite() {
    interrupted_during_head_build(&Db::sqlite(), "-INT");
}

#[test]
fn ctrl_c_during_head_build_postgres() {
    let Some(db) = Db::postgres("ctrl_c_during_head_build_postgres") else { return };
    interrupted_during_head_build(&db, "-INT");
}

#[test]
fn ctrl_c_during_head_build_mysql() {
    let Some(db) = Db::mysql("ctrl_c_during_head_build_mysql") else { return };
    interrupted_during_head_build(&db, "-INT");
}

#[test]
fn sigterm_during_head_build_postgres() {
    let Some(db) = Db::postgres("sigterm_during_head_build_postgres") else { return };
    interrupted_during_head_build(&db, "-TERM");
}

// ----- false positives ------------------------------------------------------------------

/// One schema written twice: as the revisions write it, and differently in schema.sql
/// (aliases, case, constraint placement, quoted numbers, clock functions).
fn written_twice(db: &Db) -> (&'static str, &'static str) {
    match db.kind {
        Kind::Sqlite => (
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, code VARCHAR(10) NOT NULL UNIQUE);
CREATE TABLE item (
    id INTEGER NOT NULL,
    parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE,
    name VARCHAR(50) NOT NULL DEFAULT '0',
    qty INTEGER NOT NULL DEFAULT 0 CHECK (qty >= 0),
    flag BOOLEAN NOT NULL DEFAULT FALSE,
    created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT item_pk PRIMARY KEY (id)
);
CREATE INDEX ix_item_name ON item (lower(name));",
            "create table parent (
    id integer not null primary key,
    code varchar(10) not null,
    unique (code)
);
create table \"item\" (
    id integer not null primary key,
    parent_id integer,
    name varchar(50) not null default 0,
    qty integer not null default '0',
    flag boolean not null default 0,
    created timestamp not null default current_timestamp,
    foreign key (parent_id) references parent(id) on delete cascade,
    check (qty>=0)
);
create index ix_item_name on item (LOWER(name));
",
        ),
        Kind::Postgres => (
            "CREATE TABLE parent (id integer PRIMARY KEY, code character varying(10) NOT NULL UNIQUE);
CREATE TABLE item (
    id int4 NOT NULL,
    parent_id integer REFERENCES parent (id) ON DELETE CASCADE,
    name varchar(50) NOT NULL DEFAULT '0',
    qty integer NOT NULL DEFAULT 0 CHECK (qty >= 0),
    flag boolean NOT NULL DEFAULT false,
    big int8 DEFAULT -1,
    price numeric(10,2) DEFAULT 0,
    created timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_item_name ON item (lower(name));",
            "create table PARENT (
    ID INT not null,
    CODE VARCHAR(10) not null,
    primary key (ID),
    unique (code)
);
create table Item (
    Id Integer Not Null Primary Key,
    Parent_Id Int4,
    Name Character Varying(50) Not Null Default 0,
    Qty Int Not Null Default '0',
    Flag Bool Not Null Default 'f',
    Big BigInt Default '-1',
    Price Decimal(10, 2) Default '0',
    Created Timestamp With Time Zone Not Null Default CURRENT_TIMESTAMP,
    foreign key (parent_id) references parent on delete cascade,
    check (QTY >= 0)
);
create index IX_ITEM_NAME on ITEM using btree (LOWER(NAME));
",
        ),
        Kind::Mysql => (
            "CREATE TABLE parent (id int PRIMARY KEY AUTO_INCREMENT, code varchar(10) NOT NULL UNIQUE);
CREATE TABLE item (
    id int NOT NULL,
    parent_id int,
    name varchar(50) NOT NULL DEFAULT '0',
    qty int NOT NULL DEFAULT 0 CHECK (qty >= 0),
    flag bool NOT NULL DEFAULT false,
    big bigint,
    price decimal(10,2) DEFAULT '0.00',
    created timestamp NOT NULL DEFAULT now(),
    updated datetime DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    CONSTRAINT pk PRIMARY KEY (id),
    CONSTRAINT fk_item_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE
);
CREATE INDEX ix_item_name ON item (name);",
            "create table parent (
    id INTEGER not null auto_increment,
    code VARCHAR(10) not null,
    primary key (id),
    unique key (code)
);
create table item (
    id Integer Not Null Primary Key,
    parent_id Int(11) null,
    name Varchar(50) Not Null Default 0,
    qty Integer Not Null Default '0',
    flag TinyInt(1) Not Null Default 0,
    big BigInt(20),
    price Numeric(10, 2) Default 0,
    created Timestamp Not Null Default CURRENT_TIMESTAMP,
    updated DateTime Default now() On Update now(),
    constraint fk_item_parent foreign key (parent_id) references parent (id) on delete cascade,
    check (qty >= 0),
    key ix_item_name (name)
) engine=InnoDB;
",
        ),
    }
}

on_every_database!(same_schema_written_differently_is_no_change, |db: &Db| {
    let (up, schema) = written_twice(db);
    let pkg = package(&[("aaaa00000001", "<base>", up, "DROP TABLE item;\nDROP TABLE parent;")], Some(schema));
    let before = migration_files(pkg.path());
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (Some(0), "No changes in schema detected.\n", ""),
        "{}",
        run.text()
    );
    assert_eq!(migration_files(pkg.path()), before);
    assert_eq!(migrate(db, pkg.path(), &["upgrade", "head"]).code, Some(0));
    let run = migrate(db, pkg.path(), &["check"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    // The comparison is not blind: one real difference in the same file is found.
    let changed = schema.replacen("(10)", "(12)", 1);
    assert_ne!(changed, schema);
    std::fs::write(pkg.path().join("schema.sql"), changed).unwrap();
    let run = migrate(db, pkg.path(), &["check"]);
    assert_eq!(run.code, Some(1), "{}", run.text());
    assert!(
        run.stderr.contains("schema.sql differs from head: ") && run.stderr.contains("parent.code"),
        "{}",
        run.text()
    );
});

/// The server's own dump of the database `db` names, schema only, as its tools write it.
fn dump(db: &Db) -> String {
    let output = match db.kind {
        Kind::Sqlite => {
            let path = db.url.strip_prefix("sqlite://").unwrap().split('?').next().unwrap();
            Command::new("sqlite3").args([path, ".schema"]).output()
        }
        Kind::Postgres => Command::new("pg_dump").args(["--schema-only", &db.url]).output(),
        Kind::Mysql => {
            // mysql://user[:password]@host[:port]/database
            let rest = db.url.split_once("://").unwrap().1;
            let (userinfo, rest) = rest.rsplit_once('@').unwrap();
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            let (hostport, database) = rest.split_once('/').unwrap();
            let database = database.split('?').next().unwrap();
            let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
            Command::new("mysqldump")
                .env("MYSQL_PWD", password)
                .args(["--no-data", "--protocol=TCP", "-h", host, "-P", port, "-u", user, database])
                .output()
        }
    };
    let output = output.expect("the dump tool (sqlite3, pg_dump, mysqldump) is installed");
    assert!(output.status.success(), "dump failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

on_every_database!(dump_of_head_is_no_change, |db: &Db| {
    let pkg = seed_package(db);
    let before = migration_files(pkg.path());
    assert_eq!(migrate(db, pkg.path(), &["upgrade", "head"]).code, Some(0));
    let dumped = dump(db);
    // The dump holds the version table, as the runner made it: accepted.
    assert!(dumped.contains("migrate_version"), "{dumped}");
    std::fs::write(pkg.path().join("schema.sql"), &dumped).unwrap();
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (Some(0), "No changes in schema detected.\n", ""),
        "{}",
        run.text()
    );
    assert_eq!(migration_files(pkg.path()), before);
    let run = migrate(db, pkg.path(), &["check"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    // The version table changed in the dump is refused.
    let changed = match db.kind {
        Kind::Sqlite => dumped.replacen("failure TEXT", "failure TEXT,\n    extra TEXT", 1),
        Kind::Postgres => {
            dumped.replacen("    duration_ms bigint NOT NULL,", "    duration_ms bigint NOT NULL,\n    extra text,", 1)
        }
        Kind::Mysql => dumped.replacen(
            "  `duration_ms` bigint(20) NOT NULL,",
            "  `duration_ms` bigint(20) NOT NULL,\n  `extra` text,",
            1,
        ),
    };
    assert_ne!(changed, dumped, "the version table's column is found in the dump");
    std::fs::write(pkg.path().join("schema.sql"), &changed).unwrap();
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "x"]);
    assert_eq!(run.code, Some(2), "{}", run.text());
    assert!(run.stderr.contains("defines the version table `migrate_version` differently"), "{}", run.text());
    assert_eq!(migration_files(pkg.path()), before);
});

// ----- the seed chains ------------------------------------------------------------------

on_every_database!(seed_chain_schema_write_then_no_changes_then_check, |db: &Db| {
    let pkg = seed_package(db);
    let before = migration_files(pkg.path());
    let run = migrate(db, pkg.path(), &["schema", "--write"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "Writing schema.sql ... done\n"), "{}", run.text());
    let written = std::fs::read_to_string(pkg.path().join("schema.sql")).unwrap();
    assert!(
        written.starts_with("-- The schema at head (e7a9c1b3d5f2), written by `cargo migrate schema`."),
        "{written}"
    );
    for table in
        ["account", "users", "roles", "user_roles", "products", "orders", "order_items", "sessions", "audit_log"]
    {
        assert!(written.contains(&format!("CREATE TABLE {}", quoted(db, table))), "{table}:\n{written}");
    }
    assert!(!written.contains("migrate_version"), "{written}");
    // Written once: a second `--write` refuses to overwrite.
    let run = migrate(db, pkg.path(), &["schema", "--write"]);
    assert_eq!(run.code, Some(2), "{}", run.text());
    assert!(run.stderr.contains("schema.sql already exists; nothing was written"), "{}", run.text());
    assert_eq!(std::fs::read_to_string(pkg.path().join("schema.sql")).unwrap(), written);

    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "nothing"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (Some(0), "No changes in schema detected.\n", ""),
        "{}",
        run.text()
    );
    assert_eq!(migration_files(pkg.path()), before);

    assert_eq!(migrate(db, pkg.path(), &["upgrade", "head"]).code, Some(0));
    let run = migrate(db, pkg.path(), &["check"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert!(run.stdout.starts_with("OK: 9 revision(s)"), "{}", run.text());

    // An edit: a new column, and an index gone.
    let index = format!("CREATE INDEX {} ON {}", quoted(db, "ix_sessions_user_id"), quoted(db, "sessions"));
    let edited: String = written
        .lines()
        .filter(|line| !line.starts_with(&index))
        .map(|line| {
            if line.trim_start().starts_with(&quoted(db, "phone")) {
                format!("{line}\n    {} TEXT,", quoted(db, "nickname"))
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(edited.contains("nickname") && !edited.contains(&index), "{edited}");
    std::fs::write(pkg.path().join("schema.sql"), edited).unwrap();
    let run = migrate(db, pkg.path(), &["check"]);
    assert_eq!(run.code, Some(1), "{}", run.text());
    assert!(
        run.stderr.contains("schema.sql differs from head: added column 'users.nickname'")
            && run.stderr.contains("schema.sql differs from head: removed index 'ix_sessions_user_id' on 'sessions'")
            && run.stderr.contains(
                "hint: write the difference as a revision with `cargo migrate revision --autogenerate -m '…'`"
            ),
        "{}",
        run.text()
    );
    // What check lists is what autogenerate writes; then check passes again.
    let run = migrate(db, pkg.path(), &["revision", "--autogenerate", "-m", "nickname", "--rev-id", "f00000000001"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert!(run.stdout.contains("Generating migrations/f00000000001_nickname.sql ... done"), "{}", run.text());
    assert_eq!(migrate(db, pkg.path(), &["upgrade", "head"]).code, Some(0));
    let run = migrate(db, pkg.path(), &["check"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
});

/// `name` quoted as `schema --write` writes it.
fn quoted(db: &Db, name: &str) -> String {
    match db.kind {
        Kind::Mysql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

// ----- snapshots ------------------------------------------------------------------------

/// Head for the snapshot: customers, a legacy table and an index.
const SNAPSHOT_HEAD: &str = "CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name VARCHAR(50) NOT NULL,
    gender VARCHAR(10),
    phone TEXT,
    notes TEXT
);
CREATE INDEX ix_customers_name ON customers (name);
CREATE TABLE legacy (id INTEGER PRIMARY KEY, label TEXT);";

/// schema.sql for the snapshot: a changed type, a removed and an added column, a renamed
/// column, NOT NULL with a default, an added index and a removed one, a new table, a table
/// that may be a renamed one, and a view (not compared).
const SNAPSHOT_SCHEMA: &str = "CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    mobile TEXT, -- renamed from: phone
    notes TEXT NOT NULL DEFAULT '',
    email VARCHAR(255)
);
CREATE UNIQUE INDEX ix_customers_email ON customers (email);
CREATE TABLE archive (id INTEGER PRIMARY KEY, label TEXT);
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) > 0)
);
CREATE VIEW recent_customers AS SELECT id, name FROM customers;
";

fn snapshot_package() -> tempfile::TempDir {
    package(
        &[("aaaa00000001", "<base>", SNAPSHOT_HEAD, "DROP TABLE legacy;\nDROP TABLE customers;")],
        Some(SNAPSHOT_SCHEMA),
    )
}

#[test]
fn snapshot_text_output_of_several_changes_sqlite() {
    let db = Db::sqlite();
    let pkg = snapshot_package();
    let run =
        migrate(&db, pkg.path(), &["revision", "--autogenerate", "-m", "several changes", "--rev-id", "0123456789ab"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    insta::assert_snapshot!("text_output", run.text());
    let written = std::fs::read_to_string(pkg.path().join("migrations/0123456789ab_several_changes.sql")).unwrap();
    insta::assert_snapshot!("text_output_revision", written);
    // The revision does what it says: after it, head is schema.sql, and the data of the
    // renamed column stays.
    assert_eq!(migrate(&db, pkg.path(), &["upgrade", "aaaa00000001"]).code, Some(0));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql("INSERT INTO customers (id, name, phone) VALUES (1, 'Ada', '555-0100')")
            .execute(&mut c)
            .await
            .unwrap();
    });
    let run = migrate(&db, pkg.path(), &["upgrade", "head"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    let run = migrate(&db, pkg.path(), &["check"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert_eq!(runs::scalar(&db.url, "SELECT COUNT(*) FROM customers WHERE mobile = '555-0100' AND notes = ''"), 1);
    let run = migrate(&db, pkg.path(), &["downgrade", "aaaa00000001"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert_eq!(runs::scalar(&db.url, "SELECT COUNT(*) FROM customers WHERE phone = '555-0100'"), 1);
}

#[test]
fn snapshot_json_output_of_several_changes_sqlite() {
    let db = Db::sqlite();
    let pkg = snapshot_package();
    let run = migrate(
        &db,
        pkg.path(),
        &["revision", "--autogenerate", "-m", "several changes", "--rev-id", "0123456789ab", "--format", "json"],
    );
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert!(run.stderr.is_empty(), "JSON is one document on stdout:\n{}", run.text());
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(parsed["revision"]["path"], "migrations/0123456789ab_several_changes.sql");
    insta::assert_snapshot!("json_output", run.stdout);
    // The same file as the text run writes.
    let text_pkg = snapshot_package();
    let text_run = migrate(
        &db,
        text_pkg.path(),
        &["revision", "--autogenerate", "-m", "several changes", "--rev-id", "0123456789ab"],
    );
    assert_eq!(text_run.code, Some(0), "{}", text_run.text());
    let path = "migrations/0123456789ab_several_changes.sql";
    assert_eq!(
        std::fs::read_to_string(pkg.path().join(path)).unwrap(),
        std::fs::read_to_string(text_pkg.path().join(path)).unwrap()
    );
}

#[test]
fn snapshot_bad_input_messages_sqlite() {
    let db = Db::sqlite();
    let mut out = String::new();
    let mut case = |name: &str, pkg: &tempfile::TempDir, args: &[&str]| {
        let run = migrate(&db, pkg.path(), args);
        out.push_str(&format!("=== {name}: cargo migrate {}\n{}\n", args.join(" "), run.text()));
    };
    // A fixed id, should a case write a revision after all.
    let autogenerate = ["revision", "--autogenerate", "-m", "x", "--rev-id", "eeee00000005"];
    case("missing schema.sql", &package(&simple_revisions(), None), &autogenerate);
    let bad = format!("{SIMPLE_SCHEMA}\nCREATE TABLE w (\n    id INTEGER,,\n    x INTEGER\n);\n");
    case("syntax error", &package(&simple_revisions(), Some(&bad)), &autogenerate);
    let mut failing = simple_revisions();
    failing.push(("cccc00000003", "bbbb00000002", "INSERT INTO nope VALUES (1);", "SELECT 1;"));
    case("head fails", &package(&failing, Some(SIMPLE_SCHEMA)), &autogenerate);
    let mut heads = simple_revisions();
    heads.push(("cccc00000003", "aaaa00000001", "CREATE TABLE u (id INTEGER);", "DROP TABLE u;"));
    case("several heads", &package(&heads, Some(SIMPLE_SCHEMA)), &autogenerate);
    let version = format!("{SIMPLE_SCHEMA}CREATE TABLE migrate_version (revision TEXT PRIMARY KEY);\n");
    case("version table", &package(&simple_revisions(), Some(&version)), &autogenerate);
    let (objects, _) = not_compared_objects(&db);
    case("not compared", &package(&simple_revisions(), Some(&objects)), &autogenerate);
    let note = "CREATE TABLE t (\n    id INTEGER NOT NULL PRIMARY KEY,\n    x INTEGER,\n    CHECK (x > 0) -- renamed from: y\n);\n";
    case("rename note on no column", &package(&simple_revisions(), Some(note)), &autogenerate);
    insta::assert_snapshot!("bad_input_messages", out);
}

// ----- names that differ only in letter case --------------------------------------------

/// SQLite and MySQL compare column names without case (and SQLite table names): a column
/// respelled in `schema.sql` is renamed, keeping its rows, never dropped and re-added; a
/// respelled SQLite table is the same table.
fn respelled_names_keep_the_data(db: &Db) {
    let dir = package(
        &[(
            "aaaa00000001",
            "<base>",
            "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(20));",
            "DROP TABLE t;",
        )],
        Some(if db.kind == Kind::Sqlite {
            "CREATE TABLE T (id INTEGER NOT NULL PRIMARY KEY, Name VARCHAR(20));\n"
        } else {
            "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, Name VARCHAR(20));\n"
        }),
    );
    let up = migrate(db, dir.path(), &["upgrade", "head"]);
    assert_eq!(up.code, Some(0), "{}", up.text());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let insert = |sql: &str| {
        runtime.block_on(async {
            let mut conn = migrate_embed::db::Conn::connect(&db.url, Duration::from_secs(5)).await.unwrap();
            conn.execute_raw(sql).await.unwrap();
        })
    };
    insert("INSERT INTO t (id, name) VALUES (1, 'kept')");
    let generated =
        migrate(db, dir.path(), &["revision", "--autogenerate", "-m", "respell", "--rev-id", "cccc00000003"]);
    assert_eq!(generated.code, Some(0), "{}", generated.text());
    assert_eq!(generated.stdout.lines().filter(|l| l.starts_with("Detected")).count(), 1, "{}", generated.text());
    assert!(generated.stdout.contains("Detected renamed column 't.name' to 't.Name'"), "{}", generated.text());
    assert!(!generated.stderr.contains("WARNING") && !generated.stderr.contains("deletes"), "{}", generated.text());
    let up = migrate(db, dir.path(), &["upgrade", "head"]);
    assert_eq!(up.code, Some(0), "{}", up.text());
    let again = migrate(db, dir.path(), &["revision", "--autogenerate", "-m", "again"]);
    assert!(again.stdout.contains("No changes in schema detected."), "{}", again.text());
    let rows: Vec<(String,)> = runtime.block_on(server_db::query(&db.url, "SELECT Name FROM t WHERE id = 1"));
    assert_eq!(rows, [("kept".to_owned(),)]);
}

#[test]
fn respelled_names_keep_the_data_sqlite() {
    respelled_names_keep_the_data(&Db::sqlite());
}

#[test]
fn respelled_names_keep_the_data_mysql() {
    let Some(db) = Db::mysql("respelled_names_keep_the_data_mysql") else { return };
    respelled_names_keep_the_data(&db);
}

/// A `-- renamed from:` note naming nothing at head is said, not silently ignored.
#[test]
fn rename_note_naming_nothing_is_warned_sqlite() {
    let db = Db::sqlite();
    let dir = package(
        &simple_revisions(),
        Some(
            "CREATE TABLE t (\n  id INTEGER NOT NULL PRIMARY KEY,\n  x INTEGER,\n  extra TEXT -- renamed from: nope\n);\n\
             CREATE TABLE u ( -- renamed from: gone\n  id INTEGER\n);\n",
        ),
    );
    let run = migrate(&db, dir.path(), &["revision", "--autogenerate", "-m", "notes"]);
    assert_eq!(run.code, Some(0), "{}", run.text());
    assert!(
        run.stderr.contains("`-- renamed from: nope` on column t.extra: head's table has no column nope"),
        "{}",
        run.text()
    );
    assert!(run.stderr.contains("`-- renamed from: gone` on table u: head has no table gone"), "{}", run.text());
    assert!(run.stdout.contains("Detected added column 't.extra'"), "{}", run.text());
}
