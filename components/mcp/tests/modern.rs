//! Checklist items 23–31: the modern era (2026-07-28) envelope, headers and results.

mod common;

use common::{FakeBackend, MODERN, Req, envelope, error, result};
use memclaw_mcp::{MODERN_VERSIONS, codes};
use serde_json::{Value, json};

const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

fn call(name: &str) -> Req {
    Req::modern(
        json!(3),
        "tools/call",
        json!({"name": name, "arguments": {"text": "héllo"}}),
    )
}

fn assert_modern_stamps(result: &Value) {
    assert_eq!(result["resultType"], "complete");
    assert_eq!(
        result["_meta"][SERVER_INFO],
        json!({"name": "memclaw-test", "version": "9.9.9"})
    );
}

#[test]
fn item23_server_discover() {
    assert_eq!(MODERN_VERSIONS, [MODERN]);
    let response = Req::modern(json!(1), "server/discover", json!({})).send();
    let result = result(&response, &json!(1));
    assert_modern_stamps(&result);
    assert_eq!(
        result["supportedVersions"],
        json!([
            "2026-07-28",
            "2025-11-25",
            "2025-06-18",
            "2025-03-26",
            "2024-11-05"
        ])
    );
    assert_eq!(
        result["capabilities"],
        json!({"tools": {"listChanged": false}})
    );
    assert_eq!(result["instructions"], "Call recall before write.");
    assert_eq!(result["ttlMs"], 60_000);
    assert_eq!(result["cacheScope"], "private");
    assert!(result.get("serverInfo").is_none());
}

#[test]
fn item24_tools_list_is_cacheable_and_complete() {
    let result = result(
        &Req::modern(json!(2), "tools/list", json!({})).send(),
        &json!(2),
    );
    assert_modern_stamps(&result);
    assert_eq!(result["ttlMs"], 60_000);
    assert_eq!(result["cacheScope"], "private");
    assert_eq!(result["tools"].as_array().unwrap().len(), 4);
    assert!(result.get("nextCursor").is_none());
}

#[test]
fn item24_tools_call_results_are_stamped() {
    let result = result(&call("echo").send(), &json!(3));
    assert_modern_stamps(&result);
    assert_eq!(result["structuredContent"], json!({"echoed": "héllo"}));
    assert_eq!(result["isError"], false);
    let failed = common::result(&call("memclaw_delete").send(), &json!(3));
    assert_modern_stamps(&failed);
    assert_eq!(failed["isError"], true);
    assert!(failed.get("ttlMs").is_none());
}

#[test]
fn item25_unsupported_version_is_32022_with_data() {
    for version in ["2099-01-01", "2025-11-25", "zzz"] {
        let mut request = Req::modern(json!(4), "tools/list", json!({}));
        let mut body: Value = serde_json::from_slice(&request.0.body).unwrap();
        body["params"]["_meta"] = envelope(version);
        request.0.body = body.to_string().into_bytes();
        let response = request.set("MCP-Protocol-Version", version).send();
        let error = error(
            &response,
            400,
            codes::UNSUPPORTED_PROTOCOL_VERSION,
            &json!(4),
        );
        assert_eq!(error["data"]["requested"], version);
        let supported = error["data"]["supported"].as_array().unwrap();
        assert_eq!(supported[0], MODERN);
        assert_eq!(supported.len(), 5);
    }
}

#[test]
fn item26_version_header_must_match_envelope() {
    let mismatched = Req::modern(json!(5), "tools/list", json!({}))
        .set("MCP-Protocol-Version", "2025-11-25")
        .send();
    error(&mismatched, 400, codes::HEADER_MISMATCH, &json!(5));
    let missing = Req::modern(json!(5), "tools/list", json!({}))
        .without("MCP-Protocol-Version")
        .send();
    error(&missing, 400, codes::HEADER_MISMATCH, &json!(5));
    let duplicated = Req::modern(json!(5), "tools/list", json!({}))
        .header("MCP-Protocol-Version", MODERN)
        .send();
    error(&duplicated, 400, codes::HEADER_MISMATCH, &json!(5));
    // Values are case-sensitive but surrounding whitespace is not part of the value.
    let padded = Req::modern(json!(5), "tools/list", json!({}))
        .set("mcp-protocol-version", " 2026-07-28\t")
        .send();
    result(&padded, &json!(5));
}

