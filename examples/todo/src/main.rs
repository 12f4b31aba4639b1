//! A small todo application that carries its migrations inside the binary.
//!
//! ```text
//! todo --migrate                 # bring the database to head, then exit
//! todo add "buy milk" --tag errand --priority 2
//! todo list
//! todo done 1
//! ```
//!
//! SQLite (`sqlite://todo.db?mode=rwc`) by default; PostgreSQL or MySQL with
//! `DATABASE_URL` or `--database-url`.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use migrate_embed::EmbeddedMigrations;
use migrate_embed::cli::MigrateArgs;
use sqlx::{AnyConnection, Connection, Row};
use std::process::ExitCode;

/// The revisions in `migrations/`, checked and frozen by `build.rs`.
static MIGRATIONS: EmbeddedMigrations = migrate_embed::embedded_migrations!();

#[derive(Parser)]
#[command(version, about = "A todo list that migrates its own database (--migrate).")]
struct Cli {
    /// Database URL [default: the package's `database_url`, sqlite://todo.db?mode=rwc].
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    #[command(flatten)]
    migrate: MigrateArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Add a todo.
    Add {
        /// What to do.
        title: String,
        /// Higher comes first.
        #[arg(long, default_value_t = 0)]
        priority: i64,
        /// Tags (created when new).
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// List todos, highest priority first.
    List,
    /// Mark a todo done.
    Done {
        /// The todo's id.
        id: i64,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.migrate.requested() {
        return cli.migrate.run(&MIGRATIONS, cli.database_url.as_deref()).await;
    }
    match run(&cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: &Cli) -> Result<()> {
    let Some(command) = &cli.command else {
        bail!("nothing to do: give a command (add, list, done) or --migrate; see --help");
    };
    let Some(url) = cli.database_url.as_deref().or(MIGRATIONS.default_database_url()) else {
        bail!("no database URL: set DATABASE_URL or pass --database-url");
    };
    // Refuse to work on a database that is behind (or ahead of) this binary.
    let status = migrate_embed::app::current(&MIGRATIONS, url).await?;
    if !status.is_up_to_date() {
        bail!("the database is not at this release's schema; run `todo --migrate` first\n{status}");
    }
    sqlx::any::install_default_drivers();
    let mut db = AnyConnection::connect(url).await.context("cannot connect")?;
    let postgres = url.starts_with("postgres");
    // Any does not translate placeholders: PostgreSQL wants $1, $2…
    let sql = |text: &str| -> String {
        if !postgres {
            return text.to_owned();
        }
        let mut n = 0;
        text.chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    };
    match command {
        Command::Add { title, priority, tags } => {
            let mut tx = db.begin().await?;
            sqlx::query(&sql("INSERT INTO todo (id, title, priority) SELECT COALESCE(MAX(id), 0) + 1, ?, ? FROM todo"))
                .bind(title)
                .bind(priority)
                .execute(&mut *tx)
                .await?;
            let id: i64 = sqlx::query("SELECT MAX(id) FROM todo").fetch_one(&mut *tx).await?.try_get(0)?;
            for tag in tags {
                let existing =
                    sqlx::query(&sql("SELECT id FROM tag WHERE name = ?")).bind(tag).fetch_optional(&mut *tx).await?;
                let tag_id: i64 = match existing {
                    Some(row) => row.try_get(0)?,
                    None => {
                        sqlx::query(&sql("INSERT INTO tag (id, name) SELECT COALESCE(MAX(id), 0) + 1, ? FROM tag"))
                            .bind(tag)
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query(&sql("SELECT id FROM tag WHERE name = ?"))
                            .bind(tag)
                            .fetch_one(&mut *tx)
                            .await?
                            .try_get(0)?
                    }
                };
                sqlx::query(&sql("INSERT INTO todo_tag (todo_id, tag_id) VALUES (?, ?)"))
                    .bind(id)
                    .bind(tag_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            println!("added #{id}: {title}");
        }
        Command::List => {
            let rows = sqlx::query(
                "SELECT t.id, t.title, t.priority, t.done_at, g.name FROM todo t \
                 LEFT JOIN todo_tag tt ON tt.todo_id = t.id LEFT JOIN tag g ON g.id = tt.tag_id \
                 ORDER BY t.priority DESC, t.id, g.name",
            )
            .fetch_all(&mut db)
            .await?;
            let mut last: Option<i64> = None;
            let mut line = String::new();
            for row in rows {
                let id: i64 = row.try_get(0)?;
                let tag: Option<String> = row.try_get(4)?;
                if last != Some(id) {
                    if !line.is_empty() {
                        println!("{line}");
                    }
                    let title: String = row.try_get(1)?;
                    let priority: i64 = row.try_get(2)?;
                    let done: Option<String> = row.try_get(3)?;
                    let mark = if done.is_some() { "x" } else { " " };
                    line = format!("[{mark}] #{id} {title} (priority {priority})");
                    last = Some(id);
                }
                if let Some(tag) = tag {
                    line.push_str(&format!(" #{tag}"));
                }
            }
            if line.is_empty() {
                println!("nothing to do");
            } else {
                println!("{line}");
            }
        }
        Command::Done { id } => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs().to_string();
            let done = sqlx::query(&sql("UPDATE todo SET done_at = ? WHERE id = ?"))
                .bind(now)
                .bind(id)
                .execute(&mut db)
                .await?;
            if done.rows_affected() == 0 {
                bail!("no todo #{id}; `todo list` shows them");
            }
            println!("done #{id}");
        }
    }
    Ok(())
}
