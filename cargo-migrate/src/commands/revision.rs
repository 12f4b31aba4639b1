//! `cargo migrate revision -m MSG`: a new revision file on top of the head, as
//! `alembic revision` makes one. The same code (`create`) also writes `merge` revisions.

use super::{Context, Loaded, resolve_offline};
use crate::authoring::{self, Timestamp, expand_template, split_message};
use crate::cli::RevisionArgs;
use crate::error::Failure;
use crate::output::CreatedJson;
use anyhow::Result;
use migrate_embed::graph::{RevIndex, RevisionGraph, TargetKind};
use migrate_embed::revision::{Origin, Revision, RevisionBody, validate_name, write_revision};

/// Creates the revision.
///
/// # Errors
/// A usage [`Failure`] (nothing written) for: several heads and no `--head`; a `--head`
/// that is unknown, or not a head without `--splice`; a taken or malformed `--rev-id` or
/// label; an unknown `--depends-on`; a message that cannot be used.
pub fn run(ctx: &Context, args: &RevisionArgs) -> Result<()> {
    if args.autogenerate {
        return super::autogenerate::run(ctx, args);
    }
    // Held until the new file is written: concurrent writers take turns.
    let (loaded, _lock) = ctx.load_for_writing()?;
    let parents = choose_parents(&loaded, args)?;
    create(
        ctx,
        &loaded,
        Request {
            parents,
            message: &args.message,
            branch_labels: &args.branch_labels,
            depends_on: &args.depends_on,
            rev_id: args.rev_id.as_deref(),
            transactional: args.no_transaction.then_some(false),
            foreign_keys_off: false,
            body: RevisionBody::new("", Some(String::new())),
            announce: true,
        },
    )
    .map(drop)
}

/// The parent(s) of the new revision: `--head`, or the only head.
pub(crate) fn choose_parents(loaded: &Loaded, args: &RevisionArgs) -> Result<Vec<RevIndex>> {
    let graph = &loaded.graph;
    let Some(target) = &args.head else {
        return match graph.heads() {
            [] => Ok(Vec::new()),
            [one] => Ok(vec![*one]),
            many => {
                let mut failure = Failure::usage(format!(
                    "the migrations have {} heads: {}; say which one the new revision builds on",
                    many.len(),
                    describe_all(graph, many)
                ))
                .hint(format!(
                    "pass --head <rev> (e.g. --head {}), or join the heads first with `cargo migrate merge heads -m '…'`",
                    graph.revision(many[many.len() - 1]).id
                ));
                if loaded.project.config.multiple_heads {
                    failure = failure.hint("with branch labels, --head <label>@head names a branch's head");
                }
                Err(failure.into())
            }
        };
    };
    if target.kind == TargetKind::Heads {
        return Err(Failure::usage("`--head heads` names several revisions; a new revision builds on one")
            .hint("to join the heads, run `cargo migrate merge heads -m '…'`")
            .into());
    }
    let parents = resolve_offline(graph, target)?;
    if !args.splice
        && let Some(&not_head) = parents.iter().find(|&&p| !graph.is_head(p))
    {
        return Err(Failure::usage(format!(
            "revision {} is not a head; a new revision normally builds on a head",
            graph.describe(not_head)
        ))
        .hint(format!(
            "pass --splice to start a new branch from {}, or name a head: {}",
            graph.revision(not_head).id,
            describe_all(graph, graph.heads())
        ))
        .into());
    }
    Ok(parents)
}

/// `id (message), id (message)`.
pub(crate) fn describe_all<B>(graph: &RevisionGraph<B>, list: &[RevIndex]) -> String {
    list.iter().map(|&i| graph.describe(i)).collect::<Vec<_>>().join(", ")
}

/// What to write, before validation.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    /// The parents, resolved.
    pub parents: Vec<RevIndex>,
    /// `-m` as typed.
    pub message: &'a str,
    /// `--branch-label` values.
    pub branch_labels: &'a [String],
    /// `--depends-on` values as typed.
    pub depends_on: &'a [String],
    /// `--rev-id`.
    pub rev_id: Option<&'a str>,
    /// `Transactional`, when given.
    pub transactional: Option<bool>,
    /// `Foreign Keys: off` (autogenerate's SQLite table rebuilds).
    pub foreign_keys_off: bool,
    /// The up and down sections (empty for a file the user fills in).
    pub body: RevisionBody,
    /// Print `Generating … done` (or, with `--format json`, the new revision as JSON);
    /// `false` when the caller reports the revision itself.
    pub announce: bool,
}

/// The revision [`create`] wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Created {
    /// Its id.
    pub id: String,
    /// The file, as shown to people.
    pub path: String,
}

