//! JSON-RPC 2.0 framing: classifying a posted body and shaping responses.

use serde_json::{Map, Value, json};

use crate::http::HttpResponse;

/// JSON-RPC error codes used on the wire.
pub mod codes {
    /// The body is not JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// Not a single valid JSON-RPC object (also batches and bad ids).
    pub const INVALID_REQUEST: i64 = -32600;
    /// Unknown or unadvertised method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Bad params, unknown tool, invalid cursor, or a missing modern envelope.
    pub const INVALID_PARAMS: i64 = -32602;
    /// The backend failed outside a tool.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// Modern era: a header is missing or disagrees with the body.
    pub const HEADER_MISMATCH: i64 = -32020;
    /// Modern era: the requested protocol version is not served.
    pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
}

/// A JSON-RPC error object together with the HTTP status it travels with.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RpcError {
    pub status: u16,
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub(crate) fn new(status: u16, code: i64, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            data: None,
        }
    }

    pub(crate) fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// A handler-level `-32602`: answered with 200, which every client era understands.
    pub(crate) fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(200, codes::INVALID_PARAMS, message)
    }

    /// A transport-level `-32600`, always 400.
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(400, codes::INVALID_REQUEST, message)
    }

    fn to_json(&self) -> Value {
        let mut error = Map::new();
        error.insert("code".to_owned(), self.code.into());
        error.insert("message".to_owned(), self.message.clone().into());
        if let Some(data) = &self.data {
            error.insert("data".to_owned(), data.clone());
        }
        Value::Object(error)
    }
}

/// A posted body after framing checks.
#[derive(Debug)]
pub(crate) enum Message {
    /// Has an `id` (a string or an integer): must be answered.
    Request {
        id: Value,
        method: String,
        params: Option<Value>,
    },
    /// No `id` key: never answered.
    Notification {
        method: String,
        params: Option<Value>,
    },
    /// A client's JSON-RPC response (no `method`).
    Response,
}

impl Message {
    pub(crate) fn method(&self) -> Option<&str> {
        match self {
            Self::Request { method, .. } | Self::Notification { method, .. } => Some(method),
            Self::Response => None,
        }
    }

    pub(crate) fn params(&self) -> Option<&Value> {
        match self {
            Self::Request { params, .. } | Self::Notification { params, .. } => params.as_ref(),
            Self::Response => None,
        }
    }
}

/// A framing failure, answered with the id when it could be read.
#[derive(Debug)]
pub(crate) struct Rejection {
    pub id: Value,
    pub error: RpcError,
}

impl Rejection {
    fn new(id: Value, error: RpcError) -> Self {
        Self { id, error }
    }
}

/// Parses and frames one posted JSON-RPC message.
pub(crate) fn parse_message(body: &[u8]) -> Result<Message, Rejection> {
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        Rejection::new(
            Value::Null,
            RpcError::new(
                400,
                codes::PARSE_ERROR,
                "Parse error: body is not valid JSON",
            ),
        )
    })?;
    let object = match value {
        Value::Object(object) => object,
        Value::Array(_) => {
            return Err(Rejection::new(
                Value::Null,
                RpcError::invalid_request("JSON-RPC batches are not supported"),
            ));
        }
        _ => {
            return Err(invalid(
                Value::Null,
                "Request must be a single JSON-RPC object",
            ));
        }
    };
    frame_object(object)
}

fn frame_object(mut object: Map<String, Value>) -> Result<Message, Rejection> {
    // Key presence, not value, decides request vs notification.
    let id = object.remove("id");
    let echo = id.clone().filter(is_valid_id).unwrap_or(Value::Null);
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid(echo, "jsonrpc must be \"2.0\""));
    }
    let method = match object.remove("method") {
        // A response may carry `"id": null` (an error about an unreadable request).
        None => return posted_response(&object, id.is_some()),
        Some(Value::String(method)) => method,
        Some(_) => return Err(invalid(echo, "method must be a string")),
    };
    // `params: null` is treated like an absent `params`.
    let params = object.remove("params").filter(|params| !params.is_null());
    match id {
        None => Ok(Message::Notification { method, params }),
        Some(id) if is_valid_id(&id) => Ok(Message::Request { id, method, params }),
        Some(_) => Err(invalid(Value::Null, "id must be a string or an integer")),
    }
}

