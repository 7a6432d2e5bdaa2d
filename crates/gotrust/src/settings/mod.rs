//! Parsed settings: the effective values of [`crate::env::GoEnv`] turned into typed
//! configurations, with errors carrying the go command's exact texts.