#[test]
fn item27_method_header_must_match_method() {
    let missing = Req::modern(json!(6), "tools/list", json!({}))
        .without("Mcp-Method")
        .send();
    error(&missing, 400, codes::HEADER_MISMATCH, &json!(6));
    let different = call("echo").set("Mcp-Method", "tools/list").send();
    error(&different, 400, codes::HEADER_MISMATCH, &json!(3));
    let wrong_case = Req::modern(json!(6), "tools/list", json!({}))
        .set("Mcp-Method", "TOOLS/LIST")
        .send();
    error(&wrong_case, 400, codes::HEADER_MISMATCH, &json!(6));
}

#[test]
fn item28_name_header_must_match_tool_name() {
    error(
        &call("echo").without("Mcp-Name").send(),
        400,
        codes::HEADER_MISMATCH,
        &json!(3),
    );
    error(
        &call("echo").set("Mcp-Name", "memclaw_write").send(),
        400,
        codes::HEADER_MISMATCH,
        &json!(3),
    );
    error(
        &call("echo").header("Mcp-Name", "echo").send(),
        400,
        codes::HEADER_MISMATCH,
        &json!(3),
    );
    result(
        &call("echo").set("mcp-name", "=?base64?ZWNobw==?=").send(),
        &json!(3),
    );
}

#[test]
fn item28_base64_sentinel_for_non_ascii_names() {
    // The name is unknown, so a correctly decoded header reaches dispatch (-32602 at 200),
    // while a wrong or malformed sentinel stops at the header check (-32020 at 400).
    let name = "Hello, 世界";
    let good = call(name)
        .set("Mcp-Name", "=?base64?SGVsbG8sIOS4lueVjA==?=")
        .send();
    let error_object = error(&good, 200, codes::INVALID_PARAMS, &json!(3));
    assert_eq!(error_object["message"], format!("Unknown tool: {name}"));
    let padded = call(" padded ")
        .set("Mcp-Name", "=?base64?IHBhZGRlZCA=?=")
        .send();
    error(&padded, 200, codes::INVALID_PARAMS, &json!(3));
    for malformed in [
        "=?base64?SGVsbG8sIOS4lueVjA?=",
        "=?base64?!!!?=",
        "=?base64?/w==?=",
        "=?BASE64?SGVsbG8sIOS4lueVjA==?=",
        "=?base64?SGVsbG8sIOS4lueVjA==",
    ] {
        let response = call(name).set("Mcp-Name", malformed).send();
        error(&response, 400, codes::HEADER_MISMATCH, &json!(3));
    }
}

#[test]
fn item29_missing_envelope_is_32602_at_400() {
    let no_params = Req::json(json!({"jsonrpc": "2.0", "id": 6, "method": "tools/list"}))
        .header("MCP-Protocol-Version", MODERN)
        .header("Mcp-Method", "tools/list")
        .send();
    let error_object = error(&no_params, 400, codes::INVALID_PARAMS, &json!(6));
    assert!(
        error_object["message"]
            .as_str()
            .unwrap()
            .contains("params._meta")
    );
    let metas = [
        json!({"io.modelcontextprotocol/protocolVersion": MODERN}),
        json!({"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": []}),
        json!({"io.modelcontextprotocol/protocolVersion": 20260728, "io.modelcontextprotocol/clientCapabilities": {}}),
        json!({"io.modelcontextprotocol/clientCapabilities": {}}),
        json!("not an object"),
    ];
    for meta in metas {
        let response = Req::json(
            json!({"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {"_meta": meta}}),
        )
        .header("MCP-Protocol-Version", MODERN)
        .header("Mcp-Method", "tools/list")
        .send();
        error(&response, 400, codes::INVALID_PARAMS, &json!(7));
    }
}

#[test]
fn item29_envelope_is_checked_before_headers() {
    // Nothing but a modern version header: the envelope failure wins over missing headers.
    let response = Req::rpc(json!("a"), "tools/call", Some(json!({"name": "echo"})))
        .header("MCP-Protocol-Version", "1999-01-01")
        .send();
    error(&response, 400, codes::INVALID_PARAMS, &json!("a"));
}

#[test]
fn item30_handshake_methods_and_unknown_methods_are_404() {
    for method in [
        "ping",
        "initialize",
        "logging/setLevel",
        "resources/list",
        "prompts/list",
        "subscriptions/listen",
        "nope",
    ] {
        let response = Req::modern(json!(8), method, json!({})).send();
        let error_object = error(&response, 404, codes::METHOD_NOT_FOUND, &json!(8));
        assert_eq!(error_object["data"]["method"], method);
    }
    let initialize = Req::modern(
        json!(8),
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}}),
    );
    error(&initialize.send(), 404, codes::METHOD_NOT_FOUND, &json!(8));
}

