#!/usr/bin/env bash
# Benchmark: `gotrust verify sums` vs golang.org/x/mod's gosumcheck against the lab's checksum
# database, for a go.sum of 2 lines per module (N modules, default 1,000 -> 2,000 lines).
# Cold: empty caches (gotrust's tree head, tiles and lookups). Warm: gotrust's caches filled by
# a previous run (gosumcheck keeps no cache, so its warm run equals its cold run).
# Everything runs on loopback; the lab is `gotrust lab serve`. gosumcheck is built from the module cache the x/mod oracle uses
# (target/xmod-oracle/modcache, golang.org/x/mod v0.43.0) into target/bench; its code is never
# committed. Needs: cargo, go, /usr/bin/time.
set -euo pipefail
N=${N:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/bench/verify_sums
rm -rf "$WORK"; mkdir -p "$WORK/modules" "$WORK/state" "$WORK/cache"

cargo build --release -p gotrust-cli --manifest-path "$ROOT/Cargo.toml" >/dev/null
GOTRUST=$TARGET/release/gotrust

# gosumcheck, built from the oracle's module cache (fetched by testkit on first use).
MODCACHE=$TARGET/xmod-oracle/modcache
if [ ! -d "$MODCACHE/golang.org/x/mod@v0.43.0" ]; then
  cargo test -p gomod --test dirhash_oracle --manifest-path "$ROOT/Cargo.toml" >/dev/null 2>&1 || true
fi
GOBIN=$TARGET/bench GOMODCACHE=$MODCACHE GOPROXY=https://proxy.golang.org GOFLAGS=-mod=mod GOTOOLCHAIN=local \
  GOCACHE=$TARGET/xmod-oracle/gocache go install golang.org/x/mod/gosumcheck@v0.43.0
GOSUMCHECK=$TARGET/bench/gosumcheck

# N generated lab modules (txtar fixtures).
for i in $(seq 1 "$N"); do
  printf -- '-- .mod --\nmodule bench.example/m%d\n-- go.mod --\nmodule bench.example/m%d\n-- m.go --\npackage m\n' "$i" "$i" \
    > "$WORK/modules/bench.example_m${i}_v1.0.0.txt"
done

# The lab server: `gotrust lab serve` over the generated modules, its state in $WORK/state.
"$GOTRUST" --format json lab serve --modules "$WORK/modules" --state "$WORK/state" > "$WORK/lab.json" &
LAB=$!
trap 'kill $LAB 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do [ -s "$WORK/lab.json" ] && break; sleep 0.2; done
PROXY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["proxy_url"])' "$WORK/lab.json")
SUMDB=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sumdb_url"])' "$WORK/lab.json")
VKEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verifier_key"])' "$WORK/lab.json")
# The go.sum: the database's own lines for every module (two per module), via its lookup endpoint.
python3 - "$SUMDB" "$N" > "$WORK/go.sum" <<'PY'
import sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, n = sys.argv[1], int(sys.argv[2])
def lines(i):
    body = urllib.request.urlopen(f"{base}/lookup/bench.example/m{i}@v1.0.0").read().decode()
    return [l for l in body.split("\n")[1:3]]
with ThreadPoolExecutor(16) as ex:
    for ls in ex.map(lines, range(1, n + 1)):
        for l in ls:
            print(l)
PY
LINES=$(wc -l < "$WORK/go.sum")
echo "go.sum: $LINES lines, database $SUMDB"

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "$WORK/out" 2>&1 || true
  read -r secs kb < <(tail -n 1 "$WORK/time")
  printf '%-28s %8.2f s %8.1f MiB\n' "$label" "$secs" "$(echo "$kb/1024" | bc -l)"
}
# /usr/bin/time runs commands, not shell functions: the gotrust command line as an array.
run_gotrust=(env -i HOME="$WORK" PATH="$PATH" GOTRUST_CACHE_DIR="$WORK/cache" GOPROXY="$PROXY"
  GOSUMDB="$VKEY $SUMDB" GONOSUMDB= GOPRIVATE= "$GOTRUST" --go never verify sums "$WORK/go.sum")
for r in 1 2 3; do
  rm -rf "$WORK/cache"
  measure "gotrust cold (run $r)" "${run_gotrust[@]}"
  grep -q "$LINES verified" "$WORK/out" || { cat "$WORK/out"; exit 1; }
  measure "gotrust warm (run $r)" "${run_gotrust[@]}"
  measure "gosumcheck (run $r)" "$GOSUMCHECK" -k "$VKEY" -u "$SUMDB" "$WORK/go.sum"
  [ ! -s "$WORK/out" ] || { cat "$WORK/out"; exit 1; }
done
