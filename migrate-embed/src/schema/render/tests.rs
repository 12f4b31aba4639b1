//! The SQL per change kind per database, exactly: every case below is rendered for SQLite,
//! PostgreSQL and MySQL and compared with the text in `EXPECTED` (reviewed by hand; a
//! database that cannot do a change says so as `error: …`).
//!
//! To see every case's output after a change to a renderer:
//! `PRINT_RENDERED=1 cargo test -p migrate-embed --features schema --lib render::tests -- --nocapture`.

use super::*;
use crate::schema::model::{Action, Deferrable, EnumType, Generated, Identity, Name, PrimaryKey};
use crate::schema::testing::apply;
use DatabaseKind::{MySql, Postgres, Sqlite};

fn col(name: &str, data_type: &str, nullable: bool) -> Column {
    Column { name: name.into(), data_type: data_type.into(), nullable, ..Column::default() }
}

fn user(name: &str) -> Name {
    Name { name: name.into(), generated: false }
}

fn server(name: &str) -> Name {
    Name { name: name.into(), generated: true }
}

fn key(column: &str) -> IndexKey {
    IndexKey { target: IndexTarget::Column(column.into()), descending: false }
}

/// users (id, email, age, nick; index on email) and orders (id, user_id → users, placed).
fn base() -> Schema {
    let users = Table {
        name: "users".into(),
        columns: vec![
            col("id", "integer", false),
            col("email", "text", true),
            col("age", "varchar(20)", true),
            col("nick", "text", true),
        ],
        primary_key: Some(PrimaryKey { name: server("users_pkey"), columns: vec!["id".into()] }),
        checks: vec![Check { name: server("users_age_check"), expression: "age <> ''".into() }],
        indexes: vec![Index { name: user("ix_users_email"), unique: false, keys: vec![key("email")], predicate: None }],
        ..Table::default()
    };
    let orders = Table {
        name: "orders".into(),
        columns: vec![col("id", "integer", false), col("user_id", "integer", true), col("placed", "timestamp", true)],
        primary_key: Some(PrimaryKey { name: server("orders_pkey"), columns: vec!["id".into()] }),
        foreign_keys: vec![ForeignKey {
            name: server("orders_user_id_fkey"),
            columns: vec!["user_id".into()],
            ref_table: "users".into(),
            ref_columns: vec!["id".into()],
            on_delete: Action::Cascade,
            ..ForeignKey::default()
        }],
        ..Table::default()
    };
    schema_of(vec![users, orders])
}

fn schema_of(tables: Vec<Table>) -> Schema {
    Schema { tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(), ..Schema::default() }
}

/// A PostgreSQL enum `mood` (sad, ok) used by t.m with a default.
fn with_enum() -> Schema {
    let mut s = schema_of(vec![Table {
        name: "t".into(),
        columns: vec![Column { default: Some("'ok'::mood".into()), ..col("m", "mood", false) }],
        ..Table::default()
    }]);
    s.enums.insert("mood".into(), EnumType { name: "mood".into(), values: vec!["sad".into(), "ok".into()] });
    s
}

/// A SQLite-style table with an AUTOINCREMENT rowid key.
fn counted() -> Schema {
    schema_of(vec![Table {
        name: "log".into(),
        columns: vec![
            Column { identity: Some(Identity::AutoIncrement), ..col("id", "INTEGER", false) },
            col("line", "TEXT", true),
        ],
        primary_key: Some(PrimaryKey { name: server(""), columns: vec!["id".into()] }),
        autoincrement: true,
        ..Table::default()
    }])
}

fn products() -> Table {
    Table {
        name: "products".into(),
        columns: vec![
            Column { identity: Some(Identity::Serial), ..col("id", "integer", false) },
            Column { default: Some("0".into()), ..col("price", "numeric(10,2)", false) },
            col("name", "varchar(50)", true),
        ],
        primary_key: Some(PrimaryKey { name: server("products_pkey"), columns: vec!["id".into()] }),
        uniques: vec![Unique { name: user("uq_products_name"), columns: vec!["name".into()] }],
        checks: vec![Check { name: server("products_price_check"), expression: "price >= 0".into() }],
        indexes: vec![Index {
            name: user("ix_products_price"),
            unique: false,
            keys: vec![IndexKey { target: IndexTarget::Column("price".into()), descending: true }],
            predicate: None,
        }],
        ..Table::default()
    }
}

