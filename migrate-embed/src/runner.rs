//! The runner: moves a real database through the graph (SPEC §6). One connection, the
//! run lock around the run (PostgreSQL and MySQL; SQLite's runners meet at the write lock
//! each revision takes), and one commit per revision holding both its SQL and its
//! version-table row.

use crate::database::{DatabaseKind, mask_password};
use crate::dialect::{Conn, DbError, database_message, on_conn, query_error};
use crate::graph::{RevIndex, RevSet, RevisionGraph, Target, TargetError, TargetKind};
use crate::plan::{Direction, Plan, PlanError, plan_downgrade, plan_upgrade};
use crate::split::split_statements;
use crate::version_table::{self, VersionRow};
use std::time::{Duration, Instant};

/// How a run behaves; from the package config (or the embedded copy of it) plus flags.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The version table's name (already validated as an identifier).
    pub version_table: String,
    /// Default for revisions without a `Transactional` key.
    pub transactional_default: bool,
    /// How long to wait for another runner's lock.
    pub lock_timeout: Duration,
    /// Roll back revisions the graph does not know, from their recorded down SQL.
    pub use_recorded_down: bool,
    /// Refuse (rather than warn) when an applied revision's file changed since.
    pub refuse_drift: bool,
}

impl Settings {
    /// Settings with the defaults of SPEC §3 and §6.
    pub fn new(version_table: impl Into<String>, transactional_default: bool) -> Self {
        Self {
            version_table: version_table.into(),
            transactional_default,
            lock_timeout: Duration::from_secs(60),
            use_recorded_down: false,
            refuse_drift: false,
        }
    }
}

/// What the runner reports while it works; the caller prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Another runner holds the lock; `holder` says who, where the database can tell.
    WaitingForLock {
        /// Who holds it.
        holder: Option<String>,
    },
    /// A revision starts, as Alembic logs it.
    Running {
        /// Up or down.
        direction: Direction,
        /// The revision(s) it moves from.
        from: String,
        /// The revision(s) it moves to.
        to: String,
        /// The revision's message.
        message: String,
    },
    /// Something the operator should know (e.g. checksum drift).
    Warning(String),
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::WaitingForLock { holder: Some(h) } => write!(f, "Waiting for the migration lock, held by {h}"),
            Event::WaitingForLock { holder: None } => {
                write!(f, "Waiting for the migration lock, held by another runner")
            }
            Event::Running { direction, from, to, message } => {
                write!(f, "Running {} {from} -> {to}", direction.verb())?;
                if !message.is_empty() {
                    write!(f, ", {message}")?;
                }
                Ok(())
            }
            Event::Warning(text) => write!(f, "warning: {text}"),
        }
    }
}

/// Why a run stopped. Every message says what state the database is in and what to do.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Talking to the database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The target or the plan is invalid; nothing ran.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The database records revisions the migrations do not contain.
    #[error("the database records {} revision(s) that these migrations do not contain: {}; it was migrated by a newer version of the application. Nothing was changed. Use a newer release, or take it back with `downgrade --use-recorded-down` (`--migrate-to head --use-recorded-down` in an application)", .revisions.len(), .revisions.join(", "))]
    UnknownRevisions {
        /// `id (message)` of each.
        revisions: Vec<String>,
    },
    /// A revision is marked failed from an earlier run.
    #[error(
        "revision {revision} is marked failed in {table}: {failure} ({statements} statement(s) had run). Nothing was changed. Fix the schema by hand, then run `cargo migrate stamp <rev>` to record where it really is, or `cargo migrate repair {revision}` if you completed the revision by hand"
    )]
    FailedMark {
        /// The revision.
        revision: String,
        /// The version table.
        table: String,
        /// How many statements had run.
        statements: i64,
        /// Why.
        failure: String,
    },
    /// Applied revisions whose files changed, with `refuse_drift`.
    #[error("applied revision(s) changed since they ran (checksum drift): {}; nothing was run. Restore the files, or run `cargo migrate repair` to accept the edits", .revisions.join(", "))]
    Drift {
        /// `id (path)` of each.
        revisions: Vec<String>,
    },
    /// A recorded revision without recorded down SQL cannot be rolled back.
    #[error(
        "cannot roll back {revision} with --use-recorded-down: it was recorded without down SQL (irreversible); nothing was run"
    )]
    NoRecordedDown {
        /// The revision.
        revision: String,
    },
    /// `repair` named a revision the database does not record.
    #[error(
        "revision {revision} is not applied, so there is nothing to repair; `repair` rewrites what the version table records (use `stamp` to record a revision as applied)"
    )]
    NotApplied {
        /// `id (message)`.
        revision: String,
    },
    /// The version table's name is not a plain identifier.
    #[error(
        "version table name {name:?} is not a plain identifier; use letters, digits and _ (at most 63, not starting with a digit)"
    )]
    InvalidVersionTable {
        /// The rejected name.
        name: String,
    },
    /// A statement failed (boxed: the report is large, and errors travel by value).
    #[error(transparent)]
    Statement(Box<StatementFailure>),
}

