//! Autogenerate end to end, one test per kind of change in SPEC §8 and database that has
//! it: the package's revisions build schema A, `schema.sql` says schema B, and
//!
//! 1. `upgrade head` builds A on a database of the test's own, and rows go in;
//! 2. `revision --autogenerate` prints the `Detected …` lines and writes one revision, whose
//!    header and `-- WARNING:` lines are checked (warnings only where data can be lost);
//! 3. `upgrade head` runs it: the database, introspected, equals a fresh database built
//!    from B, and the rows are still there (or changed as the change says);
//! 4. `revision --autogenerate` again: `No changes in schema detected.`, no file;
//! 5. `downgrade -1`: the database equals a fresh database built from A, rows still there.
//!
//! SQLite runs on files in a temporary folder; PostgreSQL and MariaDB on databases of their
//! own from `MIGRATE_TEST_POSTGRES_URL` / `MIGRATE_TEST_MYSQL_URL` (skipped, or failing
//! under `MIGRATE_REQUIRE_DATABASES=1`, when unset), dropped afterwards.
//!
//! The cases are functions in [`cases`], each giving schema A, the rows, schema B and what
//! to expect for one database; the modules `sqlite`, `postgres` and `mysql` at the end list
//! which cases run where (and say why a case is left out of a database).

#[path = "support/runs.rs"]
mod runs;
#[path = "support/server_db.rs"]
mod server_db;
mod support;

use migrate_embed::config::TableName;
use migrate_embed::db::Conn;
use migrate_embed::db::introspect::introspect;
use migrate_embed::dialect::DatabaseKind;
use migrate_embed::schema::desired::statements;
use migrate_embed::schema::{Schema, compare};
use server_db::ServerDb;
use std::path::Path;
use std::time::Duration;
use support::{revision, write_files};

// ----- databases ------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
    Mysql,
}

impl Kind {
    fn database_kind(self) -> DatabaseKind {
        match self {
            Kind::Sqlite => DatabaseKind::Sqlite,
            Kind::Postgres => DatabaseKind::Postgres,
            Kind::Mysql => DatabaseKind::MySql,
        }
    }
}

/// An empty database of the test's own: a file in a temporary folder for SQLite, a fresh
/// database on the server otherwise (dropped with the guard, also on panic).
struct Db {
    url: String,
    _server: Option<ServerDb>,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    fn new(kind: Kind, test: &str) -> Option<Db> {
        let var = match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
                return Some(Db { url, _server: None, _dir: Some(dir) });
            }
            Kind::Postgres => "MIGRATE_TEST_POSTGRES_URL",
            Kind::Mysql => "MIGRATE_TEST_MYSQL_URL",
        };
        let server = ServerDb::new(var, test)?;
        Some(Db { url: server.url.clone(), _server: Some(server), _dir: None })
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Runs the statements of `script` (split as `schema.sql` is) on the database `url` names.
fn execute(kind: Kind, url: &str, script: &str) {
    runtime().block_on(async {
        let mut conn = Conn::connect(url, Duration::from_secs(10)).await.unwrap();
        for statement in statements(script, kind.database_kind()) {
            if let Err(e) = conn.execute_raw(&statement.sql).await {
                panic!("{}: {e}", statement.sql);
            }
        }
        conn.close().await;
    });
}

/// The database `url` names, read into the model (the version table left out).
fn read_schema(url: &str) -> Schema {
    runtime().block_on(async {
        let mut conn = Conn::connect(url, Duration::from_secs(10)).await.unwrap();
        let schema = introspect(&mut conn, &TableName::default()).await.unwrap();
        conn.close().await;
        schema
    })
}

/// The schema `script` builds on a fresh database of `kind`.
fn fresh_schema(kind: Kind, test: &str, script: &str) -> Schema {
    let db = Db::new(kind, test).expect("the server is there: the test's own database was made");
    execute(kind, &db.url, script);
    read_schema(&db.url)
}

/// Panics, listing the differences, unless `actual` and `expected` are the same schema.
fn assert_same(actual: &Schema, expected: &Schema, what: &str, revision_text: &str) {
    let found = compare(actual, expected);
    if !found.is_empty() {
        let changes: Vec<String> = found.changes.iter().map(|c| format!("  {}", c.describe())).collect();
        panic!(
            "{what}: the database differs from a fresh one:\n{}\n--- the generated revision\n{revision_text}",
            changes.join("\n")
        );
    }
}

/// The first column of the first row of `sql`, a whole number.
fn count(url: &str, sql: &str) -> i64 {
    runtime()
        .block_on(server_db::try_scalar_i64(url, sql))
        .unwrap_or_else(|| panic!("`{sql}` failed or returned no row"))
}

// ----- runs -----------------------------------------------------------------------------

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

/// `cargo-migrate ARGS --database-url URL` in `dir`.
fn migrate(url: &str, dir: &Path, args: &[&str]) -> Run {
    let out = runs::cargo_migrate(dir, url, args);
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// [`migrate`], which must succeed.
fn migrate_ok(url: &str, dir: &Path, args: &[&str], context: &str) -> Run {
    let run = migrate(url, dir, args);
    assert_eq!(run.code, Some(0), "`{}` failed{context}\n{}", args.join(" "), run.text());
    run
}

/// A package whose one revision builds `a`, with `b` as its `schema.sql`.
fn package(a: &str, b: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let first = revision("aaaa00000001", "<base>", "schema a", a, "-- not run by these tests");
    write_files(
        dir.path(),
        &[
            ("Cargo.toml", "[package]\nname = \"ag\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("src/main.rs", "fn main() {}\n"),
            ("migrations/aaaa00000001_schema_a.sql", &first),
            ("schema.sql", b),
        ],
    );
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

// ----- the round trip -------------------------------------------------------------------

/// One change: schema A (the first revision), rows put in at A, schema B (`schema.sql`),
/// and what the generated revision and the database must show.
#[derive(Debug, Clone, Copy)]
struct Case {
    /// Schema A: the up section of the package's one revision.
    a: &'static str,
    /// Rows inserted at A, before autogenerate.
    rows: &'static str,
    /// Schema B: `schema.sql`.
    b: &'static str,
    /// The `Detected …` lines, in order.
    detected: &'static [&'static str],
    /// The up section carries a `-- WARNING:` (the change can lose data).
    up_warns: bool,
    /// The down section carries one.
    down_warns: bool,
    /// The header says `Foreign Keys: off` (every SQLite table rebuild: dropping the old
    /// table must not fire its children's `ON DELETE`).
    foreign_keys_off: bool,
    /// The header says `Transactional: false` (PostgreSQL enum value used at once).
    non_transactional: bool,
    /// Texts the revision file must contain.
    file_has: &'static [&'static str],
    /// Statements run after `upgrade head`, before the queries of `after_up` (a row that
    /// takes its number from a new identity, say).
    then: &'static str,
    /// Queries giving a number, and the number, after `upgrade head`.
    after_up: &'static [(&'static str, i64)],
    /// The same after `downgrade -1`.
    after_down: &'static [(&'static str, i64)],
}

