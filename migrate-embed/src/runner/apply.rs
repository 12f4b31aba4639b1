//! Applying one [`Step`]. Two ways, chosen by what the database can roll back:
//!
//! - **In one transaction** (a transactional revision with no statement that commits
//!   implicitly): the statements and the version-table change commit together, or nothing
//!   is kept. Where calls are costly (SQLite) the statements go as one batch.
//! - **Marked** (`Transactional: false`, or MySQL DDL): the revision is first recorded as
//!   in progress, committed; then the count of statements whose effects are committed is
//!   kept current as they run; the mark is cleared in the last commit. A process killed at
//!   any moment leaves a mark that the next run (holding the lock, so knowing the marking
//!   run is gone) refuses with the recovery to run.

use super::{Migrator, RunError, StatementFailure};
use crate::db::lock::{RunLock, holder_name};
use crate::db::{Conn, DbError, VersionStore, database_message};
use crate::plan::{Record, Step};
use crate::sql::split::{Statement, ends_in_line_comment, split_with};
use std::time::{Duration, Instant};

/// How an in-progress mark's reason starts, so a later run can tell it from a failure.
pub(super) const IN_PROGRESS: &str = "in progress:";

impl Migrator<'_> {
    /// Runs one step and records it; returns how long its SQL took.
    pub(super) async fn apply(
        &self,
        conn: &mut Conn,
        store: &VersionStore<'_>,
        lock: &RunLock,
        step: &Step<'_>,
        on: super::OnEvent<'_>,
    ) -> Result<Duration, RunError> {
        on(super::Event::Running {
            direction: step.direction,
            from: step.from.clone(),
            to: step.to.clone(),
            message: step.message.clone(),
        });
        let dialect = conn.dialect();
        let statements = split_with(step.sql, dialect.lexing());
        let atomic = step.transactional && !statements.iter().any(|s| dialect.commits_implicitly(s.sql));
        let switch = dialect.foreign_keys_switch().filter(|_| step.foreign_keys_off);
        if let Some((off, _)) = switch {
            conn.execute(off)
                .await
                .map_err(conn.error(format!("cannot turn foreign keys off for {}", step.describe)))?;
        }
        let started = Instant::now();
        let applied = if atomic {
            self.apply_atomic(conn, store, lock, step, &statements, started).await
        } else {
            self.apply_marked(conn, store, step, &statements, started).await
        };
        if let Some((_, on)) = switch {
            let restored = conn.execute(on).await.map_err(conn.error("cannot turn foreign keys back on"));
            applied?;
            restored?;
        } else {
            applied?;
        }
        Ok(started.elapsed())
    }

    /// For a `Foreign Keys: off` revision, inside its transaction: the references that
    /// point nowhere (empty when all is well).
    async fn dangling_references(&self, conn: &mut Conn, step: &Step<'_>) -> Result<Vec<String>, RunError> {
        let Some(check) = conn.dialect().foreign_key_check().filter(|_| step.foreign_keys_off) else {
            return Ok(Vec::new());
        };
        let rows = conn
            .fetch(check, |r| Ok((r.text()?, r.opt_int()?, r.text()?)))
            .await
            .map_err(conn.error("cannot check foreign keys"))?;
        Ok(rows
            .into_iter()
            .take(10)
            .map(|(table, row, parent)| match row {
                Some(row) => format!("{table} row {row} -> {parent}"),
                None => format!("{table} -> {parent}"),
            })
            .collect())
    }

    /// One transaction: the statements and the version-table change, committed together.
    async fn apply_atomic(
        &self,
        conn: &mut Conn,
        store: &VersionStore<'_>,
        lock: &RunLock,
        step: &Step<'_>,
        statements: &[Statement<'_>],
        started: Instant,
    ) -> Result<(), RunError> {
        let dialect = conn.dialect();
        if dialect.batches_revisions() && lock.lease().is_none() {
            // `BEGIN`, then every statement, in one call. A statement that ends in a line
            // comment gets its `;` on a line of its own (the comment would swallow it).
            let lexing = dialect.lexing();
            let mut batch = String::with_capacity(step.sql.len() + 32);
            batch.push_str(dialect.begin_write());
            for statement in statements {
                batch.push_str(";\n");
                batch.push_str(statement.sql);
                if ends_in_line_comment(statement.sql, &lexing) {
                    batch.push('\n');
                }
            }
            match conn.execute_batch(&batch).await {
                Ok(()) => {}
                Err((0, error)) => {
                    let context = format!("cannot begin the transaction of revision {}", step.describe);
                    return Err(conn.error(context)(error).into());
                }
                Err((completed, error)) => {
                    let _ = conn.execute("ROLLBACK").await;
                    let number = (completed - 1).min(statements.len().saturating_sub(1));
                    return Err(self.rolled_back(conn, step, number, statements, &error));
                }
            }
        } else {
            self.begin(conn, lock, &step.describe).await?;
            for (number, statement) in statements.iter().enumerate() {
                if let Err(error) = conn.execute(statement.sql).await {
                    let _ = conn.execute("ROLLBACK").await;
                    return Err(self.rolled_back(conn, step, number, statements, &error));
                }
            }
        }
        let dangling = match self.dangling_references(conn, step).await {
            Ok(references) if references.is_empty() => Ok(()),
            Ok(references) => Err(RunError::DanglingReferences { revision: step.describe.clone(), references }),
            Err(error) => Err(error),
        };
        let recorded = match dangling {
            Ok(()) => match &step.record {
                Record::Insert(row) => store.insert(conn, row, millis(started), None).await.map_err(RunError::from),
                Record::Delete => store.delete(conn, step.id).await.map_err(RunError::from),
            },
            Err(error) => Err(error),
        };
        if let Err(error) = recorded {
            let _ = conn.execute("ROLLBACK").await;
            return Err(error);
        }
        conn.execute("COMMIT").await.map_err(conn.error(format!("cannot commit revision {}", step.id)))?;
        Ok(())
    }

    /// Opens a write transaction; under a `table` lock, renews the lease inside it, so
    /// that if the lease ran out and another runner took over, nothing of `what` runs.
    pub(super) async fn begin(&self, conn: &mut Conn, lock: &RunLock, what: &str) -> Result<(), RunError> {
        let context = format!("cannot begin the transaction of {what}");
        conn.execute(conn.dialect().begin_write()).await.map_err(conn.error(context))?;
        if let Some(lease) = lock.lease() {
            let renewed = conn.execute(&lease.renew()).await.map_err(conn.error("cannot renew the migration lock"));
            if renewed? == 0 {
                let _ = conn.execute("ROLLBACK").await;
                return Err(DbError::LockLost { url: conn.url().to_string(), revision: what.to_owned() }.into());
            }
        }
        Ok(())
    }

    /// Marked in progress first, then statement by statement with the count of committed
    /// statements kept current, then the mark cleared. Statements that can share a
    /// transaction (the data changes between MySQL's DDL statements) run in one, committed
    /// with the count; `Transactional: false` runs every statement on its own.
    async fn apply_marked(
        &self,
        conn: &mut Conn,
        store: &VersionStore<'_>,
        step: &Step<'_>,
        statements: &[Statement<'_>],
        started: Instant,
    ) -> Result<(), RunError> {
        let dialect = conn.dialect();
        let verb = step.direction.verb();
        let mark =
            format!("{IN_PROGRESS} {verb} by {}, interrupted unless that runner is still at work", holder_name());
        match &step.record {
            Record::Insert(row) => store.insert(conn, row, 0, Some((0, &mark))).await?,
            Record::Delete => {
                store.mark(conn, step.id, 0, &mark).await?;
            }
        }
        let mut done = 0usize;
        let mut in_transaction = false;
        for (number, statement) in statements.iter().enumerate() {
            let grouped = step.transactional && !dialect.commits_implicitly(statement.sql);
            if in_transaction && !grouped {
                store.progress(conn, step.id, count(number)).await?;
                conn.execute("COMMIT").await.map_err(conn.error(format!("cannot commit revision {}", step.id)))?;
                in_transaction = false;
                done = number;
            }
            if grouped && !in_transaction {
                conn.execute(dialect.begin_write())
                    .await
                    .map_err(conn.error(format!("cannot begin a transaction in revision {}", step.id)))?;
                in_transaction = true;
            }
            if let Err(error) = conn.execute(statement.sql).await {
                if in_transaction {
                    let _ = conn.execute("ROLLBACK").await;
                }
                return Err(self.marked_failure(conn, store, step, number, done, statements, &error).await);
            }
            if !grouped {
                done = number + 1;
                store.progress(conn, step.id, count(done)).await?;
            }
        }
        let elapsed = millis(started);
        match &step.record {
            Record::Insert(row) => store.mark_clean(conn, step.id, elapsed, row.checksum, row.down_sql).await?,
            Record::Delete => store.delete(conn, step.id).await?,
        }
        if in_transaction {
            conn.execute("COMMIT").await.map_err(conn.error(format!("cannot commit revision {}", step.id)))?;
        }
        Ok(())
    }

    /// After a failure in a marked revision: with nothing committed, the mark goes and the
    /// database is where it was; otherwise the mark stays, as failed, with the count.
    #[allow(clippy::too_many_arguments)]
    async fn marked_failure(
        &self,
        conn: &mut Conn,
        store: &VersionStore<'_>,
        step: &Step<'_>,
        number: usize,
        done: usize,
        statements: &[Statement<'_>],
        error: &sqlx::Error,
    ) -> RunError {
        if done == 0 {
            let cleared = match step.record {
                Record::Insert(_) => store.delete(conn, step.id).await,
                Record::Delete => store.clear_mark(conn, step.id).await,
            };
            if let Err(cleared) = cleared {
                return cleared.into();
            }
            return self.rolled_back(conn, step, number, statements, error);
        }
        let reason = if step.transactional {
            format!(
                "{} failed at statement {} after earlier statements were committed implicitly",
                step.direction.verb(),
                number + 1
            )
        } else {
            format!("{} failed at statement {} (outside a transaction)", step.direction.verb(), number + 1)
        };
        if let Err(marked) = store.mark(conn, step.id, count(done), &reason).await {
            return marked.into();
        }
        let aftermath = format!(
            "{done} statement(s) of it had run and cannot be rolled back, so {} is marked failed in {}. Every run will refuse to continue until you {}",
            step.id,
            self.settings.version_table,
            crate::status::marked_hint(step.id, &step.parents)
        );
        statement_failure(step, number, &statements[number], error, aftermath)
    }

    /// The error for a statement whose revision was rolled back as a whole.
    fn rolled_back(
        &self,
        conn: &Conn,
        step: &Step<'_>,
        number: usize,
        statements: &[Statement<'_>],
        error: &sqlx::Error,
    ) -> RunError {
        let mismatch = crate::db::code_and_message(error)
            .is_some_and(|(code, message)| conn.dialect().is_schema_mismatch(code.as_deref(), &message));
        let aftermath = if number == 0 && mismatch {
            format!(
                "This run changed nothing, but the database already has what statement 1 creates (or lacks what it drops): an earlier run that was not recorded, or a change by hand, got there first. Compare the schema with {}: if the revision is fully applied, record it with `cargo migrate stamp {}`; otherwise fix the schema by hand and run again.",
                step.id, step.id
            )
        } else {
            format!("Nothing of this revision was kept: the database is still where it was before {}.", step.id)
        };
        statement_failure(step, number, &statements[number], error, aftermath)
    }
}

fn statement_failure(
    step: &Step<'_>,
    number: usize,
    statement: &Statement<'_>,
    error: &sqlx::Error,
    aftermath: String,
) -> RunError {
    RunError::Statement(Box::new(StatementFailure {
        verb: step.direction.verb(),
        revision: step.describe.clone(),
        number: number + 1,
        location: step.location(statement.line),
        statement: shorten(statement.sql),
        message: database_message(error),
        aftermath,
    }))
}

/// A statement's first line, cut at 160 characters, for messages.
pub(super) fn shorten(sql: &str) -> String {
    let mut text: String = sql.lines().next().unwrap_or_default().chars().take(160).collect();
    if text.len() < sql.len() {
        text.push_str(" …");
    }
    text
}

fn millis(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

fn count(statements: usize) -> i64 {
    i64::try_from(statements).unwrap_or(i64::MAX)
}