/// A JSON-RPC response carries an id and exactly one of `result` / `error`.
fn posted_response(object: &Map<String, Value>, has_id: bool) -> Result<Message, Rejection> {
    let has_result = object.contains_key("result");
    let has_error = object.contains_key("error");
    if has_id && has_result != has_error {
        Ok(Message::Response)
    } else {
        Err(invalid(
            Value::Null,
            "Message has no method and is not a JSON-RPC response",
        ))
    }
}

fn invalid(id: Value, message: &str) -> Rejection {
    Rejection::new(id, RpcError::invalid_request(message))
}

/// MCP ids are strings or integers; `null`, floats, objects and arrays are invalid.
fn is_valid_id(id: &Value) -> bool {
    match id {
        Value::String(_) => true,
        Value::Number(number) => number.is_i64() || number.is_u64(),
        _ => false,
    }
}

/// Best-effort id of a body, for errors produced before the body was otherwise parsed.
pub(crate) fn peek_id(body: &[u8]) -> Value {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|value| value.get("id").cloned())
        .filter(is_valid_id)
        .unwrap_or(Value::Null)
}

/// `{"jsonrpc":"2.0","id":…,"result":…}` with status 200.
pub(crate) fn result_response(id: &Value, result: Value) -> HttpResponse {
    HttpResponse::json_body(200, &json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

/// `{"jsonrpc":"2.0","id":…,"error":…}` with the error's status.
pub(crate) fn error_response(id: &Value, error: &RpcError) -> HttpResponse {
    HttpResponse::json_body(
        error.status,
        &json!({"jsonrpc": "2.0", "id": id, "error": error.to_json()}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reject(body: &str) -> Rejection {
        match parse_message(body.as_bytes()) {
            Err(rejection) => rejection,
            Ok(message) => panic!("expected a rejection for {body}, got {message:?}"),
        }
    }

    #[test]
    fn ids_of_the_wrong_type_are_unreadable() {
        for body in [
            r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
        ] {
            let rejection = reject(body);
            assert_eq!(rejection.id, Value::Null, "{body}");
            assert_eq!(rejection.error.code, codes::INVALID_REQUEST, "{body}");
        }
    }

    #[test]
    fn readable_ids_are_echoed_in_framing_errors() {
        let rejection = reject(r#"{"jsonrpc":"1.0","id":"a","method":"ping"}"#);
        assert_eq!(rejection.id, json!("a"));
        let rejection = reject(r#"{"jsonrpc":"2.0","id":7,"method":3}"#);
        assert_eq!(rejection.id, json!(7));
    }

    #[test]
    fn messages_are_classified_by_key_presence() {
        assert!(matches!(
            parse_message(br#"{"jsonrpc":"2.0","id":0,"method":"ping"}"#),
            Ok(Message::Request { .. })
        ));
        assert!(matches!(
            parse_message(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Ok(Message::Notification { .. })
        ));
        assert!(matches!(
            parse_message(br#"{"jsonrpc":"2.0","id":1,"result":{}}"#),
            Ok(Message::Response)
        ));
        assert!(parse_message(br#"{"jsonrpc":"2.0","id":1,"result":{},"error":{}}"#).is_err());
        assert!(matches!(
            parse_message(br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#),
            Ok(Message::Response)
        ));
        assert!(parse_message(br#"{"jsonrpc":"2.0"}"#).is_err());
    }

    #[test]
    fn peek_id_reads_only_valid_ids() {
        assert_eq!(peek_id(br#"{"id":"x"}"#), json!("x"));
        assert_eq!(peek_id(br#"{"id":0}"#), json!(0));
        assert_eq!(peek_id(br#"{"id":0.5}"#), Value::Null);
        assert_eq!(peek_id(b"[1]"), Value::Null);
        assert_eq!(peek_id(b"{bad"), Value::Null);
    }
}
