#!/usr/bin/env bash
# Surveys benchmark: a release server on a fresh store; a coordinator builds a 30-question survey,
# imports 100,000 responses, times the results pages, then residents answer concurrently by the
# public link (benches/surveys_load.rs).
# Usage: bash benches/surveys.sh [sqlite|postgres] [responses] [clients] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
# The release binary (where cargo puts it: CARGO_TARGET_DIR or ./target).
mistok="${CARGO_TARGET_DIR:-target}/release/mistok"
engine=${1:-sqlite}
responses=${2:-100000}
clients=${3:-64}
seconds=${4:-10}
port=18091
dir=$(mktemp -d)
db_url=""
if [ "$engine" = postgres ]; then
  name="mistok_bench_surveys_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" postgres
  db_url="postgres://postgres@127.0.0.1:5432/$name"
fi
cargo build --release --quiet
cargo bench --bench surveys_load --no-run --quiet 2>/dev/null
export MISTOK_DATABASE_URL="$db_url" MISTOK_LOG=warn
"$mistok" demo --data-dir "$dir" --reports 0 >/dev/null
echo "bench passphrase 2026" | "$mistok" admin --data-dir "$dir" create-user \
  --email bench.coordinator@example.org --name "Bench Coordinator" --role coordinator >/dev/null
MISTOK_INTAKE_PER_ADDRESS_PER_HOUR=100000000 "$mistok" serve --data-dir "$dir" --listen 127.0.0.1:$port &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"; [ -n "${name:-}" ] && psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" postgres' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "engine: $engine"
cargo bench --bench surveys_load --quiet -- --url "http://127.0.0.1:$port" \
  --responses "$responses" --clients "$clients" --seconds "$seconds"
echo "server memory (RSS): $(ps -o rss= -p $server | awk '{printf "%.0f MiB", $1/1024}')"