/// A case with nothing in it, for `..NONE`.
const NONE: Case = Case {
    a: "",
    rows: "",
    b: "",
    detected: &[],
    up_warns: false,
    down_warns: false,
    foreign_keys_off: false,
    non_transactional: false,
    file_has: &[],
    then: "",
    after_up: &[],
    after_down: &[],
};

/// A → B → A on a database of `kind`, as the module docs say.
fn roundtrip(kind: Kind, test: &str, case: &Case) {
    let Some(db) = Db::new(kind, test) else { return };
    let url = db.url.as_str();
    let pkg = package(case.a, case.b);
    let dir = pkg.path();

    migrate_ok(url, dir, &["upgrade", "head"], " building schema A");
    execute(kind, url, case.rows);
    let kid = case.a.contains("CREATE TABLE kid");
    if kid {
        execute(kind, url, KID_ROWS);
    }
    let before = migration_files(dir);

    let run = migrate_ok(url, dir, &["revision", "--autogenerate", "-m", "the change"], "");
    let detected: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("Detected ")).collect();
    assert_eq!(detected, case.detected, "the detected changes\n{}", run.text());
    let after = migration_files(dir);
    let new: Vec<&String> = after.iter().filter(|f| !before.contains(f)).collect();
    assert_eq!(new.len(), 1, "one revision is written: {after:?}\n{}", run.text());
    let file = new[0];
    assert!(
        run.stdout.lines().any(|l| l.starts_with("Generating ") && l.ends_with(&format!("{file} ... done"))),
        "Generating … done names the file\n{}",
        run.text()
    );
    let text = std::fs::read_to_string(dir.join("migrations").join(file)).unwrap();
    let (header, body) = text.split_once("-- migrate:up").expect("an up section");
    let (up, down) = body.split_once("-- migrate:down").expect("a down section");
    let has = |section: &str, what: &str| section.lines().any(|l| l.trim() == what);
    assert_eq!(up.contains("-- WARNING:"), case.up_warns, "warnings in the up section\n{text}");
    assert_eq!(down.contains("-- WARNING:"), case.down_warns, "warnings in the down section\n{text}");
    assert_eq!(has(header, "-- Foreign Keys: off"), case.foreign_keys_off, "Foreign Keys: off\n{text}");
    assert_eq!(has(header, "-- Transactional: false"), case.non_transactional, "Transactional: false\n{text}");
    for needle in case.file_has {
        assert!(text.contains(needle), "the revision has `{needle}`\n{text}");
    }
    // Every warning is a comment line right above a statement (or another warning).
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("-- WARNING:") {
            let next = lines.get(i + 1).copied().unwrap_or("");
            assert!(!next.trim().is_empty() && !next.starts_with("-- migrate:"), "a warning above nothing\n{text}");
        }
    }

    migrate_ok(url, dir, &["upgrade", "head"], &format!(" running the generated revision\n{text}"));
    let a = fresh_schema(kind, &format!("{test} (a)"), case.a);
    let b = fresh_schema(kind, &format!("{test} (b)"), case.b);
    assert!(!compare(&a, &b).is_empty(), "the case changes something: A and B read the same");
    // The generated revision does not trip the lint for how it is written: a rebuild keeps
    // its table (no "drops table T" for a T that B still has), no PRAGMA it sets is one
    // that cannot change in the revision's transaction, and its down undoes its up.
    let lint = migrate(url, dir, &["lint", file.split('_').next().unwrap()]);
    for code in ["sqlite-pragma-in-transaction", "incomplete-down", "missing-down"] {
        assert!(!lint.text().contains(code), "{code} on the generated revision\n{}\n{text}", lint.text());
    }
    for table in b.tables.keys() {
        assert!(
            !lint.text().contains(&format!("drops table {},", table.to_lowercase())),
            "lint says the revision drops '{table}', which B keeps\n{}\n{text}",
            lint.text()
        );
    }
    assert_same(&read_schema(url), &b, "after `upgrade head`", &text);
    execute(kind, url, case.then);
    for (sql, expected) in case.after_up {
        assert_eq!(count(url, sql), *expected, "after `upgrade head`: {sql}\n{text}");
    }
    if kid {
        assert_eq!(count(url, "SELECT COUNT(*) FROM kid"), 3, "after `upgrade head`, the child rows\n{text}");
    }

    let again = migrate_ok(url, dir, &["revision", "--autogenerate", "-m", "again"], "");
    assert!(
        again.stdout.contains("No changes in schema detected.") && !again.stdout.contains("Detected"),
        "autogenerate at B finds nothing\n{}\n--- the first revision\n{text}",
        again.text()
    );
    assert_eq!(migration_files(dir), after, "no second revision");

    migrate_ok(url, dir, &["downgrade", "-1"], &format!(" running the generated down\n{text}"));
    assert_same(&read_schema(url), &a, "after `downgrade -1`", &text);
    for (sql, expected) in case.after_down {
        assert_eq!(count(url, sql), *expected, "after `downgrade -1`: {sql}\n{text}");
    }
    if kid {
        assert_eq!(count(url, "SELECT COUNT(*) FROM kid"), 3, "after `downgrade -1`, the child rows\n{text}");
    }
}

