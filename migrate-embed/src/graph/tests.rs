//! Graph tests, one group per shape (as Alembic's test suite does), plus properties on
//! random DAGs.

use super::*;
use crate::diagnostic::{Location, ProblemCode};
use crate::revision::{Origin, RevisionBody};
use proptest::prelude::*;
use std::path::PathBuf;

fn rev(id: &str, parents: &[&str]) -> Revision {
    Revision {
        id: id.into(),
        message: format!("msg {id}"),
        description: String::new(),
        parents: parents.iter().map(|p| p.to_string()).collect(),
        depends_on: Vec::new(),
        branch_labels: Vec::new(),
        create_date: None,
        transactional: None,
        lint_allow: Vec::new(),
        foreign_keys_off: false,
        body: RevisionBody::new(format!("-- up {id}"), Some(format!("-- down {id}"))),
        origin: Origin {
            path: PathBuf::from(format!("{id}.sql")),
            id_line: 3,
            revises_line: 4,
            labels_line: 5,
            depends_on_line: 6,
            ..Origin::default()
        },
    }
}

fn labelled(mut r: Revision, labels: &[&str]) -> Revision {
    r.branch_labels = labels.iter().map(|l| l.to_string()).collect();
    r
}

fn depends(mut r: Revision, deps: &[&str]) -> Revision {
    r.depends_on = deps.iter().map(|d| d.to_string()).collect();
    r
}

fn ids(graph: &RevisionGraph, indices: &[RevIndex]) -> Vec<String> {
    indices.iter().map(|&i| graph.revision(i).id.clone()).collect()
}

fn set_of(graph: &RevisionGraph, names: &[&str]) -> RevSet {
    let mut set = graph.empty_set();
    for name in names {
        set[graph.index_of(name).unwrap()] = true;
    }
    set
}

fn target(text: &str) -> Target {
    text.parse().unwrap()
}

/// a1 -> b2 -> c3 -> d4
fn chain() -> RevisionGraph {
    RevisionGraph::build(vec![rev("c3", &["b2"]), rev("a1", &[]), rev("d4", &["c3"]), rev("b2", &["a1"])]).unwrap()
}

/// a1 -> b2 -> {c3 (label left) -> e5, d4 (label right)} ; f6 merges e5 and d4 when `merged`.
fn diamond(merged: bool) -> RevisionGraph {
    let mut revs = vec![
        rev("a1", &[]),
        rev("b2", &["a1"]),
        labelled(rev("c3", &["b2"]), &["left"]),
        rev("e5", &["c3"]),
        labelled(rev("d4", &["b2"]), &["right"]),
    ];
    if merged {
        revs.push(rev("f6", &["e5", "d4"]));
    }
    RevisionGraph::build(revs).unwrap()
}

#[test]
fn chain_order_heads_bases() {
    let g = chain();
    assert_eq!(ids(&g, &(0..4).collect::<Vec<_>>()), ["a1", "b2", "c3", "d4"]);
    assert_eq!(ids(&g, g.heads()), ["d4"]);
    assert_eq!(ids(&g, g.bases()), ["a1"]);
    assert!(!g.is_branch_point(0) && !g.is_merge_point(3));
}

#[test]
fn diamond_shape() {
    let g = diamond(true);
    let b2 = g.index_of("b2").unwrap();
    let f6 = g.index_of("f6").unwrap();
    assert!(g.is_branch_point(b2));
    assert!(g.is_merge_point(f6));
    assert_eq!(ids(&g, g.heads()), ["f6"]);
    assert_eq!(ids(&g, g.parents(f6)), ["e5", "d4"]);
    let unmerged = diamond(false);
    assert_eq!(ids(&unmerged, unmerged.heads()), ["d4", "e5"]);
    assert_eq!(unmerged.head_labels(unmerged.index_of("e5").unwrap()), ["left"]);
}

#[test]
fn effective_labels_match_branch_members() {
    // a1 -> b2 -> {c3 (left) -> e5, d4 (right)} -> f6: `left` covers c3, e5 and f6 (b2 is a
    // branch point, so it stays unlabelled); `right` covers d4 and f6.
    for merged in [false, true] {
        let g = diamond(merged);
        let labels = g.effective_labels();
        for (i, rev) in g.revisions().iter().enumerate() {
            let expected: Vec<&str> =
                ["left", "right"].into_iter().filter(|l| g.branch_members(l).unwrap()[i]).collect();
            assert_eq!(labels[i], expected, "{}", rev.id);
        }
    }
    // On a chain a label reaches down to the base and up to the head.
    let g =
        RevisionGraph::build(vec![rev("a1", &[]), labelled(rev("b2", &["a1"]), &["main", "core"]), rev("c3", &["b2"])])
            .unwrap();
    assert_eq!(g.effective_labels(), vec![vec!["core", "main"]; 3]);
    assert!(chain().effective_labels().iter().all(Vec::is_empty));
}

#[test]
fn multiple_bases() {
    let g = RevisionGraph::build(vec![rev("a1", &[]), rev("x1", &[]), rev("m1", &["a1", "x1"])]).unwrap();
    assert_eq!(ids(&g, g.bases()), ["a1", "x1"]);
    let err = g.upgrade_destination(&target("base+1"), &g.empty_set()).unwrap_err();
    assert!(matches!(err, TargetError::AmbiguousWalk { .. }), "{err}");
}

