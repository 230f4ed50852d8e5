//! Tool arguments: one struct per tool, the single source of both the
//! parser and the published JSON Schema. Names and meanings follow MemClaw.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::model::{MemoryStatus, MemoryType, Visibility};

/// How hard a write checks for near-duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WriteMode {
    /// Store at once.
    Fast,
    /// Reject near-duplicates.
    Strong,
    /// Strong for decisions, commitments and cancellations, else fast.
    Auto,
}

/// Read scope of list, stats, insights and evolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Agent,
    Fleet,
    All,
}

/// Declares a write-argument struct with the per-memory fields that a
/// single write and each batch item share. (A macro rather than
/// `#[serde(flatten)]`, which would defeat `deny_unknown_fields` and the
/// field paths in error messages.)
macro_rules! with_memory_fields {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// One of the 14 memory types (outcome, rule and insight are server-reserved). Default: fact.
            pub memory_type: Option<MemoryType>,
            /// Importance from 0 to 1. Default: 0.5.
            pub weight: Option<f64>,
            /// Where the finding came from (URL, file, commit).
            pub source_uri: Option<String>,
            /// The run or experiment that produced it.
            pub run_id: Option<String>,
            /// Free-form JSON object; `idempotency_key` makes retries safe.
            pub metadata: Option<Map<String, Value>>,
            /// Initial status. Default: active.
            pub status: Option<MemoryStatus>,
            /// When the memory stops being valid and leaves recall (RFC 3339).
            pub expires_at: Option<String>,
            /// Start of the period the content is true for (RFC 3339).
            pub ts_valid_start: Option<String>,
            /// End of the period the content is true for (RFC 3339).
            pub ts_valid_end: Option<String>,
            /// Subject of an RDF triple stated by the content.
            pub subject: Option<String>,
            /// Predicate of that triple.
            pub predicate: Option<String>,
            /// Object of that triple.
            pub object_value: Option<String>,
            /// Caller-chosen id that makes a retried write idempotent.
            pub client_request_id: Option<String>,
        }

        impl $name {
            /// The per-memory fields, detached from the rest of the call.
            pub fn memory_fields(&self) -> MemoryFields {
                MemoryFields {
                    memory_type: self.memory_type,
                    weight: self.weight,
                    source_uri: self.source_uri.clone(),
                    run_id: self.run_id.clone(),
                    metadata: self.metadata.clone(),
                    status: self.status,
                    expires_at: self.expires_at.clone(),
                    ts_valid_start: self.ts_valid_start.clone(),
                    ts_valid_end: self.ts_valid_end.clone(),
                    subject: self.subject.clone(),
                    predicate: self.predicate.clone(),
                    object_value: self.object_value.clone(),
                    client_request_id: self.client_request_id.clone(),
                }
            }
        }
    };
}

/// The per-memory fields of a write (see the argument structs for their meaning).
#[derive(Debug, Clone, Default)]
pub struct MemoryFields {
    pub memory_type: Option<MemoryType>,
    pub weight: Option<f64>,
    pub source_uri: Option<String>,
    pub run_id: Option<String>,
    pub metadata: Option<Map<String, Value>>,
    pub status: Option<MemoryStatus>,
    pub expires_at: Option<String>,
    pub ts_valid_start: Option<String>,
    pub ts_valid_end: Option<String>,
    pub subject: Option<String>,
    pub predicate: Option<String>,
    pub object_value: Option<String>,
    pub client_request_id: Option<String>,
}

with_memory_fields! {
    /// One item of a batch write.
    pub struct WriteItem {
        /// The memory text, 10 to 10,000 characters.
        pub content: String,
    }
}

with_memory_fields! {
    /// `memclaw_write`: exactly one of `content` or `items`.
    pub struct WriteArgs {
        /// The memory text for a single write, 10 to 10,000 characters.
        pub content: Option<String>,
        /// A batch of up to 100 memories.
        pub items: Option<Vec<WriteItem>>,
        /// Your agent id (a key bound to an agent overrides it). Default: mcp-agent.
        pub agent_id: Option<String>,
        /// Target fleet. Default: your home fleet.
        pub fleet_id: Option<String>,
        /// Who may read it. Default: scope_team.
        pub visibility: Option<Visibility>,
        /// fast, strong or auto. Default: auto.
        pub write_mode: Option<WriteMode>,
    }
}

/// `memclaw_recall`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecallArgs {
    /// What to look for, in natural language (at most 5,000 characters).
    pub query: String,
    /// Your agent id (a key bound to an agent overrides it).
    pub agent_id: Option<String>,
    /// Only memories written by this agent.
    pub filter_agent_id: Option<String>,
    /// Only memories of this type.
    pub memory_type: Option<MemoryType>,
    /// Only memories in this status (disables the default exclusion of outdated and conflicted).
    pub status: Option<MemoryStatus>,
    /// Only these fleets (other fleets need trust 2).
    pub fleet_ids: Option<Vec<String>>,
    /// Add a short brief of the results.
    #[serde(default)]
    pub include_brief: bool,
    /// How many results, 1 to 20. Default: 5.
    pub top_k: Option<i64>,
    /// Return each result's score broken down by factor.
    #[serde(default)]
    pub diagnostic: bool,
}

