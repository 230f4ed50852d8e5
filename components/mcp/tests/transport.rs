//! Checklist items 1–13: HTTP verbs, statuses, media types, origin, size, framing and ids.

mod common;

use common::{ALLOWED_ORIGIN, FakeBackend, MODERN, Req, assert_accepted, error, result};
use memclaw_mcp::codes;
use serde_json::{Value, json};

fn tools_list(id: Value) -> Req {
    Req::rpc(id, "tools/list", None)
}

#[test]
fn item01_post_request_gets_200_json() {
    let response = tools_list(json!(1)).send();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert!(result(&response, &json!(1))["tools"].is_array());
}

#[test]
fn item02_get_and_delete_are_405_with_allow_post() {
    for method in ["GET", "DELETE", "PUT", "PATCH", "HEAD"] {
        let response = tools_list(json!(1))
            .method(method)
            .header("Mcp-Session-Id", "abc")
            .send();
        assert_eq!(response.status, 405, "{method}");
        assert_eq!(response.header("Allow"), Some("POST"), "{method}");
        assert!(response.body.is_empty());
    }
}

#[test]
fn item02_get_is_refused_even_without_credentials() {
    let response = Req::post("")
        .method("GET")
        .without("X-API-Key")
        .set("Accept", "text/event-stream")
        .send();
    assert_eq!(response.status, 405);
}

#[test]
fn item03_initialize_response_has_no_session_id() {
    let params = json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}});
    let response = Req::rpc(json!(0), "initialize", Some(params)).send();
    assert_eq!(response.status, 200);
    assert!(response.header("Mcp-Session-Id").is_none());
}

#[test]
fn item04_session_and_last_event_headers_are_ignored() {
    let response = tools_list(json!(2))
        .header("Mcp-Session-Id", "stale-session")
        .header("Last-Event-ID", "42")
        .header("MCP-Protocol-Version", "2025-11-25")
        .send();
    assert!(result(&response, &json!(2))["tools"].is_array());
    let modern = Req::modern(json!(3), "tools/list", json!({}))
        .header("Mcp-Session-Id", "stale-session")
        .header("Last-Event-ID", "42")
        .send();
    assert!(result(&modern, &json!(3))["tools"].is_array());
}

#[test]
fn item05_notifications_are_202_in_both_eras() {
    let handshake = Req::json(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .header("MCP-Protocol-Version", "2025-11-25")
        .send();
    assert_accepted(&handshake);
    let cancelled = Req::json(
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}}),
    )
    .send();
    assert_accepted(&cancelled);
    let modern = Req::json(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7, "_meta": common::envelope(MODERN)}}))
        .header("MCP-Protocol-Version", MODERN)
        .send();
    assert_accepted(&modern);
    // A modern header without an envelope is still just a notification.
    let bare = Req::json(json!({"jsonrpc": "2.0", "method": "notifications/cancelled"}))
        .header("MCP-Protocol-Version", MODERN)
        .send();
    assert_accepted(&bare);
}

#[test]
fn item06_requests_are_never_answered_with_202() {
    let requests = [
        Req::rpc(json!(1), "ping", None),
        Req::rpc(json!(1), "notifications/initialized", None),
        Req::rpc(json!(1), "no/such/method", None),
        Req::modern(json!(1), "ping", json!({})),
        Req::modern(json!(1), "no/such/method", json!({})),
        Req::rpc(
            json!(1),
            "tools/call",
            Some(json!({"name": "echo", "arguments": {"text": "x"}})),
        ),
    ];
    for request in requests {
        let response = request.send();
        assert_ne!(response.status, 202);
        assert!(!response.body.is_empty());
    }
}

#[test]
fn item07_non_json_body_is_parse_error_with_null_id() {
    for body in [
        "{bad",
        "",
        "not json",
        "{\"jsonrpc\":\"2.0\",",
        "\u{feff}{}",
    ] {
        let response = Req::post(body).send();
        let body_json = response.json().expect("JSON error body");
        assert_eq!(body_json["id"], Value::Null);
        error(&response, 400, codes::PARSE_ERROR, &Value::Null);
    }
    let invalid_utf8 = Req::post(vec![b'"', 0xff, 0xfe, b'"']).send();
    error(&invalid_utf8, 400, codes::PARSE_ERROR, &Value::Null);
}

