//! `cargo migrate revision --autogenerate`, and what `schema` and `check` share with it:
//! head built from the revisions on one scratch database, the desired schema built from
//! `schema.sql` on another, both introspected and compared (SPEC §8). The real database
//! is never connected to; scratch databases are dropped on every path, Ctrl-C included.

use super::db::{require_url, runtime, settings};
use super::revision::{Request, choose_parents, create};
use super::{Context, Loaded};
use crate::cli::{DatabaseArgs, RevisionArgs};
use crate::error::Failure;
use anyhow::Result;
use migrate_embed::db::introspect::{introspect, version_table_definition};
use migrate_embed::db::scratch::{ScratchError, ScratchServer};
use migrate_embed::db::{Conn, database_message, error_line};
use migrate_embed::dialect::DatabaseKind;
use migrate_embed::graph::{RevIndex, Target};
use migrate_embed::revision::RevisionBody;
use migrate_embed::runner::{Migrator, RunError};
use migrate_embed::schema::desired::{
    DesiredStatement, apply_rename_notes, case_only_renames, outside_scratch, rename_notes, statements,
};
use migrate_embed::schema::{Comparison, Schema, compare, render, reverse_all};
use migrate_embed::sql::tokens::{TokenKind, tokenize};
use migrate_embed::url::DatabaseUrl;
use serde::Serialize;
use std::path::PathBuf;

/// Where `schema.sql` is: `schema` from the config (default `schema.sql`), relative to the
/// package.
pub(crate) fn schema_path(loaded: &Loaded) -> PathBuf {
    let package_dir = loaded.project.package.manifest_path.parent().map(|p| p.to_path_buf()).unwrap_or_default();
    package_dir.join(loaded.project.config.schema.clone().unwrap_or_else(|| PathBuf::from("schema.sql")))
}

/// The server scratch databases are made on: `scratch_url`, else the database URL's.
fn scratch_server(ctx: &Context, loaded: &Loaded) -> Result<ScratchServer> {
    let url = match &loaded.project.config.scratch_url {
        Some(url) => url.clone(),
        None => require_url(ctx, loaded)?,
    };
    let url = DatabaseUrl::new(url);
    if url.kind().is_none() {
        return Err(Failure::usage(format!("unsupported database URL {url}"))
            .hint("use sqlite:, postgres:, postgresql:, mysql: or mariadb:")
            .into());
    }
    Ok(ScratchServer::new(url))
}

/// Runs `work` with a scratch server, then drops every scratch database it made, also
/// when `work` fails or the user interrupts (Ctrl-C, SIGTERM).
pub(crate) fn with_scratch<T>(
    ctx: &Context,
    loaded: &Loaded,
    work: impl AsyncFnOnce(&ScratchServer) -> Result<T>,
) -> Result<T> {
    let server = scratch_server(ctx, loaded)?;
    let _on_panic = CleanupOnPanic(&server);
    let rt = runtime()?;
    // `None`: interrupted.
    let ended = rt.block_on(async {
        tokio::select! {
            result = work(&server) => Some(result),
            () = interrupted() => None,
        }
    });
    let cleaned = rt.block_on(server.cleanup());
    let interrupted = |message: String| Failure { code: 130, message, hints: Vec::new() }.into();
    match (ended, cleaned) {
        (Some(Ok(value)), Ok(())) => Ok(value),
        (Some(Ok(_)), Err(left)) => Err(Failure::database(left.to_string()).into()),
        (Some(Err(e)), Ok(())) => Err(e),
        (Some(Err(e)), Err(left)) => {
            ctx.output.warn(&left.to_string(), &[]);
            Err(e)
        }
        (None, Ok(())) => {
            Err(interrupted("interrupted; the scratch databases are dropped, nothing was written".into()))
        }
        (None, Err(left)) => Err(interrupted(format!("interrupted; nothing was written, but {left}"))),
    }
}

/// Drops the scratch databases when a panic unwinds through [`with_scratch`] (a bug, but
/// it must not leave databases on the user's server).
struct CleanupOnPanic<'a>(&'a ScratchServer);

