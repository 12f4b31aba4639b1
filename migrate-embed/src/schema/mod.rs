//! Autogenerate's pure half: a schema model that does not depend on the database
//! ([`model`]), the comparison of two models into changes (each with its reverse and
//! whether it destroys data), and the DDL of those changes per database. Introspection,
//! which reads a model from a live database, is in the database half.
//!
//! Three steps that never mix, as Alembic's autogenerate keeps them: compare, reverse,
//! render. Behind the `schema` feature: applications that only migrate do not build it.

pub mod model;

pub use model::Schema;
