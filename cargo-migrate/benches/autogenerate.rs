//! Autogenerate as whole processes, beside what the databases' own tools do with the same
//! schema (SPEC §8, §9).
//!
//! `cargo bench -p cargo-migrate --bench autogenerate`. Two comparisons, each per database
//! (SQLite, PostgreSQL, MariaDB), each side one process, timed from start to exit:
//!
//! - **head of 1,000 revisions** (`head_1000_*`): `cargo-migrate schema --format json`,
//!   which builds head on a scratch database (SQLite: in memory; servers: a temporary
//!   database it creates and drops) and introspects it, beside `cargo-migrate upgrade
//!   head` of the same chain on a fresh database (made untimed; SQLite's file on tmpfs).
//!   Target: building head costs no more than upgrading (≤ 1.0×).
//! - **autogenerate on a 200-table head** (`autogenerate_200_*`): one revision creates 200
//!   tables (keys, a unique, a check, defaults, a foreign key to the table before, an
//!   index); `schema.sql` is the same with four changes (a table added, a column added, an
//!   index dropped, a server default changed). `cargo-migrate revision --autogenerate`
//!   (head and `schema.sql` each built on a scratch database, both introspected, compared,
//!   the revision written; removed again untimed) beside the database's own dump of the
//!   schema of a database at that head: `sqlite3 DB .schema`, `pg_dump --schema-only`,
//!   `mysqldump --no-data`. Targets: ≤ 10× on SQLite, ≤ 3× on PostgreSQL and MariaDB.
//!   Before timing, the fixture is checked: exactly those four changes are detected, and
//!   the generated revision applies (`upgrade head` on a fresh database succeeds). A third
//!   side, `client builds`, times the database's own client running head's DDL and
//!   `schema.sql` on two fresh databases (SQLite: in memory): the least any tool that
//!   builds both schemas does, shown beside ours for scale (no target).
//!
//! PostgreSQL needs `MIGRATE_TEST_POSTGRES_URL` and `psql`/`pg_dump`, MariaDB
//! `MIGRATE_TEST_MYSQL_URL` and `mysql`/`mysqldump` (users allowed to create databases);
//! each is skipped with a note otherwise. Every database made is dropped again. After
//! divan's table the run prints the medians side by side with the ratios and targets.
//! The whole run takes about six minutes on two shared cores, most of it MariaDB's and
//! PostgreSQL's DDL; leave a database out with e.g. `-- --skip mariadb`.

#[path = "support/chain.rs"]
mod chain;

use chain::{DropIndex, write_chain_revision, write_revision};
use divan::Bencher;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

fn main() {
    divan::main();
    drop_leftover_databases();
    // The fixtures live in statics, which are never dropped: their folders (on tmpfs) go here.
    for package in [CHAIN_PACKAGE.get(), TABLES_PACKAGE.get()].into_iter().flatten() {
        let _ = std::fs::remove_dir_all(package.dir());
    }
    print_summary();
}

const OURS: &str = "cargo-migrate";
const SCHEMA: &str = "schema";
const UPGRADE: &str = "upgrade";
/// The database's own client building head's DDL and `schema.sql`, each on a fresh
/// database: the least any tool comparing two built schemas does (not a target).
const CLIENTS: &str = "client builds";

// ----- The benchmarks ----------------------------------------------------------------------

/// Building head of 1,000 revisions on SQLite (in memory) beside upgrading a file on tmpfs.
#[divan::bench(args = [SCHEMA, UPGRADE], sample_count = 10, sample_size = 1)]
fn head_1000_sqlite(bencher: Bencher, side: &str) {
    bench_head(bencher, Kind::Sqlite, side);
}

/// Building head of 1,000 revisions on a PostgreSQL scratch database beside upgrading a
/// fresh database.
#[divan::bench(args = [SCHEMA, UPGRADE], sample_count = 5, sample_size = 1)]
fn head_1000_postgres(bencher: Bencher, side: &str) {
    bench_head(bencher, Kind::Postgres, side);
}

/// Building head of 1,000 revisions on a MariaDB scratch database beside upgrading a fresh
/// database.
#[divan::bench(args = [SCHEMA, UPGRADE], sample_count = 5, sample_size = 1)]
fn head_1000_mariadb(bencher: Bencher, side: &str) {
    bench_head(bencher, Kind::MariaDb, side);
}