/// Every case: a name, the schema before, the changes.
fn cases() -> Vec<(&'static str, Schema, Vec<Change>)> {
    let b = base();
    let users = b.tables["users"].clone();
    let orders = b.tables["orders"].clone();
    let fk = orders.foreign_keys[0].clone();
    let alter = |from: &Column, to: Column| Change::AlterColumn { table: "users".into(), from: from.clone(), to };
    let mood = |values: &[&str]| Change::AlterEnum {
        name: "mood".into(),
        from: vec!["sad".into(), "ok".into()],
        to: values.iter().map(|v| v.to_string()).collect(),
    };
    let a = Table {
        name: "a".into(),
        columns: vec![col("id", "integer", false), col("b_id", "integer", true)],
        primary_key: Some(PrimaryKey { name: server("a_pkey"), columns: vec!["id".into()] }),
        foreign_keys: vec![ForeignKey {
            name: user("fk_a_b"),
            columns: vec!["b_id".into()],
            ref_table: "b".into(),
            ref_columns: vec!["id".into()],
            ..ForeignKey::default()
        }],
        ..Table::default()
    };
    let mut b_table = a.clone();
    b_table.name = "b".into();
    b_table.columns[1].name = "a_id".into();
    b_table.primary_key.as_mut().unwrap().name = server("b_pkey");
    b_table.foreign_keys[0] = ForeignKey {
        name: user("fk_b_a"),
        columns: vec!["a_id".into()],
        ref_table: "a".into(),
        ..a.foreign_keys[0].clone()
    };

    vec![
        ("add table", Schema::default(), vec![Change::AddTable { table: products() }]),
        (
            "drop table",
            b.clone(),
            vec![
                Change::DropForeignKey { table: "orders".into(), foreign_key: fk.clone() },
                Change::DropTable { table: users.clone() },
            ],
        ),
        (
            "tables in a cycle",
            Schema::default(),
            vec![Change::AddTable { table: b_table.clone() }, Change::AddTable { table: a.clone() }],
        ),
        (
            "dropping tables in a cycle",
            schema_of(vec![a.clone(), b_table.clone()]),
            vec![Change::DropTable { table: a.clone() }, Change::DropTable { table: b_table.clone() }],
        ),
        ("rename table", b.clone(), vec![Change::RenameTable { from: "users".into(), to: "people".into() }]),
        (
            "add column",
            b.clone(),
            vec![Change::AddColumn {
                table: "users".into(),
                column: Column { default: Some("'x'".into()), ..col("city", "text", false) },
            }],
        ),
        (
            "add column with a clock default",
            b.clone(),
            vec![Change::AddColumn {
                table: "orders".into(),
                column: Column { default: Some("CURRENT_TIMESTAMP".into()), ..col("created", "timestamp", true) },
            }],
        ),
        (
            "drop column",
            b.clone(),
            vec![Change::DropColumn { table: "users".into(), column: users.columns[3].clone() }],
        ),
        (
            "drop indexed column",
            b.clone(),
            vec![
                Change::DropIndex { table: "users".into(), index: users.indexes[0].clone() },
                Change::DropColumn { table: "users".into(), column: users.columns[1].clone() },
            ],
        ),
        (
            "rename column",
            b.clone(),
            vec![Change::RenameColumn { table: "users".into(), from: "nick".into(), to: "handle".into() }],
        ),
        ("type change", b.clone(), vec![alter(&users.columns[2], col("age", "integer", true))]),
        (
            "primary key a foreign key references",
            b.clone(),
            vec![
                Change::DropPrimaryKey { table: "users".into(), key: users.primary_key.clone().unwrap() },
                Change::AddPrimaryKey {
                    table: "users".into(),
                    key: PrimaryKey { name: user("pk_users"), columns: vec!["id".into()] },
                },
            ],
        ),
        (
            "type change of foreign key columns",
            b.clone(),
            vec![
                alter(&users.columns[0], col("id", "bigint", false)),
                Change::AlterColumn {
                    table: "orders".into(),
                    from: orders.columns[1].clone(),
                    to: col("user_id", "bigint", true),
                },
            ],
        ),
        (
            "not null with a default",
            b.clone(),
            vec![alter(&users.columns[3], Column { default: Some("'anon'".into()), ..col("nick", "text", false) })],
        ),
        ("drop not null", b.clone(), vec![alter(&users.columns[0], col("id", "integer", true))]),
        (
            "default",
            b.clone(),
            vec![alter(&users.columns[1], Column { default: Some("'none'".into()), ..col("email", "text", true) })],
        ),
        (
            "primary key",
            b.clone(),
            vec![
                Change::DropPrimaryKey { table: "orders".into(), key: orders.primary_key.clone().unwrap() },
                Change::AddPrimaryKey {
                    table: "orders".into(),
                    key: PrimaryKey { name: user("pk_orders"), columns: vec!["id".into(), "user_id".into()] },
                },
            ],
        ),
        (
            "add unique",
            b.clone(),
            vec![Change::AddUnique {
                table: "users".into(),
                unique: Unique { name: server("users_email_key"), columns: vec!["email".into()] },
            }],
        ),
        ("drop check", b.clone(), vec![Change::DropCheck { table: "users".into(), check: users.checks[0].clone() }]),
        (
            "add check",
            b.clone(),
            vec![Change::AddCheck {
                table: "users".into(),
                check: Check { name: user("ck_nick"), expression: "nick <> ''".into() },
            }],
        ),
        (
            "foreign key",
            b.clone(),
            vec![
                Change::DropForeignKey { table: "orders".into(), foreign_key: fk.clone() },
                Change::AddForeignKey {
                    table: "orders".into(),
                    foreign_key: ForeignKey {
                        name: user("fk_orders_user"),
                        deferrable: Deferrable::InitiallyDeferred,
                        on_update: Action::Restrict,
                        ..fk.clone()
                    },
                },
            ],
        ),
        (
            "add index",
            b.clone(),
            vec![Change::AddIndex {
                table: "orders".into(),
                index: Index {
                    name: user("ix_orders_placed"),
                    unique: true,
                    keys: vec![IndexKey { target: IndexTarget::Column("placed".into()), descending: true }],
                    predicate: None,
                },
            }],
        ),
        (
            "partial expression index",
            b.clone(),
            vec![Change::AddIndex {
                table: "users".into(),
                index: Index {
                    name: server("users_lower_idx"),
                    unique: false,
                    keys: vec![IndexKey { target: IndexTarget::Expression("lower(nick)".into()), descending: false }],
                    predicate: Some("nick IS NOT NULL".into()),
                },
            }],
        ),
        ("drop index", b.clone(), vec![Change::DropIndex { table: "users".into(), index: users.indexes[0].clone() }]),
        (
            "drop the index a foreign key uses",
            {
                let mut s = b.clone();
                s.tables.get_mut("orders").unwrap().indexes.push(Index {
                    name: user("ix_orders_user"),
                    unique: false,
                    keys: vec![key("user_id"), key("placed")],
                    predicate: None,
                });
                s
            },
            vec![Change::DropIndex {
                table: "orders".into(),
                index: Index {
                    name: user("ix_orders_user"),
                    unique: false,
                    keys: vec![key("user_id"), key("placed")],
                    predicate: None,
                },
            }],
        ),
        (
            "generated column",
            b.clone(),
            vec![Change::AddColumn {
                table: "orders".into(),
                column: Column {
                    generated: Some(Generated { expression: "id * 2".into(), stored: true }),
                    ..col("twice", "integer", true)
                },
            }],
        ),
        (
            "identity added",
            b.clone(),
            vec![alter(
                &users.columns[0],
                Column { identity: Some(Identity::ByDefault), ..col("id", "integer", false) },
            )],
        ),
        (
            "serial removed",
            {
                let mut s = b.clone();
                s.tables.get_mut("users").unwrap().columns[0].identity = Some(Identity::Serial);
                s
            },
            vec![alter(
                &Column { identity: Some(Identity::Serial), ..users.columns[0].clone() },
                users.columns[0].clone(),
            )],
        ),
        (
            "AUTOINCREMENT dropped",
            counted(),
            vec![Change::AlterAutoincrement { table: "log".into(), from: true, to: false }],
        ),
        (
            "AUTOINCREMENT kept through a rebuild",
            counted(),
            vec![Change::AlterColumn {
                table: "log".into(),
                from: col("line", "TEXT", true),
                to: col("line", "TEXT", false),
            }],
        ),
        (
            "enum added",
            Schema::default(),
            vec![Change::AddEnum { enum_type: EnumType { name: "size".into(), values: vec!["s".into(), "m".into()] } }],
        ),
        ("enum values added", with_enum(), vec![mood(&["sad", "meh", "ok", "happy"])]),
        (
            "enum value added and used",
            with_enum(),
            vec![
                mood(&["sad", "ok", "happy"]),
                Change::AlterColumn {
                    table: "t".into(),
                    from: Column { default: Some("'ok'::mood".into()), ..col("m", "mood", false) },
                    to: Column { default: Some("'happy'::mood".into()), ..col("m", "mood", false) },
                },
            ],
        ),
        ("enum values reordered", with_enum(), vec![mood(&["ok", "sad"])]),
        (
            "enum value removed",
            with_enum(),
            vec![
                mood(&["sad"]),
                Change::AlterColumn {
                    table: "t".into(),
                    from: Column { default: Some("'ok'::mood".into()), ..col("m", "mood", false) },
                    to: Column { default: Some("'sad'::mood".into()), ..col("m", "mood", false) },
                },
            ],
        ),
        (
            "enum dropped",
            with_enum(),
            vec![
                Change::AlterColumn {
                    table: "t".into(),
                    from: Column { default: Some("'ok'::mood".into()), ..col("m", "mood", false) },
                    to: col("m", "text", false),
                },
                Change::DropEnum { enum_type: with_enum().enums["mood"].clone() },
            ],
        ),
    ]
}

