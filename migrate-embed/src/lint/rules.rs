//! Every lint code: what it catches, why it matters, the safe rewrite, its default level
//! and the databases it applies to. `cargo migrate lint --explain CODE` prints an entry.
//!
//! The list does not depend on the crate's features: a config or a `Lint-Allow` header that
//! names a PostgreSQL rule is valid in a build script compiled without squawk, which then
//! simply does not run that rule.

use super::Level;
use crate::dialect::DatabaseKind;

/// Which databases a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every database, and packages whose database is not known.
    All,
    /// One database family.
    Only(DatabaseKind),
}

impl Scope {
    /// Whether the rule runs for a package that targets `kind` (`None`: unknown).
    pub fn applies_to(self, kind: Option<DatabaseKind>) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(only) => kind == Some(only),
        }
    }

    /// `all databases`, `postgres`, …
    pub fn name(self) -> &'static str {
        match self {
            Scope::All => "every database",
            Scope::Only(kind) => kind.name(),
        }
    }
}

/// Which engine finds a rule's problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// cargo-migrate itself: the chain, the statements' keywords (`sql::classify`).
    Chain,
    /// cargo-migrate with the `sqlparser` parser (feature `lint-sql`), falling back to the
    /// statements' keywords where the parser cannot read one.
    Parser,
    /// squawk (feature `lint-postgres`).
    Squawk,
}

/// One lint rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The stable kebab-case code.
    pub code: &'static str,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Why it matters (one paragraph).
    pub explanation: &'static str,
    /// The safe rewrite.
    pub rewrite: &'static str,
    /// The level when the config does not set one.
    pub default_level: Level,
    /// Where it applies.
    pub scope: Scope,
    /// What finds it.
    pub engine: Engine,
}

const PG: Scope = Scope::Only(DatabaseKind::Postgres);
const MY: Scope = Scope::Only(DatabaseKind::MySql);
const LITE: Scope = Scope::Only(DatabaseKind::Sqlite);

const fn ours(
    code: &'static str,
    scope: Scope,
    summary: &'static str,
    explanation: &'static str,
    rewrite: &'static str,
) -> Rule {
    Rule { code, summary, explanation, rewrite, default_level: Level::Warn, scope, engine: Engine::Chain }
}

const fn parsed(
    code: &'static str,
    scope: Scope,
    summary: &'static str,
    explanation: &'static str,
    rewrite: &'static str,
) -> Rule {
    Rule { code, summary, explanation, rewrite, default_level: Level::Warn, scope, engine: Engine::Parser }
}

const fn squawk(code: &'static str, summary: &'static str, explanation: &'static str, rewrite: &'static str) -> Rule {
    Rule { code, summary, explanation, rewrite, default_level: Level::Warn, scope: PG, engine: Engine::Squawk }
}

