#!/usr/bin/env bash
# Installs what berth needs on Debian 12 with Node.js 20, as root, and builds it.
# Idempotent: packages already present are not fetched again; npm install runs only
# when package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

# runc: the OCI runtime; conmon: per-container monitor; busybox-static: the base
# image; tini: --init; attr: setfattr for xattrs in layers; iproute2/procps: ip, ps;
# containernetworking-plugins: the CNI plugins that wire bridge networks; iptables: NAT and
# published ports (the plugins call it); util-linux: unshare for network namespaces;
# libjemalloc2: the malloc bin/berthd preloads, which returns freed memory to the kernel.
packages=(runc conmon busybox-static tini attr iproute2 procps ca-certificates bzip2 xz-utils containernetworking-plugins iptables util-linux libjemalloc2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=node_modules/.berth-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing npm packages"
  # npm install, not npm ci: the registry here lacks node-unix-socket's optional
  # packages for other platforms, which npm ci insists on finding in the lock.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

echo "building"
rm -rf dist
npx tsc -p tsconfig.json
# One-file CLI bundle: bin/berth starts in well under half the time with it.
node scripts/bundle.mjs
