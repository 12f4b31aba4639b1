//! `upgrade head` as whole processes, beside the same SQL run by the databases' own clients
//! (SPEC §9, issue 5: within 1.2× of the raw client).
//!
//! `cargo bench -p cargo-migrate --bench upgrade`. A temporary package holds a linear chain
//! of small, realistic revisions (create a table, add a column, seed rows, index and
//! update). Each sample starts from a fresh database, made untimed, and times one process:
//!
//! - `cargo-migrate`: `cargo-migrate upgrade head --database-url URL`;
//! - `sqlite3` / `psql`: the script `cargo-migrate upgrade head --sql` prints for that
//!   database, which is the same SQL with the same per-revision transactions and the same
//!   version-table rows, run by `sqlite3 -bail file.db < script.sql` or
//!   `psql -X -q -v ON_ERROR_STOP=1 -d URL -f script.sql`.
//!
//! PostgreSQL needs `MIGRATE_TEST_POSTGRES_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`, a user allowed to create databases); it is
//! skipped with a note otherwise. Every database made is dropped again. After divan's
//! table, the run prints the medians side by side with the ratio ours/raw.
//!
//! Before timing, the 1,000-revision script is run once by `sqlite3` and by us, and both
//! databases must hold the same schema and version rows; after every sample the version
//! table must hold every revision. The whole run takes 2.5–4 minutes on two shared cores,
//! most of it the 10,000-revision SQLite pair (one sample each: SQLite's own cost per DDL
//! grows with the schema); leave it out with
//! `cargo bench -p cargo-migrate --bench upgrade -- --skip 10000`.

#[path = "support/chain.rs"]
mod chain;

use chain::{DropIndex, write_chain_revision};
use divan::Bencher;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

fn main() {
    divan::main();
    drop_leftover_databases();
    print_summary();
}

const OURS: &str = "cargo-migrate";
const POSTGRES_VAR: &str = "MIGRATE_TEST_POSTGRES_URL";

/// 1,000 revisions on SQLite: ours beside `sqlite3`.
#[divan::bench(args = [OURS, "sqlite3"], sample_count = 10, sample_size = 1)]
fn sqlite_1000(bencher: Bencher, side: &str) {
    bench_sqlite(bencher, side, 1_000);
}

/// 10,000 revisions on SQLite, once each: the cost per revision against `sqlite3`'s.
#[divan::bench(args = [OURS, "sqlite3"], sample_count = 1, sample_size = 1)]
fn sqlite_10000(bencher: Bencher, side: &str) {
    bench_sqlite(bencher, side, 10_000);
}

/// `current` on an SQLite database at the head of 1,000 revisions (header cache warm): ours
/// beside `sqlite3` reading the newest version row.
#[divan::bench(args = [OURS, "sqlite3"], sample_count = 30, sample_size = 1)]
fn current_sqlite_1000(bencher: Bencher, side: &str) {
    if !tool_present("sqlite3") {
        eprintln!("SKIPPED current: no `sqlite3` on PATH");
        return;
    }
    let fixture = fixture(1_000);
    static AT_HEAD: OnceLock<SqliteDb> = OnceLock::new();
    let db = AT_HEAD.get_or_init(|| {
        let db = SqliteDb::fresh(fixture, 1_000);
        expect_clean(OURS, &fixture.cargo_migrate(&["upgrade", "head", "--database-url", &db.url()]).output().unwrap());
        db
    });
    let url = db.url();
    // Warm the header cache once, as any earlier command would have.
    expect_clean(OURS, &fixture.cargo_migrate(&["current", "--database-url", &url]).output().unwrap());
    bencher.bench_local(|| {
        let output = timed("current sqlite 1000", side, || {
            if side == OURS {
                fixture.cargo_migrate(&["current", "--database-url", &url]).output()
            } else {
                Command::new("sqlite3")
                    .arg(&db.path)
                    .arg("SELECT revision FROM migrate_version ORDER BY seq DESC LIMIT 1")
                    .output()
            }
        });
        expect_clean(side, &output);
    });
}

