//! Smoke tests of the wasmtime host serving the embedded composed component.

mod common;

use common::Memclaw;

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"host_smoke","version":"0"}}}"#;

#[test]
fn get_mcp_is_method_not_allowed() {
    let server = Memclaw::new().serve(&[]);
    let resp = server.request("GET", "/mcp", &[("accept", "text/event-stream")], b"");
    assert_eq!(resp.status, 405, "{}", resp.text());
}

#[test]
fn post_without_key_is_unauthorized() {
    let server = Memclaw::new();
    server.create_tenant("acme");
    let _key = server.mint_key("acme", &[]);
    let server = server.serve(&[]);
    let resp = server.post_mcp(None, INITIALIZE);
    assert_eq!(resp.status, 401, "{}", resp.text());
    // The server keeps serving after a rejected request.
    let again = server.post_mcp(Some("mc_not_a_real_key"), INITIALIZE);
    assert_eq!(again.status, 401, "{}", again.text());
}

#[test]
fn key_admin_round_trip() {
    let server = Memclaw::new();
    server.create_tenant("acme");
    let mint = server.admin(&[
        "key",
        "mint",
        "--tenant",
        "acme",
        "--agent",
        "bot",
        "--read-only",
    ]);
    let key = mint.lines().last().expect("key line").trim();
    assert!(key.starts_with("mc_"), "{mint}");

    let list: serde_json::Value =
        serde_json::from_str(&server.admin(&["key", "list", "--tenant", "acme"])).expect("json");
    let keys = list.as_array().expect("array");
    assert_eq!(keys.len(), 1, "{list}");
    let id = keys[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(keys[0]["read_only"], true);
    assert!(mint.contains(&id), "mint output names the key id: {mint}");

    server.admin(&["key", "revoke", &id]);
    let list: serde_json::Value =
        serde_json::from_str(&server.admin(&["key", "list"])).expect("json");
    assert!(!list[0]["revoked_at"].is_null(), "{list}");
}

/// A request that blows the per-instance memory cap (here: a 16 MiB body the
/// gateway buffers under an 8 MiB cap) traps its instance into a JSON-RPC 500;
/// the next request is served normally. (If the gateway ever rejects large
/// bodies up front with 413, the trap path is no longer reached; both are
/// accepted so the test does not pin the gateway's limits.)
#[test]
fn memory_blowup_is_500_and_server_recovers() {
    let server = Memclaw::new();
    server.create_tenant("acme");
    let key = server.mint_key("acme", &[]);
    let server = server.serve(&["--max-memory-mib", "8"]);
    let list = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
    let baseline = server.post_mcp(Some(&key), list).status;
    assert_ne!(baseline, 500);

    let pad = "x".repeat(16 << 20);
    let big =
        format!(r#"{{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{{"pad":"{pad}"}}}}"#);
    let resp = server.post_mcp(Some(&key), &big);
    assert!(resp.status == 500 || resp.status == 413, "{}", resp.status);
    if resp.status == 500 {
        let body: serde_json::Value = serde_json::from_slice(&resp.body).expect("json body");
        assert_eq!(body["error"]["code"], -32603, "{body}");
        assert!(body["id"].is_null(), "{body}");
    }
    assert_eq!(server.post_mcp(Some(&key), list).status, baseline);
}
