#!/usr/bin/env bash
# Release build (issues 13 and 8): a `keyway` binary per Linux architecture that needs no .NET on the target machine.
# The build machine's own architecture gets a Native AOT binary (`dotnet publish` with the project's PublishAot:
# native code, no JIT, about half the memory of the JIT build) with the SQLite native library beside it
# (libe_sqlite3.so, loaded from the binary's directory). Other architectures cannot be compiled ahead of time here
# (that needs their linker and system libraries), so they get a self-contained single-file JIT build with SQLite
# bundled inside and extracted on first start. Writes dist/<rid>/ plus dist/<rid>/SHA256SUMS and prints each binary's
# size; for the machine's own architecture it also starts the binary (--starts times, default 2) and prints how long
# each start took until the listening banner. With --check it first runs the smoke check CI runs (tools/test.sh):
# the published binary can break where the dev build works (an embedded resource, the UI, trimmed-away code).
set -euo pipefail
shopt -s inherit_errexit

usage() {
  cat <<'USAGE'
usage: tools/release.sh [--rid RID]... [--out DIR] [--starts N] [--check]
  --rid RID   a runtime identifier to build (repeatable; default: linux-x64 and linux-arm64)
  --out DIR   where the binaries go (default: dist/)
  --starts N  timed starts of the machine's own binary (default 2; the first also extracts the native library)
  --check     smoke-check the machine's own binary: --version, serve, /health, the admin UI, an admin API call,
              `status` and a clean SIGTERM; exits non-zero on any failure
USAGE
}

cd "$(dirname "$0")/.."
RIDS=()
OUT=dist
STARTS=2
CHECK=false
while [ $# -gt 0 ]; do
  case $1 in
    --rid) RIDS+=("$2"); shift ;;
    --out) OUT=$2; shift ;;
    --starts) STARTS=$2; shift ;;
    --check) CHECK=true ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
[ ${#RIDS[@]} -gt 0 ] || RIDS=(linux-x64 linux-arm64)

case $(uname -m) in
  x86_64) NATIVE_RID=linux-x64 ;;
  aarch64) NATIVE_RID=linux-arm64 ;;
  *) NATIVE_RID="" ;;
esac

# Starts `binary serve` in the throw-away dir $1 (its data dir and bundle-extraction dir inside) on a free loopback
# port; sets SERVED_PID, SERVED_ADDRESS (from the banner) and SERVED_MS (start → "listening on" banner).
serve_in() {
  local work=$1 binary=$2 started
  started=$(date +%s%N)
  (cd "$work" && HOME="$work" DOTNET_BUNDLE_EXTRACT_BASE_DIR="$work/extract" KEYWAY_DATA_DIR="$work/data" KEYWAY_PORT=0 \
    KEYWAY_ADMIN_TOKEN="$CHECK_TOKEN" KEYWAY_LOG_LEVEL=warning exec "$binary" serve) >"$work/out.log" 2>&1 &
  SERVED_PID=$!
  SERVED_ADDRESS=""
  local deadline=$((SECONDS + 180))
  while [ -z "$SERVED_ADDRESS" ] && [ "$SECONDS" -lt "$deadline" ] && kill -0 "$SERVED_PID" 2>/dev/null; do
    sleep 0.01
    SERVED_ADDRESS=$(sed -n 's/^Keyway .* listening on \(http:[^ ]*\).*/\1/p' "$work/out.log")
  done
  SERVED_MS=$((($(date +%s%N) - started) / 1000000))
  [ -n "$SERVED_ADDRESS" ] || { echo "the binary printed no listening banner:" >&2; cat "$work/out.log" >&2; return 1; }
}

# Stops the served binary with SIGTERM; fails when it does not exit 0 (a crash in shutdown, say).
stop_served() {
  local status=0
  kill -TERM "$SERVED_PID" 2>/dev/null || true
  wait "$SERVED_PID" || status=$?
  SERVED_PID=""
  [ "$status" -eq 0 ] || { echo "the binary exited $status after SIGTERM" >&2; return 1; }
}

CHECK_TOKEN=release-check-admin-token
SERVED_PID=""
WORK_DIRS=()
# A failed step exits the script (errexit): the server it started and the throw-away dirs go with it.
trap '[ -z "$SERVED_PID" ] || kill -TERM "$SERVED_PID" 2>/dev/null; rm -rf "${WORK_DIRS[@]}"' EXIT

# Prints ms from start to the listening banner, in a fresh data dir (the first start of a build also extracts).
measure_start() {
  local work
  work=$(mktemp -d)
  WORK_DIRS+=("$work")
  serve_in "$work" "$1"
  stop_served
  rm -rf "$work"
  echo "$SERVED_MS"
}

