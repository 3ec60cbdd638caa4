#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests that start private
# berthd daemons on temporary directories and run real containers through runc.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
# Anchors some tests compare berth with — never dependencies of berth itself:
# the distribution registry and skopeo (issue 4), the docker CLI and
# docker-compose 1.29 (issue 6; dockerode and testcontainers are npm dev
# dependencies). Those tests skip, loudly, where these cannot be had.
anchors=()
for p in docker-registry skopeo docker.io docker-compose; do dpkg -s "$p" >/dev/null 2>&1 || anchors+=("$p"); done
if [ ${#anchors[@]} -gt 0 ]; then
  echo "installing test anchors: ${anchors[*]}"
  # A package's init script must not start a registry on this machine's port 5000,
  # nor a dockerd beside berthd.
  own_policy=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=true
  fi
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${anchors[@]}"; } >/dev/null 2>&1 ||
    echo "WARNING: could not install ${anchors[*]}: the tests that compare with them will be skipped"
  if $own_policy; then rm -f /usr/sbin/policy-rc.d; fi
fi
# Integration tests run one file at a time: each starts its own daemon and
# containers, and two cores are easily oversubscribed.
mapfile -t unit < <(find dist/test/unit -name "*.test.js" | sort)
mapfile -t integration < <(find dist/test/integration -name "*.test.js" | sort)
node --test --test-concurrency=1 "${unit[@]}" "${integration[@]}"
