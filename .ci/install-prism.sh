#!/usr/bin/env bash
# Install the pinned Prism mock server (the version Cloudflare's own SDKs use for their
# tests) into target/tools, inside the repository. Safe to run repeatedly: it does nothing
# when that version is already installed.
#
#   .ci/install-prism.sh          # then: target/tools/node_modules/.bin/prism --version
set -euo pipefail

PRISM_PACKAGE="@stainless-api/prism-cli"
PRISM_VERSION="5.15.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/target/tools"
bin="$prefix/node_modules/.bin/prism"
manifest="$prefix/node_modules/$PRISM_PACKAGE/package.json"

installed_version() {
    [ -x "$bin" ] && [ -f "$manifest" ] || return 1
    node -e 'process.stdout.write(require(process.argv[1]).version)' "$manifest" 2>/dev/null
}

if [ "$(installed_version || true)" = "$PRISM_VERSION" ]; then
    echo "prism $PRISM_VERSION already installed: $bin"
    exit 0
fi

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: $tool is required to install prism (Node.js 18 or later)" >&2
        exit 1
    fi
done

mkdir -p "$prefix"
echo "installing $PRISM_PACKAGE@$PRISM_VERSION into $prefix"
npm install --prefix "$prefix" --no-audit --no-fund --save-exact --loglevel=error \
    "$PRISM_PACKAGE@$PRISM_VERSION"

if [ "$(installed_version || true)" != "$PRISM_VERSION" ]; then
    echo "error: prism $PRISM_VERSION was not installed at $bin" >&2
    exit 1
fi
echo "prism $PRISM_VERSION installed: $bin"
