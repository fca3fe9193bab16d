#!/usr/bin/env bash
# The maps on a million cases: public map and GeoJSON, staff hot-spot map (see benches/large.sh).
# Usage: bash benches/map.sh [sqlite|postgres] [cases] [rounds]
exec bash "$(dirname "$0")/large.sh" map "$@"
