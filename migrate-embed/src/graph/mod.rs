//! The revision graph (Alembic's `RevisionMap`): built once from parsed revisions, checked
//! against the chain rules (SPEC §2), stored in topological order. No I/O.
//!
//! Revisions are kept in a deterministic topological order (a parent or dependency always
//! comes before its children; ties broken by id), so "index order" *is* upgrade order and
//! every walk below is linear in revisions + edges.

mod build;
mod target;

pub use build::{check_chain, check_structure};
pub use target::{Anchor, Destination, DowngradeTo, RangeSpec, Target, TargetError, TargetKind};

use crate::revision::{Revision, RevisionBody};
use std::collections::HashMap;

/// Position of a revision in the graph's topological order.
pub type RevIndex = usize;

/// A checked revision graph.
#[derive(Debug, Clone)]
pub struct RevisionGraph<B = RevisionBody> {
    revisions: Vec<Revision<B>>,
    /// Indices sorted by id, for exact and prefix lookups.
    sorted_ids: Vec<RevIndex>,
    /// Label → the revision that declares it.
    labels: HashMap<String, RevIndex>,
    parents: Vec<Vec<RevIndex>>,
    children: Vec<Vec<RevIndex>>,
    dependencies: Vec<Vec<RevIndex>>,
    dependents: Vec<Vec<RevIndex>>,
    heads: Vec<RevIndex>,
    bases: Vec<RevIndex>,
}

/// A set of revisions, one flag per index.
pub type RevSet = Vec<bool>;

impl<B> RevisionGraph<B> {
    /// The revisions in topological order.
    pub fn revisions(&self) -> &[Revision<B>] {
        &self.revisions
    }

    /// The revision at an index.
    pub fn revision(&self, index: RevIndex) -> &Revision<B> {
        &self.revisions[index]
    }

    /// Number of revisions.
    pub fn len(&self) -> usize {
        self.revisions.len()
    }