/// `revision --autogenerate` on 200 tables beside `sqlite3 DB .schema`.
#[divan::bench(args = [OURS, "sqlite3", CLIENTS], sample_count = 10, sample_size = 1)]
fn autogenerate_200_sqlite(bencher: Bencher, side: &str) {
    bench_autogenerate(bencher, Kind::Sqlite, side);
}

/// `revision --autogenerate` on 200 tables beside `pg_dump --schema-only`.
#[divan::bench(args = [OURS, "pg_dump", CLIENTS], sample_count = 10, sample_size = 1)]
fn autogenerate_200_postgres(bencher: Bencher, side: &str) {
    bench_autogenerate(bencher, Kind::Postgres, side);
}

/// `revision --autogenerate` on 200 tables beside `mysqldump --no-data`.
#[divan::bench(args = [OURS, "mysqldump", CLIENTS], sample_count = 10, sample_size = 1)]
fn autogenerate_200_mariadb(bencher: Bencher, side: &str) {
    bench_autogenerate(bencher, Kind::MariaDb, side);
}

fn bench_head(bencher: Bencher, db: Kind, side: &str) {
    let Some(admin) = db.available() else { return };
    let fixture = chain_fixture();
    fixture.check_head(db, &admin);
    let label = format!("head 1000 {}", db.name());
    if side == SCHEMA {
        // Scratch databases go on the URL's server; an SQLite URL only says the kind (the
        // file is never created).
        let url = match db {
            Kind::Sqlite => fixture.sqlite_url("never-created"),
            _ => admin.clone(),
        };
        bencher.bench_local(|| {
            let output = timed(&label, side, || {
                fixture.cargo_migrate(&["schema", "--format", "json", "--database-url", &url]).output()
            });
            expect_clean(side, &output);
        });
    } else {
        bencher.with_inputs(|| FreshDb::new(db, &admin, fixture.dir())).bench_local_refs(|fresh| {
            let output = timed(&label, side, || {
                fixture.cargo_migrate(&["upgrade", "head", "--database-url", &fresh.url]).output()
            });
            expect_clean(side, &output);
        });
    }
}

fn bench_autogenerate(bencher: Bencher, db: Kind, side: &str) {
    let Some(admin) = db.available() else { return };
    let fixture = tables_fixture();
    let at_head = fixture.at_head(db, &admin);
    let label = format!("autogenerate 200 {}", db.name());
    if side == OURS {
        let url = match db {
            Kind::Sqlite => fixture.sqlite_url("never-created"),
            _ => admin.clone(),
        };
        fixture.check_autogenerate(db, &admin, &url);
        // The revision written is removed after each sample, untimed.
        bencher.with_inputs(|| NewRevisions(fixture.dir().join("migrations"))).bench_local_refs(|_| {
            let output = timed(&label, side, || {
                fixture.cargo_migrate(&["revision", "--autogenerate", "-m", "change", "--database-url", &url]).output()
            });
            expect_clean(side, &output);
        });
    } else if side == CLIENTS {
        let dir = fixture.dir();
        bencher.with_inputs(|| [FreshDb::new(db, &admin, dir), FreshDb::new(db, &admin, dir)]).bench_local_refs(
            |[head, desired]| {
                timed(&label, side, || {
                    for (db_at, file) in [(&*head, "head.sql"), (&*desired, "schema.sql")] {
                        let output = db.run_file(db_at, &dir.join(file)).output()?;
                        expect_clean(side, &output);
                    }
                    Ok(Output { status: std::process::ExitStatus::default(), stdout: Vec::new(), stderr: Vec::new() })
                });
            },
        );
    } else {
        bencher.bench_local(|| {
            let output = timed(&label, side, || db.dump_schema(at_head).output());
            expect_clean(side, &output);
            assert!(output.stdout.len() > 10_000, "{side} printed a whole schema");
        });
    }
}

