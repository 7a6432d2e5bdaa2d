package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"path"
	"strconv"
	"unicode/utf8"
)

func init() {
	// "quote": each input line is hex(s). Each output line is strconv.Quote(s),
	// a tab, then strconv.QuoteRune of s's first rune (utf8.DecodeRuneInString,
	// so RuneError for invalid UTF-8), or "-" when s is empty. Quote never
	// prints a raw tab or newline, so the separators are unambiguous.
	register("quote", func(in *bufio.Reader, out *bufio.Writer) error {
		for {
			f, err := readHexFields(in)
			if err != nil {
				return err
			}
			if len(f) != 1 {
				return fmt.Errorf("quote: want 1 field, got %d", len(f))
			}
			r := "-"
			if f[0] != "" {
				c, _ := utf8.DecodeRuneInString(f[0])
				r = strconv.QuoteRune(c)
			}
			out.WriteString(strconv.Quote(f[0]) + "\t" + r + "\n")
		}
	})

	// "pathclean": each input line is hex(p); each output line is
	// hex(path.Clean(p)).
	register("pathclean", func(in *bufio.Reader, out *bufio.Writer) error {
		for {
			f, err := readHexFields(in)
			if err != nil {
				return err
			}
			if len(f) != 1 {
				return fmt.Errorf("pathclean: want 1 field, got %d", len(f))
			}
			out.WriteString(hex.EncodeToString([]byte(path.Clean(f[0]))) + "\n")
		}
	})
}
