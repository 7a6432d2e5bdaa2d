// Command xmod-oracle answers questions with golang.org/x/mod, the reference
// implementation gotrust is tested against. It is built by the tests
// (crates/testkit) and never shipped.
//
// Usage: xmod-oracle COMMAND < input > output
//
// Each COMMAND is registered by one file of this package (patterns.go,
// tlog.go, ...) and defines its own line-oriented input and output.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
)

type command func(in *bufio.Reader, out *bufio.Writer) error

var commands = map[string]command{}

func register(name string, c command) {
	if _, dup := commands[name]; dup {
		panic("duplicate oracle command " + name)
	}
	commands[name] = c
}

func main() {
	if len(os.Args) != 2 || commands[os.Args[1]] == nil {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: xmod-oracle COMMAND < input\ncommands: %v\n", names)
		os.Exit(2)
	}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	err := commands[os.Args[1]](in, out)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil && err != io.EOF {
		fmt.Fprintln(os.Stderr, "xmod-oracle:", err)
		os.Exit(1)
	}
}
