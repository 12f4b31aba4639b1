//! The target grammar of SPEC §4 (as Alembic's) and its resolution against the graph.
//!
//! ```
//! use migrate_embed::graph::{Anchor, Target};
//! let t: Target = "accounts@head-2".parse().unwrap();
//! assert_eq!(t.branch.as_deref(), Some("accounts"));
//! assert_eq!(t.kind, migrate_embed::graph::TargetKind::Relative { from: Anchor::Head, steps: -2 });
//! ```

use super::{RevIndex, RevSet, RevisionGraph};
use crate::revision::validate_name;
use std::fmt;
use std::str::FromStr;

/// A parsed target: what to move to, optionally within a branch (`label@…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The branch label before `@`, if any.
    pub branch: Option<String>,
    /// What the target names.
    pub kind: TargetKind,
    /// The text as written, for messages.
    pub text: String,
}

/// What a target names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// Below every revision.
    Base,
    /// The single head (of the branch, with `label@head`).
    Head,
    /// Every head.
    Heads,
    /// The database's current head(s); only meaningful with a database (or in ranges).
    Current,
    /// A full id, a unique id prefix, or a branch label.
    Name(String),
    /// `+N`, `-N`, `head-N`, `base+N`, `<rev>±N` (and the `label@` forms).
    Relative {
        /// Where counting starts.
        from: Anchor,
        /// Signed number of steps.
        steps: i64,
    },
}

/// Where a relative target starts counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// The database's current head (`+N`, `-N`, `label@+N`).
    Current,
    /// The head (`head-N`).
    Head,
    /// Below everything (`base+N`).
    Base,
    /// A revision (`<rev>±N`).
    Name(String),
}

/// `A:B` as taken by `history -r` and offline `--sql`; either side may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeSpec {
    /// Lower end (exclusive for `--sql`, inclusive for history); `None` means base.
    pub lower: Option<Target>,
    /// Upper end; `None` means every head.
    pub upper: Option<Target>,
}

/// Why a target could not be parsed or resolved. Messages list candidates and fixes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not in the grammar.
    #[error("invalid target `{target}`: {reason}")]
    Syntax {
        /// The text.
        target: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No revision id, prefix or label matches.
    #[error("no revision matches `{name}`{within}; `cargo migrate history` lists them")]
    UnknownRevision {
        /// The name.
        name: String,
        /// " in branch X" when restricted.
        within: String,
    },
    /// A prefix that matches several ids.
    #[error("`{prefix}` is ambiguous: it starts {}; give more characters", .candidates.join(", "))]
    AmbiguousPrefix {
        /// The prefix.
        prefix: String,
        /// Matching ids (with messages).
        candidates: Vec<String>,
    },
    /// `X@…` where `X` is neither a branch label nor a revision.
    #[error("no branch is named `{label}`: it is neither a branch label nor a revision{}", known_labels(.known))]
    UnknownLabel {
        /// The label (or revision) as written.
        label: String,
        /// Labels that exist.
        known: Vec<String>,
    },
    /// `head` with several heads.
    #[error("`{target}` is ambiguous: there are {} heads: {}; name `heads`, `<label>@head` or one revision, or merge them with `cargo migrate merge heads -m '…'`", .heads.len(), .heads.join(", "))]
    MultipleHeads {
        /// The target text.
        target: String,
        /// The heads (with messages).
        heads: Vec<String>,
    },
    /// A revision that is not on the named branch.
    #[error(
        "revision {revision} is not on branch `{label}` (the revisions below and above `{label}`); name one of those, or leave out `{label}@`"
    )]
    NotInBranch {
        /// The revision.
        revision: String,
        /// The branch.
        label: String,
    },
    /// Too few revisions to walk.
    #[error("relative revision {target} didn't produce {steps} migrations")]
    RelativeOverrun {
        /// The target text.
        target: String,
        /// How many steps were asked for.
        steps: u64,
    },
    /// A walk reached a branch or merge point.
    #[error("`{target}` is ambiguous at {at}, which {shape}: {}; use `<label>@{target}` or a revision id", .candidates.join(", "))]
    AmbiguousWalk {
        /// The target text.
        target: String,
        /// Where the walk forked (`base` or a revision).
        at: String,
        /// "has several children", "merges several parents"…
        shape: &'static str,
        /// The ways it could go.
        candidates: Vec<String>,
    },
    /// A current-relative target with several current heads.
    #[error("`{target}` is ambiguous: the database has {} current heads: {}; use `<label>@{target}` or name a revision", .heads.len(), .heads.join(", "))]
    AmbiguousCurrent {
        /// The target text.
        target: String,
        /// The current heads.
        heads: Vec<String>,
    },
    /// `upgrade -N` or `downgrade +N`.
    #[error("`{command} {target}` goes the wrong way; use `{other} {target}`")]
    WrongDirection {
        /// "upgrade" or "downgrade".
        command: &'static str,
        /// The other command.
        other: &'static str,
        /// The target text.
        target: String,
    },
    /// `X@-N` where nothing of branch X's own is applied: there is nothing on it to step
    /// down from (stepping down from the trunk it shares would take other branches too).
    #[error(
        "`{target}` counts down from where branch `{label}` is, and no revision of its own is applied; name the revision to go down to (`{label}@<rev>`), or `{label}@base`"
    )]
    BranchNotApplied {
        /// The target text.
        target: String,
        /// The branch.
        label: String,
    },
    /// A target that needs the database's state where none is known.
    #[error("`{target}` counts from the database's current state; run it against a database, or give a revision")]
    NeedsDatabase {
        /// The target text.
        target: String,
    },
}

