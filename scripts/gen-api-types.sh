#!/usr/bin/env bash
# Regenerates src/api/types/engine.ts from the Docker Engine API spec that berthd implements.
set -euo pipefail
cd "$(dirname "$0")/.."
spec=../shared/spec/docker-engine-api-v1.45.yaml
out=$(mktemp)
npx -y openapi-typescript@5 "$spec" --output "$out" >/dev/null
{ echo "// GENERATED from ../shared/spec/docker-engine-api-v1.45.yaml by scripts/gen-api-types.sh"
  echo "// (openapi-typescript 5). Do not edit; regenerate."
  cat "$out"; } > src/api/types/engine.ts
rm -f "$out"
