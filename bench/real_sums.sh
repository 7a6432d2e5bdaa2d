#!/usr/bin/env bash
# Benchmark against the REAL network: `gotrust verify sums` vs golang.org/x/mod's gosumcheck,
# both talking to the Go checksum database through the Go module proxy
# (https://proxy.golang.org/sumdb/sum.golang.org), side by side in one run.
#
#   bench/real_sums.sh [ROUNDS]        (default 5; env GOSUMS="a.sum b.sum" to pick files)
#
# The five go.sum files are taken from the module zips the proxy serves (kubernetes v1.37.2,
# prometheus v0.316.0, cilium v1.20.2, hugo v0.169.0, vault v1.21.4), fetched once into
# target/bench/real/sums. Each round, for each file: gotrust cold (empty gotrust
# cache, empty GOPATH and GOMODCACHE: nothing of go's sumdb cache either), gotrust warm (the
# cache the cold run left), gosumcheck (keeps no cache); gosumcheck runs last in odd rounds
# and first in even ones (the proxy caches tiles for whoever asks first). Wall time from a monotonic clock
# around each process, peak RSS from wait4. The floor beside each figure: the round trips a
# cold run cannot avoid (TCP+TLS set-up, the proxy's `/sumdb/<name>/supported`, one wave of
# lookups with `/latest` beside it, one wave of tiles) with each round trip measured in the
# same run (median of lookups, tiles and `/latest` requests on one kept-alive connection).
# What bounds a cold run is rather the number of its requests (counted by one more cold run
# per file) and the rate the proxy answers them: the table gives both, and each round
# measures, for reference, the rate curl gets for cached answers on one HTTP/2 connection
# with 100 streams (800 old tiles).
# Each round also times `gotrust probe` of the default GOPROXY (cold, from an empty directory).
#
# Answers a filter in front of the proxy may give (403/400) are reported, never fatal.
# Needs: cargo, go, python3, curl and unzip. Nothing here runs in the test suite.
set -euo pipefail
ROUNDS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/bench/real
mkdir -p "$WORK/sums" "$WORK/bin"

# GOTRUST=path/to/gotrust skips the build (to time a binary built earlier).
if [ -z "${GOTRUST:-}" ]; then
  cargo build --release -p gotrust-cli --manifest-path "$ROOT/Cargo.toml" >/dev/null
  GOTRUST=$TARGET/release/gotrust
fi
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=https://proxy.golang.org
if [ ! -x "$WORK/bin/gosumcheck" ]; then
  GOBIN=$WORK/bin GOPATH=$WORK/gopath GOMODCACHE=$WORK/gopath/pkg/mod \
    go install golang.org/x/mod/gosumcheck@v0.43.0
fi

# The go.sum files, from the module zips.
for mv in k8s.io/kubernetes@v1.37.2 github.com/prometheus/prometheus@v0.316.0 \
          github.com/cilium/cilium@v1.20.2 github.com/gohugoio/hugo@v0.169.0 \
          github.com/hashicorp/vault@v1.21.4; do
  name=$(basename "${mv%@*}")
  [ -s "$WORK/sums/$name.sum" ] && continue
  url="https://proxy.golang.org/${mv%@*}/@v/${mv#*@}.zip"
  code=$(curl -s -o "$WORK/$name.zip" -w '%{http_code}' "$url")
  if [ "$code" != 200 ]; then
    echo "$mv: the proxy answered $code (filtered?): skipped; pick the nearest served version" >&2
    continue
  fi
  unzip -p "$WORK/$name.zip" "$mv/go.sum" > "$WORK/sums/$name.sum"
  rm -f "$WORK/$name.zip"
done

python3 - "$WORK" "$ROUNDS" "$GOTRUST" "$WORK/bin/gosumcheck" "$PATH" "${GOSUMS:-}" <<'PY'
import glob, http.client, json, os, shutil, ssl, statistics, subprocess, sys, time
work, rounds, gotrust, gosumcheck, path, picked = sys.argv[1:]
rounds = int(rounds)
files = picked.split() or [os.path.join(work, "sums", f"{n}.sum") for n in
         ["kubernetes", "prometheus", "cilium", "hugo", "vault"]]
files = [f for f in files if os.path.exists(f)]
HOST, DB = "proxy.golang.org", "https://proxy.golang.org/sumdb/sum.golang.org"

