#!/usr/bin/env bash
# Keyway's benchmark (issue 8): DIRECT (wrk → nginx fake upstream), NGINX-PROXY (one bare nginx
# proxy_pass hop) and KEYWAY (Release build, logging on, a real issued key, SQLite), side by side,
# for OpenAI and Anthropic clients, non-stream and stream, at 1 and 32 connections. --postgres adds
# KEYWAY-PG: the same gateway, one instance, on a throw-away PostgreSQL cluster (issue 11).
# Writes bench/out/<timestamp>/results.{json,md} and prints the table. Everything it starts is
# stopped on exit, also on failure or Ctrl-C. Exits non-zero if the script broke or any request failed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/run.sh [options]
  --quick                   smoke run: 1 s per run, 1 connection, a few seconds in all (CI-safe)
  --duration S              seconds per measured run (default 10; quick 1)
  --warmup S                seconds of warm-up per target, protocol and mode (default 2; quick 1)
  --connections-list "1 32" connection counts to measure (default "1 32"; quick "1")
  --repeat N                measure every scenario N times, the targets taking turns each round (in reverse
                            order every other round), and report the median of each figure (default 1):
                            one-connection latency moves with the machine
  --only LIST               comma-separated targets: direct,nginx-proxy,keyway,keyway-pg,keyway-b
                            (default direct,nginx-proxy,keyway)
  --postgres                add KEYWAY-PG: Keyway on PostgreSQL (one instance, a throw-away cluster
                            from tools/pg-cluster.sh; installs Debian's postgresql when missing)
  --protocols LIST          comma-separated: openai,anthropic,cross,codex,claude-code,claude-code-native
                            (default openai,anthropic,cross: issue 8's scenarios, cross being an Anthropic
                            client → OpenAI Chat upstream)
  --modes LIST              comma-separated: non-stream,stream (default both)
  --with-clients            add the real clients' requests: codex (a Responses request as Codex sends it → OpenAI
                            Chat upstream), claude-code (cross with a ~90 KB request as Claude Code sends, every
                            target sending it upstream) and claude-code-native (that request to the Anthropic
                            upstream: passed through); the report holds them to issue 8's yardsticks separately
  --no-build                use the existing Release build of src/Keyway
  --jit                     measure the JIT build (`dotnet keyway.dll`) instead of the Native AOT binary
  --keyway-cmd "CMD …"      start this command as KEYWAY instead (e.g. an older build, or under perf);
                            it gets the same KEYWAY_* environment; implies --no-build
  --compare-cmd "CMD …"     add KEYWAY-B: another build (e.g. the one before a change) started with this command,
                            on SQLite like KEYWAY, taking turns with it in every scenario; the report adds a
                            "KEYWAY vs KEYWAY-B" table (with --repeat N, medians of rounds taken in turn)
  --probe                   load bench/probe into Keyway (a startup hook) and report, per KEYWAY run,
                            bytes allocated and GCs per request, GC pause time, assemblies and JIT-compiled
                            methods; implies --jit (a startup hook cannot load into an AOT binary)
environment: SERVER_CPUS (default 0), LOAD_CPUS (default 1) and PG_CPUS (PostgreSQL, default LOAD_CPUS) choose
the taskset CPU lists.
EOF
}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
source "$BENCH_DIR/lib/common.sh"
source "$BENCH_DIR/lib/nginx.sh"
source "$BENCH_DIR/lib/keyway.sh"
source "$BENCH_DIR/lib/postgres.sh"
source "$BENCH_DIR/lib/load.sh"

QUICK=0
DURATION_SECONDS=""
WARMUP_SECONDS=""
CONNECTIONS_LIST=""
REPEAT=1
TARGETS="direct nginx-proxy keyway"
PROTOCOLS="openai anthropic cross"
MODES="non-stream stream"
BUILD=1
PROBE=0

list() { echo "${1//,/ }"; }

