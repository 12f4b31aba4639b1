//! SQL text, read lexically: cutting a revision into statements ([`split`]) and telling
//! what kind of statement each is ([`classify`]). The runner, offline scripts and the
//! linter share both, so they never disagree about where a statement ends or what it does.

pub mod classify;
pub mod split;
pub mod tokens;
