//! Autogenerate's rendered SQL run on real databases, for the changes that need more than
//! one statement to keep data: SQLite's table rebuild (rows, child rows, the AUTOINCREMENT
//! counter, triggers, views), PostgreSQL's enum rebuild and column changes, MySQL's
//! `MODIFY` and implicit foreign-key indexes. SQLite runs in memory; PostgreSQL and
//! MariaDB from `MIGRATE_TEST_POSTGRES_URL` / `MIGRATE_TEST_MYSQL_URL`, each test in a
//! database of its own, dropped afterwards.
//!
//! The models are written by hand (introspection is not part of this): each test says the
//! schema before and after, as introspection would read it, and runs what `compare` and
//! `render` make of them, up and down, the way the runner runs a revision.

#[path = "support/server_db.rs"]
mod server_db;
mod support;

use migrate_embed::dialect::DatabaseKind;
use migrate_embed::schema::model::{
    Action, Check, Column, EnumType, ForeignKey, Identity, Index, IndexKey, IndexTarget, Name, NotCompared, PrimaryKey,
    Schema, Table,
};
use migrate_embed::schema::{Script, compare, create_all, render, reverse_all};
use server_db::ServerDb;
use sqlx::Connection;

fn col(name: &str, data_type: &str, nullable: bool) -> Column {
    Column { name: name.into(), data_type: data_type.into(), nullable, ..Column::default() }
}

fn server(name: &str) -> Name {
    Name { name: name.into(), generated: true }
}

fn schema_of(tables: Vec<Table>) -> Schema {
    Schema { tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(), ..Schema::default() }
}

/// The up and down scripts between two models.
fn up_and_down(kind: DatabaseKind, before: &Schema, after: &Schema) -> (Script, Script) {
    let found = compare(before, after);
    assert!(!found.changes.is_empty(), "the models differ");
    let up = render(kind, &found.changes, before, after).unwrap();
    let down = render(kind, &reverse_all(&found.changes), after, before).unwrap();
    (up, down)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

// ----- SQLite ----------------------------------------------------------------------------

/// Runs a script as the runner runs a revision: in one transaction, with foreign keys off
/// around it when the script asks, and `PRAGMA foreign_key_check` empty before commit.
async fn run_sqlite(c: &mut sqlx::SqliteConnection, script: &Script) -> Result<(), String> {
    if script.foreign_keys_off {
        sqlx::raw_sql("PRAGMA foreign_keys = OFF").execute(&mut *c).await.map_err(|e| e.to_string())?;
    }
    sqlx::raw_sql("BEGIN").execute(&mut *c).await.map_err(|e| e.to_string())?;
    let mut result = Ok(());
    for s in &script.statements {
        if let Err(e) = sqlx::raw_sql(&s.sql).execute(&mut *c).await {
            result = Err(format!("{}: {e}", s.sql));
            break;
        }
    }
    if result.is_ok() {
        let violations: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&mut *c).await.unwrap();
        if !violations.is_empty() {
            result = Err(format!("foreign key violations in {violations:?}"));
        }
    }
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    sqlx::raw_sql(end).execute(&mut *c).await.unwrap();
    if script.foreign_keys_off {
        sqlx::raw_sql("PRAGMA foreign_keys = ON").execute(&mut *c).await.unwrap();
    }
    result
}