#[test]
fn dependencies_order_and_applied_heads() {
    // Two independent roots; b2 depends on y1 (by label `other`).
    let g = RevisionGraph::build(vec![
        rev("a1", &[]),
        depends(rev("b2", &["a1"]), &["other"]),
        labelled(rev("y1", &[]), &["other"]),
    ])
    .unwrap();
    let pos = |id| g.index_of(id).unwrap();
    assert!(pos("y1") < pos("b2"));
    assert_eq!(ids(&g, g.dependencies(pos("b2"))), ["y1"]);
    // y1 applied only because b2 depends on it: not a current head.
    let applied = set_of(&g, &["a1", "b2", "y1"]);
    assert_eq!(ids(&g, &g.applied_heads(&applied)), ["b2"]);
    // Upgrading to b2 needs y1 too.
    let needed = g.ancestors(&[pos("b2")], true);
    assert!(needed[pos("y1")]);
}

#[test]
fn every_chain_rule_reported_at_once() {
    let mut dup = rev("a1", &[]);
    dup.origin.path = "dup.sql".into();
    let err = check_chain(
        vec![
            rev("a1", &[]),
            dup,
            rev("b2", &["zz"]),
            depends(rev("c3", &["a1"]), &["nowhere"]),
            labelled(rev("d4", &["a1"]), &["a1"]),
            labelled(rev("e5", &["d4"]), &["lbl"]),
            labelled(rev("f6", &["e5"]), &["lbl"]),
        ],
        Vec::new(),
        false,
    )
    .unwrap_err();
    let codes: Vec<ProblemCode> = err.problems.iter().map(|p| p.code).collect();
    for code in [
        ProblemCode::DuplicateRevision,
        ProblemCode::MissingParent,
        ProblemCode::MissingDependency,
        ProblemCode::LabelCollidesWithId,
        ProblemCode::DuplicateLabel,
        ProblemCode::MultipleHeads,
    ] {
        assert!(codes.contains(&code), "missing {code} in {err}");
    }
    let text = err.to_string();
    assert!(text.contains("a1.sql:3") && text.contains("also: dup.sql:3"), "{text}");
    assert!(text.contains("b2.sql:4: revision b2 revises zz, which does not exist"), "{text}");
}

#[test]
fn multiple_heads_message_names_heads_and_fix() {
    let err = check_chain(vec![rev("a1", &[]), rev("b2", &["a1"]), rev("c3", &["a1"])], Vec::new(), false).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    let text = err.problems[0].to_string();
    assert!(text.contains("2 heads: b2 (msg b2), c3 (msg c3)"), "{text}");
    assert!(text.contains("cargo migrate merge heads -m"), "{text}");
}

#[test]
fn labelled_heads_allowed_with_multiple_heads() {
    let revs = || vec![rev("a1", &[]), labelled(rev("b2", &["a1"]), &["one"]), rev("c3", &["a1"])];
    let err = check_chain(revs(), Vec::new(), true).unwrap_err();
    assert_eq!(err.problems[0].code, ProblemCode::UnlabelledHead);
    assert!(err.problems[0].message.contains("c3"));
    let mut ok = revs();
    ok[2].branch_labels = vec!["two".into()];
    check_chain(ok, Vec::new(), true).unwrap();
    // A label below the branch point is shared, so it does not count for either head.
    let shared = vec![labelled(rev("a1", &[]), &["root"]), rev("b2", &["a1"]), rev("c3", &["a1"])];
    assert_eq!(check_chain(shared, Vec::new(), true).unwrap_err().problems.len(), 2);
}

#[test]
fn cycles_including_self_parent() {
    let err = RevisionGraph::build(vec![rev("a1", &["a1"])]).unwrap_err();
    assert_eq!(err.problems[0].code, ProblemCode::Cycle);
    assert_eq!(err.problems[0].message, "revision a1 revises itself");
    assert_eq!(err.problems[0].locations, [Location::new("a1.sql", 4)]);
    let err = RevisionGraph::build(vec![depends(rev("a1", &[]), &["a1"])]).unwrap_err();
    assert_eq!(err.problems[0].message, "revision a1 depends on itself");
    assert_eq!(err.problems[0].locations, [Location::new("a1.sql", 6)]);
    let err = RevisionGraph::build(vec![
        rev("r0", &[]),
        rev("a1", &["c3"]),
        rev("b2", &["a1"]),
        rev("c3", &["b2"]),
        rev("d4", &["c3"]),
    ])
    .unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert!(err.problems[0].message.starts_with("cycle: "), "{err}");
    for id in ["a1", "b2", "c3"] {
        assert!(err.problems[0].message.contains(id));
    }
    assert!(!err.problems[0].message.contains("d4"));
    // A cycle through a dependency points at the `Depends On` line of the revision whose
    // dependency closes the loop (line 6 here), and at `Revises` (line 4) elsewhere.
    let err = RevisionGraph::build(vec![depends(rev("a1", &[]), &["b2"]), rev("b2", &["a1"])]).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].code, ProblemCode::Cycle);
    let mut locations = err.problems[0].locations.clone();
    locations.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(locations, [Location::new("a1.sql", 6), Location::new("b2.sql", 4)]);
    assert!(
        ["cycle: a1 depends on b2, b2 revises a1", "cycle: b2 revises a1, a1 depends on b2"]
            .contains(&err.problems[0].message.as_str()),
        "{err}"
    );
    // A longer loop with one dependency edge among parents.
    let err = RevisionGraph::build(vec![
        rev("a1", &["c3"]),
        rev("b2", &["a1"]),
        depends(rev("c3", &[]), &["b2"]),
        rev("d4", &["c3"]),
    ])
    .unwrap_err();
    let problem = &err.problems[0];
    let by_file: Vec<String> = {
        let mut l: Vec<String> = problem.locations.iter().map(ToString::to_string).collect();
        l.sort();
        l
    };
    assert_eq!(by_file, ["a1.sql:4", "b2.sql:4", "c3.sql:6"], "{err}");
    assert!(problem.message.contains("c3 depends on b2") && problem.message.contains("b2 revises a1"), "{err}");
}

