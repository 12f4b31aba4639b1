//! `cargo migrate merge REVS… -m MSG`: a revision whose `Revises` lists several heads, as
//! `alembic merge` makes one.

use super::revision::{Request, create, describe_all};
use super::{Context, resolve_offline};
use crate::cli::MergeArgs;
use crate::error::Failure;
use anyhow::Result;
use migrate_embed::graph::RevIndex;

/// Creates the merge revision.
///
/// # Errors
/// A usage [`Failure`] (nothing written) when fewer than two heads are named, a revision
/// is named twice or is not a head, or the message, label or id cannot be used.
pub fn run(ctx: &Context, args: &MergeArgs) -> Result<()> {
    // Held until the new file is written: concurrent writers take turns.
    let (loaded, _lock) = ctx.load_for_writing()?;
    let graph = &loaded.graph;
    let mut parents: Vec<RevIndex> = Vec::new();
    for target in &args.revisions {
        let found = resolve_offline(graph, target)?;
        if found.is_empty() {
            return Err(Failure::usage(format!("`{target}` names no revision; merge joins heads")).into());
        }
        for index in found {
            if parents.contains(&index) {
                return Err(Failure::usage(format!("revision {} is named twice", graph.describe(index))).into());
            }
            if !graph.is_head(index) {
                return Err(Failure::usage(format!(
                    "revision {} is not a head; merge joins heads",
                    graph.describe(index)
                ))
                .hint(format!("the heads are: {}", describe_all(graph, graph.heads())))
                .into());
            }
            parents.push(index);
        }
    }
    if parents.len() < 2 {
        let what = match parents[..] {
            [one] => format!("only one head is named ({})", graph.describe(one)),
            _ => "no revision is named".to_owned(),
        };
        let heads = graph.heads();
        let mut failure = Failure::usage(format!("{what}; nothing to merge"));
        if heads.len() < 2 {
            failure = failure.hint("the migrations have a single head already");
        } else {
            failure = failure
                .hint(format!("name two or more heads, or `heads` for all of them: {}", describe_all(graph, heads)));
        }
        return Err(failure.into());
    }
    create(
        ctx,
        &loaded,
        Request {
            parents,
            message: &args.message,
            branch_labels: &args.branch_labels,
            depends_on: &[],
            rev_id: args.rev_id.as_deref(),
            transactional: None,
            foreign_keys_off: false,
            body: migrate_embed::revision::RevisionBody::new("", Some(String::new())),
            announce: true,
        },
    )
    .map(drop)
}
