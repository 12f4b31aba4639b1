//! TLS against the local PostgreSQL (`ssl = on` with Debian's snakeoil certificate, made
//! for `localhost`) and MariaDB, through the real binary: a revision records whether its
//! own connection is encrypted, as the server sees it.

mod support;

#[path = "support/runs.rs"]
mod runs;
#[path = "support/server_db.rs"]
mod server_db;

use runs::{cargo_migrate, scalar, text};
use server_db::ServerDb;
use support::{revision, write_files};

/// Debian's snakeoil certificate: self-signed, for `localhost`.
const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";

/// A package with one revision that records `pg_stat_ssl.ssl` of its own connection.
fn recording_package(dir: &std::path::Path) {
    write_files(
        dir,
        &[
            ("Cargo.toml", "[package]\nname = \"tlsapp\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            (
                "migrations/a1.sql",
                &revision(
                    "a1",
                    "<base>",
                    "record tls",
                    "CREATE TABLE seen_tls AS SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();",
                    "DROP TABLE seen_tls;",
                ),
            ),
        ],
    );
}

fn with_params(url: &str, params: &str) -> String {
    format!("{url}{}{params}", if url.contains('?') { '&' } else { '?' })
}

#[test]
fn postgres_require_prefer_verify_ca_and_verify_full() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", "postgres_require_prefer_verify_ca_and_verify_full")
    else {
        return;
    };
    if !std::path::Path::new(SNAKEOIL).is_file() {
        panic!("{SNAKEOIL} is missing: the test server's certificate is expected there");
    }
    let project = tempfile::tempdir().unwrap();
    recording_package(project.path());
    let dir = project.path();
    for mode in ["sslmode=require", "sslmode=prefer", ""] {
        let url = if mode.is_empty() { db.url.clone() } else { with_params(&db.url, mode) };
        let out = cargo_migrate(dir, &url, &["upgrade", "head"]);
        assert!(out.status.success(), "{mode}: {}", text(&out));
        assert_eq!(
            scalar(&db.url, "SELECT COUNT(*) FROM seen_tls WHERE ssl"),
            1,
            "{mode}: the connection was encrypted"
        );
        let out = cargo_migrate(dir, &url, &["downgrade", "base"]);
        assert!(out.status.success(), "{mode}: {}", text(&out));
    }
    // The snakeoil certificate as the root: verify-ca passes for any host name.
    let verify_ca = with_params(&db.url, &format!("sslmode=verify-ca&sslrootcert={SNAKEOIL}"));
    let out = cargo_migrate(dir, &verify_ca, &["current"]);
    assert!(out.status.success(), "{}", text(&out));
    // verify-full checks the name: the certificate is for localhost, not 127.0.0.1.
    let verify_full = with_params(&db.url, &format!("sslmode=verify-full&sslrootcert={SNAKEOIL}"));
    let out = cargo_migrate(dir, &verify_full, &["upgrade", "head"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let message = text(&out);
    assert!(message.starts_with("error: cannot connect to postgres://"), "{message}");
    assert!(message.contains("certificate") && message.contains("127.0.0.1"), "{message}");
    assert_eq!(scalar(&db.url, "SELECT COUNT(*) FROM migrate_version"), 0, "nothing ran");
    let by_name = verify_full.replacen("127.0.0.1", "localhost", 1);
    let out = cargo_migrate(dir, &by_name, &["upgrade", "head"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(scalar(&db.url, "SELECT COUNT(*) FROM seen_tls WHERE ssl"), 1);
}

#[test]
fn mysql_required_never_falls_back_to_plaintext() {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", "mysql_required_never_falls_back_to_plaintext") else {
        return;
    };
    let have_ssl = scalar(
        &db.url,
        "SELECT COUNT(*) FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME = 'HAVE_SSL' AND VARIABLE_VALUE = 'YES'",
    );
    let project = tempfile::tempdir().unwrap();
    write_files(
        project.path(),
        &[
            ("Cargo.toml", "[package]\nname = \"tlsapp\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("migrations/a1.sql", &revision("a1", "<base>", "t", "CREATE TABLE t (x INT);", "DROP TABLE t;")),
        ],
    );
    let out = cargo_migrate(project.path(), &with_params(&db.url, "ssl-mode=required"), &["upgrade", "head"]);
    if have_ssl == 0 {
        // The local MariaDB has TLS off: `required` must refuse, not connect in plaintext.
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert!(text(&out).starts_with("error: cannot connect to mysql://"), "{}", text(&out));
        assert_eq!(
            scalar(&db.url, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"),
            0
        );
        let out = cargo_migrate(project.path(), &with_params(&db.url, "ssl-mode=preferred"), &["upgrade", "head"]);
        assert!(out.status.success(), "{}", text(&out));
    } else {
        assert!(out.status.success(), "{}", text(&out));
    }
}