#[test]
fn names_prefixes_and_labels() {
    let g = RevisionGraph::build(vec![
        rev("abc111", &[]),
        rev("abc222", &["abc111"]),
        labelled(rev("def333", &["abc222"]), &["feature"]),
    ])
    .unwrap();
    assert_eq!(g.resolve_name("abc1", None).unwrap(), g.index_of("abc111").unwrap());
    assert_eq!(g.resolve_name("feature", None).unwrap(), g.index_of("def333").unwrap());
    let err = g.resolve_name("abc", None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`abc` is ambiguous: it starts abc111 (msg abc111), abc222 (msg abc222); give more characters"
    );
    assert!(matches!(g.resolve_name("zzz", None), Err(TargetError::UnknownRevision { .. })));
}

#[test]
fn target_grammar() {
    let cases: &[(&str, Option<&str>, TargetKind)] = &[
        ("head", None, TargetKind::Head),
        ("heads", None, TargetKind::Heads),
        ("base", None, TargetKind::Base),
        ("ae10", None, TargetKind::Name("ae10".into())),
        ("+2", None, TargetKind::Relative { from: Anchor::Current, steps: 2 }),
        ("-1", None, TargetKind::Relative { from: Anchor::Current, steps: -1 }),
        ("head-2", None, TargetKind::Relative { from: Anchor::Head, steps: -2 }),
        ("base+3", None, TargetKind::Relative { from: Anchor::Base, steps: 3 }),
        ("ae10+1", None, TargetKind::Relative { from: Anchor::Name("ae10".into()), steps: 1 }),
        ("ae10-1", None, TargetKind::Relative { from: Anchor::Name("ae10".into()), steps: -1 }),
        ("lbl@head", Some("lbl"), TargetKind::Head),
        ("lbl@base", Some("lbl"), TargetKind::Base),
        ("lbl@ae10", Some("lbl"), TargetKind::Name("ae10".into())),
        ("lbl@+1", Some("lbl"), TargetKind::Relative { from: Anchor::Current, steps: 1 }),
        ("lbl@-2", Some("lbl"), TargetKind::Relative { from: Anchor::Current, steps: -2 }),
        ("lbl@head-1", Some("lbl"), TargetKind::Relative { from: Anchor::Head, steps: -1 }),
        ("lbl@base+1", Some("lbl"), TargetKind::Relative { from: Anchor::Base, steps: 1 }),
    ];
    for (text, branch, kind) in cases {
        let t = target(text);
        assert_eq!((t.branch.as_deref(), &t.kind), (*branch, kind), "{text}");
    }
    for bad in ["", "+0", "+x", "head+1", "base-1", "a b", "lbl@", "lbl@heads", "x@y@z", "-"] {
        assert!(bad.parse::<Target>().is_err(), "{bad:?} should not parse");
    }
    let range: RangeSpec = "ae10:".parse().unwrap();
    assert!(range.lower.is_some() && range.upper.is_none());
    assert!("nocolon".parse::<RangeSpec>().is_err());
}

#[test]
fn relative_steps_on_a_chain() {
    let g = chain();
    let at = |names: &[&str]| set_of(&g, names);
    let up = |t: &str, applied: &RevSet| ids(&g, &g.upgrade_destination(&target(t), applied).unwrap());
    assert_eq!(up("+1", &g.empty_set()), ["a1"]);
    assert_eq!(up("+2", &at(&["a1"])), ["c3"]);
    assert_eq!(up("head-1", &g.empty_set()), ["c3"]);
    assert_eq!(up("base+2", &g.empty_set()), ["b2"]);
    assert_eq!(up("b2+2", &g.empty_set()), ["d4"]);
    assert_eq!(up("c3-2", &g.empty_set()), ["a1"]);
    assert_eq!(up("head", &g.empty_set()), ["d4"]);
    let err = g.upgrade_destination(&target("+5"), &at(&["a1"])).unwrap_err();
    assert_eq!(err.to_string(), "relative revision +5 didn't produce 5 migrations");
    let err = g.upgrade_destination(&target("-1"), &at(&["a1"])).unwrap_err();
    assert!(matches!(err, TargetError::WrongDirection { .. }));
    // -N on a three-step chain: -3 reaches base, -5 does not exist.
    let applied = at(&["a1", "b2", "c3"]);
    assert_eq!(
        g.downgrade_destination(&target("-1"), &applied).unwrap(),
        DowngradeTo::Revisions(vec![g.index_of("b2").unwrap()])
    );
    assert_eq!(g.downgrade_destination(&target("-3"), &applied).unwrap(), DowngradeTo::Base);
    let err = g.downgrade_destination(&target("-5"), &applied).unwrap_err();
    assert_eq!(err.to_string(), "relative revision -5 didn't produce 5 migrations");
    assert!(matches!(g.downgrade_destination(&target("+1"), &applied), Err(TargetError::WrongDirection { .. })));
}

#[test]
fn branches_and_labels_in_targets() {
    let g = diamond(false);
    let none = g.empty_set();
    let err = g.upgrade_destination(&target("head"), &none).unwrap_err();
    assert!(err.to_string().contains("there are 2 heads"), "{err}");
    assert_eq!(ids(&g, &g.upgrade_destination(&target("heads"), &none).unwrap()), ["d4", "e5"]);
    assert_eq!(ids(&g, &g.upgrade_destination(&target("left@head"), &none).unwrap()), ["e5"]);
    assert_eq!(ids(&g, &g.upgrade_destination(&target("right@head"), &none).unwrap()), ["d4"]);
    // +1 from the branch point is ambiguous; label@+1 picks the branch.
    let at_b2 = set_of(&g, &["a1", "b2"]);
    assert!(matches!(g.upgrade_destination(&target("+1"), &at_b2), Err(TargetError::AmbiguousWalk { .. })));
    assert_eq!(ids(&g, &g.upgrade_destination(&target("left@+2"), &at_b2).unwrap()), ["e5"]);
    // label@+1 on a branch not applied yet starts from its branch point.
    assert_eq!(ids(&g, &g.upgrade_destination(&target("right@+1"), &at_b2).unwrap()), ["d4"]);
    // +1 with two current heads is ambiguous.
    let both = set_of(&g, &["a1", "b2", "c3", "d4"]);
    assert!(matches!(g.upgrade_destination(&target("+1"), &both), Err(TargetError::AmbiguousCurrent { .. })));
    assert_eq!(ids(&g, &g.upgrade_destination(&target("left@+1"), &both).unwrap()), ["e5"]);
    assert!(matches!(
        g.resolve_name("d4", Some(("left", &g.branch_members("left").unwrap()))),
        Err(TargetError::NotInBranch { .. })
    ));
    assert!(matches!(g.upgrade_destination(&target("nolabel@head"), &none), Err(TargetError::UnknownLabel { .. })));
}

