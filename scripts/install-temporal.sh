#!/usr/bin/env bash
# Installs the Temporal CLI (dev server + Web UI) from source when it is missing, and prints its path.
# The binary is cached outside the work tree so every clone on this machine reuses one build.
set -euo pipefail

version="1.5.1"
cache_dir="${YUE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/yue-warmth}/temporal-${version}"
binary="${cache_dir}/temporal"

if [[ -n "${TEMPORAL_CLI_PATH:-}" && -x "${TEMPORAL_CLI_PATH}" ]]; then
  echo "${TEMPORAL_CLI_PATH}"
  exit 0
fi
if [[ -x "${binary}" ]]; then
  echo "${binary}"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin /usr/lib/go/bin; do
    [[ -x "${candidate}/go" ]] && PATH="${candidate}:${PATH}"
  done
fi
command -v go >/dev/null 2>&1 || { echo "install-temporal: Go is required to build the Temporal CLI" >&2; exit 1; }

mkdir -p "${cache_dir}"
echo "install-temporal: building temporal CLI v${version} from source (first run only, several minutes)" >&2
started=$(date +%s)
GOBIN="${cache_dir}" GOTOOLCHAIN=local CGO_ENABLED=0 go install \
  -ldflags "-X github.com/temporalio/cli/temporalcli.Version=${version}" \
  "github.com/temporalio/cli/cmd/temporal@v${version}" >&2
echo "install-temporal: built in $(( $(date +%s) - started ))s, $(du -h "${binary}" | cut -f1)" >&2
echo "${binary}"
