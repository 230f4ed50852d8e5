//! `spin.toml` is a valid Spin 3 manifest (version 2 schema) that serves the
//! exact bytes the host embeds.

mod common;

use common::{memclaw, workspace_root};
use sha2::{Digest, Sha256};

fn manifest() -> toml::Table {
    let text = std::fs::read_to_string(workspace_root().join("spin.toml")).expect("spin.toml");
    text.parse().expect("spin.toml is TOML")
}

#[test]
fn manifest_uses_the_spin_3_schema_and_one_http_component() {
    let m = manifest();
    assert_eq!(m["spin_manifest_version"].as_integer(), Some(2));
    assert_eq!(m["application"]["name"].as_str(), Some("memclaw"));
    let triggers = m["trigger"]["http"].as_array().expect("[[trigger.http]]");
    assert_eq!(triggers.len(), 1);
    assert_eq!(triggers[0]["route"].as_str(), Some("/..."));
    assert_eq!(triggers[0]["component"].as_str(), Some("memclaw"));

    let component = m["component"]["memclaw"]
        .as_table()
        .expect("[component.memclaw]");
    let names = |key: &str| -> Vec<String> {
        component[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("sqlite_databases"), ["default"]);
    assert_eq!(names("key_value_stores"), ["default"]);
    // Every variable the gateway reads is declared and granted.
    for variable in ["tenant_pin", "allowed_origins"] {
        assert!(
            m["variables"].get(variable).is_some(),
            "{variable} not declared"
        );
        assert!(
            component["variables"].get(variable).is_some(),
            "{variable} not granted"
        );
    }
    // Composition happens at build time: Spin needs no dependencies section.
    assert!(component.get("dependencies").is_none());
}

#[test]
fn manifest_source_is_the_artifact_the_host_runs() {
    let m = manifest();
    let source = m["component"]["memclaw"]["source"]
        .as_str()
        .expect("source");
    assert_eq!(source, "dist/memclaw.wasm");
    let bytes =
        std::fs::read(workspace_root().join(source)).expect("the artifact exists after the build");
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(memclaw(&["wasm-digest"]).trim(), digest);
}
