#!/usr/bin/env bash
# Public side on a million cases: register, statistics, throughput, CSV export (see
# benches/large.sh). Usage: bash benches/public.sh [sqlite|postgres] [cases] [rounds]
exec bash "$(dirname "$0")/large.sh" public "$@"