#[test]
fn item31_modern_errors_echo_ids_and_are_json() {
    for id in [json!(0), json!("0"), json!("server-discover-probe-1")] {
        let mismatch = Req::modern(id.clone(), "tools/list", json!({}))
            .set("Mcp-Method", "x")
            .send();
        error(&mismatch, 400, codes::HEADER_MISMATCH, &id);
        assert_eq!(mismatch.header("Content-Type"), Some("application/json"));
        let unknown = Req::modern(id.clone(), "nope", json!({})).send();
        error(&unknown, 404, codes::METHOD_NOT_FOUND, &id);
        assert_eq!(unknown.header("Content-Type"), Some("application/json"));
    }
}

#[test]
fn check_order_header_mismatch_before_unsupported_version() {
    let mut request = Req::modern(json!(1), "tools/list", json!({}));
    let mut body: Value = serde_json::from_slice(&request.0.body).unwrap();
    body["params"]["_meta"] = envelope("2099-01-01");
    request.0.body = body.to_string().into_bytes();
    // Header still says 2026-07-28, so the mismatch is reported first.
    error(&request.send(), 400, codes::HEADER_MISMATCH, &json!(1));
}

#[test]
fn envelope_classifies_even_with_a_handshake_header() {
    let response = Req::modern(json!(1), "tools/list", json!({}))
        .set("MCP-Protocol-Version", "2025-11-25")
        .send();
    error(&response, 400, codes::HEADER_MISMATCH, &json!(1));
}

#[test]
fn unknown_tool_is_32602_at_200() {
    let mut backend = FakeBackend::default();
    let response = call("no_such_tool").send_to(&mut backend);
    let error_object = error(&response, 200, codes::INVALID_PARAMS, &json!(3));
    assert_eq!(error_object["message"], "Unknown tool: no_such_tool");
    assert!(backend.calls.is_empty());
}

#[test]
fn modern_alias_is_resolved_after_the_name_header_check() {
    let mut backend = FakeBackend::default();
    let response = call("caura_write").send_to(&mut backend);
    let result = result(&response, &json!(3));
    assert_eq!(
        result["structuredContent"],
        json!({"id": "m1", "written": true})
    );
    assert_eq!(backend.calls[0].1, "memclaw_write");
}

#[test]
fn unrequested_multi_round_trip_state_is_invalid_params() {
    for key in ["inputResponses", "requestState"] {
        let response = Req::modern(
            json!(1),
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "x"}, key: {}}),
        )
        .send();
        error(&response, 200, codes::INVALID_PARAMS, &json!(1));
    }
}

#[test]
fn modern_cursor_is_rejected() {
    let response = Req::modern(json!(1), "tools/list", json!({"cursor": "abc"})).send();
    error(&response, 200, codes::INVALID_PARAMS, &json!(1));
}

#[test]
fn mcp_param_headers_are_ignored() {
    let response = call("echo")
        .header("Mcp-Param-Text", "something else")
        .send();
    result(&response, &json!(3));
}
