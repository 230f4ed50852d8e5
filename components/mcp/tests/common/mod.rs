//! Shared fixtures: a fake backend, a catalogue, and request builders for both eras.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use memclaw_mcp::{
    Backend, BackendError, HttpRequest, HttpResponse, ServerConfig, ToolDescriptor, ToolFailure,
    handle, raw_schema,
};
use serde_json::{Map, Value, json};

pub const KEY: &str = "test-key";
pub const TENANT: &str = "tenant-a";
pub const MODERN: &str = "2026-07-28";
pub const ALLOWED_ORIGIN: &str = "https://app.example";

/// Records every call; `down` makes authentication fail like an unreachable database.
#[derive(Default)]
pub struct FakeBackend {
    pub down: bool,
    pub keys_seen: Vec<String>,
    pub calls: Vec<(String, String, Map<String, Value>)>,
}

impl Backend for FakeBackend {
    type Principal = String;

    fn authenticate(&mut self, api_key: &str) -> Result<Option<String>, BackendError> {
        self.keys_seen.push(api_key.to_owned());
        if self.down {
            return Err(BackendError("database unreachable".to_owned()));
        }
        Ok((api_key == KEY).then(|| TENANT.to_owned()))
    }

    fn call_tool(
        &mut self,
        principal: &String,
        tool: &str,
        arguments: Map<String, Value>,
    ) -> Result<Value, ToolFailure> {
        self.calls
            .push((principal.clone(), tool.to_owned(), arguments.clone()));
        match tool {
            "echo" => match arguments.get("text") {
                Some(Value::String(text)) => Ok(json!({ "echoed": text })),
                _ => Err(ToolFailure::new(
                    "invalid_argument",
                    "text is required and must be a string",
                )
                .with_details(json!({ "field": "text" }))),
            },
            "memclaw_write" => Ok(json!({ "id": "m1", "written": true })),
            "memclaw_stats" => Ok(json!(42)),
            "memclaw_delete" => Err(ToolFailure::new("not_found", "no memory with that id")),
            other => panic!("backend called with unexpected tool {other}"),
        }
    }
}

fn tool(name: &str, read_only: bool, destructive: bool, idempotent: bool) -> ToolDescriptor {
    ToolDescriptor {
        name: name.to_owned(),
        title: format!("Title of {name}"),
        description: format!("Does {name}."),
        input_schema: raw_schema(
            &json!({"type": "object", "properties": {}, "additionalProperties": true}),
        ),
        output_schema: None,
        read_only,
        destructive,
        idempotent,
    }
}

pub fn config() -> ServerConfig {
    let mut echo = tool("echo", true, false, true);
    echo.input_schema = raw_schema(&json!({
        "type": "object",
        "properties": {"text": {"type": "string"}},
        "required": ["text"],
    }));
    echo.output_schema = Some(json!({
        "type": "object",
        "properties": {"echoed": {"type": "string"}},
        "required": ["echoed"],
    }));
    ServerConfig {
        name: "memclaw-test".to_owned(),
        title: "Memclaw Test".to_owned(),
        version: "9.9.9".to_owned(),
        instructions: Some("Call recall before write.".to_owned()),
        allowed_origins: vec![ALLOWED_ORIGIN.to_owned()],
        tools: vec![
            echo,
            tool("memclaw_write", false, false, false),
            tool("memclaw_delete", false, true, true),
            tool("memclaw_stats", true, false, true),
        ],
        tool_aliases: vec![
            ("caura_write".to_owned(), "memclaw_write".to_owned()),
            ("caura_delete".to_owned(), "memclaw_delete".to_owned()),
        ],
        list_ttl_ms: 60_000,
        ..ServerConfig::default()
    }
}

/// A request under construction; starts as an authenticated JSON POST to `/mcp`.
#[derive(Clone, Debug)]
pub struct Req(pub HttpRequest);

impl Req {
    pub fn post(body: impl Into<Vec<u8>>) -> Self {
        Self(HttpRequest {
            method: "POST".to_owned(),
            path: "/mcp".to_owned(),
            headers: vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                (
                    "Accept".to_owned(),
                    "application/json, text/event-stream".to_owned(),
                ),
                ("X-API-Key".to_owned(), KEY.to_owned()),
            ],
            body: body.into(),
        })
    }

    pub fn json(body: Value) -> Self {
        Self::post(body.to_string())
    }

    /// A handshake-era request (no version header).
    pub fn rpc(id: Value, method: &str, params: Option<Value>) -> Self {
        let mut body = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if let Some(params) = params {
            body["params"] = params;
        }
        Self::json(body)
    }

    /// A fully enveloped modern request with matching headers.
    pub fn modern(id: Value, method: &str, params: Value) -> Self {
        let mut params = params;
        params["_meta"] = envelope(MODERN);
        let name = params
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let request = Self::json(body)
            .header("MCP-Protocol-Version", MODERN)
            .header("Mcp-Method", method);
        match name {
            Some(name) if method == "tools/call" => request.header("Mcp-Name", &name),
            _ => request,
        }
    }

    pub fn method(mut self, method: &str) -> Self {
        self.0.method = method.to_owned();
        self
    }

    pub fn path(mut self, path: &str) -> Self {
        self.0.path = path.to_owned();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.0.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Removes every header called `name` (case-insensitive).
    pub fn without(mut self, name: &str) -> Self {
        self.0
            .headers
            .retain(|(key, _)| !key.eq_ignore_ascii_case(name));
        self
    }

    /// Replaces every header called `name` with one value.
    pub fn set(self, name: &str, value: &str) -> Self {
        self.without(name).header(name, value)
    }

    pub fn send_to(&self, backend: &mut FakeBackend) -> HttpResponse {
        checked(handle(&config(), backend, &self.0))
    }

    pub fn send(&self) -> HttpResponse {
        self.send_to(&mut FakeBackend::default())
    }
}

pub fn envelope(version: &str) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    })
}

/// Invariants that hold for every response (checklist items 3 and 31).
pub fn checked(response: HttpResponse) -> HttpResponse {
    assert!(
        response.header("Mcp-Session-Id").is_none(),
        "a stateless server never mints a session"
    );
    if !response.body.is_empty() {
        assert_eq!(response.header("Content-Type"), Some("application/json"));
        assert!(response.json().is_some(), "every body is JSON");
    }
    response
}

/// The `result` of a 200 JSON-RPC response with the expected id.
pub fn result(response: &HttpResponse, id: &Value) -> Value {
    assert_eq!(
        response.status,
        200,
        "body: {}",
        String::from_utf8_lossy(&response.body)
    );
    let body = response.json().expect("JSON body");
    assert_eq!(body["jsonrpc"], "2.0");
    assert_eq!(&body["id"], id);
    assert!(body.get("error").is_none(), "unexpected error: {body}");
    body["result"].clone()
}

/// The `error` of a JSON-RPC error response, after checking status, code and echoed id.
pub fn error(response: &HttpResponse, status: u16, code: i64, id: &Value) -> Value {
    assert_eq!(
        response.status,
        status,
        "body: {}",
        String::from_utf8_lossy(&response.body)
    );
    let body = response.json().expect("JSON body");
    assert_eq!(body["jsonrpc"], "2.0");
    assert_eq!(&body["id"], id, "echoed id");
    assert!(body.get("result").is_none());
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(body["error"]["message"].is_string());
    body["error"].clone()
}

pub fn assert_accepted(response: &HttpResponse) {
    assert_eq!(response.status, 202);
    assert!(response.body.is_empty());
}
