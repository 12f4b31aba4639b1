//! The rules only a tool that knows the whole chain can check, and the keyword-level
//! hazards of MySQL and SQLite that need no parser. Statements are read with the shared
//! splitter and classifier, as the runner reads them.

use super::RawFinding;
use super::alter::{self, AlterTable, NewTables};
use super::objects::{Action, Effect, Object, effects};
use crate::dialect::DatabaseKind;
use crate::revision::{Revision, RevisionBody};
use crate::sql::classify::{Verb, leading_words};
use crate::sql::split::{Statement, split_statements};
use std::collections::HashSet;

/// The objects created so far in the current release (see `removes-deployed-object`).
#[derive(Debug, Default)]
pub(super) struct Release {
    created: HashSet<Object>,
}

impl Release {
    pub(super) fn clear(&mut self) {
        self.created.clear();
    }

    /// Whether the release created `object` (or the table it belongs to).
    fn has(&self, object: &Object) -> bool {
        self.created.contains(object)
            || matches!(object, Object::Column(table, _) if self.created.contains(&Object::Relation(table.clone())))
    }

    fn apply(&mut self, effect: &Effect) {
        match &effect.action {
            Action::Create => {
                self.created.insert(effect.object.clone());
            }
            Action::Rename(to) => {
                if self.has(&effect.object) {
                    self.created.insert(to.clone());
                }
            }
            Action::Drop => {
                self.created.remove(&effect.object);
            }
            Action::Empty => {}
        }
    }