impl Drop for CleanupOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Ok(rt) = runtime()
        {
            let _ = rt.block_on(self.0.cleanup());
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn scratch_failure(error: ScratchError) -> anyhow::Error {
    match error {
        ScratchError::NoPrivilege { server, privilege, message } => {
            let failure = Failure::database(format!(
                "cannot create a scratch database on {server}: {message}; autogenerate builds head and schema.sql in temporary databases, which needs the {privilege} privilege"
            ));
            let failure = match grant_statement(&server, privilege, &message) {
                Some(grant) => failure.hint(format!("give this user {privilege}: as an administrator, run `{grant}`")),
                None => failure.hint(format!("grant {privilege} to this user")),
            };
            failure
                .hint("or set `scratch_url = \"…\"` in [package.metadata.migrate] to a server where it may create databases (the database URL is never connected to)")
                .into()
        }
        ScratchError::Db(e) => Failure::database(e.to_string()).into(),
        other => Failure::database(other.to_string()).into(),
    }
}

/// The statement an administrator runs to let the user of `server` (a masked URL) make
/// scratch databases: `ALTER ROLE … CREATEDB` on PostgreSQL; on MySQL every privilege on
/// databases named `migrate_scratch_…` (to create, fill and drop them), for the account
/// the server's `message` names.
fn grant_statement(server: &str, privilege: &str, message: &str) -> Option<String> {
    let userinfo = server.split_once("://")?.1.rsplit_once('@')?.0;
    let user = userinfo.split(':').next().filter(|u| !u.is_empty())?;
    if privilege == "CREATEDB" {
        return Some(format!("ALTER ROLE \"{}\" CREATEDB;", user.replace('"', "\"\"")));
    }
    // "Access denied for user 'app'@'%' to database …"
    let account = message
        .split_once("for user ")
        .and_then(|(_, rest)| rest.split_once(" to ").map(|(account, _)| account.to_owned()))
        .unwrap_or_else(|| format!("'{}'@'%'", user.replace('\'', "''")));
    Some(format!("GRANT ALL PRIVILEGES ON `migrate\\_scratch\\_%`.* TO {account};"))
}

/// The schema at `heads` (all heads when empty), built on a scratch database.
pub(crate) async fn build_head(
    server: &ScratchServer,
    loaded: &Loaded,
    database: &DatabaseArgs,
    heads: &[RevIndex],
) -> Result<Schema> {
    let mut conn = server.create().await.map_err(scratch_failure)?;
    let graph = &*loaded.graph;
    let migrator = Migrator::new(graph, settings(loaded, database));
    let targets: Vec<Target> = if heads.is_empty() && !graph.is_empty() {
        vec!["heads".parse().expect("`heads` is a target")]
    } else {
        heads.iter().map(|&h| graph.revision(h).id.parse().expect("an id is a target")).collect()
    };
    for target in &targets {
        migrator.upgrade(&mut conn, target, &mut |_| {}).await.map_err(|e| {
            let code = e.exit_status().code();
            // Not the runner's aftermath (what the failure left in the version table, how to
            // repair it): the scratch database is dropped, the real one was never touched.
            let what = match &e {
                RunError::Statement(f) => format!(
                    "{} of revision {} failed at statement {} ({}):\n    {}\n  database said: {}",
                    f.verb, f.revision, f.number, f.location, f.statement, f.message
                ),
                other => other.to_string(),
            };
            anyhow::Error::from(Failure {
                code,
                message: format!("building head on a scratch database failed: {what}"),
                hints: vec![
                    "fix the revision named above; `cargo migrate upgrade` on a fresh database fails the same way"
                        .into(),
                ],
            })
        })?;
    }
    let mut conn = server.fresh(conn).await.map_err(|e| Failure::database(e.to_string()))?;
    let version_table = &loaded.project.config.version_table;
    let schema = introspect(&mut conn, version_table).await.map_err(|e| Failure::database(e.to_string()))?;
    conn.close().await;
    Ok(schema)
}

/// The text of `schema.sql`, read before any scratch database is made.
fn read_schema_file(ctx: &Context, loaded: &Loaded) -> Result<String> {
    let path = schema_path(loaded);
    let shown = ctx.display(&path);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Failure::usage(format!(
            "{shown} does not exist: autogenerate compares head with the schema it describes"
        ))
        .hint("write the current schema to it with `cargo migrate schema --write`, then edit it")
        .into()),
        Err(e) => Err(Failure::usage(format!("cannot read {shown}: {e}")).into()),
    }
}

