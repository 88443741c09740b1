#!/usr/bin/env bash
# `npm test [-- vitest args]`: the whole suite against real services. Starts the local PostgreSQL if it is down,
# installs node_modules if missing, builds (or finds) the Temporal CLI, installs Debian's Chromium if missing and
# builds the console for the browser tests; the vitest global setup then starts its own Temporal dev server and a
# throw-away database, and removes both afterwards.
#
#   npm test                     # everything
#   npm test -- tests/setup      # one folder; any vitest argument works
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
  if [[ -z "${version}" ]]; then
    echo "test: PostgreSQL is not running on 127.0.0.1:5432 and no local cluster was found" >&2
    exit 1
  fi
  echo "test: starting PostgreSQL ${version}" >&2
  pg_ctlcluster --skip-systemctl-redirect "${version}" main start
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "test: PostgreSQL did not start" >&2; exit 1; }
fi

if [[ ! -d node_modules ]]; then
  npm ci
fi

TEMPORAL_CLI_PATH="$(bash scripts/install-temporal.sh)"
export TEMPORAL_CLI_PATH

# The end-to-end tests drive Debian's Chromium (installed when missing) against the built console.
CHROMIUM_PATH="$(bash scripts/install-chromium.sh)"
export CHROMIUM_PATH
npm run --silent build:console >&2

exec npx vitest run "$@"
