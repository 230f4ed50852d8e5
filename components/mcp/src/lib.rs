//! MCP "Streamable HTTP" for a **stateless, tools-only** server, as a pure function from an
//! [`HttpRequest`] to an [`HttpResponse`].
//!
//! The crate does no I/O: the caller (a wasm component or a native host) hands over a fully
//! read request and writes back the returned response. Everything that touches storage goes
//! through the [`Backend`] trait.
//!
//! Both protocol eras are served on one endpoint:
//!
//! * the **handshake era** (`initialize`; versions in [`HANDSHAKE_VERSIONS`]), and
//! * the **modern era** (versions in [`MODERN_VERSIONS`]): a per-request `_meta` envelope,
//!   `MCP-Protocol-Version` / `Mcp-Method` / `Mcp-Name` headers and `server/discover`.
//!
//! No session is ever created: every POST is answered on its own merits.

mod backend;
mod config;
mod dispatch;
mod era;
mod http;
mod jsonrpc;
mod server;
mod tools;

pub use backend::{Backend, BackendError, ToolFailure};
pub use config::{
    ConfigError, DEFAULT_ENDPOINT_PATH, DEFAULT_LIST_TTL_MS, DEFAULT_MAX_BODY_BYTES, ServerConfig,
    ToolDescriptor, raw_schema,
};
pub use http::{HttpRequest, HttpResponse};
pub use jsonrpc::codes;
pub use server::handle;

/// Versions negotiated through `initialize` (oldest first).
pub const HANDSHAKE_VERSIONS: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/// Versions that use the per-request `_meta` envelope instead of a handshake.
pub const MODERN_VERSIONS: [&str; 1] = ["2026-07-28"];

/// What `initialize` answers when the client offers a version this server does not know.
pub const LATEST_HANDSHAKE_VERSION: &str = "2025-11-25";

/// Every version served, newest first, as advertised by `server/discover` and `-32022`.
pub const SUPPORTED_VERSIONS_NEWEST_FIRST: [&str; 5] = [
    "2026-07-28",
    "2025-11-25",
    "2025-06-18",
    "2025-03-26",
    "2024-11-05",
];
