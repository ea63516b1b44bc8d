#!/usr/bin/env bash
# Keyway's soak run (issue 13): mixed traffic for a long time — OpenAI and Anthropic clients, streams and
# non-streams, a translated route, and upstream failures (a refused connection that cools and quarantines keys,
# a relayed 404) — against the nginx fake upstream of bench/run.sh, while Keyway's RSS, threads and open file
# descriptors (/proc/PID/status, /proc/PID/fd) and its own /metrics are sampled every 10 s into samples.csv.
# summary.md then says, per measure, whether it stayed flat or grew after the warm-up.
# Writes bench/out/soak-<timestamp>/. Everything it starts is stopped on exit.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/soak.sh [options]
  --minutes N        how long the load runs (default 20)
  --connections N    concurrent client connections (default 8)
  --delay-ms N       pause before each request on a connection, to keep the rate sane (default 2)
  --interval S       seconds between samples (default 10)
  --no-build         use the existing Release build of src/Keyway
  --jit              soak the JIT build (`dotnet keyway.dll`) instead of the Native AOT binary
  --keyway-cmd "CMD" start this command as Keyway instead (e.g. a published binary); implies --no-build
USAGE
}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
source "$BENCH_DIR/lib/common.sh"
source "$BENCH_DIR/lib/nginx.sh"
source "$BENCH_DIR/lib/keyway.sh"

MINUTES=20
CONNECTIONS=8
DELAY_MS=2
INTERVAL=10
BUILD=1
UPSTREAM_OPENAI_MODEL="gpt-4o-mini"
UPSTREAM_ANTHROPIC_MODEL="claude-3-5-haiku-20241022"

while [ $# -gt 0 ]; do
  case $1 in
    --minutes) MINUTES=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --delay-ms) DELAY_MS=$2; shift ;;
    --interval) INTERVAL=$2; shift ;;
    --no-build) BUILD=0 ;;
    --jit) use_jit_build ;;
    --keyway-cmd) read -ra KEYWAY_COMMAND <<<"$2"; BUILD=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
for value in "$MINUTES" "$CONNECTIONS" "$INTERVAL"; do
  [[ $value =~ ^[1-9][0-9]*$ ]] || die "not a positive whole number: $value"