/// A failed statement: which, where, what the database said, and the state it left.
#[derive(Debug, thiserror::Error)]
#[error(
    "{verb} of revision {revision} failed at statement {number} ({location}):\n    {statement}\n  database said: {message}\n  {aftermath}"
)]
pub struct StatementFailure {
    /// "upgrade" or "downgrade".
    pub verb: &'static str,
    /// `id (message)`.
    pub revision: String,
    /// 1-based statement number in the section.
    pub number: usize,
    /// `file:line`.
    pub location: String,
    /// The statement (shortened).
    pub statement: String,
    /// The database's message.
    pub message: String,
    /// What state the database is in now, and what to do.
    pub aftermath: String,
}

/// A revision that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// Up or down.
    pub direction: Direction,
    /// The revision id.
    pub revision: String,
    /// How long its SQL took.
    pub duration: Duration,
}

/// The database's recorded state, read from the version table.
#[derive(Debug, Clone, Default)]
pub struct DbState {
    /// Every row, in application order.
    pub rows: Vec<VersionRow>,
    /// Revisions of the graph that are applied (failed ones included).
    pub applied: RevSet,
    /// Rows naming revisions the graph does not know.
    pub unknown: Vec<VersionRow>,
    /// Rows marked failed.
    pub failed: Vec<VersionRow>,
    /// Applied revisions whose checksum differs from the file's.
    pub drifted: Vec<RevIndex>,
    /// Whether the version table exists.
    pub table_exists: bool,
}

impl DbState {
    fn from_rows(graph: &RevisionGraph, rows: Option<Vec<VersionRow>>) -> Self {
        let table_exists = rows.is_some();
        let rows = rows.unwrap_or_default();
        let mut state = DbState { applied: graph.empty_set(), table_exists, ..DbState::default() };
        for row in &rows {
            match graph.index_of(&row.revision) {
                Some(i) => {
                    state.applied[i] = true;
                    if graph.revision(i).checksum != row.checksum && !row.is_failed() {
                        state.drifted.push(i);
                    }
                }
                None => state.unknown.push(row.clone()),
            }
            if row.is_failed() {
                state.failed.push(row.clone());
            }
        }
        state.rows = rows;
        state
    }

    /// The highest `seq` recorded.
    fn max_seq(&self) -> i64 {
        self.rows.iter().map(|r| r.seq).max().unwrap_or(0)
    }
}

/// Runs migrations of one graph against databases.
#[derive(Debug)]
pub struct Migrator<'g> {
    graph: &'g RevisionGraph,
    settings: Settings,
}

impl<'g> Migrator<'g> {
    /// A runner for `graph` with `settings`.
    pub fn new(graph: &'g RevisionGraph, settings: Settings) -> Self {
        Self { graph, settings }
    }

    /// The graph.
    pub fn graph(&self) -> &'g RevisionGraph {
        self.graph
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Connects to `url` with this runner's lock timeout as SQLite's busy timeout.
    ///
    /// # Errors
    /// [`DbError`] with the password masked.
    pub async fn connect(&self, url: &str) -> Result<Conn, RunError> {
        Ok(Conn::connect(url, self.settings.lock_timeout).await?)
    }

    /// Reads the recorded state without locking or writing anything.
    ///
    /// # Errors
    /// [`RunError::Db`].
    pub async fn state(&self, conn: &mut Conn) -> Result<DbState, RunError> {
        self.check_table_name()?;
        let rows = conn.read_versions(&self.settings.version_table).await?;
        Ok(DbState::from_rows(self.graph, rows))
    }

