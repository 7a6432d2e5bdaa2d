#!/bin/sh
# Time `gotrust audit --go never` beside `go env -json` on the same machine and configuration.
#
# usage: bench/audit.sh [N] [PROJECT_DIR]
#   N            runs of each command (default 200)
#   PROJECT_DIR  directory audited (default: a temporary module with a go.mod and go.sum)
#
# Uses hyperfine when installed; otherwise a shell loop timed with `date +%s%N`. Prints the
# mean per run of both commands and the ratio gotrust / go.
set -eu

N=${1:-200}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GO=${GO:-go}
command -v "$GO" >/dev/null 2>&1 || { echo "bench/audit.sh: go not found (set GO=/path/to/go)" >&2; exit 2; }

cargo build --release -q -p gotrust-cli --manifest-path "$ROOT/Cargo.toml"
GOTRUST="$ROOT/target/release/gotrust"

if [ $# -ge 2 ]; then
	PROJECT=$2
else
	PROJECT=$(mktemp -d)
	trap 'rm -rf "$PROJECT"' EXIT
	cat >"$PROJECT/go.mod" <<'MOD'
module example.com/app

go 1.22

require (
	github.com/pkg/errors v0.9.1
	golang.org/x/text v0.14.0
)
MOD
	cat >"$PROJECT/go.sum" <<'SUM'
github.com/pkg/errors v0.9.1 h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=
github.com/pkg/errors v0.9.1/go.mod h1:bwawxfHBFNV+L2hUp1rHADufV3IMtnDRdf1r5NINEl0=
golang.org/x/text v0.14.0 h1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=
golang.org/x/text v0.14.0/go.mod h1:18ZOQIKpY8NJVqYksKHtTdi31H5itFRjB5/qKTNYzSU=
SUM
fi

A="$GOTRUST audit --go never --project $PROJECT --fail-on never"
B="$GO env -json"

# Both must work before they are timed.
$A >/dev/null
(cd "$PROJECT" && $B >/dev/null)

if command -v hyperfine >/dev/null 2>&1; then
	cd "$PROJECT"
	hyperfine -N --warmup 10 --runs "$N" "$A" "$B"
	exit 0
fi

# Mean wall time of N runs of "$@", in microseconds.
mean_us() {
	start=$(date +%s%N)
	i=0
	while [ "$i" -lt "$N" ]; do
		"$@" >/dev/null
		i=$((i + 1))
	done
	end=$(date +%s%N)
	echo $(((end - start) / N / 1000))
}

cd "$PROJECT"
# Interleave two rounds so that a busy neighbour slows both sides alike.
a1=$(mean_us $A); b1=$(mean_us $B); a2=$(mean_us $A); b2=$(mean_us $B)
a=$(((a1 + a2) / 2)); b=$(((b1 + b2) / 2))
echo "runs per command:             $((2 * N))"
echo "gotrust audit --go never:     ${a} us/run"
echo "go env -json:                 ${b} us/run"
awk -v a="$a" -v b="$b" 'BEGIN { printf "ratio gotrust / go env:       %.2f\n", a / b }'
