#!/usr/bin/env bash
# Keyway's mixed soak: the Native AOT binary on a temp data dir (SQLite) against a small node fake upstream
# (bench/soak/upstream.mjs), driven by one node load process (bench/soak/load.mjs) for --minutes: OpenAI Chat
# (whole and streamed), Anthropic Messages passed through and translated to an OpenAI upstream, Responses passed
# through and translated (stored turns, read back, continued), count_tokens (forwarded and estimated), clients that
# hang up mid-stream and before the answer, a key pool whose keys answer 429 (Retry-After) and 500 so requests fail
# over and keys cool down, a key disabled and enabled again through the admin API, a route edited and an alias
# created and deleted every minute, admin reads of logs, stats and health every 10 s, and a Responses WebSocket
# session every 15 s. Request-log retention is set to 1 day and 20,000 rows 3 days old are put into the database
# right after the start, so the pruning that runs a minute after the start must remove them.
# Every --interval seconds it samples Keyway's RSS, peak RSS, threads, open fds (by kind), the SQLite file, WAL and
# shm sizes, request-log and stored-response rows, the load's requests sent and Keyway's own /metrics into
# samples.csv; summary.md says per measure whether it stayed flat or grew after the warm-up, and compares the
# request-log rows with the requests Keyway answered. Writes bench/out/soak-mixed-<timestamp>/; everything it starts
# is stopped on exit.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/soak/run.sh [options]
  --minutes N        how long the load runs (default 35)
  --rate N           client requests a second at most (default 100; the admin calls and WebSockets come on top)
  --interval S       seconds between samples (default 30)
  --seed-recent N    also put N request-log rows of the last hour into the database at the start, so the admin
                     stats (which read the last 7 days) are as slow from the first minute as after a long run
  --keyway-cmd PATH  the Keyway binary to soak (default src/Keyway/bin/Release/aot/keyway, which bench/run.sh publishes)
USAGE
}

SOAK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DIR=$(dirname "$SOAK_DIR")
REPO_DIR=$(dirname "$BENCH_DIR")
source "$BENCH_DIR/lib/common.sh"

MINUTES=35
RATE=100
INTERVAL=30
SEED_RECENT=0
KEYWAY_BIN="$REPO_DIR/src/Keyway/bin/Release/aot/keyway"
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) MINUTES=$2; shift ;;
    --rate) RATE=$2; shift ;;
    --interval) INTERVAL=$2; shift ;;
    --seed-recent) SEED_RECENT=$2; shift ;;
    --keyway-cmd) KEYWAY_BIN=$(realpath -m "$2"); shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
for value in "$MINUTES" "$RATE" "$INTERVAL"; do
  [[ $value =~ ^[1-9][0-9]*$ ]] || die "not a positive whole number: $value"
done
[[ $SEED_RECENT =~ ^[0-9]+$ ]] || die "not a whole number: $SEED_RECENT"
[ -x "$KEYWAY_BIN" ] || die "no Keyway binary at $KEYWAY_BIN (publish it, or give --keyway-cmd)"
ensure_tools node:nodejs curl:curl python3:python3 sqlite3:sqlite3
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" -ge 20 ] || die "node 20 or later is needed (this is $(node --version))"
NODE_FLAGS=()
[ "$NODE_MAJOR" -ge 22 ] || NODE_FLAGS=(--experimental-websocket --no-warnings)

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT_DIR="$BENCH_DIR/out/soak-mixed-$STAMP"
RUN_DIR=$(mktemp -d /tmp/keyway-soak-mixed.XXXXXX)
DATA_DIR="$RUN_DIR/data"
DB="$DATA_DIR/keyway.db"
mkdir -p "$OUT_DIR" "$DATA_DIR"