def sample_paths(n=5):
    """A few lookups (modules of the go.sum files) and level-0 tiles: the requests a cold run
    is made of."""
    out = []
    for f in files:
        for l in open(f):
            fields = l.split()
            if len(fields) == 3 and not fields[1].endswith("/go.mod"):
                out.append(f"/sumdb/sum.golang.org/lookup/{fields[0]}@{fields[1]}")
                break
    out += [f"/sumdb/sum.golang.org/tile/8/0/{i:03d}" for i in range(1, n + 1)]
    return out

def rtt():
    """TCP+TLS set-up time and the median round trip of lookups, tiles and `/latest` on an
    open connection (HTTP/1.1 keep-alive; the TLS handshake here is what every cold run pays).
    Upper-case letters in module paths are not escaped here: such lookups answer 4xx, still a
    round trip."""
    ctx = ssl.create_default_context()
    t0 = time.perf_counter()
    c = http.client.HTTPSConnection(HOST, context=ctx, timeout=10)
    c.connect()
    setup = time.perf_counter() - t0
    trips = []
    for p in sample_paths() + ["/sumdb/sum.golang.org/latest"] * 5:
        t0 = time.perf_counter()
        c.request("GET", p)
        c.getresponse().read()
        trips.append(time.perf_counter() - t0)
    c.close()
    return setup, statistics.median(trips)

TILES = [f"https://{HOST}/sumdb/sum.golang.org/tile/8/0/{i:03d}" for i in range(800)]

def curl_all(urls, streams=100):
    """Fetches `urls` with curl on one HTTP/2 connection, `streams` at once; the wall time."""
    cfg = os.path.join(work, "curl.cfg")
    with open(cfg, "w") as fh:
        for u in urls:
            fh.write(f'url = "{u}"\noutput = "/dev/null"\n')
    t0 = time.perf_counter()
    subprocess.run(["curl", "-s", "--http2", "--parallel", "--parallel-max", str(streams), "-K", cfg],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0

def rate(setup):
    """Requests a second the proxy answers on one HTTP/2 connection with 100 streams, for
    answers it has cached (800 old level-0 tiles, fetched once before): what bounds a cold
    run, which makes a few hundred to a few thousand such requests."""
    return len(TILES) / max(curl_all(TILES) - setup, 1e-3)

def run(cmd, env):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t0, ru.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), out

def fresh(d):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d