/// Every rule, ours first, then MySQL/MariaDB, SQLite and PostgreSQL (squawk's).
pub const RULES: &[Rule] = &[
    ours(
        "missing-down",
        Scope::All,
        "the revision has no down section",
        "Without a `-- migrate:down` section the revision is irreversible: `cargo migrate downgrade` \
         through it stops before running anything. That is right for a revision that cannot be undone \
         (it deletes data for good), but usually the section was forgotten, and the rollback is \
         discovered missing on the day it is needed.",
        "Write a `-- migrate:down` section that undoes the up section, newest change first. If the \
         revision is irreversible on purpose, say so in its header: `-- Lint-Allow: missing-down`.",
    ),
    ours(
        "incomplete-down",
        Scope::All,
        "the down section leaves something the up section created",
        "The down section should take the schema back to what it was before the up section ran. This \
         rule reads what the up section creates (tables, columns, indexes, constraints, views, types, \
         sequences, functions, triggers) and renames, and reports each one the down section neither drops \
         (itself or its table) nor renames back. A downgrade that leaves a table behind makes the next \
         upgrade fail with \"already exists\".",
        "Add the missing `DROP …` (or `ALTER TABLE … RENAME … TO …` back) to the down section, in \
         reverse order of the up section.",
    ),
    ours(
        "removes-deployed-object",
        Scope::All,
        "a table, column, view or type that is already deployed is dropped or renamed",
        "While a release rolls out, the previous version of the application is still running, and it \
         reads the tables and columns the earlier releases created. Dropping or renaming one of them \
         breaks that code at once (and a drop loses the data). Expand/contract avoids it: one release \
         stops using the object, a later release removes it. The rule knows which revisions created \
         what: an object created in the same release (by this revision or an earlier one not yet \
         deployed) may be dropped or renamed freely. A release is the set of revisions after the \
         deployed mark: `cargo migrate lint --since REV`, or `deployed = \"REV\"` in \
         [package.metadata.migrate]; without either, every revision counts as deployed on its own.",
        "Expand/contract: to rename, add the new column (or table), write to both, backfill, switch \
         the reads, and drop the old one in a later release. To drop, release code that no longer uses \
         it first; then drop it in a revision of the next release, with `-- Lint-Allow: \
         removes-deployed-object` once you have checked nothing reads it.",
    ),
    ours(
        "destructive-statement",
        Scope::All,
        "the up section deletes every row of a table that is already deployed",
        "`TRUNCATE` and `DELETE` without `WHERE` remove all the rows of a table, and no down section can \
         bring them back. In a migration they are more often a mistake (a test fixture, a missing \
         `WHERE`) than a decision. Tables created in the same release are exempt.",
        "Add the `WHERE` that selects the rows meant, or, if emptying the table is the point, keep a \
         copy first (`CREATE TABLE t_backup AS SELECT * FROM t`) and mark the revision with \
         `-- Lint-Allow: destructive-statement`.",
    ),
    ours(
        "unparsed-statement",
        Scope::All,
        "the linter's parser cannot read a statement",
        "The PostgreSQL, MySQL and SQLite rules read statements with a SQL parser. When it cannot read \
         one (syntax it does not know, such as some MariaDB table options, or a real syntax error), that \
         statement is checked by its leading keywords only and may hide a hazard. This never fails a \
         build unless the config sets this rule to `deny`.",
        "Check the statement by hand (or on a scratch database). If it is valid for your server, silence \
         this for the revision with `-- Lint-Allow: unparsed-statement`, or set `unparsed-statement = \
         \"allow\"` in [package.metadata.migrate.lint].",
    ),
    ours(
        "mixed-ddl-and-data",
        MY,
        "DDL, which commits implicitly, is mixed with data changes in one revision",
        "MySQL and MariaDB commit before and after every DDL statement, so a revision that holds DDL is \
         not atomic even when it runs in a transaction. If it also changes data (INSERT, UPDATE, DELETE) \
         and a later statement fails, the schema changes and part of the data changes stay applied, the \
         version table marks the revision failed, and someone must repair the database by hand before \
         the next run.",
        "Put the schema changes and the data changes in separate revisions (one DDL statement per \
         revision is safest on MySQL), so each one either applies or can simply be retried.",
    ),
    parsed(
        "mysql-blocking-alter",
        MY,
        "an ALTER TABLE that blocks writes while it copies or rebuilds the table",
        "Changing a column's type (MODIFY/CHANGE), adding a foreign key (unless the revision says \
         `Foreign Keys: off` or sets foreign_key_checks = 0 first), a \
         CHECK constraint or a stored generated column, dropping the primary key alone, or converting the \
         character set runs with ALGORITHM=COPY on MySQL and MariaDB: the table is copied row by row and \
         writes wait for the whole copy. Adding an AUTO_INCREMENT column or a FULLTEXT or SPATIAL index \
         runs in place but also without concurrent writes. On a large table that is minutes to hours of \
         downtime.",
        "State what you can accept: `ALTER TABLE t …, ALGORITHM=INPLACE, LOCK=NONE` (or \
         `ALGORITHM=INSTANT`), so the server refuses the statement instead of locking the table. For a \
         type change, use expand/contract (new column, backfill in batches, switch, drop) or an online \
         schema change tool (gh-ost, pt-online-schema-change).",
    ),
    parsed(
        "mysql-table-rebuild",
        MY,
        "an ALTER TABLE that rebuilds the whole table",
        "Making a column NULL or NOT NULL, adding a primary key, reordering columns, `ENGINE=`, `FORCE`, \
         `ROW_FORMAT=` and `OPTIMIZE TABLE` rebuild the table in place. Writes continue, but the rebuild \
         reads and writes the whole table, takes an exclusive metadata lock at its start and end (queued \
         behind any long transaction, with every later query queued behind it), and delays replicas by \
         its full duration.",
        "Schedule it for a quiet period and state `ALGORITHM=INPLACE, LOCK=NONE` so it cannot fall back \
         to a copy; set `SET SESSION lock_wait_timeout = 5` first so it gives up instead of queueing \
         everything behind it.",
    ),
    parsed(
        "sqlite-unsupported-alter",
        LITE,
        "an ALTER TABLE form that SQLite does not have",
        "SQLite's ALTER TABLE only renames a table, renames a column, adds a column and drops a column, \
         one change per statement. `ALTER COLUMN`, `ADD CONSTRAINT`, `DROP CONSTRAINT`, `MODIFY` and \
         several changes in one statement are syntax errors there, so the revision fails when it runs.",
        "Rebuild the table (SQLite's documented twelve steps): create the new table under a temporary \
         name, `INSERT INTO new SELECT … FROM old`, drop the old table, rename the new one, recreate its \
         indexes, triggers and views, then run `PRAGMA foreign_key_check`.",
    ),
    parsed(
        "sqlite-add-column-rejected",
        LITE,
        "an ADD COLUMN that SQLite refuses on a table with rows",
        "SQLite adds a column without rewriting the table, so it refuses columns that would need one: \
         `PRIMARY KEY` or `UNIQUE` columns, `NOT NULL` without a non-null default, a non-constant default \
         (`CURRENT_TIMESTAMP`, an expression in parentheses), a `STORED` generated column. Some of these \
         only fail once the table has rows, so they pass on a developer's empty database and fail in \
         production.",
        "Give the column a constant default (`NOT NULL DEFAULT 0`), add the uniqueness as a separate \
         `CREATE UNIQUE INDEX`, fill computed values with an `UPDATE` after adding the column, or rebuild \
         the table.",
    ),
    ours(
        "sqlite-pragma-in-transaction",
        LITE,
        "a PRAGMA that does nothing inside the revision's transaction",
        "`PRAGMA foreign_keys` cannot change inside a transaction: SQLite ignores it without an \
         error. (`PRAGMA legacy_alter_table`, which a rebuild sets around its `RENAME`, does change \
         there, and is not reported.) A transactional revision that turns foreign keys off to \
         rebuild a table therefore runs with them on, and dropping the old table deletes or breaks the \
         child rows through their foreign keys.",
        "Remove the PRAGMA and say `-- Foreign Keys: off` in the revision's header: the runner turns \
         enforcement off around the revision's transaction and runs `PRAGMA foreign_key_check` before \
         the commit. (Or mark the revision `-- Transactional: false` and switch it yourself.)",
    ),
    squawk(
        "require-concurrent-index-creation",
        "CREATE INDEX without CONCURRENTLY on an existing table",
        "A plain `CREATE INDEX` takes a SHARE lock on the table for the whole build: every INSERT, UPDATE \
         and DELETE waits until the index is built, minutes on a large table. Indexes on tables created in \
         the same transaction are exempt.",
        "`CREATE INDEX CONCURRENTLY …` in a revision marked `-- Transactional: false` (CONCURRENTLY cannot \
         run inside a transaction); one index per revision, since a failed concurrent build leaves an \
         invalid index to drop before retrying.",
    ),
    squawk(
        "require-concurrent-index-deletion",
        "DROP INDEX without CONCURRENTLY",
        "A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the table: reads and writes wait, and so \
         does everything queued behind it while it waits for running transactions.",
        "`DROP INDEX CONCURRENTLY …` in a revision marked `-- Transactional: false`.",
    ),
    squawk(
        "ban-concurrent-index-creation-in-transaction",
        "CREATE INDEX CONCURRENTLY in a revision that runs in a transaction",
        "PostgreSQL refuses `CREATE INDEX CONCURRENTLY` inside a transaction block, so this revision fails \
         when it runs. cargo-migrate runs a revision in a transaction unless its header (or the config's \
         `transactional = false`) says otherwise.",
        "Add `-- Transactional: false` to the revision's header (`cargo migrate revision --no-transaction` \
         writes it), and keep other statements out of it.",
    ),
    squawk(
        "constraint-missing-not-valid",
        "a constraint added to an existing table without NOT VALID",
        "Adding a CHECK or FOREIGN KEY constraint scans the whole table to validate it while holding a lock \
         that blocks writes (ACCESS EXCLUSIVE for a CHECK).",
        "Add it with `NOT VALID` (instant; new rows are checked), then validate in a later revision with \
         `ALTER TABLE t VALIDATE CONSTRAINT c`, which only takes a SHARE UPDATE EXCLUSIVE lock.",
    ),
    squawk(
        "adding-foreign-key-constraint",
        "a foreign key added to an existing table in one step",
        "Adding a foreign key locks both tables against writes (SHARE ROW EXCLUSIVE) while every existing \
         row is checked.",
        "`ALTER TABLE t ADD CONSTRAINT fk … REFERENCES p (id) NOT VALID`, then \
         `ALTER TABLE t VALIDATE CONSTRAINT fk` in a later revision.",
    ),
    squawk(
        "adding-field-with-default",
        "a column added with a volatile default (or any default before PostgreSQL 11)",
        "Before PostgreSQL 11 any default, and since then a volatile one (`random()`, `gen_random_uuid()`, \
         `clock_timestamp()`), makes ADD COLUMN rewrite the whole table under an ACCESS EXCLUSIVE lock. \
         The check uses the configured `postgres_version`.",
        "Add the column without the default (or with a constant one), set the default in a second \
         statement, and backfill existing rows in batches.",
    ),
    squawk(
        "adding-not-nullable-field",
        "SET NOT NULL on an existing column",
        "`ALTER COLUMN … SET NOT NULL` scans the whole table under an ACCESS EXCLUSIVE lock to prove there \
         is no NULL.",
        "Add `CHECK (c IS NOT NULL) NOT VALID`, validate it in a later revision, then `SET NOT NULL` \
         (PostgreSQL 12+ uses the valid check and skips the scan), and drop the check.",
    ),
    squawk(
        "adding-required-field",
        "a NOT NULL column without a default added to an existing table",
        "Adding a `NOT NULL` column without a default fails as soon as the table has a row: it works on an \
         empty development database and breaks in production.",
        "Add the column with a default, or nullable; backfill; then make it NOT NULL safely.",
    ),
    squawk(
        "adding-serial-primary-key-field",
        "a primary key added to an existing table",
        "Adding a primary key (or a serial primary key column) builds a unique index while holding an \
         ACCESS EXCLUSIVE lock on the table.",
        "Build the unique index first with `CREATE UNIQUE INDEX CONCURRENTLY`, then \
         `ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY USING INDEX idx`.",
    ),
    squawk(
        "changing-column-type",
        "a column's type is changed",
        "Most type changes rewrite the whole table and its indexes under an ACCESS EXCLUSIVE lock, and \
         the running application may not understand the new type.",
        "Expand/contract: add a column of the new type, write to both, backfill in batches, switch the \
         reads, drop the old column in a later release.",
    ),
    squawk(
        "disallowed-unique-constraint",
        "a UNIQUE constraint added to an existing table without an index",
        "`ADD CONSTRAINT … UNIQUE` builds its index under an ACCESS EXCLUSIVE lock.",
        "`CREATE UNIQUE INDEX CONCURRENTLY idx …` (in a `Transactional: false` revision), then \
         `ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX idx`.",
    ),
    squawk(
        "require-concurrent-reindex",
        "REINDEX without CONCURRENTLY",
        "A plain REINDEX blocks writes to the table (and reads that use the index) until it finishes.",
        "`REINDEX … CONCURRENTLY` (PostgreSQL 12+) in a revision marked `-- Transactional: false`.",
    ),
    squawk(
        "require-concurrent-partition-detach",
        "DETACH PARTITION without CONCURRENTLY",
        "Detaching a partition takes an ACCESS EXCLUSIVE lock on the parent table.",
        "`ALTER TABLE parent DETACH PARTITION p CONCURRENTLY` (PostgreSQL 14+) in a revision marked \
         `-- Transactional: false`.",
    ),
    squawk(
        "ban-drop-not-null",
        "DROP NOT NULL on a column",
        "Dropping NOT NULL lets NULLs in; code of the running release that assumes a value breaks on the \
         first such row.",
        "Release code that handles NULL first, then drop the constraint.",
    ),
    squawk(
        "prefer-robust-stmts",
        "a statement that cannot be retried, in a revision that runs outside a transaction",
        "A `Transactional: false` revision that fails half-way leaves its first statements applied. \
         Statements written to be rerun (`IF NOT EXISTS`, `IF EXISTS`, `CONCURRENTLY` with a drop of an \
         invalid index first) let the operator fix the cause and run it again.",
        "Use `CREATE INDEX CONCURRENTLY IF NOT EXISTS`, `ADD COLUMN IF NOT EXISTS`, `DROP … IF EXISTS`, \
         or let the revision run in a transaction.",
    ),
    squawk(
        "transaction-nesting",
        "BEGIN or COMMIT inside a revision",
        "cargo-migrate runs a revision in its own transaction together with its version-table row; a \
         `BEGIN`/`COMMIT` in the file ends that transaction early, so a failure can no longer roll the \
         revision back and the version row may not match what ran.",
        "Remove `BEGIN`/`COMMIT` from the file; to run without a transaction, use `-- Transactional: false`.",
    ),
    squawk(
        "ban-uncommitted-transaction",
        "a BEGIN without its COMMIT",
        "A transaction opened in a file and never closed leaves the session inside it; what follows runs \
         in it or is lost.",
        "Remove the `BEGIN`, or close it with `COMMIT`; better, let cargo-migrate own the transaction.",
    ),
    Rule {
        default_level: Level::Allow,
        ..squawk(
            "require-lock-timeout",
            "DDL without a lock_timeout set first (off by default)",
            "A DDL statement that waits for a lock held by a long transaction queues every later query \
             on the table behind it: the table is down until the DDL gets its lock. `SET lock_timeout` \
             makes it give up instead. Off by default: squawk reports it on nearly every revision with \
             DDL, and the timeout is better set once for the migration role (`ALTER ROLE migrator SET \
             lock_timeout = '5s'`) than in every file.",
            "`SET lock_timeout = '5s';` at the top of the up section (in a transaction it lasts until the \
             revision commits), or for the role that runs migrations; enable with \
             `require-lock-timeout = \"warn\"`.",
        )
    },
    Rule {
        default_level: Level::Allow,
        ..squawk(
            "require-statement-timeout",
            "DDL without a statement_timeout set first (off by default)",
            "A statement_timeout bounds how long a slow statement may hold its locks. Off by default, for \
             the same reason as require-lock-timeout, and because a backfill that is meant to take long \
             must not be killed by it.",
            "`SET statement_timeout = '5min';` at the top of the up section; enable with \
             `require-statement-timeout = \"warn\"`.",
        )
    },
];

