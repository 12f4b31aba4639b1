//! Text vs JSON, colour, and the JSON shapes.
//!
//! Results go to stdout, everything else (progress, warnings, errors) to stderr. Colour is
//! used only when the stream is a terminal and neither `NO_COLOR` nor `CLICOLOR=0` is set
//! (`anstream` decides; `CLICOLOR_FORCE=1` forces it).
//!
//! # JSON shapes (`--format json`)
//!
//! These are stable: fields may be added, none removed or renamed.
//!
//! - `history`, `heads`, `branches`, `show`: an array of [`RevisionJson`] objects, newest
//!   first (`history` and `branches`), in graph order (`heads`), or in the order named (`show`):
//!
//!   ```json
//!   [{"id": "ae1027a6acf", "message": "add a column", "description": "",
//!     "parents": ["1975ea83b712"], "children": [], "depends_on": [],
//!     "branch_labels": [], "branches": ["accounts"],
//!     "create_date": "2026-11-22 10:00:00+00:00", "transactional": null,
//!     "path": "migrations/ae1027a6acf_add_a_column.sql",
//!     "is_head": true, "is_base": false, "is_branch_point": false, "is_merge_point": false}]
//!   ```
//!
//!   `branch_labels` are the labels the file declares; `branches` are all the labels that
//!   apply to the revision, propagated along its branch as Alembic does. `branches` (the
//!   command) lists the branch points; their `children` are the revisions they branch into.
//! - `graph`: [`GraphJson`]: `{"revisions": [RevisionJson…] (oldest first), "edges":
//!   [{"from": "1975ea83b712", "to": "ae1027a6acf", "kind": "revises"}, {"from": …, "to": …,
//!   "kind": "depends_on"}…], "heads": [ids], "bases": [ids]}`; an edge goes from the revision
//!   that must be applied first to the one that needs it.
//! - `revision`, `merge`: [`CreatedJson`]: `{"id": …, "path": …, "message": …, "parents":
//!   [ids], "branch_labels": […], "depends_on": […]}`.
//! - `init`: [`InitJson`]: `{"dir": …, "manifest": …, "database_url": …}`.

use crate::cli::Format;
use crate::error::Failure;
use migrate_embed::diagnostic::printable;
use migrate_embed::graph::{RevIndex, RevisionGraph};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Terminal styling (through `anstyle`), a no-op when colour is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    enabled: bool,
}

const YELLOW: anstyle::Style = anstyle::AnsiColor::Yellow.on_default();
const GREEN: anstyle::Style = anstyle::AnsiColor::Green.on_default();
const BOLD: anstyle::Style = anstyle::Style::new().bold();
const BOLD_RED: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();
const BOLD_YELLOW: anstyle::Style = anstyle::AnsiColor::Yellow.on_default().bold();
const BOLD_CYAN: anstyle::Style = anstyle::AnsiColor::Cyan.on_default().bold();

impl Style {
    /// Colour on or off.
    pub fn new(enabled: bool) -> Self {
        Self { enabled }
    }

    /// No colour.
    pub fn plain() -> Self {
        Self { enabled: false }
    }

    /// Whether a stream gets colour, as `anstream` decides it: a terminal that supports
    /// colour, unless `NO_COLOR` or `CLICOLOR=0` says otherwise (`CLICOLOR_FORCE` forces it).
    pub fn for_stream(stream: &impl anstream::stream::RawStream) -> Self {
        Self::new(anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never)
    }

    fn paint(self, style: anstyle::Style, text: &str) -> String {
        if self.enabled { format!("{style}{text}{style:#}") } else { text.to_owned() }
    }

    /// A revision id (yellow).
    pub fn id(self, text: &str) -> String {
        self.paint(YELLOW, text)
    }

    /// A marker such as `(head)` or a branch label list (green).
    pub fn marker(self, text: &str) -> String {
        self.paint(GREEN, text)
    }

    /// A heading or key (bold).
    pub fn bold(self, text: &str) -> String {
        self.paint(BOLD, text)
    }

    /// `error:` (bold red).
    pub fn error(self, text: &str) -> String {
        self.paint(BOLD_RED, text)
    }

    /// `warning:` (bold yellow).
    pub fn warning(self, text: &str) -> String {
        self.paint(BOLD_YELLOW, text)
    }

    /// `hint:` (bold cyan).
    pub fn hint(self, text: &str) -> String {
        self.paint(BOLD_CYAN, text)
    }
}

/// Where and how a command prints.
#[derive(Debug, Clone)]
pub struct Output {
    /// `--format`.
    pub format: Format,
    /// `-q`: print only results and errors.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
    /// Styling for stdout.
    pub style: Style,
    /// Styling for stderr.
    pub err_style: Style,
}

impl Output {
    /// Output to the real stdout/stderr, colour decided per stream.
    pub fn new(format: Format, quiet: bool, verbose: u8) -> Self {
        Self {
            format,
            quiet,
            verbose,
            style: Style::for_stream(&std::io::stdout()),
            err_style: Style::for_stream(&std::io::stderr()),
        }
    }