home = os.path.join(work, "home")
KINDS = ("cold", "warm", "warm-check", "gosumcheck")
res = {}
setups, trips, rates = [], [], []
probes = []
curl_all(TILES)  # so that the proxy has them cached
for r in range(1, rounds + 1):
    s, t = rtt()
    setups.append(s); trips.append(t)
    rates.append(rate(s))
    # `gotrust probe` of the default GOPROXY (proxy.golang.org), from an empty directory (so
    # the module probed is its default), with an empty cache.
    penv = {"PATH": path, "HOME": fresh(home), "GOTRUST_CACHE_DIR": fresh(os.path.join(work, "cache")),
            "GOPATH": fresh(os.path.join(work, "gp")), "GOMODCACHE": fresh(os.path.join(work, "mc")),
            "GOPROXY": "https://proxy.golang.org,direct", "GOSUMDB": "sum.golang.org",
            "GONOSUMDB": "", "GOPRIVATE": "", "GOFLAGS": "", "GOTOOLCHAIN": "local"}
    t0 = time.perf_counter()
    p = subprocess.run([gotrust, "--go", "never", "-q", "probe"], env=penv, cwd=fresh(os.path.join(work, "probe")),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    probes.append((time.perf_counter() - t0, p.returncode))
    print(f"round {r} probe            {probes[-1][0]:6.3f}s (exit {p.returncode})", flush=True)
    for f in files:
        name = os.path.basename(f)
        env = {"PATH": path, "HOME": fresh(home), "GOTRUST_CACHE_DIR": fresh(os.path.join(work, "cache")),
               "GOPATH": fresh(os.path.join(work, "gp")), "GOMODCACHE": fresh(os.path.join(work, "mc")),
               "GOPROXY": "https://proxy.golang.org,direct", "GOSUMDB": "sum.golang.org",
               "GONOSUMDB": "", "GOPRIVATE": "", "GOFLAGS": "", "GOTOOLCHAIN": "local"}
        cmd = [gotrust, "--go", "never", "-q", "verify", "sums", f]
        # warm: the default (the head confirmed by the cold run moments ago is not fetched
        # again, so no request); warm-check: `--head-max-age 0` (base and `/latest` fetched).
        runs = [("cold", cmd, env), ("warm", cmd, env), ("warm-check", cmd + ["--head-max-age", "0"], env),
                ("gosumcheck", [gosumcheck, "-u", DB, f], {"PATH": path, "HOME": home})]
        # The proxy caches the tiles it fetched for whichever tool ran first, so the order
        # alternates: odd rounds gotrust first, even rounds gosumcheck first.
        if r % 2 == 0:
            runs = runs[3:] + runs[:3]
        for kind, c, e in runs:
            secs, rss, code, out = run(c, e)
            text = out.decode(errors="replace")
            # gotrust: 0 all verified, 1 a failure (reported), 2 no verdict for some lines
            # (for example a filter's 403): reported, never fatal.
            note = ""
            if kind != "gosumcheck" and code != 0:
                note = text.strip().splitlines()[-1] if text.strip() else f"exit {code}"
            if kind == "gosumcheck" and code != 0:
                note = (text.strip().splitlines() or [f"exit {code}"])[0]
            res.setdefault((name, kind), []).append((secs, rss, note))
        print(f"round {r} {name:16} " + " ".join(
            f"{k} {res[(name, k)][-1][0]:6.3f}s" for k in KINDS), flush=True)

# The requests a cold run makes (lookups, tiles, `supported`, `/latest`), from one more cold
# run per file after the timed ones.
requests = {}
for f in files:
    env = {"PATH": path, "HOME": fresh(home), "GOTRUST_CACHE_DIR": fresh(os.path.join(work, "cache")),
           "GOPATH": fresh(os.path.join(work, "gp")), "GOMODCACHE": fresh(os.path.join(work, "mc")),
           "GOPROXY": "https://proxy.golang.org,direct", "GOSUMDB": "sum.golang.org",
           "GONOSUMDB": "", "GOPRIVATE": "", "GOFLAGS": "", "GOTOOLCHAIN": "local"}
    p = subprocess.run([gotrust, "--go", "never", "--format", "json", "verify", "sums", f], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        requests[f] = json.loads(p.stdout)["database"]["requests"] + 1
    except (ValueError, KeyError, TypeError):
        requests[f] = 0

setup, trip, per_sec = statistics.median(setups), statistics.median(trips), statistics.median(rates)
print(f"\nTCP+TLS set-up {setup * 1000:.1f} ms, round trip {trip * 1000:.1f} ms, "
      f"{per_sec:.0f} cached answers/s on one HTTP/2 connection with 100 streams (curl; medians over {rounds} rounds)")
print("| go.sum (lines) | gotrust cold | gotrust warm | warm, head re-checked | gosumcheck | cold speedup | warm speedup | re-checked speedup | floor (round trips) | cold / floor | requests (cold) | requests/s (cold) | peak RSS cold / warm / gosumcheck |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
# Floor: set-up, then `supported`, then lookups (with /latest beside them), then tiles.
floor = setup + 3 * trip
for f in files:
    name = os.path.basename(f)
    lines = sum(1 for l in open(f) if l.strip())
    m = {k: statistics.median(s for s, _, _ in res[(name, k)]) for k in KINDS}
    rss = {k: max(x for _, x, _ in res[(name, k)]) for k in KINDS}
    print(f"| {name[:-4]} ({lines}) | {m['cold']:.3f} s | {m['warm']:.3f} s | {m['warm-check']:.3f} s | {m['gosumcheck']:.3f} s | "
          f"{m['gosumcheck'] / m['cold']:.1f}x | {m['gosumcheck'] / m['warm']:.1f}x | {m['gosumcheck'] / m['warm-check']:.1f}x | "
          f"{floor:.3f} s | {m['cold'] / floor:.1f}x | {requests[f]} | {requests[f] / m['cold']:.0f} | "
          f"{rss['cold']:.0f} / {rss['warm']:.0f} / {rss['gosumcheck']:.0f} MiB |")
print(f"\n`gotrust probe` of the default GOPROXY: median {statistics.median(t for t, _ in probes):.3f} s "
      f"over {len(probes)} rounds (min {min(t for t, _ in probes):.3f}, max {max(t for t, _ in probes):.3f}); "
      f"exit codes {sorted({c for _, c in probes})}")
notes = {(n, k): {x for _, _, x in v if x} for (n, k), v in res.items()}
for (n, k), v in sorted(notes.items()):
    for x in v:
        print(f"note: {n} {k}: {x}")
PY
