// Package mixedcase is a source tree under an upper-case path.
package mixedcase