    /// Whether `--format json` was asked for.
    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// Fails unless `--format` is `text` or `json` (`dot` and `mermaid` are for `graph`).
    ///
    /// # Errors
    /// A usage [`Failure`] naming the command.
    pub fn require_text_or_json(&self, command: &str) -> Result<(), Failure> {
        match self.format {
            Format::Text | Format::Json => Ok(()),
            other => Err(Failure::usage(format!(
                "`--format {}` is only for `cargo migrate {}`; `{command}` prints text or json",
                other.as_str(),
                if other == Format::Sql { "schema" } else { "graph" }
            ))),
        }
    }

    /// Writes text for people to stdout in one go, control characters escaped (see
    /// [`migrate_embed::diagnostic::printable`]) but for this program's own colours.
    ///
    /// # Errors
    /// The I/O error (a closed pipe is not reported by `main`).
    pub fn print(&self, text: &str) -> std::io::Result<()> {
        self.print_raw(&printable_styled(text, self.style))
    }

    /// Writes output for programs to stdout as it is: JSON (escaped by its own rules) and
    /// SQL scripts (whose bytes must reach the database unchanged).
    ///
    /// # Errors
    /// The I/O error (a closed pipe is not reported by `main`).
    pub fn print_raw(&self, text: &str) -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()
    }

    /// Writes a value as pretty JSON to stdout.
    ///
    /// # Errors
    /// The I/O error.
    pub fn print_json<T: Serialize + ?Sized>(&self, value: &T) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
        text.push('\n');
        self.print_raw(&text)
    }

    /// A progress line (`Generating … done`) on stdout, as Alembic prints it; not with `-q`
    /// or `--format json`.
    ///
    /// # Errors
    /// The I/O error.
    pub fn status(&self, line: &str) -> std::io::Result<()> {
        if self.quiet || self.json() {
            return Ok(());
        }
        self.print_raw(&format!("{}\n", printable(line)))
    }

    /// A `note:` on stderr (something to know, not a problem); not with `-q` or
    /// `--format json`.
    pub fn note(&self, message: &str) {
        if self.quiet || self.json() {
            return;
        }
        let text = format!("{} {}\n", self.err_style.hint("note:"), printable(message));
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    /// A `warning:` on stderr (with `hint:` lines); not with `-q`.
    pub fn warn(&self, message: &str, hints: &[String]) {
        if self.quiet {
            return;
        }
        let mut text = format!("{} {}\n", self.err_style.warning("warning:"), printable(message));
        for hint in hints {
            text.push_str(&format!("{} {}\n", self.err_style.hint("hint:"), printable(hint)));
        }
        // Nothing sensible to do if stderr is gone.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

/// Prints an error as `error: …` (then `caused by:` and `hint:` lines) on stderr.
pub fn print_error(error: &anyhow::Error) {
    let style = Style::for_stream(&std::io::stderr());
    let _ = std::io::stderr().lock().write_all(format_error(error, style).as_bytes());
}

/// The text [`print_error`] prints.
pub fn format_error(error: &anyhow::Error, style: Style) -> String {
    let mut text = format!("{} {}\n", style.error("error:"), printable(&error.to_string()));
    for cause in error.chain().skip(1) {
        text.push_str(&format!("  caused by: {}\n", printable(&cause.to_string())));
    }
    if let Some(failure) = error.chain().find_map(|c| c.downcast_ref::<Failure>()) {
        for hint in &failure.hints {
            text.push_str(&format!("{} {}\n", style.hint("hint:"), printable(hint)));
        }
    }
    text
}

/// `text` with its control characters escaped, but for the colour sequences `style` writes
/// (`ESC [ digits ; m`), kept only when it writes them. Text from files and databases is
/// escaped where it is rendered, so a sequence of that shape can only be this program's.
pub fn printable_styled(text: &str, style: Style) -> std::borrow::Cow<'_, str> {
    if !style.enabled || !text.contains('\x1b') {
        return printable(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\x1b') {
        out.push_str(&printable(&rest[..at]));
        let after = &rest[at + 1..];
        let sgr_len = after
            .strip_prefix('[')
            .and_then(|codes| codes.find(|c: char| !(c.is_ascii_digit() || c == ';')).map(|end| (codes, end)))
            .filter(|(codes, end)| codes[*end..].starts_with('m'))
            .map(|(_, end)| 1 + end + 1);
        match sgr_len {
            Some(len) => {
                out.push_str(&rest[at..at + 1 + len]);
                rest = &after[len..];
            }
            None => {
                out.push_str(&printable("\x1b"));
                rest = after;
            }
        }
    }
    out.push_str(&printable(rest));
    std::borrow::Cow::Owned(out)
}

/// A path as shown to people: relative to `base` when inside it, else as is.
pub fn display_path(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).display().to_string()
}

/// One revision in `--format json` output (see the module docs).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RevisionJson<'a> {
    /// The revision id.
    pub id: &'a str,
    /// The first header line.
    pub message: &'a str,
    /// Further header lines before the keys.
    pub description: &'a str,
    /// `Revises`, as written (empty for a base).
    pub parents: Vec<&'a str>,
    /// The revisions that revise this one.
    pub children: Vec<&'a str>,
    /// `Depends On`, as written (ids or labels).
    pub depends_on: Vec<&'a str>,
    /// `Branch Labels` declared in the file.
    pub branch_labels: Vec<&'a str>,
    /// Every label that applies to the revision (propagated along its branch).
    pub branches: Vec<&'a str>,
    /// `Create Date`, as written.
    pub create_date: Option<&'a str>,
    /// `Transactional`, when the file says.
    pub transactional: Option<bool>,
    /// The file, relative to the current directory when inside it.
    pub path: String,
    /// Nothing revises it.
    pub is_head: bool,
    /// It revises nothing.
    pub is_base: bool,
    /// Several revisions revise it.
    pub is_branch_point: bool,
    /// It revises several.
    pub is_merge_point: bool,
}

