//! From a graph, the applied revisions and a target to an ordered list of steps. Pure, so
//! the runner, offline `--sql` and the tests share it: both run the same [`Step`]s (as
//! Alembic's `RevisionStep` drives both its online and offline modes).

use crate::graph::{DowngradeTo, RevIndex, RevSet, RevisionGraph, Target, TargetError, TargetKind};
use crate::revision::revises_text;
use crate::version_table::{NewRow, VersionRow};
use std::path::Path;

/// Which way a step goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Run the up section.
    Up,
    /// Run the down section.
    Down,
}

impl Direction {
    /// `upgrade` or `downgrade`, as log lines and messages say it.
    pub fn verb(self) -> &'static str {
        match self {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
        }
    }
}

/// The ordered revisions to run; upgrades in topological order, downgrades newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Up or down.
    pub direction: Direction,
    /// Revisions, in the order to run them.
    pub steps: Vec<RevIndex>,
}

impl Plan {
    /// The steps of this plan: each revision's section to run and what to record.
    pub fn steps<'g>(&self, graph: &'g RevisionGraph, transactional_default: bool) -> Vec<Step<'g>> {
        self.steps.iter().map(|&index| Step::new(graph, index, self.direction, transactional_default)).collect()
    }
}

/// One revision section to run: what the runner executes and what `--sql` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step<'g> {
    /// Up or down.
    pub direction: Direction,
    /// The revision id.
    pub id: &'g str,
    /// `id (message)`, for messages.
    pub describe: String,
    /// The revision's message (for a recorded down step, marked as such).
    pub message: String,
    /// The revision(s) it moves from, as log lines name them (`<base>` for none).
    pub from: String,
    /// The revision(s) it moves to.
    pub to: String,
    /// The ids the revision revises.
    pub parents: Vec<String>,
    /// The section's SQL.
    pub sql: &'g str,
    /// Where the SQL comes from, to point at a failing statement's line.
    pub source: StepSource<'g>,
    /// Whether it runs in one transaction with its version-table change.
    pub transactional: bool,
    /// `Foreign Keys: off`: run with foreign-key enforcement off, references checked
    /// before the commit.
    pub foreign_keys_off: bool,
    /// What the version table records once it has run.
    pub record: Record<'g>,
}

/// Where a step's SQL comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepSource<'g> {
    /// A revision file (or its embedded copy): the section's first line there.
    File {
        /// The file.
        path: &'g Path,
        /// The line of the section's first SQL line (0 when unknown).
        first_line: usize,
    },
    /// The down SQL the version table recorded (`--use-recorded-down`).
    Recorded,
}

/// What the version table records when a step has run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record<'g> {
    /// An upgrade: the revision's row.
    Insert(NewRow<'g>),
    /// A downgrade: the row goes.
    Delete,
}

impl<'g> Step<'g> {
    /// The step that runs `index`'s up or down section.
    pub fn new(graph: &'g RevisionGraph, index: RevIndex, direction: Direction, transactional_default: bool) -> Self {
        let rev = graph.revision(index);
        let parents = graph.parents_text(index);
        let (from, to, sql, first_line) = match direction {
            Direction::Up => (parents, rev.id.clone(), rev.body.up_sql.as_str(), rev.origin.up_line),
            Direction::Down => {
                (rev.id.clone(), parents, rev.body.down_sql.as_deref().unwrap_or_default(), rev.origin.down_line)
            }
        };
        let record = match direction {
            Direction::Up => Record::Insert(NewRow {
                revision: &rev.id,
                parents: rev.parents.join(","),
                message: &rev.message,
                checksum: &rev.body.checksum,
                down_sql: rev.body.down_sql.as_deref(),
            }),
            Direction::Down => Record::Delete,
        };
        Step {
            direction,
            id: &rev.id,
            describe: graph.describe(index),
            message: rev.message.clone(),
            from,
            to,
            parents: rev.parents.clone(),
            sql,
            source: StepSource::File { path: &rev.origin.path, first_line },
            transactional: rev.is_transactional(transactional_default),
            foreign_keys_off: rev.foreign_keys_off,
            record,
        }
    }

