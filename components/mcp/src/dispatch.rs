//! Method dispatch for a framed, authenticated JSON-RPC message, per era.

use serde_json::{Map, Value, json};

use crate::backend::Backend;
use crate::config::ServerConfig;
use crate::era::{self, Era, META_KEY, PROTOCOL_VERSION_HEADER};
use crate::http::{Headers, HttpResponse};
use crate::jsonrpc::{Message, RpcError, codes, error_response, result_response};
use crate::tools;
use crate::{LATEST_HANDSHAKE_VERSION, SUPPORTED_VERSIONS_NEWEST_FIRST};

const SERVER_INFO_KEY: &str = "io.modelcontextprotocol/serverInfo";

/// Everything a method handler may need for one request.
pub(crate) struct Call<'a, B: Backend> {
    pub config: &'a ServerConfig,
    pub backend: &'a mut B,
    pub principal: &'a B::Principal,
    pub headers: Headers<'a>,
}

/// Answers one message in the era it belongs to.
pub(crate) fn dispatch<B: Backend>(call: &mut Call<'_, B>, message: Message) -> HttpResponse {
    if let Message::Response = message {
        return posted_response(call.headers);
    }
    match era::classify(&message, call.headers) {
        Era::Handshake => handshake(call, message),
        Era::Modern => modern(call, message),
    }
}

/// Handshake-era clients may answer server requests; the modern era has none to answer.
fn posted_response(headers: Headers<'_>) -> HttpResponse {
    if headers
        .first(PROTOCOL_VERSION_HEADER)
        .is_some_and(era::is_modern_version)
    {
        let error = RpcError::invalid_request(
            "JSON-RPC responses are not accepted in this protocol version",
        );
        error_response(&Value::Null, &error)
    } else {
        accepted()
    }
}

/// 202 with no body: notifications and responses are never answered.
fn accepted() -> HttpResponse {
    HttpResponse::empty(202)
}

fn handshake<B: Backend>(call: &mut Call<'_, B>, message: Message) -> HttpResponse {
    if let Err(error) = era::check_handshake_header(call.headers) {
        return error_response(&request_id(&message), &error);
    }
    let Message::Request { id, method, params } = message else {
        return accepted();
    };
    respond(&id, handshake_method(call, &method, params.as_ref()))
}

fn handshake_method<B: Backend>(
    call: &mut Call<'_, B>,
    method: &str,
    params: Option<&Value>,
) -> Result<Value, RpcError> {
    match method {
        "initialize" => initialize(call.config, params_object(params)?),
        "ping" => Ok(json!({})),
        "tools/list" => tools::list(call.config, params_object(params)?),
        "tools/call" => tools::call(
            call.config,
            call.backend,
            call.principal,
            params_object(params)?,
        ),
        _ => Err(method_not_found(200, method)),
    }
}

fn modern<B: Backend>(call: &mut Call<'_, B>, message: Message) -> HttpResponse {
    // The 2026 protocol defines no client notifications over HTTP; accept and drop them.
    let Message::Request { id, method, params } = message else {
        return accepted();
    };
    if let Err(error) = era::check_modern_request(&method, params.as_ref(), call.headers) {
        return error_response(&id, &error);
    }
    let outcome = modern_method(call, &method, params.as_ref());
    respond(&id, outcome.map(|result| stamp_modern(call.config, result)))
}

fn modern_method<B: Backend>(
    call: &mut Call<'_, B>,
    method: &str,
    params: Option<&Value>,
) -> Result<Value, RpcError> {
    let config = call.config;
    match method {
        "server/discover" => Ok(discover(config)),
        "tools/list" => {
            tools::list(config, params_object(params)?).map(|result| cacheable(config, result))
        }
        "tools/call" => {
            let params = params_object(params)?;
            reject_input_responses(params)?;
            tools::call(config, call.backend, call.principal, params)
        }
        _ => Err(method_not_found(404, method)),
    }
}

fn respond(id: &Value, outcome: Result<Value, RpcError>) -> HttpResponse {
    match outcome {
        Ok(result) => result_response(id, result),
        Err(error) => error_response(id, &error),
    }
}

fn request_id(message: &Message) -> Value {
    match message {
        Message::Request { id, .. } => id.clone(),
        _ => Value::Null,
    }
}

/// MCP params are always by name: an object, or absent.
fn params_object(params: Option<&Value>) -> Result<Option<&Map<String, Value>>, RpcError> {
    match params {
        None => Ok(None),
        Some(Value::Object(params)) => Ok(Some(params)),
        Some(_) => Err(RpcError::invalid_params("params must be an object")),
    }
}

fn method_not_found(status: u16, method: &str) -> RpcError {
    RpcError::new(
        status,
        codes::METHOD_NOT_FOUND,
        format!("Method not found: {method}"),
    )
    .with_data(json!({ "method": method }))
}

/// Only `tools`, and no list-changed notifications: a stateless server has no stream for them.
fn capabilities() -> Value {
    json!({ "tools": { "listChanged": false } })
}

/// Echoes a handshake version the client offers, otherwise offers the latest one.
fn initialize(
    config: &ServerConfig,
    params: Option<&Map<String, Value>>,
) -> Result<Value, RpcError> {
    let Some(requested) = params
        .and_then(|params| params.get("protocolVersion"))
        .and_then(Value::as_str)
    else {
        return Err(RpcError::invalid_params(
            "initialize requires params.protocolVersion (a string)",
        ));
    };
    let version = if era::is_handshake_version(requested) {
        requested
    } else {
        LATEST_HANDSHAKE_VERSION
    };
    let mut result = json!({
        "protocolVersion": version,
        "capabilities": capabilities(),
        "serverInfo": {
            "name": config.name,
            "title": config.title,
            "version": config.version,
        },
    });
    with_instructions(&mut result, config);
    Ok(result)
}

fn discover(config: &ServerConfig) -> Value {
    let mut result = json!({
        "supportedVersions": SUPPORTED_VERSIONS_NEWEST_FIRST,
        "capabilities": capabilities(),
    });
    with_instructions(&mut result, config);
    cacheable(config, result)
}

fn with_instructions(result: &mut Value, config: &ServerConfig) {
    if let (Some(instructions), Some(fields)) = (&config.instructions, result.as_object_mut()) {
        fields.insert("instructions".to_owned(), instructions.clone().into());
    }
}

/// The tool list depends on the API key, so caches must not share it across callers.
fn cacheable(config: &ServerConfig, mut result: Value) -> Value {
    if let Some(fields) = result.as_object_mut() {
        fields.insert("ttlMs".to_owned(), config.list_ttl_ms.into());
        fields.insert("cacheScope".to_owned(), "private".into());
    }
    result
}

/// Every modern result says it is complete and who answered; 2026 clients reject it otherwise.
fn stamp_modern(config: &ServerConfig, mut result: Value) -> Value {
    if let Some(fields) = result.as_object_mut() {
        fields.insert("resultType".to_owned(), "complete".into());
        let server_info = json!({ "name": config.name, "version": config.version });
        let meta = fields
            .entry(META_KEY)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(meta) = meta.as_object_mut() {
            meta.insert(SERVER_INFO_KEY.to_owned(), server_info);
        }
    }
    result
}

/// We never return `input_required`, so multi-round-trip state is something we never issued.
fn reject_input_responses(params: Option<&Map<String, Value>>) -> Result<(), RpcError> {
    match params {
        Some(params)
            if params.contains_key("inputResponses") || params.contains_key("requestState") =>
        {
            Err(RpcError::invalid_params(
                "inputResponses/requestState were never requested by this server",
            ))
        }
        _ => Ok(()),
    }
}
