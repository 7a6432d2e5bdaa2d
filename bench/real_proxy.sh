#!/usr/bin/env bash
# Benchmark against the REAL network: `gotrust verify proxy` on a real project's go.sum vs
# `go mod download` of the same project (both fetch the same bytes from proxy.golang.org;
# gotrust also hashes them, checks the zips as go does, proves every record in the checksum
# database, reads @v/list and asks for a version that cannot exist).
#
#   bench/real_proxy.sh [ROUNDS] [MODULE@VERSION]   (default 5, prometheus v0.316.0)
#
# Cold each time: empty GOMODCACHE/GOPATH for go, empty gotrust cache. Alternating, wall time
# and peak RSS. Modules a filter in front of the proxy refuses (403/400) are reported by both
# and never fatal. Needs: cargo, go, python3. Nothing here runs in the test suite.
set -euo pipefail
ROUNDS=${1:-5}
MV=${2:-github.com/prometheus/prometheus@v0.316.0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/bench/real_proxy
mkdir -p "$WORK"
# GOTRUST=path/to/gotrust skips the build (to time a binary built earlier).
if [ -z "${GOTRUST:-}" ]; then
  cargo build --release -p gotrust-cli --manifest-path "$ROOT/Cargo.toml" >/dev/null
  GOTRUST=$TARGET/release/gotrust
fi
export GOTOOLCHAIN=local GOPROXY=https://proxy.golang.org GOFLAGS=-mod=mod

# The project: go.mod and go.sum of the module zip, in a directory of their own.
PROJ=$WORK/project
if [ ! -s "$PROJ/go.sum" ]; then
  rm -rf "$PROJ" && mkdir -p "$PROJ"
  curl -sf -o "$WORK/m.zip" "https://proxy.golang.org/${MV%@*}/@v/${MV#*@}.zip"
  unzip -p "$WORK/m.zip" "$MV/go.mod" > "$PROJ/go.mod"
  unzip -p "$WORK/m.zip" "$MV/go.sum" > "$PROJ/go.sum"
  rm -f "$WORK/m.zip"
fi

python3 - "$WORK" "$PROJ" "$ROUNDS" "$GOTRUST" "$PATH" <<'PY'
import os, shutil, statistics, subprocess, sys, time
work, proj, rounds, gotrust, path = sys.argv[1:]
def fresh(d):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d
def run(cmd, env, cwd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t0, ru.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), out.decode(errors="replace")
res = {"gotrust verify proxy": [], "go mod download": []}
last = {}
for r in range(1, int(rounds) + 1):
    base = {"PATH": path, "GOTOOLCHAIN": "local", "GOPROXY": "https://proxy.golang.org",
            "GOSUMDB": "sum.golang.org", "GOFLAGS": "-mod=mod", "GONOSUMDB": "", "GOPRIVATE": ""}
    g = dict(base, HOME=fresh(os.path.join(work, "home")), GOTRUST_CACHE_DIR=fresh(os.path.join(work, "cache")),
             GOPATH=fresh(os.path.join(work, "gp")), GOMODCACHE=fresh(os.path.join(work, "mc")))
    secs, rss, code, out = run([gotrust, "--go", "never", "-q", "verify", "proxy", "go.sum"], g, proj)
    res["gotrust verify proxy"].append((secs, rss)); last["gotrust verify proxy"] = (code, out)
    shutil.rmtree(os.path.join(work, "mc"), ignore_errors=True)
    go = dict(base, HOME=fresh(os.path.join(work, "home")), GOPATH=fresh(os.path.join(work, "gp")),
              GOMODCACHE=fresh(os.path.join(work, "mc")), GOCACHE=os.path.join(work, "gocache"))
    secs, rss, code, out = run(["go", "mod", "download"], go, proj)
    res["go mod download"].append((secs, rss)); last["go mod download"] = (code, out)
    subprocess.run(["chmod", "-R", "u+w", os.path.join(work, "mc")])
    print(f"round {r}: " + ", ".join(f"{k} {v[-1][0]:.2f} s" for k, v in res.items()), flush=True)
versions = sum(1 for l in open(os.path.join(proj, "go.sum")) if " h1:" in l and "/go.mod " not in l)
print(f"\n{versions} zip lines in go.sum")
for k, v in res.items():
    print(f"{k}: median {statistics.median(s for s, _ in v):.2f} s, peak RSS {max(m for _, m in v):.0f} MiB")
for k, (code, out) in last.items():
    tail = out.strip().splitlines()[-1] if out.strip() else ""
    print(f"{k}: exit {code}; last line: {tail}")
PY
