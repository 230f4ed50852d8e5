//! Checklist items 14–16: API keys, the 401 shape, and the absent OAuth documents.

mod common;

use common::{FakeBackend, KEY, MODERN, Req, error, result};
use memclaw_mcp::{HttpResponse, codes};
use serde_json::{Value, json};

const CHALLENGE: &str =
    r#"Bearer realm="mcp", error="invalid_token", error_description="Missing or invalid API key""#;

fn assert_unauthorized(response: &HttpResponse) {
    assert_eq!(response.status, 401);
    assert_eq!(response.header("www-authenticate"), Some(CHALLENGE));
    assert_eq!(response.header("Content-Type"), Some("application/json"));
    assert_eq!(
        response.json(),
        Some(json!({"error": "invalid_token", "error_description": "Missing or invalid API key"}))
    );
}

fn list() -> Req {
    Req::rpc(json!(1), "tools/list", None)
}

#[test]
fn item14_missing_key_is_401_with_challenge() {
    assert_unauthorized(&list().without("X-API-Key").send());
    assert_unauthorized(&list().set("X-API-Key", "").send());
    assert_unauthorized(
        &list()
            .without("X-API-Key")
            .header("Authorization", "Bearer ")
            .send(),
    );
}

#[test]
fn item14_wrong_key_is_401() {
    assert_unauthorized(&list().set("X-API-Key", "wrong").send());
    assert_unauthorized(
        &list()
            .without("X-API-Key")
            .header("Authorization", "Bearer wrong")
            .send(),
    );
    assert_unauthorized(
        &list()
            .without("X-API-Key")
            .header("Authorization", &format!("Basic {KEY}"))
            .send(),
    );
}

#[test]
fn item14_every_kind_of_post_needs_a_key() {
    let initialize = Req::rpc(
        json!(0),
        "initialize",
        Some(json!({"protocolVersion": "2025-11-25"})),
    );
    let notification = Req::json(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let discover = Req::modern(json!(1), "server/discover", json!({}));
    let garbage = Req::post("{bad");
    for request in [initialize, notification, discover, garbage] {
        assert_unauthorized(&request.without("X-API-Key").send());
    }
}

#[test]
fn item15_x_api_key_alone_is_accepted() {
    let mut backend = FakeBackend::default();
    result(&list().send_to(&mut backend), &json!(1));
    assert_eq!(backend.keys_seen, [KEY]);
}

#[test]
fn item15_bearer_alone_is_accepted() {
    let mut backend = FakeBackend::default();
    let request = list()
        .without("X-API-Key")
        .header("Authorization", &format!("Bearer {KEY}"));
    result(&request.send_to(&mut backend), &json!(1));
    let lowercase = list()
        .without("X-API-Key")
        .header("authorization", &format!("bearer {KEY}"));
    result(&lowercase.send_to(&mut backend), &json!(1));
    assert_eq!(backend.keys_seen, [KEY, KEY]);
}

#[test]
fn item15_x_api_key_is_checked_before_bearer() {
    let mut backend = FakeBackend::default();
    let request = list()
        .set("X-API-Key", "wrong")
        .header("Authorization", &format!("Bearer {KEY}"));
    assert_unauthorized(&request.send_to(&mut backend));
    assert_eq!(backend.keys_seen, ["wrong"]);
}

#[test]
fn item16_oauth_well_known_documents_are_404() {
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        for method in ["GET", "POST"] {
            let response = list().method(method).path(path).without("X-API-Key").send();
            assert_eq!(response.status, 404, "{method} {path}");
            assert_eq!(response.json(), Some(json!({"error": "not_found"})));
        }
    }
}

#[test]
fn authentication_happens_before_the_body_is_parsed() {
    // A wrong key on a broken body is a 401, not a parse error.
    assert_unauthorized(&Req::post("{bad").set("X-API-Key", "wrong").send());
    // And before the media-type checks.
    assert_unauthorized(
        &list()
            .without("X-API-Key")
            .set("Content-Type", "text/plain")
            .send(),
    );
}

#[test]
fn unavailable_backend_is_503_internal_error_with_echoed_id() {
    let mut backend = FakeBackend {
        down: true,
        ..FakeBackend::default()
    };
    let response = Req::rpc(json!("req-9"), "tools/list", None).send_to(&mut backend);
    let error_object = error(&response, 503, codes::INTERNAL_ERROR, &json!("req-9"));
    assert!(
        !error_object["message"]
            .as_str()
            .unwrap()
            .contains("database"),
        "internals must not leak"
    );
    let unreadable = Req::post("{bad").send_to(&mut backend);
    error(&unreadable, 503, codes::INTERNAL_ERROR, &Value::Null);
    let modern = Req::modern(json!(4), "tools/list", json!({})).send_to(&mut backend);
    error(&modern, 503, codes::INTERNAL_ERROR, &json!(4));
}

#[test]
fn missing_key_is_401_in_the_modern_era_too() {
    let response = Req::modern(json!(1), "tools/list", json!({}))
        .without("X-API-Key")
        .set("MCP-Protocol-Version", MODERN)
        .send();
    assert_unauthorized(&response);
}