#[test]
fn ranges() {
    let g = chain();
    let r = g.range(&"b2:c3".parse().unwrap(), &g.empty_set()).unwrap();
    assert_eq!(r, vec![false, true, true, false]);
    let r = g.range(&":b2".parse().unwrap(), &g.empty_set()).unwrap();
    assert_eq!(r, vec![true, true, false, false]);
    let r = g.range(&"current:".parse().unwrap(), &set_of(&g, &["a1", "b2"])).unwrap();
    assert_eq!(r, vec![false, true, true, true]);
    // Nothing applied: `current` is base.
    let r = g.range(&"current:".parse().unwrap(), &g.empty_set()).unwrap();
    assert_eq!(r, vec![true; 4]);
}

/// Random DAGs: revision i's parents are drawn from revisions before it.
fn random_dag() -> impl Strategy<Value = Vec<Revision>> {
    (1usize..40)
        .prop_flat_map(|n| {
            proptest::collection::vec((proptest::collection::vec(any::<prop::sample::Index>(), 0..3), any::<bool>()), n)
        })
        .prop_map(|picks| {
            let ids: Vec<String> = (0..picks.len()).map(|i| format!("r{:03}", (i * 37) % 1000)).collect();
            picks
                .iter()
                .enumerate()
                .map(|(i, (parents, dep))| {
                    let mut chosen: Vec<&str> =
                        if i == 0 { Vec::new() } else { parents.iter().map(|p| ids[p.index(i)].as_str()).collect() };
                    chosen.sort_unstable();
                    chosen.dedup();
                    let mut r = rev(&ids[i], &chosen);
                    if *dep && i > 1 {
                        r.depends_on = vec![ids[i / 2].clone()];
                        if chosen.contains(&ids[i / 2].as_str()) {
                            r.depends_on.clear();
                        }
                    }
                    r
                })
                .rev()
                .collect()
        })
}

proptest! {
    #[test]
    fn topological_order_respects_every_edge(revs in random_dag()) {
        let g = RevisionGraph::build(revs).unwrap();
        for i in 0..g.len() {
            for &p in g.parents(i).iter().chain(g.dependencies(i)) {
                prop_assert!(p < i, "{} must come before {}", g.revision(p).id, g.revision(i).id);
            }
        }
    }

    #[test]
    fn ancestors_of_heads_are_everything(revs in random_dag()) {
        let g = RevisionGraph::build(revs).unwrap();
        let all = g.ancestors(g.heads(), false);
        prop_assert!(all.iter().all(|&x| x));
    }

    #[test]
    fn plus_then_minus_returns_on_a_chain(len in 2usize..30, from in any::<prop::sample::Index>(), by in any::<prop::sample::Index>()) {
        let ids: Vec<String> = (0..len).map(|i| format!("c{i}")).collect();
        let revs: Vec<Revision> = (0..len).map(|i| if i == 0 { rev(&ids[0], &[]) } else { rev(&ids[i], &[&ids[i - 1]]) }).collect();
        let g = RevisionGraph::build(revs).unwrap();
        let start = from.index(len - 1);
        let steps = 1 + by.index(len - 1 - start);
        let none = g.empty_set();
        let up = g.upgrade_destination(&target(&format!("{}+{steps}", ids[start])), &none).unwrap();
        prop_assert_eq!(up.len(), 1);
        let back = g.upgrade_destination(&target(&format!("{}-{steps}", g.revision(up[0]).id)), &none).unwrap();
        prop_assert_eq!(back, vec![g.index_of(&ids[start]).unwrap()]);
    }
}

// ---------------------------------------------------------------------------------------
// `X@Y` targets, checked against Alembic 1.20.1's own CLI (`alembic upgrade|downgrade` on
// SQLite, every case on a fresh database, rows of the version table as the starting state).
// ---------------------------------------------------------------------------------------

/// Alembic's graphs for `X@Y`:
/// - `A`: a → b; b → c1 (`left`) → d1; b → c2 (`right`) → d2.
/// - `B1`: A, and d2 depends on c1. `B2`: A, and c1 depends on c2.
/// - `C`: A, and c1 → e1 (so c1, which carries `left`, is itself a branch point).
/// - `D`: two roots, a1 (`left`) → b1 and a2 (`right`) → b2.
fn alembic_graph(name: &str) -> RevisionGraph {
    let revs = match name {
        "D" => vec![
            labelled(rev("a1", &[]), &["left"]),
            rev("b1", &["a1"]),
            labelled(rev("a2", &[]), &["right"]),
            rev("b2", &["a2"]),
        ],
        _ => {
            let mut revs = vec![
                rev("a", &[]),
                rev("b", &["a"]),
                labelled(rev("c1", &["b"]), &["left"]),
                labelled(rev("c2", &["b"]), &["right"]),
                rev("d1", &["c1"]),
                rev("d2", &["c2"]),
            ];
            match name {
                "B1" => revs[5] = depends(rev("d2", &["c2"]), &["c1"]),
                "B2" => revs[2] = depends(labelled(rev("c1", &["b"]), &["left"]), &["c2"]),
                "C" => revs.push(rev("e1", &["c1"])),
                _ => {}
            }
            revs
        }
    };
    RevisionGraph::build(revs).unwrap()
}

