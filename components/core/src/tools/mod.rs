//! The MCP tools: their catalog (names, schemas, routing) and their logic.
//!
//! Schemas are derived from the argument structs in [`args`] with schemars,
//! so the published contract and the parser can never drift apart.

pub mod args;
pub mod recall;
pub mod write;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ToolError;

/// Which component answers a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Write,
    Recall,
    Tune,
    Insights,
    Evolve,
    Manage,
    List,
    Stats,
    Crystallize,
    /// Governance tools not yet built: the gateway answers NOT_IMPLEMENTED.
    Unimplemented,
}

/// One tool as published in `tools/list`.
#[derive(Debug, Clone)]
pub struct ToolSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub route: Route,
    /// Derives the JSON Schema of the arguments. A function, not a value:
    /// deriving is the costly part of the catalog, and only `tools/list`
    /// needs it (the gateway derives it at build time).
    pub input_schema: fn() -> Value,
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
}

/// Every tool, in the order `tools/list` publishes them.
pub fn catalog() -> Vec<ToolSpec> {
    use args::*;
    vec![
        spec::<WriteArgs>(
            "memclaw_write",
            "Write memory",
            Route::Write,
            (false, false, false),
            "Store one finding (`content`) or a batch (`items`, up to 100) in the fleet's shared memory. \
             Exact duplicates return status \"duplicate\" with the existing id.",
        ),
        spec::<RecallArgs>(
            "memclaw_recall",
            "Recall memories",
            Route::Recall,
            (true, false, false),
            "Search the memories you may see, best first. Call before starting work so you do not rediscover what the fleet knows.",
        ),
        spec::<ManageArgs>(
            "memclaw_manage",
            "Manage a memory",
            Route::Manage,
            (false, true, false),
            "Read, update, transition, delete, bulk_delete or trace the lineage of memories by id.",
        ),
        spec::<ListArgs>(
            "memclaw_list",
            "List memories",
            Route::List,
            (true, false, true),
            "List memories with filters, sorting and cursor pagination.",
        ),
        spec::<StatsArgs>(
            "memclaw_stats",
            "Memory statistics",
            Route::Stats,
            (true, false, true),
            "Count memories by type, agent and status in a scope.",
        ),
        spec::<DocArgs>(
            "memclaw_doc",
            "Documents",
            Route::Unimplemented,
            (false, true, false),
            "Structured JSON documents in collections: write, read, query, delete, list_collections, search.",
        ),
        spec::<EntityGetArgs>(
            "memclaw_entity_get",
            "Get entity",
            Route::Unimplemented,
            (true, false, true),
            "An entity of the knowledge graph with its linked memories and relations.",
        ),
        spec::<TuneArgs>(
            "memclaw_tune",
            "Tune recall",
            Route::Tune,
            (false, false, true),
            "Read or update your agent's search profile (omit every field to read it).",
        ),
        spec::<InsightsArgs>(
            "memclaw_insights",
            "Insights",
            Route::Insights,
            (false, false, false),
            "Reflect over stored memories: contradictions, failures, stale, divergence, patterns or discover.",
        ),
        spec::<EvolveArgs>(
            "memclaw_evolve",
            "Evolve",
            Route::Evolve,
            (false, false, false),
            "Record an outcome and adjust the weights of the memories that led to it.",
        ),
        spec::<KeystonesArgs>(
            "memclaw_keystones",
            "Keystones",
            Route::Unimplemented,
            (true, false, true),
            "The mandatory governance rules for you, your fleet and your tenant. Call once per session.",
        ),
        spec::<KeystonesSetArgs>(
            "memclaw_keystones_set",
            "Set keystone",
            Route::Unimplemented,
            (false, true, false),
            "Set or delete a keystone rule at tenant, fleet or agent scope.",
        ),
        spec::<CrystallizeArgs>(
            "memclaw_crystallize",
            "Crystallize",
            Route::Crystallize,
            (false, false, false),
            "Merge near-duplicate memories into canonical facts (reversible), or undo a run.",
        ),
        spec::<AuditArgs>(
            "memclaw_audit",
            "Audit log",
            Route::Unimplemented,
            (true, false, true),
            "Query and verify the tenant's tamper-evident audit log (trust 3).",
        ),
    ]
}

/// `caura_*` names are accepted as aliases of `memclaw_*`.
pub fn aliases() -> Vec<(String, String)> {
    catalog()
        .iter()
        .map(|t| (t.name.replacen("memclaw_", "caura_", 1), t.name.to_owned()))
        .collect()
}

fn spec<T: JsonSchema>(
    name: &'static str,
    title: &'static str,
    route: Route,
    (read_only, destructive, idempotent): (bool, bool, bool),
    description: &'static str,
) -> ToolSpec {
    ToolSpec {
        name,
        title,
        description,
        route,
        input_schema: input_schema::<T>,
        read_only,
        destructive,
        idempotent,
    }
}

/// The JSON Schema of an argument struct, inlined (no `$ref`, no `$defs`)
/// because several MCP clients reject references in tool schemas.
pub fn input_schema<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
        map.remove("title");
        map.entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
    }
    schema
}

/// Parses tool arguments; errors name the offending field path
/// (`items[3].memory_type`).
pub fn parse_args<T: DeserializeOwned>(arguments: &str) -> Result<T, ToolError> {
    let mut de = serde_json::Deserializer::from_str(arguments);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." {
            "arguments".to_owned()
        } else {
            path
        };
        ToolError::invalid(&field, err.inner())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_an_object_schema_and_a_valid_unique_name() {
        let tools = catalog();
        let mut names: Vec<_> = tools.iter().map(|t| t.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 14);
        for t in &tools {
            assert!(
                t.name.len() <= 64 && t.name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            );
            let schema = (t.input_schema)();
            assert_eq!(schema["type"], "object", "{}", t.name);
            assert!(schema["properties"].is_object(), "{}", t.name);
            let text = schema.to_string();
            assert!(
                !text.contains("$ref") && !text.contains("$defs"),
                "{} has refs: {text}",
                t.name
            );
        }
    }

    #[test]
    fn argument_errors_name_the_field() {
        let err =
            parse_args::<args::WriteArgs>(r#"{"items":[{"content":"x","memory_type":"nope"}]}"#)
                .unwrap_err();
        assert!(
            err.message.starts_with("items[0].memory_type"),
            "{}",
            err.message
        );
        let err = parse_args::<args::RecallArgs>(r#"{"query":"x","top_k":"many"}"#).unwrap_err();
        assert!(err.message.starts_with("top_k"), "{}", err.message);
        let err = parse_args::<args::RecallArgs>(r#"{"query":"x","bogus":1}"#).unwrap_err();
        assert!(err.message.contains("bogus"), "{}", err.message);
    }
}