// ----- Databases ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
    MariaDb,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
            Kind::MariaDb => "mariadb",
        }
    }

    /// The server URL (empty for SQLite), or `None` with a note when the database or its
    /// tools are missing.
    fn available(self) -> Option<String> {
        let (var, tools): (Option<&str>, &[&str]) = match self {
            Kind::Sqlite => (None, &["sqlite3"]),
            Kind::Postgres => (Some("MIGRATE_TEST_POSTGRES_URL"), &["psql", "pg_dump"]),
            Kind::MariaDb => (Some("MIGRATE_TEST_MYSQL_URL"), &["mysql", "mysqldump"]),
        };
        if let Some(missing) = tools.iter().find(|t| !tool_present(t)) {
            eprintln!("SKIPPED {}: no `{missing}` on PATH", self.name());
            return None;
        }
        match var {
            None => Some(String::new()),
            Some(var) => match std::env::var(var) {
                Ok(url) if !url.is_empty() => Some(url),
                _ => {
                    eprintln!("SKIPPED {}: set {var} to a server where the user may create databases", self.name());
                    None
                }
            },
        }
    }

    /// The database's own client running `sql` on the database of `url`.
    fn client(self, url: &str, sql: &str) -> Result<String, String> {
        let mut command = match self {
            Kind::Postgres => {
                let mut c = Command::new("psql");
                c.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]);
                c
            }
            Kind::MariaDb => {
                let (options, database) = mysql_options(url);
                let mut c = Command::new("mysql");
                c.args(options).args(["-D", &database, "-N", "-B", "-e", sql]);
                c
            }
            Kind::Sqlite => unreachable!("SQLite databases are files"),
        };
        let output = command.output().map_err(|e| format!("the client did not start: {e}"))?;
        if !output.status.success() {
            return Err(format!("`{sql}` failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The database's own client running the script `file` on `db` (SQLite: in memory, as
    /// autogenerate's scratch databases are).
    fn run_file(self, db: &FreshDb, file: &Path) -> Command {
        let script = std::fs::File::open(file).expect("script");
        let mut c = match self {
            Kind::Sqlite => {
                let mut c = Command::new("sqlite3");
                c.args(["-bail", ":memory:"]);
                c
            }
            Kind::Postgres => {
                let mut c = Command::new("psql");
                c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &db.url]);
                c
            }
            Kind::MariaDb => {
                let mut c = Command::new("mysql");
                c.args(mysql_options(&db.url).0).args(["-D", &db.name]);
                c
            }
        };
        c.stdin(script);
        c
    }

    /// The database's own dump of the schema of `db`.
    fn dump_schema(self, db: &FreshDb) -> Command {
        match self {
            Kind::Sqlite => {
                let mut c = Command::new("sqlite3");
                c.arg(db.path.as_ref().expect("an SQLite file")).arg(".schema");
                c
            }
            Kind::Postgres => {
                let mut c = Command::new("pg_dump");
                c.args(["--schema-only", "--no-owner", "-d", &db.url]);
                c
            }
            Kind::MariaDb => {
                let mut c = Command::new("mysqldump");
                c.args(mysql_options(&db.url).0).args(["--no-data", "--skip-comments"]).arg(&db.name);
                c
            }
        }
    }
}

/// `mysql://user:password@host:port/db?…` as the MySQL clients' connection options, and
/// the database name.
fn mysql_options(url: &str) -> (Vec<String>, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split('?').next().unwrap_or(rest);
    let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, host) = authority.rsplit_once('@').unwrap_or(("root", authority));
    let (user, password) = userinfo.split_once(':').map_or((userinfo, None), |(u, p)| (u, Some(p)));
    let (host, port) = host.rsplit_once(':').unwrap_or((host, "3306"));
    let mut args = vec!["-h".into(), host.into(), "-P".into(), port.into(), "-u".into(), user.into()];
    if let Some(password) = password {
        args.push(format!("-p{password}"));
    }
    (args, database.to_owned())
}

/// `url` with its database name replaced by `name` (query string kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn database_prefix() -> String {
    format!("autogenerate_bench_{}_", std::process::id())
}

/// A fresh, empty database (made untimed), dropped when done with: an SQLite file in
/// `dir`, or a database on the server.
struct FreshDb {
    db: Kind,
    admin: String,
    name: String,
    url: String,
    path: Option<PathBuf>,
}

