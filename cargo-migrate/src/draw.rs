//! The revision graph drawn: as text like `git log --graph --oneline`, as Graphviz DOT and
//! as a Mermaid flowchart.
//!
//! # Text
//!
//! Newest first, one row per revision (`*`) with a lane (`|`) per edge still waiting for
//! its parent, plus connecting rows between them:
//!
//! ```text
//! * 53fffde5ad5 (head) (mergepoint), merge heads
//! |\
//! | * 27c6a30d7c24, add shopping cart table
//! * | ae1027a6acf, add a column
//! |/
//! * 1975ea83b712 (branchpoint), create account table
//! ```
//!
//! Every lane moves at most one column per row, so `/` and `\` are enough; two lanes that
//! must swap places to meet their revision cross as `X`. Lanes heading for the same
//! revision are joined just above it. Revisions are listed in a depth-first topological
//! order, so a branch's revisions stay together.

use crate::render::Renderer;
use migrate_embed::graph::RevIndex;
use std::fmt::Write as _;

/// One row of a text drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The lanes: `*`, `|`, `/`, `\`, `X` and spaces, without trailing spaces.
    pub lanes: String,
    /// The revision drawn on this row (`*`), if any.
    pub node: Option<RevIndex>,
}

/// Children before parents, depth first from the heads (parents in `Revises` order), so
/// that a branch is listed in one run. `parents[i]` are the parents of node `i`; `heads`
/// are the nodes without children.
pub fn display_order(parents: &[Vec<usize>], heads: &[usize]) -> Vec<usize> {
    let mut done = vec![false; parents.len()];
    let mut post = Vec::with_capacity(parents.len());
    // (node, how many of its parents have been looked at)
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for &head in heads {
        if done[head] {
            continue;
        }
        done[head] = true;
        stack.push((head, 0));
        while let Some(top) = stack.last_mut() {
            let (node, next) = *top;
            if let Some(&parent) = parents[node].get(next) {
                top.1 += 1;
                if !done[parent] {
                    done[parent] = true;
                    stack.push((parent, 0));
                }
            } else {
                post.push(node);
                stack.pop();
            }
        }
    }
    post.reverse();
    post
}

/// Lays out the rows for nodes listed in `order` (children before parents).
pub fn layout(parents: &[Vec<usize>], order: &[usize]) -> Vec<Row> {
    // Each lane is an edge on its way down to the node it names.
    let mut lanes: Vec<usize> = Vec::new();
    let mut rows = Vec::with_capacity(order.len() + order.len() / 4);
    for &node in order {
        if !lanes.contains(&node) {
            lanes.push(node);
        }
        // Join the lanes heading for `node`, one step per row.
        loop {
            let mut waiting = lanes.iter().enumerate().filter(|&(_, &l)| l == node).map(|(i, _)| i);
            let (Some(first), Some(next)) = (waiting.next(), waiting.next()) else {
                break;
            };
            let edges: Vec<(usize, usize)> = if next == first + 1 {
                // `next` merges into `first`; the lanes right of it close up.
                let edges = (0..lanes.len()).map(|i| if i < next { (i, i) } else { (i, i - 1) }).collect();
                lanes.remove(next);
                edges
            } else {
                // `next` crosses the lane on its left.
                let edges = (0..lanes.len())
                    .map(|i| match i {
                        i if i == next - 1 => (i, next),
                        i if i == next => (i, next - 1),
                        i => (i, i),
                    })
                    .collect();
                lanes.swap(next - 1, next);
                edges
            };
            rows.push(edge_row(&edges));
        }
        let column = lanes.iter().position(|&l| l == node).unwrap_or(0);
        let cells: Vec<&str> = (0..lanes.len()).map(|i| if i == column { "*" } else { "|" }).collect();
        rows.push(Row { lanes: cells.join(" "), node: Some(node) });
        match &parents[node][..] {
            [] => {
                lanes.remove(column);
                if lanes.is_empty() {
                    // A blank row between unconnected parts of the graph, so that a root
                    // is not drawn as if the next revision were its parent.
                    rows.push(Row { lanes: String::new(), node: None });
                } else if column < lanes.len() {
                    let edges: Vec<(usize, usize)> = (0..=lanes.len())
                        .filter(|&i| i != column)
                        .map(|i| if i < column { (i, i) } else { (i, i - 1) })
                        .collect();
                    rows.push(edge_row(&edges));
                }
            }
            [first, rest @ ..] => {
                lanes[column] = *first;
                for (offset, &parent) in rest.iter().enumerate() {
                    let from = column + offset;
                    let mut edges: Vec<(usize, usize)> =
                        (0..lanes.len()).map(|i| if i <= from { (i, i) } else { (i, i + 1) }).collect();
                    edges.push((from, from + 1));
                    lanes.insert(from + 1, parent);
                    rows.push(edge_row(&edges));
                }
            }
        }
    }
    if rows.last().is_some_and(|row| row.lanes.is_empty()) {
        rows.pop();
    }
    rows
}

