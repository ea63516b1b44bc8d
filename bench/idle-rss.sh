#!/usr/bin/env bash
# Where Keyway's idle RSS goes (issue 8, target <= 80 MB). Starts the existing Release build exactly as bench/run.sh
# does (same environment, same taskset, the nginx fake upstream), does the bench's admin set-up (providers, routes,
# one issued key), waits 1 s as measure_keyway_idle does, and prints VmRSS, RssAnon, RssFile, the largest mappings
# (from /proc/PID/smaps, by Rss) and how many managed assemblies are mapped; then stops everything. Builds nothing:
# run `bash bench/run.sh --quick` first (it publishes the Native AOT binary), or `dotnet build src/Keyway -c Release`
# for --jit. Runtime knobs to compare go in the environment, e.g.
# `DOTNET_TieredCompilation=0 bash bench/idle-rss.sh`; they reach Keyway as they would through bench/run.sh.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/idle-rss.sh [options]
  --runs N              start, set up and measure Keyway N times (default 3)
  --top N               mappings to list per run, largest Rss first (default 15)
  --jit                 measure the JIT build (`dotnet src/Keyway/bin/Release/net10.0/keyway.dll`) instead of
                        the Native AOT binary (src/Keyway/bin/Release/aot/keyway)
  --keyway-cmd "CMD …"  start this command instead
environment: SERVER_CPUS (default 0) chooses the taskset CPU list, as for bench/run.sh.
EOF
}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
source "$BENCH_DIR/lib/common.sh"
source "$BENCH_DIR/lib/nginx.sh"
source "$BENCH_DIR/lib/keyway.sh"
source "$BENCH_DIR/lib/load.sh"

RUNS=3
TOP=15
PROBE=0

while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift ;;
    --top) TOP=$2; shift ;;
    --jit) use_jit_build ;;
    --keyway-cmd) read -ra KEYWAY_COMMAND <<<"$2"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
for value in $RUNS $TOP; do
  [[ $value =~ ^[1-9][0-9]*$ ]] || die "not a positive whole number: $value"
done
[[ ${KEYWAY_COMMAND[0]} != */* ]] || KEYWAY_COMMAND[0]=$(realpath "${KEYWAY_COMMAND[0]}")
[ -e "${KEYWAY_COMMAND[-1]}" ] || die "no ${KEYWAY_COMMAND[-1]}: build it first (see the top of this script)"

RUN_DIR=$(mktemp -d /tmp/keyway-idle-rss.XXXXXX)
on_exit() {
  local status=$?
  stop_all
  rm -rf "$RUN_DIR"
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tools nginx:nginx taskset:util-linux curl:curl python3:python3
choose_cpus
start_upstream

# Prints smaps_rollup's totals, the largest mappings of smaps by Rss (summed per file) and the managed assemblies mapped.
print_mappings() {
  python3 - "$1" "$TOP" <<'EOF'
import collections, sys
pid, top = sys.argv[1], int(sys.argv[2])
rollup = dict(line.split()[:2] for line in open(f"/proc/{pid}/smaps_rollup") if line.split()[0].endswith(":"))
print("  rollup: " + ", ".join(f"{key[:-1]} {int(rollup[key]) / 1024:.1f} MB"
      for key in ("Pss:", "Shared_Clean:", "Private_Clean:", "Private_Dirty:", "Anonymous:")))
rss = collections.Counter()
name = None
for line in open(f"/proc/{pid}/smaps"):
    fields = line.split()
    if "-" in fields[0] and not fields[0].endswith(":"):
        name = fields[5] if len(fields) > 5 else "[anonymous]"
    elif fields[0] == "Rss:":
        rss[name] += int(fields[1])
for name, kb in rss.most_common(top):
    print(f"  {kb / 1024:6.1f} MB  {name}")
assemblies = {name for name in rss if name.endswith(".dll")}
print(f"  managed assemblies mapped: {len(assemblies)} .dll files (0 for a single-file binary: they are inside it)")
EOF
}

for ((run = 1; run <= RUNS; run++)); do
  new_keyway keyway
  start_keyway
  configure_keyway
  measure_keyway_idle
  # MB as report.py prints them (kB / 1024); RssShmem is mostly the JIT's code (memfd:doublemapper).
  awk -v run="$run" -v vm="$KEYWAY_RSS_IDLE_KB" -v anon="$(proc_status_kb "$KEYWAY_PID" RssAnon)" \
    -v file="$(proc_status_kb "$KEYWAY_PID" RssFile)" -v shmem="$(proc_status_kb "$KEYWAY_PID" RssShmem)" \
    -v threads="$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$KEYWAY_PID/status")" 'BEGIN {
      printf "run %d: VmRSS %.1f MB (%d kB), RssAnon %.1f MB, RssFile %.1f MB, RssShmem %.1f MB, threads %d\n",
        run, vm / 1024, vm, anon / 1024, file / 1024, shmem / 1024, threads }'
  print_mappings "$KEYWAY_PID"
  stop_process "$KEYWAY_PID" 15
  rm -rf "$KEYWAY_DATA_DIR" # the next run starts from scratch, with a new secret
done