impl FreshDb {
    fn new(db: Kind, admin: &str, dir: &Path) -> Self {
        let name = format!("{}{}", database_prefix(), COUNTER.fetch_add(1, Ordering::Relaxed));
        if db == Kind::Sqlite {
            let path = dir.join(format!("{name}.db"));
            let url = format!("sqlite://{}?mode=rwc", path.display());
            return FreshDb { db, admin: String::new(), name, url, path: Some(path) };
        }
        db.client(admin, &format!("CREATE DATABASE {name}")).unwrap_or_else(|e| panic!("{e}"));
        FreshDb { db, admin: admin.to_owned(), url: with_database(admin, &name), name, path: None }
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        let dropped = match self.db {
            Kind::Sqlite => {
                for suffix in ["", "-journal", "-wal", "-shm"] {
                    let mut path = self.path.clone().expect("a file").into_os_string();
                    path.push(suffix);
                    let _ = std::fs::remove_file(path);
                }
                Ok(String::new())
            }
            Kind::Postgres => {
                self.db.client(&self.admin, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
            }
            Kind::MariaDb => self.db.client(&self.admin, &format!("DROP DATABASE IF EXISTS {}", self.name)),
        };
        if !std::thread::panicking() {
            assert!(dropped.is_ok(), "cannot drop {}: {dropped:?}", self.name);
        }
    }
}

/// Drops any database of this run left behind (the fixtures' databases at head, and any a
/// panic left), and the scratch databases of `cargo-migrate` runs, which drop their own.
fn drop_leftover_databases() {
    for db in [Kind::Postgres, Kind::MariaDb] {
        let Some(admin) =
            std::env::var(if db == Kind::Postgres { "MIGRATE_TEST_POSTGRES_URL" } else { "MIGRATE_TEST_MYSQL_URL" })
                .ok()
                .filter(|u| !u.is_empty())
        else {
            continue;
        };
        if !tool_present(if db == Kind::Postgres { "psql" } else { "mysql" }) {
            continue;
        }
        let prefix = database_prefix();
        let list = match db {
            Kind::Postgres => format!("SELECT datname FROM pg_database WHERE starts_with(datname, '{prefix}')"),
            _ => format!("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '{prefix}%'"),
        };
        let Ok(names) = db.client(&admin, &list) else { continue };
        for name in names.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let force = if db == Kind::Postgres { " WITH (FORCE)" } else { "" };
            if let Err(e) = db.client(&admin, &format!("DROP DATABASE IF EXISTS {name}{force}")) {
                eprintln!("cannot drop {name}: {e}");
            }
        }
    }
}

// ----- Fixtures ----------------------------------------------------------------------------

/// A package in a temporary folder, on tmpfs where there is one (SQLite's files go there).
struct Package {
    dir: tempfile::TempDir,
    /// Per database, a database at head (for the dumps), made once.
    at_head: Mutex<BTreeMap<&'static str, &'static FreshDb>>,
    /// The databases whose setup was checked.
    checked: Mutex<Vec<&'static str>>,
}

