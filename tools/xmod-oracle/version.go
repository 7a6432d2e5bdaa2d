package main

import (
	"bufio"
	"runtime"
	"runtime/debug"
)

// "version" prints the Go version and the x/mod version: a smoke test of the build.
func init() {
	register("version", func(_ *bufio.Reader, out *bufio.Writer) error {
		v := "unknown"
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, d := range bi.Deps {
				if d.Path == "golang.org/x/mod" {
					v = d.Version
				}
			}
		}
		_, err := out.WriteString(runtime.Version() + " golang.org/x/mod@" + v + "\n")
		return err
	})
}
