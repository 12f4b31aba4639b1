//! One locked run: read the state, refuse what must be refused (failed marks, unknown
//! revisions, drift when asked), plan, then apply the plan's steps.

use super::{Event, FailedMark, Goal, Migrator, OnEvent, Ran, RunError};
use crate::db::lock::RunLock;
use crate::db::{Conn, VersionStore};
use crate::dialect::Dialect;
use crate::graph::{TargetError, TargetKind};
use crate::plan::{Direction, Plan, PlanError, Step, plan_downgrade, plan_upgrade};
use crate::sql::split::split_with;
use crate::status::DbState;
use crate::version_table::VersionRow;

impl Migrator<'_> {
    /// Reads the state, refuses what must be refused, rolls back unknown revisions when
    /// asked, then plans and runs.
    pub(super) async fn run_locked(
        &self,
        conn: &mut Conn,
        lock: &RunLock,
        on: OnEvent<'_>,
        goal: Goal<'_>,
    ) -> Result<Vec<Ran>, RunError> {
        let table = self.table(conn);
        let store = VersionStore::new(&table);
        let rows = store.read(conn).await?;
        let table_exists = rows.is_some();
        let state = DbState::new(self.graph, rows);
        if let Some(row) = state.failed.first() {
            return Err(self.failed_mark(row, conn.dialect()));
        }
        self.check_drift(&state, on)?;
        if !state.unknown.is_empty() && !self.settings.use_recorded_down {
            return Err(RunError::UnknownRevisions {
                revisions: state.unknown.iter().map(VersionRow::describe).collect(),
            });
        }
        // Plan before touching anything: a bad target must not cost the rollback of a newer
        // release's revisions. (Those are not in the graph, so rolling them back does not
        // change the applied set the plan is made from.)
        let plan = self.plan_for(goal, &state.applied)?;
        let mut recorded_down: Vec<&VersionRow> = state.unknown.iter().collect();
        recorded_down.sort_by_key(|r| std::cmp::Reverse(r.seq));
        if let Some(row) = recorded_down.iter().find(|r| r.down_sql.is_none()) {
            return Err(RunError::NoRecordedDown { revision: row.describe() });
        }
        let steps: Vec<Step<'_>> = recorded_down
            .into_iter()
            .map(Step::recorded_down)
            .chain(plan.steps(self.graph, self.settings.transactional_default))
            .collect();
        if steps.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(step) = steps.iter().find(|s| s.foreign_keys_off)
            && conn.dialect().foreign_keys_switch().is_none()
        {
            return Err(RunError::ForeignKeysUnsupported {
                revision: step.describe.clone(),
                database: conn.dialect().name(),
            });
        }
        self.announce_write_wait(conn, on).await?;
        if !table_exists {
            store.create(conn).await?;
        }
        let mut ran = Vec::with_capacity(steps.len());
        for step in &steps {
            let duration = self.apply(conn, &store, lock, step, on).await?;
            ran.push(Ran { direction: step.direction, revision: step.id.to_owned(), duration });
        }
        Ok(ran)
    }

    /// The plan a goal makes from the applied revisions.
    fn plan_for(&self, goal: Goal<'_>, applied: &crate::graph::RevSet) -> Result<Plan, RunError> {
        Ok(match goal {
            Goal::Upgrade(target) => plan_upgrade(self.graph, applied, target)?,
            Goal::Downgrade(target) => plan_downgrade(self.graph, applied, target)?,
            Goal::Either(target) => match plan_upgrade(self.graph, applied, target) {
                Ok(plan) if !plan.steps.is_empty() || target.kind == TargetKind::Heads => plan,
                Ok(_) | Err(PlanError::Target(TargetError::WrongDirection { .. })) => {
                    plan_downgrade(self.graph, applied, target)?
                }
                Err(error) => return Err(error.into()),
            },
        })
    }

    /// Before taking the lock: whether the version table, read without it, says there is
    /// nothing to do (nothing marked, nothing unknown, no step to run; drift reported as
    /// the locked run would). Then no lock is taken at all: an up-to-date start-up costs one
    /// read. A run in progress elsewhere shows as steps still to run or as a mark, and the
    /// locked path decides, reading again under the lock.
    pub(super) async fn nothing_to_do(
        &self,
        conn: &mut Conn,
        goal: Goal<'_>,
        on: OnEvent<'_>,
    ) -> Result<bool, RunError> {
        let state = self.state(conn).await?;
        if !state.failed.is_empty() || !state.unknown.is_empty() {
            return Ok(false);
        }
        self.check_drift(&state, on)?;
        Ok(self.plan_for(goal, &state.applied)?.steps.is_empty())
    }

    /// The refusal for a marked revision, naming the statement that may have run partly
    /// when the revision was interrupted.
    pub(super) fn failed_mark(&self, row: &VersionRow, dialect: &'static dyn Dialect) -> RunError {
        let statements = row.failed_statements.unwrap_or(0);
        let failure = row.failure.clone().unwrap_or_else(|| "no reason recorded".into());
        let next = match self.graph.get(&row.revision) {
            Some(rev) if failure.starts_with(super::apply::IN_PROGRESS) => {
                let direction = if failure.starts_with(&format!("{} upgrade", super::apply::IN_PROGRESS)) {
                    Direction::Up
                } else {
                    Direction::Down
                };
                let sql = match direction {
                    Direction::Up => rev.body.up_sql.as_str(),
                    Direction::Down => rev.body.down_sql.as_deref().unwrap_or_default(),
                };
                let statements_of = split_with(sql, dialect.lexing());
                usize::try_from(statements)
                    .ok()
                    .and_then(|done| statements_of.get(done).map(|s| (done + 1, s.sql)))
                    .map(|(number, sql)| {
                        format!("; statement {number}, `{}`, may have run as well", super::apply::shorten(sql))
                    })
                    .unwrap_or_default()
            }
            _ => String::new(),
        };
        RunError::FailedMark(Box::new(FailedMark {
            revision: row.revision.clone(),
            describe: row.describe(),
            table: self.settings.version_table.to_string(),
            statements,
            failure,
            next,
            parents: row.parent_ids(),
        }))
    }

    fn check_drift(&self, state: &DbState, on: OnEvent<'_>) -> Result<(), RunError> {
        if state.drifted.is_empty() {
            return Ok(());
        }
        let revisions: Vec<String> = state
            .drifted
            .iter()
            .map(|&i| format!("{} ({})", self.graph.revision(i).id, self.graph.revision(i).origin.path.display()))
            .collect();
        if self.settings.refuse_drift {
            return Err(RunError::Drift { revisions });
        }
        on(Event::Warning(format!(
            "applied revision(s) changed since they ran (checksum drift): {}; run `cargo migrate repair` once the edit is deliberate",
            revisions.join(", ")
        )));
        Ok(())
    }

    /// Before the first write: when another connection holds the database's write lock
    /// (SQLite), say that this run waits for it.
    pub(super) async fn announce_write_wait(&self, conn: &mut Conn, on: OnEvent<'_>) -> Result<(), RunError> {
        if !conn.write_lock_free().await.map_err(conn.error("cannot probe the write lock"))? {
            on(Event::WaitingForLock { holder: Some(format!("another connection writing to {}", conn.url())) });
        }
        Ok(())
    }
}
