# wrk runs: what URL, model, key and script each (target, protocol, mode) uses, and one run
# recorded as runs/NNN-….json = the scenario plus the JSON that bench/wrk/common.lua wrote.
# protocol is the client's side: openai, anthropic, cross (Anthropic client → OpenAI upstream), codex (Responses
# client → OpenAI Chat upstream; in these two DIRECT and NGINX-PROXY, which cannot translate, send the OpenAI Chat
# request a translating hop forwards, so the reference is measured in turn with Keyway, not minutes earlier in the
# openai scenario), claude-code (cross with a request the size Claude Code sends, which every target sends to the
# OpenAI upstream, so each pays for the bytes) or claude-code-native (that request to the Anthropic upstream, which
# Keyway passes through). mode is non-stream or stream.

UPSTREAM_OPENAI_MODEL="gpt-4o-mini"
UPSTREAM_ANTHROPIC_MODEL="claude-3-5-haiku-20241022"
RUN_SEQ=0

# KEYWAY (SQLite) and KEYWAY-PG (PostgreSQL) are the same gateway, only the database differs; KEYWAY-B is another build.
is_keyway() { case $1 in keyway | keyway-pg | keyway-b) return 0 ;; *) return 1 ;; esac; }

mode_segment() { [ "$1" = stream ] && echo stream || echo json; }

# The path on the fake upstream (DIRECT and NGINX-PROXY use it as is).
upstream_path() {
  case $1 in
    openai | cross | codex | claude-code) echo "/openai/$(mode_segment "$2")/v1/chat/completions" ;;
    anthropic | claude-code-native) echo "/anthropic/$(mode_segment "$2")/v1/messages" ;;
  esac
}

target_url() {
  local target=$1 protocol=$2 mode=$3
  case $target in
    direct) echo "http://127.0.0.1:$UPSTREAM_PORT$(upstream_path "$protocol" "$mode")" ;;
    nginx-proxy) echo "http://127.0.0.1:$PROXY_PORT$(upstream_path "$protocol" "$mode")" ;;
    keyway | keyway-pg | keyway-b)
      case $protocol in
        openai) echo "http://127.0.0.1:$KEYWAY_PORT/v1/chat/completions" ;;
        codex) echo "http://127.0.0.1:$KEYWAY_PORT/v1/responses" ;;
        *) echo "http://127.0.0.1:$KEYWAY_PORT/v1/messages" ;;
      esac ;;
  esac
}

request_model() {
  local target=$1 protocol=$2 mode=$3 alias suffix=""
  [ "$mode" = stream ] && suffix="-stream"
  if ! is_keyway "$target"; then
    case $protocol in anthropic | claude-code-native) echo "$UPSTREAM_ANTHROPIC_MODEL" ;; *) echo "$UPSTREAM_OPENAI_MODEL" ;; esac
    return
  fi
  case $protocol in
    openai) alias=bench-gpt ;;
    anthropic | claude-code-native) alias=bench-claude ;;
    cross | claude-code) alias=bench-claude-via-gpt ;;
    codex) alias=bench-codex-via-gpt ;;
  esac
  echo "$alias$suffix"
}

# client_script TARGET PROTOCOL
client_script() {
  if ! is_keyway "$1"; then
    case $2 in cross | codex) echo openai.lua && return ;; esac
  fi
  case $2 in
    openai) echo openai.lua ;;
    codex) echo responses.lua ;;
    claude-code | claude-code-native) echo claude-code.lua ;;
    *) echo anthropic.lua ;;
  esac
}

# The protocol TARGET answers in, in PROTOCOL's scenario: DIRECT and NGINX-PROXY runs of the scenarios Keyway translates
# are answered by the OpenAI upstream itself.
answer_protocol() {
  if ! is_keyway "$1"; then
    case $2 in cross | codex | claude-code) echo openai && return ;; esac
  fi
  echo "$2"
}

# Text every good response body holds, in the client's protocol (checked during warm-ups).
expected_marker() {
  case "$1/$2" in
    openai/non-stream) echo '"chat.completion"' ;;
    openai/stream) echo 'data: [DONE]' ;;
    codex/non-stream) echo '"object":"response"' ;;
    codex/stream) echo 'event: response.completed' ;;
    */non-stream) echo '"type":"message"' ;;
    */stream) echo 'message_stop' ;;
  esac
}

json_number() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" "$1" | head -n 1; }

