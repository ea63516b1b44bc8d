#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: `start DIR` runs initdb + pg_ctl as an unprivileged user (initdb
# refuses root) on a free loopback port inside DIR and prints the admin connection string; `stop DIR` stops it and
# removes DIR; `pause DIR` / `resume DIR` stop and restart the server without touching its data (the outage tests);
# `bin` prints the directory of the PostgreSQL binaries (exit 1 when none is installed).
set -euo pipefail

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

as_owner() {
  local dir="$1"; shift
  if [ "$(id -u)" -eq 0 ]; then
    local owner; owner="$(stat -c %U "$dir")"
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

cmd="${1:-}"; dir="${2:-}"
if [ "$cmd" = bin ]; then pg_bin; exit; fi
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|pause|resume DIR, or $0 bin" >&2; exit 2; }
bin="$(pg_bin)" || { echo "no PostgreSQL binaries under /usr/lib/postgresql" >&2; exit 3; }

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      user=postgres; id -u "$user" >/dev/null 2>&1 || user=nobody
      chown "$user" "$dir"
    fi
    port="$(free_port)"
    as_owner "$dir" "$bin/initdb" -D "$dir/data" -U keyway --auth=trust --locale=C.UTF-8 --encoding=UTF8 >"$dir/initdb.log" 2>&1
    as_owner "$dir" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
    echo "$port" >"$dir/port"
    echo "Host=127.0.0.1;Port=$port;Username=keyway;Database=postgres"
    ;;
  pause)
    as_owner "$dir" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    port="$(cat "$dir/port")"
    as_owner "$dir" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$dir" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop|pause|resume DIR, or $0 bin" >&2; exit 2 ;;
esac
