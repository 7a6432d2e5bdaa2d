package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// "modzip" answers module zip questions with golang.org/x/mod/zip.
//
// Input: one request per line, fields separated by tabs:
//
//	check	ZIP	PATH	VERSION	UNZIPDIR
//	    -> CheckZip, HashZip and Unzip (into the empty or absent UNZIPDIR)
//	create	DIR	PATH	VERSION	OUTZIP
//	    -> CreateFromDir into OUTZIP, then HashZip of it; also CheckDir
//
// Output: one JSON object per request (see zipReport).
type fileErr struct {
	Path string `json:"path"`
	Err  string `json:"err"`
}

type zipReport struct {
	Valid     []string  `json:"valid"`
	Omitted   []fileErr `json:"omitted"`
	Invalid   []fileErr `json:"invalid"`
	SizeError string    `json:"size_error,omitempty"`
	Error     string    `json:"error,omitempty"`
	H1        string    `json:"h1,omitempty"`
	H1Error   string    `json:"h1_error,omitempty"`
	Unzip     string    `json:"unzip"`
}

func report(cf modzip.CheckedFiles, err error) zipReport {
	r := zipReport{Valid: cf.Valid, Omitted: []fileErr{}, Invalid: []fileErr{}}
	if r.Valid == nil {
		r.Valid = []string{}
	}
	for _, e := range cf.Omitted {
		r.Omitted = append(r.Omitted, fileErr{e.Path, e.Err.Error()})
	}
	for _, e := range cf.Invalid {
		r.Invalid = append(r.Invalid, fileErr{e.Path, e.Err.Error()})
	}
	if cf.SizeError != nil {
		r.SizeError = cf.SizeError.Error()
	}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}

func init() {
	register("modzip", func(in *bufio.Reader, out *bufio.Writer) error {
		enc := json.NewEncoder(out)
		for {
			line, err := in.ReadString('\n')
			if line == "" && err != nil {
				return nil
			}
			f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
			if len(f) != 5 {
				return fmt.Errorf("modzip: bad request %q", line)
			}
			m := module.Version{Path: f[2], Version: f[3]}
			var r zipReport
			switch f[0] {
			case "check":
				r = report(modzip.CheckZip(m, f[1]))
				r.H1, err = dirhash.HashZip(f[1], dirhash.Hash1)
				if err != nil {
					r.H1Error = err.Error()
				}
				r.Unzip = "ok"
				if err := modzip.Unzip(f[4], m, f[1]); err != nil {
					r.Unzip = err.Error()
				}
			case "create":
				r = report(modzip.CheckDir(f[1]))
				w, err := os.Create(f[4])
				if err != nil {
					return err
				}
				cerr := modzip.CreateFromDir(w, m, f[1])
				if err := w.Close(); err != nil {
					return err
				}
				if cerr != nil {
					r.H1Error = cerr.Error()
				} else {
					r.H1, err = dirhash.HashZip(f[4], dirhash.Hash1)
					if err != nil {
						r.H1Error = err.Error()
					}
				}
			default:
				return fmt.Errorf("modzip: bad request %q", line)
			}
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
	})
}
