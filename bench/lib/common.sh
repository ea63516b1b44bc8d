# Helpers shared by the benchmark driver: logging, tools, free ports, CPU placement, and the
# registry of started processes that the exit trap stops. Sourced by bench/run.sh.

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# TEXT as the inside of a JSON string (backslashes and quotes escaped).
json_text() { local text=${1//\\/\\\\}; printf '%s' "${text//\"/\\\"}"; }

# Installs the Debian packages that provide missing commands (command:package pairs).
# RUNLEVEL=1 keeps Debian's nginx package from starting its own nginx on port 80.
ensure_tools() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing from Debian: ${missing[*]}"
  $sudo apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Servers share SERVER_CPUS, wrk gets LOAD_CPUS, so the load generator never steals the
# servers' core and runs are comparable. One CPU: no pinning at all (printed as such).
choose_cpus() {
  CPU_COUNT=$(nproc)
  CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  if [ "$CPU_COUNT" -ge 2 ]; then
    SERVER_CPUS=${SERVER_CPUS:-0}
    LOAD_CPUS=${LOAD_CPUS:-1}
    # PostgreSQL is another machine in a scale-out set-up; on the servers' one core a saturated Keyway left it ~7% of
    # the CPU, and what was measured was its starvation (bench/RESULTS.md, 2026-12-02 16:20).
    PG_CPUS=${PG_CPUS:-$LOAD_CPUS}
  else
    SERVER_CPUS=""
    LOAD_CPUS=""
    PG_CPUS=""
  fi
  LOAD_AVERAGE=$(cut -d ' ' -f 1 /proc/loadavg)
  CLOCK_TICKS=$(getconf CLK_TCK)
  log "machine: $CPU_COUNT CPUs, ${CPU_MODEL:-unknown model}; servers on CPU ${SERVER_CPUS:-any}, wrk on CPU ${LOAD_CPUS:-any}, PostgreSQL (--postgres) on CPU ${PG_CPUS:-any}; load average $LOAD_AVERAGE"
  if awk -v load="$LOAD_AVERAGE" 'BEGIN { exit !(load > 0.5) }'; then
    log "WARNING: the machine is busy (load average $LOAD_AVERAGE); latency numbers will be noisy"
  fi
}

pinned() {
  local cpus=$1
  shift
  if [ -n "$cpus" ]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

# For background jobs: "pinned_exec CPUS cmd… &" replaces the forked shell with the command,
# so $! is the server's own pid (not a shell's) and signals reach it directly.
pinned_exec() {
  local cpus=$1
  shift
  if [ -n "$cpus" ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

# STARTED holds "pid:name" for every background process we own; stop_all stops them in reverse order.
STARTED=()

remember() { STARTED+=("$1:$2"); }

forget() {
  local keep=() entry
  for entry in "${STARTED[@]}"; do
    [ "${entry%%:*}" = "$1" ] || keep+=("$entry")
  done
  STARTED=("${keep[@]}")
}

# Stops PID and then whatever of its process tree outlived it: a wrapper given to --keyway-cmd (strace, env, a shell)
# may end on SIGTERM without passing it on, and its Keyway would go on running into the next measurement.
stop_process() {
  local pid=$1 grace=${2:-15} tree member
  kill -0 "$pid" 2>/dev/null || { forget "$pid"; return 0; }
  tree=$(process_tree "$pid")
  terminate "$pid" "$grace"
  wait "$pid" 2>/dev/null || true
  for member in $tree; do
    [ "$member" = "$pid" ] || terminate "$member" "$grace"
  done
  forget "$pid"
}

# Sends SIGTERM (graceful for Keyway, fast shutdown for nginx), waits up to $2 seconds, then SIGKILL.
terminate() {
  local pid=$1 grace=$2 waited=0
  running "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while running "$pid" && [ "$waited" -lt $((grace * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if running "$pid"; then
    log "process $pid did not stop within ${grace}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

# A process that has exited but is not reaped yet (its parent gone) is not running.
running() {
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 1)
  [ -n "$state" ] && [ "$state" != Z ]
}

stop_all() {
  local i entry
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    entry=${STARTED[$i]}
    log "stopping ${entry#*:} (pid ${entry%%:*})"
    stop_process "${entry%%:*}" 15
  done
}

# Polls a URL until it answers 2xx; fails early when the process behind it has exited.
wait_for_http() {
  local url=$1 pid=$2 timeout_s=$3 deadline
  deadline=$(($(date +%s) + timeout_s))
  until curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.02
  done
}

proc_status_kb() {
  sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"
}

# The process PID and its descendants (a Keyway started under perf or env, nginx's workers).
process_tree() {
  local child
  echo "$1"
  for child in $(pgrep -P "$1"); do process_tree "$child"; done
}

# One JSON object: the CPU time (user + system, ms) of PID's process tree so far, and the context switches (voluntary
# and involuntary) of each of its threads by thread id: a thread that ends takes its count with it, so a run's
# switches are summed over the threads alive at its end. Taken before and after a wrk run, per request they say what
# one call cost the server's core and how often its threads went to sleep and were woken: at one connection the
# switches, not the work on the bytes, are a large part of the added latency on this VM, and their count does not
# drift with its phases the way timings (CPU time included) do. Keyway's request-log writer thread (keyway-log-writ)
# is counted on its own as well, so the report can say what logging every request costs.
process_counters() {
  local pid ticks=0 writer_ticks=0 threads=""
  for pid in $(process_tree "$1"); do
    ticks=$((ticks + $(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{t += $12 + $13} END {print t + 0}')))
    writer_ticks=$((writer_ticks + $(grep -lx 'keyway-log-writ' "/proc/$pid"/task/*/comm 2>/dev/null \
      | sed 's|/comm$|/stat|' | xargs -r sed 's/^.*) //' 2>/dev/null | awk '{t += $12 + $13} END {print t + 0}')))
    threads+=$(awk '/^Pid:/ {tid = $2} /ctxt_switches/ {n[tid] += $2} END {for (t in n) printf "\"%s\":%d,", t, n[t]}' \
      "/proc/$pid"/task/*/status 2>/dev/null)
  done
  printf '{"cpu_ms":%d,"log_writer_cpu_ms":%d,"context_switches":{%s}}' $((ticks * 1000 / CLOCK_TICKS)) \
    $((writer_ticks * 1000 / CLOCK_TICKS)) "${threads%,}"
}