    /// Whether there are no revisions.
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }

    /// The index of a full revision id.
    pub fn index_of(&self, id: &str) -> Option<RevIndex> {
        let position = self.sorted_ids.binary_search_by(|&i| self.revisions[i].id.as_str().cmp(id)).ok()?;
        Some(self.sorted_ids[position])
    }

    /// The revision with a full id.
    pub fn get(&self, id: &str) -> Option<&Revision<B>> {
        self.index_of(id).map(|i| &self.revisions[i])
    }

    /// The revision that declares a branch label.
    pub fn labelled(&self, label: &str) -> Option<RevIndex> {
        self.labels.get(label).copied()
    }

    /// Revisions no other revision revises (dependencies do not count), in order.
    pub fn heads(&self) -> &[RevIndex] {
        &self.heads
    }

    /// Revisions that revise nothing (`Revises: <base>`), in order.
    pub fn bases(&self) -> &[RevIndex] {
        &self.bases
    }

    /// The revisions an index revises.
    pub fn parents(&self, index: RevIndex) -> &[RevIndex] {
        &self.parents[index]
    }

    /// The revisions that revise an index.
    pub fn children(&self, index: RevIndex) -> &[RevIndex] {
        &self.children[index]
    }

    /// The revisions an index depends on (`Depends On`, labels resolved).
    pub fn dependencies(&self, index: RevIndex) -> &[RevIndex] {
        &self.dependencies[index]
    }

    /// The revisions that depend on an index.
    pub fn dependents(&self, index: RevIndex) -> &[RevIndex] {
        &self.dependents[index]
    }

    /// Whether several revisions revise this one.
    pub fn is_branch_point(&self, index: RevIndex) -> bool {
        self.children[index].len() > 1
    }

    /// Whether this revision revises several.
    pub fn is_merge_point(&self, index: RevIndex) -> bool {
        self.parents[index].len() > 1
    }

    /// Whether the revision is a head.
    pub fn is_head(&self, index: RevIndex) -> bool {
        self.children[index].is_empty()
    }

    /// An empty set sized for this graph.
    pub fn empty_set(&self) -> RevSet {
        vec![false; self.revisions.len()]
    }

    /// `from` and everything they need: parents and (with `with_dependencies`) dependencies,
    /// transitively.
    pub fn ancestors(&self, from: &[RevIndex], with_dependencies: bool) -> RevSet {
        let mut seen = self.empty_set();
        let mut stack: Vec<RevIndex> = from.to_vec();
        while let Some(index) = stack.pop() {
            if std::mem::replace(&mut seen[index], true) {
                continue;
            }
            stack.extend(&self.parents[index]);
            if with_dependencies {
                stack.extend(&self.dependencies[index]);
            }
        }
        seen
    }

    /// `from` and everything built on them: children and (with `with_dependencies`)
    /// dependents, transitively.
    pub fn descendants(&self, from: &[RevIndex], with_dependencies: bool) -> RevSet {
        let mut seen = self.empty_set();
        let mut stack: Vec<RevIndex> = from.to_vec();
        while let Some(index) = stack.pop() {
            if std::mem::replace(&mut seen[index], true) {
                continue;
            }
            stack.extend(&self.children[index]);
            if with_dependencies {
                stack.extend(&self.dependents[index]);
            }
        }
        seen
    }

    /// The heads of an applied set: applied revisions that no applied revision revises or
    /// depends on. (As in Alembic, a revision applied only because another depends on it
    /// is not a head.)
    pub fn applied_heads(&self, applied: &RevSet) -> Vec<RevIndex> {
        (0..self.len())
            .filter(|&i| {
                applied[i]
                    && !self.children[i].iter().any(|&c| applied[c])
                    && !self.dependents[i].iter().any(|&d| applied[d])
            })
            .collect()
    }

    /// The members of a branch, as Alembic propagates labels: the labelled revision, all its
    /// descendants, and its ancestors down to (not including) the nearest branch or merge point.
    ///
    /// # Errors
    /// [`TargetError::UnknownLabel`] when no revision declares `label`.
    pub fn branch_members(&self, label: &str) -> Result<RevSet, TargetError> {
        let Some(start) = self.labelled(label) else {
            return Err(TargetError::UnknownLabel { label: label.to_owned(), known: self.label_list() });
        };
        let mut members = self.descendants(&[start], false);
        let mut node = start;
        while let [parent] = self.parents[node][..] {
            if self.is_branch_point(parent) || self.is_merge_point(parent) {
                break;
            }
            members[parent] = true;
            node = parent;
        }
        Ok(members)
    }

    /// The branch `X` of a target `X@Y`, as Alembic reads it: `X` is a branch label (naming
    /// the revision that declares it), a revision id, or a unique id prefix, and the branch
    /// is that revision's lineage: the revision, everything below it down to base and
    /// everything built on it (`Revises` edges only; `Depends On` edges join no branch).
    /// So `Y` may lie below the labelled part of the branch, in the trunk it shares with
    /// other branches, down to base.
    ///
    /// # Errors
    /// [`TargetError::UnknownLabel`] when `X` is neither a label nor a revision, and
    /// [`TargetError::AmbiguousPrefix`] for a prefix of several ids.
    pub fn branch_lineage(&self, name: &str) -> Result<RevSet, TargetError> {
        let root = match self.labelled(name) {
            Some(index) => index,
            None => self.resolve_name(name, None).map_err(|error| match error {
                TargetError::UnknownRevision { .. } => {
                    TargetError::UnknownLabel { label: name.to_owned(), known: self.label_list() }
                }
                other => other,
            })?,
        };
        let mut lineage = self.ancestors(&[root], false);
        for (member, below) in lineage.iter_mut().zip(self.descendants(&[root], false)) {
            *member |= below;
        }
        Ok(lineage)
    }

    /// The revisions of `set` that no revision of `set` revises: where each line of
    /// descent in the set ends (`Depends On` edges do not count, as in Alembic's branch
    /// heads).
    pub fn tips(&self, set: &RevSet) -> Vec<RevIndex> {
        (0..self.len()).filter(|&i| set[i] && !self.children[i].iter().any(|&c| set[c])).collect()
    }

    /// Every declared label, sorted, for error messages.
    pub fn label_list(&self) -> Vec<String> {
        let mut labels: Vec<String> = self.labels.keys().cloned().collect();
        labels.sort();
        labels
    }

    /// The labels that apply to a head: declared on the head or on its own branch, walking
    /// down until a branch or merge point (whose labels are shared with other heads).
    pub fn head_labels(&self, head: RevIndex) -> Vec<&str> {
        let mut labels = Vec::new();
        let mut node = head;
        loop {
            labels.extend(self.revisions[node].branch_labels.iter().map(String::as_str));
            match self.parents[node][..] {
                [parent] if !self.is_branch_point(parent) && !self.is_merge_point(parent) => node = parent,
                _ => break,
            }
        }
        labels
    }

    /// The branch labels that apply to every revision, indexed like
    /// [`RevisionGraph::revisions`] and sorted: the same membership as
    /// [`RevisionGraph::branch_members`] (a label covers the revision declaring it, all its
    /// descendants, and its ancestors down to the nearest branch or merge point), computed
    /// for all labels in one pass over the graph. Alembic shows these in `history`.
    pub fn effective_labels(&self) -> Vec<Vec<&str>> {
        let n = self.revisions.len();
        let mut labels: Vec<Vec<&str>> = vec![Vec::new(); n];
        if self.labels.is_empty() {
            return labels;
        }
        let own = |i: RevIndex| self.revisions[i].branch_labels.iter().map(String::as_str);
        // Downwards: a label covers every descendant (parents come first in index order).
        for i in 0..n {
            let mut inherited: Vec<&str> = own(i).collect();
            for &p in &self.parents[i] {
                inherited.extend(labels[p].iter().copied());
            }
            inherited.sort_unstable();
            inherited.dedup();
            labels[i] = inherited;
        }
        // Upwards: a label covers the unbranched run below its revision. `upward[p]` holds
        // the labels declared above `p` in its run (children come later in index order).
        let mut upward: Vec<Vec<&str>> = vec![Vec::new(); n];
        for child in (0..n).rev() {
            if let [parent] = self.parents[child][..]
                && !self.is_branch_point(parent)
                && !self.is_merge_point(parent)
            {
                let mut above: Vec<&str> = own(child).collect();
                above.extend(upward[child].iter().copied());
                upward[parent] = above;
            }
        }
        for (mine, above) in labels.iter_mut().zip(upward) {
            if !above.is_empty() {
                mine.extend(above);
                mine.sort_unstable();
                mine.dedup();
            }
        }
        labels
    }

    /// The parents as log lines show them: `<base>`, `a1`, or `a1, b2` for a merge.
    pub fn parents_text(&self, index: RevIndex) -> String {
        match &self.parents[index][..] {
            [] => "<base>".to_owned(),
            parents => parents.iter().map(|&p| self.revisions[p].id.as_str()).collect::<Vec<_>>().join(", "),
        }
    }

    /// `id (message)` for messages that name revisions (the message's control characters
    /// escaped, see [`crate::diagnostic::printable_line`]).
    pub fn describe(&self, index: RevIndex) -> String {
        let rev = &self.revisions[index];
        if rev.message.is_empty() {
            rev.id.clone()
        } else {
            format!("{} ({})", rev.id, crate::diagnostic::printable_line(&rev.message))
        }
    }
}

#[cfg(test)]
mod tests;