impl Package {
    fn new(write: impl FnOnce(&Path)) -> Self {
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).expect("src");
        std::fs::create_dir_all(root.join("migrations")).expect("migrations");
        std::fs::write(
            root.join("Cargo.toml"),
            "[package]\nname = \"bench\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        )
        .expect("manifest");
        std::fs::write(root.join("src/main.rs"), "fn main() {}\n").expect("main.rs");
        write(root);
        Package { dir, at_head: Mutex::new(BTreeMap::new()), checked: Mutex::new(Vec::new()) }
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn cargo_migrate(&self, args: &[&str]) -> Command {
        let mut command = Command::new(binary());
        command.current_dir(self.dir()).args(args).env("CARGO_MIGRATE_CACHE_DIR", self.dir().join("cache"));
        command
    }

    fn run(&self, args: &[&str]) -> String {
        let output = self.cargo_migrate(args).output().expect("cargo-migrate runs");
        expect_clean(OURS, &output);
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite://{}?mode=rwc", self.dir().join(format!("{name}.db")).display())
    }

    /// Whether `db`'s setup is still to be checked (true once).
    fn first_time(&self, db: Kind) -> bool {
        let mut checked = self.checked.lock().expect("checked");
        if checked.contains(&db.name()) {
            return false;
        }
        checked.push(db.name());
        true
    }

    /// A database of `db` at head, made once and kept for the run.
    fn at_head(&'static self, db: Kind, admin: &str) -> &'static FreshDb {
        let mut all = self.at_head.lock().expect("at head");
        all.entry(db.name()).or_insert_with(|| {
            let fresh: &'static FreshDb = Box::leak(Box::new(FreshDb::new(db, admin, self.dir())));
            self.run(&["upgrade", "head", "--database-url", &fresh.url]);
            fresh
        })
    }

    /// Head of the chain as `schema --format json` reads it on `db` has every table.
    fn check_head(&self, db: Kind, admin: &str) {
        if !self.first_time(db) {
            return;
        }
        let url = if db == Kind::Sqlite { self.sqlite_url("never-created") } else { admin.to_owned() };
        let json = self.run(&["schema", "--format", "json", "--database-url", &url]);
        let schema: serde_json::Value = serde_json::from_str(&json).expect("schema JSON");
        let tables = schema["tables"].as_object().map_or(0, |t| t.len());
        assert_eq!(tables, CHAIN / 4, "head of {CHAIN} revisions on {}", db.name());
        assert!(!self.dir().join("never-created.db").exists(), "schema must not touch the database URL's file");
    }

    /// Autogenerate on `db` detects the four changes of `schema.sql`, and the revision it
    /// writes applies to a fresh database; the revision is removed again.
    fn check_autogenerate(&self, db: Kind, admin: &str, url: &str) {
        if !self.first_time(db) {
            return;
        }
        let _cleanup = NewRevisions(self.dir().join("migrations"));
        let json = self.run(&["revision", "--autogenerate", "-m", "change", "--format", "json", "--database-url", url]);
        let report: serde_json::Value = serde_json::from_str(&json).expect("autogenerate JSON");
        let changes: Vec<&str> =
            report["changes"].as_array().expect("changes").iter().map(|c| c.as_str().expect("text")).collect();
        let expected: [&dyn Fn(&str) -> bool; 4] = [
            &|c| c == "added table 'audit_log'",
            &|c| c == "added column 't_010.note'",
            &|c| c.starts_with("removed index") && c.contains("t_020"),
            &|c| c.contains("server default") && c.contains("t_030.status"),
        ];
        assert_eq!(changes.len(), 4, "exactly four changes on {}: {changes:#?}", db.name());
        for want in expected {
            assert!(changes.iter().any(|c| want(c)), "an expected change is missing on {}: {changes:#?}", db.name());
        }
        let fresh = FreshDb::new(db, admin, self.dir());
        self.run(&["upgrade", "head", "--database-url", &fresh.url]);
        // And head is now the desired schema (`check` compares it with schema.sql).
        let check = self.cargo_migrate(&["check", "--database-url", &fresh.url]).output().expect("check runs");
        expect_clean("check after the generated revision", &check);
    }
}

/// Removes, when dropped, the revision files added to the folder since it was made.
struct NewRevisions(PathBuf);

impl NewRevisions {
    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(&self.0).expect("migrations").map(|e| e.expect("entry").path()).collect();
        files.sort();
        files
    }
}

impl Drop for NewRevisions {
    fn drop(&mut self) {
        for file in self.files() {
            if file.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.contains("_change")) {
                std::fs::remove_file(&file).expect("remove the generated revision");
            }
        }
    }
}

const CHAIN: usize = 1_000;

static CHAIN_PACKAGE: OnceLock<Package> = OnceLock::new();
static TABLES_PACKAGE: OnceLock<Package> = OnceLock::new();

/// A linear chain of 1,000 small revisions, as the upgrade benchmark's (`support/chain.rs`).
fn chain_fixture() -> &'static Package {
    CHAIN_PACKAGE.get_or_init(|| {
        Package::new(|root| {
            for i in 0..CHAIN {
                write_chain_revision(root, i, DropIndex::OnTable);
            }
        })
    })
}

const TABLES: usize = 200;

/// One revision creating 200 tables, and a `schema.sql` with four changes.
fn tables_fixture() -> &'static Package {
    TABLES_PACKAGE.get_or_init(|| {
        Package::new(|root| {
            let down: String = (0..TABLES).rev().map(|i| format!("DROP TABLE t_{i:03};\n")).collect();
            write_revision(root, 0, "two hundred tables", "<base>", &tables_ddl(false), &down);
            std::fs::write(root.join("schema.sql"), tables_ddl(true)).expect("schema.sql");
            // The head's DDL alone, for the clients' side.
            std::fs::write(root.join("head.sql"), tables_ddl(false)).expect("head.sql");
        })
    })
}

