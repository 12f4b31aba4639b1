//! Building the graph and checking the chain rules, collecting every problem in one pass.

use super::{RevIndex, RevisionGraph};
use crate::diagnostic::{ChainError, Location, Problem, ProblemCode};
use crate::revision::Revision;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// Ids and labels to indices. Keys come from the project's own files, so a fast hash
/// (FNV-1a) serves better than the default one, which resists hostile keys at several
/// times the cost on ten thousand short ids.
type IdMap<'a> = HashMap<&'a str, usize, BuildHasherDefault<Fnv1a>>;

/// The 64-bit FNV-1a hash.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl<B> RevisionGraph<B> {
    /// Builds the graph, checking rules 1–3 of SPEC §2 (unique ids and labels, known parents
    /// and dependencies, no cycles). Several heads are allowed here; see
    /// [`RevisionGraph::head_problems`] for rule 4.
    ///
    /// # Errors
    /// A [`ChainError`] listing every problem found.
    pub fn build(revisions: Vec<Revision<B>>) -> Result<Self, ChainError> {
        let (graph, problems) = assemble(revisions);
        match graph {
            Some(graph) if problems.is_empty() => Ok(graph),
            _ => Err(ChainError { problems }),
        }
    }

    /// Rule 4: exactly one head, or (with `multiple_heads`) a branch label on every head.
    pub fn head_problems(&self, multiple_heads: bool) -> Vec<Problem> {
        // A revision whose parent is missing (reported as such) is an orphan, not a head.
        let heads: Vec<RevIndex> =
            self.heads().iter().copied().filter(|&h| self.parents(h).len() == self.revision(h).parents.len()).collect();
        let heads = &heads[..];
        if !multiple_heads {
            if heads.len() <= 1 {
                return Vec::new();
            }
            let listed: Vec<String> = heads.iter().map(|&h| self.describe(h)).collect();
            return vec![Problem {
                code: ProblemCode::MultipleHeads,
                message: format!("{} heads: {}", heads.len(), listed.join(", ")),
                locations: heads.iter().map(|&h| self.location(h, self.revision(h).origin.id_line)).collect(),
                hint: Some(
                    "run `cargo migrate merge heads -m '…'` to join them, or set `multiple_heads = true` in [package.metadata.migrate] and give each head a branch label".into(),
                ),
            }];
        }
        heads
            .iter()
            .filter(|&&h| self.head_labels(h).is_empty())
            .map(|&h| Problem {
                code: ProblemCode::UnlabelledHead,
                message: format!("head {} carries no branch label, and multiple_heads needs one on every head", self.describe(h)),
                locations: vec![self.location(h, self.revision(h).origin.id_line)],
                hint: Some("add `-- Branch Labels: <name>` to it or to a revision on its branch, or merge the heads with `cargo migrate merge heads -m '…'`".into()),
            })
            .collect()
    }

    /// Assembles a graph from revisions already in topological order with their parent and
    /// dependency edges resolved to indices (as build-support embeds them). Cannot fail:
    /// the checks ran when the order was made.
    pub fn from_ordered(
        revisions: Vec<Revision<B>>,
        parents: Vec<Vec<RevIndex>>,
        dependencies: Vec<Vec<RevIndex>>,
    ) -> Self {
        let n = revisions.len();
        let mut children = vec![Vec::new(); n];
        let mut dependents = vec![Vec::new(); n];
        for i in 0..n {
            for &p in &parents[i] {
                children[p].push(i);
            }
            for &d in &dependencies[i] {
                dependents[d].push(i);
            }
        }
        let heads = (0..n).filter(|&i| children[i].is_empty()).collect();
        let bases = (0..n).filter(|&i| parents[i].is_empty()).collect();
        let labels: HashMap<String, usize> = revisions
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.branch_labels.iter().map(move |l| (l.clone(), i)))
            .collect();
        let mut sorted_ids: Vec<usize> = (0..n).collect();
        sorted_ids.sort_unstable_by(|&a, &b| revisions[a].id.cmp(&revisions[b].id));
        RevisionGraph { revisions, sorted_ids, labels, parents, children, dependencies, dependents, heads, bases }
    }

    fn location(&self, index: RevIndex, line: usize) -> Location {
        Location::new(self.revision(index).origin.path.clone(), line)
    }
}

