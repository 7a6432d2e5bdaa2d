package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/dirhash"
)

// "dirhash" answers h1: hashes with golang.org/x/mod/sumdb/dirhash.
//
// Input: one request per line, fields separated by tabs:
//
//	dir	DIR	PREFIX   -> dirhash.HashDir(DIR, PREFIX, Hash1)
//	zip	FILE         -> dirhash.HashZip(FILE, Hash1)
//
// Output: one JSON object per request: {"h1": "..."} or {"error": "..."}.
func init() {
	register("dirhash", func(in *bufio.Reader, out *bufio.Writer) error {
		enc := json.NewEncoder(out)
		for {
			line, err := in.ReadString('\n')
			if line == "" && err != nil {
				return nil
			}
			f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
			var h string
			var herr error
			switch {
			case f[0] == "dir" && len(f) == 3:
				h, herr = dirhash.HashDir(f[1], f[2], dirhash.Hash1)
			case f[0] == "zip" && len(f) == 2:
				h, herr = dirhash.HashZip(f[1], dirhash.Hash1)
			default:
				return fmt.Errorf("dirhash: bad request %q", line)
			}
			res := map[string]string{"h1": h}
			if herr != nil {
				res = map[string]string{"error": herr.Error()}
			}
			if err := enc.Encode(res); err != nil {
				return err
			}
		}
	})
}
