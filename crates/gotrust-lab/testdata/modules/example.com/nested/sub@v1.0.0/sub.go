// Package sub is the nested module itself.
package sub

const Nested = true
