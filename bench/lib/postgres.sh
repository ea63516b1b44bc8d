# PostgreSQL for the KEYWAY-PG target (--postgres): a throw-away cluster from tools/pg-cluster.sh (initdb + pg_ctl as
# an unprivileged user on a free loopback port, fsync off like the tests' cluster), pinned to PG_CPUS (default: wrk's
# CPU, not Keyway's), removed on exit. Installs Debian's postgresql when its binaries are missing.

PG_DIR=""
POSTGRES_URL=""

pg_bin() { bash "$REPO_DIR/tools/pg-cluster.sh" bin; }

start_postgres() {
  pg_bin >/dev/null || ensure_tools initdb:postgresql
  pg_bin >/dev/null || die "no PostgreSQL binaries under /usr/lib/postgresql after installing postgresql"
  # Outside RUN_DIR: the cluster runs as an unprivileged user, who cannot enter a root-only temp dir.
  PG_DIR=$(mktemp -d /tmp/keyway-bench-pg.XXXXXX)
  bash "$REPO_DIR/tools/pg-cluster.sh" start "$PG_DIR" >/dev/null || die "the PostgreSQL cluster did not start (see $PG_DIR)"
  # Every backend is forked from the postmaster and inherits its CPU list.
  [ -z "$PG_CPUS" ] || taskset -apc "$PG_CPUS" "$(head -n 1 "$PG_DIR/data/postmaster.pid")" >/dev/null
  POSTGRES_URL="postgres://keyway@127.0.0.1:$(cat "$PG_DIR/port")/postgres"
  log "PostgreSQL $("$(pg_bin)/postgres" --version | awk '{print $3}') on 127.0.0.1:$(cat "$PG_DIR/port")"
}

count_postgres_log_rows() {
  "$(pg_bin)/psql" "$POSTGRES_URL" -Atc 'SELECT COUNT(*) FROM request_logs;'
}

# Keeps the server log next to the others, then stops the cluster and removes its directory.
stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  cp "$PG_DIR/server.log" "$RUN_DIR/postgres.log" 2>/dev/null || true
  bash "$REPO_DIR/tools/pg-cluster.sh" stop "$PG_DIR" || log "could not stop the PostgreSQL cluster in $PG_DIR"
  PG_DIR=""
}
