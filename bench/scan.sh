#!/bin/sh
# Time `gotrust scan` over a generated repository of N files (default 10000): mostly Go
# sources and docs it skips by name, plus every kind of file it reads (Dockerfiles, workflows,
# GitLab CI, Makefiles, scripts, manifests, .bazelrc, .gitconfig, .env), some with findings.
#
# usage: bench/scan.sh [N] [RUNS]
#   GOTRUST=/path/to/gotrust skips the release build and times that binary.
#
# Uses hyperfine when installed; otherwise a loop timed with `date +%s%N`. Prints the mean
# wall-clock time per scan (warm cache: one untimed scan first), next to a peer that reads
# the same tree for the same variable names: ripgrep when installed, else `grep -r`
# (both only match text; gotrust also parses and judges every candidate file).
set -eu

N=${1:-10000}
RUNS=${2:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${GOTRUST:-}" ]; then
	cargo build --release -q -p gotrust-cli --manifest-path "$ROOT/Cargo.toml"
	GOTRUST="$ROOT/target/release/gotrust"
fi

REPO=$(mktemp -d)
trap 'rm -rf "$REPO"' EXIT
mkdir -p "$REPO/.git" "$REPO/.github/workflows"
i=0
while [ "$i" -lt "$N" ]; do
	d="$REPO/pkg$((i / 100))"
	[ -d "$d" ] || mkdir -p "$d"
	case $((i % 50)) in
	0) printf 'FROM golang:1.22\nARG MIRROR=goproxy.cn\nENV GOPROXY=https://${MIRROR},direct\nRUN go build ./...\n' >"$d/Dockerfile.$i" ;;
	1) printf 'export GONOSUMDB=*\ngo build ./...\n' >"$d/build$i.sh" ;;
	2) printf 'export GOPRIVATE = corp.example\nbuild:\n\tgo build ./...\n' >"$d/rules$i.mk" ;;
	3) printf 'spec:\n  containers:\n    - name: x\n      env:\n        - name: GOFLAGS\n          value: "-mod=mod"\n' >"$d/deploy$i.yaml" ;;
	4) printf 'build --action_env=GOPROXY=https://proxy.golang.org\n' >"$d/x$i.bazelrc" ;;
	5) printf 'GOPROXY=https://proxy.golang.org|direct\n' >"$d/.env.$i" ;;
	6) printf 'on: push\njobs:\n  b:\n    runs-on: x\n    env:\n      GOSUMDB: "off"\n    steps:\n      - run: go build\n' >"$REPO/.github/workflows/w$i.yml" ;;
	7) printf '# notes\nSee GOPROXY.\n' >"$d/README$i.md" ;;
	*) printf 'package p\n\n// GOPROXY is read by go.\nfunc F%d() int { return %d }\n' "$i" "$i" >"$d/f$i.go" ;;
	esac
	i=$((i + 1))
done

PATTERN='GO(PROXY|SUMDB|NOSUMDB|NOPROXY|PRIVATE|INSECURE|FLAGS)'
if command -v rg >/dev/null 2>&1; then
	PEER="rg -l -e $PATTERN $REPO"
else
	PEER="grep -rlE --exclude-dir=.git $PATTERN $REPO"
fi

"$GOTRUST" scan --format json --fail-on never "$REPO" >/dev/null
$PEER >/dev/null || true
if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -N --warmup 1 --runs "$RUNS" -i "$GOTRUST scan --format json --fail-on never $REPO" "$PEER"
else
	# Mean wall-clock milliseconds of RUNS runs of the command "$@".
	mean_ms() {
		start=$(date +%s%N)
		r=0
		while [ "$r" -lt "$RUNS" ]; do
			"$@" >/dev/null || true
			r=$((r + 1))
		done
		end=$(date +%s%N)
		echo $(((end - start) / RUNS / 1000000))
	}
	echo "gotrust scan, $N files: $(mean_ms "$GOTRUST" scan --format json --fail-on never "$REPO") ms per run (mean of $RUNS)"
	# shellcheck disable=SC2086 # PEER is a command line
	echo "peer ($PEER), same tree: $(mean_ms $PEER) ms per run (mean of $RUNS)"
fi
