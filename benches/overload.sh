#!/usr/bin/env bash
# Overload (benches/overload_load.rs): the intake alone, then the intake while a crowd of readers
# from another address presses far past the server's allowances; the server must turn readers
# away with 503 rather than queue, and go on accepting reports at the intake's own capacity.
#
# On one machine the flood's own client would take the CPU the server needs, which no flood
# from another machine does. So the machine is split: the server and the residents' intake
# clients (from 127.0.0.2) run on CPU 0 — the intake is measured alone there first, which is
# its capacity on that CPU — and the flood (from 127.0.0.1) runs on CPU 1, standing for the
# other machine. Whatever the flood costs the server (accepting, refusing, serving) is paid on
# CPU 0 like the intake. Needs `taskset` (util-linux) and two CPUs.
#
# Usage: bash benches/overload.sh [readers] [seconds] [connections per address]
set -euo pipefail
cd "$(dirname "$0")/.."
# The release binary (where cargo puts it: CARGO_TARGET_DIR or ./target).
mistok="${CARGO_TARGET_DIR:-target}/release/mistok"
readers=${1:-512}
seconds=${2:-10}
per_address=${3:-64}
port=18092
dir=$(mktemp -d)
cargo build --release --quiet
cargo bench --bench overload_load --no-run --quiet 2>/dev/null
"$mistok" demo --data-dir "$dir" --reports 2000 >/dev/null
MISTOK_LOG=error MISTOK_INTAKE_PER_ADDRESS_PER_HOUR=100000000 MISTOK_MAX_REQUESTS_IN_FLIGHT=64 \
  MISTOK_MAX_CONNECTIONS_PER_ADDRESS="$per_address" \
  taskset -c 0 "$mistok" serve --data-dir "$dir" --listen 127.0.0.1:$port &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
# load CPU [options]: the load client on that CPU.
load() {
  local cpu=$1
  shift
  taskset -c "$cpu" cargo bench --bench overload_load --quiet -- --url "http://127.0.0.1:$port" "$@"
}
echo "the intake alone (server and 32 intake clients on CPU 0):"
load 0 --readers 0 --writers 32 --from 127.0.0.2 --seconds "$seconds"
echo "with $readers readers from another address on CPU 1 (allowance 64 requests in flight, $per_address connections per address):"
load 1 --readers "$readers" --writers 0 --seconds $((seconds + 2)) &
flood=$!
sleep 1
load 0 --readers 0 --writers 32 --from 127.0.0.2 --seconds "$seconds"
wait $flood
echo "server memory (RSS): $(ps -o rss= -p $server | awk '{printf "%.0f MiB", $1/1024}')"
