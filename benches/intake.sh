#!/usr/bin/env bash
# Intake benchmark: release servers on a fresh store, driven over loopback by concurrent clients
# (benches/intake_load.rs); then the stored row count is compared with what was acknowledged.
# Usage: bash benches/intake.sh [sqlite|postgres] [clients] [seconds] [servers]
# (servers > 1: several app servers on one PostgreSQL, the clients spread over them).
set -euo pipefail
cd "$(dirname "$0")/.."
# The release binary (where cargo puts it: CARGO_TARGET_DIR or ./target).
mistok="${CARGO_TARGET_DIR:-target}/release/mistok"
engine=${1:-sqlite}
clients=${2:-64}
seconds=${3:-10}
servers=${4:-1}
port=18088
dir=$(mktemp -d)
db_url=""
if [ "$engine" = postgres ]; then
  name="mistok_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" postgres
  db_url="postgres://postgres@127.0.0.1:5432/$name"
elif [ "$servers" -gt 1 ]; then
  echo "several app servers need PostgreSQL" >&2; exit 2
fi
cargo build --release --quiet
cargo bench --bench intake_load --no-run --quiet 2>/dev/null
MISTOK_DATABASE_URL="$db_url" "$mistok" demo --data-dir "$dir" --reports 0 >/dev/null
pids=()
urls=""
for i in $(seq 0 $((servers - 1))); do
  MISTOK_LOG=warn MISTOK_DATABASE_URL="$db_url" MISTOK_INTAKE_PER_ADDRESS_PER_HOUR=100000000 \
    "$mistok" serve --data-dir "$dir" --listen 127.0.0.1:$((port + i)) &
  pids+=($!)
  urls="${urls:+$urls,}http://127.0.0.1:$((port + i))"
done
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; [ -n "${name:-}" ] && psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" postgres' EXIT
for i in $(seq 0 $((servers - 1))); do
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$((port + i))/healthz" >/dev/null && break; sleep 0.1; done
done
echo "engine: $engine, app servers: $servers"
cargo bench --bench intake_load --quiet -- --url "$urls" --clients "$clients" --seconds "$seconds"
for pid in "${pids[@]}"; do
  echo "server memory (RSS): $(ps -o rss= -p "$pid" | awk '{printf "%.0f MiB", $1/1024}')"
done
if [ "$engine" = postgres ]; then
  echo "rows stored: $(psql -h 127.0.0.1 -U postgres -tAc 'SELECT count(*) FROM reports' "$name")"
else
  echo "rows stored: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM reports').fetchone()[0])" "$dir/mistok.db")"
fi
