//! `cargo migrate lint [REV…] [--since REV] [--explain [CODE]]`: statements that lock or
//! break a live database, found without one. The rules, levels and `Lint-Allow` live in
//! `migrate_embed::lint`; this module picks the revisions and prints the report.
//!
//! Which databases the rules are for: `databases` in [package.metadata.migrate], else the
//! scheme of `--database-url` when given on the command line, else the config's
//! `database_url` (the build script sees only the config, so it agrees unless the flag
//! says otherwise); with none of them, only the rules for every database run.
//!
//! # JSON (`--format json`)
//!
//! ```json
//! {"findings": [{"code": "require-concurrent-index-creation", "level": "warn",
//!    "revision": "ae1027a6a3cf", "path": "migrations/ae10_orders.sql", "line": 14,
//!    "column": 1, "message": "…", "help": "…", "database": "postgres"}],
//!  "errors": [{"path": "migrations/x.sql", "line": 5, "message": "…"}],
//!  "revisions": 9, "statements": 41, "warnings": 1, "denied": 0, "silenced": 2}
//! ```
//! `level` is `warn` or `deny`; `column` and `help` may be null; `database` is null for
//! the rules of every database. `errors` are problems with the input (an unknown code in a
//! `Lint-Allow` header).

use super::{Context, Loaded, resolve_offline};
use crate::cli::LintArgs;
use crate::error::Failure;
use crate::output::Style;
use anyhow::Result;
use migrate_embed::dialect::DatabaseKind;
use migrate_embed::graph::RevIndex;
use migrate_embed::lint::rules::{RULES, explain, find, unknown_code_hint};
use migrate_embed::lint::{Finding, Level, LintSettings, Report, Selection, lint};
use serde::Serialize;

/// Lints, prints the report, and fails (exit 1) on a `deny` finding; an unknown code in a
/// header is an input error (exit 2).
///
/// # Errors
/// As above, or when the package, its config or its revisions cannot be read.
pub fn run(ctx: &Context, args: &LintArgs) -> Result<()> {
    if let Some(code) = &args.explain {
        return explain_code(ctx, code);
    }
    let loaded = ctx.load()?;
    let graph = &*loaded.graph;
    let mut selection = Selection::default();
    if let Some(since) = &args.since {
        let deployed = single(resolve_offline(graph, since)?, since)?;
        selection.deployed = Some(deployed);
        let below = graph.ancestors(&[deployed], true);
        selection.revisions = Some((0..graph.len()).filter(|&i| !below[i]).collect());
    } else if !args.revisions.is_empty() {
        let mut chosen = Vec::new();
        for target in &args.revisions {
            chosen.extend(resolve_offline(graph, target)?);
        }
        chosen.sort_unstable();
        chosen.dedup();
        selection.revisions = Some(chosen);
    }
    let report = run_lint(ctx, &loaded, &selection);
    print_report(ctx, &report)?;
    outcome(&report)
}

fn single(list: Vec<RevIndex>, target: &migrate_embed::graph::Target) -> Result<RevIndex> {
    match list[..] {
        [one] => Ok(one),
        _ => Err(Failure::usage(format!("--since {target} must name one revision")).into()),
    }
}

/// The package's lint settings, with `--database-url`'s scheme when the config names no
/// database.
pub fn settings(ctx: &Context, loaded: &Loaded) -> LintSettings {
    let mut settings = LintSettings::from_config(&loaded.project.config);
    if loaded.project.config.databases.is_none()
        && let Some(kind) = ctx.global.database_url.as_deref().and_then(DatabaseKind::from_url)
    {
        settings.databases = vec![kind];
    }
    settings
}

/// Lints `selection` of the loaded package.
pub fn run_lint(ctx: &Context, loaded: &Loaded, selection: &Selection) -> Report {
    let mut report = lint(&loaded.graph, &settings(ctx, loaded), selection, &loaded.project.package.manifest_path);
    for finding in &mut report.findings {
        finding.path = ctx.display(&finding.path).into();
    }
    for error in &mut report.errors {
        error.path = ctx.display(&error.path).into();
    }
    report
}