// ----- the cases ------------------------------------------------------------------------

/// A child of `t` whose rows go when their parent row goes: `t` changing must not take
/// them (a SQLite rebuild drops the old `t`). [`roundtrip`] puts [`KID_ROWS`] in when schema
/// A has it, and wants them all kept after the up and after the down.
macro_rules! kid {
    () => {
        "CREATE TABLE kid (id INTEGER NOT NULL PRIMARY KEY, t_id INTEGER, \
         FOREIGN KEY (t_id) REFERENCES t (id) ON DELETE CASCADE);\n"
    };
}
const KID_ROWS: &str = "INSERT INTO kid (id, t_id) VALUES (1, 1), (2, 1), (3, 2);\n";

/// The table most cases change: `t (id, name, a)`, and its child `kid`. Two rows, one name
/// NULL.
macro_rules! t {
    () => {
        concat!("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER);\n", kid!())
    };
}
const T_ROWS: &str = "INSERT INTO t (id, name, a) VALUES (1, 'one', 1), (2, NULL, 2);\n";
const T_KEPT: &[(&str, i64)] =
    &[("SELECT COUNT(*) FROM t", 2), ("SELECT COUNT(*) FROM t WHERE name = 'one' AND a = 1", 1)];

/// `parent` and `child` (no foreign key between them) with rows.
macro_rules! family {
    ($fk:literal) => {
        concat!(
            "CREATE TABLE parent (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50));\n",
            "CREATE TABLE child (id INTEGER NOT NULL PRIMARY KEY, parent_id INTEGER",
            $fk,
            ");\n"
        )
    };
}
const FAMILY_ROWS: &str = "INSERT INTO parent (id, name) VALUES (1, 'p1'), (2, 'p2');\n\
                           INSERT INTO child (id, parent_id) VALUES (1, 1), (2, 1), (3, 2);\n";
const FAMILY_KEPT: &[(&str, i64)] =
    &[("SELECT COUNT(*) FROM parent", 2), ("SELECT COUNT(*) FROM child WHERE parent_id = 1", 2)];

mod cases {
    use super::{Case, FAMILY_KEPT, FAMILY_ROWS, Kind, NONE, T_KEPT, T_ROWS};

