//! Checks the migration chain at compile time and embeds it (see `build-support`).
use build_support::ResultExt;

fn main() {
    build_support::embed_migrations().unwrap_or_exit();
}