/// Exit 2 for input errors, 1 for `deny` findings, else success.
fn outcome(report: &Report) -> Result<()> {
    if !report.errors.is_empty() {
        let lines: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        return Err(Failure::usage(lines.join("\n")).hint("`cargo migrate lint --explain` lists every code").into());
    }
    let denied = report.count(Level::Deny);
    if denied > 0 {
        return Err(Failure::check_failed(format!(
            "{denied} lint finding{} at level `deny`",
            if denied == 1 { "" } else { "s" }
        ))
        .hint("fix the statements, or set the rule's level in [package.metadata.migrate.lint]")
        .into());
    }
    Ok(())
}

/// One finding as rustc prints a diagnostic.
pub fn render_finding(finding: &Finding, style: Style) -> String {
    let label = match finding.level {
        Level::Deny => style.error("error"),
        _ => style.warning("warning"),
    };
    let mut text = format!("{label}[{}]: {}\n", finding.code, finding.message);
    let column = finding.column.map(|c| format!(":{c}")).unwrap_or_default();
    text.push_str(&format!(
        "  --> {}:{}{column} (revision {})\n",
        finding.path.display(),
        finding.line,
        finding.revision
    ));
    if let Some(help) = &finding.help {
        text.push_str(&format!("  = {} {help}\n", style.hint("help:")));
    }
    text
}

fn print_report(ctx: &Context, report: &Report) -> Result<()> {
    if ctx.output.json() {
        return Ok(ctx.output.print_json(&ReportJson::new(report))?);
    }
    let mut text = String::new();
    for finding in &report.findings {
        text.push_str(&render_finding(finding, ctx.output.style));
        text.push('\n');
    }
    if !ctx.output.quiet {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        text.push_str(&format!(
            "lint: {} and {} in {} ({}); {} silenced by levels or Lint-Allow\n",
            plural(report.count(Level::Warn), "warning"),
            plural(report.count(Level::Deny), "error"),
            plural(report.revisions, "revision"),
            plural(report.statements, "statement"),
            report.silenced,
        ));
        if !report.findings.is_empty() {
            text.push_str("`cargo migrate lint --explain CODE` explains a code and gives the safe rewrite\n");
        }
    }
    Ok(ctx.output.print(&text)?)
}

fn explain_code(ctx: &Context, code: &str) -> Result<()> {
    if code.is_empty() {
        let width = RULES.iter().map(|r| r.code.len()).max().unwrap_or(0);
        let mut text = String::new();
        for rule in RULES {
            text.push_str(&format!(
                "{:width$}  {:5}  {:15}  {}\n",
                rule.code,
                rule.default_level.as_str(),
                rule.scope.name(),
                rule.summary
            ));
        }
        return Ok(ctx.output.print(&text)?);
    }
    match find(code) {
        Some(rule) => Ok(ctx.output.print(&explain(rule))?),
        None => Err(Failure::usage(format!("`{code}` is not a lint code")).hint(unknown_code_hint(code)).into()),
    }
}

/// `lint --format json` (see the module docs).
#[derive(Debug, Serialize)]
struct ReportJson<'a> {
    findings: Vec<FindingJson<'a>>,
    errors: Vec<ErrorJson>,
    revisions: usize,
    statements: usize,
    warnings: usize,
    denied: usize,
    silenced: usize,
}

#[derive(Debug, Serialize)]
struct FindingJson<'a> {
    code: &'a str,
    level: &'static str,
    revision: &'a str,
    path: String,
    line: usize,
    column: Option<usize>,
    message: &'a str,
    help: Option<&'a str>,
    database: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct ErrorJson {
    path: String,
    line: usize,
    message: String,
}

impl<'a> ReportJson<'a> {
    fn new(report: &'a Report) -> Self {
        Self {
            findings: report
                .findings
                .iter()
                .map(|f| FindingJson {
                    code: f.code,
                    level: f.level.as_str(),
                    revision: &f.revision,
                    path: f.path.display().to_string(),
                    line: f.line,
                    column: f.column,
                    message: &f.message,
                    help: f.help.as_deref(),
                    database: f.database.map(DatabaseKind::name),
                })
                .collect(),
            errors: report
                .errors
                .iter()
                .map(|e| ErrorJson { path: e.path.display().to_string(), line: e.line, message: e.message.clone() })
                .collect(),
            revisions: report.revisions,
            statements: report.statements,
            warnings: report.count(Level::Warn),
            denied: report.count(Level::Deny),
            silenced: report.silenced,
        }
    }
}
