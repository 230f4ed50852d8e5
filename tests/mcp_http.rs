//! End to end through the real host: the composed component, HTTP, MCP,
//! both protocol eras, the write and recall tools, auth and tenancy.

mod common;

use common::{HttpResponse, Memclaw};
use serde_json::{Value, json};

const MODERN: &str = "2026-07-28";

/// A server with two tenants; `keys` are (tenant A, tenant B).
fn two_tenants(serve_flags: &[&str]) -> (Memclaw, String, String) {
    let server = Memclaw::new();
    server.create_tenant("tenant-a");
    server.create_tenant("tenant-b");
    let a = server.mint_key("tenant-a", &[]);
    let b = server.mint_key("tenant-b", &[]);
    (server.serve(serve_flags), a, b)
}

fn body(resp: &HttpResponse) -> Value {
    serde_json::from_slice(&resp.body).unwrap_or_else(|e| panic!("{e}: {}", resp.text()))
}

/// Calls a tool in the handshake era; returns the CallToolResult.
fn call(server: &Memclaw, key: &str, tool: &str, arguments: Value) -> Value {
    let request = json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":tool,"arguments":arguments}});
    let resp = server.request(
        "POST",
        "/mcp",
        &[
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
            ("mcp-protocol-version", "2025-11-25"),
            ("x-api-key", key),
        ],
        request.to_string().as_bytes(),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    let reply = body(&resp);
    assert_eq!(reply["id"], 7);
    reply["result"].clone()
}

/// A successful tool result's structured content.
fn ok(result: Value) -> Value {
    assert_eq!(result["isError"], false, "{result}");
    let text = result["content"][0]["text"].as_str().expect("text item");
    let structured = result["structuredContent"].clone();
    assert_eq!(
        serde_json::from_str::<Value>(text).unwrap(),
        structured,
        "text mirrors structuredContent"
    );
    structured
}

/// A failed tool result's error code.
fn error_code(result: Value) -> String {
    assert_eq!(result["isError"], true, "{result}");
    let text = result["content"][0]["text"].as_str().expect("text item");
    let error: Value = serde_json::from_str(text).unwrap();
    error["error"]["code"].as_str().expect("code").to_owned()
}

fn contents(recall: &Value) -> Vec<String> {
    recall["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["content"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn write_then_recall_round_trip() {
    let (server, key, _) = two_tenants(&[]);
    let args = json!({"content":"warmup of 2000 steps stabilised depth-24 training","agent_id":"tuner","fleet_id":"gpu"});
    let stored = ok(call(&server, &key, "memclaw_write", args.clone()));
    assert_eq!(stored["agent_id"], "tuner");
    assert_eq!(stored["tenant_id"], "tenant-a");
    assert_eq!(stored["memory_type"], "fact");
    let again = ok(call(&server, &key, "memclaw_write", args));
    assert_eq!(again["status"], "duplicate");
    assert_eq!(again["existing_id"], stored["id"]);

    ok(call(
        &server,
        &key,
        "memclaw_write",
        json!({"content":"batch size 512 saturates one GPU","agent_id":"tuner"}),
    ));
    // Read-your-writes: the very next request finds it.
    let found = ok(call(
        &server,
        &key,
        "memclaw_recall",
        json!({"query":"how many warmup steps for depth-24","agent_id":"tuner"}),
    ));
    assert_eq!(
        contents(&found)[0],
        "warmup of 2000 steps stabilised depth-24 training"
    );
    // caura_* aliases reach the same tool.
    let aliased = ok(call(
        &server,
        &key,
        "caura_recall",
        json!({"query":"warmup steps","agent_id":"tuner"}),
    ));
    assert_eq!(contents(&aliased), contents(&found)[..1].to_vec());
}

#[test]
fn batches_report_per_item() {
    let (server, key, _) = two_tenants(&[]);
    let out = ok(call(
        &server,
        &key,
        "memclaw_write",
        json!({"items":[{"content":"first finding of the batch"},{"content":"second finding of the batch"},{"content":"first finding of the batch"}]}),
    ));
    assert_eq!(out["created"], 2);
    assert_eq!(out["duplicates"], 1);
    assert_eq!(out["results"][2]["status"], "duplicate_content");
}

#[test]
fn a_tenant_never_sees_another_tenants_memories() {
    let (server, a, b) = two_tenants(&[]);
    ok(call(
        &server,
        &a,
        "memclaw_write",
        json!({"content":"tenant A secret: the launch code is tangerine","visibility":"scope_org"}),
    ));
    let a_view = ok(call(
        &server,
        &a,
        "memclaw_recall",
        json!({"query":"launch code tangerine"}),
    ));
    assert_eq!(contents(&a_view).len(), 1);
    let b_view = ok(call(
        &server,
        &b,
        "memclaw_recall",
        json!({"query":"launch code tangerine","top_k":20}),
    ));
    assert!(contents(&b_view).is_empty(), "{b_view}");
}

#[test]
fn key_bindings_and_read_only_keys_are_enforced() {
    let server = Memclaw::new();
    server.create_tenant("acme");
    let bound = server.mint_key("acme", &["--agent", "bound-agent", "--fleet", "f1"]);
    let read_only = server.mint_key("acme", &["--read-only"]);
    let server = server.serve(&[]);
    let stored = ok(call(
        &server,
        &bound,
        "memclaw_write",
        json!({"content":"written through a bound key","agent_id":"impostor"}),
    ));
    assert_eq!(stored["agent_id"], "bound-agent");
    assert_eq!(stored["fleet_id"], "f1");
    assert_eq!(
        error_code(call(
            &server,
            &read_only,
            "memclaw_write",
            json!({"content":"a read-only key tries to write"})
        )),
        "FORBIDDEN"
    );
    // Reading works with a read-only key.
    ok(call(
        &server,
        &read_only,
        "memclaw_recall",
        json!({"query":"bound key"}),
    ));
}

#[test]
fn bad_arguments_and_unbuilt_tools_are_tool_errors() {
    let (server, key, _) = two_tenants(&[]);
    assert_eq!(
        error_code(call(
            &server,
            &key,
            "memclaw_write",
            json!({"content":"short"})
        )),
        "INVALID_ARGUMENTS"
    );
    assert_eq!(
        error_code(call(
            &server,
            &key,
            "memclaw_recall",
            json!({"query":"x","top_k":"ten"})
        )),
        "INVALID_ARGUMENTS"
    );
    for tool in [
        "memclaw_doc",
        "memclaw_insights",
        "memclaw_evolve",
        "memclaw_manage",
        "memclaw_crystallize",
        "memclaw_audit",
    ] {
        assert_eq!(
            error_code(call(&server, &key, tool, json!({}))),
            "NOT_IMPLEMENTED",
            "{tool}"
        );
    }
}

#[test]
fn revoked_keys_stop_working_at_once() {
    let server = Memclaw::new();
    server.create_tenant("acme");
    let minted = server.admin(&["key", "mint", "--tenant", "acme"]);
    let key = minted.lines().last().unwrap().trim().to_owned();
    let id = minted
        .split_whitespace()
        .find(|w| w.starts_with("key_"))
        .expect("key id in mint output")
        .to_owned();
    let server = server.serve(&[]);
    ok(call(
        &server,
        &key,
        "memclaw_recall",
        json!({"query":"anything"}),
    )); // now cached
    server.admin(&["key", "revoke", &id]);
    let resp = server.post_mcp(Some(&key), r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
    assert_eq!(resp.status, 401, "{}", resp.text());
}

#[test]
fn a_pinned_deployment_refuses_other_tenants() {
    let (server, a, b) = two_tenants(&["--tenant", "tenant-a"]);
    assert_eq!(
        server
            .post_mcp(Some(&a), r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
            .status,
        200
    );
    let refused = server.post_mcp(Some(&b), r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
    assert_eq!(refused.status, 401);
    assert!(
        refused
            .header("www-authenticate")
            .unwrap_or("")
            .starts_with("Bearer")
    );
}

#[test]
fn concurrent_writers_lose_nothing() {
    let (server, key, _) = two_tenants(&[]);
    std::thread::scope(|s| {
        for worker in 0..4 {
            let (server, key) = (&server, &key);
            s.spawn(move || {
                for i in 0..10 {
                    let content = format!("worker {worker} finding number {i} about dropout");
                    ok(call(
                        server,
                        key,
                        "memclaw_write",
                        json!({"content": content}),
                    ));
                }
            });
        }
    });
    let all = ok(call(
        &server,
        &key,
        "memclaw_recall",
        json!({"query":"worker finding dropout","top_k":20}),
    ));
    assert_eq!(contents(&all).len(), 20);
    let stats: Vec<String> = (0..4)
        .map(|w| format!("worker {w} finding number 9 about dropout"))
        .collect();
    for text in stats {
        let hit = ok(call(
            &server,
            &key,
            "memclaw_recall",
            json!({"query": text, "top_k": 1}),
        ));
        assert_eq!(contents(&hit), vec![text]);
    }
}

#[test]
fn handshake_era_transport_rules() {
    let (server, key, _) = two_tenants(&[]);
    let init = server.post_mcp(
        Some(&key),
        r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
    );
    assert_eq!(init.status, 200);
    assert!(init.header("mcp-session-id").is_none());
    let result = &body(&init)["result"];
    assert_eq!(result["protocolVersion"], "2025-06-18");
    assert_eq!(result["serverInfo"]["name"], "memclaw");
    assert!(result.get("resultType").is_none());

    let note = server.post_mcp(
        Some(&key),
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    );
    assert_eq!((note.status, note.body.len()), (202, 0));
    let ping = server.post_mcp(Some(&key), r#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#);
    assert_eq!(body(&ping), json!({"jsonrpc":"2.0","id":"p","result":{}}));
    let parse = server.post_mcp(Some(&key), "{not json");
    assert_eq!(parse.status, 400);
    assert_eq!(body(&parse)["error"]["code"], -32700);
    let unknown = server.post_mcp(
        Some(&key),
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"nope","arguments":{}}}"#,
    );
    assert_eq!(body(&unknown)["error"]["code"], -32602);

    let list = body(&server.post_mcp(
        Some(&key),
        r#"{"jsonrpc":"2.0","id":4,"method":"tools/list"}"#,
    ));
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 14);
    assert_eq!(names[..2], ["memclaw_write", "memclaw_recall"]);

    let get = server.request("GET", "/mcp", &[("x-api-key", &key)], b"");
    assert_eq!((get.status, get.header("allow")), (405, Some("POST")));
    let well_known = server.request("GET", "/.well-known/oauth-protected-resource", &[], b"");
    assert_eq!(well_known.status, 404);
    let wrong_type = server.request(
        "POST",
        "/mcp",
        &[("content-type", "text/plain"), ("x-api-key", &key)],
        b"{}",
    );
    assert_eq!(wrong_type.status, 415);
    let huge = vec![b' '; 5 * 1024 * 1024];
    let too_big = server.request(
        "POST",
        "/mcp",
        &[("content-type", "application/json"), ("x-api-key", &key)],
        &huge,
    );
    assert_eq!(too_big.status, 413);
}

#[test]
fn modern_era_discover_list_and_call() {
    let (server, key, _) = two_tenants(&[]);
    let meta = json!({"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}});
    let modern = |method: &str, name: Option<&str>, params: Value| {
        let mut headers = vec![
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
            ("mcp-protocol-version", MODERN),
            ("mcp-method", method),
            ("x-api-key", key.as_str()),
        ];
        if let Some(name) = name {
            headers.push(("mcp-name", name));
        }
        let request = json!({"jsonrpc":"2.0","id":"m1","method":method,"params":params});
        server.request("POST", "/mcp", &headers, request.to_string().as_bytes())
    };
    let discover = modern("server/discover", None, json!({"_meta": meta}));
    assert_eq!(discover.status, 200, "{}", discover.text());
    let result = &body(&discover)["result"];
    assert_eq!(result["resultType"], "complete");
    assert!(
        result["supportedVersions"]
            .as_array()
            .unwrap()
            .contains(&json!(MODERN))
    );
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "memclaw"
    );

    let list = body(&modern("tools/list", None, json!({"_meta": meta})));
    assert!(list["result"]["ttlMs"].is_u64());
    assert_eq!(list["result"]["cacheScope"], "private");

    let args = json!({"content":"modern era clients can write too","agent_id":"py"});
    let written = body(&modern(
        "tools/call",
        Some("memclaw_write"),
        json!({"name":"memclaw_write","arguments":args,"_meta":meta}),
    ));
    assert_eq!(written["result"]["resultType"], "complete");
    assert_eq!(written["result"]["isError"], false);

    let mismatch = modern(
        "tools/call",
        Some("memclaw_recall"),
        json!({"name":"memclaw_write","arguments":args,"_meta":meta}),
    );
    assert_eq!(mismatch.status, 400);
    assert_eq!(body(&mismatch)["error"]["code"], -32020);
    let mut future = meta.clone();
    future["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    let unsupported = server.request(
        "POST",
        "/mcp",
        &[
            ("content-type", "application/json"),
            ("mcp-protocol-version", "2099-01-01"),
            ("mcp-method", "tools/list"),
            ("x-api-key", &key),
        ],
        json!({"jsonrpc":"2.0","id":9,"method":"tools/list","params":{"_meta":future}})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(unsupported.status, 400);
    assert_eq!(
        body(&unsupported)["error"]["data"]["requested"],
        "2099-01-01"
    );
    let ping = modern("ping", None, json!({"_meta": meta}));
    assert_eq!(ping.status, 404);
}