    /// Records what a revision of the release (not itself linted) creates.
    pub(super) fn record(&mut self, statements: &[Statement<'_>], kind: DatabaseKind) {
        let section = Section::read(statements, kind);
        for (i, (effect, _)) in section.effects.iter().enumerate() {
            if !section.rebuild_steps.contains(&i) {
                self.apply(effect);
            }
        }
    }
}

/// The effects of one section's statements, in order, each with its statement's index.
struct Section {
    effects: Vec<(Effect, usize)>,
    /// The effects (by index) that rebuild an object under its own name, which leaves it
    /// where it was (deployed or new), its data copied: a new one created, the old one
    /// dropped and the new one renamed to the old name (SQLite's table rebuild, Alembic's
    /// batch mode), or the old one renamed away, a new one created under its name and the
    /// old one dropped (PostgreSQL's enum rebuild).
    rebuild_steps: HashSet<usize>,
}

impl Section {
    fn read(statements: &[Statement<'_>], kind: DatabaseKind) -> Section {
        let lexing = kind.dialect().lexing();
        let effects: Vec<(Effect, usize)> = statements
            .iter()
            .enumerate()
            .flat_map(|(i, statement)| effects(statement.sql, &lexing).into_iter().map(move |e| (e, i)))
            .collect();
        let find = |action: &Action, object: &Object, before: usize| {
            effects[..before].iter().rposition(|(e, _)| e.action == *action && e.object == *object)
        };
        let mut rebuild_steps = HashSet::new();
        for (k, (effect, _)) in effects.iter().enumerate() {
            match &effect.action {
                // Create Y, drop X, rename Y to X.
                Action::Rename(to) => {
                    if let Some(dropped) = find(&Action::Drop, to, k)
                        && let Some(created) = find(&Action::Create, &effect.object, dropped)
                    {
                        rebuild_steps.extend([created, dropped, k]);
                    }
                }
                // Rename X to Y, create X, drop Y.
                Action::Drop => {
                    let renamed = effects[..k]
                        .iter()
                        .rposition(|(e, _)| matches!(&e.action, Action::Rename(to) if *to == effect.object));
                    if let Some(renamed) = renamed
                        && let Some(created) = find(&Action::Create, &effects[renamed].0.object, k)
                        && created > renamed
                    {
                        rebuild_steps.extend([renamed, created, k]);
                    }
                }
                _ => {}
            }
        }
        Section { effects, rebuild_steps }
    }
}

/// The rules of every database: `missing-down`, `incomplete-down`,
/// `removes-deployed-object`, `destructive-statement`.
pub(super) fn check(
    revision: &Revision<RevisionBody>,
    statements: &[Statement<'_>],
    kind: DatabaseKind,
    release: &mut Release,
    raw: &mut Vec<RawFinding>,
) {
    let section = Section::read(statements, kind);
    let mut up = Vec::new();
    for (i, (effect, index)) in section.effects.iter().enumerate() {
        if section.rebuild_steps.contains(&i) {
            continue;
        }
        let statement = &statements[*index];
        removes_or_empties(effect, statement, release, raw);
        release.apply(effect);
        up.push((effect.clone(), statement.line));
    }
    match &revision.body.down_sql {
        None if !statements.is_empty() => raw.push(RawFinding {
            section_line: 0,
            ..RawFinding::new(
                "missing-down",
                &statements[0],
                format!("revision {} has no `-- migrate:down` section, so it cannot be downgraded", revision.id),
            )
        }),
        None => {}
        Some(down) => incomplete_down(up, down, kind, raw),
    }
}

fn removes_or_empties(effect: &Effect, statement: &Statement<'_>, release: &Release, raw: &mut Vec<RawFinding>) {
    if release.has(&effect.object) {
        return;
    }
    let removable =
        matches!(effect.object, Object::Relation(_) | Object::Column(..) | Object::Type(_) | Object::Schema(_));
    let what = effect.object.describe(effect.label);
    match &effect.action {
        Action::Drop if removable => raw.push(RawFinding {
            help: Some(
                "release code that no longer uses it first, and drop it in a later release (expand/contract)".into(),
            ),
            ..RawFinding::new(
                "removes-deployed-object",
                statement,
                format!("drops {what}, which is already deployed: the running release may still use it, and its data is lost"),
            )
        }),
        Action::Rename(to) if removable && !matches!(effect.object, Object::Schema(_)) => raw.push(RawFinding {
            help: Some(format!(
                "add {} beside it, write to both, backfill, switch the reads, and drop the old name in a later release",
                to.describe(effect.label)
            )),
            ..RawFinding::new(
                "removes-deployed-object",
                statement,
                format!("renames {what}, which is already deployed: the running release still uses the old name"),
            )
        }),
        Action::Empty => raw.push(RawFinding {
            help: Some("add the WHERE meant, or keep a copy first and allow it for this revision".into()),
            ..RawFinding::new("destructive-statement", statement, format!("deletes every row of {what}"))
        }),
        _ => {}
    }
}

/// What the up section created or renamed, checked against what the down section undoes.
fn incomplete_down(up: Vec<(Effect, usize)>, down: &str, kind: DatabaseKind, raw: &mut Vec<RawFinding>) {
    let lexing = kind.dialect().lexing();
    // Objects the up section leaves created, and renames it leaves in place.
    let mut created: Vec<(Effect, usize)> = Vec::new();
    let mut renamed: Vec<(Object, Object, &'static str, usize)> = Vec::new();
    for (effect, line) in up {
        match &effect.action {
            Action::Create => created.push((effect, line)),
            Action::Drop => {
                created.retain(|(c, _)| !gone_with(c, &effect.object));
                // Renamed out of the way, then dropped (a type rebuilt under its name).
                renamed.retain(|(_, into, _, _)| *into != effect.object);
            }
            Action::Rename(to) => {
                if let Some((entry, _)) = created.iter_mut().find(|(c, _)| c.object == effect.object) {
                    entry.object = to.clone();
                } else {
                    renamed.push((effect.object.clone(), to.clone(), effect.label, line));
                }
            }
            Action::Empty => {}
        }
    }
    // What the down renamed, by its new name: dropping it under that name drops it.
    let mut renamed_in_down: Vec<(Object, Object)> = Vec::new();
    for statement in split_statements(down, kind) {
        for effect in effects(statement.sql, &lexing) {
            match &effect.action {
                Action::Drop => {
                    let original =
                        renamed_in_down.iter().find(|(into, _)| *into == effect.object).map(|(_, from)| from);
                    let dropped = original.unwrap_or(&effect.object);
                    created.retain(|(c, _)| !gone_with(c, dropped) && !gone_with(c, &effect.object));
                }
                Action::Rename(to) => {
                    renamed.retain(|(from, into, _, _)| !(effect.object == *into && to == from));
                    renamed_in_down.push((to.clone(), effect.object.clone()));
                }
                _ => {}
            }
        }
    }
    for (effect, line) in created {
        let statement = Statement { sql: "", line };
        let what = effect.object.describe(effect.label);
        raw.push(RawFinding {
            help: Some(format!("drop {what} in the down section")),
            ..RawFinding::new(
                "incomplete-down",
                &statement,
                format!("the down section does not drop {what}, created here"),
            )
        });
    }
    for (from, to, label, line) in renamed {
        let statement = Statement { sql: "", line };
        raw.push(RawFinding {
            help: Some(format!("rename {} back to {} in the down section", to.describe(label), from.describe(label))),
            ..RawFinding::new(
                "incomplete-down",
                &statement,
                format!("the down section does not rename {} back, renamed here", from.describe(label)),
            )
        });
    }
}

/// Whether dropping `dropped` removes `created` (itself, or the table it belongs to).
fn gone_with(created: &Effect, dropped: &Object) -> bool {
    created.object == *dropped || matches!(dropped, Object::Relation(table) if created.owner() == Some(table))
}

/// MySQL/MariaDB: `mixed-ddl-and-data`, and the ALTER TABLE hazards read by keyword when
/// no parser is built in.
pub(super) fn mysql(statements: &[Statement<'_>], foreign_keys_off: bool, parser: bool, raw: &mut Vec<RawFinding>) {
    let dialect = DatabaseKind::MySql.dialect();
    let lexing = dialect.lexing();
    let first_ddl = statements.iter().find(|s| dialect.commits_implicitly(s.sql));
    let first_data =
        statements.iter().find(|s| leading_words(s.sql, &lexing).next().is_some_and(|w| Verb::of(w) == Verb::Data));
    if let (Some(ddl), Some(data)) = (first_ddl, first_data) {
        let at = if ddl.line < data.line { data } else { ddl };
        let opening = |s: &Statement<'_>| leading_words(s.sql, &lexing).take(2).collect::<Vec<_>>().join(" ");
        raw.push(RawFinding {
            help: Some("put the data changes in a revision of their own".into()),
            ..RawFinding::new(
                "mixed-ddl-and-data",
                at,
                format!(
                    "this revision mixes DDL (`{} …`, which MySQL commits at once) with data changes (`{} …`): a failure half-way cannot be rolled back",
                    opening(ddl),
                    opening(data)
                ),
            )
        });
    }
    if !parser {
        let mut new_tables = NewTables::new(foreign_keys_off);
        for statement in statements {
            if let Some(alter) = AlterTable::from_tokens(statement.sql, &lexing) {
                alter::mysql_rules(&alter, &new_tables, statement, raw);
            } else {
                alter::mysql_statement_by_keywords(statement, &lexing, raw);
            }
            new_tables.record(statement.sql, &lexing);
        }
    }
}

/// SQLite: `sqlite-pragma-in-transaction`, and the ALTER TABLE hazards read by keyword when
/// no parser is built in.
pub(super) fn sqlite(
    statements: &[Statement<'_>],
    in_transaction: bool,
    foreign_keys_off: bool,
    parser: bool,
    raw: &mut Vec<RawFinding>,
) {
    let lexing = DatabaseKind::Sqlite.dialect().lexing();
    let mut new_tables = NewTables::new(foreign_keys_off);
    for statement in statements {
        let mut words = leading_words(statement.sql, &lexing);
        if in_transaction
            && words.next().is_some_and(|w| w.eq_ignore_ascii_case("pragma"))
            && let Some(name) = words.next()
            && name.eq_ignore_ascii_case("foreign_keys")
        {
            raw.push(RawFinding {
                help: Some(
                    "for a table rebuild, say `-- Foreign Keys: off` in the header instead: the runner turns enforcement off around the transaction and runs PRAGMA foreign_key_check before the commit".into(),
                ),
                ..RawFinding::new(
                    "sqlite-pragma-in-transaction",
                    statement,
                    format!("PRAGMA {name} has no effect inside the revision's transaction"),
                )
            });
        }
        if !parser && let Some(alter) = AlterTable::from_tokens(statement.sql, &lexing) {
            alter::sqlite_rules(&alter, &new_tables, statement, raw);
        }
        new_tables.record(statement.sql, &lexing);
    }
}
