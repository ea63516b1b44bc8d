# Starts the two nginx instances (the fake upstream and the bare proxy hop) from the templates in
# bench/nginx/, each with its own config, pid, log and temp paths under RUN_DIR, in the foreground
# (daemon off) as a background job of ours, so the exit trap can stop it by pid.

# The canned files are copied next to the configs: nginx workers drop root privileges and may
# not be allowed to read the work tree.
prepare_upstream_files() {
  UPSTREAM_FILES_DIR="$RUN_DIR/upstream-files"
  mkdir -p "$UPSTREAM_FILES_DIR"
  cp "$BENCH_DIR"/upstream/* "$UPSTREAM_FILES_DIR/"
  chmod 755 "$RUN_DIR" "$UPSTREAM_FILES_DIR"
  chmod 644 "$UPSTREAM_FILES_DIR"/*
}

# render_nginx_config NAME PORT → path of the rendered config
render_nginx_config() {
  local name=$1 port=$2 config="$RUN_DIR/$1.conf"
  mkdir -p "$RUN_DIR/$name-temp"
  sed -e "s|@RUN_DIR@|$RUN_DIR|g" \
      -e "s|@FILES_DIR@|$UPSTREAM_FILES_DIR|g" \
      -e "s|@PORT@|$port|g" \
      -e "s|@UPSTREAM_PORT@|${UPSTREAM_PORT:-0}|g" \
      "$BENCH_DIR/nginx/$name.conf.template" >"$config"
  echo "$config"
}

# start_nginx NAME PORT → sets NGINX_PID; waits until a canned file answers through it
start_nginx() {
  local name=$1 port=$2 config
  config=$(render_nginx_config "$name" "$port")
  nginx -t -q -p "$RUN_DIR" -e "$RUN_DIR/$name-error.log" -c "$config" \
    || die "nginx rejected $config (see $RUN_DIR/$name-error.log)"
  pinned_exec "$SERVER_CPUS" nginx -p "$RUN_DIR" -e "$RUN_DIR/$name-error.log" -c "$config" \
    >>"$RUN_DIR/$name-error.log" 2>&1 &
  NGINX_PID=$!
  remember "$NGINX_PID" "nginx $name"
  wait_for_http "http://127.0.0.1:$port/openai/json/v1/chat/completions" "$NGINX_PID" 10 \
    || die "nginx $name did not come up on port $port (see $RUN_DIR/$name-error.log)"
  log "nginx $name listening on 127.0.0.1:$port (pid $NGINX_PID)"
}

start_upstream() {
  prepare_upstream_files
  UPSTREAM_PORT=$(free_port)
  start_nginx upstream "$UPSTREAM_PORT"
}

start_proxy() {
  PROXY_PORT=$(free_port)
  start_nginx proxy "$PROXY_PORT"
  PROXY_PID=$NGINX_PID
}