# run_wrk PHASE TARGET PROTOCOL MODE CONNECTIONS SECONDS
run_wrk() {
  local phase=$1 target=$2 protocol=$3 mode=$4 connections=$5 seconds=$6
  local name result expect="" key=$KEYWAY_UPSTREAM_KEY stream=0 probe_before=null probe_after=null
  local server_pid="" process_before=null process_after=null
  RUN_SEQ=$((RUN_SEQ + 1))
  name=$(printf '%03d-%s-%s-%s-%s-c%d' "$RUN_SEQ" "$phase" "$target" "$protocol" "$mode" "$connections")
  result="$RUNS_DIR/$name.wrk.json"
  [ "$phase" = warmup ] && expect=$(expected_marker "$(answer_protocol "$target" "$protocol")" "$mode")
  if is_keyway "$target"; then
    use_keyway "$target"
    key=$KEYWAY_KEY
    probe_before=$(probe_snapshot)
    server_pid=$KEYWAY_PID
  fi
  [ "$target" != nginx-proxy ] || server_pid=$PROXY_PID
  [ -z "$server_pid" ] || process_before=$(process_counters "$server_pid")
  [ "$mode" = stream ] && stream=1
  BENCH_MODEL=$(request_model "$target" "$protocol" "$mode") BENCH_STREAM=$stream BENCH_KEY=$key \
    BENCH_RESULT="$result" BENCH_EXPECT="$expect" \
    pinned "$LOAD_CPUS" wrk -t1 -c"$connections" -d"${seconds}s" --timeout 5s --latency \
    -s "$BENCH_DIR/wrk/$(client_script "$target" "$protocol")" "$(target_url "$target" "$protocol" "$mode")" \
    >"$RUNS_DIR/$name.txt" 2>&1 || { cat "$RUNS_DIR/$name.txt" >&2; die "wrk failed: $name"; }
  [ -s "$result" ] || { cat "$RUNS_DIR/$name.txt" >&2; die "wrk wrote no result: $name"; }
  [ -z "$server_pid" ] || process_after=$(process_counters "$server_pid")
  if is_keyway "$target"; then probe_after=$(probe_snapshot); fi
  printf '{"phase":"%s","target":"%s","protocol":"%s","mode":"%s","connections":%d,"seconds":%d,"wrk":%s,"probe":{"before":%s,"after":%s},"process":{"before":%s,"after":%s}}\n' \
    "$phase" "$target" "$protocol" "$mode" "$connections" "$seconds" "$(cat "$result")" \
    "$probe_before" "$probe_after" "$process_before" "$process_after" >"$RUNS_DIR/$name.json"
  if is_keyway "$target"; then
    KEYWAY_REQUESTS=$((KEYWAY_REQUESTS + $(json_number "$result" requests)))
    KEYWAY_INFLIGHT_BOUND=$((KEYWAY_INFLIGHT_BOUND + connections))
    save_keyway
  fi
  log "$(printf '%-7s %-11s %-9s %-10s c%-3d %9s req/s  p50 %6s µs  p99 %6s µs  errors %s  unexpected %s' \
    "$phase" "$target" "$protocol" "$mode" "$connections" "$(json_number "$result" requests_per_sec)" \
    "$(json_number "$result" p50)" "$(json_number "$result" p99)" "$(json_number "$result" total)" \
    "$(json_number "$result" unexpected_bodies)")"
  [ ! -e "$result.unexpected" ] || log "first unexpected response kept in $result.unexpected"
}

# The targets in the order round N measures them: reversed every other round, so that with --repeat no target always
# runs first, or always right after the same other one's load.
targets_in_turn() {
  local targets i
  read -r -a targets <<<"$TARGETS"
  if (($1 % 2 == 0)); then
    for ((i = ${#targets[@]} - 1; i >= 0; i--)); do echo "${targets[$i]}"; done
  else
    printf '%s\n' "${targets[@]}"
  fi
}

# For each protocol × mode: warm every target up at the largest connection count, then measure
# each connection count with the targets back to back (REPEAT rounds of them, the order reversed every other
# round), so drift over time hits them alike.
run_all_scenarios() {
  local protocol mode connections target max_connections=0
  for connections in $CONNECTIONS_LIST; do
    [ "$connections" -gt "$max_connections" ] && max_connections=$connections
  done
  # Every Keyway path is exercised once before any measurement, so JIT tiering is over for all of them: measured
  # without this, whichever scenario came first after start-up was 200-500 µs slower at one connection.
  for protocol in $PROTOCOLS; do
    for mode in $MODES; do
      for target in $TARGETS; do
        if is_keyway "$target"; then
          run_wrk warmup "$target" "$protocol" "$mode" "$max_connections" "$KEYWAY_JIT_WARMUP_SECONDS"
        fi
      done
    done
  done
  for protocol in $PROTOCOLS; do
    for mode in $MODES; do
      for target in $TARGETS; do
        run_wrk warmup "$target" "$protocol" "$mode" "$max_connections" "$WARMUP_SECONDS"
      done
      for connections in $CONNECTIONS_LIST; do
        for ((round = 1; round <= REPEAT; round++)); do
          for target in $(targets_in_turn "$round"); do
            run_wrk measure "$target" "$protocol" "$mode" "$connections" "$DURATION_SECONDS"
          done
        done
      done
    done
  done
}
