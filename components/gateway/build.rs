//! Derives every tool's input schema at build time (natively, from the
//! argument structs in memclaw-core), so a request never pays for schema
//! generation: the component only parses the resulting JSON.

use std::path::PathBuf;

fn main() {
    let schemas: serde_json::Map<String, serde_json::Value> = memclaw_core::tools::catalog()
        .iter()
        .map(|tool| (tool.name.to_owned(), (tool.input_schema)()))
        .collect();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("tool_schemas.json");
    std::fs::write(&out, serde_json::Value::Object(schemas).to_string())
        .expect("write tool_schemas.json");
    println!("cargo::rerun-if-changed=../core/src");
}