while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --duration) DURATION_SECONDS=$2; shift ;;
    --warmup) WARMUP_SECONDS=$2; shift ;;
    --connections-list) CONNECTIONS_LIST=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --only) TARGETS=$(list "$2"); shift ;;
    --postgres) TARGETS="$TARGETS keyway-pg" ;;
    --protocols) PROTOCOLS=$(list "$2"); shift ;;
    --modes) MODES=$(list "$2"); shift ;;
    --with-clients) PROTOCOLS="$PROTOCOLS codex claude-code claude-code-native" ;;
    --no-build) BUILD=0 ;;
    --jit) use_jit_build ;;
    --probe) PROBE=1; use_jit_build ;;
    --keyway-cmd) read -ra KEYWAY_COMMAND <<<"$2"; BUILD=0; shift ;;
    --compare-cmd) read -ra KEYWAY_B_COMMAND <<<"$2"; TARGETS="$TARGETS keyway-b"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

if [ "$QUICK" -eq 1 ]; then
  : "${DURATION_SECONDS:=1}" "${WARMUP_SECONDS:=1}" "${CONNECTIONS_LIST:=1}" "${KEYWAY_JIT_WARMUP_SECONDS:=1}"
else
  : "${DURATION_SECONDS:=10}" "${WARMUP_SECONDS:=2}" "${CONNECTIONS_LIST:=1 32}" "${KEYWAY_JIT_WARMUP_SECONDS:=5}"
fi
UNIQUE_TARGETS=""
for value in $TARGETS; do
  case $value in direct | nginx-proxy | keyway | keyway-pg | keyway-b) ;; *) die "unknown target: $value" ;; esac
  # A target named twice (--only …,keyway-b with --compare-cmd, or keyway-pg with --postgres) runs once.
  case " $UNIQUE_TARGETS " in *" $value "*) ;; *) UNIQUE_TARGETS="$UNIQUE_TARGETS $value" ;; esac
done
TARGETS=${UNIQUE_TARGETS# }
for value in $PROTOCOLS; do
  case $value in openai | anthropic | cross | codex | claude-code | claude-code-native) ;; *) die "unknown protocol: $value" ;; esac
done
for value in $MODES; do
  case $value in non-stream | stream) ;; *) die "unknown mode: $value" ;; esac
done
for value in $CONNECTIONS_LIST $DURATION_SECONDS $WARMUP_SECONDS $REPEAT; do
  [[ $value =~ ^[1-9][0-9]*$ ]] || die "not a positive whole number: $value"
done
KEYWAYS=""
for value in $TARGETS; do
  case $value in keyway | keyway-pg | keyway-b) KEYWAYS="$KEYWAYS $value" ;; esac
done
[ -n "$KEYWAYS" ] && WITH_KEYWAY=1 || WITH_KEYWAY=0
# Keyway runs in a temp dir (see start_keyway), so a relative program path must be made absolute here.
[[ ${KEYWAY_COMMAND[0]} != */* ]] || KEYWAY_COMMAND[0]=$(realpath -m "${KEYWAY_COMMAND[0]}")
case " $KEYWAYS " in
  *" keyway-b "*)
    [ ${#KEYWAY_B_COMMAND[@]} -gt 0 ] || die "keyway-b needs --compare-cmd"
    [[ ${KEYWAY_B_COMMAND[0]} != */* ]] || KEYWAY_B_COMMAND[0]=$(realpath -m "${KEYWAY_B_COMMAND[0]}")
    ;;
esac

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT_DIR="$BENCH_DIR/out/$STAMP"
RUNS_DIR="$OUT_DIR/runs"
RUN_DIR=$(mktemp -d /tmp/keyway-bench.XXXXXX)
mkdir -p "$RUNS_DIR"