impl<'a> RevisionJson<'a> {
    /// The JSON view of revision `index`; `labels` comes from
    /// [`RevisionGraph::effective_labels`].
    pub fn new<B>(graph: &'a RevisionGraph<B>, index: RevIndex, labels: &[&'a str]) -> Self {
        let rev = graph.revision(index);
        let strs = |list: &'a [String]| list.iter().map(String::as_str).collect::<Vec<_>>();
        Self {
            id: &rev.id,
            message: &rev.message,
            description: &rev.description,
            parents: strs(&rev.parents),
            children: graph.children(index).iter().map(|&c| graph.revision(c).id.as_str()).collect(),
            depends_on: strs(&rev.depends_on),
            branch_labels: strs(&rev.branch_labels),
            branches: labels.to_vec(),
            create_date: rev.create_date.as_deref(),
            transactional: rev.transactional,
            path: rev.origin.path.display().to_string(),
            is_head: graph.is_head(index),
            is_base: graph.parents(index).is_empty(),
            is_branch_point: graph.is_branch_point(index),
            is_merge_point: graph.is_merge_point(index),
        }
    }
}

/// `graph --format json` (see the module docs).
#[derive(Debug, Serialize)]
pub struct GraphJson<'a> {
    /// Every revision, oldest first (topological order).
    pub revisions: Vec<RevisionJson<'a>>,
    /// Parent → child (`revises`) and dependency → dependent (`depends_on`) edges.
    pub edges: Vec<EdgeJson<'a>>,
    /// The heads' ids.
    pub heads: Vec<&'a str>,
    /// The bases' ids.
    pub bases: Vec<&'a str>,
}

/// One edge of [`GraphJson`].
#[derive(Debug, Serialize)]
pub struct EdgeJson<'a> {
    /// The revision applied first.
    pub from: &'a str,
    /// The revision that needs it.
    pub to: &'a str,
    /// `revises` or `depends_on`.
    pub kind: &'static str,
}

/// What `revision` and `merge` print with `--format json`.
#[derive(Debug, Serialize)]
pub struct CreatedJson<'a> {
    /// The new revision's id.
    pub id: &'a str,
    /// The file written.
    pub path: String,
    /// Its message.
    pub message: &'a str,
    /// Its parents.
    pub parents: &'a [String],
    /// Its branch labels.
    pub branch_labels: &'a [String],
    /// Its dependencies.
    pub depends_on: &'a [String],
}

/// What `init` prints with `--format json`.
#[derive(Debug, Serialize)]
pub struct InitJson<'a> {
    /// The folder created.
    pub dir: String,
    /// The manifest the table was added to.
    pub manifest: String,
    /// The `database_url` written.
    pub database_url: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_style_adds_nothing() {
        let style = Style::plain();
        assert_eq!(style.id("abc"), "abc");
        assert_eq!(Style::new(true).id("abc"), "\x1b[33mabc\x1b[0m");
    }

    #[test]
    fn control_characters_are_escaped_but_our_colours_kept() {
        let ours = Style::new(true).id("a1");
        let text = format!("{ours} \x1b[2J\x1b]0;title\x07 \u{202e}x\n");
        assert_eq!(
            printable_styled(&text, Style::new(true)),
            "\x1b[33ma1\x1b[0m \\u{1b}[2J\\u{1b}]0;title\\u{7} \\u{202e}x\n"
        );
        assert_eq!(
            printable_styled(&text, Style::plain()),
            "\\u{1b}[33ma1\\u{1b}[0m \\u{1b}[2J\\u{1b}]0;title\\u{7} \\u{202e}x\n"
        );
        assert_eq!(printable_styled("\x1b", Style::new(true)), "\\u{1b}");
        let error = anyhow::Error::new(Failure::usage("bad \x1b[31mred").hint("run \x07"));
        assert_eq!(format_error(&error, Style::plain()), "error: bad \\u{1b}[31mred\nhint: run \\u{7}\n");
    }

    #[test]
    fn errors_print_hints_and_causes() {
        let error = anyhow::Error::new(Failure::usage("bad thing").hint("do this"));
        assert_eq!(format_error(&error, Style::plain()), "error: bad thing\nhint: do this\n");
        let error = anyhow::anyhow!("inner").context("outer");
        assert_eq!(format_error(&error, Style::plain()), "error: outer\n  caused by: inner\n");
    }
}
