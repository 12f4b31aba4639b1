#!/usr/bin/env bash
# How much a release binary grows per KiB of SQL it embeds: builds copies of the example
# with extra revisions totalling 0, 256 and 1024 KiB of SQL and compares their sizes.
#   bash examples/todo/benches/embed_size.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$root/target/e2e"

variant() { # $1 = KiB of extra SQL
  local dir="$work/size_$1"
  mkdir -p "$dir/src" "$dir/migrations"
  cp "$root/examples/todo/src/main.rs" "$dir/src/"
  cp "$root/examples/todo/build.rs" "$dir/"
  cp "$root/examples/todo/migrations/"*.sql "$dir/migrations/"
  cp "$root/Cargo.lock" "$dir/"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "todo-size-$1"
version = "0.1.0"
edition = "2024"
[workspace]
[package.metadata.migrate]
database_url = "sqlite://todo.db?mode=rwc"
[dependencies]
migrate-embed = { path = "$root/migrate-embed" }
tokio = { version = "1", features = ["rt", "macros", "time", "rt-multi-thread"] }
sqlx = { version = "0.8", default-features = false, features = ["runtime-tokio", "sqlite", "postgres", "mysql", "any"] }
clap = { version = "4.5", features = ["derive", "env", "wrap_help"] }
anyhow = "1"
[build-dependencies]
build-support = { path = "$root/build-support" }
TOML
  # Each extra revision carries 4 KiB of INSERTs.
  python3 - "$dir/migrations" "$1" <<'PY'
import sys
folder, kib = sys.argv[1], int(sys.argv[2])
parent = "6f708192a3b4"
for i in range(kib // 4):
    rid = "e%011x" % i
    rows = []
    size = 0
    n = 0
    while size < 4096:
        row = f"INSERT INTO tag (id, name) VALUES ({1000 + i * 100 + n}, 'tag {i} {n} padding padding padding');\n"
        rows.append(row); size += len(row); n += 1
    up = "".join(rows)[:4096]
    up = up[: up.rfind("\n") + 1]
    open(f"{folder}/{rid}_seed_{i}.sql", "w").write(
        f"-- seed {i}\n--\n-- Revision ID: {rid}\n-- Revises: {parent}\n\n-- migrate:up\n{up}\n-- migrate:down\nSELECT 1;\n")
    parent = rid
PY
  (cd "$dir" && cargo build --release --offline --quiet)
  stat -c %s "$CARGO_TARGET_DIR/release/todo-size-$1"
}

base=$(variant 0)
echo "0 KiB of extra SQL: $base bytes"
for kib in 256 1024; do
  size=$(variant "$kib")
  echo "$kib KiB of extra SQL: $size bytes; growth $(( (size - base) / kib )) bytes per KiB of SQL"
done
