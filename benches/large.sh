#!/usr/bin/env bash
# Benchmarks on a large store: loads N demo cases (default 1,000,000, about a quarter published)
# into a fresh store, starts a release server and runs one suite against it:
#   cases   a coordinator signs in and opens queue pages and searches (benches/cases_load.rs)
#   public  the register and statistics pages, the register under load, a full CSV export
#           (benches/public_load.rs)
#   map     the public map and the staff hot-spot map (benches/map_load.rs)
# Usage: bash benches/large.sh cases|public|map [sqlite|postgres] [cases] [rounds]
# (benches/cases.sh, benches/public.sh and benches/map.sh are this with the suite chosen).
set -euo pipefail
cd "$(dirname "$0")/.."
# The release binary (where cargo puts it: CARGO_TARGET_DIR or ./target).
mistok="${CARGO_TARGET_DIR:-target}/release/mistok"
suite=${1:?cases or public}
engine=${2:-sqlite}
cases=${3:-1000000}
rounds=${4:-40}
case "$suite" in
  cases) port=18089 ;;
  public) port=18090 ;;
  map) port=18091 ;;
  *) echo "the suite is cases, public or map" >&2; exit 2 ;;
esac
# BENCH_KEEP=DIR keeps the loaded SQLite store there (and reuses it on the next run).
dir=${BENCH_KEEP:-$(mktemp -d)}
db_url=""
# BENCH_KEEP_PG=NAME keeps the loaded PostgreSQL database under that name (and reuses it).
if [ "$engine" = postgres ]; then
  name="${BENCH_KEEP_PG:-mistok_bench_${suite}_$$}"
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
cargo bench --bench "${suite}_load" --no-run --quiet
export MISTOK_DATABASE_URL="$db_url" MISTOK_LOG=warn
if { [ -n "${BENCH_KEEP:-}" ] && [ -f "$dir/mistok.db" ]; } || \
   { [ -n "${BENCH_KEEP_PG:-}" ] && [ "$(psql -h 127.0.0.1 -U postgres -tAc "SELECT to_regclass('reports') IS NOT NULL" "$name" 2>/dev/null)" = t ]; }; then
  echo "reusing the loaded store"
  if [ "$suite" != public ]; then
    "$mistok" admin --data-dir "$dir" reset-two-factor --email bench.coordinator@example.org
  fi
else
  started=$(date +%s)
  "$mistok" demo --data-dir "$dir" --reports "$cases" | grep -v receipt
  echo "loaded $cases cases in $(( $(date +%s) - started )) s"
  if [ "$suite" != public ]; then
    echo "bench passphrase 2026" | "$mistok" admin --data-dir "$dir" create-user \
      --email bench.coordinator@example.org --name "Bench Coordinator" --role coordinator
  fi
fi
if [ "$engine" = postgres ]; then
  psql -h 127.0.0.1 -U postgres -qc "VACUUM ANALYZE" "$name"
fi
MISTOK_INTAKE_PER_ADDRESS_PER_HOUR=100000000 "$mistok" serve --data-dir "$dir" --listen 127.0.0.1:$port &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "engine: $engine, cases: $cases"
cargo bench --bench "${suite}_load" --quiet -- --url "http://127.0.0.1:$port" --rounds "$rounds"
if [ "$suite" = public ]; then
  published='SELECT count(*) FROM publications WHERE withdrawn_at IS NULL'
  if [ "$engine" = postgres ]; then
    echo "published cases: $(psql -h 127.0.0.1 -U postgres -tAc "$published" "$name")"
  else
    echo "published cases: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$dir/mistok.db" "$published")"
  fi
fi
