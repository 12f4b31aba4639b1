//! One test per rule: the dangerous form is reported at the right file and line, the safe
//! rewrite is clean, and `Lint-Allow` and the config silence and escalate it.

use super::*;
use crate::revision::parse_revision;
use std::path::Path;

/// A revision file: header lines 1–4 (plus `extra` header lines), `-- migrate:up` next,
/// so the first up line is line 6 + the number of extra lines.
fn file(id: &str, parent: &str, extra: &str, up: &str, down: Option<&str>) -> String {
    let mut text = format!("-- {id}\n-- Revision ID: {id}\n-- Revises: {parent}\n{extra}\n-- migrate:up\n{up}\n");
    if let Some(down) = down {
        text.push_str(&format!("\n-- migrate:down\n{down}\n"));
    }
    text
}

fn graph(files: &[String]) -> RevisionGraph {
    let revisions = files
        .iter()
        .map(|text| {
            let mut rev = parse_revision(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"));
            rev.origin.path = format!("migrations/{}.sql", rev.id).into();
            rev
        })
        .collect();
    RevisionGraph::build(revisions).unwrap()
}

fn settings(databases: &[DatabaseKind]) -> LintSettings {
    LintSettings {
        databases: databases.to_vec(),
        transactional: true,
        postgres_version: DEFAULT_POSTGRES_VERSION.to_owned(),
        levels: BTreeMap::new(),
        deployed: None,
    }
}

fn run(files: &[String], settings: &LintSettings) -> Report {
    lint(&graph(files), settings, &Selection::default(), Path::new("Cargo.toml"))
}

/// `code@path:line` for every finding.
fn found(report: &Report) -> Vec<String> {
    report.findings.iter().map(|f| format!("{}@{}:{}", f.code, f.path.display(), f.line)).collect()
}

fn only(report: &Report, code: &str) -> Vec<String> {
    found(report).into_iter().filter(|f| f.starts_with(&format!("{code}@"))).collect()
}

/// The rule reports `dangerous` at up line `line` (counted from 1 in the up section),
/// not `safe`; `Lint-Allow` silences it; the config escalates it to deny and silences it.
fn check_rule(code: &str, kinds: &[DatabaseKind], transactional: bool, dangerous: &str, safe: &str, line: usize) {
    let extra = if transactional { "" } else { "-- Transactional: false" };
    let base = file("a1", "<base>", "", "CREATE TABLE t (id INT, a INT, b INT);", Some("DROP TABLE t;"));
    let bad = file("b2", "a1", extra, dangerous, Some("SELECT 1;"));
    let report = run(&[base.clone(), bad], &settings(kinds));
    let expected = format!("{code}@migrations/b2.sql:{}", 5 + line);
    assert!(only(&report, code).contains(&expected), "{code}: expected {expected} in {:#?}", report.findings);
    assert_eq!(report.findings.iter().find(|f| f.code == code).map(|f| f.level), Some(Level::Warn));

    let good = file("b2", "a1", extra, safe, Some("SELECT 1;"));
    let report = run(&[base.clone(), good], &settings(kinds));
    assert!(only(&report, code).is_empty(), "{code}: the safe form is flagged: {:#?}", report.findings);

    let allow_line =
        if transactional { format!("-- Lint-Allow: {code}") } else { format!("{extra}\n-- Lint-Allow: {code}") };
    let allowed = file("b2", "a1", &allow_line, dangerous, Some("SELECT 1;"));
    let report = run(&[base.clone(), allowed], &settings(kinds));
    assert!(only(&report, code).is_empty() && report.silenced > 0, "{code}: Lint-Allow must silence it");

    let bad = file("b2", "a1", extra, dangerous, Some("SELECT 1;"));
    let mut denied = settings(kinds);
    denied.levels.insert(code.to_owned(), Level::Deny);
    let report = run(&[base.clone(), bad.clone()], &denied);
    assert!(report.fails() && report.findings.iter().any(|f| f.code == code && f.level == Level::Deny), "{code}");
    denied.levels.insert(code.to_owned(), Level::Allow);
    let report = run(&[base, bad], &denied);
    assert!(only(&report, code).is_empty(), "{code}: `allow` in the config must silence it");
}

use DatabaseKind::{MySql, Postgres, Sqlite};

#[test]
fn missing_down() {
    let files = [file("a1", "<base>", "", "CREATE TABLE t (id INT);", None)];
    let report = run(&files, &settings(&[]));
    assert_eq!(found(&report), ["missing-down@migrations/a1.sql:2"]);
    let files = [file("a1", "<base>", "-- Lint-Allow: missing-down", "CREATE TABLE t (id INT);", None)];
    assert!(run(&files, &settings(&[])).findings.is_empty());
    // An empty revision (a merge) needs no down section.
    assert!(run(&[file("a1", "<base>", "", "", None)], &settings(&[])).findings.is_empty());
}

#[test]
fn incomplete_down() {
    let up = "CREATE TABLE t (id INT);\nCREATE INDEX ix ON t (id);\nCREATE TABLE u (id INT);\nALTER TABLE u ADD CONSTRAINT c CHECK (id > 0);\nALTER TABLE v RENAME COLUMN a TO b;";
    let files = [file("a1", "<base>", "", up, Some("DROP TABLE t;"))];
    let report = run(&files, &settings(&[]));
    // t's index goes with t; u and v's rename are left.
    assert_eq!(
        only(&report, "incomplete-down"),
        [
            "incomplete-down@migrations/a1.sql:8",
            "incomplete-down@migrations/a1.sql:9",
            "incomplete-down@migrations/a1.sql:10"
        ]
    );
    let down = "ALTER TABLE v RENAME COLUMN b TO a;\nALTER TABLE u DROP CONSTRAINT c;\nDROP TABLE u;\nDROP TABLE t;";
    let files = [file("a1", "<base>", "", up, Some(down))];
    assert!(only(&run(&files, &settings(&[])), "incomplete-down").is_empty());
    let files = [file("a1", "<base>", "-- Lint-Allow: incomplete-down", up, Some("SELECT 1;"))];
    assert!(only(&run(&files, &settings(&[])), "incomplete-down").is_empty());
}

#[test]
fn removes_deployed_object() {
    check_rule(
        "removes-deployed-object",
        &[],
        true,
        "ALTER TABLE t ADD c INT;\nALTER TABLE t DROP COLUMN a;",
        "ALTER TABLE t ADD c INT;\nALTER TABLE t DROP COLUMN c;",
        2,
    );
    // Renames too, and tables.
    let base = file("a1", "<base>", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;"));
    let rename = file("b2", "a1", "", "ALTER TABLE t RENAME TO u;", Some("ALTER TABLE u RENAME TO t;"));
    assert_eq!(
        found(&run(&[base.clone(), rename.clone()], &settings(&[]))),
        ["removes-deployed-object@migrations/b2.sql:6"]
    );
    // With a deployed mark below both, the release created t: renaming it is fine.
    let mut release = settings(&[]);
    release.deployed = Some("a1".into());
    let report = run(&[base.clone(), rename.clone()], &release);
    assert_eq!(only(&report, "removes-deployed-object"), ["removes-deployed-object@migrations/b2.sql:6"]);
    let zero = file("a0", "<base>", "", "SELECT 1;", Some("SELECT 1;"));
    let base_on_zero = file("a1", "a0", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;"));
    let files = [zero, base_on_zero, rename];
    let mut release = settings(&[]);
    release.deployed = Some("a0".into());
    assert!(only(&run(&files, &release), "removes-deployed-object").is_empty());
    // `--since` says the same.
    let g = graph(&files);
    let selection = Selection { revisions: None, deployed: g.index_of("a0") };
    assert!(only(&lint(&g, &settings(&[]), &selection, Path::new("Cargo.toml")), "removes-deployed-object").is_empty());
    // An unknown deployed mark is an error naming the manifest.
    release.deployed = Some("zz".into());
    let report = run(&files, &release);
    assert!(report.fails() && report.errors[0].to_string().contains("Cargo.toml: [package.metadata.migrate] deployed"));
}

#[test]
fn a_table_rebuild_is_no_removal_and_the_table_stays_deployed() {
    // SQLite's (and Alembic's batch mode's) rebuild: a new table takes the dropped one's name.
    let base = file("a1", "<base>", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;"));
    let rebuild = "CREATE TABLE \"_new_t\" (a TEXT);\nINSERT INTO \"_new_t\" (a) SELECT a FROM t;\nDROP TABLE \"t\";\nALTER TABLE \"_new_t\" RENAME TO \"t\";";
    let rebuilt = file("b2", "a1", "-- Foreign Keys: off", rebuild, Some(rebuild));
    assert!(only(&run(&[base.clone(), rebuilt.clone()], &settings(&[])), "removes-deployed-object").is_empty());
    // In one release after a1, t is still deployed after its rebuild: a later drop is reported.
    let drop = file("c3", "b2", "", "DROP TABLE t;", Some("CREATE TABLE t (a TEXT);"));
    let mut release = settings(&[]);
    release.deployed = Some("a1".into());
    assert_eq!(
        only(&run(&[base.clone(), rebuilt, drop], &release), "removes-deployed-object"),
        ["removes-deployed-object@migrations/c3.sql:6"]
    );
    // A drop followed by a rename of a table that was not created here is a removal.
    let other = "DROP TABLE t;\nALTER TABLE u RENAME TO t;";
    let renamed = file("b2", "a1", "", other, Some("SELECT 1;"));
    let u = file(
        "a1",
        "<base>",
        "",
        "CREATE TABLE t (a INT);\nCREATE TABLE u (a INT);",
        Some("DROP TABLE u;\nDROP TABLE t;"),
    );
    assert_eq!(
        only(&run(&[u, renamed], &settings(&[])), "removes-deployed-object").len(),
        2,
        "the drop of t and the rename of u are both reported"
    );
}

#[test]
fn a_type_rebuilt_under_its_name_is_undone_by_the_same_rebuild() {
    // PostgreSQL's enum rebuild, as autogenerate writes it, both ways.
    let rebuild = |values: &str| {
        format!(
            "ALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ({values});\n\
             ALTER TABLE t ALTER COLUMN m TYPE mood USING m::text::mood;\nDROP TYPE mood_old;"
        )
    };
    let base = file(
        "a1",
        "<base>",
        "",
        "CREATE TYPE mood AS ENUM ('a', 'b');\nCREATE TABLE t (m mood);",
        Some("DROP TABLE t;\nDROP TYPE mood;"),
    );
    let changed = file("b2", "a1", "", &rebuild("'a'"), Some(&rebuild("'a', 'b'")));
    let report = run(&[base.clone(), changed], &settings(&[Postgres]));
    assert!(only(&report, "incomplete-down").is_empty(), "{:#?}", report.findings);
    // Renaming the type away and dropping it is its rebuild, not a removal.
    assert!(only(&report, "removes-deployed-object").is_empty(), "{:#?}", report.findings);
    // Without a down, the revision is still reported as missing one.
    let none = file("b2", "a1", "", &rebuild("'a'"), None);
    assert_eq!(only(&run(&[base, none], &settings(&[Postgres])), "missing-down").len(), 1);
}

#[test]
fn destructive_statement() {
    check_rule("destructive-statement", &[], true, "DELETE FROM t;", "DELETE FROM t WHERE id = 1;", 1);
    check_rule("destructive-statement", &[Postgres], true, "TRUNCATE t;", "SELECT 1;", 1);
}

#[test]
fn unknown_lint_allow_codes_are_errors_naming_the_file_and_line() {
    let files = [file("a1", "<base>", "-- Lint-Allow: missing-dwon", "SELECT 1;", Some("SELECT 1;"))];
    let report = run(&files, &settings(&[]));
    assert!(report.fails());
    let error = report.errors[0].to_string();
    assert!(
        error.starts_with("migrations/a1.sql:4: ")
            && error.contains("`missing-dwon`")
            && error.contains("missing-down"),
        "{error}"
    );
}

#[test]
fn mixed_ddl_and_data() {
    check_rule(
        "mixed-ddl-and-data",
        &[MySql],
        true,
        "ALTER TABLE t ADD c INT;\nUPDATE t SET c = 1;",
        "ALTER TABLE t ADD c INT;",
        2,
    );
    // Not a MySQL hazard elsewhere.
    let files = [file("a1", "<base>", "", "CREATE TABLE t (a INT);\nINSERT INTO t VALUES (1);", Some("DROP TABLE t;"))];
    assert!(only(&run(&files, &settings(&[Postgres, Sqlite])), "mixed-ddl-and-data").is_empty());
}

#[test]
fn mysql_blocking_alter() {
    check_rule(
        "mysql-blocking-alter",
        &[MySql],
        true,
        "SELECT 1;\nALTER TABLE t MODIFY a BIGINT;",
        "SELECT 1;\nALTER TABLE t MODIFY a BIGINT, ALGORITHM=INPLACE, LOCK=NONE;",
        2,
    );
    check_rule(
        "mysql-blocking-alter",
        &[MySql],
        true,
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id);",
        "ALTER TABLE t ADD INDEX ia (a);",
        1,
    );
    // With foreign-key checks off, MySQL adds the key in place.
    for (extra, up) in [
        ("-- Foreign Keys: off", "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id);"),
        ("", "SET FOREIGN_KEY_CHECKS = 0;\nALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id);"),
    ] {
        let files = [
            file("a1", "<base>", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;")),
            file("b2", "a1", extra, up, Some("ALTER TABLE t DROP FOREIGN KEY fk;")),
        ];
        assert!(only(&run(&files, &settings(&[MySql])), "mysql-blocking-alter").is_empty(), "{extra} {up}");
    }
    // A statement the parser cannot read is still checked by its keywords.
    let files = [
        file("a1", "<base>", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;")),
        file("b2", "a1", "", "ALTER TABLE t MODIFY a BIGINT, ENGINE=InnoDB, NOCOPY_IS_NOT_SQL;", Some("SELECT 1;")),
    ];
    let report = run(&files, &settings(&[MySql]));
    assert!(found(&report).contains(&"mysql-blocking-alter@migrations/b2.sql:6".to_owned()), "{:#?}", report.findings);
}

#[test]
fn mysql_table_rebuild() {
    check_rule(
        "mysql-table-rebuild",
        &[MySql],
        true,
        "ALTER TABLE t ADD PRIMARY KEY (id);",
        "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT;",
        1,
    );
}

#[test]
fn sqlite_unsupported_alter() {
    check_rule(
        "sqlite-unsupported-alter",
        &[Sqlite],
        true,
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;",
        "ALTER TABLE t RENAME COLUMN a TO z;",
        1,
    );
    check_rule(
        "sqlite-unsupported-alter",
        &[Sqlite],
        true,
        "ALTER TABLE t ADD COLUMN x INT, ADD COLUMN y INT;",
        "ALTER TABLE t ADD COLUMN x INT;\nALTER TABLE t ADD COLUMN y INT;",
        1,
    );
}

#[test]
fn sqlite_add_column_rejected() {
    check_rule(
        "sqlite-add-column-rejected",
        &[Sqlite],
        true,
        "ALTER TABLE t ADD COLUMN created TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP;",
        "ALTER TABLE t ADD COLUMN created TEXT NOT NULL DEFAULT '1970-01-01 00:00:00';",
        1,
    );
    check_rule(
        "sqlite-add-column-rejected",
        &[Sqlite],
        true,
        "ALTER TABLE t ADD COLUMN email TEXT UNIQUE;",
        "ALTER TABLE t ADD COLUMN email TEXT;\nCREATE UNIQUE INDEX ix_email ON t (email);",
        1,
    );
}

#[test]
fn sqlite_pragma_in_transaction() {
    check_rule("sqlite-pragma-in-transaction", &[Sqlite], true, "PRAGMA foreign_keys = OFF;", "SELECT 1;", 1);
    // Outside a transaction it does what it says.
    let files = [
        file("a1", "<base>", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;")),
        file("b2", "a1", "-- Transactional: false", "PRAGMA foreign_keys = OFF;", Some("SELECT 1;")),
    ];
    assert!(only(&run(&files, &settings(&[Sqlite])), "sqlite-pragma-in-transaction").is_empty());
    // legacy_alter_table does change inside a transaction (a rebuild sets it around RENAME).
    let files = [file(
        "a1",
        "<base>",
        "",
        "PRAGMA legacy_alter_table = ON;\nCREATE TABLE t (a INT);\nPRAGMA legacy_alter_table = OFF;",
        Some("DROP TABLE t;"),
    )];
    assert!(only(&run(&files, &settings(&[Sqlite])), "sqlite-pragma-in-transaction").is_empty());
}

#[cfg(feature = "lint-sql")]
#[test]
fn unparsed_statement_warns_and_never_fails_unless_denied() {
    let files = [
        file("a1", "<base>", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;")),
        file("b2", "a1", "", "SELECT 1;\nALTER TABLE t NOT SQL AT ALL;", Some("SELECT 1;")),
    ];
    let report = run(&files, &settings(&[MySql]));
    assert_eq!(found(&report), ["unparsed-statement@migrations/b2.sql:7"]);
    assert!(!report.fails());
    check_rule(
        "unparsed-statement",
        &[MySql],
        true,
        "ALTER TABLE t NOT SQL AT ALL;",
        "ALTER TABLE t ADD COLUMN c INT;",
        1,
    );
}

#[cfg(feature = "lint-postgres")]
mod postgres {
    use super::*;

    #[test]
    fn require_concurrent_index_creation() {
        check_rule(
            "require-concurrent-index-creation",
            &[Postgres],
            false,
            "SELECT 1;\nCREATE INDEX ix ON t (a);",
            "SELECT 1;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON t (a);",
            2,
        );
    }

    #[test]
    fn concurrently_in_a_transaction_is_known_from_the_header() {
        check_rule(
            "ban-concurrent-index-creation-in-transaction",
            &[Postgres],
            true,
            "CREATE INDEX CONCURRENTLY ix ON t (a);",
            "SELECT 1;",
            1,
        );
        // The same file marked Transactional: false is fine.
        let files = [
            file("a1", "<base>", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;")),
            file(
                "b2",
                "a1",
                "-- Transactional: false",
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON t (a);",
                Some("DROP INDEX CONCURRENTLY IF EXISTS ix;"),
            ),
        ];
        assert!(run(&files, &settings(&[Postgres])).findings.is_empty(), "{:#?}", run(&files, &settings(&[Postgres])));
        // So is the config's default.
        let mut outside = settings(&[Postgres]);
        outside.transactional = false;
        let files = [
            file("a1", "<base>", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;")),
            file("b2", "a1", "", "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON t (a);", Some("SELECT 1;")),
        ];
        assert!(only(&run(&files, &outside), "ban-concurrent-index-creation-in-transaction").is_empty());
    }

    #[test]
    fn constraints_and_columns() {
        check_rule(
            "constraint-missing-not-valid",
            &[Postgres],
            true,
            "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);",
            "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
            1,
        );
        check_rule(
            "adding-required-field",
            &[Postgres],
            true,
            "ALTER TABLE t ADD COLUMN c BIGINT NOT NULL;",
            "ALTER TABLE t ADD COLUMN c BIGINT NOT NULL DEFAULT 0;",
            1,
        );
        check_rule(
            "changing-column-type",
            &[Postgres],
            true,
            "ALTER TABLE t ALTER COLUMN a TYPE BIGINT;",
            "ALTER TABLE t ADD COLUMN a2 BIGINT;",
            1,
        );
    }

    /// squawk's other rules, each with its dangerous form (at up line 1) and safe rewrite;
    /// `false`: the revision runs outside a transaction.
    #[test]
    fn every_other_squawk_rule() {
        let cases: &[(&str, bool, &str, &str)] = &[
            ("require-concurrent-index-deletion", false, "DROP INDEX ix;", "DROP INDEX CONCURRENTLY IF EXISTS ix;"),
            (
                "adding-foreign-key-constraint",
                true,
                "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id);",
                "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id) NOT VALID;",
            ),
            (
                "adding-not-nullable-field",
                true,
                "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
                "ALTER TABLE t ALTER COLUMN a DROP DEFAULT;",
            ),
            (
                "adding-serial-primary-key-field",
                true,
                "ALTER TABLE t ADD PRIMARY KEY (id);",
                "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY USING INDEX ix;",
            ),
            (
                "disallowed-unique-constraint",
                true,
                "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a);",
                "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX ix;",
            ),
            ("require-concurrent-reindex", false, "REINDEX INDEX ix;", "REINDEX INDEX CONCURRENTLY ix;"),
            (
                "require-concurrent-partition-detach",
                false,
                "ALTER TABLE t DETACH PARTITION p;",
                "ALTER TABLE t DETACH PARTITION p CONCURRENTLY;",
            ),
            (
                "ban-drop-not-null",
                true,
                "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
                "ALTER TABLE t ALTER COLUMN a DROP DEFAULT;",
            ),
            (
                "prefer-robust-stmts",
                false,
                "ALTER TABLE t ADD COLUMN c INT;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS c INT;",
            ),
            ("transaction-nesting", true, "BEGIN;\nSELECT 1;\nCOMMIT;", "SELECT 1;"),
            ("ban-uncommitted-transaction", false, "BEGIN;\nSELECT 1;", "SELECT 1;"),
        ];
        for (code, transactional, dangerous, safe) in cases {
            check_rule(code, &[Postgres], *transactional, dangerous, safe, 1);
        }
    }

    #[test]
    fn the_configured_version_is_used() {
        // Before PostgreSQL 11 any default rewrites the table.
        let files = [
            file("a1", "<base>", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;")),
            file("b2", "a1", "", "ALTER TABLE t ADD COLUMN c BIGINT DEFAULT 0;", Some("ALTER TABLE t DROP COLUMN c;")),
        ];
        let mut old = settings(&[Postgres]);
        old.postgres_version = "10".into();
        assert_eq!(
            only(&run(&files, &old), "adding-field-with-default"),
            ["adding-field-with-default@migrations/b2.sql:6"]
        );
        assert!(only(&run(&files, &settings(&[Postgres])), "adding-field-with-default").is_empty());
    }

    #[test]
    fn timeouts_are_off_unless_configured() {
        let files = [
            file("a1", "<base>", "", "CREATE TABLE t (a INT);", Some("DROP TABLE t;")),
            file("b2", "a1", "", "ALTER TABLE t ADD COLUMN c BIGINT;", Some("ALTER TABLE t DROP COLUMN c;")),
        ];
        assert!(run(&files, &settings(&[Postgres])).findings.is_empty());
        let mut on = settings(&[Postgres]);
        on.levels.insert("require-lock-timeout".into(), Level::Warn);
        assert_eq!(found(&run(&files, &on)), ["require-lock-timeout@migrations/b2.sql:6"]);
    }

    #[test]
    fn a_syntax_error_is_reported_not_fatal() {
        let files =
            [file("a1", "<base>", "", "CREATE TABLE t (a INT);\nALTER TABLE t FROBNICATE;", Some("DROP TABLE t;"))];
        let report = run(&files, &settings(&[Postgres]));
        assert!(
            found(&report).iter().any(|f| f.starts_with("unparsed-statement@migrations/a1.sql:7")),
            "{:#?}",
            report.findings
        );
        assert!(!report.fails());
    }
}
