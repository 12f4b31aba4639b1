//! A process-level soak of the runner, on each database (SQLite, PostgreSQL directly and
//! through PgBouncer in transaction pooling mode, MariaDB):
//!
//! - 5 rounds of 32 concurrent `upgrade head` runners on a chain with a
//!   `Transactional: false` revision: every process exits 0, every revision runs once;
//! - 10 `kill -9`s at random moments of an upgrade of 200 revisions, each followed by a run
//!   that either finishes or refuses with the documented recovery (fix the schema, `stamp`),
//!   after which the schema matches the version table.
//!
//! Bounded (about a minute per database), loopback only. The counts are printed; run with
//! `cargo test -p cargo-migrate --test soak -- --nocapture` to see them. `SOAK_SEED` replays
//! a run's kill times.

mod support;

#[path = "support/runs.rs"]
mod runs;
#[path = "support/server_db.rs"]
mod server_db;

use runs::{cargo_migrate, package_with, scalar, spawn, text};
use server_db::ServerDb;
use std::path::Path;
use std::time::{Duration, Instant};
use support::{revision, write_files};

const ROUNDS: usize = 5;
const RUNNERS: usize = 32;
const KILLS: usize = 10;
const CHAIN: usize = 200;

/// Where a soak runs: a fresh database per use, and the URL the runners get.
trait Target {
    /// A fresh database: the runners' URL, the test's URL, and what keeps it alive.
    fn fresh(&self) -> (String, String, Box<dyn std::any::Any>);
    /// Extra arguments for every runner (the lock behind PgBouncer).
    fn args(&self) -> &'static [&'static str] {
        &[]
    }
}

struct Sqlite;
impl Target for Sqlite {
    fn fresh(&self) -> (String, String, Box<dyn std::any::Any>) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("soak.db").display());
        (url.clone(), url, Box::new(dir))
    }
}

struct Server(&'static str);
impl Target for Server {
    fn fresh(&self) -> (String, String, Box<dyn std::any::Any>) {
        let db = ServerDb::new(self.0, "soak").unwrap();
        (db.url.clone(), db.url.clone(), Box::new(db))
    }
}

struct Bouncer;
impl Target for Bouncer {
    fn fresh(&self) -> (String, String, Box<dyn std::any::Any>) {
        let (db, url) = ServerDb::behind_pgbouncer("soak").unwrap();
        (url, db.url.clone(), Box::new(db))
    }

    fn args(&self) -> &'static [&'static str] {
        &["--lock", "table"]
    }
}

/// Counts for the report.
#[derive(Default, Debug)]
struct Counts {
    processes: usize,
    exited_zero: usize,
    kills: usize,
    finished_after_kill: usize,
    refused_then_recovered: usize,
}

fn soak(name: &str, target: &dyn Target) {
    let mut counts = Counts::default();
    let started = Instant::now();
    for _ in 0..ROUNDS {
        let (url, check, _keep) = target.fresh();
        let project = tempfile::tempdir().unwrap();
        package_with(project.path(), 40, None, &[20]);
        let mut args = vec!["upgrade", "head"];
        args.extend_from_slice(target.args());
        let children: Vec<_> = (0..RUNNERS).map(|_| spawn(project.path(), &url, &args)).collect();
        let mut runs = 0;
        for child in children {
            let out = child.wait_with_output().unwrap();
            counts.processes += 1;
            assert!(out.status.success(), "{name}: a runner failed:\n{}", text(&out));
            counts.exited_zero += 1;
            runs += text(&out).matches("Running upgrade").count();
        }
        assert_eq!(runs, 40, "{name}: every revision ran exactly once");
        assert_eq!(scalar(&check, "SELECT COUNT(DISTINCT revision) FROM applied"), 39);
        assert_eq!(scalar(&check, "SELECT COUNT(*) FROM applied"), 39);
    }
    let mut random = Random::new();
    for kill in 0..KILLS {
        let (url, check, _keep) = target.fresh();
        let project = tempfile::tempdir().unwrap();
        tables_chain(project.path(), CHAIN);
        let mut args = vec!["upgrade", "head"];
        args.extend_from_slice(target.args());
        let mut runner = spawn(project.path(), &url, &args);
        std::thread::sleep(Duration::from_millis(50 + random.below(1500)));
        runner.kill().unwrap();
        runner.wait().unwrap();
        counts.kills += 1;
        let out = cargo_migrate(project.path(), &url, &args);
        if out.status.success() {
            counts.finished_after_kill += 1;
        } else {
            // The documented recovery: the marked revision is named with how far it got;
            // the operator undoes what of it ran (its table, its ledger row), and stamps
            // its parent as what is really applied.
            let message = text(&out);
            assert_eq!(out.status.code(), Some(3), "{name} kill {kill}: {message}");
            assert!(message.contains("is marked failed") && message.contains("cargo migrate"), "{name}: {message}");
            let marked = marked_revision(&message).unwrap_or_else(|| panic!("{name}: no revision named: {message}"));
            let parent = if marked == 0 {
                server_db::admin_sql(&check, "DROP TABLE IF EXISTS ledger");
                "base".to_owned()
            } else {
                server_db::admin_sql(&check, &format!("DROP TABLE IF EXISTS t{marked:03}"));
                server_db::admin_sql(&check, &format!("DELETE FROM ledger WHERE id = {marked}"));
                format!("r{:03}", marked - 1)
            };
            let mut stamp = vec!["stamp", parent.as_str()];
            stamp.extend_from_slice(target.args());
            let stamped = cargo_migrate(project.path(), &url, &stamp);
            assert!(stamped.status.success(), "{name}: {}", text(&stamped));
            let finished = cargo_migrate(project.path(), &url, &args);
            assert!(finished.status.success(), "{name}: {}", text(&finished));
            counts.refused_then_recovered += 1;
        }
        // The schema matches the version table: every revision's table, with its one row.
        let applied = scalar(&check, "SELECT COUNT(*) FROM migrate_version WHERE failed_statements IS NULL");
        assert_eq!(applied, i64::try_from(CHAIN).unwrap(), "{name}: all applied");
        for i in [1, CHAIN / 2, CHAIN - 1] {
            assert_eq!(scalar(&check, &format!("SELECT COUNT(*) FROM t{i:03}")), 1, "{name}: t{i:03}");
        }
        let rows = scalar(&check, "SELECT COUNT(*) FROM ledger");
        assert_eq!(rows, i64::try_from(CHAIN).unwrap() - 1, "{name}: one ledger row per revision");
    }
    eprintln!(
        "soak {name}: {} processes in {ROUNDS} rounds of {RUNNERS}, {} exited 0; {} kills during an upgrade of {CHAIN}: \
         {} next runs finished, {} refused and were recovered; seed {}; {:.0?}",
        counts.processes,
        counts.exited_zero,
        counts.kills,
        counts.finished_after_kill,
        counts.refused_then_recovered,
        random.seed,
        started.elapsed()
    );
}

