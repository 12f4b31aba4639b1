//! What `--migrate` costs a start-up when the database is already at head, next to a bare
//! connection: it should be one lock and one query more.
//!
//! `cargo bench -p todo-example --bench startup` (PostgreSQL and MySQL rows need
//! `MIGRATE_TEST_POSTGRES_URL` / `MIGRATE_TEST_MYSQL_URL`; they are skipped otherwise).

use migrate_embed::EmbeddedMigrations;
use sqlx::Connection;
use std::sync::OnceLock;

static MIGRATIONS: EmbeddedMigrations = migrate_embed::embedded_migrations!();

fn main() {
    divan::main();
    // Drop the server databases the benchmarks made.
    for (var, _) in SERVERS {
        if let Ok(admin) = std::env::var(var) {
            runtime().block_on(async {
                if let Ok(mut conn) = migrate_embed::db::Conn::connect(&admin, std::time::Duration::from_secs(5)).await
                {
                    let _ = conn.execute_raw(&format!("DROP DATABASE IF EXISTS {}", bench_db_name())).await;
                }
            });
        }
    }
}

const SERVERS: [(&str, &str); 2] = [("MIGRATE_TEST_POSTGRES_URL", "postgres"), ("MIGRATE_TEST_MYSQL_URL", "mysql")];

fn bench_db_name() -> String {
    format!("startup_bench_{}", std::process::id())
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap())
}

/// A database at head for each kind, made once.
fn url(kind: &str) -> Option<&'static str> {
    static URLS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    let urls = URLS.get_or_init(|| {
        let mut urls = Vec::new();
        let dir = std::env::temp_dir().join(format!("startup-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        urls.push(("sqlite".to_owned(), format!("sqlite://{}?mode=rwc", dir.join("bench.db").display())));
        for (var, kind) in SERVERS {
            if let Ok(admin) = std::env::var(var) {
                let name = bench_db_name();
                runtime().block_on(async {
                    let mut conn =
                        migrate_embed::db::Conn::connect(&admin, std::time::Duration::from_secs(5)).await.unwrap();
                    conn.execute_raw(&format!("DROP DATABASE IF EXISTS {name}")).await.unwrap();
                    conn.execute_raw(&format!("CREATE DATABASE {name}")).await.unwrap();
                });
                let base = &admin[..admin.rfind('/').unwrap()];
                urls.push((kind.to_owned(), format!("{base}/{name}")));
            } else {
                eprintln!("SKIPPED {kind}: set {var}");
            }
        }
        for (_, url) in &urls {
            runtime().block_on(migrate_embed::app::upgrade(&MIGRATIONS, url)).unwrap();
        }
        urls
    });
    urls.iter().find(|(k, _)| k == kind).map(|(_, u)| u.as_str())
}

const KINDS: &[&str] = &["sqlite", "postgres", "mysql"];

/// Connect, run `SELECT 1`, close: the floor any start-up pays.
#[divan::bench(args = KINDS, sample_count = 50)]
fn bare_connect(bencher: divan::Bencher, kind: &str) {
    let Some(url) = url(kind) else { return };
    sqlx::any::install_default_drivers();
    bencher.bench(|| {
        runtime().block_on(async {
            let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
            sqlx::query("SELECT 1").execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        })
    });
}

/// `--migrate` on a database already at head: connect, lock, read the version table, unlock.
#[divan::bench(args = KINDS, sample_count = 50)]
fn up_to_date_migrate(bencher: divan::Bencher, kind: &str) {
    let Some(url) = url(kind) else { return };
    bencher.bench(|| {
        let ran = runtime().block_on(migrate_embed::app::upgrade(&MIGRATIONS, url)).unwrap();
        assert!(ran.is_empty());
    });
}
