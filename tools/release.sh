#!/usr/bin/env bash
# Release build (issue 13): one self-contained single-file `keyway` binary per Linux architecture, made with
# `dotnet publish` (no .NET needed on the target machine; the SQLite native library is bundled inside and
# extracted on first start). Writes dist/<rid>/keyway plus dist/<rid>/keyway.sha256 and prints each binary's
# size; for the machine's own architecture it also starts the binary once and prints how long it took until
# /health answered.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tools/release.sh [--rid RID]... [--out DIR]
  --rid RID   a runtime identifier to build (repeatable; default: linux-x64 and linux-arm64)
  --out DIR   where the binaries go (default: dist/)
USAGE
}

cd "$(dirname "$0")/.."
RIDS=()
OUT=dist
while [ $# -gt 0 ]; do
  case $1 in
    --rid) RIDS+=("$2"); shift ;;
    --out) OUT=$2; shift ;;
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

# Starts the binary with a throw-away data dir on a free loopback port; prints ms until /health answered.
measure_start() {
  local binary=$1 data port pid started elapsed=""
  data=$(mktemp -d)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  started=$(date +%s%N)
  (cd "$data" && KEYWAY_DATA_DIR="$data/data" KEYWAY_PORT="$port" KEYWAY_LOG_LEVEL=warning exec "$binary" serve) >"$data/out.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/health" 2>/dev/null; then
      elapsed=$((($(date +%s%N) - started) / 1000000))
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  [ -n "$elapsed" ] || { echo "the binary did not answer /health" >&2; return 1; }
  echo "$elapsed"
}

for rid in "${RIDS[@]}"; do
  echo "publishing $rid"
  dotnet publish src/Keyway -c Release -r "$rid" --self-contained true -o "$OUT/$rid" -nologo -v q \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none -p:GenerateDocumentationFile=false
  (cd "$OUT/$rid" && sha256sum keyway >keyway.sha256)
  size=$(stat -c %s "$OUT/$rid/keyway")
  echo "$rid: $OUT/$rid/keyway, $((size / 1024 / 1024)) MiB ($size bytes)"
  if [ "$rid" = "$NATIVE_RID" ]; then
    # The first start extracts the bundled native library; the second is what a restart costs.
    echo "$rid: first start to /health $(measure_start "$(realpath "$OUT/$rid/keyway")") ms, second $(measure_start "$(realpath "$OUT/$rid/keyway")") ms"
  fi
done
