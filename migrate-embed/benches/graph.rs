//! Parsing and checking a migrations folder scales with revisions + edges (SPEC §9).
//!
//! Every benchmark runs on 1,000 and 10,000 revisions and counts items (= revisions), so
//! divan's throughput column is revisions per second: it should stay roughly flat from
//! 1k to 10k. The history is generated in memory: realistic files (message, header, up
//! and down SQL), a main line with a feature branch every 50 revisions that is merged
//! back 10 revisions later, branch labels, and `Depends On` by id and by label. The last
//! 150 revisions are linear, so that `head-100` walks without meeting a merge.
//!
//! ```text
//! cargo bench -p migrate-embed --bench graph --no-default-features
//! ```

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use migrate_embed::RevisionGraph;
use migrate_embed::graph::{Target, check_chain};
use migrate_embed::revision::{Revision, parse_revision};
use migrate_embed::source::load_dir;
use std::collections::HashSet;

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[1_000, 10_000];

/// A feature branch starts every this many revisions.
const BLOCK: usize = 50;
/// The newest revisions are a plain line (no branch or merge), so `head-N` can walk.
const LINEAR_TAIL: usize = 150;

/// The shape of one generated revision.
#[derive(Default)]
struct Planned {
    message: String,
    parents: Vec<usize>,
    labels: Vec<String>,
    depends_on: Vec<String>,
    merge: bool,
}

/// 12 hex digits that look random (like generated ids), so sorted-id and topological
/// order differ as they do in real projects. Deterministic.
fn id_of(i: usize) -> String {
    let mut z = (i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    format!("{:012x}", z >> 16)
}

fn plan(n: usize) -> Vec<Planned> {
    let mut out: Vec<Planned> = Vec::with_capacity(n);
    let mut tip: Option<usize> = None;
    let mut side: Option<usize> = None;
    let mut feature: Option<String> = None;
    for i in 0..n {
        let (block, phase) = (i / BLOCK, i % BLOCK);
        let mut rev = Planned::default();
        match (phase, side, tip) {
            // A feature branch forks off the main line at its tip.
            (20, None, Some(t)) if i + LINEAR_TAIL < n => {
                rev.message = format!("start feature {block}");
                rev.parents = vec![t];
                rev.labels.push(format!("feature_{block}"));
                feature = Some(format!("feature_{block}"));
                side = Some(i);
            }
            (21..=24, Some(s), _) => {
                rev.message = format!("feature {block} step {}", phase - 20);
                rev.parents = vec![s];
                side = Some(i);
            }
            // ... and is merged back.
            (30, Some(s), Some(t)) => {
                rev.message = format!("merge feature {block}");
                rev.parents = vec![t, s];
                rev.merge = true;
                side = None;
                tip = Some(i);
            }
            _ => {
                rev.message = format!("add table t{i}");
                rev.parents = tip.into_iter().collect();
                if phase == 0 && i > 0 {
                    rev.labels.push(format!("release_{block}"));
                }
                if phase == 40
                    && let Some(label) = feature.take()
                {
                    rev.depends_on.push(label);
                }
                if i % 37 == 36 {
                    rev.depends_on.push(id_of(i - 30));
                }
                tip = Some(i);
            }
        }
        out.push(rev);
    }
    assert!(side.is_none(), "a feature branch left open");
    out
}

fn render(i: usize, rev: &Planned) -> String {
    let revises = if rev.parents.is_empty() {
        "<base>".to_owned()
    } else {
        rev.parents.iter().map(|&p| id_of(p)).collect::<Vec<_>>().join(", ")
    };
    let mut text = format!(
        "-- {}\n--\n-- Revision ID: {}\n-- Revises: {revises}\n-- Create Date: 2026-{:02}-{:02} {:02}:{:02}:00+00:00\n",
        rev.message,
        id_of(i),
        1 + i / 28 % 12,
        1 + i % 28,
        i % 24,
        i % 60,
    );
    if !rev.labels.is_empty() {
        text.push_str(&format!("-- Branch Labels: {}\n", rev.labels.join(", ")));
    }
    if !rev.depends_on.is_empty() {
        text.push_str(&format!("-- Depends On: {}\n", rev.depends_on.join(", ")));
    }
    if rev.merge {
        text.push_str("\n-- migrate:up\n\n-- migrate:down\n");
    } else {
        text.push_str(&format!(
            "\n-- migrate:up\nCREATE TABLE t{i} (\n    id INTEGER PRIMARY KEY,\n    name VARCHAR(50) NOT NULL,\n    \
             created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\nCREATE INDEX t{i}_name ON t{i} (name);\n\n\
             -- migrate:down\nDROP INDEX t{i}_name;\nDROP TABLE t{i};\n"
        ));
    }
    text
}

/// `n` revision files: (file name, contents).
fn history(n: usize) -> Vec<(String, String)> {
    let files: Vec<(String, String)> = plan(n)
        .iter()
        .enumerate()
        .map(|(i, rev)| (format!("{}_{}.sql", id_of(i), rev.message.replace(' ', "_")), render(i, rev)))
        .collect();
    let ids: HashSet<String> = (0..n).map(id_of).collect();
    assert_eq!(ids.len(), n, "generated ids collide");
    files
}

fn parsed(n: usize) -> Vec<Revision> {
    history(n).iter().map(|(_, text)| parse_revision(text.as_bytes()).expect("generated file parses")).collect()
}

fn graph(n: usize) -> RevisionGraph {
    let graph = check_chain(parsed(n), Vec::new(), false).expect("generated history is a valid chain");
    assert_eq!(graph.len(), n);
    graph
}

/// (a) Parse `n` revision files held in memory.
#[divan::bench(args = SIZES)]
fn parse(bencher: Bencher, n: usize) {
    let texts: Vec<String> = history(n).into_iter().map(|(_, text)| text).collect();
    bencher
        .counter(ItemsCount::new(n))
        .bench(|| texts.iter().map(|t| parse_revision(black_box(t.as_bytes()))).collect::<Result<Vec<_>, _>>());
}

/// (b) Check the chain rules and build the graph from `n` parsed revisions.
#[divan::bench(args = SIZES)]
fn check(bencher: Bencher, n: usize) {
    let revisions = parsed(n);
    let edges: usize = revisions.iter().map(|r| r.parents.len() + r.depends_on.len()).sum();
    assert!(edges > n, "the history should have merges and dependencies");
    bencher
        .counter(ItemsCount::new(n))
        .with_inputs(|| revisions.clone())
        .bench_values(|revisions| check_chain(revisions, Vec::new(), false));
}

/// (c) The whole path from a folder: list, read and parse every file, then check.
#[divan::bench(args = SIZES, sample_count = 30)]
fn load_and_check(bencher: Bencher, n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in history(n) {
        std::fs::write(dir.path().join(name), text).expect("write revision file");
    }
    let root = dir.path();
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let loaded = load_dir(black_box(root), root).expect("folder loads");
        assert!(loaded.problems.is_empty());
        check_chain(loaded.revisions, loaded.problems, false)
    });
}