fn known_labels(known: &[String]) -> String {
    if known.is_empty() {
        "; no revision declares a branch label".into()
    } else {
        format!("; the labels are: {}", known.join(", "))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Target {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Self, TargetError> {
        let syntax = |reason: &str| TargetError::Syntax { target: text.to_owned(), reason: reason.to_owned() };
        let text_trimmed = text.trim();
        if text_trimmed.is_empty() {
            return Err(syntax("it is empty; use `head`, `base`, a revision id or a label"));
        }
        let (branch, rest) = match text_trimmed.split_once('@') {
            Some((label, rest)) => {
                validate_name("branch label", label).map_err(|e| syntax(&e.to_string()))?;
                if rest.is_empty() {
                    return Err(syntax(
                        "nothing after `@`; write `label@head`, `label@base`, `label@<rev>` or `label@+N`",
                    ));
                }
                (Some(label.to_owned()), rest)
            }
            None => (None, text_trimmed),
        };
        let kind = match rest {
            "heads" if branch.is_some() => {
                return Err(syntax("`label@heads` is not a target; use `label@head`"));
            }
            "heads" => TargetKind::Heads,
            "head" => TargetKind::Head,
            "base" => TargetKind::Base,
            "current" => TargetKind::Current,
            _ => match rest.find(['+', '-']) {
                Some(at) => {
                    let (anchor, number) = rest.split_at(at);
                    let magnitude: i64 = number[1..]
                        .parse()
                        .ok()
                        .filter(|&n: &i64| n > 0)
                        .ok_or_else(|| syntax("the step after `+`/`-` must be a positive whole number"))?;
                    let steps = if number.starts_with('-') { -magnitude } else { magnitude };
                    let from = match anchor {
                        "" | "current" => Anchor::Current,
                        "head" if steps > 0 => {
                            return Err(syntax("nothing is above head; use `+N` to go up from the current state"));
                        }
                        "head" => Anchor::Head,
                        "base" if steps < 0 => return Err(syntax("nothing is below base")),
                        "base" => Anchor::Base,
                        name => {
                            validate_name("revision", name).map_err(|e| syntax(&e.to_string()))?;
                            Anchor::Name(name.to_owned())
                        }
                    };
                    TargetKind::Relative { from, steps }
                }
                None => {
                    validate_name("revision", rest).map_err(|e| syntax(&e.to_string()))?;
                    TargetKind::Name(rest.to_owned())
                }
            },
        };
        Ok(Target { branch, kind, text: text_trimmed.to_owned() })
    }
}

impl FromStr for RangeSpec {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Self, TargetError> {
        let Some((lower, upper)) = text.split_once(':') else {
            return Err(TargetError::Syntax {
                target: text.to_owned(),
                reason: "a range is `A:B` (either side may be empty)".into(),
            });
        };
        let side = |s: &str| {
            if s.trim().is_empty() { Ok(None) } else { s.parse().map(Some) }
        };
        Ok(RangeSpec { lower: side(lower)?, upper: side(upper)? })
    }
}

/// A target or an `A:B` range, as `upgrade` and `downgrade` take it: a range is for
/// offline `--sql` only, where there is no database to start from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// One target.
    Target(Target),
    /// `A:B`.
    Range(RangeSpec),
}

impl FromStr for Destination {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Self, TargetError> {
        if text.contains(':') { text.parse().map(Self::Range) } else { text.parse().map(Self::Target) }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Target(target) => target.fmt(f),
            Self::Range(range) => range.fmt(f),
        }
    }
}