/// The 200 tables; `desired` with the four changes: table `audit_log` added, column
/// `t_010.note` added, index `ix_t_020_name` dropped, `t_030.status` defaulting to
/// 'pending' instead of 'new'.
fn tables_ddl(desired: bool) -> String {
    let mut sql = String::new();
    for i in 0..TABLES {
        let t = format!("t_{i:03}");
        let status = if desired && i == 30 { "pending" } else { "new" };
        let note = if desired && i == 10 { "    note VARCHAR(100),\n" } else { "" };
        let parent = if i == 0 { String::new() } else { "    parent_id INTEGER,\n".to_owned() };
        let reference = if i == 0 {
            String::new()
        } else {
            format!(",\n    CONSTRAINT fk_{t}_parent FOREIGN KEY (parent_id) REFERENCES t_{:03} (id)", i - 1)
        };
        sql.push_str(&format!(
            "CREATE TABLE {t} (\n    id INTEGER PRIMARY KEY,\n    name VARCHAR(50) NOT NULL,\n    \
             email VARCHAR(100),\n    status VARCHAR(20) NOT NULL DEFAULT '{status}',\n    \
             amount NUMERIC(10,2) DEFAULT 0,\n    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n{note}{parent}    \
             CONSTRAINT uq_{t}_email UNIQUE (email),\n    CONSTRAINT ck_{t}_amount CHECK (amount >= 0){reference}\n);\n"
        ));
        if !(desired && i == 20) {
            sql.push_str(&format!("CREATE INDEX ix_{t}_name ON {t} (name);\n"));
        }
    }
    if desired {
        sql.push_str("CREATE TABLE audit_log (\n    id INTEGER PRIMARY KEY,\n    message VARCHAR(200) NOT NULL\n);\n");
    }
    sql
}

// ----- Timing and the summary --------------------------------------------------------------

/// Runs `run` (one whole process), recording its wall time for the summary.
fn timed(label: &str, side: &str, run: impl FnOnce() -> std::io::Result<Output>) -> Output {
    let started = Instant::now();
    let output = run().unwrap_or_else(|e| panic!("{side} did not start: {e}"));
    let wall = started.elapsed();
    RESULTS
        .lock()
        .expect("results")
        .entry(label.to_owned())
        .or_default()
        .entry(side.to_owned())
        .or_default()
        .push(wall);
    output
}

fn expect_clean(side: &str, output: &Output) {
    assert!(output.status.success(), "{side} failed ({}):\n{}", output.status, String::from_utf8_lossy(&output.stderr));
}

/// Samples per benchmark ("head 1000 sqlite") and side.
static RESULTS: Mutex<BTreeMap<String, BTreeMap<String, Vec<Duration>>>> = Mutex::new(BTreeMap::new());

fn print_summary() {
    let results = RESULTS.lock().expect("results");
    if results.is_empty() {
        return;
    }
    println!("\nwhole processes, medians:");
    for (label, sides) in results.iter() {
        let wall = |side: &str| median(sides[side].clone());
        for side in sides.keys() {
            println!("  {label:<22} {side:<14} {:>8.3} s  ({} sample(s))", wall(side).as_secs_f64(), sides[side].len());
        }
        let (ours, raw, target) = if label.starts_with("head") {
            (SCHEMA, UPGRADE, 1.0)
        } else if label.ends_with("sqlite") {
            (OURS, "sqlite3", 10.0)
        } else if label.ends_with("postgres") {
            (OURS, "pg_dump", 3.0)
        } else {
            (OURS, "mysqldump", 3.0)
        };
        if sides.contains_key(ours) && sides.contains_key(raw) {
            let ratio = wall(ours).as_secs_f64() / wall(raw).as_secs_f64();
            let verdict = if ratio <= target { "within" } else { "OVER" };
            println!("  {label:<22} ratio {ours}/{raw}: {ratio:.2}× ({verdict} the {target}× target)");
        }
        if sides.contains_key(ours) && sides.contains_key(CLIENTS) {
            let ratio = wall(ours).as_secs_f64() / wall(CLIENTS).as_secs_f64();
            println!("  {label:<22} ratio {ours}/{CLIENTS}: {ratio:.2}×");
        }
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    let mid = times.len() / 2;
    if times.len() % 2 == 1 { times[mid] } else { (times[mid - 1] + times[mid]) / 2 }
}

fn tool_present(tool: &str) -> bool {
    Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cargo-migrate"))
}