#[test]
fn item08_json_that_is_not_one_request_is_invalid() {
    for body in [
        "42",
        "\"text\"",
        "null",
        "true",
        "{}",
        r#"{"jsonrpc":"2.0"}"#,
        r#"{"id":1,"method":"ping"}"#,
    ] {
        let response = Req::post(body).send();
        assert_eq!(response.status, 400, "{body}");
        assert_eq!(
            response.json().unwrap()["error"]["code"],
            codes::INVALID_REQUEST,
            "{body}"
        );
    }
}

#[test]
fn item08_batches_are_rejected() {
    let batch = json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}, {"jsonrpc": "2.0", "method": "notifications/initialized"}]);
    error(
        &Req::json(batch).send(),
        400,
        codes::INVALID_REQUEST,
        &Value::Null,
    );
    error(
        &Req::post("[]").send(),
        400,
        codes::INVALID_REQUEST,
        &Value::Null,
    );
    let modern_batch = Req::json(json!([{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": common::envelope(MODERN)}}]))
        .header("MCP-Protocol-Version", MODERN)
        .send();
    error(&modern_batch, 400, codes::INVALID_REQUEST, &Value::Null);
}

#[test]
fn item08_method_and_version_must_be_well_formed() {
    let wrong_version = Req::json(json!({"jsonrpc": "1.0", "id": 5, "method": "ping"})).send();
    error(&wrong_version, 400, codes::INVALID_REQUEST, &json!(5));
    let numeric_method = Req::json(json!({"jsonrpc": "2.0", "id": 5, "method": 12})).send();
    error(&numeric_method, 400, codes::INVALID_REQUEST, &json!(5));
}

#[test]
fn item09_content_type_must_be_json() {
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "text/event-stream",
        "application/jsonx",
    ] {
        let response = tools_list(json!(1))
            .set("Content-Type", content_type)
            .send();
        error(&response, 415, codes::INVALID_REQUEST, &Value::Null);
    }
    error(
        &tools_list(json!(1)).without("Content-Type").send(),
        415,
        codes::INVALID_REQUEST,
        &Value::Null,
    );
    for content_type in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/json;charset=UTF-8",
    ] {
        let response = tools_list(json!(1))
            .set("content-type", content_type)
            .send();
        result(&response, &json!(1));
    }
}

#[test]
fn item10_accept_must_allow_json() {
    for accept in [
        "text/event-stream",
        "text/html",
        "application/xml, text/*",
        "application/json;q=0",
    ] {
        let response = tools_list(json!(1)).set("Accept", accept).send();
        error(&response, 406, codes::INVALID_REQUEST, &Value::Null);
    }
    for accept in [
        "application/json",
        "application/*",
        "*/*",
        "text/event-stream, */*;q=0.1",
    ] {
        result(
            &tools_list(json!(1)).set("Accept", accept).send(),
            &json!(1),
        );
    }
    result(&tools_list(json!(1)).without("Accept").send(), &json!(1));
}

#[test]
fn item11_foreign_origin_is_403_and_no_origin_is_allowed() {
    let foreign = tools_list(json!(1))
        .header("Origin", "https://evil.example")
        .send();
    error(&foreign, 403, codes::INVALID_REQUEST, &Value::Null);
    assert!(foreign.header("Access-Control-Allow-Origin").is_none());
    let no_origin = tools_list(json!(1)).send();
    result(&no_origin, &json!(1));
    assert!(no_origin.header("Access-Control-Allow-Origin").is_none());
}

#[test]
fn item11_foreign_origin_is_refused_before_authentication() {
    let mut backend = FakeBackend::default();
    let response = tools_list(json!(1))
        .header("Origin", "null")
        .send_to(&mut backend);
    assert_eq!(response.status, 403);
    assert!(backend.keys_seen.is_empty());
}

#[test]
fn item11_allowlisted_origin_gets_cors_headers() {
    let response = tools_list(json!(1)).header("Origin", ALLOWED_ORIGIN).send();
    result(&response, &json!(1));
    assert_eq!(
        response.header("Access-Control-Allow-Origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert!(
        response
            .header("Access-Control-Expose-Headers")
            .unwrap()
            .contains("www-authenticate")
    );
    assert_eq!(response.header("Vary"), Some("Origin"));
}

#[test]
fn options_preflight_from_allowlisted_origin_is_204() {
    let response = Req::post("")
        .method("OPTIONS")
        .without("X-API-Key")
        .header("Origin", ALLOWED_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .send();
    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    assert_eq!(
        response.header("Access-Control-Allow-Origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert_eq!(
        response.header("Access-Control-Allow-Methods"),
        Some("POST, OPTIONS")
    );
    let allowed_headers = response.header("Access-Control-Allow-Headers").unwrap();
    for header in [
        "authorization",
        "x-api-key",
        "mcp-protocol-version",
        "mcp-method",
        "mcp-name",
    ] {
        assert!(allowed_headers.contains(header), "{header}");
    }
}

#[test]
fn options_without_allowlisted_origin_is_405() {
    let foreign = Req::post("")
        .method("OPTIONS")
        .header("Origin", "https://evil.example")
        .send();
    assert_eq!(foreign.status, 405);
    assert_eq!(foreign.header("Allow"), Some("POST"));
    let no_origin = Req::post("").method("OPTIONS").send();
    assert_eq!(no_origin.status, 405);
}

#[test]
fn item12_oversized_body_is_413() {
    let limit = common::config().max_body_bytes;
    assert_eq!(limit, 4 * 1024 * 1024);
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let padded_to = |length: usize| format!("{ping}{}", " ".repeat(length - ping.len()));
    error(
        &Req::post(padded_to(limit + 1)).send(),
        413,
        codes::INVALID_REQUEST,
        &Value::Null,
    );
    // Exactly at the limit is still fine.
    result(&Req::post(padded_to(limit)).send(), &json!(1));
}

#[test]
fn item13_ids_round_trip_with_their_json_type() {
    for id in [
        json!(0),
        json!("0"),
        json!("server-discover-probe-1"),
        json!(""),
        json!(-7),
        json!(u64::MAX),
    ] {
        assert_eq!(
            result(&Req::rpc(id.clone(), "ping", None).send(), &id),
            json!({})
        );
        let discover = Req::modern(id.clone(), "server/discover", json!({})).send();
        result(&discover, &id);
        let unknown = Req::rpc(id.clone(), "nope", None).send();
        error(&unknown, 200, codes::METHOD_NOT_FOUND, &id);
    }
}

#[test]
fn invalid_ids_are_rejected_with_null_id() {
    for id in [
        json!(null),
        json!(1.5),
        json!({"a": 1}),
        json!([1]),
        json!(true),
    ] {
        let response = Req::rpc(id, "ping", None).send();
        error(&response, 400, codes::INVALID_REQUEST, &Value::Null);
    }
}

#[test]
fn only_the_endpoint_path_speaks_mcp() {
    for path in [
        "/",
        "/mcp/",
        "/MCP",
        "/mcp/extra",
        "/sse",
        "/register",
        "/authorize",
    ] {
        let response = tools_list(json!(1)).path(path).send();
        assert_eq!(response.status, 404, "{path}");
        assert_eq!(response.json(), Some(json!({"error": "not_found"})));
    }
    result(
        &tools_list(json!(1)).path("/mcp?tenant=a").send(),
        &json!(1),
    );
}

#[test]
fn configured_endpoint_path_is_honoured() {
    let config = memclaw_mcp::ServerConfig {
        endpoint_path: "/v1/mcp".to_owned(),
        ..common::config()
    };
    let mut backend = FakeBackend::default();
    let moved = memclaw_mcp::handle(
        &config,
        &mut backend,
        &tools_list(json!(1)).path("/v1/mcp").0,
    );
    result(&moved, &json!(1));
    let old = memclaw_mcp::handle(&config, &mut backend, &tools_list(json!(1)).0);
    assert_eq!(old.status, 404);
}

#[test]
fn header_names_are_case_insensitive() {
    let request = Req::rpc(json!(1), "tools/list", None)
        .without("Content-Type")
        .without("Accept")
        .without("X-API-Key")
        .header("CONTENT-TYPE", "application/json")
        .header("accept", "application/json")
        .header("x-api-key", common::KEY)
        .header("mcp-protocol-version", "2025-06-18");
    result(&request.send(), &json!(1));
}
