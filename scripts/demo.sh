#!/usr/bin/env bash
# `npm run demo`: brings the whole platform up on this machine, from a fresh clone if need be, and keeps it up
# until Ctrl-C: PostgreSQL, the Temporal dev server (with Web UI), the database (migrated and seeded), the worker
# and the API. Logs go to .data/{temporal,worker,api}.log.
#
# Settings: PORT (API, 3000), DATABASE_URL (postgres://postgres@127.0.0.1:5432/yue_warmth), TEMPORAL_PORT (7233),
# TEMPORAL_UI_PORT (8233), SEED_ADMIN_PASSWORD (Admin@2026), SEED_DEMO_PASSWORD (Demo@2026).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PORT="${PORT:-3000}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/yue_warmth}"
export TEMPORAL_PORT="${TEMPORAL_PORT:-7233}"
export TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}"
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:${TEMPORAL_PORT}}"
admin_password="${SEED_ADMIN_PASSWORD:-Admin@2026}"
demo_password="${SEED_DEMO_PASSWORD:-Demo@2026}"

api_pid=""
worker_pid=""
temporal_pid=""

step() {
  echo
  echo "==> $*"
}

fail() {
  echo "demo: $*" >&2
  exit 1
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A zombie still answers kill -0, so read the state from /proc as well.
is_running() {
  [[ -n "$1" && -r "/proc/$1/stat" ]] || return 1
  local state
  state="$(sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f1)"
  [[ "${state}" != Z && "${state}" != X ]]
}

stop_process() {
  local pid="$1" name="$2" grace="${3:-20}"
  is_running "${pid}" || return 0
  echo "Stopping ${name} (pid ${pid})..."
  kill -TERM "${pid}" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while is_running "${pid}"; do
    if ((SECONDS >= deadline)); then
      echo "${name} did not stop within ${grace}s; killing it."
      kill -KILL "${pid}" 2>/dev/null || true
      break
    fi
    sleep 0.25
  done
  wait "${pid}" 2>/dev/null || true
}

# API first (no new requests), then the worker (finishes its tasks), then the server both of them talk to.
cleanup() {
  local status=$?
  trap - INT TERM EXIT
  echo
  stop_process "${api_pid}" "API"
  stop_process "${worker_pid}" "worker"
  if [[ -n "${temporal_pid}" ]]; then
    stop_process "${temporal_pid}" "Temporal dev server"
    rm -f .data/temporal.pid
  elif [[ "${temporal_was_running:-false}" == true ]]; then
    echo "The Temporal server on 127.0.0.1:${TEMPORAL_PORT} was already running before the demo; left running."
  fi
  if [[ -n "${api_pid}${worker_pid}${temporal_pid}" ]]; then
    echo "Demo stopped."
  fi
  exit "${status}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for_log() {
  local file="$1" text="$2" pid="$3" name="$4" timeout="$5"
  local deadline=$((SECONDS + timeout))
  until grep -q "${text}" "${file}" 2>/dev/null; do
    is_running "${pid}" || { tail -n 30 "${file}" >&2; fail "${name} exited during start-up (log ${file})"; }
    ((SECONDS < deadline)) || { tail -n 30 "${file}" >&2; fail "${name} did not start within ${timeout}s (log ${file})"; }
    sleep 0.5
  done
}

http_ok() {
  curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
}

mkdir -p .data
if port_in_use "${PORT}"; then
  fail "port ${PORT} is already in use (an earlier demo still running?); stop it or set PORT"
fi

step "PostgreSQL"
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "${version}" ]] || fail "PostgreSQL is not running on 127.0.0.1:5432 and no local cluster was found"
  echo "Starting PostgreSQL ${version}..."
  pg_ctlcluster --skip-systemctl-redirect "${version}" main start
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p 5432 || fail "PostgreSQL did not start"
fi
echo "PostgreSQL accepts connections on 127.0.0.1:5432"

step "Node dependencies"
if [[ ! -d node_modules ]]; then
  npm ci
else
  echo "node_modules present"
fi

step "Console"
npm run --silent build:console

step "Temporal CLI"
TEMPORAL_CLI_PATH="$(bash scripts/install-temporal.sh)"
export TEMPORAL_CLI_PATH
echo "${TEMPORAL_CLI_PATH}"

step "Temporal dev server"
temporal_was_running=false
port_in_use "${TEMPORAL_PORT}" && temporal_was_running=true
bash scripts/temporal-dev-server.sh --background
if [[ "${temporal_was_running}" == false ]]; then
  temporal_pid="$(cat .data/temporal.pid)"
fi

step "Database ${DATABASE_URL%%\?*}"
npx tsx db/migrate.ts

step "Worker"
: >.data/worker.log
# Own sessions (setsid): Ctrl-C reaches only this script, which then stops everything in order.
setsid node --import tsx worker/main.ts >>.data/worker.log 2>&1 </dev/null &
worker_pid=$!
wait_for_log .data/worker.log "Worker started" "${worker_pid}" "worker" 180
echo "Worker started (pid ${worker_pid}, log .data/worker.log)"

step "Seeds"
npx tsx seeds/index.ts
# Demo processes (cases, pipelines, inspections, leads) are driven through the in-process API, in name order.
for demo_seed in seeds/demo-*.ts; do
  [[ -f "${demo_seed}" ]] || continue
  echo "${demo_seed}"
  npx tsx "${demo_seed}"
done

step "API"
: >.data/api.log
setsid node --import tsx api/server.ts >>.data/api.log 2>&1 </dev/null &
api_pid=$!
deadline=$((SECONDS + 60))
until http_ok "http://127.0.0.1:${PORT}/healthz"; do
  is_running "${api_pid}" || { tail -n 30 .data/api.log >&2; fail "API exited during start-up (log .data/api.log)"; }
  ((SECONDS < deadline)) || { tail -n 30 .data/api.log >&2; fail "API did not answer /healthz within 60s"; }
  sleep 0.5
done

cat <<EOF

================================================================================
 Yue Warmth (越温暖) demo is running
   Staff console    http://127.0.0.1:${PORT}${CONSOLE_BASE_PATH:-/console/}
   Phone page       http://127.0.0.1:${PORT}${PHONE_BASE_PATH:-/m/}
   API              http://127.0.0.1:${PORT}
   API docs         http://127.0.0.1:${PORT}/docs
   Temporal Web UI  http://127.0.0.1:${TEMPORAL_UI_PORT}

 Demo accounts
   admin                        ${admin_password}   (city administrator)
   yuecheng_supervisor          ${demo_password}    (district supervisor)
   yuecheng_t1_caseworker       ${demo_password}    (township caseworker)
   yuecheng_t1_g1_caseworker    ${demo_password}    (grassroots caseworker)
   Every other seeded account (<unit>_<role>) also uses ${demo_password}.

 Logs: .data/api.log, .data/worker.log, .data/temporal.log
 Press Ctrl-C to stop.
================================================================================
EOF

# Returns when Ctrl-C arrives (the trap runs cleanup) or when the API or the worker exits on its own.
set +e
wait -n "${api_pid}" "${worker_pid}"
set -e
is_running "${api_pid}" || echo "demo: the API exited; see .data/api.log" >&2
is_running "${worker_pid}" || echo "demo: the worker exited; see .data/worker.log" >&2
exit 1
