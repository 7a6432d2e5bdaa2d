//! The gotrust lab: a local GOPROXY and checksum database with fault injection.
