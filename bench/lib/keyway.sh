# KEYWAY under test: a Release build started with a fresh data dir, configured through the admin
# API against the fake upstream, measured from /proc, stopped with SIGTERM (graceful, so the
# request-log writer flushes), then its request_logs rows are counted. KEYWAY stores in SQLite;
# KEYWAY-PG (--postgres) is a second instance on PostgreSQL (KEYWAY_DATABASE_URL); KEYWAY-B
# (--compare-cmd) another build on SQLite, for before/after comparisons. The KEYWAY_* variables
# describe the instance in use; save_keyway and use_keyway switch between them.

KEYWAY_UPSTREAM_KEY="sk-bench-upstream-0000"
KEYWAY_NAME=keyway
KEYWAY_DATABASE_URL=""
KEYWAY_PROBE_IDLE=null
KEYWAY_REQUESTS=0
KEYWAY_INFLIGHT_BOUND=0

KEYWAY_INSTANCE_VARS=(KEYWAY_NAME KEYWAY_DATABASE_URL KEYWAY_DATA_DIR KEYWAY_ADMIN_TOKEN KEYWAY_PORT KEYWAY_PID KEYWAY_KEY
  KEYWAY_START_MS KEYWAY_RSS_IDLE_KB KEYWAY_RSS_AFTER_KB KEYWAY_HWM_KB KEYWAY_PROBE_IDLE KEYWAY_REQUESTS
  KEYWAY_INFLIGHT_BOUND KEYWAY_LOG_ROWS)
declare -A KEYWAY_INSTANCES=()

# save_keyway: remembers the instance in use under its KEYWAY_NAME; use_keyway NAME makes a saved one current.
save_keyway() {
  local var
  for var in "${KEYWAY_INSTANCE_VARS[@]}"; do KEYWAY_INSTANCES[$KEYWAY_NAME.$var]=${!var-}; done
}

use_keyway() {
  local var
  for var in "${KEYWAY_INSTANCE_VARS[@]}"; do printf -v "$var" '%s' "${KEYWAY_INSTANCES[$1.$var]-}"; done
}

# new_keyway NAME [DATABASE_URL]: a fresh instance description, made current (start_keyway starts it).
new_keyway() {
  KEYWAY_NAME=$1 KEYWAY_DATABASE_URL=${2:-} KEYWAY_REQUESTS=0 KEYWAY_INFLIGHT_BOUND=0 KEYWAY_PROBE_IDLE=null
}

random_hex() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# What is measured is what ships: the Native AOT binary (tools/release.sh builds the same). --jit measures the
# JIT build instead (`dotnet keyway.dll`), which --probe needs: its startup hook cannot load into an AOT binary.
KEYWAY_AOT_DIR="$REPO_DIR/src/Keyway/bin/Release/aot"
KEYWAY_DLL="$REPO_DIR/src/Keyway/bin/Release/net10.0/keyway.dll"
KEYWAY_COMMAND=("$KEYWAY_AOT_DIR/keyway")

KEYWAY_B_COMMAND=()

use_jit_build() { KEYWAY_COMMAND=(dotnet "$KEYWAY_DLL"); }

# The command that starts the current instance: KEYWAY-B's own, or the build under test.
keyway_command() {
  if [ "$KEYWAY_NAME" = keyway-b ]; then
    printf '%s\n' "${KEYWAY_B_COMMAND[@]}"
  else
    printf '%s\n' "${KEYWAY_COMMAND[@]}"
  fi
}

build_keyway() {
  if [ "${KEYWAY_COMMAND[0]}" = dotnet ]; then
    # PublishAot also turns startup hooks off in the JIT build; --probe is one.
    log "building Keyway (Release, JIT)"
    dotnet build "$REPO_DIR/src/Keyway" -c Release -nologo -v q -p:StartupHookSupport=true >"$RUN_DIR/keyway-build.log" 2>&1 \
      || { tail -n 30 "$RUN_DIR/keyway-build.log" >&2; die "Keyway did not build"; }
  else
    log "publishing Keyway (Release, Native AOT; about 3 minutes)"
    dotnet publish "$REPO_DIR/src/Keyway" -c Release -r "$(dotnet_rid)" -o "$KEYWAY_AOT_DIR" -nologo -v q \
      >"$RUN_DIR/keyway-build.log" 2>&1 || { tail -n 30 "$RUN_DIR/keyway-build.log" >&2; die "Keyway did not build"; }
  fi
  [ -e "${KEYWAY_COMMAND[-1]}" ] || die "no ${KEYWAY_COMMAND[-1]} after the build"
}

