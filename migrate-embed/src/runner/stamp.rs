//! `stamp` and `repair`: changing what the version table records, without running any
//! revision's SQL. Each runs in one transaction under the run lock.

use super::{Migrator, OnEvent, RunError};
use crate::db::lock::RunLock;
use crate::db::{Conn, VersionStore};
use crate::graph::{RevSet, Target};
use crate::plan::{PlanError, stamp_state};
use crate::status::DbState;
use crate::version_table::{NewRow, VersionRow};

impl Migrator<'_> {
    pub(super) async fn stamp_locked(
        &self,
        conn: &mut Conn,
        lock: &RunLock,
        on: OnEvent<'_>,
        target: &Target,
        purge: bool,
    ) -> Result<Vec<String>, RunError> {
        let table = self.table(conn);
        let store = VersionStore::new(&table);
        let rows = store.read(conn).await?;
        let table_exists = rows.is_some();
        let state = DbState::new(self.graph, rows);
        if !state.unknown.is_empty() && !purge {
            return Err(RunError::UnknownRevisions {
                revisions: state.unknown.iter().map(VersionRow::describe).collect(),
            });
        }
        let recorded = if purge { self.graph.empty_set() } else { state.applied.clone() };
        let wanted = stamp_state(self.graph, &recorded, target)?;
        self.announce_write_wait(conn, on).await?;
        if !table_exists {
            store.create(conn).await?;
        }
        let mut changes = Vec::new();
        self.begin(conn, lock, "stamp").await?;
        let written = self.write_stamp(conn, &store, &state, &wanted, purge, &mut changes).await;
        finish(conn, written, "cannot commit the stamp").await?;
        Ok(changes)
    }

    /// The writes of a stamp, inside the caller's transaction.
    async fn write_stamp(
        &self,
        conn: &mut Conn,
        store: &VersionStore<'_>,
        state: &DbState,
        wanted: &RevSet,
        purge: bool,
        changes: &mut Vec<String>,
    ) -> Result<(), RunError> {
        let graph = self.graph;
        if purge && !state.rows.is_empty() {
            store.purge(conn).await?;
            changes.push(format!("purged {} row(s) from {}", state.rows.len(), self.settings.version_table));
        }
        let recorded = if purge { graph.empty_set() } else { state.applied.clone() };
        for i in (0..graph.len()).rev().filter(|&i| recorded[i] && !wanted[i]) {
            store.delete(conn, &graph.revision(i).id).await?;
            changes.push(format!("unstamped {}", graph.describe(i)));
        }
        for i in (0..graph.len()).filter(|&i| wanted[i] && !recorded[i]) {
            let rev = graph.revision(i);
            let row = NewRow {
                revision: &rev.id,
                parents: rev.parents.join(","),
                message: &rev.message,
                checksum: &rev.body.checksum,
                down_sql: rev.body.down_sql.as_deref(),
            };
            store.insert(conn, &row, 0, None).await?;
            changes.push(format!("stamped {}", graph.describe(i)));
        }
        for failed in state.failed.iter().filter(|_| !purge) {
            if let Some(i) = graph.index_of(&failed.revision).filter(|&i| wanted[i]) {
                let rev = graph.revision(i);
                store.mark_clean(conn, &rev.id, 0, &rev.body.checksum, rev.body.down_sql.as_deref()).await?;
                changes.push(format!("cleared the failed mark of {}", graph.describe(i)));
            }
        }
        Ok(())
    }

    pub(super) async fn repair_locked(
        &self,
        conn: &mut Conn,
        lock: &RunLock,
        on: OnEvent<'_>,
        revisions: &[String],
    ) -> Result<Vec<String>, RunError> {
        let state = self.state(conn).await?;
        let graph = self.graph;
        let mut chosen = Vec::new();
        for name in revisions {
            let index = graph.resolve_name(name, None).map_err(PlanError::from)?;
            if !state.applied[index] {
                return Err(RunError::NotApplied { revision: graph.describe(index) });
            }
            chosen.push(index);
        }
        if revisions.is_empty() {
            chosen = (0..graph.len()).filter(|&i| state.applied[i]).collect();
        }
        let mut repairs = Vec::new();
        for index in chosen {
            let rev = graph.revision(index);
            let Some(row) = state.rows.iter().find(|r| r.revision == rev.id) else { continue };
            let mut what = Vec::new();
            if row.checksum != rev.body.checksum {
                what.push(format!("checksum {} -> {}", short(&row.checksum), short(&rev.body.checksum)));
            }
            if row.down_sql.as_deref() != rev.body.down_sql.as_deref() {
                what.push("down SQL updated".to_owned());
            }
            if row.is_failed() {
                what.push(format!("failed mark cleared ({} statement(s) had run)", row.failed_statements.unwrap_or(0)));
            }
            if !what.is_empty() {
                repairs.push((index, row.duration_ms, format!("{}: {}", graph.describe(index), what.join("; "))));
            }
        }
        if repairs.is_empty() {
            return Ok(Vec::new());
        }
        self.announce_write_wait(conn, on).await?;
        let table = self.table(conn);
        let store = VersionStore::new(&table);
        self.begin(conn, lock, "repair").await?;
        let mut written = Ok(());
        for (index, duration_ms, _) in &repairs {
            let rev = graph.revision(*index);
            written =
                store.mark_clean(conn, &rev.id, *duration_ms, &rev.body.checksum, rev.body.down_sql.as_deref()).await;
            if written.is_err() {
                break;
            }
        }
        finish(conn, written.map_err(RunError::from), "cannot commit the repair").await?;
        Ok(repairs.into_iter().map(|(_, _, change)| change).collect())
    }
}

/// Commits the transaction when `written` succeeded, else rolls it back.
async fn finish(conn: &mut Conn, written: Result<(), RunError>, context: &str) -> Result<(), RunError> {
    match written {
        Ok(()) => {
            conn.execute("COMMIT").await.map_err(conn.error(context))?;
            Ok(())
        }
        Err(error) => {
            let _ = conn.execute("ROLLBACK").await;
            Err(error)
        }
    }
}

fn short(checksum: &str) -> &str {
    checksum.get(..12).unwrap_or(checksum)
}