    /// The step that undoes a revision the graph does not know, from the down SQL its
    /// version row recorded (in one transaction).
    pub fn recorded_down(row: &'g VersionRow) -> Self {
        let parents: Vec<String> = row.parents.split(',').filter(|p| !p.is_empty()).map(str::to_owned).collect();
        Step {
            direction: Direction::Down,
            id: &row.revision,
            describe: row.describe(),
            message: format!("{} (recorded down SQL)", row.message),
            from: row.revision.clone(),
            to: revises_text(&parents),
            parents,
            sql: row.down_sql.as_deref().unwrap_or_default(),
            source: StepSource::Recorded,
            transactional: true,
            foreign_keys_off: false,
            record: Record::Delete,
        }
    }

    /// `Running upgrade A -> B, message`, as Alembic logs a step.
    pub fn running_line(&self) -> String {
        let mut line = format!("Running {} {} -> {}", self.direction.verb(), self.from, self.to);
        if !self.message.is_empty() {
            line.push_str(", ");
            line.push_str(&crate::diagnostic::printable_line(&self.message));
        }
        line
    }

    /// `file:line` of a statement starting on `line` of the section (1-based).
    pub fn location(&self, line: usize) -> String {
        match self.source {
            StepSource::File { path, first_line } if first_line > 0 => {
                format!("{}:{}", path.display(), first_line + line - 1)
            }
            StepSource::File { path, .. } => path.display().to_string(),
            StepSource::Recorded => "recorded down SQL".to_owned(),
        }
    }
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The target is malformed or does not resolve.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// A downgrade target that is not applied (so not below the current state).
    #[error(
        "cannot downgrade to {target}: it is not applied (the database is at {current}); `downgrade` only goes down, use `upgrade` to go up"
    )]
    NotBelowCurrent {
        /// The target revision.
        target: String,
        /// The database's current heads.
        current: String,
    },
    /// A downgrade that would pass through a revision without a down section.
    #[error(
        "cannot downgrade through {revision} ({path}): it has no `-- migrate:down` section, so it is irreversible; nothing was run"
    )]
    Irreversible {
        /// The revision.
        revision: String,
        /// Its file.
        path: String,
    },
}

/// The plan for `upgrade TARGET`: every revision the target needs (parents and
/// dependencies, transitively) that is not applied, in topological order.
///
/// # Errors
/// [`PlanError::Target`] for a bad target (e.g. `head` with several heads, or `-N`).
pub fn plan_upgrade(graph: &RevisionGraph, applied: &RevSet, target: &Target) -> Result<Plan, PlanError> {
    let destination = graph.upgrade_destination(target, applied)?;
    let needed = graph.ancestors(&destination, true);
    let steps = (0..graph.len()).filter(|&i| needed[i] && !applied[i]).collect();
    Ok(Plan { direction: Direction::Up, steps })
}

/// The plan for `downgrade TARGET`, as Alembic: the applied revisions that descend from
/// the target (and those that depend on them), newest first. Other branches and roots
/// stay; at a merge, its parents become heads again. `X@Y` removes what is above `Y` on
/// branch `X` (`Y` may lie in the trunk X shares, which takes what stands on that part of
/// the trunk too); `X@base` removes branch X's own revisions, keeping the trunk that
/// other applied branches stand on.
///
/// # Errors
/// [`PlanError::NotBelowCurrent`] for a target that is not applied, and
/// [`PlanError::Irreversible`] naming the first revision without a down section; both
/// before anything runs.
pub fn plan_downgrade(graph: &RevisionGraph, applied: &RevSet, target: &Target) -> Result<Plan, PlanError> {
    let remove = removed_by_downgrade(graph, applied, target, true)?;
    let steps: Vec<RevIndex> = (0..graph.len()).rev().filter(|&i| remove[i] && applied[i]).collect();
    if let Some(&stuck) = steps.iter().find(|&&i| graph.revision(i).body.down_sql.is_none()) {
        let rev = graph.revision(stuck);
        return Err(PlanError::Irreversible {
            revision: graph.describe(stuck),
            path: rev.origin.path.display().to_string(),
        });
    }
    Ok(Plan { direction: Direction::Down, steps })
}