/// (d) Target resolution on the built graph: parse the target, find the upgrade
/// destination from an empty database.
fn resolve(bencher: Bencher, n: usize, target: impl Fn(&RevisionGraph) -> String) {
    let graph = graph(n);
    let text = target(&graph);
    let applied = graph.empty_set();
    let parsed: Target = text.parse().expect("target parses");
    graph.upgrade_destination(&parsed, &applied).expect("target resolves");
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let target: Target = black_box(text.as_str()).parse().expect("target parses");
        graph.upgrade_destination(&target, &applied)
    });
}

#[divan::bench(args = SIZES)]
fn resolve_head(bencher: Bencher, n: usize) {
    resolve(bencher, n, |_| "head".to_owned());
}

/// The shortest unique prefix (at least 6 digits) of a revision in the middle.
#[divan::bench(args = SIZES)]
fn resolve_prefix(bencher: Bencher, n: usize) {
    resolve(bencher, n, |graph| {
        let id = &graph.revision(graph.len() / 2).id;
        (6..=id.len())
            .map(|len| &id[..len])
            .find(|prefix| graph.revisions().iter().filter(|r| r.id.starts_with(prefix)).count() == 1)
            .expect("a full id is unique")
            .to_owned()
    });
}

#[divan::bench(args = SIZES)]
fn resolve_head_minus_100(bencher: Bencher, n: usize) {
    resolve(bencher, n, |_| "head-100".to_owned());
}

/// The revisions as `build-support`'s generated code holds them: static strings, edges as
/// positions, in topological order (leaked here to get `'static` data at run time).
fn embedded(n: usize) -> &'static migrate_embed::EmbeddedMigrations {
    fn leak(text: &str) -> &'static str {
        Box::leak(text.to_owned().into_boxed_str())
    }
    fn leak_all(items: &[String]) -> &'static [&'static str] {
        Box::leak(items.iter().map(|s| leak(s)).collect::<Vec<_>>().into_boxed_slice())
    }
    let graph = graph(n);
    let revisions: Vec<migrate_embed::EmbeddedRevision> = (0..graph.len())
        .map(|i| {
            let r = graph.revision(i);
            migrate_embed::EmbeddedRevision::__from_build_support(
                leak(&r.id),
                leak(&r.message),
                leak(&r.description),
                Box::leak(graph.parents(i).to_vec().into_boxed_slice()),
                Box::leak(graph.dependencies(i).to_vec().into_boxed_slice()),
                leak_all(&r.depends_on),
                leak_all(&r.branch_labels),
                r.create_date.as_deref().map(leak),
                r.transactional,
                r.foreign_keys_off,
                leak(&r.body.up_sql),
                r.body.down_sql.as_deref().map(leak),
                leak(&r.body.checksum),
                "migrations/x.sql",
                r.origin.up_line,
                r.origin.down_line,
            )
        })
        .collect();
    let revisions: &'static [migrate_embed::EmbeddedRevision] = Box::leak(revisions.into_boxed_slice());
    Box::leak(Box::new(migrate_embed::EmbeddedMigrations::__from_build_support(
        revisions,
        migrate_embed::config::TableName::default(),
        true,
        None,
        None,
    )))
}

/// (e) Start-up with our embed: the graph from build-support's static data. Nothing is
/// parsed or checked; the build did that.
#[divan::bench(args = SIZES)]
fn startup_generated_code(bencher: Bencher, n: usize) {
    let migrations = embedded(n);
    bencher.counter(ItemsCount::new(n)).bench(|| black_box(migrations).graph());
}

/// (f) Start-up with an include_dir-style embed: the binary holds the files' bytes, so it
/// must parse every file and check the chain before it can migrate (and could fail there).
#[divan::bench(args = SIZES)]
fn startup_embedded_files(bencher: Bencher, n: usize) {
    let files: Vec<&'static [u8]> =
        history(n).into_iter().map(|(_, text)| &*Box::leak(text.into_bytes().into_boxed_slice())).collect();
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let revisions = files.iter().map(|bytes| parse_revision(black_box(bytes))).collect::<Result<Vec<_>, _>>();
        check_chain(revisions.expect("files parse"), Vec::new(), false)
    });
}
