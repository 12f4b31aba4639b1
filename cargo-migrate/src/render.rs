//! The text Alembic users know, for `history`, `heads`, `branches` and `show`.
//!
//! One line per revision, as Alembic's `Script.cmd_format`:
//!
//! ```text
//! (ae1027a6acf, 27c6a30d7c24) -> 53fffde5ad5 (head) (mergepoint), merge heads
//! 1975ea83b712 -> 27c6a30d7c24, add shopping cart table
//! 1975ea83b712 -> ae1027a6acf (accounts), add a column
//! <base> -> 1975ea83b712 (branchpoint), create account table
//! ```
//!
//! Dependencies follow the parents in parentheses (`a1 (55af2cb1c267) -> b2`), as Alembic
//! prints them; branch labels follow the id. The verbose form is Alembic's `log_entry`:
//! `Rev:`, `Parent:`/`Merges:`, `Also depends on:`, `Branches into:`, `Branch names:`,
//! `Path:`, then the header text indented.

use crate::output::{RevisionJson, Style};
use migrate_embed::diagnostic::{printable, printable_line};
use migrate_embed::graph::{RevIndex, RevisionGraph};
use migrate_embed::revision::revises_text;

/// Renders revisions of one graph.
#[derive(Debug)]
pub struct Renderer<'a, B = ()> {
    /// Applied heads of the database, marked `(current)` (`history --indicate-current`).
    current: Vec<bool>,
    graph: &'a RevisionGraph<B>,
    labels: Vec<Vec<&'a str>>,
    style: Style,
}

impl<'a, B> Renderer<'a, B> {
    /// A renderer for `graph` (whole revisions or headers); labels are propagated once, here.
    pub fn new(graph: &'a RevisionGraph<B>, style: Style) -> Self {
        Self { graph, labels: graph.effective_labels(), style, current: Vec::new() }
    }

    /// Marks the database's applied heads `(current)`, as `history --indicate-current` does.
    #[must_use]
    pub fn with_current(mut self, current: &[RevIndex]) -> Self {
        self.current = vec![false; self.graph.len()];
        for &index in current {
            self.current[index] = true;
        }
        self
    }

