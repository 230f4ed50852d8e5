//! The MCP gateway component.
//!
//! It exports `wasi:http/incoming-handler` (through spin-sdk), speaks MCP
//! with memclaw-mcp, authenticates API keys against Spin SQLite (cached in
//! Spin key-value), and forwards each tool call to the component that
//! implements it through the imported WIT interfaces.

#[allow(missing_docs, clippy::all)]
mod bindings {
    spin_sdk::wit_bindgen::generate!({
        path: "../../wit",
        world: "memclaw:memory/gateway",
        runtime_path: "::spin_sdk::wit_bindgen::rt",
        with: {
            "memclaw:memory/types@0.1.0": memclaw_guest::types,
            "fermyon:spin/sqlite@2.0.0": spin_sdk::wit::v2::sqlite,
            "fermyon:spin/key-value@2.0.0": spin_sdk::wit::v2::key_value,
            "fermyon:spin/variables@2.0.0": spin_sdk::wit::v2::variables,
        },
    });
}

mod backend;

use futures::StreamExt;
use memclaw_mcp::{HttpRequest, HttpResponse};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;

use crate::backend::Gateway;

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    let (config, mut gateway) = Gateway::from_variables();
    let http = read_request(request, config.max_body_bytes).await;
    let response = memclaw_mcp::handle(&config, &mut gateway, &http);
    into_spin(response)
}

/// Buffers the request, reading at most `limit + 1` body bytes so an
/// oversized body is refused (413) without being held in memory.
async fn read_request(request: IncomingRequest, limit: usize) -> HttpRequest {
    let method = match request.method() {
        Method::Get => "GET".to_owned(),
        Method::Head => "HEAD".to_owned(),
        Method::Post => "POST".to_owned(),
        Method::Put => "PUT".to_owned(),
        Method::Delete => "DELETE".to_owned(),
        Method::Connect => "CONNECT".to_owned(),
        Method::Options => "OPTIONS".to_owned(),
        Method::Trace => "TRACE".to_owned(),
        Method::Patch => "PATCH".to_owned(),
        Method::Other(other) => other,
    };
    let path = request.path_with_query().unwrap_or_else(|| "/".to_owned());
    let headers = request
        .headers()
        .entries()
        .into_iter()
        .map(|(name, value)| (name, String::from_utf8_lossy(&value).into_owned()))
        .collect();
    let mut body = Vec::new();
    let mut stream = request.into_body_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => body.extend_from_slice(&bytes),
            Err(_) => break,
        }
        if body.len() > limit {
            break;
        }
    }
    HttpRequest {
        method,
        path,
        headers,
        body,
    }
}

fn into_spin(response: HttpResponse) -> Response {
    let mut builder = Response::builder();
    builder.status(response.status);
    for (name, value) in response.headers {
        builder.header(name, value);
    }
    builder.body(response.body).build()
}
