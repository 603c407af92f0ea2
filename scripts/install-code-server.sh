#!/usr/bin/env bash
# Installs the extension-test host: code-server (the VS Code 1.100.3 server + web workbench, from the
# npm registry) and Debian's Chromium to drive it. Desktop VS Code cannot be downloaded on our machines.
# Usage: scripts/install-code-server.sh DEST_DIR      (~90 s cold, ~300 MB; scripts/test-host.mjs calls it)
set -euo pipefail
DEST=${1:?usage: install-code-server.sh DEST_DIR}
CS_VERSION=${CS_VERSION:-4.100.3}   # the last code-server whose engines accept node 20

APT_PACKAGES="build-essential pkg-config python3 libkrb5-dev libsecret-1-dev ripgrep chromium"
if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || ! dpkg -s libsecret-1-dev libkrb5-dev >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-code-server: the test host needs the Debian packages: $APT_PACKAGES" >&2
    echo "install-code-server: run as root, or first: sudo apt-get install -y $APT_PACKAGES" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq $APT_PACKAGES >/dev/null
fi

mkdir -p "$DEST"; DEST=$(cd "$DEST" && pwd); cd "$DEST"
# @vscode/ripgrep downloads rg in its postinstall; it first looks in $TMPDIR/vscode-ripgrep-cache-<v>/,
# so we seed that cache with Debian's rg instead.
RGTMP="$DEST/.rgtmp"; mkdir -p "$RGTMP/vscode-ripgrep-cache-1.15.11" "$RGTMP/stage"
trap 'rm -rf "$RGTMP"' EXIT
cp "$(command -v rg)" "$RGTMP/stage/rg"
tar czf "$RGTMP/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$RGTMP/stage" rg
[ -f package.json ] || echo '{"name":"minidote-test-host","private":true}' > package.json
# unsafe_perm: code-server's postinstall refuses to run as root without it.
# yes: node-pty's postinstall runs `npx node-gyp`, which a yes=false npmrc cancels.
TMPDIR="$RGTMP" npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-save --no-audit --no-fund "code-server@$CS_VERSION"
# Keep code-server from writing its default config under the real home directory.
XDG_CONFIG_HOME="$RGTMP" "$DEST/node_modules/.bin/code-server" --version
