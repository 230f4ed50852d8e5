//! The seam between the protocol layer and whatever stores memories.

use serde_json::{Map, Value};

/// A tool that ran and failed.
///
/// Rendered as a `CallToolResult` with `isError:true` whose single text item (and
/// `structuredContent`) is `{"error":{"code":code,"message":message,"details":details}}`;
/// `details` is omitted when `None`.
#[derive(Clone, Debug)]
pub struct ToolFailure {
    /// Machine-readable error code, e.g. `"not_found"` or `"invalid_argument"`.
    pub code: String,
    /// Human-readable explanation the model can act on.
    pub message: String,
    /// Optional extra context (field names, limits, ...).
    pub details: Option<Value>,
}

impl ToolFailure {
    /// A failure without details.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            details: None,
        }
    }

    /// Attaches `details` to the failure.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// Failure of the backend itself (for example storage is down).
///
/// Returned by [`Backend::authenticate`]; answered with HTTP 503 and JSON-RPC `-32603`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BackendError(pub String);

/// Storage and business logic behind the MCP endpoint.
pub trait Backend {
    /// Whoever an API key belongs to; handed back to every tool call of the request.
    type Principal;

    /// Looks up an API key. `Ok(None)` means unknown or revoked, which is answered with 401.
    fn authenticate(&mut self, api_key: &str) -> Result<Option<Self::Principal>, BackendError>;

    /// Runs a tool.
    ///
    /// Called only with a canonical name from [`ServerConfig::tools`](crate::ServerConfig),
    /// never with an alias. `arguments` is `params.arguments` (absent → empty object).
    fn call_tool(
        &mut self,
        principal: &Self::Principal,
        tool: &str,
        arguments: Map<String, Value>,
    ) -> Result<Value, ToolFailure>;
}
