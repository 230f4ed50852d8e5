//! Shared plumbing of the memclaw components (compiled for wasm32-wasip2).
//!
//! It binds the WIT `types` interface once, implements memclaw-core's
//! [`Sql`] over Spin's SQLite, and maps between WIT and core types, so each
//! tool component is a few lines that name its tool function.

use memclaw_core::store::{Rows, Sql, SqlValue, StoreError};
use memclaw_core::{Caller, ErrorCode, ToolError};
use spin_sdk::sqlite::{Connection, Value};

#[allow(missing_docs, clippy::all)]
mod bindings {
    spin_sdk::wit_bindgen::generate!({
        path: "../../wit",
        world: "memclaw:memory/types-only",
        runtime_path: "::spin_sdk::wit_bindgen::rt",
    });
}

/// The generated WIT `memclaw:memory/types` module; components map their
/// `types` import onto it with `with:`.
pub use bindings::memclaw::memory::types;

/// memclaw-core's storage trait over the Spin SQLite database "default".
pub struct SpinSql(Connection);

impl SpinSql {
    pub fn open_default() -> Result<Self, StoreError> {
        Connection::open_default()
            .map(Self)
            .map_err(|e| StoreError::Backend(format!("open sqlite: {e:?}")))
    }
}

impl Sql for SpinSql {
    fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<Rows, StoreError> {
        let params: Vec<Value> = params.iter().map(to_spin).collect();
        let result = self
            .0
            .execute(sql, &params)
            .map_err(|e| StoreError::Backend(format!("{e:?}")))?;
        Ok(Rows {
            columns: result.columns,
            rows: result
                .rows
                .into_iter()
                .map(|r| r.values.into_iter().map(from_spin).collect())
                .collect(),
        })
    }
}

fn to_spin(value: &SqlValue) -> Value {
    match value {
        SqlValue::Integer(i) => Value::Integer(*i),
        SqlValue::Real(f) => Value::Real(*f),
        SqlValue::Text(s) => Value::Text(s.clone()),
        SqlValue::Blob(b) => Value::Blob(b.clone()),
        SqlValue::Null => Value::Null,
    }
}

fn from_spin(value: Value) -> SqlValue {
    match value {
        Value::Integer(i) => SqlValue::Integer(i),
        Value::Real(f) => SqlValue::Real(f),
        Value::Text(s) => SqlValue::Text(s),
        Value::Blob(b) => SqlValue::Blob(b),
        Value::Null => SqlValue::Null,
    }
}

/// WIT caller → core caller.
pub fn caller_from_wit(caller: types::Caller) -> Caller {
    Caller {
        tenant_id: caller.tenant_id,
        bound_agent: caller.bound_agent,
        bound_fleet: caller.bound_fleet,
        read_only: caller.read_only,
    }
}

/// Core caller → WIT caller.
pub fn caller_to_wit(caller: &Caller) -> types::Caller {
    types::Caller {
        tenant_id: caller.tenant_id.clone(),
        bound_agent: caller.bound_agent.clone(),
        bound_fleet: caller.bound_fleet.clone(),
        read_only: caller.read_only,
    }
}

/// Core error → WIT error.
pub fn error_to_wit(err: ToolError) -> types::ToolError {
    use types::ErrorCode as W;
    let code = match err.code {
        ErrorCode::InvalidArguments => W::InvalidArguments,
        ErrorCode::BatchTooLarge => W::BatchTooLarge,
        ErrorCode::InvalidBatchItem => W::InvalidBatchItem,
        ErrorCode::AgentNotApproved => W::AgentNotApproved,
        ErrorCode::PermissionDenied => W::PermissionDenied,
        ErrorCode::Forbidden => W::Forbidden,
        ErrorCode::NotFound => W::NotFound,
        ErrorCode::Conflict => W::Conflict,
        ErrorCode::PayloadTooLarge => W::PayloadTooLarge,
        ErrorCode::NotImplemented => W::NotImplemented,
        ErrorCode::Unavailable => W::Unavailable,
        ErrorCode::InternalError => W::InternalError,
    };
    types::ToolError {
        code,
        message: err.message,
        details: err.details.map(|d| d.to_string()),
    }
}

/// WIT error → core error.
pub fn error_from_wit(err: types::ToolError) -> ToolError {
    use types::ErrorCode as W;
    let code = match err.code {
        W::InvalidArguments => ErrorCode::InvalidArguments,
        W::BatchTooLarge => ErrorCode::BatchTooLarge,
        W::InvalidBatchItem => ErrorCode::InvalidBatchItem,
        W::AgentNotApproved => ErrorCode::AgentNotApproved,
        W::PermissionDenied => ErrorCode::PermissionDenied,
        W::Forbidden => ErrorCode::Forbidden,
        W::NotFound => ErrorCode::NotFound,
        W::Conflict => ErrorCode::Conflict,
        W::PayloadTooLarge => ErrorCode::PayloadTooLarge,
        W::NotImplemented => ErrorCode::NotImplemented,
        W::Unavailable => ErrorCode::Unavailable,
        W::InternalError => ErrorCode::InternalError,
    };
    ToolError {
        code,
        message: err.message,
        details: err.details.and_then(|d| serde_json::from_str(&d).ok()),
    }
}

/// Runs one tool call: opens the database, applies pending migrations,
/// runs `tool`, and renders the result for WIT.
pub fn run_tool(
    caller: types::Caller,
    tool: impl FnOnce(&dyn Sql, &Caller) -> Result<serde_json::Value, ToolError>,
) -> Result<String, types::ToolError> {
    let outcome = (|| {
        let db = SpinSql::open_default()?;
        memclaw_core::schema::migrate(&db)?;
        tool(&db, &caller_from_wit(caller))
    })();
    outcome.map(|value| value.to_string()).map_err(error_to_wit)
}