/// 1,000 revisions on PostgreSQL: ours beside `psql`.
#[divan::bench(args = [OURS, "psql"], sample_count = 10, sample_size = 1)]
fn postgres_1000(bencher: Bencher, side: &str) {
    bench_postgres(bencher, side, 1_000);
}

fn bench_sqlite(bencher: Bencher, side: &str, n: usize) {
    if !tool_present("sqlite3") {
        eprintln!("SKIPPED sqlite {n}: no `sqlite3` on PATH");
        return;
    }
    let fixture = fixture(n);
    let label = format!("sqlite {n}");
    bencher.with_inputs(|| SqliteDb::fresh(fixture, n)).bench_local_refs(|db| {
        let output = timed(&label, side, || {
            if side == OURS {
                fixture.cargo_migrate(&["upgrade", "head", "--database-url", &db.url()]).output()
            } else {
                Command::new("sqlite3")
                    .arg("-bail")
                    .arg(&db.path)
                    .stdin(File::open(&fixture.sqlite_script).expect("sqlite script"))
                    .output()
            }
        });
        expect_clean(side, &output);
    });
}

fn bench_postgres(bencher: Bencher, side: &str, n: usize) {
    let Ok(admin) = std::env::var(POSTGRES_VAR) else {
        eprintln!("SKIPPED postgres {n}: set {POSTGRES_VAR} (e.g. postgres://postgres@127.0.0.1:5432/test)");
        return;
    };
    if !tool_present("psql") {
        eprintln!("SKIPPED postgres {n}: no `psql` on PATH");
        return;
    }
    let fixture = fixture(n);
    let script = fixture.postgres_script(&admin);
    let label = format!("postgres {n}");
    bencher.with_inputs(|| PgDb::fresh(&admin, n)).bench_local_refs(|db| {
        let output = timed(&label, side, || {
            if side == OURS {
                fixture.cargo_migrate(&["upgrade", "head", "--database-url", &db.url]).output()
            } else {
                Command::new("psql")
                    .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &db.url, "-f"])
                    .arg(script)
                    .output()
            }
        });
        expect_clean(side, &output);
    });
}

/// Runs `run` (one whole process), recording its wall time and CPU time for the summary.
fn timed(label: &str, side: &str, run: impl FnOnce() -> std::io::Result<Output>) -> Output {
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = run().unwrap_or_else(|e| panic!("{side} did not start: {e}"));
    let wall = started.elapsed();
    let cpu = cpu_before.zip(children_cpu()).map(|(before, after)| after.saturating_sub(before));
    let mut results = RESULTS.lock().expect("results");
    results.entry(label.to_owned()).or_default().entry(side.to_owned()).or_default().push(Sample { wall, cpu });
    output
}

/// User + system time of this process's waited-for children (`cutime` + `cstime` of
/// `/proc/self/stat`, at the usual 100 ticks a second); `None` off Linux.
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn expect_clean(side: &str, output: &Output) {
    assert!(output.status.success(), "{side} failed ({}):\n{}", output.status, String::from_utf8_lossy(&output.stderr));
}

/// One timed process.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Option<Duration>,
}

/// Samples per benchmark ("sqlite 1000") and side.
static RESULTS: Mutex<BTreeMap<String, BTreeMap<String, Vec<Sample>>>> = Mutex::new(BTreeMap::new());