# Stops what we started, keeps the servers' logs and configs next to the results, drops the temp dir.
# A signal's trap runs inside whatever command was interrupted, redirections included (wrk's output
# file), so the script's own stdout and stderr are restored first.
exec {SCRIPT_STDOUT}>&1 {SCRIPT_STDERR}>&2
on_exit() {
  local status=$?
  exec 1>&"$SCRIPT_STDOUT" 2>&"$SCRIPT_STDERR"
  stop_all
  stop_postgres
  mkdir -p "$OUT_DIR/logs"
  cp "$RUN_DIR"/*.log "$RUN_DIR"/*.conf "$OUT_DIR/logs/" 2>/dev/null || true
  rm -rf "$RUN_DIR"
  [ "$status" -eq 0 ] || log "failed (exit $status); logs in $OUT_DIR/logs"
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tools=(nginx:nginx wrk:wrk taskset:util-linux pgrep:procps curl:curl python3:python3)
case " $KEYWAYS " in *" keyway "* | *" keyway-b "*) tools+=(sqlite3:sqlite3) ;; esac
ensure_tools "${tools[@]}"
[ "$WITH_KEYWAY" -eq 0 ] || [ "$BUILD" -eq 0 ] || command -v dotnet >/dev/null || die "building Keyway needs the .NET 10 SDK"
choose_cpus
[ "$WITH_KEYWAY" -eq 0 ] || [ "$BUILD" -eq 0 ] || build_keyway
[ "$WITH_KEYWAY" -eq 0 ] || command -v "${KEYWAY_COMMAND[0]}" >/dev/null || die "cannot run ${KEYWAY_COMMAND[0]}"
[ ${#KEYWAY_B_COMMAND[@]} -eq 0 ] || command -v "${KEYWAY_B_COMMAND[0]}" >/dev/null || die "cannot run ${KEYWAY_B_COMMAND[0]}"
[ "$WITH_KEYWAY" -eq 0 ] || [ "$PROBE" -eq 0 ] || build_probe

start_upstream
case " $TARGETS " in *" nginx-proxy "*) start_proxy ;; esac
for target in $KEYWAYS; do
  if [ "$target" = keyway-pg ]; then
    start_postgres
    new_keyway keyway-pg "$POSTGRES_URL"
  else
    new_keyway "$target"
  fi
  start_keyway
  configure_keyway
  measure_keyway_idle
  save_keyway
done

run_all_scenarios

declare -A KEYWAY_JSON=([keyway]=null [keyway-pg]=null [keyway-b]=null)
for target in $KEYWAYS; do
  use_keyway "$target"
  measure_keyway_after_run
  stop_keyway_and_count_rows
  KEYWAY_JSON[$target]=$(keyway_meta_json)
done
stop_postgres

{
  printf '{"timestamp":"%s","quick":%s,"cpu_count":%d,"cpu_model":"%s",' \
    "$STAMP" "$([ "$QUICK" -eq 1 ] && echo true || echo false)" "$CPU_COUNT" "${CPU_MODEL//\"/}"
  printf '"load_average_at_start":%s,"server_cpus":"%s","load_cpus":"%s","duration_s":%d,"warmup_s":%d,"repeat":%d,' \
    "$LOAD_AVERAGE" "$SERVER_CPUS" "$LOAD_CPUS" "$DURATION_SECONDS" "$WARMUP_SECONDS" "$REPEAT"
  printf '"nginx":"%s","wrk":"%s","commit":"%s","keyway_command":"%s","keyway_b_command":"%s",' \
    "$(nginx -v 2>&1 | sed 's/.*nginx\///')" "$(wrk -v 2>&1 | head -n 1 | awk '{print $2}')" \
    "$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$(json_text "${KEYWAY_COMMAND[*]}")" "$(json_text "${KEYWAY_B_COMMAND[*]}")"
  printf '"keyway":%s,"keyway_pg":%s,"keyway_b":%s}\n' "${KEYWAY_JSON[keyway]}" "${KEYWAY_JSON[keyway-pg]}" "${KEYWAY_JSON[keyway-b]}"
} >"$OUT_DIR/meta.json"

stop_all
python3 "$BENCH_DIR/report.py" "$OUT_DIR"
