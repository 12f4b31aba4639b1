//! End-to-end tests of the `cargo-migrate` binary's authoring and inspection commands
//! (issue 3), each in a temporary Cargo package: the Alembic team workflow from the
//! articles (branch, two heads, refuse, merge), branch labels and dependencies, ranges,
//! lookups by prefix and label, every bad input (exit 2, one `error:`, nothing written),
//! JSON shapes, help, completions, and running as `cargo migrate`.

use helpers::*;

/// A temporary package and ways to run `cargo-migrate` in it.
#[allow(dead_code)]
mod helpers {
    use std::path::{Path, PathBuf};
    use std::process::Output;

    /// The `Create Date` every test revision gets (`SOURCE_DATE_EPOCH` below).
    pub const CREATE_DATE: &str = "2026-12-23 09:59:59+00:00";
    const SOURCE_DATE_EPOCH: &str = "1798019999";

    /// The binary under test.
    pub fn bin() -> &'static str {
        env!("CARGO_BIN_EXE_cargo-migrate")
    }

    /// A temporary Cargo package (`Cargo.toml`, `src/main.rs`), removed on drop, with its
    /// own revision cache folder (so tests leave nothing in the user's cache).
    pub struct TempProject {
        dir: tempfile::TempDir,
        cache: tempfile::TempDir,
    }

    impl TempProject {
        /// A package called `name` with `extra` appended to its manifest.
        pub fn new(name: &str, extra: &str) -> Self {
            let dir = tempfile::tempdir().expect("temp dir");
            write_package(dir.path(), name, extra);
            Self { dir, cache: tempfile::tempdir().expect("temp dir") }
        }

        /// A package set up with `cargo migrate init`.
        pub fn initialised(name: &str) -> Self {
            let project = Self::new(name, "");
            project.ok(&["init"]);
            project
        }

        /// The package folder.
        pub fn path(&self) -> &Path {
            self.dir.path()
        }

        /// The migrations folder (the default one).
        pub fn migrations(&self) -> PathBuf {
            self.path().join("migrations")
        }

        /// `cargo-migrate <args>` in the package folder, with a fixed date and no
        /// `DATABASE_URL` from the outside.
        pub fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
            self.cmd_in(self.path(), args)
        }

        /// `cargo-migrate <args>` in `dir`.
        pub fn cmd_in(&self, dir: &Path, args: &[&str]) -> assert_cmd::Command {
            let mut cmd = assert_cmd::Command::new(bin());
            cmd.current_dir(dir)
                .args(args)
                .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
                .env("CARGO_MIGRATE_CACHE_DIR", self.cache.path())
                .env_remove("DATABASE_URL")
                .env_remove("NO_COLOR");
            cmd
        }

        /// Runs and returns the output, whatever the exit code.
        pub fn run(&self, args: &[&str]) -> Output {
            self.cmd(args).output().expect("the binary runs")
        }

        /// Runs, asserts success and an empty stderr, returns stdout.
        pub fn ok(&self, args: &[&str]) -> String {
            let output = self.run(args);
            let (stdout, stderr) = texts(&output);
            assert!(output.status.success(), "cargo-migrate {args:?} failed ({:?}):\n{stderr}", output.status.code());
            assert_eq!(stderr, "", "cargo-migrate {args:?} printed on stderr");
            stdout
        }

        /// Runs, asserts exit code 2, nothing on stdout, one `error:` line first on stderr,
        /// and that no file changed; returns stderr.
        pub fn fails(&self, args: &[&str]) -> String {
            let before = self.snapshot();
            let output = self.run(args);
            let (stdout, stderr) = texts(&output);
            assert_eq!(output.status.code(), Some(2), "cargo-migrate {args:?} should fail with 2; stderr:\n{stderr}");
            assert_eq!(stdout, "", "cargo-migrate {args:?} printed on stdout");
            assert!(stderr.starts_with("error: "), "{stderr}");
            assert_eq!(stderr.matches("error:").count(), 1, "one error expected:\n{stderr}");
            assert_eq!(self.snapshot(), before, "cargo-migrate {args:?} wrote files");
            stderr
        }

        /// Writes a revision file by hand (as a teammate's pulled commit would bring it).
        pub fn write_revision(&self, id: &str, revises: &str, message: &str, extra_header: &str) {
            let text = format!(
                "-- {message}\n--\n-- Revision ID: {id}\n-- Revises: {revises}\n-- Create Date: {CREATE_DATE}\n{extra_header}\n-- migrate:up\nSELECT 1;\n\n-- migrate:down\nSELECT 2;\n"
            );
            std::fs::create_dir_all(self.migrations()).expect("migrations folder");
            let name = format!("{id}_{}.sql", message.replace(' ', "_"));
            std::fs::write(self.migrations().join(name), text).expect("write revision");
        }

        /// Every file under the package (except `target/`) with its contents, sorted.
        pub fn snapshot(&self) -> Vec<(String, String)> {
            let mut files = Vec::new();
            let mut pending = vec![self.path().to_path_buf()];
            while let Some(dir) = pending.pop() {
                for entry in std::fs::read_dir(&dir).expect("read dir") {
                    let path = entry.expect("entry").path();
                    let rel = path.strip_prefix(self.path()).expect("inside").to_string_lossy().replace('\\', "/");
                    if path.is_dir() {
                        if rel != "target" {
                            files.push((format!("{rel}/"), String::new()));
                            pending.push(path);
                        }
                    } else {
                        let text = std::fs::read_to_string(&path).unwrap_or_default();
                        files.push((rel, text));
                    }
                }
            }
            files.sort();
            files
        }

        /// The names of the `.sql` files in the migrations folder, sorted.
        pub fn revision_files(&self) -> Vec<String> {
            let Ok(entries) = std::fs::read_dir(self.migrations()) else {
                return Vec::new();
            };
            let mut names: Vec<String> =
                entries.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
            names.sort();
            names
        }

        /// A file of the package, as text.
        pub fn read(&self, rel: &str) -> String {
            std::fs::read_to_string(self.path().join(rel)).expect("read file")
        }
    }

    /// Writes `Cargo.toml` and `src/main.rs` for a package in `dir`.
    pub fn write_package(dir: &Path, name: &str, extra: &str) {
        std::fs::create_dir_all(dir.join("src")).expect("src");
        std::fs::write(
            dir.join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}"),
        )
        .expect("manifest");
        std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").expect("main.rs");
    }

    /// stdout and stderr as text.
    pub fn texts(output: &Output) -> (String, String) {
        (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

// ---------------------------------------------------------------------------------------
// The Alembic team workflow (seeds: "Resolving Merge Conflicts", branches and merges)
// ---------------------------------------------------------------------------------------

#[test]
fn team_workflow_branch_refuse_merge() {
    let project = TempProject::new("shop", "");
    let out = project.ok(&["init"]);
    assert_eq!(
        out,
        "Creating directory migrations ... done\n\
         Adding [package.metadata.migrate] to Cargo.toml ... done\n\
         Next: cargo migrate revision -m \"create account table\", then cargo migrate upgrade head\n"
    );
    assert!(
        project.read("Cargo.toml").ends_with(
            "edition = \"2021\"\n\n[package.metadata.migrate]\ndatabase_url = \"sqlite://dev.db?mode=rwc\"\n"
        ),
        "{}",
        project.read("Cargo.toml")
    );

    // Three revisions in a row.
    let out = project.ok(&["revision", "-m", "create account table", "--rev-id", "1975ea83b712"]);
    assert_eq!(out, "Generating migrations/1975ea83b712_create_account_table.sql ... done\n");
    assert_eq!(
        project.read("migrations/1975ea83b712_create_account_table.sql"),
        format!(
            "-- create account table\n--\n-- Revision ID: 1975ea83b712\n-- Revises: <base>\n\
             -- Create Date: {CREATE_DATE}\n\n-- migrate:up\n\n\n-- migrate:down\n\n"
        )
    );
    project.ok(&["revision", "-m", "add a column", "--rev-id", "ae1027a6acf"]);
    project.ok(&["revision", "-m", "add shopping cart table", "--rev-id", "27c6a30d7c24"]);
    assert!(project.read("migrations/27c6a30d7c24_add_shopping_cart_table.sql").contains("-- Revises: ae1027a6acf\n"));

    // Developer A adds a revision on the head; developer B's revision, on the same parent,
    // arrives with a pull.
    project.ok(&["revision", "-m", "add email column", "--rev-id", "4b7d2e9f1a36"]);
    project.write_revision("8d3f6a1c5e72", "27c6a30d7c24", "create roles", "");
    assert_eq!(project.ok(&["heads"]), "4b7d2e9f1a36 (head)\n8d3f6a1c5e72 (head)\n");
    assert_eq!(
        project.ok(&["branches"]),
        "27c6a30d7c24 (branchpoint)\n             -> 4b7d2e9f1a36 (head)\n             -> 8d3f6a1c5e72 (head)\n"
    );

    // A new revision must say which head it builds on.
    let error = project.fails(&["revision", "-m", "add phone column"]);
    assert!(
        error.starts_with(
            "error: the migrations have 2 heads: 4b7d2e9f1a36 (add email column), 8d3f6a1c5e72 (create roles)"
        ),
        "{error}"
    );
    assert!(error.contains("--head <rev>") && error.contains("cargo migrate merge heads -m"), "{error}");
    // Building on a revision that is not a head needs --splice.
    let error = project.fails(&["revision", "-m", "add phone column", "--head", "27c6"]);
    assert!(error.contains("27c6a30d7c24 (add shopping cart table) is not a head"), "{error}");
    assert!(error.contains("--splice"), "{error}");

    // Merge the heads: one head again.
    let out = project.ok(&["merge", "heads", "-m", "merge email and roles", "--rev-id", "5e9a0b4c7d21"]);
    assert_eq!(out, "Generating migrations/5e9a0b4c7d21_merge_email_and_roles.sql ... done\n");
    assert!(
        project
            .read("migrations/5e9a0b4c7d21_merge_email_and_roles.sql")
            .contains("-- Revises: 4b7d2e9f1a36, 8d3f6a1c5e72\n")
    );
    assert_eq!(project.ok(&["heads"]), "5e9a0b4c7d21 (head)\n");
    assert_eq!(
        project.ok(&["history"]),
        "(4b7d2e9f1a36, 8d3f6a1c5e72) -> 5e9a0b4c7d21 (head) (mergepoint), merge email and roles\n\
         27c6a30d7c24 -> 8d3f6a1c5e72, create roles\n\
         27c6a30d7c24 -> 4b7d2e9f1a36, add email column\n\
         ae1027a6acf -> 27c6a30d7c24 (branchpoint), add shopping cart table\n\
         1975ea83b712 -> ae1027a6acf, add a column\n\
         <base> -> 1975ea83b712, create account table\n"
    );
    assert_eq!(
        project.ok(&["graph"]),
        "* 5e9a0b4c7d21 (head) (mergepoint), merge email and roles\n\
         |\\\n\
         | * 8d3f6a1c5e72, create roles\n\
         * | 4b7d2e9f1a36, add email column\n\
         |/\n\
         * 27c6a30d7c24 (branchpoint), add shopping cart table\n\
         * ae1027a6acf, add a column\n\
         * 1975ea83b712, create account table\n"
    );
    // And the next revision builds on the merge without being told.
    project.ok(&["revision", "-m", "add phone column", "--rev-id", "c2e4a6f8b0d1"]);
    assert!(project.read("migrations/c2e4a6f8b0d1_add_phone_column.sql").contains("-- Revises: 5e9a0b4c7d21\n"));
}

#[test]
fn splice_starts_a_branch_and_warns_about_two_heads() {
    let project = TempProject::initialised("shop");
    project.ok(&["revision", "-m", "create account table", "--rev-id", "a1"]);
    project.ok(&["revision", "-m", "add a column", "--rev-id", "b2"]);
    let output = project.run(&["revision", "-m", "add cart", "--rev-id", "c3", "--head", "a1", "--splice"]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, "Generating migrations/c3_add_cart.sql ... done\n");
    assert!(
        stderr.starts_with("warning: the migrations now have 2 heads") && stderr.contains("cargo migrate merge heads"),
        "{stderr}"
    );
    assert_eq!(project.ok(&["heads"]), "b2 (head)\nc3 (head)\n");
    assert_eq!(
        project.ok(&["graph"]),
        "* c3 (head), add cart\n| * b2 (head), add a column\n|/\n* a1 (branchpoint), create account table\n"
    );
    // --head names a head: no --splice needed, and a prefix will do.
    project.ok(&["revision", "-m", "more cart", "--rev-id", "d4", "--head", "c", "-q"]);
    assert_eq!(project.ok(&["heads"]), "b2 (head)\nd4 (head)\n");
    // `merge` with explicit revisions.
    project.ok(&["merge", "b2", "d4", "-m", "join", "--rev-id", "e5", "-q"]);
    assert_eq!(project.ok(&["heads"]), "e5 (head)\n");
}

// ---------------------------------------------------------------------------------------
// Branch labels and Depends On across branches
// ---------------------------------------------------------------------------------------

#[test]
fn branch_labels_and_dependencies_across_branches() {
    let project = TempProject::new("net", "\n[package.metadata.migrate]\nmultiple_heads = true\n");
    std::fs::create_dir(project.migrations()).unwrap();
    project.ok(&["revision", "-m", "create account table", "--rev-id", "1975ea83b712", "--branch-label", "accounts"]);
    // A second root, labelled: with multiple_heads no warning is printed (ok() checks stderr).
    project.ok(&[
        "revision",
        "-m",
        "create networking branch",
        "--rev-id",
        "27c6a30d7c24",
        "--head",
        "base",
        "--branch-label",
        "networking",
    ]);
    project.ok(&["revision", "-m", "add a column", "--rev-id", "ae1027a6acf", "--head", "accounts@head"]);
    project.ok(&[
        "revision",
        "-m",
        "add ip table",
        "--rev-id",
        "3cac04ae8714",
        "--head",
        "networking@head",
        "--depends-on",
        "ae10",
    ]);
    project.ok(&[
        "revision",
        "-m",
        "audit",
        "--rev-id",
        "e7a9c1b3d5f2",
        "--head",
        "networking@head",
        "--depends-on",
        "accounts",
    ]);

    let ip = project.read("migrations/3cac04ae8714_add_ip_table.sql");
    assert!(ip.contains("-- Revises: 27c6a30d7c24\n-- Create Date"), "{ip}");
    assert!(ip.contains("-- Depends On: ae1027a6acf\n"), "a prefix is written as the full id: {ip}");
    let audit = project.read("migrations/e7a9c1b3d5f2_audit.sql");
    assert!(audit.contains("-- Depends On: accounts\n"), "a label stays a label: {audit}");
    let root = project.read("migrations/27c6a30d7c24_create_networking_branch.sql");
    assert!(root.contains("-- Revises: <base>\n") && root.contains("-- Branch Labels: networking\n"), "{root}");

    assert_eq!(project.ok(&["heads"]), "ae1027a6acf (accounts) (head)\ne7a9c1b3d5f2 (networking) (head)\n");
    assert_eq!(
        project.ok(&["history"]),
        "3cac04ae8714 (accounts) -> e7a9c1b3d5f2 (networking) (head), audit\n\
         27c6a30d7c24 (ae1027a6acf) -> 3cac04ae8714 (networking), add ip table\n\
         1975ea83b712 -> ae1027a6acf (accounts) (head), add a column\n\
         <base> -> 27c6a30d7c24 (networking), create networking branch\n\
         <base> -> 1975ea83b712 (accounts), create account table\n"
    );
    assert_eq!(
        project.ok(&["graph"]),
        "* e7a9c1b3d5f2 (networking) (head), audit\n\
         * 3cac04ae8714 (networking), add ip table\n\
         * 27c6a30d7c24 (networking), create networking branch\n\
         \n\
         * ae1027a6acf (accounts) (head), add a column\n\
         * 1975ea83b712 (accounts), create account table\n"
    );
    // A branch's revisions, its dependencies included (as Alembic walks them).
    assert_eq!(
        project.ok(&["history", "-r", "networking@base:networking@head"]),
        "3cac04ae8714 (accounts) -> e7a9c1b3d5f2 (networking) (head), audit\n\
         27c6a30d7c24 (ae1027a6acf) -> 3cac04ae8714 (networking), add ip table\n\
         1975ea83b712 -> ae1027a6acf (accounts) (head), add a column\n\
         <base> -> 27c6a30d7c24 (networking), create networking branch\n\
         <base> -> 1975ea83b712 (accounts), create account table\n"
    );
    assert_eq!(
        project.ok(&["show", "networking@head"]),
        format!(
            "Rev: e7a9c1b3d5f2 (head)\nParent: 3cac04ae8714\nAlso depends on: accounts\n\
             Branch names: networking\nPath: migrations/e7a9c1b3d5f2_audit.sql\n\n    audit\n\n\
             \x20   Revision ID: e7a9c1b3d5f2\n    Revises: 3cac04ae8714\n    Create Date: {CREATE_DATE}\n"
        )
    );

    // Several heads: a plain `revision` still refuses, and says how to name a branch.
    let error = project.fails(&["revision", "-m", "more"]);
    assert!(error.contains("<label>@head"), "{error}");
    // Labels must be new, valid, and not ids; dependencies must exist.
    let error = project.fails(&["revision", "-m", "x", "--head", "accounts@head", "--branch-label", "networking"]);
    assert!(error.contains("branch label `networking` is already declared by revision 27c6a30d7c24"), "{error}");
    let error = project.fails(&["revision", "-m", "x", "--head", "accounts@head", "--branch-label", "head"]);
    assert!(error.contains("reserved word"), "{error}");
    let error = project.fails(&["revision", "-m", "x", "--head", "accounts@head", "--branch-label", "1975ea83b712"]);
    assert!(error.contains("is also a revision id"), "{error}");
    let error = project.fails(&["revision", "-m", "x", "--head", "accounts@head", "--depends-on", "nothing"]);
    assert!(error.contains("no revision matches `nothing`"), "{error}");
    let error = project.fails(&["revision", "-m", "x", "--head", "nolabel@head"]);
    assert!(
        error.contains(
            "no branch is named `nolabel`: it is neither a branch label nor a revision; the labels are: accounts, networking"
        ),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------
// history -r, show
// ---------------------------------------------------------------------------------------

fn chain_of_four() -> TempProject {
    let project = TempProject::initialised("chain");
    for (id, message) in [("a1", "first"), ("b2", "second"), ("c3", "third"), ("d4", "fourth")] {
        project.ok(&["revision", "-m", message, "--rev-id", id, "-q"]);
    }
    project
}

#[test]
fn history_ranges() {
    let project = chain_of_four();
    let history = |range: &str| project.ok(&["history", "-r", range]);
    assert_eq!(history("b2:c3"), "b2 -> c3, third\na1 -> b2, second\n");
    assert_eq!(history("c3:"), "c3 -> d4 (head), fourth\nb2 -> c3, third\n");
    assert_eq!(history(":b2"), "a1 -> b2, second\n<base> -> a1, first\n");
    assert_eq!(history("head-1:head"), "c3 -> d4 (head), fourth\nb2 -> c3, third\n");
    assert_eq!(history("base:a1"), "<base> -> a1, first\n");
    assert_eq!(history("b:b"), "a1 -> b2, second\n");
    assert_eq!(project.ok(&["history", "--rev-range", ":"]).lines().count(), 4);

    let error = project.fails(&["history", "-r", "zz:"]);
    assert!(error.contains("no revision matches `zz`"), "{error}");
    let error = project.fails(&["history", "-r", "b2"]);
    assert!(error.contains("A:B"), "{error}");
    // `current` in a range reads the database (the config's sqlite URL here): nothing
    // applied means base, so the whole history.
    assert_eq!(project.ok(&["history", "-r", "current:"]).lines().count(), 4);
    let error = project.fails(&["history", "-r", "head-9:"]);
    assert!(error.contains("relative revision head-9 didn't produce 9 migrations"), "{error}");

    // -v: Alembic's verbose entries, newest first.
    assert_eq!(
        project.ok(&["history", "-r", "c3:", "--verbose"]),
        format!(
            "Rev: d4 (head)\nParent: c3\nPath: migrations/d4_fourth.sql\n\n    fourth\n\n    Revision ID: d4\n    Revises: c3\n    Create Date: {CREATE_DATE}\n\
             \nRev: c3\nParent: b2\nPath: migrations/c3_third.sql\n\n    third\n\n    Revision ID: c3\n    Revises: b2\n    Create Date: {CREATE_DATE}\n"
        )
    );
}

#[test]
fn the_header_cache_answers_like_the_files_and_sees_edits() {
    let project = chain_of_four();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str], cached: bool| {
        let mut cmd = project.cmd(args);
        cmd.env("CARGO_MIGRATE_CACHE_DIR", cache.path());
        if !cached {
            cmd.env("CARGO_MIGRATE_NO_CACHE", "1");
        }
        let output = cmd.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    // Only files unchanged for two seconds are cached (cargo_migrate::cache::SETTLE_TIME).
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let from_files = run(&["history", "--verbose"], false);
    assert_eq!(run(&["history", "--verbose"], true), from_files, "first run, writing the cache");
    let written: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
    assert_eq!(written.len(), 1, "one cache file for the folder");
    assert_eq!(run(&["history", "--verbose"], true), from_files, "served from the cache");
    for args in [&["heads"][..], &["branches"], &["show", "b2"], &["graph"], &["history", "--format", "json"]] {
        assert_eq!(run(args, true), run(args, false), "{args:?}");
    }

    // An in-place edit of the same size, with the modification time put back.
    let file = project.migrations().join("b2_second.sql");
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&file).unwrap().replacen("-- second", "-- SECOND", 1);
    std::fs::write(&file, text).unwrap();
    std::fs::File::options().write(true).open(&file).unwrap().set_modified(modified).unwrap();
    let history = run(&["history"], true);
    assert!(history.contains("a1 -> b2, SECOND"), "{history}");
    assert_eq!(history, run(&["history"], false));
}

#[test]
fn show_by_prefix_label_and_ambiguity() {
    let project = TempProject::initialised("lookup");
    project.ok(&["revision", "-m", "create account table", "--rev-id", "abc111", "--branch-label", "accounts", "-q"]);
    project.ok(&["revision", "-m", "add a column", "--rev-id", "abc222", "-q"]);
    let entry = |rev: &str| project.ok(&["show", rev]);
    let first = entry("abc1");
    assert!(first.starts_with("Rev: abc111 (branchpoint)") || first.starts_with("Rev: abc111\n"), "{first}");
    assert!(first.contains("Branch names: accounts\nPath: migrations/abc111_create_account_table.sql\n"), "{first}");
    assert_eq!(entry("accounts"), first, "a label names the revision declaring it");
    assert_eq!(entry("abc111"), first);
    assert!(entry("head").starts_with("Rev: abc222 (head)\nParent: abc111\n"));
    assert_eq!(entry("accounts@head"), entry("head"));
    assert_eq!(entry("head-1"), first);

    let error = project.fails(&["show", "abc"]);
    assert!(
        error.contains("`abc` is ambiguous: it starts abc111 (create account table), abc222 (add a column)"),
        "{error}"
    );
    let error = project.fails(&["show", "zzz"]);
    assert!(error.contains("no revision matches `zzz`"), "{error}");
    let error = project.fails(&["show", "base"]);
    assert!(error.contains("names no revision"), "{error}");
    let error = project.fails(&["show", "+1"]);
    assert!(error.contains("database"), "{error}");
}

#[test]
fn descriptions_labels_and_no_transaction_are_written() {
    let project = TempProject::initialised("details");
    project.ok(&[
        "revision",
        "-m",
        "create index concurrently\n\nRuns outside a transaction.",
        "--rev-id",
        "a1",
        "--no-transaction",
        "--branch-label",
        "core,main",
    ]);
    let text = project.read("migrations/a1_create_index_concurrently.sql");
    assert_eq!(
        text,
        format!(
            "-- create index concurrently\n--\n-- Runs outside a transaction.\n--\n-- Revision ID: a1\n\
             -- Revises: <base>\n-- Create Date: {CREATE_DATE}\n-- Branch Labels: core, main\n\
             -- Transactional: false\n\n-- migrate:up\n\n\n-- migrate:down\n\n"
        )
    );
    let show = project.ok(&["show", "a1"]);
    assert!(
        show.contains("\n    create index concurrently\n\n    Runs outside a transaction.\n\n    Revision ID: a1\n"),
        "{show}"
    );
}

#[test]
fn file_template_with_dates_and_subfolders() {
    let project = TempProject::new(
        "dated",
        "\n[package.metadata.migrate]\nfile_template = \"{year}/{month}{day}_{hour}{minute}{second}_{rev}_{slug}\"\n",
    );
    std::fs::create_dir(project.migrations()).unwrap();
    let out = project.ok(&["revision", "-m", "create table", "--rev-id", "a1"]);
    assert_eq!(out, "Generating migrations/2026/1223_095959_a1_create_table.sql ... done\n");
    project.ok(&["revision", "-m", "second", "--rev-id", "b2", "-q"]);
    assert_eq!(project.ok(&["heads"]), "b2 (head)\n");
}

// ---------------------------------------------------------------------------------------
// Bad input: exit 2, one clear error, nothing written
// ---------------------------------------------------------------------------------------

#[test]
fn bad_revision_arguments_write_nothing() {
    let project = chain_of_four();
    let cases: &[(&[&str], &str)] = &[
        (&["revision", "-m", "x", "--head", "nope"], "no revision matches `nope`"),
        (&["revision", "-m", "x", "--head", "b2"], "revision b2 (second) is not a head"),
        (&["revision", "-m", "x", "--head", "heads"], "`--head heads` names several revisions"),
        (&["revision", "-m", "x", "--head", "current"], "database"),
        (&["revision", "-m", "x", "--rev-id", "c3"], "revision id c3 already exists (migrations/c3_third.sql)"),
        (&["revision", "-m", "x", "--rev-id", "not-an-id"], "revision id `not-an-id` is not valid"),
        (&["revision", "-m", "x", "--rev-id", "head"], "reserved word"),
        (&["revision", "-m", "x", "--rev-id", &"a".repeat(33)], "is not valid"),
        (&["revision", "-m", "添加用户表"], "has no ASCII letters or digits"),
        (&["revision", "-m", "   "], "the message is empty"),
        (&["revision", "-m", "Revises: a1"], "cannot be written into a revision header"),
        (&["revision", "-m", "x", "--branch-label", "bad label"], "is not valid"),
        (&["revision", "-m", "x", "--branch-label", "l1,l1"], "given twice"),
        (&["merge", "heads", "-m", "x"], "nothing to merge"),
        (&["merge", "c3", "d4", "-m", "x"], "revision c3 (third) is not a head"),
        (&["merge", "d4", "d4", "-m", "x"], "named twice"),
        (&["revision"], "--message <MSG>"),
        (&["revision", "-m", "x", "--bogus"], "--bogus"),
        (&["heads", "--format", "dot"], "only for `cargo migrate graph`"),
        (&["history", "--format", "yaml"], "yaml"),
    ];
    for (args, expected) in cases {
        let error = project.fails(args);
        assert!(error.contains(expected), "{args:?}: expected {expected:?} in:\n{error}");
    }
    let error = project.fails(&["revision", "-m", "添加用户表"]);
    assert!(error.contains("hint: write the message in ASCII"), "{error}");
    assert_eq!(project.revision_files().len(), 4);
}

#[test]
fn bad_file_template_names_the_key_and_the_file() {
    let project = TempProject::new("tpl", "\n[package.metadata.migrate]\nfile_template = \"{rev}_{title}\"\n");
    std::fs::create_dir(project.migrations()).unwrap();
    let error = project.fails(&["revision", "-m", "x"]);
    assert!(
        error.contains(
            "Cargo.toml: [package.metadata.migrate] file_template = \"{rev}_{title}\": unknown placeholder `{title}`"
        ),
        "{error}"
    );
}

#[test]
fn bad_config_names_the_key_and_the_file() {
    let project = TempProject::new("cfg", "\n[package.metadata.migrate]\ndirectory = \"db\"\n");
    let error = project.fails(&["heads"]);
    assert!(error.contains("Cargo.toml") && error.contains("directory"), "{error}");
    let error = project.fails(&["revision", "-m", "x"]);
    assert!(error.contains("directory"), "{error}");

    let project = TempProject::new("cfg", "\n[package.metadata.migrate]\nmultiple_heads = \"yes\"\n");
    let error = project.fails(&["history"]);
    assert!(error.contains("Cargo.toml") && error.contains("multiple_heads"), "{error}");
}

/// TOML's messages quote the offending line; with a `database_url` there, the password
/// was printed. Every such message now names the line and key without quoting it, from
/// the config, from a manifest that is not TOML, from `init`, and from `cargo metadata`
/// reading another member of the workspace.
#[test]
fn config_errors_never_print_the_password() {
    let cases = [
        (
            "database_url = [\"postgres://app:hunter2@db/prod\"]\n",
            &["heads"][..],
            "[package.metadata.migrate] is invalid: line 7, column 16, key `database_url`: invalid type: sequence, expected a string",
        ),
        (
            "database_url = \"postgres://app:hunter2@db/prod\n",
            &["heads"],
            "is not valid TOML: line 7, column 47, key `database_url`: invalid basic string",
        ),
        (
            "database_url = \"postgres://app:hunter2@db/prod\n",
            &["init"],
            "is not valid TOML: line 7, column 47, key `database_url`: invalid basic string",
        ),
        (
            "lock = \"postgres://app:hunter2@db/prod\"\n",
            &["upgrade", "head"],
            "line 7, column 8, key `lock`: unknown variant `postgres://app:***@db/prod`, expected one of `advisory`, `table`, `file`",
        ),
    ];
    for (config, args, expected) in cases {
        let project = TempProject::new("secret", &format!("\n[package.metadata.migrate]\n{config}"));
        let error = project.fails(args);
        assert!(!error.contains("hunter2"), "{args:?}: {error}");
        assert!(error.contains(expected), "{args:?}: {error}");
    }

    // A workspace whose member's manifest is broken: `cargo metadata` reports it.
    let project = TempProject::new("root", "");
    std::fs::write(project.path().join("Cargo.toml"), "[workspace]\nmembers = [\"app\"]\n").unwrap();
    write_package(
        &project.path().join("app"),
        "app",
        "\n[package.metadata.migrate]\ndatabase_url = \"postgres://app:hunter2@db/prod\n",
    );
    let error = project.fails(&["-p", "app", "heads"]);
    assert!(!error.contains("hunter2"), "{error}");
    assert!(error.contains("cannot read the workspace of") && error.contains("app/Cargo.toml:7:47"), "{error}");
}

#[test]
fn init_refuses_existing_folder_or_table() {
    // The folder exists.
    let project = TempProject::new("existing", "");
    std::fs::create_dir(project.migrations()).unwrap();
    let error = project.fails(&["init"]);
    assert!(error.contains("migrations already exists; nothing was written"), "{error}");

    // The table exists.
    let project = TempProject::new("configured", "\n[package.metadata.migrate]\ndir = \"db\"\n");
    let error = project.fails(&["init"]);
    assert!(error.contains("Cargo.toml already has [package.metadata.migrate]"), "{error}");

    // A second init after a first one.
    let project = TempProject::initialised("twice");
    project.fails(&["init"]);
    project.fails(&["init", "other"]);
}

#[test]
fn init_with_a_folder_writes_dir_and_keeps_the_manifest() {
    let project = TempProject::new("custom", "\n# keep this comment\n[dependencies]\n");
    let before = project.read("Cargo.toml");
    let out = project.ok(&["init", "db/migrations"]);
    assert!(out.starts_with("Creating directory db/migrations ... done\n"), "{out}");
    assert!(project.path().join("db/migrations").is_dir());
    assert_eq!(
        project.read("Cargo.toml"),
        format!(
            "{before}\n[package.metadata.migrate]\ndatabase_url = \"sqlite://dev.db?mode=rwc\"\ndir = \"db/migrations\"\n"
        )
    );
    project.ok(&["revision", "-m", "first", "--rev-id", "a1", "-q"]);
    assert!(project.path().join("db/migrations/a1_first.sql").is_file());
    assert_eq!(project.ok(&["heads"]), "a1 (head)\n");
}

#[test]
fn missing_folder_and_broken_files_are_reported() {
    let project = TempProject::new("bare", "");
    let error = project.fails(&["heads"]);
    assert!(error.contains("does not exist") && error.contains("cargo migrate init"), "{error}");

    let project = TempProject::initialised("empty");
    assert_eq!(project.ok(&["heads"]), "");
    assert_eq!(project.ok(&["history"]), "");
    assert_eq!(project.ok(&["graph"]), "");
    let error = project.fails(&["show", "head"]);
    assert!(error.contains("there are no revisions in migrations yet"), "{error}");

    let project = TempProject::initialised("broken");
    project.write_revision("a1", "<base>", "first", "");
    project.write_revision("b2", "zz9", "second", "");
    std::fs::write(project.migrations().join("c3_bad.sql"), "-- bad\n-- Revision ID: c3\n").unwrap();
    let error = project.fails(&["history"]);
    assert!(error.contains("the migrations have 2 problems"), "{error}");
    assert!(error.contains("b2_second.sql:4: revision b2 revises zz9, which does not exist"), "{error}");
    assert!(error.contains("c3_bad.sql"), "{error}");
    project.fails(&["revision", "-m", "x"]);
}

/// `--sql` ranges that go the wrong way are refused (exit 2, nothing printed), upgrade and
/// downgrade alike; a range that stays put prints an empty script.
#[test]
fn backwards_sql_ranges_are_refused() {
    let project = chain_of_four();
    let error = project.fails(&["upgrade", "head:base", "--sql"]);
    assert_eq!(
        error,
        "error: `upgrade head:base --sql` goes backwards: base is below head, and an upgrade only goes up; use `cargo migrate downgrade head:base --sql` for the script that takes head down to base\n"
    );
    let error = project.fails(&["upgrade", "c3:a1", "--sql"]);
    assert!(error.contains("`upgrade c3:a1 --sql` goes backwards: a1 is below c3"), "{error}");
    let error = project.fails(&["downgrade", "base:head", "--sql"]);
    assert!(error.contains("cannot downgrade to d4 (fourth): it is not applied"), "{error}");
    let script = project.ok(&["upgrade", "b2:b2", "--sql"]);
    assert!(!script.contains("Running"), "{script}");
    // The right way round, each works.
    assert_eq!(project.ok(&["upgrade", "base:head", "--sql"]).matches("-- Running upgrade").count(), 4);
    assert_eq!(project.ok(&["downgrade", "head:base", "--sql"]).matches("-- Running downgrade").count(), 4);
}

/// Links that loop, a FIFO, a link to `/dev/zero` and a huge file in the migrations folder
/// used to hang or exhaust memory: now every command lists them as problems at once
/// (exit 2, nothing written), promptly.
#[cfg(unix)]
#[test]
fn links_fifos_devices_and_huge_files_are_problems_not_hangs() {
    let project = TempProject::initialised("hostile");
    project.write_revision("a1", "<base>", "first", "");
    let dir = project.migrations();
    std::os::unix::fs::symlink(".", dir.join("loop")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("loop2")).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(dir.join("fifo.sql")).status().unwrap().success());
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.sql")).unwrap();
    std::fs::File::create(dir.join("big.sql")).unwrap().set_len(64 * 1024 * 1024 + 1).unwrap();
    let expected = "error: the migrations have 5 problems:\n\
        - migrations/big.sql: migrations/big.sql is larger than 64 MiB, the most a revision file may hold [file-too-large]\n    \
        hint: split it into several revisions, or load bulk data another way (`COPY`, `LOAD DATA`, a script run beside the migration)\n\
        - migrations/fifo.sql: migrations/fifo.sql is a FIFO (named pipe), not a regular file [not-a-file]\n    \
        hint: a revision file must be a regular file (or a link to one): replace it with one, or remove it\n\
        - migrations/loop: migrations/loop is a link to migrations, a folder that contains it; it was not followed [symlink-loop]\n    \
        hint: remove the link: every revision file under the migrations folder is found without it\n\
        - migrations/loop2: migrations/loop2 is a link to migrations, a folder that contains it; it was not followed [symlink-loop]\n    \
        hint: remove the link: every revision file under the migrations folder is found without it\n\
        - migrations/zero.sql: migrations/zero.sql is a link to a character device, not a regular file [not-a-file]\n    \
        hint: a revision file must be a regular file (or a link to one): replace it with one, or remove it\n";
    let before = project.revision_files();
    for args in [
        &["heads"][..],
        &["history"],
        &["graph"],
        &["show", "a1"],
        &["revision", "-m", "x"],
        &["merge", "heads", "-m", "x"],
    ] {
        let output = project.cmd(args).timeout(std::time::Duration::from_secs(30)).output().unwrap();
        let (stdout, stderr) = texts(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?} (killed after 30 s if None): {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert_eq!(stderr, expected, "{args:?}");
    }
    let output = project.cmd(&["check"]).timeout(std::time::Duration::from_secs(30)).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", texts(&output).1);
    assert!(texts(&output).1.contains("the migrations have 5 problems"), "{}", texts(&output).1);
    assert_eq!(project.revision_files(), before, "nothing written");
}

/// A migrations path that names a file is said to be one, not "does not exist".
#[test]
fn a_file_where_the_migrations_folder_should_be() {
    let project = TempProject::new("filedir", "\n[package.metadata.migrate]\ndir = \"schema.sql\"\n");
    std::fs::write(project.path().join("schema.sql"), "CREATE TABLE t (x INT);\n").unwrap();
    let folder = project.path().join("schema.sql");
    for args in [&["heads"][..], &["history"], &["revision", "-m", "x"], &["upgrade", "head", "--sql"]] {
        let error = project.fails(args);
        assert_eq!(
            error,
            format!(
                "error: migrations folder {} is a file, not a folder; set `dir` in [package.metadata.migrate] (or pass --dir) to the folder that holds the revision files\n",
                folder.display()
            ),
            "{args:?}"
        );
    }
    let error = project.fails(&["heads", "--dir", "src/main.rs"]);
    assert!(error.contains("main.rs is a file, not a folder"), "{error}");
}

/// A message or a file name holding terminal escape codes was printed raw by `history`
/// and the others: every text output now shows control characters escaped (JSON escapes
/// them its own way), and nothing of the file is lost.
#[test]
fn control_characters_in_messages_and_names_are_escaped() {
    let project = TempProject::initialised("escapes");
    project.write_revision("a1", "<base>", "first", "");
    let evil = "-- clear\x1b[2J\x1b]0;owned\x07 and \u{202e}reversed\n--\n-- a \x1b[31mred\x1b[0m description\n--\n\
                -- Revision ID: b2\n-- Revises: a1\n\n-- migrate:up\nSELECT 1;\n";
    std::fs::write(project.migrations().join("b2_\x1b[1mbold.sql"), evil).unwrap();
    project.write_revision("c3", "a1", "third", "-- Branch Labels: side");
    let shown = "clear\\u{1b}[2J\\u{1b}]0;owned\\u{7} and \\u{202e}reversed";
    for args in [
        &["history"][..],
        &["history", "-v"],
        &["heads", "-v"],
        &["show", "b2"],
        &["branches", "-v"],
        &["graph"],
        &["graph", "--format", "dot"],
        &["graph", "--format", "mermaid"],
    ] {
        let out = project.ok(args);
        assert!(!out.contains('\x1b') && !out.contains('\x07') && !out.contains('\u{202e}'), "{args:?}: {out:?}");
        assert!(out.contains(shown) || args[0] == "graph" && args.len() > 1, "{args:?}: {out}");
    }
    assert!(project.ok(&["history"]).contains(&format!("a1 -> b2 (head), {shown}\n")));
    let show = project.ok(&["show", "b2"]);
    assert!(show.contains("Path: migrations/b2_\\u{1b}[1mbold.sql\n"), "{show}");
    assert!(show.contains("    a \\u{1b}[31mred\\u{1b}[0m description\n"), "{show}");
    // JSON keeps the text, escaped by JSON's rules.
    let json = project.ok(&["show", "b2", "--format", "json"]);
    assert!(json.contains("\"message\": \"clear\\u001b[2J\\u001b]0;owned\\u0007 and \u{202e}reversed\""), "{json}");
    // Errors too: an unknown target naming the message.
    let error = project.fails(&["upgrade", "b", "--sql"]);
    assert!(!error.contains('\x1b') && error.contains(shown), "{error}");
}

/// Ten `revision` commands started at once in one package used to make three to five
/// heads (each read the folder before another wrote): they now take turns, making a chain.
/// Five `merge heads` at once make one merge; the others find one head and refuse.
#[test]
fn concurrent_revisions_and_merges_take_turns() {
    let project = TempProject::initialised("busy");
    project.write_revision("a1", "<base>", "first", "");
    let spawn = |args: Vec<String>| {
        let mut cmd = std::process::Command::new(bin());
        cmd.current_dir(project.path())
            .args(&args)
            .env("CARGO_MIGRATE_NO_CACHE", "1")
            .env_remove("DATABASE_URL")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let children: Vec<_> = (0..10).map(|i| spawn(vec!["revision".into(), "-m".into(), format!("step {i}")])).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", texts(&out).1);
    }
    assert_eq!(project.revision_files().len(), 11);
    let heads = project.ok(&["heads"]);
    assert_eq!(heads.lines().count(), 1, "one chain, one head:\n{heads}");
    assert_eq!(project.ok(&["history"]).lines().count(), 11);

    // Two heads, five merges at once: one merge revision, four refusals.
    project.write_revision("x1", "a1", "side", "");
    let children: Vec<_> =
        (0..5).map(|i| spawn(vec!["merge".into(), "heads".into(), "-m".into(), format!("merge {i}")])).collect();
    let mut merged = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        match out.status.code() {
            Some(0) => merged += 1,
            Some(2) => assert!(texts(&out).1.contains("nothing to merge"), "{}", texts(&out).1),
            other => panic!("merge exited with {other:?}: {}", texts(&out).1),
        }
    }
    assert_eq!(merged, 1);
    assert_eq!(project.ok(&["heads"]).lines().count(), 1);
    // Nothing was left in the migrations folder but revisions.
    assert!(project.revision_files().iter().all(|f| f.ends_with(".sql")), "{:?}", project.revision_files());
}

/// A loop that runs through `Depends On` points at that line, not at `Revises`.
#[test]
fn a_cycle_through_a_dependency_points_at_depends_on() {
    let project = TempProject::initialised("loop");
    project.write_revision("a1", "<base>", "first", "-- Depends On: b2");
    project.write_revision("b2", "a1", "second", "");
    for args in [&["heads"][..], &["history"], &["revision", "-m", "x"]] {
        let error = project.fails(args);
        assert_eq!(
            error,
            "error: the migrations have 1 problem:\n\
             - migrations/a1_first.sql:6: cycle: a1 depends on b2, b2 revises a1 [cycle]\n    \
             also: migrations/b2_second.sql:4\n    \
             hint: a revision must come after what it revises and depends on; fix `Revises` or `Depends On` on one of these lines so the loop is broken\n",
            "{args:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Packages: --manifest-path, -p, workspaces
// ---------------------------------------------------------------------------------------

#[test]
fn packages_are_found_like_cargo() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("Cargo.toml"), "[workspace]\nmembers = [\"app\", \"tools\"]\nresolver = \"2\"\n")
        .unwrap();
    write_package(&root.path().join("app"), "app", "");
    write_package(&root.path().join("tools"), "tools", "");
    let run = |dir: &std::path::Path, args: &[&str]| {
        assert_cmd::Command::new(bin())
            .current_dir(dir)
            .args(args)
            .env("SOURCE_DATE_EPOCH", "1798019999")
            .output()
            .unwrap()
    };

    // -p chooses a member from the workspace root.
    let output = run(root.path(), &["-p", "tools", "init"]);
    assert!(output.status.success(), "{}", texts(&output).1);
    assert!(root.path().join("tools/migrations").is_dir());
    let output = run(root.path(), &["revision", "-p", "tools", "-m", "first", "--rev-id", "a1"]);
    assert_eq!(texts(&output).0, "Generating tools/migrations/a1_first.sql ... done\n");

    // Inside a member, that member; a subfolder works too.
    let output = run(&root.path().join("tools/src"), &["heads"]);
    assert_eq!(texts(&output).0, "a1 (head)\n");

    // --manifest-path from anywhere; paths are then shown in full.
    let output = run(root.path(), &["--manifest-path", "tools/Cargo.toml", "history", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json[0]["path"], "tools/migrations/a1_first.sql");

    // An unknown package lists the workspace's packages.
    let output = run(root.path(), &["-p", "nothere", "heads"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout, "");
    assert!(stderr.starts_with("error: package `nothere` is not in the workspace"), "{stderr}");
    assert!(stderr.contains("hint: the packages are: app, tools"), "{stderr}");

    // The workspace root is no package: say so and list them.
    let output = run(root.path(), &["heads"]);
    let stderr = texts(&output).1;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("virtual workspace manifest") && stderr.contains("app, tools"), "{stderr}");

    // --dir overrides the folder (relative to the current directory).
    let output = run(&root.path().join("app"), &["--dir", "../tools/migrations", "heads"]);
    assert_eq!(texts(&output).0, "a1 (head)\n");

    // No Cargo.toml at all.
    let empty = tempfile::tempdir().unwrap();
    let output = run(empty.path(), &["heads"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(texts(&output).1.contains("could not find `Cargo.toml`"));
}

// ---------------------------------------------------------------------------------------
// JSON, DOT, Mermaid
// ---------------------------------------------------------------------------------------

fn json(project: &TempProject, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&project.ok(&all)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn json_output_has_the_documented_fields() {
    let project = TempProject::initialised("json");
    project.ok(&["revision", "-m", "first", "--rev-id", "a1", "--branch-label", "core", "-q"]);
    project.ok(&["revision", "-m", "left", "--rev-id", "b2", "-q"]);
    project.ok(&["revision", "-m", "right", "--rev-id", "c3", "--head", "a1", "--splice", "--depends-on", "b2", "-q"]);
    project.ok(&["merge", "heads", "-m", "join", "--rev-id", "d4", "-q"]);

    let history = json(&project, &["history"]);
    let ids: Vec<&str> = history.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["d4", "c3", "b2", "a1"]);
    let d4 = &history[0];
    for field in [
        "id",
        "message",
        "description",
        "parents",
        "children",
        "depends_on",
        "branch_labels",
        "branches",
        "create_date",
        "transactional",
        "path",
        "is_head",
        "is_base",
        "is_branch_point",
        "is_merge_point",
    ] {
        assert!(d4.get(field).is_some(), "missing {field} in {d4}");
    }
    assert_eq!(d4["parents"], serde_json::json!(["b2", "c3"]));
    assert_eq!(d4["is_head"], true);
    assert_eq!(d4["is_merge_point"], true);
    assert_eq!(d4["message"], "join");
    assert_eq!(d4["path"], "migrations/d4_join.sql");
    assert_eq!(d4["create_date"], CREATE_DATE);
    let c3 = &history[1];
    assert_eq!(c3["depends_on"], serde_json::json!(["b2"]));
    let a1 = &history[3];
    assert_eq!(a1["branch_labels"], serde_json::json!(["core"]));
    assert_eq!(a1["children"], serde_json::json!(["b2", "c3"]));
    assert_eq!(a1["is_branch_point"], true);
    assert_eq!(a1["is_base"], true);
    // A label covers its revision's descendants (as Alembic propagates it); b2 declares none.
    assert_eq!(history[2]["branches"], serde_json::json!(["core"]));
    assert_eq!(history[2]["branch_labels"], serde_json::json!([]));

    let heads = json(&project, &["heads"]);
    assert_eq!(heads.as_array().unwrap().len(), 1);
    assert_eq!(heads[0]["id"], "d4");
    let branches = json(&project, &["branches"]);
    assert_eq!(branches[0]["id"], "a1");
    let show = json(&project, &["show", "core"]);
    assert_eq!(show[0]["id"], "a1");
    let ranged = json(&project, &["history", "-r", "b2:"]);
    assert_eq!(ranged.as_array().unwrap().len(), 3, "b2, c3 (depends on b2) and d4");

    let graph = json(&project, &["graph"]);
    assert_eq!(graph["heads"], serde_json::json!(["d4"]));
    assert_eq!(graph["bases"], serde_json::json!(["a1"]));
    assert_eq!(graph["revisions"].as_array().unwrap().len(), 4);
    let edges = graph["edges"].as_array().unwrap();
    assert!(edges.contains(&serde_json::json!({"from": "a1", "to": "b2", "kind": "revises"})));
    assert!(edges.contains(&serde_json::json!({"from": "b2", "to": "c3", "kind": "depends_on"})));
    assert_eq!(edges.len(), 5);

    let created = json(&project, &["revision", "-m", "after", "--rev-id", "e5"]);
    assert_eq!(
        created,
        serde_json::json!({"id": "e5", "path": "migrations/e5_after.sql", "message": "after",
            "parents": ["d4"], "branch_labels": [], "depends_on": []})
    );
    let other = TempProject::new("init_json", "");
    let init = json(&other, &["init"]);
    assert_eq!(
        init,
        serde_json::json!({"dir": "migrations", "manifest": "Cargo.toml", "database_url": "sqlite://dev.db?mode=rwc"})
    );
}

#[test]
fn graph_as_dot_and_mermaid() {
    let project = TempProject::initialised("drawn");
    project.ok(&["revision", "-m", "say \"hi\"", "--rev-id", "a1", "-q"]);
    project.ok(&["revision", "-m", "b", "--rev-id", "b2", "--branch-label", "side", "-q"]);
    project.ok(&["revision", "-m", "c", "--rev-id", "c3", "--depends-on", "a1", "-q"]);
    assert_eq!(
        project.ok(&["graph", "--format", "dot"]),
        "digraph migrations {\n    rankdir=BT;\n    node [shape=box, fontname=\"monospace\"];\n\
         \x20   \"a1\" [label=\"a1 (side)\\nsay \\\"hi\\\"\"];\n\
         \x20   \"b2\" [label=\"b2 (side)\\nb\"];\n\
         \x20   \"c3\" [label=\"c3 (side)\\nc\", peripheries=2];\n\
         \x20   \"a1\" -> \"b2\";\n\
         \x20   \"b2\" -> \"c3\";\n\
         \x20   \"a1\" -> \"c3\" [style=dashed, label=\"depends on\"];\n}\n"
    );
    assert_eq!(
        project.ok(&["graph", "--format", "mermaid"]),
        "flowchart BT\n\
         \x20   r_a1[\"a1 (side)<br/>say #quot;hi#quot;\"]\n\
         \x20   r_b2[\"b2 (side)<br/>b\"]\n\
         \x20   r_c3[\"c3 (side)<br/>c\"]\n\
         \x20   r_a1 --> r_b2\n\
         \x20   r_b2 --> r_c3\n\
         \x20   r_a1 -.->|depends on| r_c3\n\
         \x20   classDef head stroke-width:3px\n\
         \x20   class r_c3 head\n"
    );
    assert_eq!(project.ok(&["graph"]), "* c3 (side) (head), c\n* b2 (side), b\n* a1 (side), say \"hi\"\n");
}

// ---------------------------------------------------------------------------------------
// The command line itself
// ---------------------------------------------------------------------------------------

#[test]
fn help_for_every_command() {
    let project = TempProject::new("help", "");
    let top = project.ok(&["--help"]);
    for command in ["init", "revision", "merge", "heads", "branches", "show", "history", "graph", "lint", "completions"]
    {
        assert!(top.contains(&format!("  {command} ")), "{command} missing from:\n{top}");
        let help = project.ok(&[command, "--help"]);
        assert!(help.contains(&format!("Usage: cargo migrate {command}")), "{command}:\n{help}");
        for global in ["--manifest-path", "--package", "--dir", "--database-url", "--format", "--quiet"] {
            assert!(help.contains(global), "{command} --help lacks {global}");
        }
    }
    let help = project.ok(&["revision", "--help"]);
    for option in ["--message", "--head", "--splice", "--branch-label", "--depends-on", "--rev-id", "--no-transaction"]
    {
        assert!(help.contains(option), "revision --help lacks {option}");
    }
    assert!(project.ok(&["history", "--help"]).contains("--rev-range"));
    assert!(top.contains("Exit codes: 0 ok, 1 check failed, 2 usage"));
    // No command at all: help, on stderr, exit 2.
    let output = project.run(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(texts(&output).1.contains("Usage: cargo migrate"));
}

#[test]
fn runs_as_a_cargo_subcommand() {
    let project = chain_of_four();
    let direct = project.ok(&["heads"]);
    assert_eq!(direct, "d4 (head)\n");
    // Cargo runs `cargo-migrate migrate heads`.
    assert_eq!(project.ok(&["migrate", "heads"]), direct);
    assert_eq!(project.ok(&["migrate", "history", "-r", "c3:"]), project.ok(&["history", "-r", "c3:"]));

    // Through Cargo itself, with the binary on PATH.
    let bin_dir = std::path::Path::new(bin()).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args(["migrate", "heads"])
        .current_dir(project.path())
        .env("PATH", path)
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, direct);
}

#[test]
fn completions_for_each_shell() {
    let project = TempProject::new("complete", "");
    for shell in ["bash", "zsh", "fish"] {
        let script = project.ok(&["completions", shell]);
        assert!(script.contains("cargo-migrate") && script.contains("revision"), "{shell}");
    }
    project.fails(&["completions", "tcsh"]);
}

#[test]
fn quiet_and_plain_output() {
    let project = TempProject::initialised("quiet");
    assert_eq!(project.ok(&["revision", "-m", "a", "--rev-id", "a1", "-q"]), "");
    // Not a terminal: no colour codes anywhere.
    let out = project.ok(&["history", "-v"]);
    assert!(!out.contains('\x1b'), "{out:?}");
    // -q and -v conflict.
    project.fails(&["heads", "-q", "-v"]);
}