fn print_summary() {
    let results = RESULTS.lock().expect("results");
    if results.is_empty() {
        return;
    }
    println!("\nwhole processes, medians (client CPU = user + system of that process):");
    for (label, sides) in results.iter() {
        let n: f64 = label.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(1.0);
        let wall = |side: &str| median(sides[side].iter().map(|s| s.wall).collect());
        let cpu = |side: &str| sides[side].iter().map(|s| s.cpu).collect::<Option<Vec<_>>>().map(median);
        for side in sides.keys() {
            let cpu = cpu(side).map(|c| format!(", client CPU {:.3} s", c.as_secs_f64())).unwrap_or_default();
            println!(
                "  {label:<16} {side:<14} {:>8.3} s  {:>6.3} ms/revision  ({} sample(s){cpu})",
                wall(side).as_secs_f64(),
                wall(side).as_secs_f64() * 1e3 / n,
                sides[side].len(),
            );
        }
        if let Some(raw) = sides.keys().find(|side| side.as_str() != OURS)
            && sides.contains_key(OURS)
        {
            let ratio = wall(OURS).as_secs_f64() / wall(raw).as_secs_f64();
            // `current` reads headers and one table: within 1.5× of the raw client.
            let target = if label.starts_with("current") { 1.5 } else { 1.2 };
            let verdict = if ratio <= target { "within" } else { "OVER" };
            println!("  {label:<20} ratio {OURS}/{raw}: {ratio:.2}× ({verdict} the {target}× target)");
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

/// A package with `n` revisions and its `--sql` script for SQLite, made once per size.
struct Fixture {
    dir: tempfile::TempDir,
    sqlite_script: PathBuf,
    postgres_script: OnceLock<PathBuf>,
}

fn fixture(n: usize) -> &'static Fixture {
    static SMALL: OnceLock<Fixture> = OnceLock::new();
    static LARGE: OnceLock<Fixture> = OnceLock::new();
    match n {
        1_000 => SMALL.get_or_init(|| Fixture::new(n)),
        10_000 => LARGE.get_or_init(|| Fixture::new(n)),
        _ => unreachable!("sizes are 1,000 and 10,000"),
    }
}

impl Fixture {
    fn new(n: usize) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        write_package(dir.path(), n);
        let mut fixture = Fixture { sqlite_script: PathBuf::new(), postgres_script: OnceLock::new(), dir };
        let heads = fixture.run(&["heads"]);
        assert_eq!(heads.lines().count(), 1, "one head expected: {heads}");
        // `--sql` never connects: the URL only picks the dialect.
        let offline = format!("sqlite://{}?mode=rwc", fixture.dir.path().join("never-created.db").display());
        fixture.sqlite_script = fixture.write_script("upgrade-sqlite.sql", &offline);
        assert!(!fixture.dir.path().join("never-created.db").exists(), "--sql must not connect");
        if n <= 1_000 {
            fixture.cross_check_sqlite(n);
        }
        fixture
    }

    fn cargo_migrate(&self, args: &[&str]) -> Command {
        let mut command = Command::new(binary());
        command.current_dir(self.dir.path()).args(args).env("CARGO_MIGRATE_CACHE_DIR", self.dir.path().join("cache"));
        command
    }

    fn run(&self, args: &[&str]) -> String {
        let output = self.cargo_migrate(args).output().expect("cargo-migrate runs");
        expect_clean(OURS, &output);
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    fn write_script(&self, name: &str, url: &str) -> PathBuf {
        let script = self.run(&["upgrade", "head", "--sql", "--database-url", url]);
        let path = self.dir.path().join(name);
        std::fs::write(&path, script).expect("script");
        path
    }

    fn postgres_script(&self, admin: &str) -> &Path {
        self.postgres_script.get_or_init(|| self.write_script("upgrade-postgres.sql", admin))
    }

    /// Before timing anything: the script runs cleanly in `sqlite3`, and leaves the same
    /// schema and version rows as `cargo-migrate upgrade head` does.
    fn cross_check_sqlite(&self, n: usize) {
        let ours = SqliteDb::fresh(self, n);
        expect_clean(OURS, &self.cargo_migrate(&["upgrade", "head", "--database-url", &ours.url()]).output().unwrap());
        let raw = SqliteDb::fresh(self, n);
        let output = Command::new("sqlite3")
            .arg("-bail")
            .arg(&raw.path)
            .stdin(File::open(&self.sqlite_script).expect("script"))
            .output()
            .expect("sqlite3 runs");
        expect_clean("sqlite3", &output);
        assert!(output.stderr.is_empty(), "sqlite3 said: {}", String::from_utf8_lossy(&output.stderr));
        let dump = |db: &SqliteDb| sqlite_query(&db.path, ".schema");
        assert_eq!(dump(&ours), dump(&raw), "cargo-migrate and sqlite3 must build the same schema");
        let rows = "SELECT revision, parents, message, checksum, down_sql, seq FROM migrate_version ORDER BY seq";
        assert_eq!(sqlite_query(&ours.path, rows), sqlite_query(&raw.path, rows), "same version rows");
    }
}

/// Writes `Cargo.toml`, `src/main.rs` and the first `n` revisions of the benchmarks' chain
/// (`support/chain.rs`).
fn write_package(root: &Path, n: usize) {
    std::fs::create_dir_all(root.join("src")).expect("src");
    std::fs::create_dir_all(root.join("migrations")).expect("migrations");
    std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"bench\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .expect("manifest");
    std::fs::write(root.join("src/main.rs"), "fn main() {}\n").expect("main.rs");
    for i in 0..n {
        write_chain_revision(root, i, DropIndex::Alone);
    }
}

fn sqlite_query(db: &Path, sql: &str) -> String {
    let output = Command::new("sqlite3").arg(db).arg(sql).output().expect("sqlite3 runs");
    expect_clean("sqlite3", &output);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh SQLite file path in the fixture's folder; checked and removed when dropped
/// (after the sample's timing).
struct SqliteDb {
    path: PathBuf,
    revisions: usize,
}

impl SqliteDb {
    fn fresh(fixture: &Fixture, revisions: usize) -> Self {
        let path = fixture.dir.path().join(format!("bench-{}.db", COUNTER.fetch_add(1, Ordering::Relaxed)));
        SqliteDb { path, revisions }
    }

    fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.path.display())
    }
}

impl Drop for SqliteDb {
    fn drop(&mut self) {
        if self.path.exists() && !std::thread::panicking() {
            let rows = sqlite_query(&self.path, "SELECT COUNT(*) FROM migrate_version");
            assert_eq!(rows.trim(), self.revisions.to_string(), "every revision recorded in {}", self.path.display());
        }
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut path = self.path.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A fresh PostgreSQL database, created untimed and dropped (with a check of its version
/// rows) after the sample.
struct PgDb {
    admin: String,
    name: String,
    url: String,
    revisions: usize,
}

fn pg_prefix() -> String {
    format!("upgrade_bench_{}_", std::process::id())
}

impl PgDb {
    fn fresh(admin: &str, revisions: usize) -> Self {
        let name = format!("{}{}", pg_prefix(), COUNTER.fetch_add(1, Ordering::Relaxed));
        psql(admin, &format!("CREATE DATABASE {name}"));
        PgDb { admin: admin.to_owned(), url: with_database(admin, &name), name, revisions }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let rows = try_psql(&self.url, "SELECT COUNT(*) FROM migrate_version");
        let dropped = try_psql(&self.admin, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        if !std::thread::panicking() {
            assert!(dropped.is_ok(), "cannot drop {}: {dropped:?}", self.name);
            assert_eq!(
                rows.map(|r| r.trim().to_owned()),
                Ok(self.revisions.to_string()),
                "every revision recorded in {}",
                self.name
            );
        }
    }
}

/// Runs one statement with `psql`, returning its unaligned output.
fn psql(url: &str, sql: &str) -> String {
    try_psql(url, sql).unwrap_or_else(|e| panic!("{e}"))
}

/// [`psql`] without panicking (for `Drop`).
fn try_psql(url: &str, sql: &str) -> Result<String, String> {
    let output = Command::new("psql")
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .output()
        .map_err(|e| format!("psql did not start: {e}"))?;
    if !output.status.success() {
        return Err(format!("psql `{sql}` failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
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

/// Drops any database of this run that a panic left behind.
fn drop_leftover_databases() {
    let Ok(admin) = std::env::var(POSTGRES_VAR) else { return };
    if !tool_present("psql") {
        return;
    }
    let prefix = pg_prefix();
    let names = psql(&admin, &format!("SELECT datname FROM pg_database WHERE starts_with(datname, '{prefix}')"));
    for name in names.lines().map(str::trim).filter(|l| !l.is_empty()) {
        eprintln!("dropping leftover database {name}");
        psql(&admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}
