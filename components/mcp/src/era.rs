//! Which protocol era a POST belongs to, and the header/envelope checks each era requires.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::http::Headers;
use crate::jsonrpc::{Message, RpcError, codes};
use crate::{HANDSHAKE_VERSIONS, MODERN_VERSIONS, SUPPORTED_VERSIONS_NEWEST_FIRST};

pub(crate) const PROTOCOL_VERSION_HEADER: &str = "MCP-Protocol-Version";
const METHOD_HEADER: &str = "Mcp-Method";
const NAME_HEADER: &str = "Mcp-Name";

pub(crate) const META_KEY: &str = "_meta";
const PROTOCOL_VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";
const CLIENT_CAPABILITIES_KEY: &str = "io.modelcontextprotocol/clientCapabilities";

/// How one POST is to be understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Era {
    /// `initialize`-negotiated versions; headers other than the version are ignored.
    Handshake,
    /// Per-request `_meta` envelope plus mirrored headers.
    Modern,
}

/// The "recommended rule" of the wire reference (§1.6), which agrees with both SDK servers.
pub(crate) fn classify(message: &Message, headers: Headers<'_>) -> Era {
    let claims_modern =
        envelope(message.params()).is_some_and(|meta| meta.contains_key(PROTOCOL_VERSION_KEY));
    let header = headers.first(PROTOCOL_VERSION_HEADER);
    if message.method() == Some("initialize") && !claims_modern {
        Era::Handshake
    } else if claims_modern || header.is_some_and(|version| !is_handshake_version(version)) {
        // Unknown header values are routed modern so that modern validation rejects them.
        Era::Modern
    } else {
        Era::Handshake
    }
}

pub(crate) fn is_handshake_version(version: &str) -> bool {
    HANDSHAKE_VERSIONS.contains(&version)
}

pub(crate) fn is_modern_version(version: &str) -> bool {
    MODERN_VERSIONS.contains(&version)
}

/// Handshake era: a version header, when sent, must name a handshake version.
pub(crate) fn check_handshake_header(headers: Headers<'_>) -> Result<(), RpcError> {
    match headers.first(PROTOCOL_VERSION_HEADER) {
        Some(version) if !is_handshake_version(version) => Err(RpcError::invalid_request(
            "Unsupported MCP-Protocol-Version",
        )),
        _ => Ok(()),
    }
}

/// Modern era: the checks of §2.5 in order; the first failure wins.
pub(crate) fn check_modern_request(
    method: &str,
    params: Option<&Value>,
    headers: Headers<'_>,
) -> Result<(), RpcError> {
    let version = envelope_version(params)?;
    let protocol_version = Expected::plain(PROTOCOL_VERSION_HEADER, "_meta protocol version");
    protocol_version.check(headers, version)?;
    Expected::plain(METHOD_HEADER, "method").check(headers, method)?;
    if let Some((field, value)) = mirrored_field(method, params) {
        let name = Expected {
            header: NAME_HEADER,
            body_field: field,
            decode: decode_sentinel,
        };
        name.check(headers, value)?;
    }
    if !is_modern_version(version) {
        return Err(unsupported_version(version));
    }
    Ok(())
}

/// `params._meta`, when it is an object.
fn envelope(params: Option<&Value>) -> Option<&serde_json::Map<String, Value>> {
    params?.get(META_KEY)?.as_object()
}

/// Check 1: the envelope names a version (string) and client capabilities (object).
fn envelope_version(params: Option<&Value>) -> Result<&str, RpcError> {
    let meta = envelope(params);
    let version = meta.and_then(|meta| meta.get(PROTOCOL_VERSION_KEY)?.as_str());
    let has_capabilities = meta
        .and_then(|meta| meta.get(CLIENT_CAPABILITIES_KEY))
        .is_some_and(Value::is_object);
    match version {
        Some(version) if has_capabilities => Ok(version),
        _ => Err(RpcError::new(
            400,
            codes::INVALID_PARAMS,
            "params._meta must be an object carrying the required \
             'io.modelcontextprotocol/protocolVersion' and \
             'io.modelcontextprotocol/clientCapabilities' envelope keys",
        )),
    }
}

