//! The memory vocabulary: types, statuses, visibility, trust, and the
//! stored row as tools return it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use std::collections::HashMap;

use crate::store::{Row, Sql, SqlValue, StoreError};

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
        pub enum $name { $(#[serde(rename = $wire)] $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses the wire spelling.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($wire => Some($name::$variant),)+ _ => None }
            }

            /// The accepted spellings, for error messages.
            pub fn choices() -> String {
                [$($wire),+].join(", ")
            }
        }
    };
}

wire_enum! {
    /// The 14 memory types of MemClaw.
    MemoryType {
        Fact => "fact", Episode => "episode", Decision => "decision", Preference => "preference",
        Task => "task", Semantic => "semantic", Intention => "intention", Plan => "plan",
        Commitment => "commitment", Action => "action", Outcome => "outcome",
        Cancellation => "cancellation", Rule => "rule", Insight => "insight",
    }
}

impl MemoryType {
    /// Types only the server writes (evolve and insights).
    pub fn is_reserved(self) -> bool {
        matches!(self, Self::Outcome | Self::Rule | Self::Insight)
    }
}

wire_enum! {
    /// The 8 lifecycle statuses.
    MemoryStatus {
        Active => "active", Pending => "pending", Confirmed => "confirmed", Cancelled => "cancelled",
        Outdated => "outdated", Conflicted => "conflicted", Archived => "archived", Deleted => "deleted",
    }
}

wire_enum! {
    /// Who may read a memory.
    Visibility { Agent => "scope_agent", Team => "scope_team", Org => "scope_org" }
}

/// An agent's trust tier (0–3); new agents start at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Trust(pub u8);

impl Trust {
    pub const RESTRICTED: Trust = Trust(0);
    pub const OWN_FLEET: Trust = Trust(1);
    pub const CROSS_FLEET: Trust = Trust(2);
    pub const ADMIN: Trust = Trust(3);
}

/// A stored memory as every tool returns it (MemClaw's `MemoryOut`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryOut {
    pub id: String,
    pub tenant_id: String,
    pub fleet_id: Option<String>,
    pub agent_id: String,
    pub memory_type: String,
    pub title: Option<String>,
    pub content: String,
    pub weight: f64,
    pub source_uri: Option<String>,
    pub run_id: Option<String>,
    pub metadata: Value,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub ts_valid_start: Option<String>,
    pub ts_valid_end: Option<String>,
    pub subject: Option<String>,
    pub predicate: Option<String>,
    pub object_value: Option<String>,
    pub status: String,
    pub visibility: String,
    pub recall_count: i64,
    pub last_recalled_at: Option<String>,
    pub supersedes_id: Option<String>,
}

/// The column list [`MemoryOut::from_row`] reads, for SELECTs.
pub const MEMORY_COLUMNS: &str = "id, tenant_id, fleet_id, agent_id, memory_type, title, content, weight, \
     source_uri, run_id, metadata, created_at, expires_at, ts_valid_start, ts_valid_end, subject, \
     predicate, object_value, status, visibility, recall_count, last_recalled_at, supersedes_id";

/// Reads the memories with these ids inside one tenant, keyed by id (ids
/// of other tenants or unknown ids are simply absent).
pub fn load_memories(
    db: &dyn Sql,
    tenant: &str,
    ids: &[&str],
) -> Result<HashMap<String, MemoryOut>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let mut params: Vec<SqlValue> = vec![tenant.into()];
    params.extend(ids.iter().map(|id| SqlValue::from(*id)));
    let rows = db.execute(
        &format!("SELECT {MEMORY_COLUMNS} FROM memories WHERE tenant_id = ? AND id IN ({marks})"),
        &params,
    )?;
    Ok(rows
        .iter()
        .map(|r| MemoryOut::from_row(&r))
        .map(|m| (m.id.clone(), m))
        .collect())
}

impl MemoryOut {
    pub fn from_row(row: &Row<'_>) -> Self {
        let opt = |c: &str| row.text(c).map(str::to_owned);
        Self {
            id: row.string("id"),
            tenant_id: row.string("tenant_id"),
            fleet_id: opt("fleet_id"),
            agent_id: row.string("agent_id"),
            memory_type: row.string("memory_type"),
            title: opt("title"),
            content: row.string("content"),
            weight: row.real("weight").unwrap_or(0.5),
            source_uri: opt("source_uri"),
            run_id: opt("run_id"),
            // Stored by us as JSON; a corrupt value must not fail a whole recall.
            metadata: row
                .text("metadata")
                .and_then(|m| serde_json::from_str(m).ok())
                .unwrap_or_else(|| Value::Object(Default::default())),
            created_at: row.string("created_at"),
            expires_at: opt("expires_at"),
            ts_valid_start: opt("ts_valid_start"),
            ts_valid_end: opt("ts_valid_end"),
            subject: opt("subject"),
            predicate: opt("predicate"),
            object_value: opt("object_value"),
            status: row.string("status"),
            visibility: row.string("visibility"),
            recall_count: row.int("recall_count").unwrap_or(0),
            last_recalled_at: opt("last_recalled_at"),
            supersedes_id: opt("supersedes_id"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        assert_eq!(MemoryType::ALL.len(), 14);
        assert_eq!(MemoryStatus::ALL.len(), 8);
        for t in MemoryType::ALL {
            assert_eq!(MemoryType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(Visibility::parse("scope_org"), Some(Visibility::Org));
        assert_eq!(Visibility::parse("org"), None);
        assert!(MemoryType::Rule.is_reserved() && !MemoryType::Fact.is_reserved());
    }
}
