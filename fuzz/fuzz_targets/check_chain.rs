//! A whole migrations folder into the chain check (SPEC §2, chain rules). The input is
//! one flags byte (bit 0: `multiple_heads`) followed by files separated by NUL bytes; each
//! file is parsed as `load_dir` would, then everything goes to `check_chain`, and targets
//! are resolved on the graph it builds. Nothing may panic, and:
//!
//! - a graph comes back only when every file parsed, and it holds every revision, in
//!   topological order, with edges that match the files, and the right number of heads;
//! - otherwise every problem is reported with a location, parse problems included.

#![no_main]

use libfuzzer_sys::fuzz_target;
use migrate_embed::diagnostic::{Location, Problem, ProblemCode};
use migrate_embed::graph::{RangeSpec, RevisionGraph, Target, check_chain};
use migrate_embed::revision::parse_revision;

/// Enough to build interesting graphs while keeping each run fast.
const MAX_FILES: usize = 64;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let multiple_heads = flags & 1 == 1;

    let mut revisions = Vec::new();
    let mut problems = Vec::new();
    for (i, file) in rest.split(|&b| b == 0).take(MAX_FILES).enumerate() {
        let path = format!("migrations/{i:02}.sql");
        match parse_revision(file) {
            Ok(mut rev) => {
                rev.origin.path = path.into();
                revisions.push(rev);
            }
            Err(error) => problems.push(Problem {
                code: ProblemCode::ParseError,
                message: error.kind.to_string(),
                locations: vec![Location::new(path, error.line)],
                hint: None,
            }),
        }
    }
    let parsed = revisions.clone();
    let parse_failures = problems.len();

    match check_chain(revisions, problems, multiple_heads) {
        Ok(graph) => {
            assert_eq!(parse_failures, 0, "a graph came back although files failed to parse");
            check_graph(&graph, &parsed, multiple_heads);
            resolve_targets(&graph);
        }
        Err(error) => {
            assert!(!error.problems.is_empty(), "an error without problems");
            let parse_problems = error.problems.iter().filter(|p| p.code == ProblemCode::ParseError).count();
            assert_eq!(parse_problems, parse_failures, "parse problems lost or invented");
            for problem in &error.problems {
                assert!(!problem.locations.is_empty(), "problem without a location: {problem}");
                assert!(!problem.message.is_empty(), "problem without a message");
            }
            assert!(!error.to_string().is_empty());
        }
    }
});

fn check_graph(graph: &RevisionGraph, parsed: &[migrate_embed::Revision], multiple_heads: bool) {
    assert_eq!(graph.len(), parsed.len(), "revisions lost or invented");
    for i in 0..graph.len() {
        let rev = graph.revision(i);
        assert_eq!(graph.index_of(&rev.id), Some(i), "id {} does not find its revision", rev.id);
        let parents: Vec<&str> = graph.parents(i).iter().map(|&p| graph.revision(p).id.as_str()).collect();
        assert_eq!(parents, rev.parents, "parent edges of {} differ from its file", rev.id);
        assert!(graph.dependencies(i).len() <= rev.depends_on.len(), "extra dependency edges");
        for &p in graph.parents(i) {
            assert!(p < i, "parent {p} after child {i}: not topological");
            assert!(graph.children(p).contains(&i), "child edge missing");
        }
        for &d in graph.dependencies(i) {
            assert!(d < i, "dependency {d} after dependent {i}: not topological");
            assert!(graph.dependents(d).contains(&i), "dependent edge missing");
        }
        assert_eq!(graph.is_head(i), graph.heads().contains(&i));
        assert_eq!(rev.parents.is_empty(), graph.bases().contains(&i));
    }
    let heads = graph.heads();
    if graph.is_empty() {
        assert!(heads.is_empty());
    } else if multiple_heads {
        assert!(!heads.is_empty(), "a non-empty graph without heads");
        for &h in heads {
            assert!(!graph.head_labels(h).is_empty(), "unlabelled head {} accepted", graph.revision(h).id);
        }
    } else {
        assert_eq!(heads.len(), 1, "{} heads accepted without multiple_heads", heads.len());
    }
    // Every revision lies below some head.
    assert!(graph.ancestors(heads, false).iter().all(|&a| a), "a revision below no head");
    let labels = graph.effective_labels();
    assert_eq!(labels.len(), graph.len());
    for label in graph.label_list() {
        let owner = graph.labelled(&label);
        assert!(owner.is_some(), "listed label {label} has no revision");
        if let (Ok(members), Some(owner)) = (graph.branch_members(&label), owner) {
            assert!(members[owner], "label {label} does not cover its own revision");
            for (i, covered) in members.iter().enumerate() {
                assert_eq!(
                    *covered,
                    labels[i].contains(&label.as_str()),
                    "branch_members and effective_labels disagree on {label}"
                );
            }
        }
    }
}

/// Resolves fixed targets and targets made from the graph's own ids and labels, from an
/// empty database and from one with part of the graph applied. Errors are fine; panics
/// are not, and a full id must resolve to itself.
fn resolve_targets(graph: &RevisionGraph) {
    let mut texts: Vec<String> =
        ["head", "heads", "base", "current", "+1", "+2", "-1", "head-1", "head-3", "base+1", "base+2"]
            .map(String::from)
            .to_vec();
    for rev in graph.revisions().iter().take(8) {
        texts.push(rev.id.clone());
        texts.push(rev.id[..1].to_owned());
        texts.push(format!("{}+1", rev.id));
        texts.push(format!("{}-1", rev.id));
        // A revision id names the branch it is on (`X@Y`), Y anywhere on its lineage.
        for suffix in ["head", "base", "+1", "-1", "base+2", "head-2"] {
            texts.push(format!("{}@{suffix}", rev.id));
        }
        for label in rev.branch_labels.iter().take(2) {
            for suffix in ["head", "base", "+1", "-1", "head-1", "base+1", &rev.id] {
                texts.push(format!("{label}@{suffix}"));
            }
        }
    }
    let empty = graph.empty_set();
    let partial = if graph.is_empty() { empty.clone() } else { graph.ancestors(&[graph.len() / 2], true) };
    for applied in [&empty, &partial] {
        for text in &texts {
            let Ok(target) = text.parse::<Target>() else { continue };
            let up = graph.upgrade_destination(&target, applied);
            if let Some(index) = graph.index_of(text) {
                assert_eq!(up, Ok(vec![index]), "full id {text} did not resolve to itself");
            }
            let _ = graph.downgrade_destination(&target, applied);
            if let Ok(range) = format!(":{text}").parse::<RangeSpec>() {
                let _ = graph.range(&range, applied);
            }
            if let Ok(range) = format!("{text}:").parse::<RangeSpec>() {
                let _ = graph.range(&range, applied);
            }
        }
    }
}
