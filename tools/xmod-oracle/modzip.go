package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode"

	"golang.org/x/mod/modfile"
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

// "modfile" parses go.mod and go.work files with golang.org/x/mod/modfile
// (the module zip vendor rule depends on it, so it lives here).
//
// Input: one request per line: MODE TAB BASE64(content), MODE one of
// mod (Parse), lax (ParseLax), work (ParseWork); the file name is go.mod
// or go.work. Output: one JSON object per request: {"error": "..."} or the
// parsed directives with their line numbers.
type modLine struct {
	Path      string `json:"path,omitempty"`
	Version   string `json:"version,omitempty"`
	Indirect  bool   `json:"indirect,omitempty"`
	NewPath   string `json:"new_path,omitempty"`
	NewVer    string `json:"new_version,omitempty"`
	Rationale string `json:"rationale,omitempty"`
	Low       string `json:"low,omitempty"`
	High      string `json:"high,omitempty"`
	Line      int    `json:"line"`
}

type modReport struct {
	Error      string    `json:"error,omitempty"`
	Module     *modLine  `json:"module,omitempty"`
	Deprecated string    `json:"deprecated,omitempty"`
	Go         *modLine  `json:"go,omitempty"`
	Toolchain  *modLine  `json:"toolchain,omitempty"`
	Godebug    []modLine `json:"godebug"`
	Require    []modLine `json:"require"`
	Exclude    []modLine `json:"exclude"`
	Replace    []modLine `json:"replace"`
	Retract    []modLine `json:"retract"`
	Tool       []modLine `json:"tool"`
	Ignore     []modLine `json:"ignore"`
	Use        []modLine `json:"use"`
}

func replaces(rs []*modfile.Replace) []modLine {
	out := []modLine{}
	for _, r := range rs {
		out = append(out, modLine{Path: r.Old.Path, Version: r.Old.Version, NewPath: r.New.Path, NewVer: r.New.Version, Line: r.Syntax.Start.Line})
	}
	return out
}

func init() {
	register("modfile", func(in *bufio.Reader, out *bufio.Writer) error {
		enc := json.NewEncoder(out)
		for {
			line, err := in.ReadString('\n')
			if line == "" && err != nil {
				return nil
			}
			f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
			if len(f) != 2 {
				return fmt.Errorf("modfile: bad request %q", line)
			}
			data, err := base64.StdEncoding.DecodeString(f[1])
			if err != nil {
				return err
			}
			r := modReport{Godebug: []modLine{}, Require: []modLine{}, Exclude: []modLine{}, Replace: []modLine{}, Retract: []modLine{}, Tool: []modLine{}, Ignore: []modLine{}, Use: []modLine{}}
			if f[0] == "work" {
				w, err := modfile.ParseWork("go.work", data, nil)
				if err != nil {
					r.Error = err.Error()
				} else {
					if w.Go != nil {
						r.Go = &modLine{Version: w.Go.Version, Line: w.Go.Syntax.Start.Line}
					}
					if w.Toolchain != nil {
						r.Toolchain = &modLine{Version: w.Toolchain.Name, Line: w.Toolchain.Syntax.Start.Line}
					}
					for _, g := range w.Godebug {
						r.Godebug = append(r.Godebug, modLine{Path: g.Key, Version: g.Value, Line: g.Syntax.Start.Line})
					}
					for _, u := range w.Use {
						r.Use = append(r.Use, modLine{Path: u.Path, Line: u.Syntax.Start.Line})
					}
					r.Replace = replaces(w.Replace)
				}
			} else {
				parse := modfile.Parse
				if f[0] == "lax" {
					parse = modfile.ParseLax
				}
				m, err := parse("go.mod", data, nil)
				if err != nil {
					r.Error = err.Error()
				} else {
					if m.Module != nil {
						r.Module = &modLine{Path: m.Module.Mod.Path, Line: m.Module.Syntax.Start.Line}
						r.Deprecated = m.Module.Deprecated
					}
					if m.Go != nil {
						r.Go = &modLine{Version: m.Go.Version, Line: m.Go.Syntax.Start.Line}
					}
					if m.Toolchain != nil {
						r.Toolchain = &modLine{Version: m.Toolchain.Name, Line: m.Toolchain.Syntax.Start.Line}
					}
					for _, g := range m.Godebug {
						r.Godebug = append(r.Godebug, modLine{Path: g.Key, Version: g.Value, Line: g.Syntax.Start.Line})
					}
					for _, q := range m.Require {
						r.Require = append(r.Require, modLine{Path: q.Mod.Path, Version: q.Mod.Version, Indirect: q.Indirect, Line: q.Syntax.Start.Line})
					}
					for _, q := range m.Exclude {
						r.Exclude = append(r.Exclude, modLine{Path: q.Mod.Path, Version: q.Mod.Version, Line: q.Syntax.Start.Line})
					}
					r.Replace = replaces(m.Replace)
					for _, q := range m.Retract {
						r.Retract = append(r.Retract, modLine{Low: q.Low, High: q.High, Rationale: q.Rationale, Line: q.Syntax.Start.Line})
					}
					for _, q := range m.Tool {
						r.Tool = append(r.Tool, modLine{Path: q.Path, Line: q.Syntax.Start.Line})
					}
					for _, q := range m.Ignore {
						r.Ignore = append(r.Ignore, modLine{Path: q.Path, Line: q.Syntax.Start.Line})
					}
				}
			}
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
	})
}

// "unicode" prints the Unicode facts module zip names and go.mod lexing
// depend on, as Go's unicode package has them: ranges of runes for which
// unicode.IsLetter and unicode.IsPrint hold ("letter LO HI", "print LO HI",
// hex), and for every rune whose unicode.SimpleFold orbit is not just
// itself, the smallest rune of the orbit ("fold R MIN"). No input.
func init() {
	register("unicode", func(_ *bufio.Reader, out *bufio.Writer) error {
		ranges := func(name string, pred func(rune) bool) {
			start := rune(-1)
			for r := rune(0); r <= unicode.MaxRune+1; r++ {
				ok := r <= unicode.MaxRune && pred(r)
				if ok && start < 0 {
					start = r
				} else if !ok && start >= 0 {
					fmt.Fprintf(out, "%s %x %x\n", name, start, r-1)
					start = -1
				}
			}
		}
		ranges("letter", unicode.IsLetter)
		ranges("print", unicode.IsPrint)
		for r := rune(0); r <= unicode.MaxRune; r++ {
			min := r
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				if f < min {
					min = f
				}
			}
			if min != r {
				fmt.Fprintf(out, "fold %x %x\n", r, min)
			}
		}
		return nil
	})
}
