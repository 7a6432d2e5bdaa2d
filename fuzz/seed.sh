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
i=0
find "$root/crates/gotrust/tests/fixtures/scan" -type f | while read -r f; do
    i=$(( (i + 1) % 12 )); prefixed scan_file "$i" "$f"
done

seed settings_parse
for v in 'https://proxy.golang.org,direct' 'https://u:p@corp.example|off' 'sum.golang.org' \
    'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 https://sum.golang.org' \
    '-mod=mod -modcacherw' 'public:git|hg,private:all' 'netrc;git /tmp;off' \
    'http://[::1]:8080/p?q#f' 'localhost,.corp.example,10.0.0.0/8' '::ffff:1.2.3.4'; do
    for sel in 0 1 2 3 4 5 6 7 8 9; do
        f="$corpus/settings_parse/$sel-$(printf '%s' "$v" | cksum | cut -d' ' -f1)"
        printf "\\$(printf '%03o' "$sel")%s" "$v" > "$f"
    done
done

seed netrc_gitconfig
printf '\000machine h.example login a password b\nmachine h.example:8443 login c password d\ndefault login x password y\n' > "$corpus/netrc_gitconfig/netrc"
printf '\001[http]\n\tsslVerify = false\n[url "git@github.com:"]\n\tinsteadOf = https://github.com/\n' > "$corpus/netrc_gitconfig/gitconfig"
echo "seeded $corpus"