/// One case: graph, the version table's rows before, `up`/`down`, the target, and what
/// runs (revision ids in any order; the order is checked separately) or `!` and a piece of
/// the error. The last field is empty where Alembic does the same, else what Alembic does
/// and why we differ.
type AlembicCase = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str);

/// Deliberate differences (the README's "Choices where the spec is silent" lists them):
const BASE_KEEPS_OTHERS: &str = "Alembic removes every revision: with one root, `X@base` ignores X. SPEC §4: `X@base` takes branch X down to base, keeping what other applied branches stand on";
const CHECKED: &str =
    "Alembic drops X in an absolute downgrade and resolves Y globally; we check that Y is on branch X";
const HEAD_IN_BRANCH: &str =
    "Alembic resolves `head` globally here (MultipleHeads); we take the head of branch X, as upgrade does";
const NO_OP: &str =
    "Alembic: \"Destination … is not a valid downgrade target\"; we do nothing, as for `downgrade <current revision>`";
const LABEL_HEADS: &str = "Alembic accepts `X@heads`; our grammar (SPEC §4) has `X@head` only";

const ALEMBIC_CASES: &[AlembicCase] = &[
    // Graph A, both branches applied.
    ("A", "d1 d2", "down", "left@b", "d1 c1", ""),
    ("A", "d1 d2", "down", "c2@b", "d2 c2", ""),
    ("A", "d1 d2", "down", "d1@b", "d1 c1", ""),
    ("A", "d1 d2", "down", "d1@base", "d1 c1", BASE_KEEPS_OTHERS),
    ("A", "d1 d2", "down", "right@base+2", "d2 c2", ""),
    ("A", "d1 d2", "down", "left@-1", "d1", ""),
    ("A", "d1 d2", "down", "right@base", "d2 c2", BASE_KEEPS_OTHERS),
    ("A", "d1 d2", "down", "c1@-1", "d1", ""),
    ("A", "d1 d2", "down", "left@a", "d1 c1 d2 c2 b", ""),
    ("A", "d1 d2", "down", "right@a", "d1 c1 d2 c2 b", ""),
    ("A", "d1 d2", "down", "left@c1", "d1", ""),
    ("A", "d1 d2", "down", "left@d1", "", ""),
    ("A", "d1 d2", "down", "right@c2", "d2", ""),
    ("A", "d1 d2", "down", "left@-2", "d1 c1", ""),
    ("A", "d1 d2", "down", "left@-3", "d1 c1 d2 c2 b", ""),
    ("A", "d1 d2", "down", "left@-4", "d1 c1", BASE_KEEPS_OTHERS),
    ("A", "d1 d2", "down", "left@-5", "!didn't produce 5 migrations", ""),
    ("A", "d1 d2", "down", "right@-1", "d2", ""),
    ("A", "d1 d2", "down", "right@-2", "d2 c2", ""),
    ("A", "d1 d2", "down", "d2@-1", "d2", ""),
    ("A", "d1 d2", "down", "d2@-3", "d1 c1 d2 c2 b", ""),
    ("A", "d1 d2", "down", "left@head-1", "d1", ""),
    ("A", "d1 d2", "down", "left@head-2", "d1 c1", ""),
    ("A", "d1 d2", "down", "left@head-3", "d1 c1 d2 c2 b", ""),
    ("A", "d1 d2", "down", "right@head-4", "d2 c2", BASE_KEEPS_OTHERS),
    ("A", "d1 d2", "down", "left@base+1", "d1 c1 d2 c2 b", ""),
    ("A", "d1 d2", "down", "left@base+3", "d1", ""),
    ("A", "d1 d2", "down", "left@base+4", "", ""),
    ("A", "d1 d2", "down", "left@base+5", "!didn't produce 5 migrations", ""),
    ("A", "d1 d2", "down", "left@+1", "!goes the wrong way", ""),
    ("A", "d1 d2", "down", "left@base", "d1 c1", BASE_KEEPS_OTHERS),
    ("A", "d1 d2", "down", "b@base", "d1 c1 d2 c2 b a", ""),
    ("A", "d1 d2", "down", "b@a", "d1 c1 d2 c2 b", ""),
    ("A", "d1 d2", "down", "a@base", "d1 c1 d2 c2 b a", ""),
    ("A", "d1 d2", "down", "left@heads", "!`label@heads` is not a target", ""),
    ("A", "d1 d2", "down", "left@head", "", HEAD_IN_BRANCH),
    ("A", "d1 d2", "down", "left@c2", "!revision c2 is not on branch `left`", CHECKED),
    ("A", "d1 d2", "down", "left@d2", "!revision d2 is not on branch `left`", CHECKED),
    ("A", "d1 d2", "down", "c1@c2", "!revision c2 is not on branch `c1`", CHECKED),
    ("A", "d1 d2", "down", "nosuch@b", "!no branch is named `nosuch`", ""),
    ("A", "d1 d2", "down", "nosuch@a", "!no branch is named `nosuch`", "Alembic resolves X only when it needs it"),
    ("A", "d1 d2", "down", "nosuch@base", "!no branch is named `nosuch`", "Alembic resolves X only when it needs it"),
    ("A", "d1 d2", "down", "left@nosuch", "!no revision matches `nosuch`", ""),
    ("A", "d1 d2", "down", "b", "d1 c1 d2 c2", ""),
    ("A", "d1 d2", "down", "a", "d1 c1 d2 c2 b", ""),
    ("A", "d1 d2", "down", "base", "d1 c1 d2 c2 b a", ""),
    (
        "A",
        "d1 d2",
        "down",
        "-1",
        "!the database has 2 current heads",
        "Alembic warns and steps down from its first row",
    ),
    ("A", "d1 d2", "down", "left@a+1", "d1 c1", ""),
    ("A", "d1 d2", "down", "right@a+2", "d2", ""),
    ("A", "d1 d2", "down", "right@a+3", "", ""),
    ("A", "d1 d2", "down", "left@d1-1", "d1", ""),
    ("A", "d1 d2", "down", "left@d1-2", "d1 c1", ""),
    ("A", "d1 d2", "down", "left@d1-3", "d1 c1 d2 c2 b", ""),
    ("A", "d1 d2", "down", "left@d2-1", "!revision d2 is not on branch `left`", ""),
    ("A", "d1 d2", "down", "left@c2-1", "!revision c2 is not on branch `left`", ""),
    ("A", "d1 d2", "down", "left@c2+1", "!revision c2 is not on branch `left`", "Alembic: \"Walked too far\""),
    ("A", "d1 d2", "down", "left@head+1", "!nothing is above head", ""),
    // Graph A, only the right branch applied.
    ("A", "d2", "down", "left@b", "", NO_OP),
    ("A", "d2", "down", "left@base", "", BASE_KEEPS_OTHERS),
    ("A", "d2", "down", "left@-1", "!no revision of its own is applied", "Alembic fails an assertion"),
    ("A", "d2", "down", "left@a", "d2 c2 b", ""),
    ("A", "d2", "down", "right@b", "d2 c2", ""),
    ("A", "d2", "down", "c1@b", "", NO_OP),
    ("A", "d2", "down", "left@c1", "!cannot downgrade to c1", ""),
    ("A", "c1 d2", "down", "left@b", "c1", ""),
    ("A", "c1 d2", "down", "left@c1", "", ""),
    ("A", "c1 d2", "down", "left@-1", "c1", ""),
    ("A", "c1 d2", "down", "left@-2", "c1 d2 c2 b", ""),
    ("A", "b", "down", "left@a", "b", ""),
    ("A", "b", "down", "left@-1", "b", ""),
    ("A", "b", "down", "left@b", "", ""),
    ("A", "b", "down", "left@base", "b a", ""),
    // Graph A, upgrades.
    ("A", "a", "up", "left@c1", "b c1", ""),
    ("A", "a", "up", "right@+2", "b c2", ""),
    ("A", "a", "up", "c2@head", "b c2 d2", ""),
    ("A", "a", "up", "left@head", "b c1 d1", ""),
    ("A", "a", "up", "left@+1", "b", ""),
    ("A", "a", "up", "left@+2", "b c1", ""),
    ("A", "a", "up", "left@+3", "b c1 d1", ""),
    ("A", "a", "up", "left@+4", "!didn't produce 4 migrations", ""),
    ("A", "a", "up", "right@base+3", "b c2", ""),
    ("A", "a", "up", "right@base+4", "b c2 d2", ""),
    ("A", "a", "up", "left@heads", "!`label@heads` is not a target", LABEL_HEADS),
    ("A", "a", "up", "c1@+1", "b", ""),
    ("A", "a", "up", "d1@+1", "b", ""),
    ("A", "a", "up", "left@b", "b", ""),
    ("A", "a", "up", "left@c2", "!revision c2 is not on branch `left`", ""),
    ("A", "a", "up", "nosuch@head", "!no branch is named `nosuch`", ""),
    ("A", "a", "up", "left@a+2", "b c1", ""),
    ("A", "a", "up", "right@a+2", "b c2", ""),
    ("A", "a", "up", "right@c2+1", "b c2 d2", ""),
    ("A", "a", "up", "left@d1", "b c1 d1", ""),
    ("A", "a", "up", "c1@d1", "b c1 d1", ""),
    ("A", "a", "up", "d1@head", "b c1 d1", ""),
    ("A", "a", "up", "b@head", "!there are 2 heads", ""),
    ("A", "a", "up", "b@heads", "!`label@heads` is not a target", LABEL_HEADS),
    ("A", "a", "up", "right@c2+2", "!didn't produce 2 migrations", "Alembic fails an assertion"),
    ("A", "a", "up", "left@c2+1", "!revision c2 is not on branch `left`", "Alembic fails an assertion"),
    ("A", "a", "up", "left@head+1", "!nothing is above head", ""),
    ("A", "a", "up", "left@-1", "!goes the wrong way", ""),
    ("A", "a", "up", "left@head-1", "b c1", ""),
    ("A", "a", "up", "+2", "!is ambiguous at b", ""),
    ("A", "a", "up", "+3", "!is ambiguous at b", ""),
    ("A", "d1", "up", "right@+1", "c2", ""),
    ("A", "d1", "up", "right@+2", "c2 d2", ""),
    ("A", "d1", "up", "right@head", "c2 d2", ""),
    ("A", "d1", "up", "left@+1", "!didn't produce 1 migrations", ""),
    ("A", "d1", "up", "c2@+1", "c2", ""),
    ("A", "c1", "up", "right@+1", "c2", ""),
    ("A", "b", "up", "right@+1", "c2", ""),
    ("A", "b", "up", "left@+1", "c1", ""),
    ("A", "", "up", "left@+1", "a", ""),
    ("A", "", "up", "left@+3", "a b c1", ""),
    ("A", "", "up", "right@+3", "a b c2", ""),
    ("A", "", "up", "left@c1", "a b c1", ""),
    ("A", "", "up", "right@head", "a b c2 d2", ""),
    // Graph B1: d2 depends on c1. What depends on a removed revision goes too.
    ("B1", "d1 d2", "down", "left@b", "d1 d2 c1", ""),
    ("B1", "d1 d2", "down", "c1@b", "d1 d2 c1", ""),
    ("B1", "d1 d2", "down", "right@b", "d2 c2", ""),
    ("B1", "d1 d2", "down", "d1@base", "d1 d2 c1", BASE_KEEPS_OTHERS),
    ("B1", "d1 d2", "down", "c2@b", "d2 c2", ""),
    ("B1", "d1 d2", "down", "d2@c2", "d2", ""),
    ("B1", "d1 d2", "down", "left@-1", "d1", ""),
    ("B1", "d1 d2", "down", "right@-1", "d2", ""),
    ("B1", "d1 d2", "down", "left@a", "d1 d2 c2 c1 b", ""),
    ("B1", "d1 d2", "down", "right@base", "d2 c2", BASE_KEEPS_OTHERS),
    ("B1", "d1 d2", "down", "c1@-1", "d1", ""),
    ("B1", "d1 d2", "down", "left@c1", "d1", ""),
    ("B1", "d1 d2", "down", "right@c2", "d2", ""),
    ("B1", "a", "up", "left@c1", "b c1", ""),
    ("B1", "a", "up", "right@+2", "b c2", ""),
    ("B1", "a", "up", "c2@head", "b c1 c2 d2", ""),
    ("B1", "a", "up", "right@head", "b c1 c2 d2", ""),
    ("B1", "a", "up", "left@head", "b c1 d1", ""),
    ("B1", "a", "up", "left@+2", "b c1", ""),
    ("B1", "a", "up", "d2", "b c1 c2 d2", ""),
    ("B1", "a", "up", "c1", "b c1", ""),
    // Graph B2: c1 depends on c2.
    ("B2", "d1 d2", "down", "left@b", "d1 c1", ""),
    ("B2", "d1 d2", "down", "c1@b", "d1 c1", ""),
    ("B2", "d1 d2", "down", "right@b", "d1 c1 d2 c2", ""),
    ("B2", "d1 d2", "down", "d1@base", "d1 c1", BASE_KEEPS_OTHERS),
    ("B2", "d1 d2", "down", "c2@b", "d1 c1 d2 c2", ""),
    ("B2", "d1 d2", "down", "d2@c2", "d2", ""),
    ("B2", "d1 d2", "down", "left@-1", "d1", ""),
    ("B2", "d1 d2", "down", "right@-1", "d2", ""),
    ("B2", "d1 d2", "down", "left@a", "d1 c1 d2 c2 b", ""),
    ("B2", "d1 d2", "down", "right@base", "d1 c1 d2 c2", BASE_KEEPS_OTHERS),
    ("B2", "d1 d2", "down", "c1@-1", "d1", ""),
    ("B2", "d1 d2", "down", "left@c1", "d1", ""),
    ("B2", "d1 d2", "down", "right@c2", "d2", ""),
    ("B2", "a", "up", "left@c1", "b c2 c1", ""),
    ("B2", "a", "up", "right@+2", "b c2", ""),
    ("B2", "a", "up", "c2@head", "b c2 d2", ""),
    ("B2", "a", "up", "right@head", "b c2 d2", ""),
    ("B2", "a", "up", "left@head", "b c2 c1 d1", ""),
    ("B2", "a", "up", "left@+2", "b c2 c1", ""),
    ("B2", "a", "up", "d2", "b c2 d2", ""),
    ("B2", "a", "up", "c1", "b c2 c1", ""),
    // Graph C: c1 (`left`) branches into d1 and e1.
    (
        "C",
        "d1 d2 e1",
        "down",
        "left@c1",
        "d1 e1",
        "Alembic: \"Not a valid downgrade target\" (it keeps only the children of c1 below c1); both are on branch `left` above c1",
    ),
    ("C", "d1 d2 e1", "down", "d1@c1", "d1", ""),
    ("C", "d1 d2 e1", "down", "e1@c1", "e1", ""),
    ("C", "d1 d2 e1", "down", "left@b", "d1 e1 c1", ""),
    ("C", "d1 d2 e1", "down", "c1@b", "d1 e1 c1", ""),
    ("C", "d1 d2 e1", "down", "left@-1", "!the database has 2 current heads", "Alembic fails an assertion"),
    ("C", "d1 d2 e1", "down", "e1@-1", "e1", ""),
    ("C", "d1 d2 e1", "down", "d1@-1", "d1", ""),
    ("C", "d1 d2 e1", "down", "left@d1", "", ""),
    ("C", "d1 d2 e1", "down", "right@b", "d2 c2", ""),
    ("C", "d1 d2 e1", "down", "left@head", "!there are 2 heads", ""),
    ("C", "d1 d2 e1", "down", "left@heads", "!`label@heads` is not a target", ""),
    ("C", "a", "up", "left@head", "!there are 2 heads", ""),
    ("C", "a", "up", "left@heads", "!`label@heads` is not a target", LABEL_HEADS),
    ("C", "a", "up", "left@+3", "!is ambiguous at c1", ""),
    ("C", "a", "up", "d1@head", "b c1 d1", ""),
    ("C", "a", "up", "e1@+3", "b c1 e1", ""),
    ("C", "c1", "up", "left@+1", "!is ambiguous at c1", ""),
    ("C", "c1", "up", "d1@+1", "d1", ""),
    ("C", "c1", "up", "e1@+1", "e1", ""),
    // Graph D: two roots.
    ("D", "b1 b2", "down", "left@base", "b1 a1", ""),
    ("D", "b1 b2", "down", "right@base", "b2 a2", ""),
    ("D", "b1 b2", "down", "b1@base", "b1 a1", ""),
    ("D", "b1 b2", "down", "left@-1", "b1", ""),
    ("D", "b1 b2", "down", "left@-2", "b1 a1", ""),
    ("D", "b1 b2", "down", "left@-3", "!didn't produce 3 migrations", ""),
    ("D", "b1 b2", "down", "left@a1", "b1", ""),
    ("D", "b1 b2", "down", "base", "b1 a1 b2 a2", ""),
    ("D", "b1 b2", "down", "left@base+1", "b1", ""),
    ("D", "b1 b2", "down", "a1@base", "b1 a1", ""),
    ("D", "", "up", "left@head", "a1 b1", ""),
    ("D", "", "up", "right@+1", "a2", ""),
    ("D", "", "up", "left@+2", "a1 b1", ""),
    ("D", "", "up", "left@+3", "!didn't produce 3 migrations", ""),
    ("D", "a1", "up", "right@head", "a2 b2", ""),
    ("D", "a1", "up", "right@+1", "a2", ""),
    ("D", "", "up", "+1", "!is ambiguous at base", ""),
    ("D", "", "up", "heads", "a2 b2 a1 b1", ""),
];

