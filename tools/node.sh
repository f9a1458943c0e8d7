#!/usr/bin/env bash
# Prints the bin directory of the project's Node (22, Lambda's nodejs22.x): the machine's own when
# it is 22 or newer, else a Node 22 installed from the npm registry (package node-linux-<arch>) into
# .tools/ on first use. The Makefile puts it first on PATH, so `make dev`, `make test`, `make bench`
# and every tool they start (npm, npx, jest, tsx: `#!/usr/bin/env node`) run on it; the `oplake`
# bin re-executes itself with it (shared/cli/oplake.mjs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
major=22
version=22.23.5 # the newest 22.x on the registry when pinned; bump with the Lambda runtime

have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$have" -ge "$major" ]; then
  dirname "$(command -v node)"
  exit 0
fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "tools/node.sh: no Node $major package for $(uname -m); install Node $major" >&2; exit 1 ;;
esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')
dir="$root/.tools/node-$version"
bin="$dir/node_modules/node-$os-$arch/bin"
if [ ! -x "$bin/node" ]; then
  echo "Node $(node --version 2>/dev/null || echo '(none)') is older than $major: installing Node $version from the npm registry into .tools/ (once)" >&2
  rm -rf "$dir.tmp"
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    --prefix "$dir.tmp" "node-$os-$arch@$version" >&2
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
echo "$bin"
