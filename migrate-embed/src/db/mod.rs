//! The database half: live connections ([`Conn`]), the run lock ([`lock`]) and the version
//! table's reads and writes ([`VersionStore`]). What differs between databases is asked of
//! their [`crate::dialect`]; nothing here matches on the database itself except to reach
//! the driver's connection.

pub(crate) mod conn;
mod error;
#[cfg(feature = "schema")]
pub mod introspect;
pub mod lock;
#[cfg(feature = "schema")]
pub mod scratch;
mod store;

pub use conn::Conn;
pub(crate) use error::code_and_message;
pub use error::{DbError, database_message, error_line};
pub use store::VersionStore;
