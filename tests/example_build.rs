//! The example application's `cargo build` fails when a developer adds a revision that
//! makes a second head, and passes again after `cargo migrate merge heads`.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use support::{copy_example, nested_target_dir, write_files};

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn cargo_build(dir: &Path) -> Output {
    Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", nested_target_dir())
        .output()
        .expect("cargo runs")
}

#[test]
fn second_head_breaks_the_build_until_merged() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    copy_example(dir, "todo-merge", true);
    let built = cargo_build(dir);
    assert!(built.status.success(), "{}", text(&built));

    // Two developers each add a revision on top of the same head.
    let revision = |id: &str, message: &str, sql: &str| {
        format!(
            "-- {message}\n--\n-- Revision ID: {id}\n-- Revises: 6f708192a3b4\n\n-- migrate:up\n{sql}\n\n-- migrate:down\nSELECT 1;\n"
        )
    };
    write_files(
        dir,
        &[
            (
                "migrations/aaaaaaaaaaaa_add_due_date.sql",
                &revision("aaaaaaaaaaaa", "add due date", "ALTER TABLE todo ADD COLUMN due VARCHAR(32);"),
            ),
            (
                "migrations/bbbbbbbbbbbb_add_owner.sql",
                &revision("bbbbbbbbbbbb", "add owner", "ALTER TABLE todo ADD COLUMN owner VARCHAR(50);"),
            ),
        ],
    );
    let broken = cargo_build(dir);
    assert!(!broken.status.success(), "two heads must fail the build");
    let message = text(&broken);
    assert!(
        message.contains("2 heads: aaaaaaaaaaaa (add due date), bbbbbbbbbbbb (add owner) [multiple-heads]"),
        "{message}"
    );
    assert!(
        message.contains("migrations/aaaaaaaaaaaa_add_due_date.sql") && message.contains("cargo migrate merge heads"),
        "{message}"
    );

    let merge = Command::new(env!("CARGO_BIN_EXE_cargo-migrate"))
        .args(["merge", "heads", "-m", "merge due date and owner", "--rev-id", "cccccccccccc"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(merge.status.success(), "{}", text(&merge));
    let merged = std::fs::read_to_string(dir.join("migrations/cccccccccccc_merge_due_date_and_owner.sql")).unwrap();
    assert!(merged.contains("-- Revises: aaaaaaaaaaaa, bbbbbbbbbbbb"), "{merged}");
    let fixed = cargo_build(dir);
    assert!(fixed.status.success(), "{}", text(&fixed));
}