async fn sqlite_exec(c: &mut sqlx::SqliteConnection, sql: &str) {
    sqlx::raw_sql(sql).execute(&mut *c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn sqlite_int(c: &mut sqlx::SqliteConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&mut *c).await.unwrap()
}

/// parent (AUTOINCREMENT, a trigger and a view on it) and child (ON DELETE CASCADE).
fn sqlite_family() -> Schema {
    let parent = Table {
        name: "parent".into(),
        columns: vec![
            Column { identity: Some(Identity::AutoIncrement), ..col("id", "INTEGER", false) },
            col("name", "TEXT", true),
        ],
        primary_key: Some(PrimaryKey { name: server(""), columns: vec!["id".into()] }),
        autoincrement: true,
        ..Table::default()
    };
    let child = Table {
        name: "child".into(),
        columns: vec![
            Column { identity: Some(Identity::AutoIncrement), ..col("id", "INTEGER", false) },
            col("parent_id", "INTEGER", true),
        ],
        primary_key: Some(PrimaryKey { name: server(""), columns: vec!["id".into()] }),
        foreign_keys: vec![ForeignKey {
            name: server(""),
            columns: vec!["parent_id".into()],
            ref_table: "parent".into(),
            ref_columns: vec!["id".into()],
            on_delete: Action::Cascade,
            ..ForeignKey::default()
        }],
        ..Table::default()
    };
    let audit = Table { name: "audit".into(), columns: vec![col("what", "TEXT", true)], ..Table::default() };
    let mut s = schema_of(vec![parent, child, audit]);
    s.not_compared = vec![
        NotCompared {
            kind: "trigger".into(),
            name: "parent.parent_audit".into(),
            definition: Some(
                "CREATE TRIGGER parent_audit AFTER INSERT ON parent BEGIN INSERT INTO audit (what) VALUES (NEW.name); END"
                    .into(),
            ),
        },
        NotCompared { kind: "view".into(), name: "parent_names".into(), definition: None },
    ];
    s
}

/// The family with parent.name NOT NULL DEFAULT 'x' and an unnamed check on it.
fn sqlite_family_changed() -> Schema {
    let mut s = sqlite_family();
    let parent = s.tables.get_mut("parent").unwrap();
    parent.columns[1] = Column { default: Some("'x'".into()), ..col("name", "TEXT", false) };
    parent.checks.push(Check { name: server(""), expression: "length(name) > 0".into() });
    s
}

async fn sqlite_family_with_rows(c: &mut sqlx::SqliteConnection) {
    let create = create_all(DatabaseKind::Sqlite, &sqlite_family()).unwrap();
    run_sqlite(c, &create).await.unwrap();
    sqlite_exec(c, "CREATE VIEW parent_names AS SELECT name FROM parent").await;
    sqlite_exec(
        c,
        "CREATE TRIGGER parent_audit AFTER INSERT ON parent BEGIN INSERT INTO audit (what) VALUES (NEW.name); END",
    )
    .await;
    sqlite_exec(c, "INSERT INTO parent (name) VALUES ('a'), (NULL), ('c')").await;
    // The counter stays at 3 although the highest id left is 2.
    sqlite_exec(c, "DELETE FROM parent WHERE id = 3").await;
    sqlite_exec(c, "INSERT INTO child (parent_id) VALUES (1), (2), (1)").await;
}

#[test]
fn sqlite_rebuild_keeps_rows_children_counter_and_triggers() {
    runtime().block_on(async {
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlite_family_with_rows(&mut c).await;
        let (up, down) = up_and_down(DatabaseKind::Sqlite, &sqlite_family(), &sqlite_family_changed());
        assert!(up.foreign_keys_off, "a rebuild runs with foreign keys off");
        assert!(up.statements.iter().any(|s| s.sql.starts_with("CREATE TABLE \"_new_parent\"")), "{up:#?}");

        run_sqlite(&mut c, &up).await.unwrap();
        assert_eq!(sqlite_int(&mut c, "SELECT COUNT(*) FROM child").await, 3, "child rows kept");
        let names: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM parent ORDER BY id").fetch_all(&mut c).await.unwrap();
        assert_eq!(names, [("a".to_owned(),), ("x".to_owned(),)], "the NULL name filled from the default");
        assert_eq!(sqlite_int(&mut c, "SELECT COUNT(*) FROM parent_names").await, 2, "the view still reads the table");
        let audited = sqlite_int(&mut c, "SELECT COUNT(*) FROM audit").await;
        sqlite_exec(&mut c, "INSERT INTO parent (name) VALUES ('d')").await;
        assert_eq!(sqlite_int(&mut c, "SELECT MAX(id) FROM parent").await, 4, "the AUTOINCREMENT counter carried over");
        assert_eq!(
            sqlite_int(&mut c, "SELECT COUNT(*) FROM audit").await,
            audited + 1,
            "the trigger was created again"
        );
        let check = sqlx::raw_sql("INSERT INTO parent (name) VALUES ('')").execute(&mut c).await;
        assert!(check.is_err(), "the unnamed check is in force");
        // The foreign key and its action are in force again.
        sqlite_exec(&mut c, "DELETE FROM parent WHERE id = 1").await;
        assert_eq!(sqlite_int(&mut c, "SELECT COUNT(*) FROM child").await, 1);

        run_sqlite(&mut c, &down).await.unwrap();
        assert_eq!(sqlite_int(&mut c, "SELECT COUNT(*) FROM child").await, 1, "child rows kept going down");
        assert_eq!(sqlite_int(&mut c, "SELECT COUNT(*) FROM parent").await, 2);
        sqlite_exec(&mut c, "INSERT INTO parent (name) VALUES (NULL)").await;
        assert_eq!(sqlite_int(&mut c, "SELECT MAX(id) FROM parent").await, 5, "the counter survives the down too");
    });
}

/// What `foreign_keys_off` prevents: the same rebuild with foreign keys on empties the
/// child table through ON DELETE CASCADE when the old parent table is dropped.
#[test]
fn sqlite_rebuild_with_foreign_keys_on_would_empty_child_tables() {
    runtime().block_on(async {
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlite_family_with_rows(&mut c).await;
        let (mut up, _) = up_and_down(DatabaseKind::Sqlite, &sqlite_family(), &sqlite_family_changed());
        up.foreign_keys_off = false;
        run_sqlite(&mut c, &up).await.unwrap();
        assert_eq!(sqlite_int(&mut c, "SELECT COUNT(*) FROM child").await, 0);
    });
}

#[test]
fn sqlite_column_changes_without_rebuild() {
    runtime().block_on(async {
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:").await.unwrap();
        let before = sqlite_family();
        run_sqlite(&mut c, &create_all(DatabaseKind::Sqlite, &before).unwrap()).await.unwrap();
        sqlite_exec(&mut c, "INSERT INTO parent (name) VALUES ('a')").await;
        let mut after = before.clone();
        let audit = after.tables.get_mut("audit").unwrap();
        audit.columns.push(Column { default: Some("0".into()), ..col("n", "INTEGER", false) });
        audit.indexes.push(Index {
            name: Name { name: "ix_audit_what".into(), generated: false },
            unique: false,
            keys: vec![IndexKey { target: IndexTarget::Expression("lower(what)".into()), descending: true }],
            predicate: Some("what IS NOT NULL".into()),
        });
        let parent = after.tables.get_mut("parent").unwrap();
        parent.columns[1].renamed_from = None;
        parent.columns.push(col("note", "TEXT", true));
        let (up, down) = up_and_down(DatabaseKind::Sqlite, &before, &after);
        assert!(!up.foreign_keys_off && !down.foreign_keys_off, "no rebuild: {up:#?} {down:#?}");
        run_sqlite(&mut c, &up).await.unwrap();
        sqlite_exec(&mut c, "INSERT INTO audit (what) VALUES ('w')").await;
        assert_eq!(sqlite_int(&mut c, "SELECT n FROM audit WHERE what = 'w'").await, 0);
        run_sqlite(&mut c, &down).await.unwrap();
        assert_eq!(sqlite_int(&mut c, "SELECT COUNT(*) FROM parent").await, 1);
    });
}

// ----- PostgreSQL ------------------------------------------------------------------------

/// Runs a script as the runner does: in one transaction, or statement by statement when
/// it is not transactional.
async fn run_pg(c: &mut sqlx::PgConnection, script: &Script) -> Result<(), String> {
    let exec = sqlx::raw_sql;
    if !script.transactional {
        for s in &script.statements {
            exec(&s.sql).execute(&mut *c).await.map_err(|e| format!("{}: {e}", s.sql))?;
        }
        return Ok(());
    }
    exec("BEGIN").execute(&mut *c).await.unwrap();
    for s in &script.statements {
        if let Err(e) = exec(&s.sql).execute(&mut *c).await {
            exec("ROLLBACK").execute(&mut *c).await.unwrap();
            return Err(format!("{}: {e}", s.sql));
        }
    }
    exec("COMMIT").execute(&mut *c).await.map(drop).map_err(|e| e.to_string())
}

/// The first column of `sql`'s rows, as text. Simple protocol, as the runner: a prepared
/// statement cached before an enum rebuild would still name the dropped type.
async fn pg_text(c: &mut sqlx::PgConnection, sql: &str) -> Vec<String> {
    let rows = sqlx::raw_sql(sql).fetch_all(&mut *c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter().map(|r| sqlx::Row::get::<String, _>(r, 0)).collect()
}

/// mood (sad, ok, happy); t (id identity, m mood NOT NULL DEFAULT 'ok', ms mood[]).
fn pg_moods(values: &[&str], default: &str) -> Schema {
    let mut s = schema_of(vec![Table {
        name: "t".into(),
        columns: vec![
            Column { identity: Some(Identity::ByDefault), ..col("id", "integer", false) },
            Column { default: Some(format!("'{default}'::mood")), ..col("m", "mood", false) },
            col("ms", "mood[]", true),
        ],
        primary_key: Some(PrimaryKey { name: server("t_pkey"), columns: vec!["id".into()] }),
        ..Table::default()
    }]);
    s.enums.insert(
        "mood".into(),
        EnumType { name: "mood".into(), values: values.iter().map(|v| v.to_string()).collect() },
    );
    s
}

fn on_postgres(test: &str, body: impl AsyncFnOnce(sqlx::PgConnection)) {
    let Some(db) = ServerDb::new("MIGRATE_TEST_POSTGRES_URL", test) else { return };
    runtime().block_on(async {
        let c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        body(c).await;
    });
}

#[test]
fn postgres_enum_rebuild_keeps_the_column_data() {
    on_postgres("postgres_enum_rebuild_keeps_the_column_data", async |mut c| {
        let before = pg_moods(&["sad", "ok", "happy"], "ok");
        run_pg(&mut c, &create_all(DatabaseKind::Postgres, &before).unwrap()).await.unwrap();
        run_pg(
            &mut c,
            &Script {
                statements: vec![migrate_embed::schema::ScriptStatement {
                    sql: "INSERT INTO t (m, ms) VALUES ('sad', '{sad,ok}'), ('ok', NULL)".into(),
                    warnings: vec![],
                }],
                transactional: true,
                foreign_keys_off: false,
            },
        )
        .await
        .unwrap();

        // 'happy' removed and the rest reordered: a rebuild.
        let after = pg_moods(&["ok", "sad"], "ok");
        let (up, down) = up_and_down(DatabaseKind::Postgres, &before, &after);
        assert!(up.transactional);
        assert_eq!(up.warnings().count(), 1, "removing a value warns: {up:#?}");
        run_pg(&mut c, &up).await.unwrap();
        assert_eq!(pg_text(&mut c, "SELECT unnest(enum_range(NULL::mood))::text").await, ["ok", "sad"]);
        assert_eq!(pg_text(&mut c, "SELECT m::text FROM t ORDER BY id").await, ["sad", "ok"]);
        assert_eq!(pg_text(&mut c, "SELECT ms::text FROM t WHERE ms IS NOT NULL").await, ["{sad,ok}"]);
        assert_eq!(
            pg_text(&mut c, "SELECT typname::text FROM pg_type WHERE typname LIKE '%mood%' ORDER BY 1").await,
            ["_mood", "mood"],
            "the old type is gone"
        );
        run_pg(
            &mut c,
            &Script {
                statements: vec![migrate_embed::schema::ScriptStatement {
                    sql: "INSERT INTO t DEFAULT VALUES".into(),
                    warnings: vec![],
                }],
                transactional: true,
                foreign_keys_off: false,
            },
        )
        .await
        .unwrap();
        assert_eq!(
            pg_text(&mut c, "SELECT m::text FROM t ORDER BY id DESC LIMIT 1").await,
            ["ok"],
            "the default is back"
        );

        run_pg(&mut c, &down).await.unwrap();
        assert_eq!(pg_text(&mut c, "SELECT unnest(enum_range(NULL::mood))::text").await, ["sad", "ok", "happy"]);
        assert_eq!(pg_text(&mut c, "SELECT m::text FROM t ORDER BY id").await, ["sad", "ok", "ok"]);

        // A rebuild that removes a value still in use fails, and changes nothing.
        let error =
            run_pg(&mut c, &up_and_down(DatabaseKind::Postgres, &before, &pg_moods(&["ok", "happy"], "ok")).0).await;
        assert!(error.unwrap_err().contains("invalid input value for enum mood: \"sad\""));
        assert_eq!(pg_text(&mut c, "SELECT m::text FROM t ORDER BY id").await, ["sad", "ok", "ok"]);
    });
}

#[test]
fn postgres_new_enum_value_used_at_once_is_not_transactional() {
    on_postgres("postgres_new_enum_value_used_at_once_is_not_transactional", async |mut c| {
        let before = pg_moods(&["sad", "ok"], "ok");
        run_pg(&mut c, &create_all(DatabaseKind::Postgres, &before).unwrap()).await.unwrap();
        let after = pg_moods(&["sad", "ok", "happy"], "happy");
        let (up, down) = up_and_down(DatabaseKind::Postgres, &before, &after);
        assert!(!up.transactional, "{up:#?}");
        assert!(down.transactional, "removing a value is a rebuild, which needs no commit in between");

        // In one transaction PostgreSQL refuses the new value.
        let in_one = run_pg(&mut c, &Script { transactional: true, ..up.clone() }).await;
        assert!(in_one.unwrap_err().contains("unsafe use of new value"));

        run_pg(&mut c, &up).await.unwrap();
        assert_eq!(pg_text(&mut c, "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef").await, ["'happy'::mood"]);
        run_pg(&mut c, &down).await.unwrap();
        assert_eq!(pg_text(&mut c, "SELECT unnest(enum_range(NULL::mood))::text").await, ["sad", "ok"]);
    });
}

#[test]
fn postgres_column_changes_keep_data() {
    on_postgres("postgres_column_changes_keep_data", async |mut c| {
        let table = |columns: Vec<Column>| {
            schema_of(vec![Table {
                name: "u".into(),
                columns,
                primary_key: Some(PrimaryKey { name: server("u_pkey"), columns: vec!["id".into()] }),
                ..Table::default()
            }])
        };
        let before = table(vec![
            col("id", "integer", false),
            Column { default: Some("'0'::character varying".into()), ..col("code", "character varying(10)", true) },
            Column { default: Some("5".into()), ..col("n", "integer", true) },
            Column { identity: Some(Identity::Serial), ..col("s", "integer", false) },
        ]);
        let after = table(vec![
            Column { identity: Some(Identity::Always), ..col("id", "integer", false) },
            Column { default: Some("0".into()), ..col("code", "integer", true) },
            Column { default: Some("5".into()), ..col("n", "integer", false) },
            col("s", "integer", false),
        ]);
        run_pg(&mut c, &create_all(DatabaseKind::Postgres, &before).unwrap()).await.unwrap();
        let insert = |sql: &str| Script {
            statements: vec![migrate_embed::schema::ScriptStatement { sql: sql.into(), warnings: vec![] }],
            transactional: true,
            foreign_keys_off: false,
        };
        run_pg(&mut c, &insert("INSERT INTO u (id, code, n) VALUES (1, '12', NULL), (7, '3', 2)")).await.unwrap();

        let (up, down) = up_and_down(DatabaseKind::Postgres, &before, &after);
        assert!(up.warnings().any(|w| w.contains("from character varying(10) to integer")), "{up:#?}");
        run_pg(&mut c, &up).await.unwrap();
        assert_eq!(
            pg_text(&mut c, "SELECT concat_ws(',', id, code, n, s) FROM u ORDER BY id").await,
            ["1,12,5,1", "7,3,2,2"]
        );
        run_pg(&mut c, &insert("INSERT INTO u (s) VALUES (0)")).await.unwrap();
        assert_eq!(
            pg_text(&mut c, "SELECT concat_ws(',', id, code, n) FROM u WHERE s = 0").await,
            ["8,0,5"],
            "identity after the rows"
        );

        run_pg(&mut c, &down).await.unwrap();
        run_pg(&mut c, &insert("INSERT INTO u (id) VALUES (9)")).await.unwrap();
        assert_eq!(
            pg_text(&mut c, "SELECT concat_ws(',', id, code, n, s) FROM u ORDER BY id").await,
            ["1,12,5,1", "7,3,2,2", "8,0,5,0", "9,0,5,3"],
            "serial restarted after the rows"
        );
        assert_eq!(pg_text(&mut c, "SELECT pg_get_serial_sequence('u', 's')").await, ["public.u_s_seq"]);
    });
}

// ----- MySQL / MariaDB -------------------------------------------------------------------

async fn run_mysql(c: &mut sqlx::MySqlConnection, script: &Script) -> Result<(), String> {
    for s in &script.statements {
        sqlx::raw_sql(&s.sql).execute(&mut *c).await.map_err(|e| format!("{}: {e}", s.sql))?;
    }
    Ok(())
}

async fn my_exec(c: &mut sqlx::MySqlConnection, sql: &str) -> Result<(), String> {
    sqlx::raw_sql(sql).execute(&mut *c).await.map(drop).map_err(|e| e.to_string())
}

async fn my_text(c: &mut sqlx::MySqlConnection, sql: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut *c).await.unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

/// The indexes of `child` other than its primary key.
async fn child_indexes(c: &mut sqlx::MySqlConnection) -> Vec<String> {
    my_text(
        c,
        "SELECT CAST(CONCAT(INDEX_NAME, '(', GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX), ')') AS CHAR) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child' \
         AND INDEX_NAME <> 'PRIMARY' GROUP BY INDEX_NAME ORDER BY INDEX_NAME",
    )
    .await
}

/// parent (id) and child (id, parent_id → parent, note varchar(20)), the foreign key
/// unnamed so InnoDB makes its index.
fn my_family() -> Schema {
    let parent = Table {
        name: "parent".into(),
        columns: vec![col("id", "int(11)", false)],
        primary_key: Some(PrimaryKey { name: server("PRIMARY"), columns: vec!["id".into()] }),
        ..Table::default()
    };
    let child = Table {
        name: "child".into(),
        columns: vec![col("id", "int(11)", false), col("parent_id", "int(11)", true), col("note", "varchar(20)", true)],
        primary_key: Some(PrimaryKey { name: server("PRIMARY"), columns: vec!["id".into()] }),
        foreign_keys: vec![ForeignKey {
            name: server("child_ibfk_1"),
            columns: vec!["parent_id".into()],
            ref_table: "parent".into(),
            ref_columns: vec!["id".into()],
            ..ForeignKey::default()
        }],
        ..Table::default()
    };
    schema_of(vec![parent, child])
}

fn on_mysql(test: &str, body: impl AsyncFnOnce(sqlx::MySqlConnection)) {
    let Some(db) = ServerDb::new("MIGRATE_TEST_MYSQL_URL", test) else { return };
    runtime().block_on(async {
        let c = sqlx::MySqlConnection::connect(&db.url).await.unwrap();
        body(c).await;
    });
}

#[test]
fn mysql_modify_and_foreign_key_with_its_index() {
    on_mysql("mysql_modify_and_foreign_key_with_its_index", async |mut c| {
        let before = my_family();
        run_mysql(&mut c, &create_all(DatabaseKind::MySql, &before).unwrap()).await.unwrap();
        assert_eq!(child_indexes(&mut c).await, ["parent_id(parent_id)"], "InnoDB made the key's index");
        my_exec(&mut c, "INSERT INTO parent VALUES (1), (2)").await.unwrap();
        my_exec(&mut c, "INSERT INTO child VALUES (1, 1, NULL), (2, 2, 'b')").await.unwrap();

        let mut after = before.clone();
        let child = after.tables.get_mut("child").unwrap();
        child.foreign_keys.clear();
        child.columns[2] = Column { default: Some("''".into()), ..col("note", "varchar(50)", false) };
        let (up, down) = up_and_down(DatabaseKind::MySql, &before, &after);
        run_mysql(&mut c, &up).await.unwrap();
        assert!(child_indexes(&mut c).await.is_empty(), "the key's index went with it");
        assert_eq!(
            my_text(&mut c, "SELECT CAST(COALESCE(note, 'NULL') AS CHAR) FROM child ORDER BY id").await,
            ["", "b"]
        );
        assert_eq!(
            my_text(
                &mut c,
                "SELECT CAST(CONCAT(COLUMN_TYPE, ' ', IS_NULLABLE) AS CHAR) FROM information_schema.COLUMNS \
                             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child' AND COLUMN_NAME = 'note'"
            )
            .await,
            ["varchar(50) NO"]
        );

        run_mysql(&mut c, &down).await.unwrap();
        assert_eq!(child_indexes(&mut c).await, ["parent_id(parent_id)"]);
        assert!(my_exec(&mut c, "INSERT INTO child VALUES (3, 9, NULL)").await.is_err(), "the key is back");
        my_exec(&mut c, "INSERT INTO child VALUES (3, 1, NULL)").await.unwrap();
    });
}

#[test]
fn mysql_dropping_the_index_a_foreign_key_uses() {
    on_mysql("mysql_dropping_the_index_a_foreign_key_uses", async |mut c| {
        let mut before = my_family();
        before.tables.get_mut("child").unwrap().indexes.push(Index {
            name: Name { name: "ix_child_parent".into(), generated: false },
            unique: false,
            keys: vec![
                IndexKey { target: IndexTarget::Column("parent_id".into()), descending: false },
                IndexKey { target: IndexTarget::Column("note".into()), descending: false },
            ],
            predicate: None,
        });
        run_mysql(&mut c, &create_all(DatabaseKind::MySql, &before).unwrap()).await.unwrap();
        assert_eq!(child_indexes(&mut c).await, ["ix_child_parent(parent_id,note)"], "no index of the key's own");
        // What InnoDB says to dropping it alone.
        let alone = my_exec(&mut c, "ALTER TABLE child DROP INDEX ix_child_parent").await;
        assert!(alone.unwrap_err().contains("needed in a foreign key constraint"));

        let (up, down) = up_and_down(DatabaseKind::MySql, &before, &my_family());
        run_mysql(&mut c, &up).await.unwrap();
        assert_eq!(child_indexes(&mut c).await, ["parent_id(parent_id)"]);
        run_mysql(&mut c, &down).await.unwrap();
        let indexes = child_indexes(&mut c).await;
        assert!(indexes.contains(&"ix_child_parent(parent_id,note)".to_owned()), "{indexes:?}");
    });
}

#[test]
fn mysql_retyping_foreign_key_columns() {
    on_mysql("mysql_retyping_foreign_key_columns", async |mut c| {
        let before = my_family();
        run_mysql(&mut c, &create_all(DatabaseKind::MySql, &before).unwrap()).await.unwrap();
        my_exec(&mut c, "INSERT INTO parent VALUES (1)").await.unwrap();
        my_exec(&mut c, "INSERT INTO child VALUES (1, 1, 'a')").await.unwrap();
        // What InnoDB says to changing the type alone.
        let alone = my_exec(&mut c, "ALTER TABLE child MODIFY COLUMN parent_id bigint(20) NULL").await;
        assert!(alone.unwrap_err().contains("foreign key"));

        let mut after = before.clone();
        after.tables.get_mut("parent").unwrap().columns[0].data_type = "bigint(20)".into();
        after.tables.get_mut("child").unwrap().columns[1].data_type = "bigint(20)".into();
        let (up, down) = up_and_down(DatabaseKind::MySql, &before, &after);
        run_mysql(&mut c, &up).await.unwrap();
        assert_eq!(child_indexes(&mut c).await, ["parent_id(parent_id)"]);
        assert!(my_exec(&mut c, "INSERT INTO child VALUES (2, 9, NULL)").await.is_err(), "the key is back");
        run_mysql(&mut c, &down).await.unwrap();
        assert_eq!(
            my_text(
                &mut c,
                "SELECT CAST(COLUMN_TYPE AS CHAR) FROM information_schema.COLUMNS \
                             WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'parent_id'"
            )
            .await,
            ["int(11)"]
        );
        assert_eq!(my_text(&mut c, "SELECT CAST(note AS CHAR) FROM child").await, ["a"]);
    });
}
