//! The migration linter's home: rules with stable kebab-case codes and levels
//! (`allow`/`warn`/`deny`), findings collected before they are reported, per-database
//! hazards, and the rules only a tool that knows the whole chain can check. Statements are
//! classified by [`crate::sql::classify`], as the runner classifies them. Nothing is built
//! here yet.