on_exit() {
  local status=$?
  stop_all
  cp "$RUN_DIR"/*.log "$OUT_DIR/" 2>/dev/null || true
  rm -rf "$RUN_DIR"
  [ "$status" -eq 0 ] || log "failed (exit $status); logs in $OUT_DIR"
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

LOAD_AVERAGE=$(cut -d ' ' -f 1 /proc/loadavg)
log "machine: $(nproc) CPUs, load average $LOAD_AVERAGE"

# 1. the fake upstream
node "$SOAK_DIR/upstream.mjs" "$RUN_DIR/upstream.port" >"$RUN_DIR/upstream.log" 2>&1 &
remember $! upstream
for _ in $(seq 50); do [ -s "$RUN_DIR/upstream.port" ] && break; sleep 0.1; done
[ -s "$RUN_DIR/upstream.port" ] || die "the fake upstream did not start (see upstream.log)"
UPSTREAM_URL="http://127.0.0.1:$(cat "$RUN_DIR/upstream.port")"

# 2. Keyway, in RUN_DIR so no .env of the work tree applies; metrics on their own port
KEYWAY_PORT=$(free_port)
METRICS_PORT=$(free_port)
ADMIN_TOKEN="soak-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
(
  cd "$RUN_DIR"
  export KEYWAY_HOST=127.0.0.1 KEYWAY_PORT KEYWAY_DATA_DIR="$DATA_DIR" KEYWAY_ADMIN_TOKEN="$ADMIN_TOKEN" \
    KEYWAY_SECRET="soak-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" KEYWAY_LOG_LEVEL=info \
    KEYWAY_METRICS_PORT="$METRICS_PORT" KEYWAY_LOG_RETENTION_DAYS=1
  exec "$KEYWAY_BIN"
) >"$RUN_DIR/keyway.log" 2>&1 &
KEYWAY_PID=$!
remember "$KEYWAY_PID" keyway
for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:$KEYWAY_PORT/health" 2>/dev/null && break; sleep 0.2; done
curl -fsS -o /dev/null "http://127.0.0.1:$KEYWAY_PORT/health" || { tail -n 20 "$RUN_DIR/keyway.log" >&2; die "Keyway did not answer /health"; }
log "Keyway $KEYWAY_BIN (pid $KEYWAY_PID) on 127.0.0.1:$KEYWAY_PORT, metrics on :$METRICS_PORT, upstream $UPSTREAM_URL"

LOAD=(node "${NODE_FLAGS[@]}" "$SOAK_DIR/load.mjs" "--keyway=http://127.0.0.1:$KEYWAY_PORT" "--upstream=$UPSTREAM_URL" "--admin-token=$ADMIN_TOKEN")
ISSUED_KEY=$("${LOAD[@]}" --configure-only=1) || die "configuring Keyway failed"

# 3. 20,000 request-log rows 3 days old, past the 1-day retention: the first pruning (a minute after the start) must
# delete them all and add them to the daily roll-up.
SEEDED=20000
sqlite3 "$DB" ".timeout 10000" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $SEEDED)
  INSERT INTO request_logs (created_at, group_id, route_alias, endpoint, client_protocol, status_code, latency_ms)
  SELECT (strftime('%s','now') - 3 * 86400) * 1000 + i, 'default', 'soak-seeded', '/v1/chat/completions', 'openai', 200, 5 FROM n;" >/dev/null
# Rows of the last hour, kept by the retention (route_alias soak-recent), for --seed-recent.
sqlite3 "$DB" ".timeout 10000" "WITH RECURSIVE n(i) AS (SELECT 1 WHERE $SEED_RECENT > 0 UNION ALL SELECT i + 1 FROM n WHERE i < $SEED_RECENT)
  INSERT INTO request_logs (created_at, group_id, route_alias, provider_id, endpoint, client_protocol, status_code, latency_ms, ttfb_ms)
  SELECT (strftime('%s','now') - 3600) * 1000 + i, 'default', 'soak-recent', 'soak-pool', '/v1/chat/completions', 'openai', 200,
    5 + i % 300, 2 + i % 100 FROM n;" >/dev/null
log "configured; $SEEDED request-log rows 3 days old seeded, $SEED_RECENT of the last hour"

metrics() { curl -sS --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics"; }
# metric_sum NAME [LABEL-FILTER]: the sum of a series over its labels (those holding LABEL-FILTER).
metric_sum() { awk -v name="$1" -v filter="${2:-}" '$1 ~ "^"name"({|$)" && index($1, filter) { sum += $NF } END { printf "%d", sum }' "$RUN_DIR/metrics.txt"; }
file_kb() { if [ -e "$1" ]; then echo $(($(stat -c %s "$1") / 1024)); else echo 0; fi; }
fd_kind() { find "/proc/$KEYWAY_PID/fd" -mindepth 1 -maxdepth 1 -printf '%l\n' 2>/dev/null | grep -c "$1" || true; }
db_count() { sqlite3 "file:$DB?mode=ro" ".timeout 5000" "$1" 2>/dev/null || echo -1; }
load_stat() { python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))
except Exception: print(0)' "$RUN_DIR/load-stats.json" "$1"; }

CSV="$OUT_DIR/samples.csv"
echo "elapsed_s,rss_kb,hwm_kb,threads,fds,fd_sockets,fd_anon,fd_pipes,db_kb,wal_kb,shm_kb,log_rows,seeded_rows_left,stored_responses,sent,requests_total,log_written,log_dropped,log_failed,log_queue_depth,keys_cooling,keys_quarantined,snapshot_version,metric_series,cpu_s" >"$CSV"
sample() {
  metrics >"$RUN_DIR/metrics.txt" || : >"$RUN_DIR/metrics.txt"
  local ticks
  ticks=$(awk '{ print $14 + $15 }' "/proc/$KEYWAY_PID/stat")
  printf '%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d\n' "$1" \
    "$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$KEYWAY_PID/status")" \
    "$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$KEYWAY_PID/status")" \
    "$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$KEYWAY_PID/status")" \
    "$(find "/proc/$KEYWAY_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" \
    "$(fd_kind 'socket:')" "$(fd_kind 'anon_inode:')" "$(fd_kind 'pipe:')" \
    "$(file_kb "$DB")" "$(file_kb "$DB-wal")" "$(file_kb "$DB-shm")" \
    "$(db_count 'SELECT COUNT(*) FROM request_logs')" "$(db_count "SELECT COUNT(*) FROM request_logs WHERE route_alias = 'soak-seeded'")" \
    "$(db_count 'SELECT COUNT(*) FROM stored_responses')" "$(load_stat sent)" \
    "$(metric_sum keyway_requests_total)" "$(metric_sum keyway_log_written_total)" "$(metric_sum keyway_log_dropped_total)" \
    "$(metric_sum keyway_log_failed_total)" "$(metric_sum keyway_log_queue_depth)" \
    "$(metric_sum keyway_upstream_keys 'state="cooling"')" "$(metric_sum keyway_upstream_keys 'state="quarantined"')" \
    "$(metric_sum keyway_snapshot_version)" "$(grep -vc '^#' "$RUN_DIR/metrics.txt" || true)" \
    "$((ticks / $(getconf CLK_TCK)))"
}

# 4. the load, sampled
log "soak: $MINUTES min at up to $RATE requests/s, a sample every $INTERVAL s → $CSV"
sample 0 >>"$CSV"
"${LOAD[@]}" "--key=$ISSUED_KEY" "--minutes=$MINUTES" "--rate=$RATE" "--stats=$RUN_DIR/load-stats.json" >"$RUN_DIR/load.log" 2>&1 &
LOAD_PID=$!
remember "$LOAD_PID" load
STARTED_S=$(date +%s)
while running "$LOAD_PID"; do
  sleep "$INTERVAL"
  running "$KEYWAY_PID" || die "Keyway exited during the soak (see keyway.log)"
  sample $(($(date +%s) - STARTED_S)) >>"$CSV"
  tail -n 1 "$CSV" >&2
done
wait "$LOAD_PID" || die "the load failed (see load.log)"
forget "$LOAD_PID"
cp "$RUN_DIR/load-stats.json" "$OUT_DIR/"
# After the load: the writer drains, a last idle sample after two intervals, then a graceful stop and the rows counted.
sleep "$INTERVAL"
sample $(($(date +%s) - STARTED_S)) >>"$CSV"
sleep "$INTERVAL"
sample $(($(date +%s) - STARTED_S)) >>"$CSV"
cp "$RUN_DIR/metrics.txt" "$OUT_DIR/metrics-end.txt"
REQUESTS_TOTAL=$(metric_sum keyway_requests_total)
log "stopping Keyway (SIGTERM)"
stop_process "$KEYWAY_PID" 40
LOG_ROWS=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM request_logs')
ROLLED_UP=$(sqlite3 "$DB" "SELECT COALESCE(SUM(requests), 0) FROM request_log_days" 2>/dev/null || echo "?")
WAL_AFTER=$(file_kb "$DB-wal")

python3 "$SOAK_DIR/summary.py" "$CSV" "$OUT_DIR/load-stats.json" "$OUT_DIR/summary.md" "$MINUTES" "$RATE" "$LOAD_AVERAGE" \
  "$REQUESTS_TOTAL" "$((LOG_ROWS - SEED_RECENT))" "$ROLLED_UP" "$SEEDED" "$WAL_AFTER" "$RUN_DIR/keyway.log"
log "done: $OUT_DIR/summary.md"