dotnet_rid() {
  case $(uname -m) in
    x86_64) echo linux-x64 ;;
    aarch64) echo linux-arm64 ;;
    *) die "no Native AOT build for $(uname -m); use --jit" ;;
  esac
}

PROBE_DIR="$BENCH_DIR/probe"
PROBE_DLL="$PROBE_DIR/bin/Release/net10.0/KeywayProbe.dll"

build_probe() {
  log "building the runtime probe (bench/probe)"
  dotnet build "$PROBE_DIR" -c Release -nologo -v q >"$RUN_DIR/probe-build.log" 2>&1 \
    || { tail -n 30 "$RUN_DIR/probe-build.log" >&2; die "bench/probe did not build"; }
}

# One JSON line of Keyway's runtime counters from the probe's socket ("null" without --probe).
probe_snapshot() {
  if [ "$PROBE" -eq 0 ]; then
    echo null
    return
  fi
  python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
print(s.makefile().readline().strip())' "$RUN_DIR/$KEYWAY_NAME-probe.sock" \
    || die "the probe did not answer (with --no-build: was src/Keyway last built with -p:StartupHookSupport=true, as this script builds it?)"
}

# Sets KEYWAY_PORT, KEYWAY_PID, KEYWAY_START_MS (process start → first successful /health).
# It runs in RUN_DIR so a developer's .env in the work tree cannot change what is measured.
start_keyway() {
  KEYWAY_DATA_DIR="$RUN_DIR/$KEYWAY_NAME-data"
  KEYWAY_ADMIN_TOKEN="bench-admin-$(random_hex)"
  KEYWAY_PORT=$(free_port)
  mkdir -p "$KEYWAY_DATA_DIR"
  local started_ns secret command
  mapfile -t command < <(keyway_command)
  secret="bench-secret-$(random_hex)"
  started_ns=$(date +%s%N)
  (
    cd "$RUN_DIR" || exit 1
    export KEYWAY_HOST=127.0.0.1 KEYWAY_PORT KEYWAY_DATA_DIR KEYWAY_ADMIN_TOKEN \
      KEYWAY_SECRET="$secret" KEYWAY_LOG_LEVEL=warning
    [ -z "$KEYWAY_DATABASE_URL" ] || export KEYWAY_DATABASE_URL
    [ "${PROBE:-0}" -eq 0 ] || export DOTNET_STARTUP_HOOKS="$PROBE_DLL" KEYWAY_PROBE_SOCKET="$RUN_DIR/$KEYWAY_NAME-probe.sock"
    pinned_exec "$SERVER_CPUS" "${command[@]}"
  ) >"$RUN_DIR/$KEYWAY_NAME.log" 2>&1 &
  KEYWAY_PID=$!
  remember "$KEYWAY_PID" "$KEYWAY_NAME"
  wait_for_http "http://127.0.0.1:$KEYWAY_PORT/health" "$KEYWAY_PID" 60 \
    || { tail -n 30 "$RUN_DIR/$KEYWAY_NAME.log" >&2; die "$KEYWAY_NAME did not answer /health"; }
  KEYWAY_START_MS=$((($(date +%s%N) - started_ns) / 1000000))
  log "$KEYWAY_NAME listening on 127.0.0.1:$KEYWAY_PORT (pid $KEYWAY_PID), first /health after ${KEYWAY_START_MS} ms"
}

admin_post() {
  curl -sS --fail-with-body --max-time 10 -X POST \
    -H "X-Admin-Token: $KEYWAY_ADMIN_TOKEN" -H "Content-Type: application/json" \
    --data "$2" "http://127.0.0.1:$KEYWAY_PORT/admin/llm/groups/default/$1" \
    || die "admin POST $1 failed: $2"
}

# add_provider ID PROTOCOL BASE_PATH — one provider of the fake upstream (see nginx/upstream.conf.template)
add_provider() {
  admin_post providers "{\"provider_id\":\"$1\",\"name\":\"$1\",\"protocol\":\"$2\",\
\"base_url\":\"http://127.0.0.1:$UPSTREAM_PORT$3\",\"api_key\":\"$KEYWAY_UPSTREAM_KEY\"}" >/dev/null
}