/// `memclaw_manage`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManageArgs {
    /// read, update, transition, delete, bulk_delete or lineage.
    pub op: String,
    /// The memory (every op but bulk_delete).
    pub memory_id: Option<String>,
    /// The memories of a bulk_delete (at most 1,000).
    pub memory_ids: Option<Vec<String>>,
    /// Target status of a transition.
    pub status: Option<MemoryStatus>,
    /// New content (update).
    pub content: Option<String>,
    /// New type (update).
    pub memory_type: Option<MemoryType>,
    /// New weight (update).
    pub weight: Option<f64>,
    /// New title (update).
    pub title: Option<String>,
    /// New metadata (update).
    pub metadata: Option<Map<String, Value>>,
    /// New source (update).
    pub source_uri: Option<String>,
    /// Your agent id.
    pub agent_id: Option<String>,
}

/// `memclaw_list`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListArgs {
    /// Your agent id.
    pub agent_id: Option<String>,
    /// agent, fleet or all. Default: agent.
    pub scope: Option<Scope>,
    pub fleet_id: Option<String>,
    /// Only memories by this author.
    pub written_by: Option<String>,
    pub memory_type: Option<MemoryType>,
    pub status: Option<MemoryStatus>,
    pub weight_min: Option<f64>,
    pub weight_max: Option<f64>,
    /// RFC 3339 lower bound on created_at.
    pub created_after: Option<String>,
    /// RFC 3339 upper bound on created_at.
    pub created_before: Option<String>,
    /// created_at, weight or recall_count.
    pub sort: Option<String>,
    /// asc or desc.
    pub order: Option<String>,
    /// 1 to 50. Default: 25.
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Include soft-deleted memories (trust 3).
    #[serde(default)]
    pub include_deleted: bool,
}

/// `memclaw_stats`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsArgs {
    pub scope: Option<Scope>,
    pub fleet_id: Option<String>,
    pub agent_id: Option<String>,
    pub memory_type: Option<MemoryType>,
    pub status: Option<MemoryStatus>,
    #[serde(default)]
    pub include_deleted: bool,
}

/// `memclaw_doc`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocArgs {
    /// write, read, query, delete, list_collections or search.
    pub op: String,
    pub collection: Option<String>,
    pub doc_id: Option<String>,
    /// The document (write).
    pub data: Option<Map<String, Value>>,
    /// Field equality filter (query).
    #[serde(rename = "where")]
    pub where_: Option<Map<String, Value>>,
    pub order_by: Option<String>,
    pub order: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub agent_id: Option<String>,
    pub fleet_id: Option<String>,
    /// Search text (search).
    pub query: Option<String>,
    pub top_k: Option<i64>,
}

/// `memclaw_entity_get`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntityGetArgs {
    pub entity_id: String,
    pub agent_id: Option<String>,
}

/// `memclaw_tune`: omit every field to read the current profile.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TuneArgs {
    pub agent_id: Option<String>,
    pub top_k: Option<i64>,
    pub min_similarity: Option<f64>,
    pub fts_weight: Option<f64>,
    pub freshness_floor: Option<f64>,
    pub freshness_decay_days: Option<f64>,
    pub recall_boost_cap: Option<f64>,
    pub recall_decay_window_days: Option<f64>,
    pub graph_max_hops: Option<i64>,
    pub similarity_blend: Option<f64>,
}

/// `memclaw_insights`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightsArgs {
    /// contradictions, failures, stale, divergence, patterns or discover.
    pub focus: String,
    pub scope: Option<Scope>,
    pub fleet_id: Option<String>,
    pub agent_id: Option<String>,
}

/// `memclaw_evolve`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvolveArgs {
    /// What happened, in natural language.
    pub outcome: String,
    /// success, failure or partial.
    pub outcome_type: String,
    /// The memories that influenced the decision.
    pub related_ids: Option<Vec<String>>,
    pub scope: Option<Scope>,
    pub agent_id: Option<String>,
    pub fleet_id: Option<String>,
}

/// `memclaw_keystones`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeystonesArgs {
    pub agent_id: Option<String>,
    pub fleet_id: Option<String>,
}

/// `memclaw_keystones_set`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeystonesSetArgs {
    /// set or delete.
    pub op: String,
    pub doc_id: String,
    pub title: Option<String>,
    pub content: Option<String>,
    /// tenant, fleet or agent.
    pub scope: Option<String>,
    /// low, med or high.
    pub weight: Option<String>,
    pub fleet_id: Option<String>,
    pub agent_id: Option<String>,
    pub author_user_id: Option<String>,
}

/// `memclaw_crystallize`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrystallizeArgs {
    /// run, report or undo. Default: run.
    pub op: Option<String>,
    /// The run to undo.
    pub run_id: Option<String>,
    pub fleet_id: Option<String>,
    pub agent_id: Option<String>,
}

/// `memclaw_audit`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditArgs {
    /// query or verify. Default: query.
    pub op: Option<String>,
    pub agent_id: Option<String>,
    pub action: Option<String>,
    pub since: Option<String>,
    pub limit: Option<i64>,
}
