package main

// Keeps golang.org/x/mod required even before a command file imports it.
import _ "golang.org/x/mod/module"
