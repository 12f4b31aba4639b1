//! PostgreSQL's lock and downtime rules, from squawk (feature `lint-postgres`).
//!
//! squawk is told the truth about each revision instead of guessing: whether it runs in a
//! transaction (its `Transactional` key, else the config's default) and which server
//! version to assume (`postgres_version`). Only the rules listed in [`super::rules::RULES`]
//! run; squawk's style rules and the ones our chain rules cover better are left out.
//! squawk's own `-- squawk-ignore` comments are honoured as well.

use super::RawFinding;
use super::rules::{Engine, RULES};
use squawk_linter::{Linter, LinterSettings, Rule, Version};
use squawk_syntax::SourceFile;
use std::sync::OnceLock;

/// The squawk rules we run, with our static codes.
fn enabled() -> &'static [(Rule, &'static str)] {
    static ENABLED: OnceLock<Vec<(Rule, &'static str)>> = OnceLock::new();
    ENABLED.get_or_init(|| {
        RULES
            .iter()
            .filter(|rule| rule.engine == Engine::Squawk)
            .filter_map(|rule| rule.code.parse::<Rule>().ok().map(|parsed| (parsed, rule.code)))
            .collect()
    })
}

/// Lints one revision's up section.
pub(super) fn check(sql: &str, in_transaction: bool, version: &str, raw: &mut Vec<RawFinding>) {
    let parse = SourceFile::parse(sql);
    if let Some(error) = parse.errors().first() {
        let (line, column) = super::line_col(sql, u32::from(error.range().start()) as usize);
        raw.push(RawFinding {
            section_line: line,
            column: Some(column),
            down: false,
            message: format!("the PostgreSQL parser cannot read this: {}", error.message()),
            help: Some("check the statement; the PostgreSQL rules may have missed it".into()),
            database: None,
            code: "unparsed-statement",
        });
    }
    // A fresh linter per revision: squawk 2.68 keeps earlier findings in a reused one.
    let mut linter = Linter::from(enabled().iter().map(|(rule, _)| *rule));
    linter.settings = LinterSettings {
        pg_version: version.parse::<Version>().unwrap_or_default(),
        assume_in_transaction: in_transaction,
    };
    let statements = parse.tree().stmts().count();
    let violations = linter.lint(&parse, sql);
    // squawk reports CONCURRENTLY in a transaction only in files of several statements,
    // guessing that a one-statement file runs on its own. We know: in a transactional
    // revision it fails.
    if in_transaction
        && statements == 1
        && !violations.iter().any(|v| v.code == Rule::BanConcurrentIndexCreationInTransaction)
    {
        let lexing = crate::dialect::DatabaseKind::Postgres.dialect().lexing();
        let words: Vec<_> = crate::sql::classify::tokens(sql, &lexing).take(4).collect();
        let at = |i: usize, w: &str| words.get(i).is_some_and(|t| t.is(w));
        let concurrently = if at(1, "unique") { 3 } else { 2 };
        if at(0, "create") && at(concurrently - 1, "index") && at(concurrently, "concurrently") {
            let (line, column) = super::line_col(sql, words[concurrently].offset);
            raw.push(RawFinding {
                code: "ban-concurrent-index-creation-in-transaction",
                section_line: line,
                column: Some(column),
                down: false,
                message: "CREATE INDEX CONCURRENTLY cannot run inside the revision's transaction".into(),
                help: Some("add `-- Transactional: false` to the revision's header".into()),
                database: None,
            });
        }
    }
    for violation in violations {
        let Some(&(_, code)) = enabled().iter().find(|(rule, _)| *rule == violation.code) else { continue };
        let (line, column) = super::line_col(sql, u32::from(violation.text_range.start()) as usize);
        raw.push(RawFinding {
            code,
            section_line: line,
            column: Some(column),
            down: false,
            message: violation.message,
            help: violation.help,
            database: None,
        });
    }
}