/// squawk's rules that cargo-migrate does not run, each with the reason or the rule that
/// covers it, so `--explain` and config errors can say so.
pub const NOT_RUN: &[(&str, &str)] = &[
    ("ban-drop-column", "removes-deployed-object (it knows which columns the release created)"),
    ("ban-drop-table", "removes-deployed-object (it knows which tables the release created)"),
    ("ban-drop-database", "removes-deployed-object"),
    ("ban-drop-schema", "removes-deployed-object"),
    ("ban-drop-view", "removes-deployed-object"),
    ("ban-drop-type", "removes-deployed-object"),
    ("ban-drop-sequence", "removes-deployed-object"),
    ("renaming-column", "removes-deployed-object (it knows which columns the release created)"),
    ("renaming-table", "removes-deployed-object (it knows which tables the release created)"),
    ("ban-truncate-cascade", "destructive-statement"),
    ("require-timeout-settings", "require-lock-timeout and require-statement-timeout"),
];

/// The rule with this code.
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.code == code)
}

/// A message for a code that names no rule: why (when it is a squawk rule we do not run),
/// or the closest codes.
pub fn unknown_code_hint(code: &str) -> String {
    if let Some((_, instead)) = NOT_RUN.iter().find(|(name, _)| *name == code) {
        return format!("`{code}` is a squawk rule that cargo-migrate does not run; it checks this as {instead}");
    }
    let mut close: Vec<&str> = RULES
        .iter()
        .map(|r| r.code)
        .filter(|c| c.contains(code) || code.contains(c) || edit_distance(c, code) <= 3)
        .collect();
    close.truncate(3);
    if close.is_empty() {
        "`cargo migrate lint --explain` lists every code".to_owned()
    } else {
        format!("did you mean {}? (`cargo migrate lint --explain` lists every code)", close.join(", "))
    }
}

