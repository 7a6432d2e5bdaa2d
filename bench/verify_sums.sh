#!/usr/bin/env bash
# Benchmark: `gotrust verify sums` vs golang.org/x/mod's gosumcheck against the lab's checksum
# database, for a go.sum of 2 lines per module (N modules, default 1,000 -> 2,000 lines).
# Cold: empty caches (gotrust's tree head, tiles and lookups). Warm: gotrust's caches filled by
# a previous run (gosumcheck keeps no cache, so its warm run equals its cold run).
# Everything runs on loopback. gosumcheck is built from the module cache the x/mod oracle uses
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
GOBIN=$TARGET/bench GOMODCACHE=$MODCACHE GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local \
  GOCACHE=$TARGET/xmod-oracle/gocache go install golang.org/x/mod/gosumcheck@v0.43.0
GOSUMCHECK=$TARGET/bench/gosumcheck

# N generated lab modules (txtar fixtures).
for i in $(seq 1 "$N"); do
  printf -- '-- .mod --\nmodule bench.example/m%d\n-- go.mod --\nmodule bench.example/m%d\n-- m.go --\npackage m\n' "$i" "$i" \
    > "$WORK/modules/bench.example_m${i}_v1.0.0.txt"
done

# The lab server: a throwaway binary over gotrust-lab, built in target/.
HELPER=$WORK/labserve
mkdir -p "$HELPER/src"
cat > "$HELPER/Cargo.toml" <<TOML
[package]
name = "labserve"
version = "0.0.0"
edition = "2024"
[dependencies]
gotrust-lab = { path = "$ROOT/crates/gotrust-lab" }
tokio = { version = "1", features = ["rt-multi-thread", "macros", "time"] }
[workspace]
TOML
cp "$ROOT/Cargo.lock" "$HELPER/Cargo.lock"
cat > "$HELPER/src/main.rs" <<'RS'
#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().collect();
    let lab = gotrust_lab::Lab::builder().modules_dir(&a[1]).state_dir(&a[2]).start().await.unwrap();
    let go_sum: String = lab.modules().iter().map(|(p, v)| lab.go_sum_lines(p, v).unwrap()).collect();
    std::fs::write(&a[3], go_sum).unwrap();
    println!("{} {} {}", lab.proxy_url(), lab.sumdb_url(), lab.verifier_key());
    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
}
RS
CARGO_TARGET_DIR=$TARGET cargo build --release --manifest-path "$HELPER/Cargo.toml" >/dev/null
"$TARGET/release/labserve" "$WORK/modules" "$WORK/state" "$WORK/go.sum" > "$WORK/lab.out" &
LAB=$!
trap 'kill $LAB 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$WORK/lab.out" ] && break; sleep 0.2; done
read -r PROXY SUMDB VKEY < "$WORK/lab.out"
LINES=$(wc -l < "$WORK/go.sum")
echo "go.sum: $LINES lines, database $SUMDB"

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "$WORK/out" 2>&1 || true
  read -r secs kb < "$WORK/time"
  printf '%-28s %8.2f s %8.1f MiB\n' "$label" "$secs" "$(echo "$kb/1024" | bc -l)"
}
run_gotrust() {
  env -i HOME="$WORK" PATH="$PATH" GOTRUST_CACHE_DIR="$WORK/cache" GOPROXY="$PROXY" \
    GOSUMDB="$VKEY $SUMDB" GONOSUMDB= GOPRIVATE= "$GOTRUST" --go never verify sums "$WORK/go.sum"
}
for r in 1 2 3; do
  rm -rf "$WORK/cache"
  measure "gotrust cold (run $r)" run_gotrust
  grep -q "$LINES verified" "$WORK/out" || { cat "$WORK/out"; exit 1; }
  measure "gotrust warm (run $r)" run_gotrust
  measure "gosumcheck (run $r)" "$GOSUMCHECK" -k "$VKEY" -u "$SUMDB" "$WORK/go.sum"
  [ ! -s "$WORK/out" ] || { cat "$WORK/out"; exit 1; }
done