/// Validates a request against the graph and writes the file; nothing is written unless
/// every check passes.
pub(crate) fn create(ctx: &Context, loaded: &Loaded, request: Request<'_>) -> Result<Created> {
    let graph = &loaded.graph;
    let config = &loaded.project.config;
    let manifest = ctx.display(&loaded.project.package.manifest_path);

    let (message, description) = split_message(request.message);
    if message.is_empty() {
        return Err(Failure::usage("the message is empty; say what the revision does")
            .hint("e.g. -m 'add email column to account'")
            .into());
    }
    let slug = authoring::slug(&message);
    if slug.is_empty() && config.file_template.contains("{slug}") {
        return Err(Failure::usage(format!(
            "the message {message:?} has no ASCII letters or digits, so it gives an empty file name slug"
        ))
        .hint("write the message in ASCII (e.g. -m 'add users table'), or use a `file_template` without {slug} in [package.metadata.migrate]")
        .into());
    }

    let mut labels: Vec<String> = Vec::new();
    for label in request.branch_labels {
        let label = label.trim();
        validate_name("branch label", label).map_err(|e| Failure::usage(e.to_string()))?;
        if labels.iter().any(|l| l == label) {
            return Err(Failure::usage(format!("branch label `{label}` is given twice")).into());
        }
        if let Some(owner) = graph.labelled(label) {
            return Err(Failure::usage(format!(
                "branch label `{label}` is already declared by revision {} ({})",
                graph.describe(owner),
                graph.revision(owner).origin.path.display()
            ))
            .hint("a label names one branch; choose another name")
            .into());
        }
        if graph.index_of(label).is_some() {
            return Err(
                Failure::usage(format!("branch label `{label}` is also a revision id; choose another name")).into()
            );
        }
        labels.push(label.to_owned());
    }

    let mut depends_on: Vec<String> = Vec::new();
    for name in request.depends_on {
        let name = name.trim();
        validate_name("--depends-on revision", name).map_err(|e| Failure::usage(e.to_string()))?;
        let resolved = if graph.labelled(name).is_some() {
            name.to_owned()
        } else {
            let index = graph.resolve_name(name, None)?;
            graph.revision(index).id.clone()
        };
        if !depends_on.contains(&resolved) {
            depends_on.push(resolved);
        }
    }

    let id = match request.rev_id {
        Some(id) => {
            validate_name("revision id", id).map_err(|e| Failure::usage(format!("--rev-id: {e}")))?;
            if let Some(existing) = graph.index_of(id) {
                return Err(Failure::usage(format!(
                    "revision id {id} already exists ({})",
                    graph.revision(existing).origin.path.display()
                ))
                .hint("choose another --rev-id, or leave it out for a random one")
                .into());
            }
            if graph.labelled(id).is_some() {
                return Err(
                    Failure::usage(format!("--rev-id {id} is already a branch label; choose another id")).into()
                );
            }
            id.to_owned()
        }
        None => loop {
            let id = authoring::random_id()?;
            if graph.index_of(&id).is_none() && graph.labelled(&id).is_none() {
                break id;
            }
        },
    };
    if labels.contains(&id) {
        return Err(
            Failure::usage(format!("branch label `{id}` is the new revision's own id; choose another label")).into()
        );
    }

    let time = Timestamp::now(config.timezone.as_deref())?;
    let new = Revision {
        id,
        message,
        description,
        parents: request.parents.iter().map(|&p| graph.revision(p).id.clone()).collect(),
        depends_on,
        branch_labels: labels,
        create_date: Some(time.create_date()),
        transactional: request.transactional,
        lint_allow: Vec::new(),
        foreign_keys_off: request.foreign_keys_off,
        origin: Origin::default(),
        body: request.body,
    };
    let text = write_revision(&new).map_err(|e| {
        Failure::usage(e.to_string())
            .hint("rephrase the message (a header line must not look like `Key: value` or start with `migrate:`)")
    })?;
    let name = expand_template(&config.file_template, &new.id, &slug, &time).map_err(|e| {
        Failure::usage(format!(
            "{manifest}: [package.metadata.migrate] file_template = {:?}: {e}",
            config.file_template
        ))
    })?;
    let path = loaded.project.dir.join(name);
    authoring::write_new_file(&path, &text)?;

    let shown = ctx.display(&path);
    let created = Created { id: new.id.clone(), path: shown.clone() };
    if request.announce && ctx.output.json() {
        ctx.output.print_json(&CreatedJson {
            id: &new.id,
            path: shown,
            message: &new.message,
            parents: &new.parents,
            branch_labels: &new.branch_labels,
            depends_on: &new.depends_on,
        })?;
    } else if request.announce {
        ctx.output.status(&format!("Generating {shown} ... done"))?;
    }

    let replaced = request.parents.iter().filter(|&&p| graph.is_head(p)).count();
    let heads_now = graph.heads().len() - replaced + 1;
    if heads_now > 1 && !config.multiple_heads {
        ctx.output.warn(
            &format!("the migrations now have {heads_now} heads; `cargo build` and `cargo migrate check` fail until they are merged"),
            &["run `cargo migrate merge heads -m '…'`, or set `multiple_heads = true` in [package.metadata.migrate] and give each head a branch label".to_owned()],
        );
    }
    Ok(created)
}
