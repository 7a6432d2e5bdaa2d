#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the repository's fixtures, so the fuzzers start from
# inputs that pass the first checks (valid module zips, real go.sum files, scanned files).
# Run from anywhere; the corpus is not committed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
corpus="$root/fuzz/corpus"
seed() { mkdir -p "$corpus/$1"; }

seed modzip_check
cp "$root"/crates/gomod/tests/fixtures/*.zip "$corpus/modzip_check/"

seed gosum_parse
n=0
find "$root/crates" -name go.sum -not -path '*/target/*' | while read -r f; do
    n=$((n + 1)); cp "$f" "$corpus/gosum_parse/gosum-$n"
done

seed modfile_parse
n=0
find "$root/crates" -name go.mod -not -path '*/target/*' | while read -r f; do
    n=$((n + 1)); cp "$f" "$corpus/modfile_parse/gomod-$n"
done

seed diagnose_line
n=0
find "$root/crates/gotrust/tests/fixtures/diagnose" -type f | while read -r f; do
    n=$((n + 1)); cp "$f" "$corpus/diagnose_line/log-$n"
done

# Targets whose first byte picks the parser or the file name.
prefixed() { # target selector file
    printf "\\$(printf '%03o' "$2")" > "$corpus/$1/$(basename "$3")-$2"
    cat "$3" >> "$corpus/$1/$(basename "$3")-$2"
}
seed scan_file
# The first byte picks the file name in scan_file.rs's NAMES: each fixture is seeded under the
# name of its own kind, so every reader starts from a real file of its format.
kind_index() {
    case "$1" in
        */.github/workflows/*) echo 1 ;; */.gitlab-ci.yml) echo 2 ;; */docker-compose.yml) echo 3 ;;
        */.circleci/*|*/.drone.yml|*/.travis.yml) echo 4 ;; *.Dockerfile) echo 19 ;;
        */Dockerfile) echo 0 ;; */Makefile) echo 5 ;; */.envrc) echo 6 ;;
        *.sh|*.zsh|*/README) echo 7 ;; */devcontainer.json) echo 8 ;; */go.env|*/go/env) echo 9 ;;
        */action.yml) echo 10 ;; */.env) echo 11 ;; */Jenkinsfile) echo 12 ;;
        *.yaml|*.yml) echo 13 ;; */.bazelrc) echo 14 ;; */.gitconfig) echo 15 ;;
        *.ps1) echo 16 ;; */justfile) echo 17 ;; *) echo 21 ;;
    esac
}
n=0
find "$root/crates/gotrust/tests/fixtures/scan" -type f | while read -r f; do
    n=$((n + 1)); i=$(kind_index "$f")
    printf "\\$(printf '%03o' "$i")" > "$corpus/scan_file/fixture-$n"
    cat "$f" >> "$corpus/scan_file/fixture-$n"
done

seed settings_parse
for v in 'https://proxy.golang.org,direct' 'https://u:p@corp.example|off' 'sum.golang.org' \
    'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 https://sum.golang.org' \
    '-mod=mod -modcacherw' 'public:git|hg,private:all' 'netrc;git /tmp;off' \
    'http://[::1]:8080/p?q#f' 'localhost,.corp.example,10.0.0.0/8' '::ffff:1.2.3.4'; do
    for sel in 0 1 2 3 4 5 6 7 8 9 10; do
        f="$corpus/settings_parse/$sel-$(printf '%s' "$v" | cksum | cut -d' ' -f1)"
        printf "\\$(printf '%03o' "$sel")%s" "$v" > "$f"
    done
done

# Selector 10: a GOPRIVATE-style glob list, NUL, a module path.
printf '\012*.corp.example,github.com/org/[a-m]*\000github.com/org/app/v2' > "$corpus/settings_parse/10-globs"

seed goauth_output
printf 'https://example.com/\nhttps://other.example/a\n\nAuthorization: Bearer t\nX-Key: k\n\n' > "$corpus/goauth_output/command"
printf 'protocol=https\nhost=example.com\npath=a/b\nusername=u\npassword=p\n' > "$corpus/goauth_output/git"

seed netrc_gitconfig
printf '\000machine h.example login a password b\nmachine h.example:8443 login c password d\ndefault login x password y\n' > "$corpus/netrc_gitconfig/netrc"
printf '\001[http]\n\tsslVerify = false\n[url "git@github.com:"]\n\tinsteadOf = https://github.com/\n' > "$corpus/netrc_gitconfig/gitconfig"