/// The desired schema: `schema.sql` (its `text`, cut into `statements`) run on a scratch
/// database, statement by statement on one connection, then introspected, with its
/// `-- renamed from:` notes applied. Also the version table's definition there and the line
/// that creates it, if the file does.
async fn build_desired(
    ctx: &Context,
    server: &ScratchServer,
    loaded: &Loaded,
    kind: DatabaseKind,
    text: &str,
    statements: &[DesiredStatement],
) -> Result<(Schema, Option<(migrate_embed::schema::model::Table, Option<usize>)>)> {
    let shown = ctx.display(&schema_path(loaded));
    let mut conn = server.create().await.map_err(scratch_failure)?;
    // One call on SQLite (a call per statement costs a thread hand-off each way).
    let sql: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    if let Err((index, e)) = conn.execute_each(&sql).await {
        let statement = &statements[index];
        // The line the server points at, in a statement of several lines.
        let line = statement.line + error_line(&e, &statement.sql).unwrap_or(0);
        return Err(Failure::usage(format!(
            "{shown}:{line}: the database refused this statement of the desired schema: {}",
            database_message(&e)
        ))
        .hint(format!("fix line {line} of {shown}; it is run as a script on an empty scratch database"))
        .into());
    }
    let mut conn: Conn = server.fresh(conn).await.map_err(|e| Failure::database(e.to_string()))?;
    let version_table = &loaded.project.config.version_table;
    let mut schema = introspect(&mut conn, version_table).await.map_err(|e| Failure::database(e.to_string()))?;
    let ours =
        version_table_definition(&mut conn, version_table).await.map_err(|e| Failure::database(e.to_string()))?;
    let ours = ours.map(|table| (table, creating_line(statements, kind, version_table.as_str())));
    conn.close().await;
    let unmatched = apply_rename_notes(&mut schema, &rename_notes(text, kind));
    if let Some(note) = unmatched.first() {
        let what = match &note.column {
            Some(column) => {
                format!("is not on the line of a column of table {} (the line starts with `{column}`)", note.table)
            }
            None => format!("is on the line of table {}, which the schema does not have", note.table),
        };
        return Err(Failure::usage(format!("{shown}:{}: `-- renamed from: {}` {what}", note.line, note.from))
        .hint(
            "put the note at the end of the `CREATE TABLE` line of the renamed table, or of the renamed column's line",
        )
        .into());
    }
    Ok((schema, ours))
}

/// The line of the statement that creates table `name` (`CREATE TABLE [IF NOT EXISTS]
/// [schema.]name`), if one does.
fn creating_line(statements: &[DesiredStatement], kind: DatabaseKind, name: &str) -> Option<usize> {
    let lexing = kind.dialect().lexing();
    statements
        .iter()
        .find(|s| {
            let tokens = tokenize(&s.sql, lexing);
            let mut words = tokens.iter().peekable();
            if !words.next().is_some_and(|t| t.is_word("CREATE")) {
                return false;
            }
            while words.peek().is_some_and(|t| t.is_word("TEMPORARY") || t.is_word("TEMP")) {
                words.next();
            }
            if !words.next().is_some_and(|t| t.is_word("TABLE")) {
                return false;
            }
            while words.peek().is_some_and(|t| t.is_word("IF") || t.is_word("NOT") || t.is_word("EXISTS")) {
                words.next();
            }
            let mut last = None;
            while let Some(t) = words.next() {
                last = t.identifier();
                if !words.peek().is_some_and(|t| t.kind == TokenKind::Dot) {
                    break;
                }
                words.next();
            }
            last.is_some_and(|table| table.eq_ignore_ascii_case(name))
        })
        .map(|s| s.line)
}

