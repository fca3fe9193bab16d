#!/usr/bin/env bash
# Staff-side benchmark on a large store: loads N demo cases (default 1,000,000) into a fresh
# store, creates a coordinator, starts a release server and times queue pages and searches
# (benches/public_load.rs). Usage: bash benches/cases.sh [sqlite|postgres] [cases] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
engine=${1:-sqlite}
cases=${2:-1000000}
rounds=${3:-40}
port=18090
# BENCH_KEEP=DIR keeps the loaded SQLite store there (and reuses it on the next run).
dir=${BENCH_KEEP:-$(mktemp -d)}
db_url=""
# BENCH_KEEP_PG=NAME keeps the loaded PostgreSQL database under that name (and reuses it).
if [ "$engine" = postgres ]; then
  name="${BENCH_KEEP_PG:-mistok_bench_public_$$}"
  if [ -z "$(psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" postgres)" ]; then
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" postgres
  fi
  db_url="postgres://postgres@127.0.0.1:5432/$name"
fi
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  [ -z "${BENCH_KEEP:-}" ] && rm -rf "$dir"
  if [ -n "${name:-}" ] && [ -z "${BENCH_KEEP_PG:-}" ]; then psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" postgres; fi
}
trap cleanup EXIT
cargo build --release --quiet
cargo bench --bench public_load --no-run --quiet
export MISTOK_DATABASE_URL="$db_url" MISTOK_LOG=warn
if { [ -n "${BENCH_KEEP:-}" ] && [ -f "$dir/mistok.db" ]; } || \
   { [ -n "${BENCH_KEEP_PG:-}" ] && [ "$(psql -h 127.0.0.1 -U postgres -tAc "SELECT to_regclass('reports') IS NOT NULL" "$name" 2>/dev/null)" = t ]; }; then
  echo "reusing the loaded store"
else
  started=$(date +%s)
  target/release/mistok demo --data-dir "$dir" --reports "$cases" | grep -v receipt
  echo "loaded $cases cases in $(( $(date +%s) - started )) s"
fi
if [ "$engine" = postgres ]; then
  psql -h 127.0.0.1 -U postgres -qc "VACUUM ANALYZE" "$name"
fi
target/release/mistok serve --data-dir "$dir" --listen 127.0.0.1:$port &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "engine: $engine, cases: $cases"
cargo bench --bench public_load --quiet -- --url "http://127.0.0.1:$port" --rounds "$rounds"
if [ "$engine" = postgres ]; then
  echo "published cases: $(psql -h 127.0.0.1 -U postgres -tAc 'SELECT count(*) FROM publications WHERE withdrawn_at IS NULL' "$name")"
else
  echo "published cases: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM publications WHERE withdrawn_at IS NULL').fetchone()[0])" "$dir/mistok.db")"
fi