#[test]
fn branch_at_revision_targets_match_alembic() {
    use crate::plan::{Direction, plan_downgrade, plan_upgrade};
    let mut failures = Vec::new();
    for &(name, before, command, target_text, expected, _alembic) in ALEMBIC_CASES {
        let g = alembic_graph(name);
        let rows: Vec<RevIndex> = before.split_whitespace().map(|id| g.index_of(id).unwrap()).collect();
        let applied = g.ancestors(&rows, true);
        let planned = target_text.parse::<Target>().map_err(crate::plan::PlanError::from).and_then(|t| {
            if command == "up" { plan_upgrade(&g, &applied, &t) } else { plan_downgrade(&g, &applied, &t) }
        });
        let case = format!("graph {name}, at [{before}]: {command}grade {target_text}");
        match (planned, expected.strip_prefix('!')) {
            (Ok(plan), None) => {
                let mut got: Vec<&str> = plan.steps.iter().map(|&i| g.revision(i).id.as_str()).collect();
                // Each step runs after what it needs (up) or before what it needs (down).
                let position = |i: RevIndex| plan.steps.iter().position(|&s| s == i);
                for (k, &step) in plan.steps.iter().enumerate() {
                    for &need in g.parents(step).iter().chain(g.dependencies(step)) {
                        if let Some(p) = position(need)
                            && (plan.direction == Direction::Up) != (p < k)
                        {
                            failures.push(format!(
                                "{case}: {} runs in the wrong order against {}",
                                g.revision(step).id,
                                g.revision(need).id
                            ));
                        }
                    }
                }
                got.sort_unstable();
                let mut want: Vec<&str> = expected.split_whitespace().collect();
                want.sort_unstable();
                if got != want {
                    failures.push(format!("{case}: ran {got:?}, expected {want:?}"));
                }
            }
            (Err(error), Some(piece)) if error.to_string().contains(piece) => {}
            (Ok(plan), Some(piece)) => {
                let got: Vec<&str> = plan.steps.iter().map(|&i| g.revision(i).id.as_str()).collect();
                failures.push(format!("{case}: ran {got:?}, expected an error with {piece:?}"));
            }
            (Err(error), _) => failures.push(format!("{case}: {error}; expected {expected:?}")),
        }
    }
    assert!(failures.is_empty(), "{} case(s) differ:\n{}", failures.len(), failures.join("\n"));
}

