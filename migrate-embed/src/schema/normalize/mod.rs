//! Pure normalisation helpers for introspection: the canonical spelling of what a server
//! stores as the user wrote it (SQLite's types, defaults, checks and index text), PostgreSQL
//! serial columns, MySQL/MariaDB defaults and foreign-key rules, and the names servers make
//! up for unnamed constraints ([`Name::generated`](super::model::Name::generated)).
//!
//! Introspection calls these so that "the same schema written differently" gives equal
//! models. One file per database, like [`crate::dialect`]:
//!
//! | file | database |
//! | --- | --- |
//! | [`sqlite`] | SQLite: a canonical text built on [`crate::sql::tokens`] |
//! | [`postgres`] | PostgreSQL |
//! | [`mysql`] | MySQL and MariaDB |

pub mod mysql;
pub mod postgres;
pub mod sqlite;

/// What kind of object a server-made name is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A primary key.
    PrimaryKey,
    /// A unique constraint (on MySQL, a unique index).
    Unique,
    /// A check constraint.
    Check,
    /// A foreign key.
    ForeignKey,
    /// An index that backs no constraint.
    Index,
}
