#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests that start private
# berthd daemons on temporary directories and run real containers through runc.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
# Integration tests run one file at a time: each starts its own daemon and
# containers, and two cores are easily oversubscribed.
mapfile -t unit < <(find dist/test/unit -name "*.test.js" | sort)
mapfile -t integration < <(find dist/test/integration -name "*.test.js" | sort)
node --test --test-concurrency=1 "${unit[@]}" "${integration[@]}"