done
[[ $DELAY_MS =~ ^[0-9]+$ ]] || die "not a whole number: $DELAY_MS"
# Keyway runs in a temp dir (see start_keyway), so a relative program path must be made absolute here.
[[ ${KEYWAY_COMMAND[0]} != */* ]] || KEYWAY_COMMAND[0]=$(realpath -m "${KEYWAY_COMMAND[0]}")

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT_DIR="$BENCH_DIR/out/soak-$STAMP"
RUN_DIR=$(mktemp -d /tmp/keyway-soak.XXXXXX)
mkdir -p "$OUT_DIR"
SERVER_CPUS=""

exec {SCRIPT_STDOUT}>&1 {SCRIPT_STDERR}>&2
on_exit() {
  local status=$?
  exec 1>&"$SCRIPT_STDOUT" 2>&"$SCRIPT_STDERR"
  stop_all
  mkdir -p "$OUT_DIR/logs"
  cp "$RUN_DIR"/*.log "$OUT_DIR/logs/" 2>/dev/null || true
  rm -rf "$RUN_DIR"
  [ "$status" -eq 0 ] || log "failed (exit $status); logs in $OUT_DIR/logs"
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tools nginx:nginx wrk:wrk curl:curl python3:python3 sqlite3:sqlite3
LOAD_AVERAGE=$(cut -d ' ' -f 1 /proc/loadavg)
log "machine: $(nproc) CPUs, load average $LOAD_AVERAGE (a busy machine slows the run, it does not change what leaks)"
[ "$BUILD" -eq 0 ] || build_keyway

start_upstream
start_keyway
configure_keyway
# Two failing routes: a provider on a port nobody listens on, and one whose path the fake upstream answers 404.
admin_post providers "{\"provider_id\":\"soak-refused-port\",\"name\":\"refused\",\"protocol\":\"openai\",\
\"base_url\":\"http://127.0.0.1:$(free_port)/v1\",\"api_key\":\"$KEYWAY_UPSTREAM_KEY\"}" >/dev/null
add_provider soak-missing openai "/missing/v1"
add_route soak-refused soak-refused-port "$UPSTREAM_OPENAI_MODEL"
add_route soak-missing soak-missing "$UPSTREAM_OPENAI_MODEL"

metrics_sum() {
  curl -sS --max-time 5 -H "X-Admin-Token: $KEYWAY_ADMIN_TOKEN" "http://127.0.0.1:$KEYWAY_PORT/metrics" \
    | awk -v name="$1" '$1 ~ "^"name"({|$)" { sum += $2 } END { printf "%d", sum }'
}

sample() {
  local elapsed=$1
  printf '%d,%d,%d,%d,%d,%d,%d,%d\n' "$elapsed" \
    "$(proc_status_kb "$KEYWAY_PID" VmRSS)" "$(proc_status_kb "$KEYWAY_PID" VmHWM)" \
    "$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$KEYWAY_PID/status")" \
    "$(find "/proc/$KEYWAY_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" \
    "$(metrics_sum keyway_requests_total)" "$(metrics_sum keyway_log_queue_depth)" "$(metrics_sum keyway_log_dropped_total)"
}

CSV="$OUT_DIR/samples.csv"
echo "elapsed_s,rss_kb,peak_rss_kb,threads,fds,requests,log_queue_depth,log_dropped" >"$CSV"
log "soak: ${MINUTES} min, $CONNECTIONS connections, ${DELAY_MS} ms pause per request, a sample every ${INTERVAL} s → $CSV"
sample 0 >>"$CSV"
SOAK_KEY="$KEYWAY_KEY" SOAK_DELAY_MS="$DELAY_MS" \
  wrk -t 1 -c "$CONNECTIONS" -d "${MINUTES}m" --timeout 30s -s "$BENCH_DIR/wrk/soak.lua" \
  "http://127.0.0.1:$KEYWAY_PORT" >"$OUT_DIR/wrk.txt" 2>&1 &
WRK_PID=$!
remember "$WRK_PID" "wrk"
STARTED_S=$(date +%s)
while kill -0 "$WRK_PID" 2>/dev/null; do
  sleep "$INTERVAL"
  kill -0 "$KEYWAY_PID" 2>/dev/null || die "Keyway exited during the soak (see logs/keyway.log)"
  sample $(($(date +%s) - STARTED_S)) >>"$CSV"
done
wait "$WRK_PID" || die "wrk failed (see $OUT_DIR/wrk.txt)"
forget "$WRK_PID"
# After the load: let the log writer drain, then one last sample of the idle process.
sleep "$INTERVAL"
sample $(($(date +%s) - STARTED_S)) >>"$CSV"
stop_keyway_and_count_rows

python3 - "$CSV" "$OUT_DIR/summary.md" "$OUT_DIR/wrk.txt" "$KEYWAY_LOG_ROWS" "$MINUTES" "$CONNECTIONS" "$LOAD_AVERAGE" <<'PY'
import csv, sys
rows = [{k: int(v) for k, v in row.items()} for row in csv.DictReader(open(sys.argv[1]))]
out, wrk_text, log_rows, minutes, connections, load = sys.argv[2], open(sys.argv[3]).read(), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
loaded = rows[1:-1] or rows
warm = loaded[len(loaded) // 5:] or loaded          # the first fifth is warm-up (JIT, pools, SQLite cache)
quarter = max(1, len(warm) // 4)
def mean(values): return sum(values) / len(values)
def verdict(name, tolerance):
    first, last = mean([r[name] for r in warm[:quarter]]), mean([r[name] for r in warm[-quarter:]])
    grew = last - first > tolerance(first)
    return first, last, "GROWING" if grew else "flat"
checks = [
    ("rss_kb", "RSS (MB)", lambda base: max(0.10 * base, 8 * 1024), 1024),
    ("threads", "threads", lambda base: max(0.25 * base, 4), 1),
    ("fds", "open file descriptors", lambda base: max(0.25 * base, 8), 1),
]
lines = [f"# Soak: {minutes} min, {connections} connections", "",
         f"{len(rows)} samples; warm-up (first fifth of the loaded samples) left out; load average at start {load}.", "",
         "| measure | after warm-up | at the end | verdict |", "|---|---|---|---|"]
for key, label, tolerance, scale in checks:
    first, last, word = verdict(key, tolerance)
    lines.append(f"| {label} | {first / scale:.1f} | {last / scale:.1f} | {word} |")
requests = rows[-1]["requests"]
lines += ["", f"- requests answered (keyway_requests_total): {requests}; request-log rows after the graceful stop: {log_rows}",
          f"- peak RSS: {max(r['peak_rss_kb'] for r in rows) / 1024:.1f} MB; largest log-queue depth seen: {max(r['log_queue_depth'] for r in rows)}; rows dropped: {rows[-1]['log_dropped']}",
          f"- after the load stopped: RSS {rows[-1]['rss_kb'] / 1024:.1f} MB, {rows[-1]['threads']} threads, {rows[-1]['fds']} fds",
          "", "wrk:", "```", wrk_text.strip(), "```"]
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