/// Checks everything at once: parse problems from loading, structure, and heads.
///
/// # Errors
/// A [`ChainError`] listing every problem, sorted by file.
pub fn check_chain<B>(
    revisions: Vec<Revision<B>>,
    parse_problems: Vec<Problem>,
    multiple_heads: bool,
) -> Result<RevisionGraph<B>, ChainError> {
    check(revisions, parse_problems, Some(multiple_heads))
}

/// Like [`check_chain`] without the heads rule: parse problems and rules 1–3, so commands
/// that inspect or merge a folder with several heads still work on it.
///
/// # Errors
/// A [`ChainError`] listing every problem, sorted by file.
pub fn check_structure<B>(
    revisions: Vec<Revision<B>>,
    parse_problems: Vec<Problem>,
) -> Result<RevisionGraph<B>, ChainError> {
    check(revisions, parse_problems, None)
}

fn check<B>(
    revisions: Vec<Revision<B>>,
    parse_problems: Vec<Problem>,
    multiple_heads: Option<bool>,
) -> Result<RevisionGraph<B>, ChainError> {
    let (graph, mut problems) = assemble(revisions);
    problems.extend(parse_problems);
    if let (Some(graph), Some(multiple_heads)) = (&graph, multiple_heads) {
        problems.extend(graph.head_problems(multiple_heads));
    }
    problems.sort_by(|a, b| {
        let key = |p: &Problem| p.locations.first().map(|l| (l.path.clone(), l.line));
        key(a).cmp(&key(b)).then(a.code.cmp(&b.code))
    });
    match graph {
        Some(graph) if problems.is_empty() => Ok(graph),
        _ => Err(ChainError { problems }),
    }
}

fn at<B>(rev: &Revision<B>, line: usize) -> Location {
    Location::new(rev.origin.path.clone(), line)
}