/// A connecting row from edges `(from column, to column)`, each moving at most one column.
fn edge_row(edges: &[(usize, usize)]) -> Row {
    let width = edges.iter().map(|&(f, t)| 2 * f.max(t) + 1).max().unwrap_or(0);
    let mut cells = vec![' '; width];
    for &(from, to) in edges {
        let (cell, glyph) = if to == from {
            (2 * from, '|')
        } else if to + 1 == from {
            (2 * from - 1, '/')
        } else {
            (2 * from + 1, '\\')
        };
        cells[cell] = match (cells[cell], glyph) {
            (' ', g) => g,
            ('/', '\\') | ('\\', '/') => 'X',
            (existing, _) => existing,
        };
    }
    let lanes: String = cells.into_iter().collect();
    Row { lanes: lanes.trim_end().to_owned(), node: None }
}

/// The text drawing of a whole graph, one line per row, newest first.
pub fn text<B>(renderer: &Renderer<'_, B>) -> String {
    let graph = renderer.graph();
    let parents: Vec<Vec<usize>> = (0..graph.len()).map(|i| graph.parents(i).to_vec()).collect();
    let order = display_order(&parents, graph.heads());
    let mut out = String::new();
    for row in layout(&parents, &order) {
        out.push_str(&row.lanes);
        if let Some(node) = row.node {
            let message = &graph.revision(node).message;
            let _ = write!(out, " {}", renderer.head_only(node, true));
            if !message.is_empty() {
                let _ = write!(out, ", {}", migrate_embed::diagnostic::printable_line(message));
            }
        }
        out.push('\n');
    }
    out
}

/// The graph in Graphviz DOT: newest at the top, parents → children, dependencies dashed,
/// heads with a double border.
pub fn dot<B>(renderer: &Renderer<'_, B>) -> String {
    let graph = renderer.graph();
    let mut out =
        String::from("digraph migrations {\n    rankdir=BT;\n    node [shape=box, fontname=\"monospace\"];\n");
    for (i, rev) in graph.revisions().iter().enumerate() {
        let mut label = rev.id.clone();
        if !renderer.labels(i).is_empty() {
            let _ = write!(label, " ({})", renderer.labels(i).join(", "));
        }
        if !rev.message.is_empty() {
            label.push('\n');
            label.push_str(&rev.message);
        }
        let _ = write!(out, "    {} [label={}", dot_string(&rev.id), dot_string(&label));
        if graph.is_head(i) {
            out.push_str(", peripheries=2");
        }
        out.push_str("];\n");
    }
    for i in 0..graph.len() {
        let id = &graph.revision(i).id;
        for &p in graph.parents(i) {
            let _ = writeln!(out, "    {} -> {};", dot_string(&graph.revision(p).id), dot_string(id));
        }
        for &d in graph.dependencies(i) {
            let _ = writeln!(
                out,
                "    {} -> {} [style=dashed, label=\"depends on\"];",
                dot_string(&graph.revision(d).id),
                dot_string(id)
            );
        }
    }
    out.push_str("}\n");
    out
}

/// A DOT quoted string.
fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The graph as a Mermaid flowchart: newest at the top, parents → children, dependencies
/// dotted, heads in the `head` class.
pub fn mermaid<B>(renderer: &Renderer<'_, B>) -> String {
    let graph = renderer.graph();
    let mut out = String::from("flowchart BT\n");
    for (i, rev) in graph.revisions().iter().enumerate() {
        let mut label = mermaid_text(&rev.id);
        if !renderer.labels(i).is_empty() {
            let _ = write!(label, " ({})", mermaid_text(&renderer.labels(i).join(", ")));
        }
        if !rev.message.is_empty() {
            label.push_str("<br/>");
            label.push_str(&mermaid_text(&rev.message));
        }
        let _ = writeln!(out, "    {}[\"{label}\"]", mermaid_id(&rev.id));
    }
    for i in 0..graph.len() {
        let id = mermaid_id(&graph.revision(i).id);
        for &p in graph.parents(i) {
            let _ = writeln!(out, "    {} --> {id}", mermaid_id(&graph.revision(p).id));
        }
        for &d in graph.dependencies(i) {
            let _ = writeln!(out, "    {} -.->|depends on| {id}", mermaid_id(&graph.revision(d).id));
        }
    }
    let heads: Vec<String> = graph.heads().iter().map(|&h| mermaid_id(&graph.revision(h).id)).collect();
    if !heads.is_empty() {
        out.push_str("    classDef head stroke-width:3px\n");
        let _ = writeln!(out, "    class {} head", heads.join(","));
    }
    out
}

/// A Mermaid node id: ids are `[A-Za-z0-9_]`, prefixed so none is a keyword (`end`).
fn mermaid_id(id: &str) -> String {
    format!("r_{id}")
}

