#!/usr/bin/env bash
# Benchmark: `gotrust verify cache --project` vs `go mod verify` on the same project and
# module cache, side by side, plus this machine's raw SHA-256 rate over the same bytes.
#
# Builds synthetic modules with random (incompressible) content into a file:// GOPROXY,
# downloads them with the real go into a fresh GOMODCACHE (hermetic: GOSUMDB=off, GOPROXY
# points at the directory, no network), then times both tools RUNS times with a warm page
# cache. Peak memory comes from /usr/bin/time -v when present.
#
# Usage: bench/verify_cache.sh [MODULES] [MIB_PER_MODULE] [RUNS]
#   defaults: 40 modules x 6 MiB = 240 MiB of module content, 5 runs.
#        REAL=1 bench/verify_cache.sh [RUNS]
#   real modules instead (Go source compresses about 6:1, so inflating matters): a project
#   requiring aws-sdk-go, google.golang.org/api, k8s client-go and their build list, about
#   90 MiB of zips and 600 MiB extracted, downloaded once from $BENCH_GOPROXY (default
#   https://proxy.golang.org) into target/bench/verify_cache_real and reused on later runs.
# Needs: go, python3 (to write the zips), cargo (builds gotrust in release mode).
set -euo pipefail

REAL=${REAL:-0}
if [ "$REAL" = 1 ]; then
    RUNS=${1:-5}
else
    MODULES=${1:-40}
    MIB=${2:-6}
    RUNS=${3:-5}
fi
FILES_PER_MODULE=24