/// Builds what it can and returns every structural problem. The graph is `None` only when
/// there is a cycle (no topological order exists).
fn assemble<B>(revisions: Vec<Revision<B>>) -> (Option<RevisionGraph<B>>, Vec<Problem>) {
    let mut problems = Vec::new();

    // Rule 1: unique ids. Keep the first file of each id; report every duplicate group.
    let mut first_of: IdMap<'_> = IdMap::with_capacity_and_hasher(revisions.len(), Default::default());
    let mut duplicates: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, rev) in revisions.iter().enumerate() {
        match first_of.get(rev.id.as_str()) {
            Some(&first) => duplicates.entry(first).or_default().push(i),
            None => {
                first_of.insert(&rev.id, i);
            }
        }
    }
    let mut dropped = vec![false; revisions.len()];
    let mut groups: Vec<_> = duplicates.into_iter().collect();
    groups.sort();
    for (first, others) in groups {
        let rev = &revisions[first];
        let mut locations = vec![at(rev, rev.origin.id_line)];
        for &other in &others {
            dropped[other] = true;
            locations.push(at(&revisions[other], revisions[other].origin.id_line));
        }
        problems.push(Problem {
            code: ProblemCode::DuplicateRevision,
            message: format!("revision id {} is used by {} files", rev.id, others.len() + 1),
            locations,
            hint: Some("give all but one a new id (`cargo migrate revision` generates one) and update any `Revises` that meant it".into()),
        });
    }
    drop(first_of);
    let revisions: Vec<Revision<B>> = if dropped.contains(&true) {
        revisions.into_iter().zip(dropped).filter(|(_, d)| !d).map(|(r, _)| r).collect()
    } else {
        revisions
    };
    let n = revisions.len();
    let by_id: IdMap<'_> = revisions.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();

    // Rule 1: labels unique and distinct from ids.
    let mut labels: IdMap<'_> = IdMap::default();
    for (i, rev) in revisions.iter().enumerate() {
        for label in &rev.branch_labels {
            if let Some(&owner) = by_id.get(label.as_str()) {
                problems.push(Problem {
                    code: ProblemCode::LabelCollidesWithId,
                    message: format!("branch label {label} of revision {} is also a revision id", rev.id),
                    locations: vec![
                        at(rev, rev.origin.labels_line),
                        at(&revisions[owner], revisions[owner].origin.id_line),
                    ],
                    hint: Some("rename the label; targets could not tell the two apart".into()),
                });
            } else if let Some(&owner) = labels.get(label.as_str()) {
                problems.push(Problem {
                    code: ProblemCode::DuplicateLabel,
                    message: format!("branch label {label} is declared by both {} and {}", revisions[owner].id, rev.id),
                    locations: vec![
                        at(rev, rev.origin.labels_line),
                        at(&revisions[owner], revisions[owner].origin.labels_line),
                    ],
                    hint: Some("a label names one branch; keep it on one revision".into()),
                });
            } else {
                labels.insert(label, i);
            }
        }
    }

    // Rule 2: parents and dependencies exist.
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut dependencies: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, rev) in revisions.iter().enumerate() {
        for parent in &rev.parents {
            match by_id.get(parent.as_str()) {
                Some(&p) => parents[i].push(p),
                None => problems.push(Problem {
                    code: ProblemCode::MissingParent,
                    message: format!("revision {} revises {parent}, which does not exist", rev.id),
                    locations: vec![at(rev, rev.origin.revises_line)],
                    hint: Some(missing_hint(parent, &by_id, "Revises")),
                }),
            }
        }
        for dep in &rev.depends_on {
            match by_id.get(dep.as_str()).or_else(|| labels.get(dep.as_str())) {
                Some(&d) => {
                    if !dependencies[i].contains(&d) {
                        dependencies[i].push(d);
                    }
                }
                None => problems.push(Problem {
                    code: ProblemCode::MissingDependency,
                    message: format!(
                        "revision {} depends on {dep}, which is neither a revision nor a branch label",
                        rev.id
                    ),
                    locations: vec![at(rev, rev.origin.depends_on_line)],
                    hint: Some(missing_hint(dep, &by_id, "Depends On")),
                }),
            }
        }
    }

    // Rule 3: a topological order exists (Kahn, ties by id for determinism).
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pending = vec![0usize; n];
    for i in 0..n {
        for &p in parents[i].iter().chain(&dependencies[i]) {
            successors[p].push(i);
            pending[i] += 1;
        }
    }
    let mut ready: BinaryHeap<Reverse<(&str, usize)>> =
        (0..n).filter(|&i| pending[i] == 0).map(|i| Reverse((revisions[i].id.as_str(), i))).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, i))) = ready.pop() {
        order.push(i);
        for &s in &successors[i] {
            pending[s] -= 1;
            if pending[s] == 0 {
                ready.push(Reverse((revisions[s].id.as_str(), s)));
            }
        }
    }
    if order.len() < n {
        problems.extend(cycle_problems(&revisions, &parents, &dependencies, &pending));
        return (None, problems);
    }

    // Renumber everything into topological order.
    let mut position = vec![0usize; n];
    for (pos, &i) in order.iter().enumerate() {
        position[i] = pos;
    }
    let remap = |lists: &[Vec<usize>]| -> Vec<Vec<usize>> {
        order.iter().map(|&i| lists[i].iter().map(|&j| position[j]).collect()).collect()
    };
    let parents = remap(&parents);
    let dependencies = remap(&dependencies);
    let mut slots: Vec<Option<Revision<B>>> = revisions.into_iter().map(Some).collect();
    let revisions: Vec<Revision<B>> = order.iter().map(|&i| slots[i].take().expect("each index once")).collect();
    let graph = RevisionGraph::from_ordered(revisions, parents, dependencies);
    (Some(graph), problems)
}