    pub fn table_added(_: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: concat!(
                t!(),
                "CREATE TABLE u (id INTEGER NOT NULL PRIMARY KEY, t_id INTEGER, FOREIGN KEY (t_id) REFERENCES t (id));\n"
            ),
            detected: &["Detected added table 'u'"],
            down_warns: true,
            after_up: &[("SELECT COUNT(*) FROM t", 2), ("SELECT COUNT(*) FROM u", 0)],
            after_down: T_KEPT,
            ..NONE
        }
    }

    pub fn table_removed(_: Kind) -> Case {
        Case {
            a: concat!(
                t!(),
                "CREATE TABLE u (id INTEGER NOT NULL PRIMARY KEY, t_id INTEGER, FOREIGN KEY (t_id) REFERENCES t (id));\n"
            ),
            rows: concat!(
                "INSERT INTO t (id, name, a) VALUES (1, 'one', 1), (2, NULL, 2);\n",
                "INSERT INTO u VALUES (1, 1);\n"
            ),
            b: t!(),
            detected: &["Detected removed table 'u'"],
            up_warns: true,
            file_has: &["-- WARNING: dropping table 'u' deletes its rows"],
            after_up: T_KEPT,
            after_down: &[("SELECT COUNT(*) FROM t", 2), ("SELECT COUNT(*) FROM u", 0)],
            ..NONE
        }
    }

    pub fn column_added(_: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, c VARCHAR(10) NOT NULL DEFAULT 'x');\n",
                kid!()
            ),
            detected: &["Detected added column 't.c'"],
            down_warns: true,
            file_has: &["-- WARNING: dropping column 't.c' deletes its data"],
            after_up: &[("SELECT COUNT(*) FROM t WHERE c = 'x' AND name = 'one'", 1), ("SELECT COUNT(*) FROM t", 2)],
            after_down: T_KEPT,
            ..NONE
        }
    }

    pub fn column_removed(_: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: concat!("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50));\n", kid!()),
            detected: &["Detected removed column 't.a'"],
            up_warns: true,
            file_has: &["-- WARNING: dropping column 't.a' deletes its data"],
            after_up: &[("SELECT COUNT(*) FROM t WHERE name = 'one'", 1), ("SELECT COUNT(*) FROM t", 2)],
            after_down: &[("SELECT COUNT(*) FROM t WHERE a IS NULL", 2)],
            ..NONE
        }
    }

    /// A type change that converts the data: `'12'` becomes 12 (PostgreSQL's `USING`,
    /// MySQL's `MODIFY`, a SQLite rebuild whose copy applies the new affinity).
    pub fn column_type_changed(kind: Kind) -> Case {
        Case {
            a: concat!("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, code VARCHAR(20));\n", kid!()),
            rows: "INSERT INTO t (id, code) VALUES (1, '12'), (2, '7'), (3, NULL);\n",
            b: concat!("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, code INTEGER);\n", kid!()),
            detected: match kind {
                Kind::Sqlite => &["Detected type change from VARCHAR(20) to INTEGER on 't.code'"],
                Kind::Postgres => &["Detected type change from character varying(20) to integer on 't.code'"],
                Kind::Mysql => &["Detected type change from varchar(20) to int(11) on 't.code'"],
            },
            up_warns: true,
            file_has: match kind {
                Kind::Sqlite => &["CREATE TABLE \"_new_t\""],
                Kind::Postgres => &["USING \"code\"::integer"],
                Kind::Mysql => &["MODIFY"],
            },
            after_up: &[("SELECT COUNT(*) FROM t WHERE code = 12", 1), ("SELECT COUNT(*) FROM t WHERE code < 10", 1)],
            after_down: &[("SELECT COUNT(*) FROM t WHERE code = '12'", 1), ("SELECT COUNT(*) FROM t", 3)],
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    /// A wider type loses nothing going up; the way back narrows it and warns.
    pub fn column_type_widened(kind: Kind) -> Case {
        Case {
            a: concat!("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(20));\n", kid!()),
            rows: "INSERT INTO t (id, name) VALUES (1, 'one'), (2, NULL);\n",
            b: concat!("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100));\n", kid!()),
            detected: match kind {
                Kind::Sqlite => &["Detected type change from VARCHAR(20) to VARCHAR(100) on 't.name'"],
                Kind::Postgres => {
                    &["Detected type change from character varying(20) to character varying(100) on 't.name'"]
                }
                Kind::Mysql => &["Detected type change from varchar(20) to varchar(100) on 't.name'"],
            },
            down_warns: true,
            after_up: &[("SELECT COUNT(*) FROM t WHERE name = 'one'", 1)],
            after_down: &[("SELECT COUNT(*) FROM t WHERE name = 'one'", 1), ("SELECT COUNT(*) FROM t", 2)],
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    /// NOT NULL on a column with a default: its NULL rows get the default first.
    pub fn not_null_set_fills_from_default(kind: Kind) -> Case {
        Case {
            a: concat!("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) DEFAULT 'x');\n", kid!()),
            rows: "INSERT INTO t (id, name) VALUES (1, 'one'), (2, NULL);\n",
            b: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL DEFAULT 'x');\n",
                kid!()
            ),
            detected: &["Detected NOT NULL on column 't.name'"],
            after_up: &[
                ("SELECT COUNT(*) FROM t WHERE name = 'x'", 1),
                ("SELECT COUNT(*) FROM t WHERE name = 'one'", 1),
            ],
            after_down: &[("SELECT COUNT(*) FROM t", 2)],
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    pub fn not_null_dropped(kind: Kind) -> Case {
        Case {
            a: concat!("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL);\n", kid!()),
            rows: "INSERT INTO t (id, name) VALUES (1, 'one'), (2, 'two');\n",
            b: concat!("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50));\n", kid!()),
            detected: &["Detected NULL on column 't.name'"],
            after_up: &[("SELECT COUNT(*) FROM t", 2)],
            after_down: &[("SELECT COUNT(*) FROM t WHERE name = 'two'", 1)],
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    pub fn server_default_added(kind: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) DEFAULT 'none', a INTEGER DEFAULT 0);\n",
                kid!()
            ),
            detected: match kind {
                Kind::Postgres => &[
                    "Detected server default on column 't.name' (none to 'none'::character varying)",
                    "Detected server default on column 't.a' (none to 0)",
                ],
                _ => &[
                    "Detected server default on column 't.name' (none to 'none')",
                    "Detected server default on column 't.a' (none to 0)",
                ],
            },
            after_up: T_KEPT,
            after_down: T_KEPT,
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    pub fn server_default_changed(kind: Kind) -> Case {
        Case {
            a: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) DEFAULT 'x', a INTEGER DEFAULT 0);\n",
                kid!()
            ),
            rows: T_ROWS,
            b: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) DEFAULT 'y', a INTEGER DEFAULT 5);\n",
                kid!()
            ),
            detected: match kind {
                Kind::Postgres => &[
                    "Detected server default on column 't.name' ('x'::character varying to 'y'::character varying)",
                    "Detected server default on column 't.a' (0 to 5)",
                ],
                _ => &[
                    "Detected server default on column 't.name' ('x' to 'y')",
                    "Detected server default on column 't.a' (0 to 5)",
                ],
            },
            after_up: T_KEPT,
            after_down: T_KEPT,
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    pub fn server_default_removed(kind: Kind) -> Case {
        Case {
            a: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) DEFAULT 'x', a INTEGER DEFAULT 0);\n",
                kid!()
            ),
            rows: T_ROWS,
            b: t!(),
            detected: match kind {
                Kind::Postgres => &[
                    "Detected server default on column 't.name' ('x'::character varying to none)",
                    "Detected server default on column 't.a' (0 to none)",
                ],
                _ => &[
                    "Detected server default on column 't.name' ('x' to none)",
                    "Detected server default on column 't.a' (0 to none)",
                ],
            },
            after_up: T_KEPT,
            after_down: T_KEPT,
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    /// A row numbered by the new identity after `upgrade head`: it must come after the rows
    /// already there (3), and stay through the down.
    const NUMBERED: &str = "INSERT INTO t (name, a) VALUES ('three', 3);\n";
    const NUMBERED_KEPT: &[(&str, i64)] =
        &[("SELECT COUNT(*) FROM t WHERE id = 3 AND name = 'three'", 1), ("SELECT COUNT(*) FROM t WHERE a = 1", 1)];

    /// A column that numbers itself: PostgreSQL identity, MySQL AUTO_INCREMENT, SQLite
    /// AUTOINCREMENT (a rebuild keeping the rows); the numbering continues after the rows
    /// already there.
    pub fn identity_added(kind: Kind) -> Case {
        let case =
            Case { a: t!(), rows: T_ROWS, then: NUMBERED, after_up: NUMBERED_KEPT, after_down: NUMBERED_KEPT, ..NONE };
        match kind {
            Kind::Postgres => Case {
                b: concat!(
                    "CREATE TABLE t (id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name VARCHAR(50), a INTEGER);\n",
                    kid!()
                ),
                detected: &["Detected identity change from none to bydefault on 't.id'"],
                ..case
            },
            Kind::Mysql => Case {
                b: concat!(
                    "CREATE TABLE t (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50), a INTEGER);\n",
                    kid!()
                ),
                detected: &["Detected identity change from none to autoincrement on 't.id'"],
                ..case
            },
            Kind::Sqlite => Case {
                a: concat!("CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(50), a INTEGER);\n", kid!()),
                b: concat!(
                    "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(50), a INTEGER);\n",
                    kid!()
                ),
                foreign_keys_off: true,
                detected: &["Detected added AUTOINCREMENT on table 't'"],
                file_has: &["CREATE TABLE \"_new_t\""],
                after_up: &[
                    ("SELECT COUNT(*) FROM t WHERE id = 3 AND name = 'three'", 1),
                    ("SELECT seq FROM sqlite_sequence WHERE name = 't'", 3),
                ],
                ..case
            },
        }
    }

    /// PostgreSQL only: an identity `ALWAYS` where there was a serial.
    pub fn identity_serial_to_always(_: Kind) -> Case {
        Case {
            a: concat!("CREATE TABLE t (id SERIAL PRIMARY KEY, name VARCHAR(50), a INTEGER);\n", kid!()),
            rows: T_ROWS,
            b: concat!(
                "CREATE TABLE t (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name VARCHAR(50), a INTEGER);\n",
                kid!()
            ),
            detected: &["Detected identity change from serial to always on 't.id'"],
            then: NUMBERED,
            after_up: NUMBERED_KEPT,
            after_down: NUMBERED_KEPT,
            ..NONE
        }
    }

    /// A stored generated column, computed for the rows already there.
    pub fn generated_column_stored(kind: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: match kind {
                Kind::Mysql => {
                    concat!(
                        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, twice INTEGER AS (a * 2) STORED);\n",
                        kid!()
                    )
                }
                _ => {
                    concat!(
                        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, twice INTEGER GENERATED ALWAYS AS (a * 2) STORED);\n",
                        kid!()
                    )
                }
            },
            detected: &["Detected added column 't.twice'"],
            down_warns: true,
            file_has: if kind == Kind::Sqlite { &["CREATE TABLE \"_new_t\""] } else { &[] },
            after_up: &[("SELECT COUNT(*) FROM t WHERE twice = 2 * a", 2)],
            after_down: T_KEPT,
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    /// A virtual generated column (SQLite adds it with `ALTER TABLE`, no rebuild).
    pub fn generated_column_virtual(kind: Kind) -> Case {
        Case {
            b: match kind {
                Kind::Mysql => {
                    concat!(
                        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, twice INTEGER AS (a * 2) VIRTUAL);\n",
                        kid!()
                    )
                }
                _ => {
                    concat!(
                        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, twice INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL);\n",
                        kid!()
                    )
                }
            },
            file_has: if kind == Kind::Sqlite { &["ADD COLUMN"] } else { &[] },
            foreign_keys_off: false,
            ..generated_column_stored(kind)
        }
    }

    /// A stored generated column computed otherwise: the rows are computed again.
    pub fn generated_expression_changed(kind: Kind) -> Case {
        let stored = generated_column_stored(kind);
        Case {
            a: stored.b,
            b: match kind {
                Kind::Mysql => concat!(
                    "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, twice INTEGER AS (a * 3) STORED);\n",
                    kid!()
                ),
                _ => concat!(
                    "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, twice INTEGER GENERATED ALWAYS AS (a * 3) STORED);\n",
                    kid!()
                ),
            },
            detected: &["Detected generated expression change on column 't.twice'"],
            down_warns: false,
            after_up: &[("SELECT COUNT(*) FROM t WHERE twice = 3 * a", 2)],
            after_down: &[("SELECT COUNT(*) FROM t WHERE twice = 2 * a", 2)],
            ..stored
        }
    }

    /// A composite primary key on a table that had none.
    pub fn primary_key_added(kind: Kind) -> Case {
        Case {
            a: "CREATE TABLE pair (a INTEGER NOT NULL, b INTEGER NOT NULL, name VARCHAR(50));\n",
            rows: "INSERT INTO pair (a, b, name) VALUES (1, 1, 'x'), (1, 2, 'y');\n",
            b: "CREATE TABLE pair (a INTEGER NOT NULL, b INTEGER NOT NULL, name VARCHAR(50), PRIMARY KEY (a, b));\n",
            detected: &["Detected added primary key on 'pair' (a, b)"],
            down_warns: true,
            file_has: if kind == Kind::Sqlite { &["CREATE TABLE \"_new_pair\""] } else { &[] },
            after_up: &[("SELECT COUNT(*) FROM pair WHERE name = 'y'", 1), ("SELECT COUNT(*) FROM pair", 2)],
            after_down: &[("SELECT COUNT(*) FROM pair", 2)],
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    pub fn primary_key_changed(kind: Kind) -> Case {
        Case {
            a: "CREATE TABLE pair (a INTEGER NOT NULL, b INTEGER NOT NULL, name VARCHAR(50), PRIMARY KEY (a));\n",
            rows: "INSERT INTO pair (a, b, name) VALUES (1, 1, 'x'), (2, 1, 'y');\n",
            b: "CREATE TABLE pair (a INTEGER NOT NULL, b INTEGER NOT NULL, name VARCHAR(50), PRIMARY KEY (a, b));\n",
            // SQLite: an INTEGER PRIMARY KEY of one column is the rowid, which numbers itself.
            detected: match kind {
                Kind::Sqlite => &[
                    "Detected identity change from autoincrement to none on 'pair.a'",
                    "Detected removed primary key on 'pair' (a)",
                    "Detected added primary key on 'pair' (a, b)",
                ],
                _ => &["Detected removed primary key on 'pair' (a)", "Detected added primary key on 'pair' (a, b)"],
            },
            up_warns: true,
            down_warns: true,
            after_up: &[("SELECT COUNT(*) FROM pair", 2)],
            after_down: &[("SELECT COUNT(*) FROM pair", 2)],
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    pub fn unique_named(kind: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, CONSTRAINT t_name_uq UNIQUE (name));\n",
                kid!()
            ),
            detected: &["Detected added unique constraint 't_name_uq' on 't'"],
            down_warns: true,
            after_up: T_KEPT,
            after_down: T_KEPT,
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    pub fn unique_unnamed(kind: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, UNIQUE (name, a));\n",
                kid!()
            ),
            detected: &["Detected added unique constraint on 't' (name, a)"],
            down_warns: true,
            after_up: T_KEPT,
            after_down: T_KEPT,
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    pub fn check_named(kind: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, CONSTRAINT t_a_positive CHECK (a > 0));\n",
                kid!()
            ),
            detected: &["Detected added check constraint 't_a_positive' on 't'"],
            down_warns: true,
            after_up: T_KEPT,
            after_down: T_KEPT,
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    /// An unnamed table check; `expression` is how the server spells `a > 0`.
    pub fn check_unnamed(kind: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER, CHECK (a > 0));\n",
                kid!()
            ),
            detected: match kind {
                Kind::Postgres => &["Detected added check constraint on 't' (a > 0)"],
                Kind::Mysql => &["Detected added check constraint on 't' (`a` > 0)"],
                Kind::Sqlite => &["Detected added check constraint on 't' (a > 0)"],
            },
            down_warns: true,
            after_up: T_KEPT,
            after_down: T_KEPT,
            foreign_keys_off: kind == Kind::Sqlite,
            ..NONE
        }
    }

    /// An unnamed check written on the column's line.
    pub fn check_on_column(kind: Kind) -> Case {
        Case {
            b: concat!(
                "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), a INTEGER CHECK (a > 0));\n",
                kid!()
            ),
            ..check_unnamed(kind)
        }
    }

    pub fn foreign_key_added(kind: Kind) -> Case {
        Case {
            a: family!(""),
            rows: FAMILY_ROWS,
            b: family!(", FOREIGN KEY (parent_id) REFERENCES parent (id)"),
            detected: &["Detected added foreign key on 'child' (parent_id) referencing 'parent' (id)"],
            down_warns: true,
            foreign_keys_off: kind == Kind::Sqlite,
            after_up: FAMILY_KEPT,
            after_down: FAMILY_KEPT,
            ..NONE
        }
    }

    pub fn foreign_key_named_removed(kind: Kind) -> Case {
        Case {
            a: family!(", CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id)"),
            rows: FAMILY_ROWS,
            b: family!(""),
            detected: &[
                "Detected removed foreign key 'child_parent_fk' on 'child' (parent_id) referencing 'parent' (id)",
            ],
            up_warns: true,
            foreign_keys_off: kind == Kind::Sqlite,
            after_up: FAMILY_KEPT,
            after_down: FAMILY_KEPT,
            ..NONE
        }
    }

    pub fn foreign_key_actions_changed(kind: Kind) -> Case {
        Case {
            a: family!(", FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE"),
            rows: FAMILY_ROWS,
            b: family!(", FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE SET NULL ON UPDATE CASCADE"),
            detected: &[
                "Detected removed foreign key on 'child' (parent_id) referencing 'parent' (id)",
                "Detected added foreign key on 'child' (parent_id) referencing 'parent' (id)",
            ],
            up_warns: true,
            down_warns: true,
            foreign_keys_off: kind == Kind::Sqlite,
            after_up: FAMILY_KEPT,
            after_down: FAMILY_KEPT,
            ..NONE
        }
    }

    /// PostgreSQL and SQLite: a foreign key becomes DEFERRABLE INITIALLY DEFERRED.
    pub fn foreign_key_deferrable(kind: Kind) -> Case {
        Case {
            a: family!(", FOREIGN KEY (parent_id) REFERENCES parent (id)"),
            b: family!(", FOREIGN KEY (parent_id) REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED"),
            ..foreign_key_actions_changed(kind)
        }
    }

    /// A unique index (MySQL has no other kind of unique constraint: it reads as one).
    pub fn index_unique(kind: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: concat!(t!(), "CREATE UNIQUE INDEX t_name_unique ON t (name);\n"),
            detected: match kind {
                Kind::Mysql => &["Detected added unique constraint 't_name_unique' on 't'"],
                _ => &["Detected added unique index 't_name_unique' on 't'"],
            },
            down_warns: true,
            after_up: T_KEPT,
            after_down: T_KEPT,
            ..NONE
        }
    }

    pub fn index_composite(_: Kind) -> Case {
        Case {
            b: concat!(t!(), "CREATE INDEX t_a_name ON t (a, name);\n"),
            detected: &["Detected added index 't_a_name' on 't'"],
            ..index_unique(Kind::Sqlite)
        }
    }

    pub fn index_descending(_: Kind) -> Case {
        Case {
            b: concat!(t!(), "CREATE INDEX t_a_desc ON t (a DESC, name);\n"),
            detected: &["Detected added index 't_a_desc' on 't'"],
            ..index_unique(Kind::Sqlite)
        }
    }

    /// PostgreSQL and SQLite.
    pub fn index_partial(_: Kind) -> Case {
        Case {
            b: concat!(t!(), "CREATE INDEX t_named ON t (name) WHERE a > 0;\n"),
            detected: &["Detected added index 't_named' on 't'"],
            ..index_unique(Kind::Sqlite)
        }
    }

    /// PostgreSQL and SQLite.
    pub fn index_expression(_: Kind) -> Case {
        Case {
            b: concat!(t!(), "CREATE INDEX t_lower_name ON t (lower(name));\n"),
            detected: &["Detected added index 't_lower_name' on 't'"],
            ..index_unique(Kind::Sqlite)
        }
    }

    /// An index whose definition changes (a key added): dropped and created again.
    pub fn index_changed(_: Kind) -> Case {
        Case {
            a: concat!(t!(), "CREATE INDEX t_look ON t (name);\n"),
            rows: T_ROWS,
            b: concat!(t!(), "CREATE INDEX t_look ON t (name, a);\n"),
            detected: &["Detected removed index 't_look' on 't'", "Detected added index 't_look' on 't'"],
            up_warns: true,
            down_warns: true,
            after_up: T_KEPT,
            after_down: T_KEPT,
            ..NONE
        }
    }

    /// `-- renamed from:` on the table's line: a rename, rows kept, the child's foreign
    /// key following it.
    pub fn table_renamed(_: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: "CREATE TABLE things ( -- renamed from: t\n    id INTEGER NOT NULL PRIMARY KEY,\n    name VARCHAR(50),\n    a INTEGER\n);\n\
                CREATE TABLE kid (id INTEGER NOT NULL PRIMARY KEY, t_id INTEGER, \
                FOREIGN KEY (t_id) REFERENCES things (id) ON DELETE CASCADE);\n",
            detected: &["Detected renamed table 't' to 'things'"],
            after_up: &[("SELECT COUNT(*) FROM things WHERE name = 'one'", 1)],
            after_down: T_KEPT,
            ..NONE
        }
    }

    /// `-- renamed from:` on a column's line: a rename, data kept.
    pub fn column_renamed(_: Kind) -> Case {
        Case {
            a: concat!(t!(), "CREATE INDEX t_name_ix ON t (name);\n"),
            rows: T_ROWS,
            b: concat!(
                "CREATE TABLE t (\n    id INTEGER NOT NULL PRIMARY KEY,\n    title VARCHAR(50), -- renamed from: name\n    a INTEGER\n);\n",
                kid!(),
                "CREATE INDEX t_name_ix ON t (title);\n"
            ),
            detected: &["Detected renamed column 't.name' to 't.title'"],
            after_up: &[("SELECT COUNT(*) FROM t WHERE title = 'one'", 1)],
            after_down: T_KEPT,
            ..NONE
        }
    }

    // ----- PostgreSQL enum types -------------------------------------------------------

    const MOOD: &str = "CREATE TYPE mood AS ENUM ('sad', 'ok');\n\
                        CREATE TABLE person (id INTEGER NOT NULL PRIMARY KEY, m mood);\n";
    const MOOD_ROWS: &str = "INSERT INTO person VALUES (1, 'sad'), (2, 'ok'), (3, NULL);\n";
    const MOOD_KEPT: &[(&str, i64)] =
        &[("SELECT COUNT(*) FROM person WHERE m = 'sad'", 1), ("SELECT COUNT(*) FROM person WHERE m = 'ok'", 1)];

    pub fn enum_type_added(_: Kind) -> Case {
        Case {
            a: t!(),
            rows: T_ROWS,
            b: concat!(
                t!(),
                "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE person (id INTEGER NOT NULL PRIMARY KEY, m mood);\n"
            ),
            detected: &["Detected added enum type 'mood'", "Detected added table 'person'"],
            down_warns: true,
            after_up: T_KEPT,
            after_down: T_KEPT,
            ..NONE
        }
    }

    pub fn enum_value_added(_: Kind) -> Case {
        Case {
            a: MOOD,
            rows: MOOD_ROWS,
            b: "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n\
                CREATE TABLE person (id INTEGER NOT NULL PRIMARY KEY, m mood);\n",
            detected: &["Detected added value 'happy' to enum type 'mood'"],
            down_warns: true,
            file_has: &["ALTER TYPE \"mood\" ADD VALUE 'happy'"],
            after_up: MOOD_KEPT,
            after_down: MOOD_KEPT,
            ..NONE
        }
    }

    pub fn enum_value_removed(_: Kind) -> Case {
        Case {
            a: "CREATE TYPE mood AS ENUM ('sad', 'meh', 'ok');\n\
                CREATE TABLE person (id INTEGER NOT NULL PRIMARY KEY, m mood);\n",
            rows: MOOD_ROWS,
            b: MOOD,
            detected: &["Detected removed value 'meh' from enum type 'mood'"],
            up_warns: true,
            after_up: MOOD_KEPT,
            after_down: MOOD_KEPT,
            ..NONE
        }
    }

    pub fn enum_values_reordered(_: Kind) -> Case {
        Case {
            a: MOOD,
            rows: MOOD_ROWS,
            b: "CREATE TYPE mood AS ENUM ('ok', 'sad');\n\
                CREATE TABLE person (id INTEGER NOT NULL PRIMARY KEY, m mood);\n",
            detected: &["Detected reordered values of enum type 'mood'"],
            after_up: &[
                ("SELECT COUNT(*) FROM person WHERE m = 'sad'", 1),
                ("SELECT COUNT(*) FROM person WHERE m < 'sad'", 1),
            ],
            after_down: &[
                ("SELECT COUNT(*) FROM person WHERE m = 'ok'", 1),
                ("SELECT COUNT(*) FROM person WHERE m > 'sad'", 1),
            ],
            ..NONE
        }
    }

    /// A new value the same revision uses (as a default): the value must be committed
    /// first, so the revision runs outside a transaction.
    pub fn enum_value_used_at_once(_: Kind) -> Case {
        Case {
            a: MOOD,
            rows: MOOD_ROWS,
            b: "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n\
                CREATE TABLE person (id INTEGER NOT NULL PRIMARY KEY, m mood DEFAULT 'happy');\n",
            detected: &[
                "Detected added value 'happy' to enum type 'mood'",
                "Detected server default on column 'person.m' (none to 'happy'::mood)",
            ],
            down_warns: true,
            non_transactional: true,
            after_up: MOOD_KEPT,
            after_down: MOOD_KEPT,
            ..NONE
        }
    }

    // ----- MySQL ---------------------------------------------------------------------

    /// MySQL's ENUM is a column type: a value added is a `MODIFY`.
    pub fn mysql_enum_column_value_added(_: Kind) -> Case {
        Case {
            a: "CREATE TABLE person (id INTEGER NOT NULL PRIMARY KEY, m ENUM('sad', 'ok'));\n",
            rows: MOOD_ROWS,
            b: "CREATE TABLE person (id INTEGER NOT NULL PRIMARY KEY, m ENUM('sad', 'ok', 'happy'));\n",
            detected: &["Detected type change from enum('sad','ok') to enum('sad','ok','happy') on 'person.m'"],
            down_warns: true,
            file_has: &["MODIFY"],
            after_up: MOOD_KEPT,
            after_down: MOOD_KEPT,
            ..NONE
        }
    }

    // ----- SQLite --------------------------------------------------------------------

    /// A rebuild of a table with children (ON DELETE CASCADE) and an AUTOINCREMENT
    /// counter: children keep their rows, the counter its value (3, above the highest id
    /// left, 2), and the NULL name takes the default.
    pub fn sqlite_rebuild_keeps_child_rows_and_counter(_: Kind) -> Case {
        Case {
            a: "CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);\n\
                CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE);\n",
            rows: "INSERT INTO parent (name) VALUES ('a'), (NULL), ('c');\n\
                   DELETE FROM parent WHERE id = 3;\n\
                   INSERT INTO child (parent_id) VALUES (1), (2), (1);\n",
            b: "CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL DEFAULT 'x' CHECK (length(name) > 0));\n\
                CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE);\n",
            detected: &[
                "Detected NOT NULL on column 'parent.name'; server default on column 'parent.name' (none to 'x')",
                "Detected added check constraint on 'parent' (length(name) > 0)",
            ],
            down_warns: true,
            foreign_keys_off: true,
            file_has: &["CREATE TABLE \"_new_parent\"", "PRAGMA foreign_key_check"],
            then: "INSERT INTO parent (name) VALUES ('d');\n",
            after_up: &[
                ("SELECT COUNT(*) FROM child", 3),
                ("SELECT COUNT(*) FROM parent WHERE name = 'x'", 1),
                ("SELECT COUNT(*) FROM parent WHERE id = 4 AND name = 'd'", 1),
            ],
            after_down: &[
                ("SELECT COUNT(*) FROM child", 3),
                ("SELECT seq FROM sqlite_sequence WHERE name = 'parent'", 4),
            ],
            ..NONE
        }
    }

    /// A rebuild of a table with a trigger that schema.sql leaves out (as `schema --write`
    /// does: triggers are not compared): the up creates it again, and so does the down.
    pub fn sqlite_rebuild_keeps_triggers_both_ways(_: Kind) -> Case {
        Case {
            a: "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER);\n\
                CREATE TABLE log (n INTEGER);\n\
                CREATE TRIGGER t_logged AFTER INSERT ON t BEGIN INSERT INTO log (n) VALUES (NEW.id); END;\n",
            rows: "INSERT INTO t (x) VALUES (1);\n",
            b: "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER NOT NULL DEFAULT 0);\n\
                CREATE TABLE log (n INTEGER);\n",
            detected: &["Detected NOT NULL on column 't.x'; server default on column 't.x' (none to 0)"],
            foreign_keys_off: true,
            file_has: &["CREATE TRIGGER t_logged"],
            then: "INSERT INTO t (x) VALUES (2);\n",
            after_up: &[
                ("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 't_logged'", 1),
                ("SELECT COUNT(*) FROM log", 2),
            ],
            after_down: &[("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 't_logged'", 1)],
            ..NONE
        }
    }
}