/// `r000` creates `ledger`; each later revision creates its table `tNNN`, fills it, and
/// writes a ledger row; every fifth is `Transactional: false`.
fn tables_chain(dir: &Path, count: usize) {
    write_files(dir, &[("Cargo.toml", "[package]\nname = \"soak\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")]);
    let mut files = vec![(
        "migrations/r000.sql".to_owned(),
        revision("r000", "<base>", "ledger", "CREATE TABLE ledger (id INT);", "DROP TABLE ledger;"),
    )];
    for i in 1..count {
        let up = format!(
            "CREATE TABLE t{i:03} (x INT);\nINSERT INTO t{i:03} VALUES ({i});\nINSERT INTO ledger VALUES ({i});"
        );
        let down = format!("DELETE FROM ledger WHERE id = {i};\nDROP TABLE t{i:03};");
        let mut text = revision(&format!("r{i:03}"), &format!("r{:03}", i - 1), &format!("table {i}"), &up, &down);
        if i % 5 == 0 {
            text = text.replacen("-- Create Date:", "-- Transactional: false\n-- Create Date:", 1);
        }
        files.push((format!("migrations/r{i:03}.sql"), text));
    }
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    write_files(dir, &borrowed);
}

/// The number of `revision rNNN` in a refusal.
fn marked_revision(message: &str) -> Option<usize> {
    let at = message.find("revision r")? + "revision r".len();
    message.get(at..at + 3)?.parse().ok()
}

/// A small generator for kill times (no dependency needed for this).
struct Random {
    seed: u64,
    state: u64,
}

impl Random {
    fn new() -> Self {
        let seed = std::env::var("SOAK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
        });
        Self { seed, state: seed | 1 }
    }

    fn below(&mut self, bound: u64) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d) % bound
    }
}

#[test]
fn soak_sqlite() {
    soak("sqlite", &Sqlite);
}

#[test]
fn soak_postgres() {
    if support::database_url("MIGRATE_TEST_POSTGRES_URL", "soak_postgres").is_some() {
        soak("postgres", &Server("MIGRATE_TEST_POSTGRES_URL"));
    }
}

#[test]
fn soak_postgres_via_pgbouncer() {
    let present = support::database_url("MIGRATE_TEST_PGBOUNCER_URL", "soak_postgres_via_pgbouncer").is_some()
        && support::database_url("MIGRATE_TEST_POSTGRES_URL", "soak_postgres_via_pgbouncer").is_some();
    if present {
        soak("postgres via pgbouncer", &Bouncer);
    }
}

#[test]
fn soak_mariadb() {
    if support::database_url("MIGRATE_TEST_MYSQL_URL", "soak_mariadb").is_some() {
        soak("mariadb", &Server("MIGRATE_TEST_MYSQL_URL"));
    }
}
