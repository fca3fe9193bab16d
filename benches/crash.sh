#!/usr/bin/env bash
# Crash test (benches/crash_test.rs): a release server on a fresh store is killed with SIGKILL
# at a random moment under concurrent report submissions, restarted, and checked: every
# acknowledged report stored intact, none twice. Usage: bash benches/crash.sh [sqlite|postgres] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
# The release binary (where cargo puts it: CARGO_TARGET_DIR or ./target).
mistok="${CARGO_TARGET_DIR:-target}/release/mistok"
engine=${1:-sqlite}
runs=${2:-20}
dir=$(mktemp -d)
db_url=""
if [ "$engine" = postgres ]; then
  name="mistok_crash_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" postgres
  db_url="postgres://postgres@127.0.0.1:5432/$name"
fi
trap 'rm -rf "$dir"; [ -n "${name:-}" ] && psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" postgres' EXIT
cargo build --release --quiet
cargo bench --bench crash_test --no-run --quiet 2>/dev/null
MISTOK_DATABASE_URL="$db_url" "$mistok" demo --data-dir "$dir" --reports 0 >/dev/null
echo "engine: $engine"
cargo bench --bench crash_test --quiet -- --bin "$mistok" --data-dir "$dir" \
  --database-url "$db_url" --runs "$runs" --clients 16
