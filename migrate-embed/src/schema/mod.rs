//! Autogenerate's pure half: a schema model that does not depend on the database
//! ([`model`]), the comparison of two models into changes (each with its reverse and
//! whether it destroys data), and the DDL of those changes per database. Introspection,
//! which reads a model from a live database, is in the database half.
//!
//! Three steps that never mix, as Alembic's autogenerate keeps them: compare, reverse,
//! render. Behind the `schema` feature: applications that only migrate do not build it.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`model`] | the schema model both sides are read into |
//! | [`diff`] | [`compare`]: the changes between two models, and possible renames |
//! | [`change`] | [`Change`]: one difference, its reverse, its warning, its description |
//! | [`render`](mod@render) | [`render()`](render::render) and [`create_all`]: the SQL per database |
//! | [`normalize`] | canonical spellings introspection uses (SQLite text, PostgreSQL serials, MySQL defaults, made-up names) |
//!
//! ```
//! use migrate_embed::dialect::DatabaseKind;
//! use migrate_embed::schema::{compare, create_all, render, reverse_all, model::{Column, Schema, Table}};
//!
//! let mut head = Schema::default();
//! head.tables.insert("users".into(), Table {
//!     name: "users".into(),
//!     columns: vec![Column { name: "id".into(), data_type: "integer".into(), ..Column::default() }],
//!     ..Table::default()
//! });
//! let mut desired = head.clone();
//! desired.tables.get_mut("users").unwrap().columns.push(
//!     Column { name: "email".into(), data_type: "text".into(), nullable: true, ..Column::default() });
//!
//! let found = compare(&head, &desired);
//! assert_eq!(found.changes[0].describe(), "added column 'users.email'");
//! let up = render(DatabaseKind::Postgres, &found.changes, &head, &desired).unwrap();
//! assert_eq!(up.to_sql(DatabaseKind::Postgres), "ALTER TABLE \"users\" ADD COLUMN \"email\" text;\n");
//! let down = render(DatabaseKind::Postgres, &reverse_all(&found.changes), &desired, &head).unwrap();
//! assert_eq!(down.to_sql(DatabaseKind::Postgres),
//!            "-- WARNING: dropping column 'users.email' deletes its data\nALTER TABLE \"users\" DROP COLUMN \"email\";\n");
//! assert!(create_all(DatabaseKind::Sqlite, &desired).unwrap().statements[0].sql.starts_with("CREATE TABLE \"users\""));
//! ```

pub mod change;
pub mod desired;
pub mod diff;
pub mod model;
pub mod normalize;
pub mod render;
#[cfg(test)]
pub(crate) mod testing;

pub use change::{Change, reverse_all};
pub use diff::{Comparison, PossibleRename, compare};
pub use model::Schema;
pub use render::{RenderError, Script, ScriptStatement, create_all, render};