add_route() {
  admin_post routes "{\"alias\":\"$1\",\"provider_id\":\"$2\",\"upstream_model\":\"$3\"}" >/dev/null
}

# Aliases: bench-gpt / bench-claude (non-stream), "-stream" variants on the /stream/ providers,
# and bench-claude-via-gpt(-stream) / bench-codex-via-gpt(-stream) for the cross-protocol scenarios (Anthropic client,
# and Codex's Responses client, → OpenAI Chat upstream).
configure_keyway() {
  local mode
  for mode in json stream; do
    add_provider "bench-openai-$mode" openai "/openai/$mode/v1"
    add_provider "bench-anthropic-$mode" anthropic "/anthropic/$mode"
  done
  add_route bench-gpt bench-openai-json "$UPSTREAM_OPENAI_MODEL"
  add_route bench-gpt-stream bench-openai-stream "$UPSTREAM_OPENAI_MODEL"
  add_route bench-claude bench-anthropic-json "$UPSTREAM_ANTHROPIC_MODEL"
  add_route bench-claude-stream bench-anthropic-stream "$UPSTREAM_ANTHROPIC_MODEL"
  add_route bench-claude-via-gpt bench-openai-json "$UPSTREAM_OPENAI_MODEL"
  add_route bench-claude-via-gpt-stream bench-openai-stream "$UPSTREAM_OPENAI_MODEL"
  add_route bench-codex-via-gpt bench-openai-json "$UPSTREAM_OPENAI_MODEL"
  add_route bench-codex-via-gpt-stream bench-openai-stream "$UPSTREAM_OPENAI_MODEL"
  KEYWAY_KEY=$(admin_post keys '{"name":"bench"}' | sed -n 's/.*"plaintext"[[:space:]]*:[[:space:]]*"\(db_sk_[^"]*\)".*/\1/p')
  [ -n "$KEYWAY_KEY" ] || die "the key response carried no db_sk_ plaintext"
  log "$KEYWAY_NAME configured: 4 providers, 8 routes, 1 issued key"
}

measure_keyway_idle() {
  sleep 1
  KEYWAY_RSS_IDLE_KB=$(proc_status_kb "$KEYWAY_PID" VmRSS)
  KEYWAY_PROBE_IDLE=$(probe_snapshot)
}

measure_keyway_after_run() {
  kill -0 "$KEYWAY_PID" 2>/dev/null || die "$KEYWAY_NAME exited during the run (see logs/$KEYWAY_NAME.log)"
  KEYWAY_RSS_AFTER_KB=$(proc_status_kb "$KEYWAY_PID" VmRSS)
  KEYWAY_HWM_KB=$(proc_status_kb "$KEYWAY_PID" VmHWM)
}

# Stops Keyway gracefully and counts the rows its log writer flushed.
stop_keyway_and_count_rows() {
  log "stopping $KEYWAY_NAME (SIGTERM) and counting request_logs rows"
  stop_process "$KEYWAY_PID" 30
  if [ -n "$KEYWAY_DATABASE_URL" ]; then
    KEYWAY_LOG_ROWS=$(count_postgres_log_rows) || die "could not count request_logs in PostgreSQL"
  else
    KEYWAY_LOG_ROWS=$(sqlite3 "$KEYWAY_DATA_DIR/keyway.db" 'SELECT COUNT(*) FROM request_logs;') \
      || die "could not count request_logs in $KEYWAY_DATA_DIR/keyway.db"
  fi
}

keyway_meta_json() {
  printf '{"start_to_first_request_ms":%d,"rss_idle_kb":%d,"rss_after_run_kb":%d,"peak_rss_kb":%d,' \
    "$KEYWAY_START_MS" "$KEYWAY_RSS_IDLE_KB" "$KEYWAY_RSS_AFTER_KB" "$KEYWAY_HWM_KB"
  printf '"requests_counted":%d,"inflight_bound":%d,"log_rows":%d,"probe_idle":%s}' \
    "$KEYWAY_REQUESTS" "$KEYWAY_INFLIGHT_BOUND" "$KEYWAY_LOG_ROWS" "$KEYWAY_PROBE_IDLE"
}
