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

    /// Applies one effect of a section; a rebuilt table keeps what it was (deployed or new).
    fn apply_in(&mut self, effect: &Effect, section: &Section) {
        match (&effect.action, &effect.object) {
            (Action::Drop, Object::Relation(name)) if section.rebuilt.contains(name) => {}
            (Action::Rename(Object::Relation(to)), from) if section.rebuilt.contains(to) => {
                self.created.remove(from);
            }
            _ => self.apply(effect),
        }
    }

    /// Records what a revision of the release (not itself linted) creates.
    pub(super) fn record(&mut self, statements: &[Statement<'_>], kind: DatabaseKind) {
        let section = Section::read(statements, kind);
        for (effect, _) in &section.effects {
            self.apply_in(effect, &section);
        }
    }
}

/// The effects of one section's statements, in order, each with its statement's index.
struct Section {
    effects: Vec<(Effect, usize)>,
    /// Tables the section rebuilds as SQLite must (and Alembic's batch mode does): a table
    /// created here takes the name of one dropped here. The table stays, with its data
    /// copied; dropping the old one is not a removal.
    rebuilt: HashSet<String>,
}

impl Section {
    fn read(statements: &[Statement<'_>], kind: DatabaseKind) -> Section {
        let lexing = kind.dialect().lexing();
        let effects: Vec<(Effect, usize)> = statements
            .iter()
            .enumerate()
            .flat_map(|(i, statement)| effects(statement.sql, &lexing).into_iter().map(move |e| (e, i)))
            .collect();
        let (mut created, mut dropped, mut rebuilt) = (HashSet::new(), HashSet::new(), HashSet::new());
        for (effect, _) in &effects {
            match (&effect.action, &effect.object) {
                (Action::Create, Object::Relation(name)) => {
                    created.insert(name.clone());
                }
                (Action::Drop, Object::Relation(name)) => {
                    dropped.insert(name.clone());
                }
                (Action::Rename(Object::Relation(to)), Object::Relation(from))
                    if created.contains(from) && dropped.contains(to) =>
                {
                    rebuilt.insert(to.clone());
                }
                _ => {}
            }
        }
        Section { effects, rebuilt }
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
    for (effect, index) in &section.effects {
        let statement = &statements[*index];
        let rebuilding = matches!(&effect.object, Object::Relation(name) if section.rebuilt.contains(name));
        if !(rebuilding && effect.action == Action::Drop) {
            removes_or_empties(effect, statement, release, raw);
        }
        release.apply_in(effect, &section);
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
            Action::Drop => created.retain(|(c, _)| !gone_with(c, &effect.object)),
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
    for statement in split_statements(down, kind) {
        for effect in effects(statement.sql, &lexing) {
            match &effect.action {
                Action::Drop => created.retain(|(c, _)| !gone_with(c, &effect.object)),
                Action::Rename(to) => renamed.retain(|(from, into, _, _)| !(effect.object == *into && to == from)),
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