// ----- which cases run where ------------------------------------------------------------

/// `#[test]` functions running the named cases on `$kind`.
macro_rules! run_cases {
    ($kind:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let test = concat!(module_path!(), "::", stringify!($case));
                super::roundtrip($kind, test, &super::cases::$case($kind));
            }
        )*
    };
}

/// Cases every database has.
macro_rules! common_cases {
    ($kind:expr) => {
        run_cases!($kind;
            table_added,
            table_removed,
            column_added,
            column_removed,
            column_type_changed,
            column_type_widened,
            not_null_set_fills_from_default,
            not_null_dropped,
            server_default_added,
            server_default_changed,
            server_default_removed,
            identity_added,
            generated_column_stored,
            generated_expression_changed,
            primary_key_added,
            primary_key_changed,
            unique_named,
            unique_unnamed,
            check_named,
            check_unnamed,
            check_on_column,
            foreign_key_added,
            foreign_key_named_removed,
            foreign_key_actions_changed,
            index_unique,
            index_composite,
            index_descending,
            index_changed,
            table_renamed,
            column_renamed,
        );
    };
}

mod sqlite {
    use super::Kind;
    common_cases!(Kind::Sqlite);
    run_cases!(Kind::Sqlite;
        generated_column_virtual,
        foreign_key_deferrable,
        index_partial,
        index_expression,
        sqlite_rebuild_keeps_child_rows_and_counter,
        sqlite_rebuild_keeps_triggers_both_ways,
    );
    // No enum types on SQLite.
}

mod postgres {
    use super::Kind;
    common_cases!(Kind::Postgres);
    run_cases!(Kind::Postgres;
        identity_serial_to_always,
        foreign_key_deferrable,
        index_partial,
        index_expression,
        enum_type_added,
        enum_value_added,
        enum_value_removed,
        enum_values_reordered,
        enum_value_used_at_once,
    );
    // Left out: virtual generated columns (PostgreSQL 15 has stored ones only).
}

mod mysql {
    use super::Kind;
    common_cases!(Kind::Mysql);
    run_cases!(Kind::Mysql;
        generated_column_virtual,
        mysql_enum_column_value_added,
    );
    // Left out: DEFERRABLE (MySQL checks foreign keys at once, always); partial indexes
    // (MySQL and MariaDB have none); expression indexes (MariaDB has none, and the
    // renderer refuses them for MySQL too); enum types (MySQL's ENUM is a column type,
    // covered by mysql_enum_column_value_added).
}
