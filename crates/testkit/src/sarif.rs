//! The SARIF 2.1.0 schema (`crates/gotrust/tests/data/sarif-schema-2.1.0.json`, OASIS's
//! published file) as a check of a rendered log.

use serde_json::Value;

/// The schema's complaint about `log`, with format assertions (`uri`, `uri-reference`) on;
/// `None` when the log is valid.
pub fn schema_error(log: &Value) -> Option<String> {
    let schema: Value = serde_json::from_str(include_str!(
        "../../gotrust/tests/data/sarif-schema-2.1.0.json"
    ))
    .expect("the SARIF schema is JSON");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let url = "file:///sarif-schema-2.1.0.json";
    compiler
        .add_resource(url, schema)
        .expect("add the SARIF schema");
    let index = compiler
        .compile(url, &mut schemas)
        .expect("compile the SARIF schema");
    schemas.validate(log, index).err().map(|e| format!("{e:#}"))
}

/// Asserts `log` is valid SARIF 2.1.0, showing the schema's complaint when it is not.
#[track_caller]
pub fn assert_valid(log: &Value) {
    if let Some(e) = schema_error(log) {
        panic!("SARIF log does not match the schema:\n{e}");
    }
}
