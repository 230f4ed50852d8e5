//! Checklist items 17–22: the handshake era (2024-11-05 … 2025-11-25).

mod common;

use common::{MODERN, Req, assert_accepted, error, result};
use memclaw_mcp::{HANDSHAKE_VERSIONS, LATEST_HANDSHAKE_VERSION, codes};
use serde_json::{Value, json};

fn initialize(version: &str) -> Req {
    Req::rpc(
        json!(0),
        "initialize",
        Some(json!({
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": {"name": "ts-test", "version": "0.0.1"},
        })),
    )
}

#[test]
fn item17_known_versions_are_echoed() {
    assert_eq!(
        HANDSHAKE_VERSIONS,
        ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]
    );
    for version in HANDSHAKE_VERSIONS {
        let result = result(&initialize(version).send(), &json!(0));
        assert_eq!(result["protocolVersion"], version);
    }
}

#[test]
fn item17_unknown_versions_get_the_latest_handshake_version() {
    assert_eq!(LATEST_HANDSHAKE_VERSION, "2025-11-25");
    for version in ["2099-01-01", "zzz", MODERN, "2024-10-07"] {
        let result = result(&initialize(version).send(), &json!(0));
        assert_eq!(
            result["protocolVersion"], LATEST_HANDSHAKE_VERSION,
            "{version}"
        );
    }
}

#[test]
fn item18_initialize_result_shape() {
    let result = result(&initialize("2025-06-18").send(), &json!(0));
    assert_eq!(
        result,
        json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {"tools": {"listChanged": false}},
            "serverInfo": {"name": "memclaw-test", "title": "Memclaw Test", "version": "9.9.9"},
            "instructions": "Call recall before write.",
        })
    );
}

#[test]
fn item18_instructions_are_optional() {
    let config = memclaw_mcp::ServerConfig {
        instructions: None,
        ..common::config()
    };
    let mut backend = common::FakeBackend::default();
    let response = memclaw_mcp::handle(&config, &mut backend, &initialize("2025-11-25").0);
    let result = result(&response, &json!(0));
    assert!(result.get("instructions").is_none());
}

#[test]
fn initialize_with_malformed_params_is_invalid_params() {
    for params in [
        None,
        Some(json!({})),
        Some(json!({"protocolVersion": 20251125})),
        Some(json!([1])),
    ] {
        let response = Req::rpc(json!(0), "initialize", params).send();
        error(&response, 200, codes::INVALID_PARAMS, &json!(0));
    }
}

#[test]
fn initialize_with_a_modern_header_but_no_envelope_is_rejected() {
    let response = initialize("2025-11-25")
        .header("MCP-Protocol-Version", MODERN)
        .send();
    error(&response, 400, codes::INVALID_REQUEST, &json!(0));
}

#[test]
fn item19_tools_work_without_initialize_with_and_without_header() {
    for header in [
        None,
        Some("2025-03-26"),
        Some("2025-06-18"),
        Some("2025-11-25"),
        Some("2024-11-05"),
    ] {
        let mut list = Req::rpc(json!(1), "tools/list", None);
        let mut call = Req::rpc(
            json!(2),
            "tools/call",
            Some(json!({"name": "echo", "arguments": {"text": "hi"}})),
        );
        if let Some(version) = header {
            list = list.header("MCP-Protocol-Version", version);
            call = call.header("mcp-protocol-version", version);
        }
        let tools = result(&list.send(), &json!(1));
        assert_eq!(tools["tools"].as_array().unwrap().len(), 4);
        let called = result(&call.send(), &json!(2));
        assert_eq!(called["structuredContent"], json!({"echoed": "hi"}));
        assert_eq!(called["isError"], false);
    }
}

#[test]
fn item20_unsupported_version_header_is_400() {
    for version in ["1999-01-01", "2099-01-01", "", "2025-11-25 extra"] {
        let response = Req::rpc(json!(1), "tools/list", None)
            .header("MCP-Protocol-Version", version)
            .send();
        assert_eq!(response.status, 400, "{version:?}");
        assert_eq!(response.json().unwrap()["id"], json!(1));
    }
}

#[test]
fn item21_ping_result_is_exactly_empty() {
    let response = Req::rpc(json!(4), "ping", None).send();
    assert_eq!(
        response.json(),
        Some(json!({"jsonrpc": "2.0", "id": 4, "result": {}}))
    );
    let with_header = Req::rpc(json!(5), "ping", Some(json!({})))
        .header("MCP-Protocol-Version", "2025-11-25")
        .send();
    assert_eq!(result(&with_header, &json!(5)), json!({}));
}

#[test]
fn item22_unknown_methods_are_32601_at_200() {
    for method in [
        "logging/setLevel",
        "resources/list",
        "resources/read",
        "prompts/list",
        "prompts/get",
        "completion/complete",
        "tasks/get",
        "server/discover",
        "nope",
    ] {
        let response = Req::rpc(json!(9), method, Some(json!({})))
            .header("MCP-Protocol-Version", "2025-11-25")
            .send();
        let error = error(&response, 200, codes::METHOD_NOT_FOUND, &json!(9));
        assert_eq!(error["data"]["method"], method);
    }
}

#[test]
fn handshake_results_never_carry_modern_fields() {
    let requests = [
        initialize("2025-11-25"),
        Req::rpc(json!(0), "tools/list", None),
        Req::rpc(
            json!(0),
            "tools/call",
            Some(json!({"name": "echo", "arguments": {"text": "x"}})),
        ),
        Req::rpc(json!(0), "ping", None),
    ];
    for request in requests {
        let result = result(&request.send(), &json!(0));
        for key in ["resultType", "ttlMs", "cacheScope", "_meta"] {
            assert!(result.get(key).is_none(), "{key} in {result}");
        }
    }
}

#[test]
fn handshake_notifications_are_202() {
    for method in [
        "notifications/initialized",
        "notifications/cancelled",
        "notifications/progress",
        "notifications/roots/list_changed",
        "unknown/notification",
    ] {
        let response = Req::json(json!({"jsonrpc": "2.0", "method": method}))
            .header("MCP-Protocol-Version", "2025-06-18")
            .send();
        assert_accepted(&response);
    }
}

#[test]
fn posted_responses_are_202_in_the_handshake_era() {
    let bodies = [
        json!({"jsonrpc": "2.0", "id": 1, "result": {}}),
        json!({"jsonrpc": "2.0", "id": "x", "error": {"code": -1, "message": "no"}}),
        json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "parse"}}),
    ];
    for body in bodies {
        assert_accepted(&Req::json(body.clone()).send());
        assert_accepted(
            &Req::json(body)
                .header("MCP-Protocol-Version", "2025-11-25")
                .send(),
        );
    }
}

#[test]
fn posted_responses_are_400_when_the_header_is_modern() {
    let response = Req::json(json!({"jsonrpc": "2.0", "id": 1, "result": {}}))
        .header("MCP-Protocol-Version", MODERN)
        .send();
    error(&response, 400, codes::INVALID_REQUEST, &Value::Null);
}

#[test]
fn non_object_params_are_invalid() {
    for method in ["tools/list", "tools/call"] {
        let response = Req::rpc(json!(1), method, Some(json!([1, 2]))).send();
        error(&response, 200, codes::INVALID_PARAMS, &json!(1));
    }
}
