#!/usr/bin/env bash
# Starts the Temporal dev server for local use and the demo: state in a SQLite file under .data/ (kept across
# restarts), the Web UI, and the project's search attributes on the default namespace.
#
#   scripts/temporal-dev-server.sh                # foreground; Ctrl-C stops it
#   scripts/temporal-dev-server.sh --background   # detached; pid in .data/temporal.pid; returns once healthy
#
# Settings: TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (8233), TEMPORAL_DB_FILE (.data/temporal.sqlite),
# TEMPORAL_CLI_PATH (a prebuilt binary; otherwise scripts/install-temporal.sh builds or finds one).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

port="${TEMPORAL_PORT:-7233}"
ui_port="${TEMPORAL_UI_PORT:-8233}"
db_file="${TEMPORAL_DB_FILE-.data/temporal.sqlite}"
log_file=".data/temporal.log"
pid_file=".data/temporal.pid"
health_timeout=60
background=false

for arg in "$@"; do
  case "${arg}" in
    --background) background=true ;;
    -h | --help)
      sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "temporal-dev-server: unknown argument ${arg} (try --help)" >&2
      exit 2
      ;;
  esac
done

if [[ -z "${db_file}" ]]; then
  echo "temporal-dev-server: refusing to start without a database file; an in-memory server loses every case" \
    "on restart. Set TEMPORAL_DB_FILE or leave it unset for .data/temporal.sqlite." >&2
  exit 1
fi

mkdir -p .data "$(dirname "${db_file}")"
temporal="$(bash scripts/install-temporal.sh)"
address="127.0.0.1:${port}"

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_healthy() {
  "${temporal}" operator cluster health --address "${address}" --client-connect-timeout 2s >/dev/null 2>&1
}

wait_healthy() {
  local deadline=$((SECONDS + health_timeout))
  until is_healthy; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    if [[ -n "${1:-}" ]] && ! kill -0 "$1" 2>/dev/null; then
      return 1
    fi
    sleep 0.25
  done
}

if port_in_use "${port}"; then
  if wait_healthy; then
    echo "temporal-dev-server: a Temporal server already listens on ${address}; reusing it (not started by this script)."
    echo "Temporal Web UI: http://127.0.0.1:${ui_port} (if that server runs its UI there)"
    exit 0
  fi
  echo "temporal-dev-server: port ${port} is taken by something that is not a healthy Temporal server." \
    "Stop it or set TEMPORAL_PORT." >&2
  exit 1
fi

args=(
  server start-dev
  --db-filename "${db_file}"
  --ip 127.0.0.1
  --port "${port}"
  --ui-port "${ui_port}"
  --namespace default
  --search-attribute CaseStep=Keyword
  --search-attribute CaseStatus=Keyword
  --search-attribute HolderUnitId=Keyword
  --sqlite-pragma journal_mode=WAL
  --sqlite-pragma synchronous=NORMAL
  --dynamic-config-value frontend.enableServerVersionCheck=false
  --log-level warn
)

if [[ "${background}" == true ]]; then
  started=${SECONDS}
  # setsid: its own session, so a Ctrl-C meant for the caller (demo.sh) does not reach it; the caller stops it.
  setsid "${temporal}" "${args[@]}" >>"${log_file}" 2>&1 </dev/null &
  pid=$!
  echo "${pid}" >"${pid_file}"
  if ! wait_healthy "${pid}"; then
    echo "temporal-dev-server: the server did not become healthy within ${health_timeout}s; last log lines:" >&2
    tail -n 20 "${log_file}" >&2 || true
    kill "${pid}" 2>/dev/null || true
    rm -f "${pid_file}"
    exit 1
  fi
  echo "Temporal dev server started on ${address} in $((SECONDS - started))s (pid ${pid}, state ${db_file}, log ${log_file})"
  echo "Temporal Web UI: http://127.0.0.1:${ui_port}"
  exit 0
fi

# Foreground: a helper reports readiness while the server itself replaces this shell, so Ctrl-C reaches it directly.
echo "Starting Temporal dev server on ${address} (state ${db_file}, log ${log_file}); Ctrl-C stops it."
(
  if wait_healthy "$$"; then
    echo "Temporal dev server is healthy on ${address}. Web UI: http://127.0.0.1:${ui_port}"
  elif kill -0 "$$" 2>/dev/null; then
    echo "temporal-dev-server: not healthy after ${health_timeout}s; see ${log_file}" >&2
  fi
) &
exec > >(tee -ia "${log_file}") 2>&1
exec "${temporal}" "${args[@]}"