/// "Did you mean" advice for a missing id: ids it is a prefix of.
fn missing_hint(name: &str, by_id: &IdMap<'_>, key: &str) -> String {
    let mut close: Vec<&str> = by_id.keys().filter(|id| id.starts_with(name)).copied().collect();
    close.sort_unstable();
    close.truncate(3);
    if close.is_empty() {
        format!("fix `{key}` to name an existing revision, or restore the missing revision file")
    } else {
        format!("`{key}` needs the full id; did you mean {}?", close.join(" or "))
    }
}

/// How a revision names the one it needs: the key whose line a cycle problem points at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edge {
    Revises,
    DependsOn,
}

/// One problem per cycle among the revisions Kahn's algorithm could not order.
fn cycle_problems<B>(
    revisions: &[Revision<B>],
    parents: &[Vec<usize>],
    dependencies: &[Vec<usize>],
    pending: &[usize],
) -> Vec<Problem> {
    let stuck = |i: usize| pending[i] > 0;
    // What `node` needs, each with the key that names it: parents first.
    let needs = |node: usize| {
        parents[node]
            .iter()
            .map(|&p| (p, Edge::Revises))
            .chain(dependencies[node].iter().map(|&d| (d, Edge::DependsOn)))
    };
    // 0 = unvisited, 1 = on the current walk, 2 = done.
    let mut state = vec![0u8; revisions.len()];
    let mut problems = Vec::new();
    for start in (0..revisions.len()).filter(|&i| stuck(i)) {
        if state[start] != 0 {
            continue;
        }
        // Every stuck revision has a stuck predecessor, so walking predecessors must
        // either close a loop or reach a revision already handled. `walk[k]` needs
        // `walk[k + 1]` through `edges[k]`.
        let mut walk = vec![start];
        let mut edges: Vec<Edge> = Vec::new();
        state[start] = 1;
        let mut node = start;
        loop {
            let next =
                needs(node).find(|&(p, _)| stuck(p) && state[p] != 2).or_else(|| needs(node).find(|&(p, _)| stuck(p)));
            let Some((next, edge)) = next else { break };
            if state[next] == 1 {
                let from = walk.iter().position(|&w| w == next).unwrap_or(0);
                edges.push(edge);
                problems.push(describe_cycle(revisions, &walk[from..], &edges[from..]));
                break;
            }
            if state[next] == 2 {
                break;
            }
            state[next] = 1;
            walk.push(next);
            edges.push(edge);
            node = next;
        }
        for w in walk {
            state[w] = 2;
        }
    }
    problems
}

/// The problem for a loop where `cycle[k]` needs `cycle[k + 1]` (and the last needs the
/// first) through `edges[k]`: each revision's location is the line of the key (`Revises`
/// or `Depends On`) that names the next one, so the fix can be made where it points.
fn describe_cycle<B>(revisions: &[Revision<B>], cycle: &[usize], edges: &[Edge]) -> Problem {
    let id = |i: usize| revisions[i].id.as_str();
    let verb = |edge: Edge| match edge {
        Edge::Revises => "revises",
        Edge::DependsOn => "depends on",
    };
    let message = if cycle.len() == 1 {
        format!("revision {} {} itself", id(cycle[0]), verb(edges[0]))
    } else {
        let steps: Vec<String> = cycle
            .iter()
            .enumerate()
            .map(|(k, &i)| format!("{} {} {}", id(i), verb(edges[k]), id(cycle[(k + 1) % cycle.len()])))
            .collect();
        format!("cycle: {}", steps.join(", "))
    };
    let line = |i: usize, edge: Edge| match edge {
        Edge::Revises => revisions[i].origin.revises_line,
        Edge::DependsOn => revisions[i].origin.depends_on_line,
    };
    Problem {
        code: ProblemCode::Cycle,
        message,
        locations: cycle.iter().zip(edges).map(|(&i, &edge)| at(&revisions[i], line(i, edge))).collect(),
        hint: Some("a revision must come after what it revises and depends on; fix `Revises` or `Depends On` on one of these lines so the loop is broken".into()),
    }
}