impl fmt::Display for RangeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |t: &Option<Target>| t.as_ref().map(|t| t.text.clone()).unwrap_or_default();
        write!(f, "{}:{}", side(&self.lower), side(&self.upper))
    }
}

/// What a downgrade target resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DowngradeTo {
    /// Remove every applied revision.
    Base,
    /// Take one branch down to base (`X@base`), keeping what other applied branches need.
    BranchBase(String),
    /// Remove what descends from these revisions (they stay). Several when a step down
    /// from a merge lands on all its parents, as Alembic does.
    Revisions(Vec<RevIndex>),
}

impl<B> RevisionGraph<B> {
    /// Resolves a full id, unique prefix or label, optionally within a branch.
    ///
    /// # Errors
    /// [`TargetError::UnknownRevision`], [`TargetError::AmbiguousPrefix`] (listing the
    /// candidates), or [`TargetError::NotInBranch`].
    pub fn resolve_name(&self, name: &str, branch: Option<(&str, &RevSet)>) -> Result<RevIndex, TargetError> {
        let in_branch = |i: RevIndex| branch.is_none_or(|(_, members)| members[i]);
        let found = self.index_of(name).or_else(|| self.labelled(name));
        if let Some(index) = found {
            return match branch {
                Some((label, _)) if !in_branch(index) => {
                    Err(TargetError::NotInBranch { revision: self.revision(index).id.clone(), label: label.to_owned() })
                }
                _ => Ok(index),
            };
        }
        let start = self.sorted_ids.partition_point(|&i| self.revisions[i].id.as_str() < name);
        let matches: Vec<RevIndex> = self.sorted_ids[start..]
            .iter()
            .copied()
            .take_while(|&i| self.revisions[i].id.starts_with(name))
            .filter(|&i| in_branch(i))
            .collect();
        match matches[..] {
            [one] => Ok(one),
            [] => Err(TargetError::UnknownRevision {
                name: name.to_owned(),
                within: branch.map(|(l, _)| format!(" on branch `{l}`")).unwrap_or_default(),
            }),
            _ => Err(TargetError::AmbiguousPrefix {
                prefix: name.to_owned(),
                candidates: matches.iter().map(|&i| self.describe(i)).collect(),
            }),
        }
    }

    /// The revisions an upgrade to `target` must reach (with everything below them).
    /// `applied` is the database's state (empty when offline).
    ///
    /// # Errors
    /// Any [`TargetError`]; `-N` is [`TargetError::WrongDirection`].
    pub fn upgrade_destination(&self, target: &Target, applied: &RevSet) -> Result<Vec<RevIndex>, TargetError> {
        match &target.kind {
            TargetKind::Heads => Ok(self.heads.clone()),
            TargetKind::Base => Ok(Vec::new()),
            TargetKind::Current if target.branch.is_none() => Ok(self.applied_heads(applied)),
            TargetKind::Relative { from: Anchor::Current, steps } if *steps < 0 => {
                Err(TargetError::WrongDirection { command: "upgrade", other: "downgrade", target: target.text.clone() })
            }
            _ => self.resolve_points(target, applied),
        }
    }

