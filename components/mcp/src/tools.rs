//! `tools/list` and `tools/call`: identical in both eras apart from the modern stamps,
//! which the dispatcher adds.

use serde_json::{Map, Value, json};

use crate::backend::{Backend, ToolFailure};
use crate::config::{ServerConfig, ToolDescriptor};
use crate::jsonrpc::RpcError;

/// The `tools/list` result: the whole catalogue in one page, in configuration order.
pub(crate) fn list(
    config: &ServerConfig,
    params: Option<&Map<String, Value>>,
) -> Result<Value, RpcError> {
    // We never issue cursors, so any cursor a client sends is one we cannot honour.
    if params.is_some_and(|params| params.contains_key("cursor")) {
        return Err(RpcError::invalid_params("invalid cursor"));
    }
    let tools: Vec<Value> = config.tools.iter().map(describe).collect();
    Ok(json!({ "tools": tools }))
}

/// One `Tool` object as listed.
fn describe(tool: &ToolDescriptor) -> Value {
    let mut described = json!({
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "inputSchema": tool.input_schema,
        "annotations": {
            "title": tool.title,
            "readOnlyHint": tool.read_only,
            "destructiveHint": tool.destructive,
            "idempotentHint": tool.idempotent,
            "openWorldHint": false,
        },
    });
    if let (Some(output_schema), Some(fields)) = (&tool.output_schema, described.as_object_mut()) {
        fields.insert("outputSchema".to_owned(), output_schema.clone());
    }
    described
}

/// The `tools/call` result. Protocol errors only for malformed params and unknown tools;
/// anything that goes wrong inside the tool is an `isError:true` result.
pub(crate) fn call<B: Backend>(
    config: &ServerConfig,
    backend: &mut B,
    principal: &B::Principal,
    params: Option<&Map<String, Value>>,
) -> Result<Value, RpcError> {
    let Some(requested) = params
        .and_then(|params| params.get("name"))
        .and_then(Value::as_str)
    else {
        return Err(RpcError::invalid_params(
            "tools/call requires params.name (a string)",
        ));
    };
    let arguments = arguments(params)?;
    let Some(tool) = resolve(config, requested) else {
        return Err(RpcError::invalid_params(format!(
            "Unknown tool: {requested}"
        )));
    };
    Ok(call_result(
        backend.call_tool(principal, &tool.name, arguments),
    ))
}

/// `params.arguments`: absent (or `null`) means no arguments; anything but an object is invalid.
fn arguments(params: Option<&Map<String, Value>>) -> Result<Map<String, Value>, RpcError> {
    match params.and_then(|params| params.get("arguments")) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(arguments)) => Ok(arguments.clone()),
        Some(_) => Err(RpcError::invalid_params(
            "params.arguments must be an object",
        )),
    }
}

/// Canonical names win over aliases, so an alias can never shadow a real tool.
fn resolve<'c>(config: &'c ServerConfig, requested: &str) -> Option<&'c ToolDescriptor> {
    let find = |name: &str| config.tools.iter().find(|tool| tool.name == name);
    find(requested).or_else(|| {
        let (_, canonical) = config
            .tool_aliases
            .iter()
            .find(|(alias, _)| alias == requested)?;
        find(canonical)
    })
}

/// `CallToolResult` whose text item holds the same JSON as `structuredContent`, so clients
/// that only read `content` see everything too.
fn call_result(outcome: Result<Value, ToolFailure>) -> Value {
    let (structured, is_error) = match outcome {
        Ok(value @ Value::Object(_)) => (value, false),
        // structuredContent must be an object for every handshake-era client.
        Ok(other) => (json!({ "result": other }), false),
        Err(failure) => (failure_payload(failure), true),
    };
    json!({
        "content": [{ "type": "text", "text": structured.to_string() }],
        "structuredContent": structured,
        "isError": is_error,
    })
}

fn failure_payload(failure: ToolFailure) -> Value {
    let mut error = Map::new();
    error.insert("code".to_owned(), Value::String(failure.code));
    error.insert("message".to_owned(), Value::String(failure.message));
    if let Some(details) = failure.details {
        error.insert("details".to_owned(), details);
    }
    json!({ "error": error })
}
