package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"unicode"

	"golang.org/x/mod/module"
)

// readHexFields reads one line of tab-separated hex fields; io.EOF at the end.
func readHexFields(in *bufio.Reader) ([]string, error) {
	line, err := in.ReadString('\n')
	if err != nil {
		if line == "" {
			return nil, err
		}
	}
	line = strings.TrimSuffix(line, "\n")
	parts := strings.Split(line, "\t")
	for i, p := range parts {
		b, err := hex.DecodeString(p)
		if err != nil {
			return nil, fmt.Errorf("bad hex field %q: %v", p, err)
		}
		parts[i] = string(b)
	}
	return parts, nil
}

func bit(b bool) byte {
	if b {
		return '1'
	}
	return '0'
}

func init() {
	// "patterns": each input line is hex(globs) TAB hex(target) (hex so that any
	// byte, including tabs, newlines and invalid UTF-8, survives). Each output line
	// is three digits: MatchPrefixPatterns(globs, target), then path.Match(globs,
	// target)'s result and whether it returned an error.
	register("patterns", func(in *bufio.Reader, out *bufio.Writer) error {
		for {
			f, err := readHexFields(in)
			if err != nil {
				return err
			}
			if len(f) != 2 {
				return fmt.Errorf("patterns: want 2 fields, got %d", len(f))
			}
			m, merr := path.Match(f[0], f[1])
			out.Write([]byte{bit(module.MatchPrefixPatterns(f[0], f[1])), bit(m), bit(merr != nil), '\n'})
		}
	})

	// "letters": prints every rune >= 0x80 for which unicode.IsLetter holds, as
	// merged inclusive ranges "lo hi" in hex, one per line.
	register("letters", func(_ *bufio.Reader, out *bufio.Writer) error {
		lo := rune(-1)
		for r := rune(0x80); r <= unicode.MaxRune+1; r++ {
			is := r <= unicode.MaxRune && unicode.IsLetter(r)
			if is && lo < 0 {
				lo = r
			} else if !is && lo >= 0 {
				fmt.Fprintf(out, "%x %x\n", lo, r-1)
				lo = -1
			}
		}
		return nil
	})
}