/// Head and desired, built side by side on scratch databases, and compared. Refuses a
/// `schema.sql` that defines the version table differently from the runner.
pub(crate) async fn compare_sides(
    ctx: &Context,
    server: &ScratchServer,
    loaded: &Loaded,
    database: &DatabaseArgs,
    heads: &[RevIndex],
) -> Result<Sides> {
    let kind = server.kind().expect("checked by scratch_server");
    let text = read_schema_file(ctx, loaded)?;
    let desired_statements = statements(&text, kind);
    if let Some(outside) = outside_scratch(&desired_statements, kind) {
        let shown = ctx.display(&schema_path(loaded));
        return Err(Failure::usage(format!(
            "{shown}:{}: this statement {}; autogenerate runs schema.sql on a scratch database only",
            outside.line, outside.does
        ))
        .hint(outside.fix)
        .into());
    }
    // Both sides at once, each on a scratch database of its own: the server (or SQLite's
    // thread) builds one while it builds the other. A refused schema.sql is reported as
    // soon as it is refused, and before a failure of head's.
    let desired_side = build_desired(ctx, server, loaded, kind, &text, &desired_statements);
    let head_side = build_head(server, loaded, database, heads);
    tokio::pin!(desired_side, head_side);
    let ((desired, ours), head) = tokio::select! {
        desired = &mut desired_side => {
            let desired = desired?;
            (desired, head_side.await?)
        }
        head = &mut head_side => {
            let desired = desired_side.await?;
            (desired, head?)
        }
    };
    if let Some((ours, line)) = ours {
        let expected = expected_version_table(server, loaded).await?;
        if expected.as_ref() != Some(&ours) {
            let name = &loaded.project.config.version_table;
            let at = line.map(|line| format!(":{line}:")).unwrap_or_default();
            return Err(Failure::usage(format!(
                "{}{at} defines the version table `{name}` differently from cargo migrate: that table is the runner's, not part of the schema",
                ctx.display(&schema_path(loaded))
            ))
            .hint(format!("remove `{name}` from the file (a dump of the database may keep it unchanged)"))
            .into());
        }
    }
    let mut desired = desired;
    warn_unused_rename_notes(ctx, &head, &desired);
    case_only_renames(kind, &head, &mut desired);
    let comparison = compare(&head, &desired);
    Ok(Sides { head, desired, comparison })
}

/// A `-- renamed from: OLD` note whose old and new names are both missing at head names
/// nothing (a typo, or a note left from an older rename): said, since it changes nothing.
fn warn_unused_rename_notes(ctx: &Context, head: &Schema, desired: &Schema) {
    for table in desired.tables.values() {
        if let Some(old) = &table.renamed_from
            && !head.tables.contains_key(old)
            && !head.tables.contains_key(&table.name)
        {
            ctx.output.warn(
                &format!(
                    "`-- renamed from: {old}` on table {}: head has no table {old}, so the table is added",
                    table.name
                ),
                &["check the old name, or remove the note".to_owned()],
            );
        }
        let head_table = head.table(table.renamed_from.as_deref().unwrap_or(&table.name)).or(head.table(&table.name));
        for column in &table.columns {
            if let (Some(old), Some(head_table)) = (&column.renamed_from, head_table)
                && head_table.column(old).is_none()
                && head_table.column(&column.name).is_none()
            {
                ctx.output.warn(
                    &format!(
                        "`-- renamed from: {old}` on column {}.{}: head's table has no column {old}, so the column is added",
                        table.name, column.name
                    ),
                    &["check the old name, or remove the note".to_owned()],
                );
            }
        }
    }
}

/// The version table as the runner makes it, read back from a scratch database.
async fn expected_version_table(
    server: &ScratchServer,
    loaded: &Loaded,
) -> Result<Option<migrate_embed::schema::model::Table>> {
    let mut conn = server.create().await.map_err(scratch_failure)?;
    let table = migrate_embed::version_table::VersionTable::new(&loaded.project.config.version_table, conn.dialect());
    conn.execute_raw(&table.create()).await.map_err(|e| Failure::database(database_message(&e)))?;
    let ours = version_table_definition(&mut conn, &loaded.project.config.version_table)
        .await
        .map_err(|e| Failure::database(e.to_string()))?;
    conn.close().await;
    Ok(ours)
}

/// Both sides and their comparison.
pub(crate) struct Sides {
    /// The schema at head.
    pub head: Schema,
    /// The schema `schema.sql` builds.
    pub desired: Schema,
    /// The changes from head to desired.
    pub comparison: Comparison,
}

impl Sides {
    /// `Detected …` lines, as Alembic prints them.
    pub fn detected(&self) -> Vec<String> {
        self.comparison.changes.iter().map(|c| format!("Detected {}", c.describe())).collect()
    }