/// What a downgrade to `target` takes away (of any revisions, applied or not). With
/// `require_applied`, a target that is not applied is an error, as for `downgrade`.
fn removed_by_downgrade<B>(
    graph: &RevisionGraph<B>,
    applied: &RevSet,
    target: &Target,
    require_applied: bool,
) -> Result<RevSet, PlanError> {
    Ok(match graph.downgrade_destination(target, applied)? {
        DowngradeTo::Base => applied.clone(),
        DowngradeTo::BranchBase(label) => {
            // The branch's lineage goes down to base, but the part of it that other
            // applied branches stand on stays: only what is the branch's own goes (with
            // what depends on it). Without other branches, that is all of it.
            let lineage = graph.branch_lineage(&label)?;
            let others: Vec<RevIndex> = (0..graph.len()).filter(|&i| applied[i] && !lineage[i]).collect();
            let needed = graph.ancestors(&others, false);
            let start: Vec<RevIndex> = (0..graph.len()).filter(|&i| applied[i] && lineage[i] && !needed[i]).collect();
            graph.descendants(&start, true)
        }
        DowngradeTo::Revisions(keep) => {
            if require_applied && let Some(&missing) = keep.iter().find(|&&k| !applied[k]) {
                let heads = graph.applied_heads(applied);
                let current = if heads.is_empty() {
                    "base".to_owned()
                } else {
                    heads.iter().map(|&h| graph.revision(h).id.as_str()).collect::<Vec<_>>().join(", ")
                };
                return Err(PlanError::NotBelowCurrent { target: graph.describe(missing), current });
            }
            // The kept revisions stay applied, so what merely depends on them stays too:
            // start from their children (Alembic's `nextrev`), and with `X@…` only from
            // children on branch X, so sibling branches are left alone.
            let members = match &target.branch {
                Some(label) => Some(graph.branch_lineage(label)?),
                None => None,
            };
            let start: Vec<RevIndex> = keep
                .iter()
                .flat_map(|&k| graph.children(k).iter().copied())
                .filter(|&c| members.as_ref().is_none_or(|m| m[c]))
                .collect();
            graph.descendants(&start, true)
        }
    })
}