here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gotrust-bench-vcache.XXXXXX")
cleanup() { [ -n "${KEEP:-}" ] && { echo "kept $work"; return; }; chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cargo build --release -q -p gotrust-cli --manifest-path "$here/Cargo.toml"
gotrust="$here/target/release/gotrust"

if [ "$REAL" = 1 ]; then
    # A persistent cache: the download is the slow, network-bound part and is not measured.
    work="$here/target/bench/verify_cache_real"
    trap - EXIT
    proj="$work/proj"
    export HOME="$work/home" GOPATH="$work/gopath" GOMODCACHE="$work/gopath/pkg/mod"
    export GOENV=off GOTOOLCHAIN=local GOFLAGS=-mod=mod GONOSUMDB= GOPRIVATE=
    export GOPROXY="${BENCH_GOPROXY:-https://proxy.golang.org}" GOSUMDB=sum.golang.org
    mkdir -p "$HOME" "$proj"
    if [ ! -f "$proj/go.sum" ]; then
        echo "== downloading the real modules into $GOMODCACHE (once)"
        cat > "$proj/go.mod" <<'MOD'
module bench.example/real

go 1.22

require (
	github.com/aws/aws-sdk-go v1.55.5
	google.golang.org/api v0.200.0
	k8s.io/client-go v0.31.0
)
MOD
        (cd "$proj" && go mod download all)
    fi
    mods_root="$GOMODCACHE"
else
echo "== generating $MODULES modules x $MIB MiB ($FILES_PER_MODULE files each) in $work"
python3 - "$work/proxy" "$MODULES" "$MIB" "$FILES_PER_MODULE" <<'EOF'
import os, sys, zipfile
root, n, mib, nfiles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
per_file = mib * 1024 * 1024 // nfiles
for i in range(n):
    path = f"bench.example/m{i:03d}"
    ver = "v1.0.0"
    d = os.path.join(root, path, "@v")
    os.makedirs(d, exist_ok=True)
    gomod = f"module {path}\n\ngo 1.21\n".encode()
    with open(os.path.join(d, "list"), "w") as f:
        f.write(ver + "\n")
    with open(os.path.join(d, ver + ".info"), "w") as f:
        f.write('{"Version":"%s","Time":"2024-01-01T00:00:00Z"}' % ver)
    with open(os.path.join(d, ver + ".mod"), "wb") as f:
        f.write(gomod)
    # Deflate at level 1: random data does not compress; this is what a proxy would serve.
    with zipfile.ZipFile(os.path.join(d, ver + ".zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(f"{path}@{ver}/go.mod", gomod)
        for j in range(nfiles):
            z.writestr(f"{path}@{ver}/pkg{j % 4}/f{j:03d}.go", os.urandom(per_file))
EOF

proj="$work/proj"
mkdir -p "$proj"
{
    printf 'module bench.example/proj\n\ngo 1.21\n\nrequire (\n'
    for i in $(seq 0 $((MODULES - 1))); do printf '\tbench.example/m%03d v1.0.0\n' "$i"; done
    printf ')\n'
} > "$proj/go.mod"

export HOME="$work/home" GOPATH="$work/gopath" GOMODCACHE="$work/gopath/pkg/mod"
export GOENV=off GOTOOLCHAIN=local GOSUMDB=off GOFLAGS=-mod=mod GONOSUMDB= GOPRIVATE=
export GOPROXY="file://$work/proxy"
mkdir -p "$HOME"
mods=$(seq -f 'bench.example/m%03g' 0 $((MODULES - 1)))
(cd "$proj" && go mod download $mods)
mods_root="$GOMODCACHE/bench.example"
fi
# From here on go must not fetch anything.
export GOPROXY=off

# Sanity: both tools agree the cache is clean before timing them.
(cd "$proj" && go mod verify >/dev/null)
"$gotrust" verify cache --offline --project "$proj" -q >/dev/null

zip_bytes=$(find "$GOMODCACHE/cache/download" -name '*.zip' -printf '%s\n' | awk '{s+=$1} END {print s}')
tree_bytes=$(find "$mods_root" -path "$GOMODCACHE/cache" -prune -o -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "== cache: zips $((zip_bytes / 1048576)) MiB on disk, extracted trees $((tree_bytes / 1048576)) MiB"
echo "== machine: $(nproc) CPUs; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); sha_ni: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
echo "== $(go version)"

# Warm the page cache.
find "$GOMODCACHE" -type f -print0 | xargs -0 cat > /dev/null

secs() { # run "$@" and print wall seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

go_verify() { (cd "$proj" && go mod verify); }
gt_verify() { "$gotrust" verify cache --offline --project "$proj" -q; }
# The raw rate: one core, OpenSSL's SHA-256 (SHA-NI where the CPU has it), else coreutils.
if command -v openssl >/dev/null; then sha=(openssl dgst -sha256); else sha=(sha256sum); fi
raw_sha() { find "$mods_root" -path "$GOMODCACHE/cache" -prune -o -type f -print0 | xargs -0 cat | "${sha[@]}"; }
raw_sha_zip() { find "$GOMODCACHE/cache/download" -name '*.zip' -print0 | xargs -0 cat | "${sha[@]}"; }

printf '\n%-4s %14s %14s %16s\n' run "go mod verify" "gotrust" "raw sha256(tree)"
go_t=(); gt_t=(); sha_t=()
for r in $(seq 1 "$RUNS"); do
    a=$(secs go_verify); b=$(secs gt_verify); c=$(secs raw_sha)
    go_t+=("$a"); gt_t+=("$b"); sha_t+=("$c")
    printf '%-4s %13.3fs %13.3fs %15.3fs\n' "$r" "$a" "$b" "$c"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
gm=$(median "${go_t[@]}"); tm=$(median "${gt_t[@]}"); sm=$(median "${sha_t[@]}")
hashed=$((tree_bytes * 2))
printf '%-4s %13.3fs %13.3fs %15.3fs\n' med "$gm" "$tm" "$sm"
echo
echo "bytes verified by each tool: $((hashed / 1048576)) MiB (zip contents + extracted trees)"
echo "  go mod verify SHA-256s all of them; gotrust SHA-256s the zip contents and compares the"
echo "  trees with them byte for byte (falling back to hashing a tree that differs)"
printf 'go mod verify: %.0f MiB/s   gotrust: %.0f MiB/s   speedup: %.2fx\n' \
    "$(echo "$hashed / 1048576 / $gm" | bc -l)" "$(echo "$hashed / 1048576 / $tm" | bc -l)" \
    "$(echo "$gm / $tm" | bc -l)"
printf 'gotrust SHA-256 rate (zip contents / wall time, %s cores): %.0f MiB/s\n' "$(nproc)" \
    "$(echo "$tree_bytes / 1048576 / $tm" | bc -l)"
printf 'raw %s SHA-256 through a pipe (one core, trees only): %.0f MiB/s\n' "${sha[0]}" "$(echo "$tree_bytes / 1048576 / $sm" | bc -l)"
if command -v openssl >/dev/null; then
    # In memory, 16 KiB blocks: the ceiling of one core, no I/O.
    mem=$(openssl speed -evp sha256 -bytes 16384 -seconds 2 2>/dev/null | awk '/^sha256|^SHA256/ {v=$NF} END {print v}')
    mem=${mem%k}
    [ -n "$mem" ] && printf 'raw openssl SHA-256 in memory (one core, 16 KiB blocks): %.0f MiB/s\n' "$(echo "$mem * 1000 / 1048576" | bc -l)"
fi
zs=$(secs raw_sha_zip)
printf 'raw %s SHA-256 of the zip files: %.3fs\n' "${sha[0]}" "$zs"

if [ -x /usr/bin/time ]; then
    echo
    echo "== peak memory (max RSS)"
    go_rss=$( { /usr/bin/time -v bash -c "cd '$proj' && go mod verify" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
    gt_rss=$( { /usr/bin/time -v "$gotrust" verify cache --offline --project "$proj" -q >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
    echo "go mod verify: $((go_rss / 1024)) MiB   gotrust: $((gt_rss / 1024)) MiB"
fi