    /// Where a downgrade to `target` goes.
    ///
    /// # Errors
    /// Any [`TargetError`]; `+N` is [`TargetError::WrongDirection`].
    pub fn downgrade_destination(&self, target: &Target, applied: &RevSet) -> Result<DowngradeTo, TargetError> {
        match (&target.kind, &target.branch) {
            (TargetKind::Base, None) => Ok(DowngradeTo::Base),
            (TargetKind::Base, Some(label)) => {
                self.branch_lineage(label)?;
                Ok(DowngradeTo::BranchBase(label.clone()))
            }
            (TargetKind::Relative { from: Anchor::Current, steps }, _) if *steps > 0 => {
                Err(TargetError::WrongDirection { command: "downgrade", other: "upgrade", target: target.text.clone() })
            }
            (TargetKind::Relative { from: Anchor::Current, .. }, Some(label))
                if self.own_tips(applied, &self.branch_lineage(label)?).is_empty() =>
            {
                Err(TargetError::BranchNotApplied { target: target.text.clone(), label: label.clone() })
            }
            (TargetKind::Heads, _) => Err(TargetError::Syntax {
                target: target.text.clone(),
                reason: "`heads` is not a downgrade target; name a revision, `-N` or `base`".into(),
            }),
            _ => {
                let points = self.resolve_points(target, applied)?;
                Ok(match (points.is_empty(), &target.branch) {
                    (false, _) => DowngradeTo::Revisions(points),
                    (true, Some(label)) => DowngradeTo::BranchBase(label.clone()),
                    (true, None) => DowngradeTo::Base,
                })
            }
        }
    }

    /// The revisions in an `A:B` range: descendants of A (inclusive) that are ancestors of B
    /// (inclusive), dependencies followed.
    ///
    /// # Errors
    /// Any [`TargetError`] from either end.
    pub fn range(&self, range: &RangeSpec, applied: &RevSet) -> Result<RevSet, TargetError> {
        let upper = match &range.upper {
            Some(t) => self.ancestors(&self.upgrade_destination(t, applied)?, true),
            None => vec![true; self.len()],
        };
        let lower = match &range.lower {
            Some(t) => match &t.kind {
                TargetKind::Current if t.branch.is_none() => match self.applied_heads(applied) {
                    // Nothing applied: the database is at base, below everything.
                    heads if heads.is_empty() => vec![true; self.len()],
                    heads => self.descendants(&heads, true),
                },
                _ => match self.resolve_points(t, applied)? {
                    points if points.is_empty() => vec![true; self.len()],
                    points => self.descendants(&points, true),
                },
            },
            None => vec![true; self.len()],
        };
        Ok(upper.iter().zip(&lower).map(|(a, b)| *a && *b).collect())
    }

    /// Resolves a target to the revisions it names; empty for base.
    fn resolve_points(&self, target: &Target, applied: &RevSet) -> Result<Vec<RevIndex>, TargetError> {
        let members = match &target.branch {
            Some(label) => Some(self.branch_lineage(label)?),
            None => None,
        };
        let branch = target.branch.as_deref().zip(members.as_ref());
        let one = |point: Option<RevIndex>| point.into_iter().collect::<Vec<_>>();
        match &target.kind {
            TargetKind::Base => Ok(Vec::new()),
            TargetKind::Head => self.anchor_point(target, &Anchor::Head, branch, applied).map(one),
            TargetKind::Heads => Err(TargetError::Syntax {
                target: target.text.clone(),
                reason: "`heads` names several revisions here; name one".into(),
            }),
            TargetKind::Current => self.anchor_point(target, &Anchor::Current, branch, applied).map(one),
            TargetKind::Name(name) => self.resolve_name(name, branch).map(|i| vec![i]),
            TargetKind::Relative { from, steps } => {
                let start = self.anchor_point(target, from, branch, applied)?;
                self.walk(target, start, *steps, members.as_ref())
            }
        }
    }