/// Text safe inside a quoted Mermaid label.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws a graph given as `parents` lists, naming nodes by index.
    fn draw(parents: &[&[usize]]) -> String {
        let parents: Vec<Vec<usize>> = parents.iter().map(|p| p.to_vec()).collect();
        let mut has_child = vec![false; parents.len()];
        for list in &parents {
            for &p in list {
                has_child[p] = true;
            }
        }
        let heads: Vec<usize> = (0..parents.len()).filter(|&i| !has_child[i]).collect();
        let order = display_order(&parents, &heads);
        layout(&parents, &order)
            .into_iter()
            .map(|row| match row.node {
                Some(n) => format!("{} {n}\n", row.lanes),
                None => format!("{}\n", row.lanes),
            })
            .collect()
    }

    #[test]
    fn chain() {
        assert_eq!(draw(&[&[], &[0], &[1]]), "* 2\n* 1\n* 0\n");
    }

    #[test]
    fn two_heads_from_one_parent() {
        assert_eq!(draw(&[&[], &[0], &[0]]), "* 2\n| * 1\n|/\n* 0\n");
    }

    #[test]
    fn branch_and_merge() {
        assert_eq!(draw(&[&[], &[0], &[0], &[1, 2]]), "* 3\n|\\\n| * 2\n* | 1\n|/\n* 0\n");
    }

    #[test]
    fn three_way_merge_and_branch() {
        assert_eq!(
            draw(&[&[], &[0], &[0], &[0], &[1, 2, 3]]),
            "* 4\n|\\\n| |\\\n| | * 3\n| * | 2\n* | | 1\n|/ /\n|/\n* 0\n"
        );
    }

    #[test]
    fn unconnected_parts_are_separated() {
        // Two chains: 0 <- 1 and 2 <- 3.
        assert_eq!(draw(&[&[], &[0], &[], &[2]]), "* 3\n* 2\n\n* 1\n* 0\n");
        // A merge of two roots: the second root ends its lane, the first closes the graph.
        assert_eq!(draw(&[&[], &[], &[0, 1]]), "* 2\n|\\\n| * 1\n* 0\n");
        // A root left of a lane still in use: the lane moves left.
        let parents: Vec<Vec<usize>> = vec![vec![], vec![], vec![1], vec![0, 2]];
        let rows: Vec<String> = layout(&parents, &[3, 0, 2, 1]).into_iter().map(|row| row.lanes).collect();
        assert_eq!(rows, ["*", "|\\", "* |", " /", "*", "*"]);
    }

    #[test]
    fn lanes_that_must_cross_are_drawn_with_x() {
        // 0 has children 1 and 3; 4 (parent 2) is listed between them, so its lane lies
        // between the two lanes heading for 0 and must cross one of them.
        let parents: Vec<Vec<usize>> = vec![vec![], vec![0], vec![], vec![0], vec![2]];
        let rows: Vec<String> = layout(&parents, &[1, 4, 3, 0, 2]).into_iter().map(|row| row.lanes).collect();
        assert_eq!(rows, ["*", "| *", "| | *", "|  X", "|/ /", "* |", " /", "*"]);
    }

    /// Random DAGs (a small xorshift, no extra crate): every node is drawn once, after all
    /// its children, and every row is made of lane glyphs only.
    #[test]
    fn random_graphs_draw_every_node_once() {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % bound as u64).unwrap()
        };
        for _ in 0..300 {
            let n = 1 + next(30);
            let parents: Vec<Vec<usize>> = (0..n)
                .map(|i| {
                    let mut list: Vec<usize> = (0..next(4)).filter(|_| i > 0).map(|_| next(i)).collect();
                    list.dedup();
                    list.sort_unstable();
                    list.dedup();
                    list
                })
                .collect();
            let mut has_child = vec![false; n];
            parents.iter().flatten().for_each(|&p| has_child[p] = true);
            let heads: Vec<usize> = (0..n).filter(|&i| !has_child[i]).collect();
            let order = display_order(&parents, &heads);
            let mut position = vec![usize::MAX; n];
            for (at, &node) in order.iter().enumerate() {
                position[node] = at;
            }
            for (node, list) in parents.iter().enumerate() {
                for &p in list {
                    assert!(position[node] < position[p], "child after parent in {parents:?}");
                }
            }
            let rows = layout(&parents, &order);
            let drawn: Vec<usize> = rows.iter().filter_map(|r| r.node).collect();
            assert_eq!(drawn, order);
            for row in &rows {
                assert!(row.lanes.chars().all(|c| " *|/\\X".contains(c)), "{:?}", row.lanes);
                assert_eq!(row.lanes.matches('*').count(), usize::from(row.node.is_some()));
            }
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(dot_string("a \"b\"\\\nc"), "\"a \\\"b\\\"\\\\\\nc\"");
        assert_eq!(mermaid_text("a<b> \"#1\""), "a#lt;b#gt; #quot;#35;1#quot;");
    }
}
