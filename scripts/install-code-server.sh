#!/usr/bin/env bash
# Installs the extension-test host: code-server (the VS Code 1.100.3 server + web workbench, from the
# npm registry) and Debian's Chromium to drive it. VS Code itself cannot be downloaded on our machines.
# Usage: scripts/install-code-server.sh DEST_DIR
set -euo pipefail
DEST=${1:?usage: install-code-server.sh DEST_DIR}
CS_VERSION=${CS_VERSION:-4.100.3}   # the last code-server whose engines accept node 20

if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || ! dpkg -s libsecret-1-dev libkrb5-dev >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-code-server: needs Debian packages chromium ripgrep libkrb5-dev libsecret-1-dev build-essential;" >&2
    echo "run as root or install them with: sudo apt-get install chromium ripgrep libkrb5-dev libsecret-1-dev build-essential" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq build-essential pkg-config python3 libkrb5-dev libsecret-1-dev ripgrep chromium >/dev/null
fi

mkdir -p "$DEST"; cd "$DEST"
# @vscode/ripgrep downloads rg in its postinstall; it first looks in $TMPDIR/vscode-ripgrep-cache-<v>/,
# so we seed that cache with Debian's rg instead.
RGTMP="$DEST/.rgtmp"; mkdir -p "$RGTMP/vscode-ripgrep-cache-1.15.11" "$RGTMP/stage"
cp "$(command -v rg)" "$RGTMP/stage/rg"
tar czf "$RGTMP/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$RGTMP/stage" rg
[ -f package.json ] || echo '{"name":"minidote-test-host","private":true}' > package.json
# --unsafe-perm: code-server's postinstall refuses to run as root without it.
# npm_config_yes=true: node-pty's postinstall runs `npx node-gyp`, which a yes=false npmrc cancels.
TMPDIR="$RGTMP" npm_config_yes=true npm install --no-save --no-audit --no-fund --unsafe-perm "code-server@$CS_VERSION"
rm -rf "$RGTMP"
"$DEST/node_modules/.bin/code-server" --version