/// The expected text per (case, database).
#[rustfmt::skip]
const EXPECTED: &[(&str, DatabaseKind, &str)] = &[
    ("add table", Sqlite, r#"CREATE TABLE "products" (
    "id" integer NOT NULL,
    "price" numeric(10,2) NOT NULL DEFAULT 0,
    "name" varchar(50),
    PRIMARY KEY ("id"),
    CONSTRAINT "uq_products_name" UNIQUE ("name"),
    CHECK (price >= 0)
);
CREATE INDEX "ix_products_price" ON "products" ("price" DESC);
"#),
    ("add table", Postgres, r#"CREATE TABLE "products" (
    "id" serial NOT NULL,
    "price" numeric(10,2) NOT NULL DEFAULT 0,
    "name" varchar(50),
    PRIMARY KEY ("id"),
    CONSTRAINT "uq_products_name" UNIQUE ("name"),
    CHECK (price >= 0)
);
CREATE INDEX "ix_products_price" ON "products" ("price" DESC);
"#),
    ("add table", MySql, r#"CREATE TABLE `products` (
    `id` integer NOT NULL AUTO_INCREMENT,
    `price` numeric(10,2) NOT NULL DEFAULT 0,
    `name` varchar(50) NULL,
    PRIMARY KEY (`id`),
    CONSTRAINT `uq_products_name` UNIQUE (`name`),
    CHECK (price >= 0)
);
CREATE INDEX `ix_products_price` ON `products` (`price` DESC);
"#),
    ("drop table", Sqlite, r#"-- WARNING: dropping table 'users' deletes its rows
DROP TABLE "users";
CREATE TABLE "_new_orders" (
    "id" integer NOT NULL,
    "user_id" integer,
    "placed" timestamp,
    PRIMARY KEY ("id")
);
INSERT INTO "_new_orders" ("id", "user_id", "placed") SELECT "id", "user_id", "placed" FROM "orders";
-- WARNING: dropping foreign key on 'orders' (user_id) referencing 'users' (id)
DROP TABLE "orders";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_orders" RENAME TO "orders";
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("drop table", Postgres, r#"-- WARNING: dropping foreign key on 'orders' (user_id) referencing 'users' (id)
ALTER TABLE "orders" DROP CONSTRAINT "orders_user_id_fkey";
-- WARNING: dropping table 'users' deletes its rows
DROP TABLE "users";
"#),
    ("drop table", MySql, r#"-- WARNING: dropping foreign key on 'orders' (user_id) referencing 'users' (id)
ALTER TABLE `orders` DROP FOREIGN KEY `orders_user_id_fkey`, DROP INDEX `user_id`;
-- WARNING: dropping table 'users' deletes its rows
DROP TABLE `users`;
"#),
    ("tables in a cycle", Sqlite, r#"CREATE TABLE "a" (
    "id" integer NOT NULL,
    "b_id" integer,
    PRIMARY KEY ("id"),
    CONSTRAINT "fk_a_b" FOREIGN KEY ("b_id") REFERENCES "b" ("id")
);
CREATE TABLE "b" (
    "id" integer NOT NULL,
    "a_id" integer,
    PRIMARY KEY ("id"),
    CONSTRAINT "fk_b_a" FOREIGN KEY ("a_id") REFERENCES "a" ("id")
);
"#),
    ("tables in a cycle", Postgres, r#"CREATE TABLE "a" (
    "id" integer NOT NULL,
    "b_id" integer,
    PRIMARY KEY ("id")
);
CREATE TABLE "b" (
    "id" integer NOT NULL,
    "a_id" integer,
    PRIMARY KEY ("id"),
    CONSTRAINT "fk_b_a" FOREIGN KEY ("a_id") REFERENCES "a" ("id")
);
ALTER TABLE "a" ADD CONSTRAINT "fk_a_b" FOREIGN KEY ("b_id") REFERENCES "b" ("id");
"#),
    ("tables in a cycle", MySql, r#"CREATE TABLE `a` (
    `id` integer NOT NULL,
    `b_id` integer NULL,
    PRIMARY KEY (`id`)
);
CREATE TABLE `b` (
    `id` integer NOT NULL,
    `a_id` integer NULL,
    PRIMARY KEY (`id`),
    CONSTRAINT `fk_b_a` FOREIGN KEY (`a_id`) REFERENCES `a` (`id`)
);
ALTER TABLE `a` ADD CONSTRAINT `fk_a_b` FOREIGN KEY (`b_id`) REFERENCES `b` (`id`);
"#),
    ("dropping tables in a cycle", Sqlite, r#"-- WARNING: dropping table 'b' deletes its rows
DROP TABLE "b";
-- WARNING: dropping table 'a' deletes its rows
DROP TABLE "a";
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("dropping tables in a cycle", Postgres, r#"ALTER TABLE "a" DROP CONSTRAINT "fk_a_b";
-- WARNING: dropping table 'b' deletes its rows
DROP TABLE "b";
-- WARNING: dropping table 'a' deletes its rows
DROP TABLE "a";
"#),
    ("dropping tables in a cycle", MySql, r#"ALTER TABLE `a` DROP FOREIGN KEY `fk_a_b`;
-- WARNING: dropping table 'b' deletes its rows
DROP TABLE `b`;
-- WARNING: dropping table 'a' deletes its rows
DROP TABLE `a`;
"#),
    ("rename table", Sqlite, r#"ALTER TABLE "users" RENAME TO "people";
"#),
    ("rename table", Postgres, r#"ALTER TABLE "users" RENAME TO "people";
"#),
    ("rename table", MySql, r#"RENAME TABLE `users` TO `people`;
"#),
    ("add column", Sqlite, r#"ALTER TABLE "users" ADD COLUMN "city" text NOT NULL DEFAULT 'x';
"#),
    ("add column", Postgres, r#"ALTER TABLE "users" ADD COLUMN "city" text NOT NULL DEFAULT 'x';
"#),
    ("add column", MySql, r#"ALTER TABLE `users` ADD COLUMN `city` text NOT NULL DEFAULT ('x');
"#),
    ("add column with a clock default", Sqlite, r#"CREATE TABLE "_new_orders" (
    "id" integer NOT NULL,
    "user_id" integer,
    "placed" timestamp,
    "created" timestamp DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY ("id"),
    FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);
INSERT INTO "_new_orders" ("id", "user_id", "placed") SELECT "id", "user_id", "placed" FROM "orders";
DROP TABLE "orders";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_orders" RENAME TO "orders";
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("add column with a clock default", Postgres, r#"ALTER TABLE "orders" ADD COLUMN "created" timestamp DEFAULT CURRENT_TIMESTAMP;
"#),
    ("add column with a clock default", MySql, r#"ALTER TABLE `orders` ADD COLUMN `created` timestamp NULL DEFAULT CURRENT_TIMESTAMP;
"#),
    ("drop column", Sqlite, r#"-- WARNING: dropping column 'users.nick' deletes its data
ALTER TABLE "users" DROP COLUMN "nick";
"#),
    ("drop column", Postgres, r#"-- WARNING: dropping column 'users.nick' deletes its data
ALTER TABLE "users" DROP COLUMN "nick";
"#),
    ("drop column", MySql, r#"-- WARNING: dropping column 'users.nick' deletes its data
ALTER TABLE `users` DROP COLUMN `nick`;
"#),
    ("drop indexed column", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer NOT NULL,
    "age" varchar(20),
    "nick" text,
    PRIMARY KEY ("id"),
    CHECK (age <> '')
);
INSERT INTO "_new_users" ("id", "age", "nick") SELECT "id", "age", "nick" FROM "users";
-- WARNING: dropping index 'ix_users_email' on 'users'
-- WARNING: dropping column 'users.email' deletes its data
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("drop indexed column", Postgres, r#"-- WARNING: dropping index 'ix_users_email' on 'users'
DROP INDEX "ix_users_email";
-- WARNING: dropping column 'users.email' deletes its data
ALTER TABLE "users" DROP COLUMN "email";
"#),
    ("drop indexed column", MySql, r#"-- WARNING: dropping index 'ix_users_email' on 'users'
ALTER TABLE `users` DROP INDEX `ix_users_email`;
-- WARNING: dropping column 'users.email' deletes its data
ALTER TABLE `users` DROP COLUMN `email`;
"#),
    ("rename column", Sqlite, r#"ALTER TABLE "users" RENAME COLUMN "nick" TO "handle";
"#),
    ("rename column", Postgres, r#"ALTER TABLE "users" RENAME COLUMN "nick" TO "handle";
"#),
    ("rename column", MySql, r#"ALTER TABLE `users` RENAME COLUMN `nick` TO `handle`;
"#),
    ("type change", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer NOT NULL,
    "email" text,
    "age" integer,
    "nick" text,
    PRIMARY KEY ("id"),
    CHECK (age <> '')
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", "nick" FROM "users";
-- WARNING: changing the type of column 'users.age' from varchar(20) to integer may lose data
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("type change", Postgres, r#"-- WARNING: changing the type of column 'users.age' from varchar(20) to integer may lose data
ALTER TABLE "users" ALTER COLUMN "age" TYPE integer USING "age"::integer;
"#),
    ("type change", MySql, r#"-- WARNING: changing the type of column 'users.age' from varchar(20) to integer may lose data
ALTER TABLE `users` MODIFY COLUMN `age` integer NULL;
"#),
    ("primary key a foreign key references", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer NOT NULL,
    "email" text,
    "age" varchar(20),
    "nick" text,
    CONSTRAINT "pk_users" PRIMARY KEY ("id"),
    CHECK (age <> '')
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", "nick" FROM "users";
-- WARNING: dropping primary key on 'users' (id)
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("primary key a foreign key references", Postgres, r#"ALTER TABLE "orders" DROP CONSTRAINT "orders_user_id_fkey";
-- WARNING: dropping primary key on 'users' (id)
ALTER TABLE "users" DROP CONSTRAINT "users_pkey";
ALTER TABLE "users" ADD CONSTRAINT "pk_users" PRIMARY KEY ("id");
ALTER TABLE "orders" ADD FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE;
"#),
    ("primary key a foreign key references", MySql, r#"ALTER TABLE `orders` DROP FOREIGN KEY `orders_user_id_fkey`, DROP INDEX `user_id`;
-- WARNING: dropping primary key on 'users' (id)
ALTER TABLE `users` DROP PRIMARY KEY;
ALTER TABLE `users` ADD PRIMARY KEY (`id`);
ALTER TABLE `orders` ADD FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE;
"#),
    ("type change of foreign key columns", Sqlite, r#"CREATE TABLE "_new_orders" (
    "id" integer NOT NULL,
    "user_id" bigint,
    "placed" timestamp,
    PRIMARY KEY ("id"),
    FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);
INSERT INTO "_new_orders" ("id", "user_id", "placed") SELECT "id", "user_id", "placed" FROM "orders";
DROP TABLE "orders";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_orders" RENAME TO "orders";
PRAGMA legacy_alter_table = OFF;
CREATE TABLE "_new_users" (
    "id" bigint NOT NULL,
    "email" text,
    "age" varchar(20),
    "nick" text,
    PRIMARY KEY ("id"),
    CHECK (age <> '')
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", "nick" FROM "users";
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("type change of foreign key columns", Postgres, r#"ALTER TABLE "users" ALTER COLUMN "id" TYPE bigint USING "id"::bigint;
ALTER TABLE "orders" ALTER COLUMN "user_id" TYPE bigint USING "user_id"::bigint;
"#),
    ("type change of foreign key columns", MySql, r#"ALTER TABLE `orders` DROP FOREIGN KEY `orders_user_id_fkey`, DROP INDEX `user_id`;
ALTER TABLE `users` MODIFY COLUMN `id` bigint NOT NULL;
ALTER TABLE `orders` MODIFY COLUMN `user_id` bigint NULL;
ALTER TABLE `orders` ADD FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE;
"#),
    ("not null with a default", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer NOT NULL,
    "email" text,
    "age" varchar(20),
    "nick" text NOT NULL DEFAULT 'anon',
    PRIMARY KEY ("id"),
    CHECK (age <> '')
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", COALESCE("nick", 'anon') FROM "users";
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("not null with a default", Postgres, r#"UPDATE "users" SET "nick" = 'anon' WHERE "nick" IS NULL;
ALTER TABLE "users" ALTER COLUMN "nick" SET NOT NULL;
ALTER TABLE "users" ALTER COLUMN "nick" SET DEFAULT 'anon';
"#),
    ("not null with a default", MySql, r#"UPDATE `users` SET `nick` = 'anon' WHERE `nick` IS NULL;
ALTER TABLE `users` MODIFY COLUMN `nick` text NOT NULL DEFAULT ('anon');
"#),
    ("drop not null", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer,
    "email" text,
    "age" varchar(20),
    "nick" text,
    PRIMARY KEY ("id"),
    CHECK (age <> '')
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", "nick" FROM "users";
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("drop not null", Postgres, r#"ALTER TABLE "users" ALTER COLUMN "id" DROP NOT NULL;
"#),
    ("drop not null", MySql, r#"ALTER TABLE `users` MODIFY COLUMN `id` integer NULL;
"#),
    ("default", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer NOT NULL,
    "email" text DEFAULT 'none',
    "age" varchar(20),
    "nick" text,
    PRIMARY KEY ("id"),
    CHECK (age <> '')
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", "nick" FROM "users";
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("default", Postgres, r#"ALTER TABLE "users" ALTER COLUMN "email" SET DEFAULT 'none';
"#),
    ("default", MySql, r#"ALTER TABLE `users` MODIFY COLUMN `email` text NULL DEFAULT ('none');
"#),
    ("primary key", Sqlite, r#"CREATE TABLE "_new_orders" (
    "id" integer NOT NULL,
    "user_id" integer,
    "placed" timestamp,
    CONSTRAINT "pk_orders" PRIMARY KEY ("id", "user_id"),
    FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);
INSERT INTO "_new_orders" ("id", "user_id", "placed") SELECT "id", "user_id", "placed" FROM "orders";
-- WARNING: dropping primary key on 'orders' (id)
DROP TABLE "orders";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_orders" RENAME TO "orders";
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("primary key", Postgres, r#"-- WARNING: dropping primary key on 'orders' (id)
ALTER TABLE "orders" DROP CONSTRAINT "orders_pkey";
ALTER TABLE "orders" ADD CONSTRAINT "pk_orders" PRIMARY KEY ("id", "user_id");
"#),
    ("primary key", MySql, r#"-- WARNING: dropping primary key on 'orders' (id)
ALTER TABLE `orders` DROP PRIMARY KEY;
ALTER TABLE `orders` ADD PRIMARY KEY (`id`, `user_id`);
"#),
    ("add unique", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer NOT NULL,
    "email" text,
    "age" varchar(20),
    "nick" text,
    PRIMARY KEY ("id"),
    UNIQUE ("email"),
    CHECK (age <> '')
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", "nick" FROM "users";
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("add unique", Postgres, r#"ALTER TABLE "users" ADD UNIQUE ("email");
"#),
    ("add unique", MySql, r#"ALTER TABLE `users` ADD UNIQUE (`email`);
"#),
    ("drop check", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer NOT NULL,
    "email" text,
    "age" varchar(20),
    "nick" text,
    PRIMARY KEY ("id")
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", "nick" FROM "users";
-- WARNING: dropping check constraint on 'users' (age <> '')
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("drop check", Postgres, r#"-- WARNING: dropping check constraint on 'users' (age <> '')
ALTER TABLE "users" DROP CONSTRAINT "users_age_check";
"#),
    ("drop check", MySql, r#"-- WARNING: dropping check constraint on 'users' (age <> '')
ALTER TABLE `users` DROP CONSTRAINT `users_age_check`;
"#),
    ("add check", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer NOT NULL,
    "email" text,
    "age" varchar(20),
    "nick" text,
    PRIMARY KEY ("id"),
    CHECK (age <> ''),
    CONSTRAINT "ck_nick" CHECK (nick <> '')
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", "nick" FROM "users";
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("add check", Postgres, r#"ALTER TABLE "users" ADD CONSTRAINT "ck_nick" CHECK (nick <> '');
"#),
    ("add check", MySql, r#"ALTER TABLE `users` ADD CONSTRAINT `ck_nick` CHECK (nick <> '');
"#),
    ("foreign key", Sqlite, r#"CREATE TABLE "_new_orders" (
    "id" integer NOT NULL,
    "user_id" integer,
    "placed" timestamp,
    PRIMARY KEY ("id"),
    CONSTRAINT "fk_orders_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO "_new_orders" ("id", "user_id", "placed") SELECT "id", "user_id", "placed" FROM "orders";
-- WARNING: dropping foreign key on 'orders' (user_id) referencing 'users' (id)
DROP TABLE "orders";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_orders" RENAME TO "orders";
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("foreign key", Postgres, r#"-- WARNING: dropping foreign key on 'orders' (user_id) referencing 'users' (id)
ALTER TABLE "orders" DROP CONSTRAINT "orders_user_id_fkey";
ALTER TABLE "orders" ADD CONSTRAINT "fk_orders_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED;
"#),
    ("foreign key", MySql, r#"-- WARNING: dropping foreign key on 'orders' (user_id) referencing 'users' (id)
ALTER TABLE `orders` DROP FOREIGN KEY `orders_user_id_fkey`, DROP INDEX `user_id`;
ALTER TABLE `orders` ADD CONSTRAINT `fk_orders_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT;
"#),
    ("add index", Sqlite, r#"CREATE UNIQUE INDEX "ix_orders_placed" ON "orders" ("placed" DESC);
"#),
    ("add index", Postgres, r#"CREATE UNIQUE INDEX "ix_orders_placed" ON "orders" ("placed" DESC);
"#),
    ("add index", MySql, r#"CREATE UNIQUE INDEX `ix_orders_placed` ON `orders` (`placed` DESC);
"#),
    ("partial expression index", Sqlite, r#"CREATE INDEX "users_lower_idx" ON "users" ((lower(nick))) WHERE nick IS NOT NULL;
"#),
    ("partial expression index", Postgres, r#"CREATE INDEX ON "users" ((lower(nick))) WHERE nick IS NOT NULL;
"#),
    ("partial expression index", MySql, r#"error: mysql cannot create index 'users_lower_idx' on 'users': it has no partial indexes (WHERE …)
"#),
    ("drop index", Sqlite, r#"-- WARNING: dropping index 'ix_users_email' on 'users'
DROP INDEX "ix_users_email";
"#),
    ("drop index", Postgres, r#"-- WARNING: dropping index 'ix_users_email' on 'users'
DROP INDEX "ix_users_email";
"#),
    ("drop index", MySql, r#"-- WARNING: dropping index 'ix_users_email' on 'users'
ALTER TABLE `users` DROP INDEX `ix_users_email`;
"#),
    ("drop the index a foreign key uses", Sqlite, r#"-- WARNING: dropping index 'ix_orders_user' on 'orders'
DROP INDEX "ix_orders_user";
"#),
    ("drop the index a foreign key uses", Postgres, r#"-- WARNING: dropping index 'ix_orders_user' on 'orders'
DROP INDEX "ix_orders_user";
"#),
    ("drop the index a foreign key uses", MySql, r#"-- WARNING: dropping index 'ix_orders_user' on 'orders'
ALTER TABLE `orders` DROP INDEX `ix_orders_user`, ADD INDEX `user_id` (`user_id`);
"#),
    ("generated column", Sqlite, r#"CREATE TABLE "_new_orders" (
    "id" integer NOT NULL,
    "user_id" integer,
    "placed" timestamp,
    "twice" integer GENERATED ALWAYS AS (id * 2) STORED,
    PRIMARY KEY ("id"),
    FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);
INSERT INTO "_new_orders" ("id", "user_id", "placed") SELECT "id", "user_id", "placed" FROM "orders";
DROP TABLE "orders";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_orders" RENAME TO "orders";
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("generated column", Postgres, r#"ALTER TABLE "orders" ADD COLUMN "twice" integer GENERATED ALWAYS AS (id * 2) STORED;
"#),
    ("generated column", MySql, r#"ALTER TABLE `orders` ADD COLUMN `twice` integer GENERATED ALWAYS AS (id * 2) STORED;
"#),
    ("identity added", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer NOT NULL,
    "email" text,
    "age" varchar(20),
    "nick" text,
    PRIMARY KEY ("id"),
    CHECK (age <> '')
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", "nick" FROM "users";
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("identity added", Postgres, r#"ALTER TABLE "users" ALTER COLUMN "id" ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence('"users"', 'id'), max("id")) FROM "users" HAVING max("id") IS NOT NULL;
"#),
    ("identity added", MySql, r#"ALTER TABLE `users` MODIFY COLUMN `id` integer NOT NULL AUTO_INCREMENT;
"#),
    ("serial removed", Sqlite, r#"CREATE TABLE "_new_users" (
    "id" integer NOT NULL,
    "email" text,
    "age" varchar(20),
    "nick" text,
    PRIMARY KEY ("id"),
    CHECK (age <> '')
);
INSERT INTO "_new_users" ("id", "email", "age", "nick") SELECT "id", "email", "age", "nick" FROM "users";
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_users_email" ON "users" ("email");
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("serial removed", Postgres, r#"ALTER TABLE "users" ALTER COLUMN "id" DROP DEFAULT;
DO $$ BEGIN EXECUTE 'DROP SEQUENCE IF EXISTS ' || pg_get_serial_sequence('"users"', 'id'); END $$;
"#),
    ("serial removed", MySql, r#"ALTER TABLE `users` MODIFY COLUMN `id` integer NOT NULL;
"#),
    ("AUTOINCREMENT dropped", Sqlite, r#"CREATE TABLE "_new_log" (
    "id" INTEGER NOT NULL,
    "line" TEXT,
    PRIMARY KEY ("id")
);
INSERT INTO "_new_log" ("id", "line") SELECT "id", "line" FROM "log";
DROP TABLE "log";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_log" RENAME TO "log";
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("AUTOINCREMENT dropped", Postgres, r#"error: postgres cannot make table 'log' AUTOINCREMENT (a SQLite table option)
"#),
    ("AUTOINCREMENT dropped", MySql, r#"error: mysql cannot make table 'log' AUTOINCREMENT (a SQLite table option)
"#),
    ("AUTOINCREMENT kept through a rebuild", Sqlite, r#"CREATE TABLE "_new_log" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "line" TEXT NOT NULL
);
INSERT INTO "_new_log" ("id", "line") SELECT "id", "line" FROM "log";
DELETE FROM sqlite_sequence WHERE name = '_new_log';
INSERT INTO sqlite_sequence (name, seq) SELECT '_new_log', seq FROM sqlite_sequence WHERE name = 'log';
DROP TABLE "log";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_new_log" RENAME TO "log";
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_key_check;
-- (foreign keys off)
"#),
    ("AUTOINCREMENT kept through a rebuild", Postgres, r#"ALTER TABLE "log" ALTER COLUMN "line" SET NOT NULL;
"#),
    ("AUTOINCREMENT kept through a rebuild", MySql, r#"ALTER TABLE `log` MODIFY COLUMN `line` TEXT NOT NULL;
"#),
    ("enum added", Sqlite, r#"error: sqlite cannot have enum type 'size' (it has no enum types)
"#),
    ("enum added", Postgres, r#"CREATE TYPE "size" AS ENUM ('s', 'm');
"#),
    ("enum added", MySql, r#"error: mysql cannot have enum type 'size' (an enum is a column type here)
"#),
    ("enum values added", Sqlite, r#"error: sqlite cannot have enum type 'mood' (it has no enum types)
"#),
    ("enum values added", Postgres, r#"ALTER TYPE "mood" ADD VALUE 'meh' BEFORE 'ok';
ALTER TYPE "mood" ADD VALUE 'happy' AFTER 'ok';
"#),
    ("enum values added", MySql, r#"error: mysql cannot have enum type 'mood' (an enum is a column type here)
"#),
    ("enum value added and used", Sqlite, r#"error: sqlite cannot have enum type 'mood' (it has no enum types)
"#),
    ("enum value added and used", Postgres, r#"ALTER TYPE "mood" ADD VALUE 'happy' AFTER 'ok';
ALTER TABLE "t" ALTER COLUMN "m" SET DEFAULT 'happy'::mood;
-- (not transactional)
"#),
    ("enum value added and used", MySql, r#"error: mysql cannot have enum type 'mood' (an enum is a column type here)
"#),
    ("enum values reordered", Sqlite, r#"error: sqlite cannot have enum type 'mood' (it has no enum types)
"#),
    ("enum values reordered", Postgres, r#"ALTER TYPE "mood" RENAME TO "mood__old";
CREATE TYPE "mood" AS ENUM ('ok', 'sad');
ALTER TABLE "t" ALTER COLUMN "m" DROP DEFAULT;
ALTER TABLE "t" ALTER COLUMN "m" TYPE mood USING "m"::text::mood;
ALTER TABLE "t" ALTER COLUMN "m" SET DEFAULT 'ok'::mood;
DROP TYPE "mood__old";
"#),
    ("enum values reordered", MySql, r#"error: mysql cannot have enum type 'mood' (an enum is a column type here)
"#),
    ("enum value removed", Sqlite, r#"error: sqlite cannot have enum type 'mood' (it has no enum types)
"#),
    ("enum value removed", Postgres, r#"-- WARNING: removing value 'ok' from enum type 'mood' (fails if a row still holds one)
ALTER TYPE "mood" RENAME TO "mood__old";
CREATE TYPE "mood" AS ENUM ('sad');
ALTER TABLE "t" ALTER COLUMN "m" DROP DEFAULT;
ALTER TABLE "t" ALTER COLUMN "m" TYPE mood USING "m"::text::mood;
ALTER TABLE "t" ALTER COLUMN "m" SET DEFAULT 'sad'::mood;
DROP TYPE "mood__old";
"#),
    ("enum value removed", MySql, r#"error: mysql cannot have enum type 'mood' (an enum is a column type here)
"#),
    ("enum dropped", Sqlite, r#"error: sqlite cannot have enum type 'mood' (it has no enum types)
"#),
    ("enum dropped", Postgres, r#"ALTER TABLE "t" ALTER COLUMN "m" DROP DEFAULT;
ALTER TABLE "t" ALTER COLUMN "m" TYPE text USING "m"::text;
-- WARNING: dropping enum type 'mood'
DROP TYPE "mood";
"#),
    ("enum dropped", MySql, r#"error: mysql cannot have enum type 'mood' (an enum is a column type here)
"#),
];

fn rendered(kind: DatabaseKind, before: &Schema, changes: &[Change]) -> String {
    let after = apply(before, changes);
    match render(kind, changes, before, &after) {
        Ok(script) => {
            let mut text = script.to_sql(kind);
            if !script.transactional {
                text.push_str("-- (not transactional)\n");
            }
            if script.foreign_keys_off {
                text.push_str("-- (foreign keys off)\n");
            }
            text
        }
        Err(e) => format!("error: {e}\n"),
    }
}

#[test]
fn every_change_on_every_database() {
    let print = std::env::var_os("PRINT_RENDERED").is_some();
    let mut mismatches = Vec::new();
    let mut seen = 0;
    for (name, before, changes) in cases() {
        for kind in [Sqlite, Postgres, MySql] {
            let got = rendered(kind, &before, &changes);
            if print {
                println!("    ({name:?}, {kind:?}, {got:?}),");
            }
            match EXPECTED.iter().find(|(n, k, _)| *n == name && *k == kind) {
                Some((_, _, want)) => {
                    seen += 1;
                    if *want != got {
                        mismatches.push(format!("{name} on {kind}:\n--- want\n{want}--- got\n{got}"));
                    }
                }
                None => mismatches.push(format!("{name} on {kind}: no expected text; got\n{got}")),
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(seen, EXPECTED.len(), "an expected text has no case");
}

/// Random pairs of schemas, rendered for SQLite and run on an in-memory database: the up
/// script takes a database built from `a` to `b`'s tables, columns, indexes and foreign
/// keys, and the down script back, with `PRAGMA foreign_key_check` clean after each.
#[cfg(feature = "sqlite")]
mod run_on_sqlite {
    use super::*;
    use crate::schema::testing::{Limits, arb_schema_pair_with};
    use proptest::prelude::*;
    use sqlx::{Connection, Row};
    use std::collections::BTreeMap;

    /// Per table: its columns, its indexes (made by CREATE INDEX) and foreign keys.
    type Shape = BTreeMap<String, (Vec<String>, Vec<String>, usize)>;

    fn expected(schema: &Schema) -> Shape {
        schema
            .tables
            .values()
            .map(|t| {
                let mut columns: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
                columns.sort();
                let mut indexes: Vec<String> = t.indexes.iter().map(|i| i.name.name.clone()).collect();
                indexes.sort();
                (t.name.clone(), (columns, indexes, t.foreign_keys.len()))
            })
            .collect()
    }

    async fn actual(c: &mut sqlx::SqliteConnection) -> Shape {
        let tables = sqlx::raw_sql(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap();
        let mut shape = Shape::new();
        for row in tables {
            let table: String = row.get(0);
            let columns_sql = format!("SELECT name FROM pragma_table_xinfo('{table}') ORDER BY name");
            let columns = sqlx::raw_sql(&columns_sql).fetch_all(&mut *c).await.unwrap();
            let indexes_sql = format!("SELECT name FROM pragma_index_list('{table}') WHERE origin = 'c' ORDER BY name");
            let indexes = sqlx::raw_sql(&indexes_sql).fetch_all(&mut *c).await.unwrap();
            let fks_sql = format!("SELECT COUNT(DISTINCT id) FROM pragma_foreign_key_list('{table}')");
            let fks: i64 = sqlx::raw_sql(&fks_sql).fetch_one(&mut *c).await.unwrap().get(0);
            shape.insert(
                table,
                (
                    columns.iter().map(|r| r.get::<String, _>(0)).collect(),
                    indexes.iter().map(|r| r.get::<String, _>(0)).collect(),
                    usize::try_from(fks).unwrap(),
                ),
            );
        }
        shape
    }

    /// As the runner: one transaction, foreign keys off around it when asked, and no
    /// foreign key violation before commit.
    async fn run(c: &mut sqlx::SqliteConnection, script: &Script) -> Result<(), String> {
        if script.foreign_keys_off {
            sqlx::raw_sql("PRAGMA foreign_keys = OFF").execute(&mut *c).await.unwrap();
        }
        sqlx::raw_sql("BEGIN").execute(&mut *c).await.unwrap();
        let mut result = Ok(());
        for s in &script.statements {
            if let Err(e) = sqlx::raw_sql(&s.sql).execute(&mut *c).await {
                result = Err(format!("{}: {e}", s.sql));
                break;
            }
        }
        if result.is_ok() {
            let violations =
                sqlx::raw_sql("PRAGMA foreign_key_check").fetch_all(&mut *c).await.map_err(|e| e.to_string())?;
            if !violations.is_empty() {
                result = Err(format!("{} foreign key violations", violations.len()));
            }
        }
        sqlx::raw_sql(if result.is_ok() { "COMMIT" } else { "ROLLBACK" }).execute(&mut *c).await.unwrap();
        sqlx::raw_sql("PRAGMA foreign_keys = ON").execute(&mut *c).await.unwrap();
        result
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn up_and_down_run((a, b) in arb_schema_pair_with(Limits {
            kind: DatabaseKind::Sqlite,
            index_expressions: true,
            enums: false,
            // Foreign keys reference `id`: it stays the primary key.
            vary_primary_key: false,
            generated_names: true,
        })) {
            let found = crate::schema::compare(&a, &b);
            let up = render(Sqlite, &found.changes, &a, &b).unwrap();
            let down = render(Sqlite, &crate::schema::reverse_all(&found.changes), &b, &a).unwrap();
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let outcome: Result<(), String> = runtime.block_on(async {
                let mut c = sqlx::SqliteConnection::connect("sqlite::memory:").await.unwrap();
                run(&mut c, &create_all(Sqlite, &a).unwrap()).await.map_err(|e| format!("create a: {e}"))?;
                run(&mut c, &up).await.map_err(|e| format!("up: {e}\n{}", up.to_sql(Sqlite)))?;
                let reached = actual(&mut c).await;
                if reached != expected(&b) {
                    return Err(format!("up reached {reached:?}, not {:?}\n{}", expected(&b), up.to_sql(Sqlite)));
                }
                run(&mut c, &down).await.map_err(|e| format!("down: {e}\n{}", down.to_sql(Sqlite)))?;
                let back = actual(&mut c).await;
                if back != expected(&a) {
                    return Err(format!("down reached {back:?}, not {:?}\n{}", expected(&a), down.to_sql(Sqlite)));
                }
                Ok(())
            });
            prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
        }
    }
}

/// The same on PostgreSQL and MariaDB, on a smaller budget (a database per case), from
/// `MIGRATE_TEST_POSTGRES_URL` / `MIGRATE_TEST_MYSQL_URL` (skipped when unset, failing
/// under `MIGRATE_REQUIRE_DATABASES=1`, like the tests in `tests/`).
#[cfg(all(feature = "postgres", feature = "mysql"))]
mod run_on_servers {
    use super::*;
    use crate::schema::testing::{Limits, arb_schema_pair_with};
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    use sqlx::{Connection, Row};
    use std::collections::BTreeMap;

    /// Per table: its columns and its number of foreign keys.
    type Shape = BTreeMap<String, (Vec<String>, usize)>;

    fn expected(schema: &Schema) -> Shape {
        schema
            .tables
            .values()
            .map(|t| {
                let mut columns: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
                columns.sort();
                (t.name.clone(), (columns, t.foreign_keys.len()))
            })
            .collect()
    }

    fn server_url(var: &str) -> Option<String> {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => Some(url),
            _ => {
                assert!(
                    std::env::var("MIGRATE_REQUIRE_DATABASES").as_deref() != Ok("1"),
                    "{var} is not set, and MIGRATE_REQUIRE_DATABASES=1 forbids skipping database tests"
                );
                eprintln!("SKIPPED: set {var} to run rendered SQL on a real server");
                None
            }
        }
    }

    fn with_database(url: &str, name: &str) -> String {
        let authority = url.find("://").map_or(0, |i| i + 3);
        let path = url[authority..].find('/').map_or(url.len(), |i| authority + i);
        let query = url[path..].find('?').map_or(url.len(), |i| path + i);
        format!("{}/{name}{}", &url[..path], &url[query..])
    }

    async fn pg_shape(c: &mut sqlx::PgConnection) -> Shape {
        let rows = sqlx::raw_sql(
            "SELECT c.relname::text, a.attname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' \
             AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap();
        let mut shape = Shape::new();
        for r in rows {
            shape.entry(r.get::<String, _>(0)).or_default().0.push(r.get(1));
        }
        let fks = sqlx::raw_sql(
            "SELECT c.relname::text, COUNT(*)::int8 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
             WHERE k.contype = 'f' GROUP BY 1",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap();
        for r in fks {
            shape.entry(r.get::<String, _>(0)).or_default().1 = usize::try_from(r.get::<i64, _>(1)).unwrap();
        }
        shape
    }

    async fn my_shape(c: &mut sqlx::MySqlConnection) -> Shape {
        let rows = sqlx::raw_sql(
            "SELECT CAST(TABLE_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR) FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1, 2",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap();
        let mut shape = Shape::new();
        for r in rows {
            shape.entry(r.get::<String, _>(0)).or_default().0.push(r.get(1));
        }
        let fks = sqlx::raw_sql(
            "SELECT CAST(TABLE_NAME AS CHAR), COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = DATABASE() GROUP BY 1",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap();
        for r in fks {
            shape.entry(r.get::<String, _>(0)).or_default().1 = usize::try_from(r.get::<i64, _>(1)).unwrap();
        }
        shape
    }

    async fn run_pg(c: &mut sqlx::PgConnection, script: &Script) -> Result<(), String> {
        let transactional = script.transactional;
        if transactional {
            sqlx::raw_sql("BEGIN").execute(&mut *c).await.unwrap();
        }
        for s in &script.statements {
            if let Err(e) = sqlx::raw_sql(&s.sql).execute(&mut *c).await {
                if transactional {
                    sqlx::raw_sql("ROLLBACK").execute(&mut *c).await.unwrap();
                }
                return Err(format!("{}: {e}", s.sql));
            }
        }
        if transactional {
            sqlx::raw_sql("COMMIT").execute(&mut *c).await.map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    async fn run_my(c: &mut sqlx::MySqlConnection, script: &Script) -> Result<(), String> {
        for s in &script.statements {
            sqlx::raw_sql(&s.sql).execute(&mut *c).await.map_err(|e| format!("{}: {e}", s.sql))?;
        }
        Ok(())
    }

    /// Creates `a`, runs up then down in a fresh database, comparing shapes.
    async fn case(kind: DatabaseKind, admin: &str, a: &Schema, b: &Schema) -> Result<(), String> {
        let found = crate::schema::compare(a, b);
        let up = render(kind, &found.changes, a, b).map_err(|e| e.to_string())?;
        let down = render(kind, &crate::schema::reverse_all(&found.changes), b, a).map_err(|e| e.to_string())?;
        let create = create_all(kind, a).map_err(|e| e.to_string())?;
        let name = format!(
            "agcore_{:x}",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        );
        let url = with_database(admin, &name);
        let steps = |shape: Shape, want: &Schema, what: &str, script: &Script| {
            if shape == expected(want) {
                Ok(())
            } else {
                Err(format!("{what} reached {shape:?}, not {:?}\n{}", expected(want), script.to_sql(kind)))
            }
        };
        if kind == Postgres {
            let mut admin_conn = sqlx::PgConnection::connect(admin).await.unwrap();
            sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin_conn).await.unwrap();
            let result = async {
                let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                run_pg(&mut c, &create).await.map_err(|e| format!("create a: {e}"))?;
                run_pg(&mut c, &up).await.map_err(|e| format!("up: {e}\n{}", up.to_sql(kind)))?;
                steps(pg_shape(&mut c).await, b, "up", &up)?;
                run_pg(&mut c, &down).await.map_err(|e| format!("down: {e}\n{}", down.to_sql(kind)))?;
                steps(pg_shape(&mut c).await, a, "down", &down)
            }
            .await;
            sqlx::raw_sql(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin_conn).await.unwrap();
            result
        } else {
            let mut admin_conn = sqlx::MySqlConnection::connect(admin).await.unwrap();
            sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin_conn).await.unwrap();
            let result = async {
                let mut c = sqlx::MySqlConnection::connect(&url).await.unwrap();
                run_my(&mut c, &create).await.map_err(|e| format!("create a: {e}"))?;
                run_my(&mut c, &up).await.map_err(|e| format!("up: {e}\n{}", up.to_sql(kind)))?;
                steps(my_shape(&mut c).await, b, "up", &up)?;
                run_my(&mut c, &down).await.map_err(|e| format!("down: {e}\n{}", down.to_sql(kind)))?;
                steps(my_shape(&mut c).await, a, "down", &down)
            }
            .await;
            sqlx::raw_sql(&format!("DROP DATABASE {name}")).execute(&mut admin_conn).await.unwrap();
            result
        }
    }

    fn run_random_pairs(kind: DatabaseKind, var: &str, cases: u32) {
        let Some(admin) = server_url(var) else { return };
        let limits = Limits {
            kind,
            index_expressions: kind == Postgres,
            enums: kind == Postgres,
            vary_primary_key: false,
            // The server names what is unnamed; the test's models cannot know those names.
            generated_names: false,
        };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        let result = runner.run(&arb_schema_pair_with(limits), |(a, b)| {
            runtime.block_on(case(kind, &admin, &a, &b)).map_err(TestCaseError::fail)
        });
        if let Err(e) = result {
            panic!("{e}");
        }
    }

    /// `default`, or `AGCORE_SERVER_CASES` for a longer run.
    fn cases(default: u32) -> u32 {
        std::env::var("AGCORE_SERVER_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
    }

    #[test]
    fn postgres_up_and_down_run() {
        run_random_pairs(Postgres, "MIGRATE_TEST_POSTGRES_URL", cases(16));
    }

    #[test]
    fn mysql_up_and_down_run() {
        run_random_pairs(MySql, "MIGRATE_TEST_MYSQL_URL", cases(10));
    }
}

#[test]
fn a_rebuild_says_which_triggers_it_cannot_restore() {
    let mut before = counted();
    before.not_compared = vec![
        crate::schema::model::NotCompared { kind: "trigger".into(), name: "log.log_audit".into(), definition: None },
        crate::schema::model::NotCompared {
            kind: "trigger".into(),
            name: "log.log_touch".into(),
            definition: Some("CREATE TRIGGER log_touch AFTER UPDATE ON log BEGIN SELECT 1; END;".into()),
        },
        crate::schema::model::NotCompared { kind: "trigger".into(), name: "other.t".into(), definition: None },
    ];
    let changes = vec![Change::AlterColumn {
        table: "log".into(),
        from: col("line", "TEXT", true),
        to: col("line", "TEXT", false),
    }];
    let script = render(Sqlite, &changes, &before, &apply(&before, &changes)).unwrap();
    let warnings: Vec<&str> = script.warnings().collect();
    assert_eq!(
        warnings,
        [
            "trigger 'log.log_audit' is dropped with table 'log' by this rebuild and not created again: add its CREATE TRIGGER below"
        ]
    );
    assert!(
        script.statements.iter().any(|s| s.sql == "CREATE TRIGGER log_touch AFTER UPDATE ON log BEGIN SELECT 1; END")
    );
}

/// MySQL: renaming the column of a server-named foreign key renames the index InnoDB made
/// for the key (named after the column) with it, so that a later `DROP FOREIGN KEY … DROP
/// INDEX` finds it (found by the round trip in `db::introspect::tests`).
#[test]
fn mysql_renames_a_foreign_keys_own_index_with_its_column() {
    let before = base();
    let rename = Change::RenameColumn { table: "orders".into(), from: "user_id".into(), to: "buyer_id".into() };
    assert_eq!(
        rendered(MySql, &before, std::slice::from_ref(&rename)),
        "ALTER TABLE `orders` RENAME COLUMN `user_id` TO `buyer_id`, RENAME INDEX `user_id` TO `buyer_id`;\n"
    );
    let mut foreign_key = before.tables["orders"].foreign_keys[0].clone();
    foreign_key.columns = vec!["buyer_id".into()];
    let changes = vec![rename.clone(), Change::DropForeignKey { table: "orders".into(), foreign_key }];
    assert!(
        rendered(MySql, &before, &changes)
            .ends_with("ALTER TABLE `orders` DROP FOREIGN KEY `orders_user_id_fkey`, DROP INDEX `buyer_id`;\n")
    );
    // An index of the user's serves the key: InnoDB made none to rename.
    let mut served = before.clone();
    served.tables.get_mut("orders").unwrap().indexes.push(Index {
        name: user("ix_orders_user"),
        unique: false,
        keys: vec![key("user_id")],
        predicate: None,
    });
    assert_eq!(
        rendered(MySql, &served, std::slice::from_ref(&rename)),
        "ALTER TABLE `orders` RENAME COLUMN `user_id` TO `buyer_id`;\n"
    );
}

/// MySQL: `RENAME TABLE` renames the foreign keys named `<old>_ibfk_<n>` with the table,
/// so a key dropped after the rename is dropped by its new name (found by the round trip
/// in `db::introspect::tests`).
#[test]
fn mysql_drops_a_server_named_foreign_key_by_its_name_after_a_table_rename() {
    let mut before = base();
    before.tables.get_mut("orders").unwrap().foreign_keys[0].name = server("orders_ibfk_1");
    let foreign_key = before.tables["orders"].foreign_keys[0].clone();
    let changes = vec![
        Change::RenameTable { from: "orders".into(), to: "purchases".into() },
        Change::DropForeignKey { table: "purchases".into(), foreign_key },
    ];
    assert_eq!(
        rendered(MySql, &before, &changes),
        "RENAME TABLE `orders` TO `purchases`;\n\
         -- WARNING: dropping foreign key on 'purchases' (user_id) referencing 'users' (id)\n\
         ALTER TABLE `purchases` DROP FOREIGN KEY `purchases_ibfk_1`, DROP INDEX `user_id`;\n"
    );
}

/// MariaDB names a check written on a column's line after the column: adding it gives that
/// name, or the server would call it `CONSTRAINT_<n>` and the down could not drop it by the
/// name read from `schema.sql` (found by tests/autogenerate.rs).
#[test]
fn mysql_adds_a_check_named_after_its_column_by_that_name() {
    let before = base();
    let add =
        |name: Name| Change::AddCheck { table: "users".into(), check: Check { name, expression: "`age` > 0".into() } };
    assert_eq!(
        rendered(MySql, &before, &[add(server("age"))]),
        "ALTER TABLE `users` ADD CONSTRAINT `age` CHECK (`age` > 0);\n"
    );
    assert_eq!(
        rendered(MySql, &before, &[add(server("CONSTRAINT_1"))]),
        "ALTER TABLE `users` ADD CHECK (`age` > 0);\n"
    );
}

mod warnings {
    use super::*;
    use crate::schema::testing::{Limits, arb_schema_pair_with};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Warnings come from destructive changes only, and each destructive change's
        /// warning is in the script; creating a schema warns about nothing.
        #[test]
        fn only_destructive_changes_warn((a, b) in arb_schema_pair_with(Limits::model())) {
            for kind in [Sqlite, Postgres, MySql] {
                let limits_ok = |s: &Schema| kind == Postgres
                    || (s.enums.is_empty() && s.tables.values().all(|t| t.indexes.iter().all(|i| i.predicate.is_none())));
                if !limits_ok(&a) || !limits_ok(&b) {
                    continue;
                }
                let found = crate::schema::compare(&a, &b);
                let script = render(kind, &found.changes, &a, &b).unwrap();
                let expected: Vec<String> = found.changes.iter().filter_map(Change::destructive).collect();
                let mut got: Vec<String> = script.warnings().map(str::to_owned).collect();
                let mut want = expected.clone();
                got.sort();
                want.sort();
                prop_assert_eq!(got, want, "{}", script.to_sql(kind));
                prop_assert_eq!(create_all(kind, &b).unwrap().warnings().count(), 0);
            }
        }
    }
}