seed txtar_parse
cp "$root"/crates/gotrust-lab/testdata/modules/*.txt "$corpus/txtar_parse/"

seed policy_parse
n=0
find "$root/crates" -name gotrust.toml -not -path '*/target/*' | while read -r f; do
    n=$((n + 1)); cp "$f" "$corpus/policy_parse/policy-$n"
done

seed goenv_file
n=0
find "$root/crates/gotrust/tests/fixtures" \( -name go.env -o -path '*/go/env' \) | while read -r f; do
    n=$((n + 1)); cp "$f" "$corpus/goenv_file/goenv-$n"
done

# lookup_response: mode, fill, target (2), edit_at (2), edit_xor, then NUL-separated record
# texts. Records are made from the repository's go.sum lines (two lines a record, as the
# database stores them); one seed per damage kind and layout, so every branch starts reachable.
seed lookup_response
records=$(find "$root/crates" -name go.sum -not -path '*/target/*' | head -n 3 | xargs cat |
    awk 'NR % 2 == 1 { first = $0; next } { printf "%s\n%s\n%c", first, $0, 0 }' | head -c 4000 | od -An -v -tx1 | tr -d ' \n')
for mode in 0 1 2 3 4 5 6 7 8 16 24 32 64 88 17 20 21 38 103; do
    for fill in 0 90; do
        f="$corpus/lookup_response/mode$mode-fill$fill"
        printf "\\$(printf '%03o' "$mode")\\$(printf '%03o' "$fill")\\001\\000\\007\\000\\005" > "$f"
        printf '%s' "$records" | sed 's/../\\x&/g' | xargs -0 printf '%b' >> "$f"
    done
done

# tile_hashes: mode, fill, edit_at (2), edit_xor, then u16 indexes.
seed tile_hashes
for mode in 0 1 2 3 4 8 9 10; do
    for fill in 1 64 200; do
        printf "\\$(printf '%03o' "$mode")\\$(printf '%03o' "$fill")\\003\\001\\011\\000\\000\\001\\000\\040\\000\\377\\001" \
            > "$corpus/tile_hashes/mode$mode-fill$fill"
    done
done

# record_pack: mode, fill, then pack bytes (the target adds valid packs itself by mode).
seed record_pack
for mode in 0 1 2 3 7; do
    printf "\\$(printf '%03o' "$mode")\\004%s" "$(printf '0 4\nabc\n3 999\nx')" > "$corpus/record_pack/mode$mode"
done

# goproxy_response: even first byte `@v/list`, odd `.info`; .info bodies from the lab's
# modules.
seed goproxy_response
printf '\000v1.0.0\nv1.1.0 2021-01-01T00:00:00Z\nv0.0.0-20200101000000-abcdefabcdef\nv2.0.0+incompatible\nv1.2.0-pre.1\n' > "$corpus/goproxy_response/list"
printf '\001{"Version":"v1.0.0","Time":"2019-05-01T10:00:00.5+02:00"}' > "$corpus/goproxy_response/info"
n=0
grep -h -A1 -- '^-- .info --$' "$root"/crates/gotrust-lab/testdata/modules/*.txt | grep -v -- '^--' | while read -r l; do
    n=$((n + 1)); printf '\001%s' "$l" > "$corpus/goproxy_response/info-$n"
done

# modzip_build: mode, then NUL-separated `name` SOH `content` files, from the lab's module
# txtar files (each file section becomes one file).
seed modzip_build
n=0
for f in "$root"/crates/gotrust-lab/testdata/modules/*.txt; do
    n=$((n + 1))
    for mode in 0 5; do
        out="$corpus/modzip_build/module-$n-$mode"
        printf "\\$(printf '%03o' "$mode")" > "$out"
        awk 'BEGIN { ORS = "" }
             /^-- .* --$/ { name = substr($0, 4, length($0) - 6)
                            if (name ~ /^\./) { skip = 1; next }
                            skip = 0; if (started) printf "%c", 0
                            started = 1; printf "%s%c", name, 1; next }
             started && !skip { print $0 "\n" }' "$f" >> "$out"
    done
done

echo "seeded $corpus"
