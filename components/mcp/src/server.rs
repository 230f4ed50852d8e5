//! The request pipeline: path, verb, origin, authentication and transport checks, then
//! JSON-RPC framing and dispatch (wire reference, Appendix A).

use serde_json::Value;

use crate::backend::Backend;
use crate::config::ServerConfig;
use crate::dispatch::{self, Call};
use crate::http::{self, Headers, HttpRequest, HttpResponse};
use crate::jsonrpc::{RpcError, codes, error_response, parse_message, peek_id};

/// Answers one HTTP request to the MCP endpoint.
///
/// Never panics and never mints an `Mcp-Session-Id`: every request is served on its own.
pub fn handle<B: Backend>(
    config: &ServerConfig,
    backend: &mut B,
    request: &HttpRequest,
) -> HttpResponse {
    let headers = Headers::new(&request.headers);
    let mut response = route(config, backend, request, headers);
    if let Some(origin) = headers
        .first("Origin")
        .filter(|origin| is_allowed_origin(config, origin))
    {
        http::add_cors_headers(&mut response, origin);
    }
    response
}

fn route<B: Backend>(
    config: &ServerConfig,
    backend: &mut B,
    request: &HttpRequest,
    headers: Headers<'_>,
) -> HttpResponse {
    if http::path_without_query(&request.path) != config.endpoint_path {
        return http::not_found();
    }
    // Requests without Origin come from non-browser clients and are always allowed.
    let origin = headers.first("Origin");
    let origin_allowed = origin.is_none_or(|origin| is_allowed_origin(config, origin));
    match (request.method.as_str(), origin) {
        ("POST", _) => {}
        ("OPTIONS", Some(origin)) if origin_allowed => return http::preflight(origin),
        _ => return http::method_not_allowed(),
    }
    if !origin_allowed {
        return transport_error(403, "Forbidden: Origin not allowed");
    }
    let principal = match authenticate(backend, headers) {
        Ok(Some(principal)) => principal,
        Ok(None) => return http::unauthorized(),
        Err(_) => return backend_unavailable(config, &request.body),
    };
    if let Some(rejection) = check_transport(config, headers, &request.body) {
        return rejection;
    }
    let message = match parse_message(&request.body) {
        Ok(message) => message,
        Err(rejection) => return error_response(&rejection.id, &rejection.error),
    };
    let mut call = Call {
        config,
        backend,
        principal: &principal,
        headers,
    };
    dispatch::dispatch(&mut call, message)
}

fn is_allowed_origin(config: &ServerConfig, origin: &str) -> bool {
    config
        .allowed_origins
        .iter()
        .any(|allowed| allowed == origin)
}

/// Looks up the API key from `X-API-Key`, else from `Authorization: Bearer`.
fn authenticate<B: Backend>(
    backend: &mut B,
    headers: Headers<'_>,
) -> Result<Option<B::Principal>, crate::BackendError> {
    match api_key(headers) {
        Some(key) => backend.authenticate(key),
        None => Ok(None),
    }
}

fn api_key(headers: Headers<'_>) -> Option<&str> {
    let from_header = headers.first("X-API-Key").filter(|key| !key.is_empty());
    from_header.or_else(|| bearer_token(headers.first("Authorization")?))
}

/// The token of `Bearer <token>`; the scheme name is case-insensitive.
fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once([' ', '\t'])?;
    let token = token.trim_matches([' ', '\t']);
    (scheme.eq_ignore_ascii_case("Bearer") && !token.is_empty()).then_some(token)
}

/// The backend could not tell whether the key is valid. The id is echoed when readable so
/// that clients can match the error to their request.
fn backend_unavailable(config: &ServerConfig, body: &[u8]) -> HttpResponse {
    let id = if body.len() <= config.max_body_bytes {
        peek_id(body)
    } else {
        Value::Null
    };
    let error = RpcError::new(
        503,
        codes::INTERNAL_ERROR,
        "Service temporarily unavailable",
    );
    error_response(&id, &error)
}

/// Media types and size, checked before the body is parsed.
fn check_transport(
    config: &ServerConfig,
    headers: Headers<'_>,
    body: &[u8],
) -> Option<HttpResponse> {
    if !http::is_json_content_type(headers.first("Content-Type")) {
        return Some(transport_error(
            415,
            "Unsupported Media Type: Content-Type must be application/json",
        ));
    }
    if !http::accepts_json(headers.all("Accept")) {
        return Some(transport_error(
            406,
            "Not Acceptable: Accept must allow application/json",
        ));
    }
    if body.len() > config.max_body_bytes {
        return Some(transport_error(413, "Payload Too Large"));
    }
    None
}

/// A transport-level refusal, shaped as an id-less JSON-RPC error so SDK clients can show it.
fn transport_error(status: u16, message: &str) -> HttpResponse {
    error_response(
        &Value::Null,
        &RpcError::new(status, codes::INVALID_REQUEST, message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_token_trimmed() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer   abc "), Some("abc"));
        assert_eq!(bearer_token("BEARER\tabc"), Some("abc"));
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearerabc"), None);
    }

    #[test]
    fn x_api_key_wins_over_bearer_and_empty_values_fall_through() {
        let both = [
            ("authorization".to_owned(), "Bearer from-bearer".to_owned()),
            ("x-api-key".to_owned(), "from-header".to_owned()),
        ];
        assert_eq!(api_key(Headers::new(&both)), Some("from-header"));
        let empty_header = [
            ("X-API-KEY".to_owned(), "  ".to_owned()),
            ("Authorization".to_owned(), "Bearer from-bearer".to_owned()),
        ];
        assert_eq!(api_key(Headers::new(&empty_header)), Some("from-bearer"));
        assert_eq!(api_key(Headers::new(&[])), None);
    }
}
