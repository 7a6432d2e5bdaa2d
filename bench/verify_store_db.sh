#!/usr/bin/env bash
# Benchmark: what a COLD checksum database costs `gotrust verify store`, beside `gotrust verify
# sums` on the same module versions. N generated modules (default 500) are served by
# `gotrust lab serve` (optionally with LATENCY milliseconds added to every answer), downloaded
# by the real go into a fresh GOMODCACHE, and then, with empty gotrust caches each time (and
# none of go's sumdb cache: GOPATH and GOMODCACHE of the runs are empty directories):
#   - `gotrust verify sums` of a go.sum holding both lines of every version,
#   - `gotrust verify store` of the download cache (the zips, go.mods and .infos go wrote).
# Each run's requests are counted from the lab's request log, by kind (lookup, tile, latest,
# other), with its wall time. ROUNDS (default 3) rounds, alternating; medians.
#
#   bench/verify_store_db.sh            N=2000 LATENCY=20 bench/verify_store_db.sh
# Needs: cargo, go, python3. GOTRUST=path/to/gotrust skips the release build.
set -euo pipefail
N=${N:-500}
ROUNDS=${ROUNDS:-3}
LATENCY=${LATENCY:-0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/bench/verify_store_db
rm -rf "$WORK"; mkdir -p "$WORK/modules" "$WORK/state"
if [ -z "${GOTRUST:-}" ]; then
  cargo build --release -p gotrust-cli --manifest-path "$ROOT/Cargo.toml" >/dev/null
  GOTRUST=$TARGET/release/gotrust
fi
for i in $(seq 1 "$N"); do
  printf -- '-- .mod --\nmodule bench.example/m%d\n-- go.mod --\nmodule bench.example/m%d\n-- m.go --\npackage m\n' "$i" "$i" \
    > "$WORK/modules/bench.example_m${i}_v1.0.0.txt"
done
FAULT=()
[ "$LATENCY" != 0 ] && FAULT=(--fault "latency=${LATENCY}ms")
"$GOTRUST" --format json lab serve --modules "$WORK/modules" --state "$WORK/state" "${FAULT[@]}" > "$WORK/lab.json" &
LAB=$!
trap 'kill $LAB 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do [ -s "$WORK/lab.json" ] && break; sleep 0.2; done
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/lab.json" "$1"; }
PROXY=$(field proxy_url); SUMDB=$(field sumdb_url); VKEY=$(field verifier_key)

# The real go fills the store (its download cache) from the lab.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GONOSUMDB= GOPRIVATE= GOENV=off
export GOPROXY=$PROXY GOSUMDB="$VKEY $SUMDB"
GOPATH=$WORK/gopath GOMODCACHE=$WORK/store HOME=$WORK \
  bash -c "seq -f 'bench.example/m%g@v1.0.0' 1 $N | xargs -n 200 go mod download"
# The go.sum of the same versions: the database's own lines (two per version).
python3 - "$SUMDB" "$N" > "$WORK/go.sum" <<'PY'
import sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, n = sys.argv[1], int(sys.argv[2])
def lines(i):
    body = urllib.request.urlopen(f"{base}/lookup/bench.example/m{i}@v1.0.0").read().decode()
    return body.split("\n")[1:3]
with ThreadPoolExecutor(16) as ex:
    for ls in ex.map(lines, range(1, n + 1)):
        print("\n".join(ls))
PY
echo "== $N versions ($(wc -l < "$WORK/go.sum") go.sum lines), lab latency ${LATENCY} ms per answer"
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

python3 - "$WORK" "$ROUNDS" "$GOTRUST" "$PROXY" "$VKEY" "$SUMDB" "$PATH" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time
work, rounds, gotrust, proxy, vkey, sumdb, path = sys.argv[1:]
log = os.path.join(work, "state", "requests.jsonl")
def fresh(d):
    shutil.rmtree(d, ignore_errors=True); os.makedirs(d); return d
def count():
    with open(log) as f:
        return sum(1 for _ in f)
def kinds(start):
    out = {"lookup": 0, "tile": 0, "latest": 0, "other": 0}
    with open(log) as f:
        for i, l in enumerate(f):
            if i < start:
                continue
            p = json.loads(l)["path"]
            k = "lookup" if "/lookup/" in p else "tile" if "/tile/" in p else "latest" if p.endswith("/latest") else "other"
            out[k] += 1
    return out
cmds = {
    "verify sums": ["verify", "sums", os.path.join(work, "go.sum")],
    "verify store": ["verify", "store", os.path.join(work, "store", "cache", "download"),
                     "--output", os.path.join(work, "store.jsonl")],
}
res = {k: [] for k in cmds}
for r in range(int(rounds)):
    for name, args in cmds.items():
        env = {"PATH": path, "HOME": fresh(os.path.join(work, "home")),
               "GOTRUST_CACHE_DIR": fresh(os.path.join(work, "cache")),
               "GOPATH": fresh(os.path.join(work, "gp")), "GOMODCACHE": fresh(os.path.join(work, "mc")),
               "GOPROXY": proxy, "GOSUMDB": f"{vkey} {sumdb}", "GONOSUMDB": "", "GOPRIVATE": "",
               "GOFLAGS": "", "GOTOOLCHAIN": "local"}
        try:
            os.remove(os.path.join(work, "store.jsonl"))
        except FileNotFoundError:
            pass
        start = count()
        t0 = time.perf_counter()
        p = subprocess.run([gotrust, "--go", "never", "-q"] + args, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        secs = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit(f"{name} failed (exit {p.returncode}):\n{p.stdout.decode(errors='replace')[-2000:]}")
        time.sleep(0.2)  # the lab appends its log after answering
        res[name].append((secs, kinds(start)))
        k = res[name][-1][1]
        print(f"round {r + 1} {name:12} {secs:7.3f} s  requests: {sum(k.values())} {k}", flush=True)
print("| command | requests (lookups / tiles / latest / other) | wall time (median) |")
print("|---|---|---|")
for name, v in res.items():
    k = v[-1][1]
    print(f"| `{name}` | {sum(k.values())} ({k['lookup']} / {k['tile']} / {k['latest']} / {k['other']}) | "
          f"{statistics.median(s for s, _ in v):.3f} s |")
PY
