#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install and build berth, start
# berthd if it is not running, make busybox:latest from Debian's busybox-static
# when absent, and run a container.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh

sock=${BERTH_SOCK:-/run/berth/berth.sock}
export BERTH_HOST=unix://$sock
if ! bin/berth version >/dev/null 2>&1; then
  echo "starting berthd (log: /var/log/berthd.log)"
  mkdir -p "$(dirname "$sock")"
  nohup bin/berthd -H "unix://$sock" >>/var/log/berthd.log 2>&1 </dev/null &
  for _ in $(seq 1 100); do
    bin/berth version >/dev/null 2>&1 && break
    sleep 0.1
  done
  bin/berth version >/dev/null
fi

if ! bin/berth image inspect busybox:latest >/dev/null 2>&1; then
  echo "creating busybox:latest from Debian's busybox-static"
  ./scripts/busybox-rootfs.sh | bin/berth import --change 'CMD ["sh"]' - busybox:latest >/dev/null
fi

bin/berth run --rm busybox echo hello from berth
