//! Static server configuration: identity, endpoint, limits and the tool catalogue.

use std::collections::HashSet;

use serde_json::Value;
use serde_json::value::RawValue;

/// The path that speaks MCP unless configured otherwise.
pub const DEFAULT_ENDPOINT_PATH: &str = "/mcp";

/// Largest accepted request body (the default of both official SDK servers).
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How long modern clients may cache `tools/list` and `server/discover`.
pub const DEFAULT_LIST_TTL_MS: u64 = 300_000;

/// Static description of one tool as it appears in `tools/list`.
#[derive(Clone, Debug)]
pub struct ToolDescriptor {
    /// Canonical name, e.g. `memclaw_write`; must match `^[a-z0-9_]{1,64}$`.
    pub name: String,
    /// Display name; also used as `annotations.title`.
    pub title: String,
    /// What the tool does, written for the model.
    pub description: String,
    /// JSON Schema with root `{"type":"object","properties":{...}}`, kept as
    /// raw JSON text: only `tools/list` needs it as a tree, and a fresh
    /// instance per request should not build fourteen trees to answer a call.
    pub input_schema: Box<RawValue>,
    /// JSON Schema of `structuredContent`; root `"type":"object"` when present.
    pub output_schema: Option<Value>,
    /// `annotations.readOnlyHint`.
    pub read_only: bool,
    /// `annotations.destructiveHint`.
    pub destructive: bool,
    /// `annotations.idempotentHint`.
    pub idempotent: bool,
}

/// Everything [`handle`](crate::handle) needs besides the backend.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// `serverInfo.name`.
    pub name: String,
    /// `serverInfo.title` (handshake era).
    pub title: String,
    /// `serverInfo.version`.
    pub version: String,
    /// Optional usage hints that hosts may put into the system prompt.
    pub instructions: Option<String>,
    /// The only path that speaks MCP, e.g. `/mcp`.
    pub endpoint_path: String,
    /// Exact origins (scheme, host, port) allowed to call; requests without `Origin` always pass.
    pub allowed_origins: Vec<String>,
    /// Bodies larger than this are answered with 413.
    pub max_body_bytes: usize,
    /// The tool catalogue, listed in exactly this order.
    pub tools: Vec<ToolDescriptor>,
    /// `(alias, canonical)` pairs accepted by `tools/call` but never listed.
    pub tool_aliases: Vec<(String, String)>,
    /// `ttlMs` of modern `tools/list` and `server/discover` results (`cacheScope` is `private`).
    pub list_ttl_ms: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            name: "memclaw".to_owned(),
            title: "Memclaw".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            instructions: None,
            endpoint_path: DEFAULT_ENDPOINT_PATH.to_owned(),
            allowed_origins: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            tools: Vec::new(),
            tool_aliases: Vec::new(),
            list_ttl_ms: DEFAULT_LIST_TTL_MS,
        }
    }
}

/// A configuration that would produce a tool list some clients reject.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The endpoint path does not start with `/`.
    #[error("endpoint path {0:?} must start with '/'")]
    InvalidEndpointPath(String),
    /// A tool name does not match `^[a-z0-9_]{1,64}$`.
    #[error("tool name {0:?} must match ^[a-z0-9_]{{1,64}}$")]
    InvalidToolName(String),
    /// Two tools (or a tool and an alias) share a name.
    #[error("name {0:?} is used more than once")]
    DuplicateName(String),
    /// A tool has an empty description.
    #[error("tool {0:?} has an empty description")]
    MissingDescription(String),
    /// A schema is not an object schema with object-valued `properties`.
    #[error("tool {tool:?}: {schema} {reason}")]
    InvalidSchema {
        /// The tool whose schema is wrong.
        tool: String,
        /// `inputSchema` or `outputSchema`.
        schema: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An alias points at a name that is not a configured tool.
    #[error("alias {alias:?} points at unknown tool {target:?}")]
    UnknownAliasTarget {
        /// The alias.
        alias: String,
        /// The missing canonical name.
        target: String,
    },
}

impl ServerConfig {
    /// Checks the catalogue against the portability rules of the wire reference (§3.5):
    /// portable unique names, descriptions, object-rooted schemas and resolvable aliases.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.endpoint_path.starts_with('/') {
            return Err(ConfigError::InvalidEndpointPath(self.endpoint_path.clone()));
        }
        let mut seen = HashSet::new();
        for tool in &self.tools {
            tool.validate()?;
            if !seen.insert(tool.name.as_str()) {
                return Err(ConfigError::DuplicateName(tool.name.clone()));
            }
        }
        for (alias, target) in &self.tool_aliases {
            if !seen.insert(alias.as_str()) {
                return Err(ConfigError::DuplicateName(alias.clone()));
            }
            if !self.tools.iter().any(|tool| &tool.name == target) {
                return Err(ConfigError::UnknownAliasTarget {
                    alias: alias.clone(),
                    target: target.clone(),
                });
            }
        }
        Ok(())
    }
}

impl ToolDescriptor {
    /// Checks this tool on its own (name, description, schemas).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !is_portable_tool_name(&self.name) {
            return Err(ConfigError::InvalidToolName(self.name.clone()));
        }
        if self.description.trim().is_empty() {
            return Err(ConfigError::MissingDescription(self.name.clone()));
        }
        let schema_error = |schema, reason| ConfigError::InvalidSchema {
            tool: self.name.clone(),
            schema,
            reason,
        };
        let input: Value = serde_json::from_str(self.input_schema.get())
            .map_err(|_| schema_error("inputSchema", "is not valid JSON"))?;
        check_object_schema(&input).map_err(|reason| schema_error("inputSchema", reason))?;
        if let Some(output) = &self.output_schema {
            check_object_schema(output).map_err(|reason| schema_error("outputSchema", reason))?;
        }
        Ok(())
    }
}

/// A JSON value as the raw text [`ToolDescriptor::input_schema`] holds.
pub fn raw_schema(schema: &Value) -> Box<RawValue> {
    serde_json::value::to_raw_value(schema).expect("a Value always serialises to JSON")
}

/// `^[a-z0-9_]{1,64}$`: the subset every LLM API accepts.
fn is_portable_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Older validators (TS v1, Python handshake era) reject anything but an object root whose
/// `properties` are all object schemas, and one bad tool breaks the whole `tools/list`.
fn check_object_schema(schema: &Value) -> Result<(), &'static str> {
    let Some(root) = schema.as_object() else {
        return Err("must be a JSON object");
    };
    if root.get("type").and_then(Value::as_str) != Some("object") {
        return Err("must have \"type\":\"object\" at the root");
    }
    match root.get("properties") {
        None => Ok(()),
        Some(Value::Object(properties)) if properties.values().all(Value::is_object) => Ok(()),
        Some(_) => Err("must have object-valued \"properties\""),
    }
}
