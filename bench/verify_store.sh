#!/usr/bin/env bash
# Benchmark: `gotrust verify store` on a local store vs `gotrust verify cache`'s hashing on
# the same bytes, and the peak memory of both.
#
# Synthetic modules with random (incompressible) content are written to a file:// GOPROXY
# and downloaded by the real go into a fresh GOMODCACHE (hermetic: GOSUMDB=off, no network).
# The extracted trees are then removed, so both commands read exactly the same bytes: every
# zip of cache/download. `verify cache --offline` checks each zip and hashes it against its
# .ziphash; `verify store` (GOSUMDB=off, so no lookups) checks and hashes each zip and
# go.mod and reads each .info. Both are timed alternately RUNS times on a warm page cache;
# peak RSS comes from /usr/bin/time -v.
#
# Usage: bench/verify_store.sh [MODULES] [MIB_PER_MODULE] [RUNS]
#   defaults: 128 modules x 8 MiB = 1 GiB of module content, 3 runs.
#   bench/verify_store.sh 4000 0.25 3   many small versions (memory must not grow with them)
# Needs: go, python3, cargo (builds gotrust in release mode), bc.
set -euo pipefail

MODULES=${1:-128}
MIB=${2:-8}
RUNS=${3:-3}
FILES_PER_MODULE=16

here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gotrust-bench-vstore.XXXXXX")
cleanup() { [ -n "${KEEP:-}" ] && { echo "kept $work"; return; }; chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# GOTRUST_BIN: a gotrust binary to measure instead of a fresh release build.
gotrust=${GOTRUST_BIN:-}
if [ -z "$gotrust" ]; then
    cargo build --release -q -p gotrust-cli --manifest-path "$here/Cargo.toml"
    gotrust="$here/target/release/gotrust"
fi

echo "== generating $MODULES modules x $MIB MiB ($FILES_PER_MODULE files each) in $work"
python3 - "$work/proxy" "$MODULES" "$MIB" "$FILES_PER_MODULE" <<'EOF'
import os, sys, zipfile
root, n, mib, nfiles = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
per_file = int(mib * 1024 * 1024) // nfiles
for i in range(n):
    path = f"bench.example/m{i:05d}"
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
    with zipfile.ZipFile(os.path.join(d, ver + ".zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(f"{path}@{ver}/go.mod", gomod)
        for j in range(nfiles):
            z.writestr(f"{path}@{ver}/pkg{j % 4}/f{j:03d}.go", os.urandom(per_file))
EOF

export HOME="$work/home" GOPATH="$work/gopath" GOMODCACHE="$work/gopath/pkg/mod"
export GOENV=off GOTOOLCHAIN=local GOSUMDB=off GOFLAGS=-mod=mod GONOSUMDB= GOPRIVATE=
export GOPROXY="file://$work/proxy"
mkdir -p "$HOME"
# In batches: the argument list of thousands of modules is long.
seq -f 'bench.example/m%05g@v1.0.0' 0 $((MODULES - 1)) | xargs -n 500 go mod download
export GOPROXY=off
# Only the zips stay: both commands then read the same bytes.
chmod -R u+w "$GOMODCACHE/bench.example"
rm -rf "$GOMODCACHE/bench.example"
store="$GOMODCACHE/cache/download"

# Warm-up (exit status 1: nothing is compared with go.sum or a database here).
"$gotrust" verify cache --offline --modcache "$GOMODCACHE" -q >/dev/null || true
"$gotrust" verify store "$store" -q >/dev/null || true

zip_bytes=$(find "$store" -name '*.zip' -printf '%s\n' | awk '{s+=$1} END {print s}')
versions=$(find "$store" -name '*.zip' | wc -l)
echo "== store: $versions versions, zips $((zip_bytes / 1048576)) MiB on disk"
echo "== machine: $(nproc) CPUs; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"

find "$store" -type f -print0 | xargs -0 cat > /dev/null

secs() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null || true
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}
vcache() { "$gotrust" verify cache --offline --modcache "$GOMODCACHE" -q; }
vstore() { "$gotrust" verify store "$store" -q; }

printf '\n%-4s %14s %14s\n' run "verify cache" "verify store"
c_t=(); s_t=()
for r in $(seq 1 "$RUNS"); do
    a=$(secs vcache); b=$(secs vstore)
    c_t+=("$a"); s_t+=("$b")
    printf '%-4s %13.3fs %13.3fs\n' "$r" "$a" "$b"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
cm=$(median "${c_t[@]}"); sm=$(median "${s_t[@]}")
printf '%-4s %13.3fs %13.3fs\n' med "$cm" "$sm"
printf 'zip bytes / wall time: verify cache %.0f MiB/s, verify store %.0f MiB/s (%.0f%% of verify cache)\n' \
    "$(echo "$zip_bytes / 1048576 / $cm" | bc -l)" "$(echo "$zip_bytes / 1048576 / $sm" | bc -l)" \
    "$(echo "100 * $cm / $sm" | bc -l)"

rss() { { /usr/bin/time -v "$@" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}'; }
echo
echo "== peak memory (max RSS)"
echo "verify cache: $(( $(rss "$gotrust" verify cache --offline --modcache "$GOMODCACHE" -q) / 1024 )) MiB   verify store: $(( $(rss "$gotrust" verify store "$store" -q) / 1024 )) MiB"
