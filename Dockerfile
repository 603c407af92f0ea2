# syntax=docker/dockerfile:1
# A Minidote hub: `minidote serve` as an always-on peer that a team's editors and scripts join
# (README, "Set up a team"). The image installs the npm package the way test/cli/install.test.ts
# does, from the tarball `npm pack` leaves in this folder (its prepack script builds dist/ first):
#
#   npm ci && npm pack
#   docker build -t minidote-hub .
#   docker run -d --name minidote -p 7878:7878 -v minidote-data:/data \
#     -v "$PWD/team-secret:/run/secrets/minidote:ro" minidote-hub
#
# There is no container daemon where `npm test` runs: this build itself is not exercised by the tests.
FROM node:20-slim

# The tested install: copy the tarball, `npm install -g` it. The package has no dependencies, so
# the install needs no registry.
COPY minidote-*.tgz /tmp/
RUN npm install -g --offline --no-audit --no-fund /tmp/minidote-*.tgz \
 && rm /tmp/minidote-*.tgz \
 && mkdir -p /data /run/secrets \
 && chown node:node /data /run/secrets

# The team secret is read from /run/secrets/minidote: a compose or swarm secret, or a read-only
# bind mount. Failing that, MINIDOTE_SECRET is written there, readable by the hub's user only (the
# file is preferred: an environment variable shows in `docker inspect`).
COPY --chmod=755 <<'EOF' /usr/local/bin/minidote-entrypoint
#!/bin/sh
set -eu
secret_file=/run/secrets/minidote
if [ -n "${MINIDOTE_SECRET:-}" ]; then
  if [ -e "$secret_file" ] && [ ! -w "$secret_file" ]; then
    echo "minidote: MINIDOTE_SECRET is set but $secret_file (a mounted secret) cannot be written; use one or the other" >&2
    exit 2
  fi
  (umask 077 && printf '%s\n' "$MINIDOTE_SECRET" > "$secret_file")
fi
unset MINIDOTE_SECRET
exec "$@"
EOF

USER node
VOLUME /data
EXPOSE 7878
# `minidote status` exits 0 when the hub answers and 3 when it cannot be reached or refuses the secret.
HEALTHCHECK --interval=30s --timeout=10s --start-period=15s --retries=3 \
  CMD ["minidote", "status", "--timeout", "5000", "--secret-file", "/run/secrets/minidote"]
ENTRYPOINT ["minidote-entrypoint"]
# serve closes its log and releases the data directory on SIGTERM, which `docker stop` sends.
CMD ["minidote", "serve", "--host", "0.0.0.0", "--port", "7878", "--data", "/data", "--secret-file", "/run/secrets/minidote"]
