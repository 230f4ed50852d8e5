//! `handle` must never panic and must keep its invariants on arbitrary input.

mod common;

use common::{FakeBackend, MODERN, Req, config, envelope};
use memclaw_mcp::{HttpRequest, handle};
use serde_json::{Value, json};

/// Small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\"jsonrpc\"",
    "\"2.0\"",
    "\"id\"",
    "\"method\"",
    "\"params\"",
    "\"_meta\"",
    "\"tools/call\"",
    "\"tools/list\"",
    "\"initialize\"",
    "\"server/discover\"",
    "\"name\"",
    "\"arguments\"",
    "\"cursor\"",
    "null",
    "true",
    "0",
    "-1",
    "1e400",
    "18446744073709551616",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\u{fffd}",
    " ",
    "\"io.modelcontextprotocol/protocolVersion\"",
    "\"2026-07-28\"",
    "\"io.modelcontextprotocol/clientCapabilities\"",
    "\"echo\"",
    "\"caura_write\"",
];

const HEADER_VALUES: &[&str] = &[
    "",
    " ",
    "2026-07-28",
    "2025-11-25",
    "tools/call",
    "echo",
    "=?base64?",
    "=?base64??=",
    "=?base64?ZWNobw==?=",
    "=?base64?////?=",
    "\u{0}",
    "é",
    "Bearer",
    "Bearer test-key",
    "application/json",
    "*/*;q=NaN",
    "application/json;q=-1",
    ";;;",
    ",,,",
];

const HEADER_NAMES: &[&str] = &[
    "MCP-Protocol-Version",
    "Mcp-Method",
    "Mcp-Name",
    "Accept",
    "Content-Type",
    "Authorization",
    "X-API-Key",
    "Origin",
    "Mcp-Session-Id",
];

fn assert_well_formed(request: &HttpRequest, backend: &mut FakeBackend) {
    let response = handle(&config(), backend, request);
    assert!((200..600).contains(&response.status));
    assert!(response.header("Mcp-Session-Id").is_none());
    if response.status == 202 || response.status == 204 || response.status == 405 {
        assert!(response.body.is_empty());
    } else {
        assert_eq!(response.header("Content-Type"), Some("application/json"));
        assert!(
            response.json().is_some(),
            "status {} body is JSON",
            response.status
        );
    }
}

#[test]
fn random_fragment_bodies_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut backend = FakeBackend::default();
    for _ in 0..5_000 {
        let length = rng.below(40);
        let body: String = (0..length).map(|_| rng.pick(FRAGMENTS)).collect();
        let mut request = Req::post(body);
        for _ in 0..rng.below(4) {
            request = request.header(rng.pick(HEADER_NAMES), rng.pick(HEADER_VALUES));
        }
        assert_well_formed(&request.0, &mut backend);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    let mut backend = FakeBackend::default();
    for _ in 0..2_000 {
        let body: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
        assert_well_formed(&Req::post(body).0, &mut backend);
    }
}

#[test]
fn mutated_valid_requests_never_panic() {
    let mut params = json!({"name": "echo", "arguments": {"text": "x"}});
    params["_meta"] = envelope(MODERN);
    let seeds = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}),
        json!({"jsonrpc": "2.0", "id": "a", "method": "initialize", "params": {"protocolVersion": "2025-11-25"}}),
        json!({"jsonrpc": "2.0", "id": 0, "method": "server/discover", "params": {"_meta": envelope(MODERN)}}),
    ];
    let replacements = [
        json!(null),
        json!(1.5),
        json!([]),
        json!({}),
        json!("x"),
        json!(-1),
        json!(true),
    ];
    let mut rng = Rng(7);
    let mut backend = FakeBackend::default();
    for _ in 0..3_000 {
        let mut body = rng.pick(&seeds);
        mutate(&mut body, &mut rng, &replacements);
        let request = Req::json(body)
            .header(
                "MCP-Protocol-Version",
                rng.pick(&[MODERN, "2025-11-25", "x"]),
            )
            .header(
                "Mcp-Method",
                rng.pick(&["tools/call", "initialize", "server/discover"]),
            )
            .header("Mcp-Name", rng.pick(&["echo", "=?base64?ZWNobw==?="]));
        assert_well_formed(&request.0, &mut backend);
    }
}

/// Replaces one randomly chosen node of the tree.
fn mutate(value: &mut Value, rng: &mut Rng, replacements: &[Value]) {
    let children: Vec<String> = value
        .as_object()
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default();
    if children.is_empty() || rng.below(3) == 0 {
        *value = rng.pick(replacements);
        return;
    }
    let key = rng.pick(&children);
    if let Some(child) = value.get_mut(&key) {
        mutate(child, rng, replacements);
    }
}

#[test]
fn deeply_nested_json_is_rejected_not_crashed() {
    let depth = 100_000;
    let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let response = Req::post(body).send();
    assert_eq!(response.status, 400);
    let nested_params = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}1{}}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    assert_eq!(Req::post(nested_params).send().status, 400);
}

#[test]
fn odd_request_lines_never_panic() {
    let mut backend = FakeBackend::default();
    for method in ["", "post", "POST ", "\u{0}", "OPTIONS"] {
        for path in ["", "?", "/mcp?", "mcp", "//mcp", "/mcp#x", "/\u{fffd}"] {
            let request = HttpRequest {
                method: method.to_owned(),
                path: path.to_owned(),
                headers: vec![("Origin".to_owned(), "https://app.example".to_owned())],
                body: Vec::new(),
            };
            assert_well_formed(&request, &mut backend);
        }
    }
}
