package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// "module": each input line is tab-separated hex fields: an operation name, then
// its arguments. Each output line is "ok" or "err", then tab-separated hex fields:
// the results, or Go's error message.
//
//	checkpath P | checkimport P | checkfile P          -> ok | err MSG
//	escapepath P | unescapepath E | escapeversion V | unescapeversion E -> ok RESULT | err MSG
//	semver V   -> ok VALID CANONICAL MAJOR MAJORMINOR PRERELEASE BUILD PSEUDO CANONICALVERSION
//	compare V W -> ok CMP (-1, 0, 1)
//	split P    -> ok PREFIX PATHMAJOR OK
//	pathmajor V PM | check P V -> ok | err MSG
func init() {
	register("module", func(in *bufio.Reader, out *bufio.Writer) error {
		for {
			f, err := readHexFields(in)
			if err != nil {
				return err
			}
			res, rerr := moduleOp(f)
			if rerr != nil {
				out.WriteString("err\t" + hex.EncodeToString([]byte(rerr.Error())) + "\n")
				continue
			}
			out.WriteString("ok")
			for _, r := range res {
				out.WriteString("\t" + hex.EncodeToString([]byte(r)))
			}
			out.WriteString("\n")
		}
	})
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func moduleOp(f []string) ([]string, error) {
	want := map[string]int{"compare": 3, "pathmajor": 3, "check": 3}[f[0]]
	if want == 0 {
		want = 2
	}
	if len(f) != want {
		return nil, fmt.Errorf("oracle: op %q wants %d fields, got %d", f[0], want, len(f))
	}
	one := func(s string, err error) ([]string, error) { return []string{s}, err }
	switch f[0] {
	case "checkpath":
		return nil, module.CheckPath(f[1])
	case "checkimport":
		return nil, module.CheckImportPath(f[1])
	case "checkfile":
		return nil, module.CheckFilePath(f[1])
	case "escapepath":
		return one(module.EscapePath(f[1]))
	case "unescapepath":
		return one(module.UnescapePath(f[1]))
	case "escapeversion":
		return one(module.EscapeVersion(f[1]))
	case "unescapeversion":
		return one(module.UnescapeVersion(f[1]))
	case "semver":
		v := f[1]
		return []string{b01(semver.IsValid(v)), semver.Canonical(v), semver.Major(v),
			semver.MajorMinor(v), semver.Prerelease(v), semver.Build(v),
			b01(module.IsPseudoVersion(v)), module.CanonicalVersion(v)}, nil
	case "compare":
		return []string{fmt.Sprint(semver.Compare(f[1], f[2]))}, nil
	case "split":
		p, m, ok := module.SplitPathVersion(f[1])
		return []string{p, m, b01(ok)}, nil
	case "pathmajor":
		return nil, module.CheckPathMajor(f[1], f[2])
	case "check":
		return nil, module.Check(f[1], f[2])
	}
	return nil, fmt.Errorf("oracle: unknown op %q", strings.ToValidUTF8(f[0], "?"))
}