    /// Upgrades to `target`, reporting through `on`.
    ///
    /// # Errors
    /// Any [`RunError`]; the database is left at the last revision that fully applied.
    pub async fn upgrade(
        &self,
        conn: &mut Conn,
        url: &str,
        target: &Target,
        on: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Vec<Ran>, RunError> {
        self.lock(conn, url, on).await?;
        let result = self.run_locked(conn, url, on, Goal::Upgrade(target)).await;
        self.unlock_after(conn, result).await
    }

    /// Downgrades to `target`, as Alembic (see [`plan_downgrade`]).
    ///
    /// # Errors
    /// Any [`RunError`]; an irreversible revision in the way stops it before anything runs.
    pub async fn downgrade(
        &self,
        conn: &mut Conn,
        url: &str,
        target: &Target,
        on: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Vec<Ran>, RunError> {
        self.lock(conn, url, on).await?;
        let result = self.run_locked(conn, url, on, Goal::Downgrade(target)).await;
        self.unlock_after(conn, result).await
    }

    /// Moves to `target` whichever way it lies: up when the target needs revisions that are
    /// not applied, down otherwise (`--migrate-to`). Decided under the lock, from the one
    /// read of the version table the run makes anyway.
    ///
    /// # Errors
    /// Any [`RunError`].
    pub async fn migrate_to(
        &self,
        conn: &mut Conn,
        url: &str,
        target: &Target,
        on: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Vec<Ran>, RunError> {
        self.lock(conn, url, on).await?;
        let result = self.run_locked(conn, url, on, Goal::Either(target)).await;
        self.unlock_after(conn, result).await
    }

    /// Sets the recorded state to exactly `target` (and what it needs) without running SQL;
    /// `purge` first deletes every row, unknown and failed ones included. Returns what changed.
    ///
    /// # Errors
    /// Any [`RunError`]; unknown revisions without `purge` are refused.
    pub async fn stamp(
        &self,
        conn: &mut Conn,
        url: &str,
        target: &Target,
        purge: bool,
        on: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Vec<String>, RunError> {
        self.lock(conn, url, on).await?;
        let result = self.stamp_locked(conn, target, purge).await;
        self.unlock_after(conn, result).await
    }

    /// After a deliberate edit of applied revisions: records their current checksums and
    /// down SQL and clears failed marks, for `revisions` (every applied one when empty).
    /// Returns one line per change.
    ///
    /// # Errors
    /// Any [`RunError`]; a named revision that is not applied is an error.
    pub async fn repair(
        &self,
        conn: &mut Conn,
        url: &str,
        revisions: &[String],
        on: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Vec<String>, RunError> {
        self.lock(conn, url, on).await?;
        let result = self.repair_locked(conn, revisions).await;
        self.unlock_after(conn, result).await
    }

    fn check_table_name(&self) -> Result<(), RunError> {
        if crate::config::is_valid_table_name(&self.settings.version_table) {
            Ok(())
        } else {
            Err(RunError::InvalidVersionTable { name: self.settings.version_table.clone() })
        }
    }

    async fn lock(&self, conn: &mut Conn, url: &str, on: &mut (dyn FnMut(Event) + Send)) -> Result<(), RunError> {
        self.check_table_name()?;
        let mut waiting = |holder| on(Event::WaitingForLock { holder });
        conn.lock(&self.settings.version_table, url, self.settings.lock_timeout, &mut waiting).await?;
        Ok(())
    }

    /// SQLite has no session lock: its runners meet at the write lock each revision takes.
    /// Before the first one, say so if another connection holds it.
    async fn announce_sqlite_wait(
        &self,
        conn: &mut Conn,
        url: &str,
        on: &mut (dyn FnMut(Event) + Send),
    ) -> Result<(), RunError> {
        if conn.kind() == DatabaseKind::Sqlite
            && !conn
                .sqlite_write_lock_free(self.settings.lock_timeout)
                .await
                .map_err(query_error("cannot probe the SQLite write lock"))?
        {
            on(Event::WaitingForLock { holder: Some(format!("another connection writing to {}", mask_password(url))) });
        }
        Ok(())
    }

    /// Releases the lock whatever happened; the run's own error wins over an unlock error.
    async fn unlock_after<T>(&self, conn: &mut Conn, result: Result<T, RunError>) -> Result<T, RunError> {
        let unlocked = conn.unlock(&self.settings.version_table).await;
        let value = result?;
        unlocked?;
        Ok(value)
    }

    async fn ensure_table(&self, conn: &mut Conn, state: &DbState) -> Result<(), RunError> {
        if !state.table_exists {
            let sql = version_table::create_table(conn.kind(), &self.settings.version_table);
            conn.execute_raw(&sql)
                .await
                .map_err(query_error(format!("cannot create version table {}", self.settings.version_table)))?;
        }
        Ok(())
    }

    /// Reads the state, refuses what must be refused, rolls back unknown revisions when
    /// asked, then plans and runs.
    async fn run_locked(
        &self,
        conn: &mut Conn,
        url: &str,
        on: &mut (dyn FnMut(Event) + Send),
        goal: Goal<'_>,
    ) -> Result<Vec<Ran>, RunError> {
        let mut state = self.state(conn).await?;
        if let Some(row) = state.failed.first() {
            return Err(self.failed_mark(row));
        }
        self.check_drift(&state, on)?;
        if !state.unknown.is_empty() && !self.settings.use_recorded_down {
            return Err(RunError::UnknownRevisions { revisions: state.unknown.iter().map(describe_row).collect() });
        }
        // Plan before touching anything: a bad target must not cost the rollback of a newer
        // release's revisions. (Those are not in the graph, so rolling them back does not
        // change the applied set the plan is made from.)
        let plan: Plan = match goal {
            Goal::Upgrade(target) => plan_upgrade(self.graph, &state.applied, target)?,
            Goal::Downgrade(target) => plan_downgrade(self.graph, &state.applied, target)?,
            Goal::Either(target) => match plan_upgrade(self.graph, &state.applied, target) {
                Ok(plan) if !plan.steps.is_empty() || target.kind == TargetKind::Heads => plan,
                Ok(_) | Err(PlanError::Target(TargetError::WrongDirection { .. })) => {
                    plan_downgrade(self.graph, &state.applied, target)?
                }
                Err(error) => return Err(error.into()),
            },
        };
        let mut ran = Vec::new();
        if !state.unknown.is_empty() {
            ran.extend(self.roll_back_unknown(conn, &state, on).await?);
            state = self.state(conn).await?;
        }
        if plan.steps.is_empty() {
            return Ok(ran);
        }
        self.announce_sqlite_wait(conn, url, on).await?;
        self.ensure_table(conn, &state).await?;
        let mut seq = state.max_seq();
        for &index in &plan.steps {
            seq += 1;
            let outcome = self.run_revision(conn, index, plan.direction, seq, on).await?;
            if let Some(duration) = outcome {
                ran.push(Ran { direction: plan.direction, revision: self.graph.revision(index).id.clone(), duration });
            }
        }
        Ok(ran)
    }

    fn failed_mark(&self, row: &VersionRow) -> RunError {
        RunError::FailedMark {
            revision: describe_row(row),
            table: self.settings.version_table.clone(),
            statements: row.failed_statements.unwrap_or(0),
            failure: row.failure.clone().unwrap_or_else(|| "no reason recorded".into()),
        }
    }

    fn check_drift(&self, state: &DbState, on: &mut (dyn FnMut(Event) + Send)) -> Result<(), RunError> {
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

    /// `--use-recorded-down`: undoes revisions the graph does not know, newest first, from
    /// the down SQL the version table recorded.
    async fn roll_back_unknown(
        &self,
        conn: &mut Conn,
        state: &DbState,
        on: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Vec<Ran>, RunError> {
        let mut unknown: Vec<&VersionRow> = state.unknown.iter().collect();
        unknown.sort_by_key(|r| std::cmp::Reverse(r.seq));
        if let Some(row) = unknown.iter().find(|r| r.down_sql.is_none()) {
            return Err(RunError::NoRecordedDown { revision: describe_row(row) });
        }
        let mut ran = Vec::new();
        for row in unknown {
            let sql = row.down_sql.as_deref().unwrap_or_default();
            let step = Step {
                running: Event::Running {
                    direction: Direction::Down,
                    from: row.revision.clone(),
                    to: if row.parents.is_empty() { "<base>".into() } else { row.parents.clone() },
                    message: format!("{} (recorded down SQL)", row.message),
                },
                id: &row.revision,
                describe: describe_row(row),
                sql,
                location: "recorded down SQL".into(),
                first_line: 0,
            };
            let started = Instant::now();
            self.run_transactional(conn, &step, Direction::Down, None, on).await?;
            ran.push(Ran { direction: Direction::Down, revision: row.revision.clone(), duration: started.elapsed() });
        }
        Ok(ran)
    }

    /// Runs one revision; `None` when another runner already did it (SQLite).
    async fn run_revision(
        &self,
        conn: &mut Conn,
        index: RevIndex,
        direction: Direction,
        seq: i64,
        on: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Option<Duration>, RunError> {
        let graph = self.graph;
        let rev = graph.revision(index);
        let (from, to) = match direction {
            Direction::Up => (graph.parents_text(index), rev.id.clone()),
            Direction::Down => (rev.id.clone(), graph.parents_text(index)),
        };
        let (sql, first_line) = match direction {
            Direction::Up => (rev.up_sql.as_str(), rev.origin.up_line),
            Direction::Down => (rev.down_sql.as_deref().unwrap_or_default(), rev.origin.down_line),
        };
        let step = Step {
            running: Event::Running { direction, from, to, message: rev.message.clone() },
            id: &rev.id,
            describe: graph.describe(index),
            sql,
            location: rev.origin.path.display().to_string(),
            first_line,
        };
        let row = NewRow {
            parents: rev.parents.join(","),
            message: &rev.message,
            checksum: &rev.checksum,
            down_sql: rev.down_sql.as_deref(),
            seq,
        };
        let started = Instant::now();
        let done = if rev.is_transactional(self.settings.transactional_default) {
            self.run_transactional(conn, &step, direction, Some(&row), on).await?
        } else {
            self.run_statementwise(conn, &step, direction, &row, on).await?;
            true
        };
        Ok(done.then(|| started.elapsed()))
    }

    /// One transaction: the statements and the version-table change, committed together.
    /// Returns `false` when (on SQLite) another runner had already done this revision.
    async fn run_transactional(
        &self,
        conn: &mut Conn,
        step: &Step<'_>,
        direction: Direction,
        row: Option<&NewRow<'_>>,
        on: &mut (dyn FnMut(Event) + Send),
    ) -> Result<bool, RunError> {
        let kind = conn.kind();
        let table = &self.settings.version_table;
        conn.begin_write()
            .await
            .map_err(query_error(format!("cannot begin the transaction of revision {}", step.id)))?;
        let mut seq = row.map_or(0, |r| r.seq);
        if kind == DatabaseKind::Sqlite {
            // Runners meet only at the write lock; re-read under it so each revision
            // applies exactly once.
            let present: (i64, i64) = on_conn!(conn, c => sqlx::query_as(&format!(
                "SELECT (SELECT COUNT(*) FROM {table} WHERE revision = ?), (SELECT COALESCE(MAX(seq), 0) FROM {table})"))
                .bind(step.id)
                .fetch_one(&mut *c)
                .await)
            .map_err(query_error("cannot read version table"))?;
            if (present.0 > 0) == (direction == Direction::Up) {
                conn.execute_raw("ROLLBACK").await.map_err(query_error("cannot roll back"))?;
                return Ok(false);
            }
            seq = present.1 + 1;
        }
        // Announced only now: on SQLite another runner may have done it meanwhile.
        on(step.running.clone());
        let started = Instant::now();
        let statements = split_statements(step.sql, kind);
        for (number, statement) in statements.iter().enumerate() {
            if let Err(error) = conn.execute_raw(statement.sql).await {
                let _ = conn.execute_raw("ROLLBACK").await;
                let ran = &statements[..number];
                // MySQL commits before each DDL statement runs, even one that then fails: so
                // what ran before a failing DDL statement is kept too.
                let committed = kind == DatabaseKind::MySql
                    && (ran.iter().any(|s| commits_implicitly(s.sql))
                        || (number > 0 && commits_implicitly(statement.sql)));
                let aftermath = if committed {
                    let reason = format!(
                        "{} failed at statement {} after MySQL committed earlier DDL implicitly",
                        direction.verb(),
                        number + 1
                    );
                    self.mark_failed(conn, step, direction, row, number, &reason).await?;
                    self.failed_aftermath(step.id, number)
                } else {
                    format!("Nothing of this revision was kept: the database is still where it was before {}.", step.id)
                };
                return Err(self.statement_error(step, direction, number, statement, &error, aftermath));
            }
        }
        let elapsed = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let recorded = match (direction, row) {
            (Direction::Up, Some(row)) => self.insert_row(conn, step.id, row, seq, elapsed, None).await,
            _ => self.delete_row(conn, step.id).await,
        };
        if let Err(error) = recorded {
            let _ = conn.execute_raw("ROLLBACK").await;
            return Err(error);
        }
        conn.execute_raw("COMMIT").await.map_err(query_error(format!("cannot commit revision {}", step.id)))?;
        Ok(true)
    }

    /// `Transactional: false`: a failed mark first (so an interrupted run is seen), then
    /// each statement on its own, then the mark cleared.
    async fn run_statementwise(
        &self,
        conn: &mut Conn,
        step: &Step<'_>,
        direction: Direction,
        row: &NewRow<'_>,
        on: &mut (dyn FnMut(Event) + Send),
    ) -> Result<(), RunError> {
        on(step.running.clone());
        let kind = conn.kind();
        // PostgreSQL and MySQL runners hold the run lock, so a mark another runner sees
        // there was interrupted; SQLite runners meet only per revision.
        let in_progress = if kind == DatabaseKind::Sqlite {
            format!(
                "{} started outside a transaction and has not finished: another runner may still be applying it, or it was interrupted",
                direction.verb()
            )
        } else {
            format!("{} started outside a transaction and was interrupted before it finished", direction.verb())
        };
        match direction {
            Direction::Up => self.insert_row(conn, step.id, row, row.seq, 0, Some((0, &in_progress))).await?,
            Direction::Down => self.mark_failed(conn, step, direction, Some(row), 0, &in_progress).await?,
        }
        let started = Instant::now();
        let statements = split_statements(step.sql, kind);
        for (number, statement) in statements.iter().enumerate() {
            if let Err(error) = conn.execute_raw(statement.sql).await {
                let reason = format!("{} failed at statement {} (outside a transaction)", direction.verb(), number + 1);
                self.mark_failed(conn, step, direction, Some(row), number, &reason).await?;
                let aftermath = self.failed_aftermath(step.id, number);
                return Err(self.statement_error(step, direction, number, statement, &error, aftermath));
            }
        }
        let elapsed = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        match direction {
            Direction::Up => {
                let sql = version_table::mark_clean(kind, &self.settings.version_table);
                on_conn!(conn, c => sqlx::query(&sql).bind(elapsed).bind(row.checksum).bind(row.down_sql).bind(step.id).execute(&mut *c).await.map(|r| r.rows_affected()))
                    .map_err(query_error(format!("cannot record revision {}", step.id)))?;
            }
            Direction::Down => self.delete_row(conn, step.id).await?,
        }
        Ok(())
    }

    fn failed_aftermath(&self, id: &str, ran: usize) -> String {
        format!(
            "{ran} statement(s) of it had run and cannot be rolled back, so {id} is marked failed in {}. Every run will refuse to continue until you fix the schema by hand and then run `cargo migrate stamp <rev>` (to record where the schema really is) or `cargo migrate repair {id}` (if you completed the revision by hand).",
            self.settings.version_table
        )
    }

    fn statement_error(
        &self,
        step: &Step<'_>,
        direction: Direction,
        number: usize,
        statement: &crate::split::Statement<'_>,
        error: &sqlx::Error,
        aftermath: String,
    ) -> RunError {
        let location = if step.first_line > 0 {
            format!("{}:{}", step.location, step.first_line + statement.line - 1)
        } else {
            step.location.clone()
        };
        let mut text: String = statement.sql.lines().next().unwrap_or_default().chars().take(160).collect();
        if text.len() < statement.sql.len() {
            text.push_str(" …");
        }
        RunError::Statement(Box::new(StatementFailure {
            verb: direction.verb(),
            revision: step.describe.clone(),
            number: number + 1,
            location,
            statement: text,
            message: database_message(error),
            aftermath,
        }))
    }

    async fn insert_row(
        &self,
        conn: &mut Conn,
        id: &str,
        row: &NewRow<'_>,
        seq: i64,
        elapsed: i64,
        failed: Option<(i64, &str)>,
    ) -> Result<(), RunError> {
        let sql = version_table::insert_row(conn.kind(), &self.settings.version_table);
        let (failed_statements, failure) = failed.map_or((None, None), |(n, why)| (Some(n), Some(why)));
        on_conn!(conn, c => sqlx::query(&sql)
            .bind(id)
            .bind(&row.parents)
            .bind(row.message)
            .bind(row.checksum)
            .bind(row.down_sql)
            .bind(elapsed)
            .bind(seq)
            .bind(failed_statements)
            .bind(failure)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
        .map_err(query_error(format!("cannot record revision {id} in {}", self.settings.version_table)))?;
        Ok(())
    }

    async fn delete_row(&self, conn: &mut Conn, id: &str) -> Result<(), RunError> {
        let sql = version_table::delete_row(conn.kind(), &self.settings.version_table);
        on_conn!(conn, c => sqlx::query(&sql).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))
            .map_err(query_error(format!("cannot remove revision {id} from {}", self.settings.version_table)))?;
        Ok(())
    }

    /// Records a failed mark (inserting the row for an upgrade that has none yet).
    async fn mark_failed(
        &self,
        conn: &mut Conn,
        step: &Step<'_>,
        direction: Direction,
        row: Option<&NewRow<'_>>,
        ran: usize,
        reason: &str,
    ) -> Result<(), RunError> {
        let ran = i64::try_from(ran).unwrap_or(i64::MAX);
        let sql = version_table::mark_failed(conn.kind(), &self.settings.version_table);
        let updated = on_conn!(conn, c => sqlx::query(&sql).bind(ran).bind(reason).bind(step.id).execute(&mut *c).await.map(|r| r.rows_affected()))
            .map_err(query_error(format!("cannot mark revision {} failed", step.id)))?;
        if updated == 0
            && direction == Direction::Up
            && let Some(row) = row
        {
            self.insert_row(conn, step.id, row, row.seq, 0, Some((ran, reason))).await?;
        }
        Ok(())
    }

    async fn stamp_locked(&self, conn: &mut Conn, target: &Target, purge: bool) -> Result<Vec<String>, RunError> {
        let state = self.state(conn).await?;
        if !state.unknown.is_empty() && !purge {
            return Err(RunError::UnknownRevisions { revisions: state.unknown.iter().map(describe_row).collect() });
        }
        let graph = self.graph;
        let destination = graph.upgrade_destination(target, &state.applied).map_err(PlanError::from)?;
        let wanted = graph.ancestors(&destination, true);
        self.ensure_table(conn, &state).await?;
        let mut changes = Vec::new();
        conn.begin_write().await.map_err(query_error("cannot begin a transaction"))?;
        let result = self.write_stamp(conn, &state, &wanted, purge, &mut changes).await;
        match result {
            Ok(()) => {
                conn.execute_raw("COMMIT").await.map_err(query_error("cannot commit the stamp"))?;
                Ok(changes)
            }
            Err(error) => {
                let _ = conn.execute_raw("ROLLBACK").await;
                Err(error)
            }
        }
    }

    /// The writes of a stamp, inside the caller's transaction.
    async fn write_stamp(
        &self,
        conn: &mut Conn,
        state: &DbState,
        wanted: &RevSet,
        purge: bool,
        changes: &mut Vec<String>,
    ) -> Result<(), RunError> {
        let graph = self.graph;
        let table = &self.settings.version_table;
        if purge && !state.rows.is_empty() {
            conn.execute_raw(&format!("DELETE FROM {table}"))
                .await
                .map_err(query_error("cannot purge the version table"))?;
            changes.push(format!("purged {} row(s) from {table}", state.rows.len()));
        }
        let recorded = if purge { graph.empty_set() } else { state.applied.clone() };
        for i in (0..graph.len()).rev().filter(|&i| recorded[i] && !wanted[i]) {
            self.delete_row(conn, &graph.revision(i).id).await?;
            changes.push(format!("unstamped {}", graph.describe(i)));
        }
        let mut seq = if purge { 0 } else { state.max_seq() };
        for i in (0..graph.len()).filter(|&i| wanted[i] && !recorded[i]) {
            let rev = graph.revision(i);
            seq += 1;
            let row = NewRow {
                parents: rev.parents.join(","),
                message: &rev.message,
                checksum: &rev.checksum,
                down_sql: rev.down_sql.as_deref(),
                seq,
            };
            self.insert_row(conn, &rev.id, &row, seq, 0, None).await?;
            changes.push(format!("stamped {}", graph.describe(i)));
        }
        for failed in state.failed.iter().filter(|_| !purge) {
            if let Some(i) = graph.index_of(&failed.revision).filter(|&i| wanted[i]) {
                let rev = graph.revision(i);
                let sql = version_table::mark_clean(conn.kind(), table);
                on_conn!(conn, c => sqlx::query(&sql).bind(0i64).bind(&rev.checksum).bind(rev.down_sql.as_deref()).bind(&rev.id).execute(&mut *c).await.map(|r| r.rows_affected()))
                    .map_err(query_error("cannot clear a failed mark"))?;
                changes.push(format!("cleared the failed mark of {}", graph.describe(i)));
            }
        }
        Ok(())
    }

    async fn repair_locked(&self, conn: &mut Conn, revisions: &[String]) -> Result<Vec<String>, RunError> {
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
        let mut changes = Vec::new();
        let table = &self.settings.version_table;
        for index in chosen {
            let rev = graph.revision(index);
            let Some(row) = state.rows.iter().find(|r| r.revision == rev.id) else { continue };
            let mut what = Vec::new();
            if row.checksum != rev.checksum {
                what.push(format!("checksum {} -> {}", short(&row.checksum), short(&rev.checksum)));
            }
            if row.down_sql.as_deref() != rev.down_sql.as_deref() {
                what.push("down SQL updated".to_owned());
            }
            if row.is_failed() {
                what.push(format!("failed mark cleared ({} statement(s) had run)", row.failed_statements.unwrap_or(0)));
            }
            if what.is_empty() {
                continue;
            }
            let sql = version_table::mark_clean(conn.kind(), table);
            on_conn!(conn, c => sqlx::query(&sql).bind(row.duration_ms).bind(&rev.checksum).bind(rev.down_sql.as_deref()).bind(&rev.id).execute(&mut *c).await.map(|r| r.rows_affected()))
                .map_err(query_error(format!("cannot repair {}", rev.id)))?;
            changes.push(format!("{}: {}", graph.describe(index), what.join("; ")));
        }
        Ok(changes)
    }
}

/// What a locked run is for.
#[derive(Clone, Copy)]
enum Goal<'t> {
    Upgrade(&'t Target),
    Downgrade(&'t Target),
    Either(&'t Target),
}

/// One revision section about to run.
struct Step<'a> {
    /// The `Running upgrade …` line, reported once the revision really runs.
    running: Event,
    id: &'a str,
    describe: String,
    sql: &'a str,
    location: String,
    first_line: usize,
}

/// The version row an upgrade writes.
struct NewRow<'a> {
    parents: String,
    message: &'a str,
    checksum: &'a str,
    down_sql: Option<&'a str>,
    seq: i64,
}

fn short(checksum: &str) -> &str {
    checksum.get(..12).unwrap_or(checksum)
}

fn describe_row(row: &VersionRow) -> String {
    row.describe()
}

/// Whether MySQL commits implicitly around a statement (DDL and friends), so a rollback
/// cannot undo it.
fn commits_implicitly(sql: &str) -> bool {
    let first = sql
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("--") && !l.starts_with('#'))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_default()
        .to_ascii_uppercase();
    matches!(
        first.as_str(),
        "CREATE" | "ALTER" | "DROP" | "RENAME" | "TRUNCATE" | "GRANT" | "REVOKE" | "LOCK" | "UNLOCK"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implicit_commits() {
        assert!(commits_implicitly("-- note\nalter table x add y int"));
        assert!(!commits_implicitly("INSERT INTO x VALUES (1)"));
    }

    #[test]
    fn events_read_like_alembic() {
        let event = Event::Running {
            direction: Direction::Up,
            from: "1975ea83b712".into(),
            to: "27c6a30d7c24".into(),
            message: "add email column".into(),
        };
        assert_eq!(event.to_string(), "Running upgrade 1975ea83b712 -> 27c6a30d7c24, add email column");
    }
}

/// Regression: `RawSql::execute`'s generic future once made every runner future
/// non-`Send` ("implementation of `Executor` is not general enough"), so applications
/// could not migrate from a spawned task. This only has to compile.
#[cfg(test)]
#[allow(dead_code)]
mod runner_futures_are_send {
    use super::*;

    fn is_send<T: Send>(_: T) {}

    fn public_futures(m: &Migrator<'_>, conn: &mut Conn, t: &Target, on: &mut (dyn FnMut(Event) + Send)) {
        is_send(m.upgrade(conn, "u", t, on));
    }

    fn downgrade_stamp_repair(m: &Migrator<'_>, conn: &mut Conn, t: &Target, on: &mut (dyn FnMut(Event) + Send)) {
        is_send(m.downgrade(conn, "u", t, on));
        is_send(m.state(conn));
    }
}
