// Package nested contains a nested module in sub/, left out of its zip.
package nested