    /// The graph rendered.
    pub fn graph(&self) -> &'a RevisionGraph<B> {
        self.graph
    }

    /// The labels that apply to a revision (propagated as Alembic does).
    pub fn labels(&self, index: RevIndex) -> &[&'a str] {
        &self.labels[index]
    }

    /// `id (labels) (head) (branchpoint) (mergepoint)`; `tree` adds the last two.
    pub fn head_only(&self, index: RevIndex, tree: bool) -> String {
        let graph = self.graph;
        let mut text = self.style.id(&graph.revision(index).id);
        let mut markers = String::new();
        if !self.labels[index].is_empty() {
            markers.push_str(&format!(" ({})", self.labels[index].join(", ")));
        }
        if graph.is_head(index) {
            markers.push_str(" (head)");
        }
        if self.current.get(index).copied().unwrap_or(false) {
            markers.push_str(" (current)");
        }
        if tree && graph.is_branch_point(index) {
            markers.push_str(" (branchpoint)");
        }
        if tree && graph.is_merge_point(index) {
            markers.push_str(" (mergepoint)");
        }
        if !markers.is_empty() {
            text.push_str(&self.style.marker(&markers));
        }
        text
    }

    /// The parents as `history` shows them: `<base>`, `a1`, or `(a1, b2)` for a merge,
    /// followed by ` (dependencies)` when the revision has any.
    pub fn parents_text(&self, index: RevIndex) -> String {
        let rev = self.graph.revision(index);
        let mut text = match &rev.parents[..] {
            [] => "<base>".to_owned(),
            [one] => one.clone(),
            many => format!("({})", many.join(", ")),
        };
        if !rev.depends_on.is_empty() {
            text.push_str(&format!(" ({})", rev.depends_on.join(", ")));
        }
        text
    }

    /// `, message`, or nothing when the message is empty.
    fn doc(&self, index: RevIndex) -> String {
        let message = &self.graph.revision(index).message;
        if message.is_empty() { String::new() } else { format!(", {}", printable_line(message)) }
    }

    /// One `history` line: `parent -> id (labels) (head) (branchpoint), message`.
    pub fn history_line(&self, index: RevIndex) -> String {
        let mut line = String::new();
        self.push_history_line(index, &mut line);
        line
    }

    /// [`Renderer::history_line`] appended to `out`: `history` prints one per revision, and
    /// on ten thousand revisions building each line from several strings shows.
    pub fn push_history_line(&self, index: RevIndex, out: &mut String) {
        let rev = self.graph.revision(index);
        let push_list = |out: &mut String, list: &[String]| {
            out.push('(');
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(item);
            }
            out.push(')');
        };
        match &rev.parents[..] {
            [] => out.push_str("<base>"),
            [one] => out.push_str(one),
            many => push_list(out, many),
        }
        if !rev.depends_on.is_empty() {
            out.push(' ');
            push_list(out, &rev.depends_on);
        }
        out.push_str(" -> ");
        out.push_str(&self.head_only(index, true));
        if !rev.message.is_empty() {
            out.push_str(", ");
            // Text from the file is shown escaped: it must not drive the terminal (nor
            // fake a colour of ours, which `Output::print` lets through).
            out.push_str(&printable_line(&rev.message));
        }
    }

    /// One `heads` line: `id (labels) (head)`.
    pub fn heads_line(&self, index: RevIndex) -> String {
        self.head_only(index, false)
    }

    /// Alembic's verbose block (`history --verbose`, `show`, `heads --verbose`), without a
    /// trailing blank line.
    pub fn log_entry(&self, index: RevIndex) -> String {
        let graph = self.graph;
        let rev = graph.revision(index);
        let mut markers = String::new();
        if graph.is_head(index) {
            markers.push_str(" (head)");
        }
        if self.current.get(index).copied().unwrap_or(false) {
            markers.push_str(" (current)");
        }
        if graph.is_branch_point(index) {
            markers.push_str(" (branchpoint)");
        }
        if graph.is_merge_point(index) {
            markers.push_str(" (mergepoint)");
        }
        let mut out =
            format!("{} {}{}\n", self.style.bold("Rev:"), self.style.id(&rev.id), self.style.marker(&markers));
        let parents = revises_text(&rev.parents);
        if graph.is_merge_point(index) {
            out.push_str(&format!("Merges: {parents}\n"));
        } else {
            out.push_str(&format!("Parent: {parents}\n"));
        }
        if !rev.depends_on.is_empty() {
            out.push_str(&format!("Also depends on: {}\n", rev.depends_on.join(", ")));
        }
        if graph.is_branch_point(index) {
            let children: Vec<&str> = graph.children(index).iter().map(|&c| graph.revision(c).id.as_str()).collect();
            out.push_str(&format!("Branches into: {}\n", children.join(", ")));
        }
        if !self.labels[index].is_empty() {
            out.push_str(&format!("Branch names: {}\n", self.labels[index].join(", ")));
        }
        out.push_str(&format!("Path: {}\n", printable_line(&rev.origin.path.display().to_string())));
        // The header text, as Alembic prints the docstring.
        let mut doc: Vec<String> = vec![printable_line(&rev.message).into_owned(), String::new()];
        if !rev.description.is_empty() {
            doc.extend(rev.description.lines().map(|line| printable(line).into_owned()));
            doc.push(String::new());
        }
        doc.push(format!("Revision ID: {}", rev.id));
        doc.push(format!("Revises: {parents}"));
        if let Some(date) = &rev.create_date {
            doc.push(format!("Create Date: {}", printable_line(date)));
        }
        out.push('\n');
        for line in doc {
            if !line.is_empty() {
                out.push_str("    ");
                out.push_str(&line);
            }
            out.push('\n');
        }
        out
    }

    /// One `branches` group: the branch point, then `-> child` lines aligned under it.
    /// `verbose` prints the branch point's full entry and the children's messages.
    pub fn branch_group(&self, index: RevIndex, verbose: bool) -> String {
        let graph = self.graph;
        let mut out = if verbose { self.log_entry(index) } else { format!("{}\n", self.head_only(index, true)) };
        let indent = " ".repeat(graph.revision(index).id.chars().count());
        for &child in graph.children(index) {
            let doc = if verbose { self.doc(child) } else { String::new() };
            out.push_str(&format!("{indent} -> {}{doc}\n", self.head_only(child, true)));
        }
        out
    }

    /// The JSON view of a revision.
    pub fn json(&self, index: RevIndex) -> RevisionJson<'a> {
        RevisionJson::new(self.graph, index, &self.labels[index])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrate_embed::revision::parse_revision;

    fn graph(files: &[&str]) -> RevisionGraph {
        let revisions = files
            .iter()
            .map(|text| {
                let mut rev = parse_revision(text.as_bytes()).unwrap();
                rev.origin.path = format!("migrations/{}.sql", rev.id).into();
                rev
            })
            .collect();
        RevisionGraph::build(revisions).unwrap()
    }

    fn file(id: &str, revises: &str, message: &str, extra: &str) -> String {
        format!("-- {message}\n--\n-- Revision ID: {id}\n-- Revises: {revises}\n{extra}\n-- migrate:up\n")
    }

    fn team() -> RevisionGraph {
        graph(&[
            &file("a1", "<base>", "create account table", ""),
            &file("b2", "a1", "add a column", "-- Branch Labels: accounts\n"),
            &file("c3", "a1", "add cart", "-- Depends On: b2\n"),
            &file("d4", "b2, c3", "merge heads", ""),
        ])
    }

    #[test]
    fn history_lines_read_like_alembic() {
        let g = team();
        let r = Renderer::new(&g, Style::plain());
        let lines: Vec<String> = (0..g.len()).rev().map(|i| r.history_line(i)).collect();
        assert_eq!(
            lines,
            [
                "(b2, c3) -> d4 (accounts) (head) (mergepoint), merge heads",
                "a1 (b2) -> c3, add cart",
                "a1 -> b2 (accounts), add a column",
                "<base> -> a1 (branchpoint), create account table",
            ]
        );
        assert_eq!(r.heads_line(g.index_of("d4").unwrap()), "d4 (accounts) (head)");
    }

    #[test]
    fn verbose_entry_and_branch_groups() {
        let g = team();
        let r = Renderer::new(&g, Style::plain());
        assert_eq!(
            r.log_entry(g.index_of("d4").unwrap()),
            "Rev: d4 (head) (mergepoint)\nMerges: b2, c3\nBranch names: accounts\n\
             Path: migrations/d4.sql\n\n    merge heads\n\n    Revision ID: d4\n    Revises: b2, c3\n"
        );
        assert_eq!(
            r.branch_group(g.index_of("a1").unwrap(), false),
            "a1 (branchpoint)\n   -> b2 (accounts)\n   -> c3\n"
        );
    }
}