    /// What is present on either side and not compared, once each.
    pub fn not_compared(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .head
            .not_compared
            .iter()
            .chain(&self.desired.not_compared)
            .map(|n| format!("{} '{}'", n.kind, n.name))
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

/// The `--format json` report of `revision --autogenerate`.
#[derive(Serialize)]
struct AutogenerateJson {
    changes: Vec<String>,
    possible_renames: Vec<String>,
    warnings: Vec<String>,
    not_compared: Vec<String>,
    transactional: bool,
    revision: Option<super::revision::Created>,
}

/// `cargo migrate revision --autogenerate -m MSG`.
///
/// # Errors
/// Usage errors for the revision's options, `schema.sql` (missing, refused by the
/// database, version table) and renders that cannot be written; database errors for the
/// scratch server. Nothing is written then.
pub fn run(ctx: &Context, args: &RevisionArgs) -> Result<()> {
    let (loaded, _lock) = ctx.load_for_writing()?;
    let parents = choose_parents(&loaded, args)?;
    let database = DatabaseArgs { lock_timeout: 60, lock: None };
    // With no revisions yet, head is the empty schema.
    let heads = if loaded.graph.is_empty() { Vec::new() } else { parents.clone() };
    let sides =
        with_scratch(ctx, &loaded, async |server| compare_sides(ctx, server, &loaded, &database, &heads).await)?;
    let kind = scratch_server(ctx, &loaded)?.kind().expect("checked by scratch_server");
    let json = ctx.output.json();
    let not_compared = sides.not_compared();
    if !json && !not_compared.is_empty() {
        ctx.output.note(&format!("not compared: {}", not_compared.join(", ")));
    }
    if sides.comparison.is_empty() {
        if json {
            ctx.output.print_json(&AutogenerateJson {
                changes: Vec::new(),
                possible_renames: Vec::new(),
                warnings: Vec::new(),
                not_compared,
                transactional: true,
                revision: None,
            })?;
        } else {
            ctx.output.status("No changes in schema detected.")?;
        }
        return Ok(());
    }
    let changes = &sides.comparison.changes;
    let render_failure = |e: migrate_embed::schema::RenderError| {
        anyhow::Error::from(Failure::usage(format!("cannot write the revision: {e}")).hint(
            "write this change by hand with `cargo migrate revision -m '…'`, or change schema.sql so it is not needed",
        ))
    };
    let up = render(kind, changes, &sides.head, &sides.desired).map_err(render_failure)?;
    // Triggers are not compared: after the up the database has head's, which a SQLite
    // rebuild in the down must create again (schema.sql may have none, or others).
    let mut desired_as_left = sides.desired.clone();
    desired_as_left.not_compared.retain(|nc| nc.kind != "trigger");
    desired_as_left.not_compared.extend(sides.head.not_compared.iter().filter(|nc| nc.kind == "trigger").cloned());
    let down = render(kind, &reverse_all(changes), &desired_as_left, &sides.head).map_err(render_failure)?;
    let warnings: Vec<String> = up.warnings().map(str::to_owned).collect();
    let possible_renames: Vec<String> = sides.comparison.possible_renames.iter().map(ToString::to_string).collect();
    if !json {
        for line in sides.detected() {
            ctx.output.status(&line)?;
        }
        for rename in &possible_renames {
            ctx.output.warn(&format!("possible rename: {rename}"), &[]);
        }
        for warning in &warnings {
            ctx.output.warn(warning, &[]);
        }
    }
    let transactional = up.transactional && down.transactional;
    let created = create(
        ctx,
        &loaded,
        Request {
            parents,
            message: &args.message,
            branch_labels: &args.branch_labels,
            depends_on: &args.depends_on,
            rev_id: args.rev_id.as_deref(),
            transactional: (args.no_transaction || !transactional).then_some(false),
            foreign_keys_off: up.foreign_keys_off || down.foreign_keys_off,
            body: RevisionBody::new(up.to_sql(kind), Some(down.to_sql(kind))),
            announce: !json,
        },
    )?;
    if json {
        ctx.output.print_json(&AutogenerateJson {
            changes: sides.comparison.changes.iter().map(|c| c.describe()).collect(),
            possible_renames,
            warnings,
            not_compared,
            transactional,
            revision: Some(created),
        })?;
    }
    Ok(())
}
