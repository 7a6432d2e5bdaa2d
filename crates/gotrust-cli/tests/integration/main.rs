//! Integration tests for the gotrust binary.
