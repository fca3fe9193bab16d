#!/usr/bin/env bash
# A fuzzing campaign: every target in turn for SECONDS each (default 600), optimized build, with
# the corpus kept under fuzz/corpus/<target> between campaigns. Prints, per target, the runs
# libFuzzer made, the coverage it reached and any findings (fuzz/artifacts/<target>/).
# Usage: bash fuzz/campaign.sh [seconds per target] [targets…]   (needs cargo-fuzz and nightly)
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
cargo +nightly fuzz build -O || exit 1
log=$(mktemp -d)
total=0
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  started=$(date +%s)
  cargo +nightly fuzz run "$target" -O "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 >"$log/$target.log" 2>&1
  status=$?
  took=$(( $(date +%s) - started ))
  total=$(( total + took ))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log/$target.log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log/$target.log" | tail -1)
  findings=$(ls "fuzz/artifacts/$target" 2>/dev/null | wc -l)
  echo "$target: ${took} s, ${runs:-?} runs, ${cov:-cov: ?}, exit $status, findings in fuzz/artifacts: $findings"
done
echo "campaign: $total s in all ($(( total / 60 )) min)"
