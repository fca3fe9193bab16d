#!/usr/bin/env bash
# Intake benchmark: a release server on a fresh store, driven over loopback by concurrent
# clients (benches/intake_load.rs); then the stored row count is compared with what was
# acknowledged. Usage: bash benches/intake.sh [sqlite|postgres] [clients] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
engine=${1:-sqlite}
clients=${2:-64}
seconds=${3:-10}
port=18088
dir=$(mktemp -d)
db_url=""
if [ "$engine" = postgres ]; then
  name="mistok_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" postgres
  db_url="postgres://postgres@127.0.0.1:5432/$name"
fi
cargo build --release --quiet
cargo bench --bench intake_load --no-run --quiet 2>/dev/null
MISTOK_DATABASE_URL="$db_url" target/release/mistok demo --data-dir "$dir" --reports 0 >/dev/null
MISTOK_LOG=warn MISTOK_DATABASE_URL="$db_url" MISTOK_INTAKE_PER_ADDRESS_PER_HOUR=100000000 target/release/mistok serve --data-dir "$dir" --listen 127.0.0.1:$port &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"; [ -n "${name:-}" ] && psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" postgres' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "engine: $engine"
cargo bench --bench intake_load --quiet -- --url "http://127.0.0.1:$port" --clients "$clients" --seconds "$seconds"
echo "server memory (RSS): $(ps -o rss= -p $server | awk '{printf "%.0f MiB", $1/1024}')"
if [ "$engine" = postgres ]; then
  echo "rows stored: $(psql -h 127.0.0.1 -U postgres -tAc 'SELECT count(*) FROM reports' "$name")"
else
  echo "rows stored: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM reports').fetchone()[0])" "$dir/mistok.db")"
fi
