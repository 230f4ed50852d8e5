//! Plain HTTP types plus the transport-level helpers: header lookup, media-type negotiation
//! and the canned non-JSON-RPC responses.

use serde_json::{Value, json};

/// A fully read HTTP request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The request target's path; a `?query` suffix is allowed and ignored.
    pub path: String,
    /// Header name/value pairs in arrival order; names are matched case-insensitively.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

/// The response to write back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// Header name/value pairs.
    pub headers: Vec<(String, String)>,
    /// The body (JSON or empty).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON, or `None` when it is empty or not JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A response with a JSON body and `Content-Type: application/json`.
    pub(crate) fn json_body(status: u16, body: &Value) -> Self {
        Self {
            status,
            headers: vec![(CONTENT_TYPE.to_owned(), JSON.to_owned())],
            body: body.to_string().into_bytes(),
        }
    }

    /// A response without a body.
    pub(crate) fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

const CONTENT_TYPE: &str = "Content-Type";
const JSON: &str = "application/json";

/// Case-insensitive, whitespace-trimming view over request headers.
#[derive(Clone, Copy)]
pub(crate) struct Headers<'a>(&'a [(String, String)]);

impl<'a> Headers<'a> {
    pub(crate) fn new(headers: &'a [(String, String)]) -> Self {
        Self(headers)
    }

    /// Every value of `name`, trimmed of spaces and tabs (HTTP optional whitespace).
    pub(crate) fn all(self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.trim_matches([' ', '\t']))
    }

    pub(crate) fn first(self, name: &'a str) -> Option<&'a str> {
        self.all(name).next()
    }
}

/// Drops the `?query` part of a request target.
pub(crate) fn path_without_query(target: &str) -> &str {
    target.split_once('?').map_or(target, |(path, _)| path)
}

/// `application/json`, optionally with parameters such as `; charset=utf-8`.
pub(crate) fn is_json_content_type(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|value| media_type(value).eq_ignore_ascii_case(JSON))
}

/// Whether an `Accept` header (all its values) lets us answer with JSON.
///
/// No header, or only empty values, means "anything". Otherwise the most specific range that
/// matches `application/json` decides, so `application/json;q=0, */*` refuses JSON.
pub(crate) fn accepts_json<'a>(accept_values: impl Iterator<Item = &'a str>) -> bool {
    let mut saw_any_range = false;
    let mut best: Option<(u8, bool)> = None; // (specificity, acceptable)
    for range in accept_values.flat_map(|value| value.split(',')) {
        let media = media_type(range);
        if media.is_empty() {
            continue;
        }
        saw_any_range = true;
        let specificity = match media.to_ascii_lowercase().as_str() {
            "application/json" => 3,
            "application/*" => 2,
            "*/*" => 1,
            _ => continue,
        };
        if best.is_none_or(|(current, _)| specificity > current) {
            best = Some((specificity, quality(range) > 0.0));
        }
    }
    match best {
        Some((_, acceptable)) => acceptable,
        None => !saw_any_range,
    }
}

/// The media type of a header value, without parameters.
fn media_type(value: &str) -> &str {
    value.split(';').next().unwrap_or_default().trim()
}

/// The `q` parameter of a media range; absent or unreadable counts as 1.
fn quality(range: &str) -> f32 {
    range
        .split(';')
        .skip(1)
        .filter_map(|param| param.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
        .and_then(|(_, value)| value.trim().parse::<f32>().ok())
        .unwrap_or(1.0)
}

/// Any path other than the endpoint, including the OAuth well-known documents we never serve.
pub(crate) fn not_found() -> HttpResponse {
    HttpResponse::json_body(404, &json!({"error": "not_found"}))
}

/// GET, DELETE and every other verb: there is no SSE stream and no session to end.
pub(crate) fn method_not_allowed() -> HttpResponse {
    HttpResponse::empty(405).with_header("Allow", "POST")
}

/// Missing, unknown or revoked API key.
pub(crate) fn unauthorized() -> HttpResponse {
    HttpResponse::json_body(
        401,
        &json!({"error": "invalid_token", "error_description": "Missing or invalid API key"}),
    )
    .with_header(
        "WWW-Authenticate",
        r#"Bearer realm="mcp", error="invalid_token", error_description="Missing or invalid API key""#,
    )
}

/// CORS headers for a preflight from an allowlisted origin.
pub(crate) fn preflight(origin: &str) -> HttpResponse {
    let mut response = HttpResponse::empty(204)
        .with_header("Access-Control-Allow-Methods", "POST, OPTIONS")
        .with_header(
            "Access-Control-Allow-Headers",
            "content-type, accept, authorization, x-api-key, mcp-protocol-version, mcp-method, \
             mcp-name, mcp-session-id, last-event-id",
        )
        .with_header("Access-Control-Max-Age", "86400");
    add_cors_headers(&mut response, origin);
    response
}

/// Lets a browser on an allowlisted origin read the response (including `WWW-Authenticate`).
pub(crate) fn add_cors_headers(response: &mut HttpResponse, origin: &str) {
    let headers = [
        ("Access-Control-Allow-Origin", origin),
        (
            "Access-Control-Expose-Headers",
            "www-authenticate, mcp-session-id",
        ),
        ("Vary", "Origin"),
    ];
    for (name, value) in headers {
        if response.header(name).is_none() {
            response.headers.push((name.to_owned(), value.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(values: &[&str]) -> bool {
        accepts_json(values.iter().copied())
    }

    #[test]
    fn accept_allows_json_wildcards_and_absence() {
        assert!(accepts(&[]));
        assert!(accepts(&[""]));
        assert!(accepts(&["application/json, text/event-stream"]));
        assert!(accepts(&["text/event-stream", "application/json"]));
        assert!(accepts(&["application/*"]));
        assert!(accepts(&["*/*"]));
        assert!(accepts(&["Application/JSON; charset=utf-8"]));
        assert!(accepts(&["application/json;q=0.5, */*;q=0"]));
    }

    #[test]
    fn accept_refuses_other_types_and_zero_quality() {
        assert!(!accepts(&["text/event-stream"]));
        assert!(!accepts(&["text/html, text/*"]));
        assert!(!accepts(&["application/json;q=0"]));
        assert!(!accepts(&["application/json;q=0, */*"]));
        assert!(!accepts(&["*/*;q=0.0"]));
    }

    #[test]
    fn content_type_accepts_parameters_only() {
        assert!(is_json_content_type(Some("application/json")));
        assert!(is_json_content_type(Some(
            "application/json; charset=utf-8"
        )));
        assert!(is_json_content_type(Some("APPLICATION/JSON")));
        assert!(!is_json_content_type(Some("text/plain")));
        assert!(!is_json_content_type(Some("application/json-seq")));
        assert!(!is_json_content_type(None));
    }

    #[test]
    fn query_is_stripped() {
        assert_eq!(path_without_query("/mcp?x=1"), "/mcp");
        assert_eq!(path_without_query("/mcp"), "/mcp");
        assert_eq!(path_without_query("?"), "");
    }
}
