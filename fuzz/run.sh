#!/bin/sh
# Runs fuzz targets one after another, each for $FUZZ_SECONDS (default 300) under `nice -n 19`,
# from fuzz/corpus/<target>/, and prints one results row per target:
#   target | runs | cov | ft | crashes
# Targets are taken from the arguments, or (with -q FILE) popped one by one from FILE, so
# targets can be queued while others run. Binaries are those `cargo +nightly fuzz build` made.
set -u
here=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SECONDS:-300}
bin="$here/target/x86_64-unknown-linux-gnu/release"
mkdir -p "$here/logs"
run_one() {
    t=$1
    mkdir -p "$here/corpus/$t" "$here/artifacts/$t"
    before=$(ls "$here/artifacts/$t" | wc -l)
    log="$here/logs/$t.log"
    nice -n 19 "$bin/$t" -artifact_prefix="$here/artifacts/$t/" -max_total_time="$secs" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$here/corpus/$t" >"$log" 2>&1
    rc=$?
    after=$(ls "$here/artifacts/$t" | wc -l)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    cov=$(printf '%s' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    echo "$(date -u +%F) | $t | ${runs:-?} | ${cov:-?} | ${ft:-?} | $((after - before)) (exit $rc)" | tee -a "$here/logs/results"
}
if [ "${1:-}" = "-q" ]; then
    queue=$2
    while :; do
        t=$(head -n 1 "$queue" 2>/dev/null)
        [ -z "$t" ] && { sleep 15; continue; }
        sed -i 1d "$queue"
        [ "$t" = "END" ] && break
        run_one "$t"
    done
else
    for t in "$@"; do run_one "$t"; done
fi