/// What `X@Y` means in the graph itself: the lineage of X, and where a branch stands.
#[test]
fn branch_lineage_and_where_a_branch_stands() {
    let g = alembic_graph("A");
    let names =
        |set: &RevSet| -> Vec<String> { (0..g.len()).filter(|&i| set[i]).map(|i| g.revision(i).id.clone()).collect() };
    // A label names the revision declaring it; the lineage runs down to base and up to the
    // heads built on it, `Revises` edges only.
    assert_eq!(names(&g.branch_lineage("left").unwrap()), ["a", "b", "c1", "d1"]);
    assert_eq!(names(&g.branch_lineage("d2").unwrap()), ["a", "b", "c2", "d2"]);
    assert_eq!(names(&g.branch_lineage("b").unwrap()), ["a", "b", "c1", "c2", "d1", "d2"]);
    let b1 = alembic_graph("B1");
    assert_eq!(
        (0..b1.len())
            .filter(|&i| b1.branch_lineage("right").unwrap()[i])
            .map(|i| b1.revision(i).id.as_str())
            .collect::<Vec<_>>(),
        ["a", "b", "c2", "d2"],
        "a dependency joins no branch"
    );
    assert!(matches!(g.branch_lineage("nosuch"), Err(TargetError::UnknownLabel { .. })));
    assert_eq!(
        g.branch_lineage("nosuch").unwrap_err().to_string(),
        "no branch is named `nosuch`: it is neither a branch label nor a revision; the labels are: left, right"
    );
    // A unique prefix of an id names its revision, as Alembic allows.
    assert_eq!(
        g.branch_lineage("d").unwrap_err().to_string(),
        "`d` is ambiguous: it starts d1 (msg d1), d2 (msg d2); give more characters"
    );
    // `X@+1` with only the trunk applied starts from where the trunk ends (the branch
    // point), with nothing applied from base.
    let at = |rows: &[&str]| g.ancestors(&rows.iter().map(|r| g.index_of(r).unwrap()).collect::<Vec<_>>(), true);
    let up = |t: &str, applied: &RevSet| ids(&g, &g.upgrade_destination(&target(t), applied).unwrap());
    assert_eq!(up("right@+1", &at(&["d1"])), ["c2"]);
    assert_eq!(up("left@+1", &at(&["a"])), ["b"]);
    assert_eq!(up("left@+1", &g.empty_set()), ["a"]);
}