    fn anchor_point(
        &self,
        target: &Target,
        anchor: &Anchor,
        branch: Option<(&str, &RevSet)>,
        applied: &RevSet,
    ) -> Result<Option<RevIndex>, TargetError> {
        let in_branch = |i: &RevIndex| branch.is_none_or(|(_, m)| m[*i]);
        match anchor {
            Anchor::Base => Ok(None),
            Anchor::Name(name) => self.resolve_name(name, branch).map(Some),
            Anchor::Head => {
                let heads: Vec<RevIndex> = self.heads.iter().copied().filter(in_branch).collect();
                match heads[..] {
                    [one] => Ok(Some(one)),
                    [] => Ok(None),
                    _ => Err(TargetError::MultipleHeads {
                        target: target.text.clone(),
                        heads: heads.iter().map(|&h| self.describe(h)).collect(),
                    }),
                }
            }
            Anchor::Current => {
                let ambiguous = |current: Vec<RevIndex>| TargetError::AmbiguousCurrent {
                    target: target.text.clone(),
                    heads: current.iter().map(|&h| self.describe(h)).collect(),
                };
                let Some((_, lineage)) = branch else {
                    return match self.applied_heads(applied)[..] {
                        [] => Ok(None),
                        [one] => Ok(Some(one)),
                        ref several => Err(ambiguous(several.to_vec())),
                    };
                };
                // Where branch X stands, as Alembic finds it: the applied tip on its
                // lineage; else, when none of its own revisions is applied, the tip of the
                // applied trunk it shares (its branch point, say); else base.
                let current = match self.own_tips(applied, lineage) {
                    own if !own.is_empty() => own,
                    _ => {
                        let shared: RevSet = applied.iter().zip(lineage).map(|(&a, &l)| a && l).collect();
                        self.tips(&shared)
                    }
                };
                match current[..] {
                    [] => Ok(None),
                    [one] => Ok(Some(one)),
                    _ => Err(ambiguous(current)),
                }
            }
        }
    }

    /// The applied revisions on `lineage` that no applied revision revises: where a branch
    /// stands on its own (empty when only the trunk it shares is applied).
    fn own_tips(&self, applied: &RevSet, lineage: &RevSet) -> Vec<RevIndex> {
        self.tips(applied).into_iter().filter(|&i| lineage[i]).collect()
    }

    /// Walks `steps` revisions up (children) or down (parents) from `start` (`None` = base).
    /// The last step down from a merge lands on all its parents; empty means base.
    fn walk(
        &self,
        target: &Target,
        start: Option<RevIndex>,
        steps: i64,
        members: Option<&RevSet>,
    ) -> Result<Vec<RevIndex>, TargetError> {
        let overrun = || TargetError::RelativeOverrun { target: target.text.clone(), steps: steps.unsigned_abs() };
        let mut node = start;
        let count = steps.unsigned_abs();
        for step in 1..=count {
            if steps > 0 {
                let next: Vec<RevIndex> = match node {
                    None => self.bases.clone(),
                    Some(i) => self.children[i].clone(),
                };
                let next: Vec<RevIndex> = next.into_iter().filter(|&c| members.is_none_or(|m| m[c])).collect();
                node = Some(match next[..] {
                    [one] => one,
                    [] => return Err(overrun()),
                    _ => {
                        return Err(TargetError::AmbiguousWalk {
                            target: target.text.clone(),
                            at: node.map_or("base".to_owned(), |i| self.revisions[i].id.clone()),
                            shape: if node.is_none() { "has several bases" } else { "has several children" },
                            candidates: next.iter().map(|&c| self.describe(c)).collect(),
                        });
                    }
                });
            } else {
                let Some(current) = node else {
                    return Err(overrun());
                };
                let mut previous = self.parents[current].clone();
                if previous.len() > 1
                    && let Some(m) = members
                {
                    previous.retain(|&p| m[p]);
                }
                node = match previous[..] {
                    [] => None,
                    [one] => Some(one),
                    _ if step == count => return Ok(previous),
                    _ => {
                        return Err(TargetError::AmbiguousWalk {
                            target: target.text.clone(),
                            at: self.revisions[current].id.clone(),
                            shape: "merges several parents",
                            candidates: previous.iter().map(|&p| self.describe(p)).collect(),
                        });
                    }
                };
            }
        }
        Ok(node.into_iter().collect())
    }
}