/// The state `stamp TARGET` records, as Alembic's stamp moves heads: the target and
/// everything it needs are recorded; what is recorded above the target, on its lines of
/// descent, is not (as a downgrade to it would take away); other branches stay as they
/// are. `base` records nothing; `heads` records everything.
///
/// # Errors
/// [`PlanError::Target`] for a bad target.
pub fn stamp_state<B>(graph: &RevisionGraph<B>, recorded: &RevSet, target: &Target) -> Result<RevSet, PlanError> {
    let removed = match target.kind {
        TargetKind::Heads => graph.empty_set(),
        _ => match removed_by_downgrade(graph, recorded, target, false) {
            Err(PlanError::Target(TargetError::WrongDirection { .. })) => graph.empty_set(),
            other => other?,
        },
    };
    // `X@-N` counts down: where a downgrade to it would stop.
    let points = match graph.upgrade_destination(target, recorded) {
        Err(TargetError::WrongDirection { .. }) => match graph.downgrade_destination(target, recorded)? {
            DowngradeTo::Revisions(points) => points,
            DowngradeTo::Base | DowngradeTo::BranchBase(_) => Vec::new(),
        },
        other => other?,
    };
    let added = graph.ancestors(&points, true);
    Ok((0..graph.len()).map(|i| added[i] || (recorded[i] && !removed[i])).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revision::parse_revision;

    /// The applied set after a plan runs.
    fn apply_plan(applied: &RevSet, plan: &Plan) -> RevSet {
        let mut after = applied.clone();
        for &i in &plan.steps {
            after[i] = plan.direction == Direction::Up;
        }
        after
    }

    fn graph(spec: &[(&str, &str, bool)]) -> RevisionGraph {
        let revisions = spec
            .iter()
            .map(|(id, revises, reversible)| {
                let down = if *reversible { "-- migrate:down\nSELECT 0;\n" } else { "" };
                let text =
                    format!("-- {id}\n-- Revision ID: {id}\n-- Revises: {revises}\n-- migrate:up\nSELECT 1;\n{down}");
                parse_revision(text.as_bytes()).unwrap()
            })
            .collect();
        RevisionGraph::build(revisions).unwrap()
    }

    fn ids(g: &RevisionGraph, plan: &Plan) -> Vec<String> {
        plan.steps.iter().map(|&i| g.revision(i).id.clone()).collect()
    }

    fn set(g: &RevisionGraph, names: &[&str]) -> RevSet {
        let mut s = g.empty_set();
        for n in names {
            s[g.index_of(n).unwrap()] = true;
        }
        s
    }

    fn t(text: &str) -> Target {
        text.parse().unwrap()
    }

    /// a -> b -> {c, d} -> m (merge) -> e
    fn merged() -> RevisionGraph {
        graph(&[
            ("a", "<base>", true),
            ("b", "a", true),
            ("c", "b", true),
            ("d", "b", true),
            ("m", "c, d", true),
            ("e", "m", true),
        ])
    }

    #[test]
    fn upgrade_runs_what_is_missing_in_order() {
        let g = merged();
        let plan = plan_upgrade(&g, &g.empty_set(), &t("head")).unwrap();
        assert_eq!(ids(&g, &plan), ["a", "b", "c", "d", "m", "e"]);
        let plan = plan_upgrade(&g, &set(&g, &["a", "b", "d"]), &t("m")).unwrap();
        assert_eq!(ids(&g, &plan), ["c", "m"]);
        let plan = plan_upgrade(&g, &set(&g, &["a", "b"]), &t("b")).unwrap();
        assert!(plan.steps.is_empty());
    }

    #[test]
    fn downgrade_across_a_merge_restores_both_parents() {
        let g = merged();
        let all = vec![true; g.len()];
        // As in Alembic, walking on down through a merge is ambiguous without a label,
        // but the last step may land on all of a merge's parents.
        assert!(matches!(
            plan_downgrade(&g, &all, &t("-3")),
            Err(PlanError::Target(TargetError::AmbiguousWalk { .. }))
        ));
        assert_eq!(ids(&g, &plan_downgrade(&g, &all, &t("-2")).unwrap()), ["e", "m"]);
        let at_merge = set(&g, &["a", "b", "c", "d", "m"]);
        let plan = plan_downgrade(&g, &at_merge, &t("-1")).unwrap();
        assert_eq!(ids(&g, &plan), ["m"]);
        let after = apply_plan(&at_merge, &plan);
        let heads: Vec<&str> = g.applied_heads(&after).iter().map(|&h| g.revision(h).id.as_str()).collect();
        assert_eq!(heads, ["c", "d"]);
        // Down to c from the merged state removes m and e only; d stays.
        let plan = plan_downgrade(&g, &all, &t("c")).unwrap();
        assert_eq!(ids(&g, &plan), ["e", "m"]);
        let plan = plan_downgrade(&g, &all, &t("base")).unwrap();
        assert_eq!(ids(&g, &plan), ["e", "m", "d", "c", "b", "a"]);
    }

    #[test]
    fn downgrade_edge_cases() {
        let g = merged();
        let some = set(&g, &["a", "b"]);
        assert!(plan_downgrade(&g, &some, &t("b")).unwrap().steps.is_empty());
        assert!(plan_downgrade(&g, &g.empty_set(), &t("base")).unwrap().steps.is_empty());
        let err = plan_downgrade(&g, &some, &t("m")).unwrap_err();
        assert!(matches!(err, PlanError::NotBelowCurrent { .. }), "{err}");
        assert!(err.to_string().contains("the database is at b"), "{err}");
    }

    #[test]
    fn downgrading_to_a_dependency_keeps_what_depends_on_it() {
        // y1 is its own root; b2 depends on it. y1 stays applied, so b2 stays too.
        let mut g = graph(&[("a1", "<base>", true), ("b2", "a1", true), ("y1", "<base>", true), ("y2", "y1", true)]);
        let mut revisions: Vec<_> = g.revisions().to_vec();
        revisions.iter_mut().find(|r| r.id == "b2").unwrap().depends_on = vec!["y1".into()];
        g = RevisionGraph::build(revisions).unwrap();
        let all = vec![true; 4];
        assert_eq!(ids(&g, &plan_downgrade(&g, &all, &t("y1")).unwrap()), ["y2"]);
        // Removing what b2 depends on removes b2 as well.
        assert_eq!(ids(&g, &plan_downgrade(&g, &all, &t("base")).unwrap()).len(), 4);
        let plan = plan_downgrade(&g, &set(&g, &["a1", "b2", "y1"]), &t("a1")).unwrap();
        assert_eq!(ids(&g, &plan), ["b2"]);
    }

    #[test]
    fn label_downgrade_to_a_branch_point_leaves_the_sibling_branch() {
        let mut revisions: Vec<_> =
            graph(&[("a1", "<base>", true), ("b2", "a1", true), ("c3", "a1", true)]).revisions().to_vec();
        revisions.iter_mut().find(|r| r.id == "b2").unwrap().branch_labels = vec!["lefty".into()];
        revisions.iter_mut().find(|r| r.id == "c3").unwrap().branch_labels = vec!["righty".into()];
        let g = RevisionGraph::build(revisions).unwrap();
        let all = vec![true; 3];
        assert_eq!(ids(&g, &plan_downgrade(&g, &all, &t("lefty@-1")).unwrap()), ["b2"]);
        assert_eq!(ids(&g, &plan_downgrade(&g, &all, &t("righty@base")).unwrap()), ["c3"]);
    }

    #[test]
    fn stamp_moves_the_heads_of_the_target_s_lines_only() {
        // a -> b -> {c, d}; c and d are separate branches off b.
        let g = graph(&[("a", "<base>", true), ("b", "a", true), ("c", "b", true), ("d", "b", true)]);
        let all = set(&g, &["a", "b", "c", "d"]);
        let ids_of = |s: &RevSet| (0..g.len()).filter(|&i| s[i]).map(|i| g.revision(i).id.clone()).collect::<Vec<_>>();
        // Down to the branch point: both branches go, as a downgrade to it would remove them.
        assert_eq!(ids_of(&stamp_state(&g, &all, &t("b")).unwrap()), ["a", "b"]);
        // One step down c's own line forgets c and keeps d (the recovery for a marked c).
        assert_eq!(ids_of(&stamp_state(&g, &all, &t("c@-1")).unwrap()), ["a", "b", "d"]);
        // On the trunk below both: both go.
        assert_eq!(ids_of(&stamp_state(&g, &all, &t("a")).unwrap()), ["a"]);
        assert!(ids_of(&stamp_state(&g, &all, &t("base")).unwrap()).is_empty());
        // Up: what the target needs is added, the rest stays.
        let some = set(&g, &["a", "b", "c"]);
        assert_eq!(ids_of(&stamp_state(&g, &some, &t("d")).unwrap()), ["a", "b", "c", "d"]);
        assert_eq!(ids_of(&stamp_state(&g, &g.empty_set(), &t("heads")).unwrap()), ["a", "b", "c", "d"]);
    }

    #[test]
    fn irreversible_revision_stops_before_anything() {
        let g = graph(&[("a", "<base>", true), ("b", "a", false), ("c", "b", true)]);
        let all = vec![true; 3];
        let err = plan_downgrade(&g, &all, &t("a")).unwrap_err();
        assert!(matches!(&err, PlanError::Irreversible { revision, .. } if revision.starts_with("b ")), "{err}");
        assert_eq!(ids(&g, &plan_downgrade(&g, &all, &t("b")).unwrap()), ["c"]);
    }
}
