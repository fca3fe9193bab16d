#!/usr/bin/env bash
# Overload (benches/overload_load.rs): the intake alone, then the intake while a crowd of readers
# presses far past the server's allowance; the server must turn readers away with 503 rather
# than queue, and go on accepting reports. Usage: bash benches/overload.sh [readers] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
readers=${1:-512}
seconds=${2:-10}
port=18091
dir=$(mktemp -d)
cargo build --release --quiet
cargo bench --bench overload_load --no-run --quiet 2>/dev/null
target/release/mistok demo --data-dir "$dir" --reports 2000 >/dev/null
MISTOK_LOG=error MISTOK_INTAKE_PER_ADDRESS_PER_HOUR=100000000 MISTOK_MAX_REQUESTS_IN_FLIGHT=64 \
  target/release/mistok serve --data-dir "$dir" --listen 127.0.0.1:$port &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "the intake alone:"
cargo bench --bench overload_load --quiet -- --url "http://127.0.0.1:$port" --readers 0 --writers 32 --seconds "$seconds"
echo "with $readers readers (allowance 64 requests in flight):"
cargo bench --bench overload_load --quiet -- --url "http://127.0.0.1:$port" --readers "$readers" --writers 32 --seconds "$seconds"
echo "server memory (RSS): $(ps -o rss= -p $server | awk '{printf "%.0f MiB", $1/1024}')"