/// Levenshtein distance, for suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + usize::from(ca != cb));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The `--explain` text of a rule.
pub fn explain(rule: &Rule) -> String {
    let level = match rule.default_level {
        Level::Allow => "allow (off unless the config turns it on)",
        Level::Warn => "warn",
        Level::Deny => "deny",
    };
    let source = match rule.engine {
        Engine::Chain => "cargo-migrate",
        Engine::Parser => "cargo-migrate, with a SQL parser",
        Engine::Squawk => "squawk",
    };
    format!(
        "{code}: {summary}\n\nApplies to: {scope}. Default level: {level}. Checked by: {source}.\n\n{explanation}\n\n\
         Safe rewrite:\n{rewrite}\n\nSilence it for one revision with `-- Lint-Allow: {code}`, or set its level in \
         [package.metadata.migrate.lint]: `{code} = \"allow\" | \"warn\" | \"deny\"`.\n",
        code = rule.code,
        summary = rule.summary,
        scope = rule.scope.name(),
        explanation = rule.explanation,
        rewrite = rule.rewrite,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        for (i, rule) in RULES.iter().enumerate() {
            assert!(
                rule.code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                rule.code
            );
            assert!(RULES[..i].iter().all(|other| other.code != rule.code), "{} twice", rule.code);
            assert!(rule.explanation.len() > 60 && !rule.rewrite.is_empty() && !rule.summary.is_empty());
            assert!(!rule.code.starts_with('-') && rule.code.len() <= 64, "{}", rule.code);
            assert!(NOT_RUN.iter().all(|(name, _)| *name != rule.code));
        }
    }

    #[test]
    fn unknown_codes_get_a_suggestion() {
        assert!(unknown_code_hint("missing-dwon").contains("missing-down"));
        assert!(unknown_code_hint("ban-drop-column").contains("removes-deployed-object"));
        assert!(unknown_code_hint("zzz").contains("--explain"));
    }

    #[cfg(feature = "lint-postgres")]
    #[test]
    fn squawk_codes_are_squawks() {
        for rule in RULES.iter().filter(|r| r.engine == Engine::Squawk) {
            assert!(rule.code.parse::<squawk_linter::Rule>().is_ok(), "{}", rule.code);
        }
        for (name, _) in NOT_RUN {
            assert!(name.parse::<squawk_linter::Rule>().is_ok(), "{name}");
        }
    }
}