/// The body field that `Mcp-Name` mirrors and its value, when the body has it as a string.
fn mirrored_field<'a>(method: &str, params: Option<&'a Value>) -> Option<(&'static str, &'a str)> {
    let (key, field) = match method {
        "tools/call" | "prompts/get" => ("name", "params.name"),
        "resources/read" => ("uri", "params.uri"),
        _ => return None,
    };
    Some((field, params?.get(key)?.as_str()?))
}

/// A header that must appear exactly once and, once decoded, equal a body field.
struct Expected {
    header: &'static str,
    body_field: &'static str,
    decode: fn(&str) -> Option<Cow<'_, str>>,
}

impl Expected {
    fn plain(header: &'static str, body_field: &'static str) -> Self {
        Self {
            header,
            body_field,
            decode: |value| Some(Cow::Borrowed(value)),
        }
    }

    fn check(&self, headers: Headers<'_>, body_value: &str) -> Result<(), RpcError> {
        let header = self.header;
        let mut values = headers.all(header);
        let value = match (values.next(), values.next()) {
            (Some(value), None) => value,
            (None, _) => return Err(header_mismatch(format!("Missing {header} header"))),
            (Some(_), Some(_)) => {
                return Err(header_mismatch(format!(
                    "{header} header must be sent only once"
                )));
            }
        };
        match (self.decode)(value) {
            Some(decoded) if decoded == body_value => Ok(()),
            _ => Err(header_mismatch(format!(
                "{header} header does not match the request body's {}",
                self.body_field
            ))),
        }
    }
}

fn header_mismatch(message: String) -> RpcError {
    RpcError::new(400, codes::HEADER_MISMATCH, message)
}

fn unsupported_version(requested: &str) -> RpcError {
    RpcError::new(
        400,
        codes::UNSUPPORTED_PROTOCOL_VERSION,
        "Unsupported protocol version",
    )
    .with_data(json!({
        "supported": SUPPORTED_VERSIONS_NEWEST_FIRST,
        "requested": requested,
    }))
}

/// Decodes a `=?base64?…?=` header value; plain values pass through unchanged.
///
/// `None` means a malformed sentinel (bad or non-canonical base64, or invalid UTF-8), which
/// never matches anything.
pub(crate) fn decode_sentinel(value: &str) -> Option<Cow<'_, str>> {
    let Some(encoded) = value
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    else {
        return Some(Cow::Borrowed(value));
    };
    let bytes = STANDARD.decode(encoded).ok()?;
    String::from_utf8(bytes).ok().map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_decodes_the_reference_examples() {
        assert_eq!(
            decode_sentinel("=?base64?SGVsbG8sIOS4lueVjA==?=").as_deref(),
            Some("Hello, 世界")
        );
        assert_eq!(
            decode_sentinel("=?base64?IHBhZGRlZCA=?=").as_deref(),
            Some(" padded ")
        );
        assert_eq!(decode_sentinel("=?base64??=").as_deref(), Some(""));
    }

    #[test]
    fn plain_values_pass_through() {
        assert_eq!(
            decode_sentinel("memclaw_write").as_deref(),
            Some("memclaw_write")
        );
        // Too short to be a sentinel, so it is a plain value.
        assert_eq!(decode_sentinel("=?base64?=").as_deref(), Some("=?base64?="));
        // The prefix is case-sensitive.
        assert_eq!(
            decode_sentinel("=?BASE64?YQ==?=").as_deref(),
            Some("=?BASE64?YQ==?=")
        );
    }

    #[test]
    fn malformed_sentinels_decode_to_nothing() {
        assert_eq!(decode_sentinel("=?base64?not base64!?="), None);
        // Missing padding and non-canonical trailing bits are both rejected.
        assert_eq!(decode_sentinel("=?base64?YQ?="), None);
        assert_eq!(decode_sentinel("=?base64?YR==?="), None);
        // Valid base64 of invalid UTF-8.
        assert_eq!(decode_sentinel("=?base64?/w==?="), None);
    }

    #[test]
    fn version_sets_are_disjoint() {
        for version in MODERN_VERSIONS {
            assert!(!is_handshake_version(version));
        }
        for version in HANDSHAKE_VERSIONS {
            assert!(!is_modern_version(version));
            assert!(SUPPORTED_VERSIONS_NEWEST_FIRST.contains(&version));
        }
    }
}
