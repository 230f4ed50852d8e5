//! The gateway's [`Backend`]: key lookup with a short-lived key-value cache,
//! deployment pinning, and routing of tool calls to the tool components.

use std::collections::HashMap;

use memclaw_core::Caller;
use memclaw_core::auth;
use memclaw_core::tools::{self, Route};
use memclaw_guest::SpinSql;
use memclaw_mcp::{Backend, BackendError, ServerConfig, ToolDescriptor, ToolFailure};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use spin_sdk::key_value::Store;

use crate::bindings::memclaw::memory as tool;

/// Every tool's input schema, derived at build time by `build.rs`.
const TOOL_SCHEMAS: &str = include_str!(concat!(env!("OUT_DIR"), "/tool_schemas.json"));

/// How long a resolved key stays cached. Revocation through the admin CLI
/// clears the cache at once; this bounds staleness for any other path.
const AUTH_CACHE_MILLIS: i64 = 30_000;

/// One request's gateway state.
pub struct Gateway {
    /// When set, keys of every other tenant are refused (per-tenant deployments).
    tenant_pin: Option<String>,
    routes: Vec<(&'static str, Route)>,
}

#[derive(Serialize, Deserialize)]
struct CachedCaller {
    caller: Caller,
    expires_ms: i64,
}

impl Gateway {
    /// Reads deployment variables (`tenant_pin`, `allowed_origins`) and the
    /// tool catalog into the MCP configuration and the backend.
    pub fn from_variables() -> (ServerConfig, Self) {
        let variable = |name: &str| {
            spin_sdk::variables::get(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let catalog = tools::catalog();
        // Falls back to deriving at run time should the build output ever be unreadable.
        let mut schemas: HashMap<String, Box<RawValue>> =
            serde_json::from_str(TOOL_SCHEMAS).unwrap_or_default();
        let descriptors = catalog
            .iter()
            .map(|t| ToolDescriptor {
                name: t.name.to_owned(),
                title: t.title.to_owned(),
                description: t.description.to_owned(),
                input_schema: schemas
                    .remove(t.name)
                    .unwrap_or_else(|| memclaw_mcp::raw_schema(&(t.input_schema)())),
                output_schema: None,
                read_only: t.read_only,
                destructive: t.destructive,
                idempotent: t.idempotent,
            })
            .collect();
        let config = ServerConfig {
            name: "memclaw".to_owned(),
            title: "memclaw: governed shared memory for agent fleets".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            instructions: Some(
                "Shared memory for your fleet. Call memclaw_recall before you start a task, and \
                 memclaw_write after you learn something others should not rediscover."
                    .to_owned(),
            ),
            allowed_origins: variable("allowed_origins")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            tools: descriptors,
            tool_aliases: tools::aliases(),
            ..ServerConfig::default()
        };
        let gateway = Self {
            tenant_pin: variable("tenant_pin"),
            routes: catalog.iter().map(|t| (t.name, t.route)).collect(),
        };
        (config, gateway)
    }

    fn lookup(&self, key: &str) -> Result<Option<Caller>, BackendError> {
        let hash = auth::hash_key(key);
        let cache_key = auth::kv_cache_key(&hash);
        let now = memclaw_core::time::Timestamp::now().unix_millis();
        // The cache is an optimisation: any failure falls through to SQLite.
        let store = Store::open_default().ok();
        if let Some(store) = &store
            && let Ok(Some(bytes)) = store.get(&cache_key)
            && let Ok(cached) = serde_json::from_slice::<CachedCaller>(&bytes)
            && cached.expires_ms > now
        {
            return Ok(Some(cached.caller));
        }
        let db = SpinSql::open_default().map_err(|e| BackendError(e.to_string()))?;
        memclaw_core::schema::migrate(&db).map_err(|e| BackendError(e.to_string()))?;
        let caller = auth::authenticate(&db, key).map_err(|e| BackendError(e.to_string()))?;
        if let (Some(store), Some(caller)) = (&store, &caller) {
            let entry = CachedCaller {
                caller: caller.clone(),
                expires_ms: now + AUTH_CACHE_MILLIS,
            };
            if let Ok(bytes) = serde_json::to_vec(&entry) {
                let _ = store.set(&cache_key, &bytes);
            }
        }
        Ok(caller)
    }
}

impl Backend for Gateway {
    type Principal = Caller;

    fn authenticate(&mut self, api_key: &str) -> Result<Option<Caller>, BackendError> {
        let caller = self.lookup(api_key)?;
        Ok(caller.filter(|c| {
            self.tenant_pin
                .as_ref()
                .is_none_or(|pin| *pin == c.tenant_id)
        }))
    }

    fn call_tool(
        &mut self,
        caller: &Caller,
        name: &str,
        arguments: Map<String, Value>,
    ) -> Result<Value, ToolFailure> {
        let route = self
            .routes
            .iter()
            .find(|(tool, _)| *tool == name)
            .map(|(_, route)| *route)
            .unwrap_or(Route::Unimplemented);
        let who = memclaw_guest::caller_to_wit(caller);
        let args = Value::Object(arguments).to_string();
        let outcome = match route {
            Route::Write => tool::write::write(&who, &args),
            Route::Recall => tool::recall::recall(&who, &args),
            Route::Tune => tool::recall::tune(&who, &args),
            Route::Insights => tool::insights::insights(&who, &args),
            Route::Evolve => tool::evolve::evolve(&who, &args),
            Route::Manage => tool::lifecycle::manage(&who, &args),
            Route::List => tool::lifecycle::list(&who, &args),
            Route::Stats => tool::lifecycle::stats(&who, &args),
            Route::Crystallize => tool::crystallize::crystallize(&who, &args),
            Route::Unimplemented => Err(memclaw_guest::error_to_wit(
                memclaw_core::ToolError::not_implemented(name),
            )),
        };
        match outcome {
            Ok(json) => serde_json::from_str(&json).map_err(|e| {
                ToolFailure::new(
                    "INTERNAL_ERROR",
                    format!("{name} returned invalid JSON: {e}"),
                )
            }),
            Err(err) => {
                let err = memclaw_guest::error_from_wit(err);
                let failure = ToolFailure::new(err.code.as_str(), err.message);
                Err(match err.details {
                    Some(details) => failure.with_details(details),
                    None => failure,
                })
            }
        }
    }
}