# What a first user of the binary does, each step failing the check: the version, a start, /health, the admin UI
# page and one of its scripts (embedded resources), an admin API call (source-generated JSON, the migrations),
# `keyway status` against the running server, and a clean stop. The start is made with a soft limit of open files of
# 512, which the binary raises to the hard one (Cli/OpenFileLimit.cs: Native AOT has no runtime that does it), and a
# start under a hard limit of 256 must be refused in one line, exit 2.
smoke_check() {
  local binary=$1 work version health page groups status hard soft refusal
  work=$(mktemp -d)
  WORK_DIRS+=("$work")
  version=$(HOME="$work" DOTNET_BUNDLE_EXTRACT_BASE_DIR="$work/extract" "$binary" --version)
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || fail_check "--version printed '$version'"
  refusal=$(cd "$work" && HOME="$work" DOTNET_BUNDLE_EXTRACT_BASE_DIR="$work/extract" KEYWAY_DATA_DIR="$work/refused" KEYWAY_PORT=0 \
    KEYWAY_ADMIN_TOKEN="$CHECK_TOKEN" timeout 60 bash -c 'ulimit -n 256 && exec "$0" serve' "$binary" 2>&1) && status=0 || status=$?
  [[ $status -eq 2 && $refusal == "keyway: could not start: Keyway may open at most 256 files, fewer than the 1024 it needs to serve"* ]] ||
    fail_check "a start under \`ulimit -n 256\` exited $status: $refusal"
  hard=$(ulimit -Hn)
  [[ $hard =~ ^[0-9]+$ ]] && ((hard >= 1024)) || fail_check "this shell's hard limit of open files is $hard, below the 1024 a gateway needs"
  ulimit -Sn 512
  serve_in "$work" "$binary"
  ulimit -Sn "$hard"
  soft=$(awk '/^Max open files/ {print $4}' "/proc/$SERVED_PID/limits")
  [ "$soft" = "$hard" ] || fail_check "the served binary kept a soft limit of open files of $soft (hard: $hard)"
  health=$(curl -fsS --max-time 10 "$SERVED_ADDRESS/health") || fail_check "/health did not answer"
  [[ $health == *'"ok":true'* ]] || fail_check "/health answered $health"
  page=$(curl -fsS --max-time 10 "$SERVED_ADDRESS/") || fail_check "the admin UI page did not answer"
  [[ $page == *'<title>Keyway admin</title>'* ]] || fail_check "the admin UI page is not the admin UI"
  curl -fsS --max-time 10 -o /dev/null "$SERVED_ADDRESS/ui/app.js" || fail_check "the admin UI script is missing"
  groups=$(curl -fsS --max-time 10 -H "X-Admin-Token: $CHECK_TOKEN" "$SERVED_ADDRESS/admin/llm/groups") || fail_check "the admin API did not answer"
  [[ $groups == *'"group_id":"default"'* ]] || fail_check "the admin API answered $groups"
  status=$(cd "$work" && HOME="$work" DOTNET_BUNDLE_EXTRACT_BASE_DIR="$work/extract" KEYWAY_DATA_DIR="$work/data" \
    KEYWAY_ADMIN_TOKEN="$CHECK_TOKEN" "$binary" status --json) || fail_check "keyway status exited $?: $status"
  [[ $status =~ \"running\":\ *true ]] || fail_check "keyway status said $status"
  stop_served
  echo "release check passed: $version, listening ${SERVED_MS} ms after start"
}

fail_check() {
  echo "release check failed: $1" >&2
  [ -z "${work:-}" ] || cat "$work/out.log" >&2 2>/dev/null || true
  exit 1
}

for rid in "${RIDS[@]}"; do
  rm -rf "${OUT:?}/$rid"
  if [ "$rid" = "$NATIVE_RID" ]; then
    echo "publishing $rid (Native AOT)"
    dotnet publish src/Keyway -c Release -r "$rid" -o "$OUT/$rid" -nologo -v q -p:DebugType=none -p:StripSymbols=true \
      -p:GenerateDocumentationFile=false
  else
    echo "publishing $rid (self-contained single file: Native AOT is only built for the machine's own architecture)"
    dotnet publish src/Keyway -c Release -r "$rid" --self-contained true -o "$OUT/$rid" -nologo -v q -p:PublishAot=false \
      -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none -p:GenerateDocumentationFile=false
  fi
  rm -f "$OUT/$rid"/*.json "$OUT/$rid"/*.pdb "$OUT/$rid"/*.dbg
  (cd "$OUT/$rid" && sha256sum -- * >SHA256SUMS)
  size=$(stat -c %s "$OUT/$rid/keyway")
  echo "$rid: $OUT/$rid/keyway, $((size / 1024 / 1024)) MiB ($size bytes); $(cd "$OUT/$rid" && ls | grep -v SHA256SUMS | tr '\n' ' ')"
  if [ "$rid" = "$NATIVE_RID" ]; then
    binary=$(realpath "$OUT/$rid/keyway")
    if [ "$CHECK" = true ]; then
      smoke_check "$binary"
    fi
    # The first start of a build also creates the data dir and its secret; later ones are what a restart costs.
    times=()
    for _ in $(seq 1 "$STARTS"); do times+=("$(measure_start "$binary")"); done
    [ "${#times[@]}" -eq 0 ] || echo "$rid: start to listening banner (ms): ${times[*]}"
  fi
done
