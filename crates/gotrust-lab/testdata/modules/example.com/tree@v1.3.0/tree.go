// Package tree is a source tree with a vendor directory, left out of its zip.
package tree
