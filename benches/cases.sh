#!/usr/bin/env bash
# Staff side on a million cases: queue pages and searches (see benches/large.sh).
# Usage: bash benches/cases.sh [sqlite|postgres] [cases] [rounds]
exec bash "$(dirname "$0")/large.sh" cases "$@"
