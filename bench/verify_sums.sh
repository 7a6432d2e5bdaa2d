#!/usr/bin/env bash
# Benchmark: `gotrust verify sums` vs golang.org/x/mod's gosumcheck against the lab's checksum
# database, for a go.sum of 2 lines per module (N modules, default 1,000 -> 2,000 lines).
# Cold: empty caches (gotrust's tree head, tiles and lookups). Warm: gotrust's caches filled by
# a previous run (gosumcheck keeps no cache, so its warm run equals its cold run). ROUNDS
# (default 11) rounds of the three, medians and peak RSS; needs python3.
# Everything runs on loopback; the lab is `gotrust lab serve`. gosumcheck is built with the
# oracle's module cache (target/xmod-oracle/modcache, golang.org/x/mod v0.43.0) into
# target/bench; its code is never committed. Needs: cargo, go, python3.
set -euo pipefail
N=${N:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/bench/verify_sums
rm -rf "$WORK"; mkdir -p "$WORK/modules" "$WORK/state" "$WORK/cache"

if [ -z "${GOTRUST:-}" ]; then
  cargo build --release -p gotrust-cli --manifest-path "$ROOT/Cargo.toml" >/dev/null
  GOTRUST=$TARGET/release/gotrust
fi

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
# LATENCY=MS adds that many milliseconds to every answer of the lab (a `latency` fault), so
# the figures show how the request waves scale with a real network's round trip.
LATENCY=${LATENCY:-0}
FAULT=()
[ "$LATENCY" != 0 ] && FAULT=(--fault "latency=${LATENCY}ms")
"$GOTRUST" --format json lab serve --modules "$WORK/modules" --state "$WORK/state" "${FAULT[@]}" > "$WORK/lab.json" &
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
echo "go.sum: $LINES lines, database $SUMDB, lab latency ${LATENCY} ms per answer"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

ROUNDS=${ROUNDS:-11}
# The rounds run from one python process: wall time from a monotonic clock around each run
# (GNU time's %e has 10 ms steps, coarser than a warm run) and peak RSS from wait4's rusage.
python3 - "$WORK" "$LINES" "$ROUNDS" "$GOSUMCHECK" "$VKEY" "$SUMDB" "$PROXY" "$GOTRUST" "$PATH" <<'PY'
import os, shutil, statistics, subprocess, sys, time
work, lines, rounds, gosumcheck, vkey, sumdb, proxy, gotrust, path = sys.argv[1:]
cache = os.path.join(work, "cache")
gotrust_cmd = [gotrust, "--go", "never", "verify", "sums", os.path.join(work, "go.sum")]
gotrust_env = {"HOME": work, "PATH": path, "GOTRUST_CACHE_DIR": cache, "GOPROXY": proxy,
               "GOSUMDB": f"{vkey} {sumdb}", "GONOSUMDB": "", "GOPRIVATE": ""}
gosumcheck_cmd = [gosumcheck, "-k", vkey, "-u", sumdb, os.path.join(work, "go.sum")]

def run(cmd, env=None, check=None):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if check and not check(p.returncode, out):
        sys.exit(f"{cmd[0]} failed (exit {p.returncode}):\n{out.decode(errors='replace')}")
    return secs, ru.ru_maxrss / 1024

gotrust_ok = lambda rc, out: rc == 0 and f"{lines} verified".encode() in out
gosumcheck_ok = lambda rc, out: rc == 0 and not out.strip()
res = {"gotrust cold": [], "gotrust warm": [], "gosumcheck": []}
print(f"{'round':<6} {'gotrust cold':>14} {'gotrust warm':>14} {'gosumcheck':>14}")
for r in range(1, int(rounds) + 1):
    shutil.rmtree(cache, ignore_errors=True)
    res["gotrust cold"].append(run(gotrust_cmd, gotrust_env, gotrust_ok))
    res["gotrust warm"].append(run(gotrust_cmd, gotrust_env, gotrust_ok))
    res["gosumcheck"].append(run(gosumcheck_cmd, None, gosumcheck_ok))
    print(f"{r:<6} " + " ".join(f"{res[k][-1][0] * 1000:11.1f} ms" for k in res))
med = {k: statistics.median(s for s, _ in v) for k, v in res.items()}
rss = {k: max(m for _, m in v) for k, v in res.items()}
print(f"{'median':<6} " + " ".join(f"{med[k] * 1000:11.1f} ms" for k in res))
print(f"{'peak':<6} " + " ".join(f"{rss[k]:10.1f} MiB" for k in res))
print(f"gotrust cold is {med['gosumcheck'] / med['gotrust cold']:.1f}x faster than gosumcheck, "
      f"warm {med['gosumcheck'] / med['gotrust warm']:.1f}x (medians of {rounds} rounds)")
PY
