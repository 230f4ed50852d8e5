//! `memclaw_write`: validated, idempotent, all-or-nothing storage of one
//! memory or a batch.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::caller::{Actor, Caller};
use crate::error::{ErrorCode, ToolError};
use crate::model::{MemoryOut, MemoryStatus, MemoryType, Trust, Visibility, load_memories};
use crate::store::{Sql, transaction};
use crate::time::Timestamp;
use crate::tools::args::{MemoryFields, WriteArgs};
use crate::tools::parse_args;

pub const MIN_CONTENT_CHARS: usize = 10;
pub const MAX_CONTENT_CHARS: usize = 10_000;
pub const MAX_BATCH: usize = 100;

/// What happened to one item.
#[derive(Debug, Clone, PartialEq)]
enum Stored {
    Created(String),
    /// Same content hash for the same tenant, fleet and agent.
    DuplicateContent(String),
    /// Same `client_request_id` / `idempotency_key`: a retry.
    DuplicateAttempt(String),
}

/// A validated item ready to insert.
struct NewMemory {
    content: String,
    memory_type: MemoryType,
    weight: f64,
    status: MemoryStatus,
    metadata: Map<String, Value>,
    request_id: Option<String>,
    expires_at: Option<String>,
    ts_valid_start: Option<String>,
    ts_valid_end: Option<String>,
    fields: MemoryFields,
}

/// Runs `memclaw_write` with JSON `arguments`.
pub fn write(
    db: &dyn Sql,
    caller: &Caller,
    arguments: &str,
    now: Timestamp,
) -> Result<Value, ToolError> {
    let args: WriteArgs = parse_args(arguments)?;
    caller.require_writable()?;
    let single = match (&args.content, &args.items) {
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (content, items) => {
            return Err(ToolError::new(
                ErrorCode::InvalidArguments,
                "give exactly one of content or items",
            )
            .with_details(
                json!({ "received_content": content.is_some(), "received_items": items.is_some() }),
            ));
        }
    };
    let items: Vec<(String, MemoryFields)> = match &args.items {
        Some(items) => items
            .iter()
            .map(|i| (i.content.clone(), i.memory_fields()))
            .collect(),
        None if single => vec![(
            args.content.clone().unwrap_or_default(),
            args.memory_fields(),
        )],
        None => Vec::new(),
    };
    if items.is_empty() {
        return Err(ToolError::invalid("items", "must hold at least one item"));
    }
    if items.len() > MAX_BATCH {
        return Err(ToolError::new(
            ErrorCode::BatchTooLarge,
            format!("items: at most {MAX_BATCH} per call, got {}", items.len()),
        ));
    }
    let prepared = items
        .into_iter()
        .enumerate()
        .map(|(index, (content, fields))| {
            prepare(content, fields).map_err(|err| {
                if single {
                    err
                } else {
                    ToolError::new(
                        ErrorCode::InvalidBatchItem,
                        format!("items[{index}].{}", err.message),
                    )
                    .with_details(json!({ "index": index }))
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let started = Timestamp::now();
    let mut actor = Actor::resolve(db, caller, args.agent_id.as_deref())?;
    if actor.registered && actor.trust == Trust::RESTRICTED {
        return Err(ToolError::new(
            ErrorCode::AgentNotApproved,
            "agent is at trust 0 and may not write",
        ));
    }
    let fleet = actor.write_fleet(args.fleet_id.as_deref())?;
    let visibility = args.visibility.unwrap_or(Visibility::Team);
    let now_text = now.rfc3339();

    let outcomes = transaction(db, || {
        actor.register(db, fleet.as_deref(), &now_text)?;
        prepared
            .iter()
            .map(|memory| store_one(db, &actor, fleet.as_deref(), visibility, memory, &now_text))
            .collect::<Result<Vec<_>, ToolError>>()
    })?;

    if single {
        return match &outcomes[0] {
            Stored::Created(id) => {
                Ok(
                    serde_json::to_value(read_memory(db, &caller.tenant_id, id)?)
                        .map_err(|e| ToolError::new(ErrorCode::InternalError, e.to_string()))?,
                )
            }
            Stored::DuplicateContent(id) | Stored::DuplicateAttempt(id) => {
                Ok(json!({ "status": "duplicate", "existing_id": id, "agent_id": actor.agent_id }))
            }
        };
    }
    let results: Vec<Value> = outcomes
        .iter()
        .zip(&prepared)
        .enumerate()
        .map(|(index, (outcome, memory))| {
            let (status, id, duplicate_of) = match outcome {
                Stored::Created(id) => ("created", Some(id), None),
                Stored::DuplicateContent(id) => ("duplicate_content", None, Some(id)),
                Stored::DuplicateAttempt(id) => ("duplicate_attempt", None, Some(id)),
            };
            json!({ "index": index, "client_request_id": memory.request_id, "status": status, "id": id, "duplicate_of": duplicate_of })
        })
        .collect();
    let created = outcomes
        .iter()
        .filter(|o| matches!(o, Stored::Created(_)))
        .count();
    Ok(json!({
        "created": created,
        "duplicates": outcomes.len() - created,
        "errors": 0,
        "results": results,
        "bulk_ms": Timestamp::now().unix_millis() - started.unix_millis(),
    }))
}

/// Validates one item without touching storage.
fn prepare(content: String, fields: MemoryFields) -> Result<NewMemory, ToolError> {
    let content = content.trim().to_owned();
    let chars = content.chars().count();
    if chars > MAX_CONTENT_CHARS {
        return Err(ToolError::new(
            ErrorCode::PayloadTooLarge,
            format!("content: at most {MAX_CONTENT_CHARS} characters, got {chars}"),
        )
        .with_details(json!({ "field": "content" })));
    }
    if content.chars().filter(|c| !c.is_whitespace()).count() < MIN_CONTENT_CHARS {
        return Err(ToolError::invalid(
            "content",
            format!("too short: at least {MIN_CONTENT_CHARS} non-space characters"),
        ));
    }
    let memory_type = fields.memory_type.unwrap_or(MemoryType::Fact);
    if memory_type.is_reserved() {
        return Err(ToolError::invalid(
            "memory_type",
            format!(
                "'{}' is reserved for the server (evolve and insights)",
                memory_type.as_str()
            ),
        ));
    }
    let weight = fields.weight.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&weight) || weight.is_nan() {
        return Err(ToolError::invalid("weight", "must be between 0 and 1"));
    }
    let timestamp = |field: &str, value: &Option<String>| -> Result<Option<String>, ToolError> {
        value
            .as_deref()
            .map(|text| {
                Timestamp::parse(text)
                    .map(Timestamp::rfc3339)
                    .ok_or_else(|| {
                        ToolError::invalid(field, "must be an RFC 3339 date-time or YYYY-MM-DD")
                    })
            })
            .transpose()
    };
    let expires_at = timestamp("expires_at", &fields.expires_at)?;
    let ts_valid_start = timestamp("ts_valid_start", &fields.ts_valid_start)?;
    let ts_valid_end = timestamp("ts_valid_end", &fields.ts_valid_end)?;
    if let (Some(start), Some(end)) = (&ts_valid_start, &ts_valid_end)
        && end < start
    {
        return Err(ToolError::invalid(
            "ts_valid_end",
            "must not be before ts_valid_start",
        ));
    }
    let metadata = fields.metadata.clone().unwrap_or_default();
    let idempotency_key = match metadata.get("idempotency_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) => Some(key.clone()),
        Some(_) => {
            return Err(ToolError::invalid(
                "metadata.idempotency_key",
                "must be a string",
            ));
        }
    };
    let request_id = fields.client_request_id.clone().or(idempotency_key);
    if request_id
        .as_ref()
        .is_some_and(|id| id.is_empty() || id.len() > 200)
    {
        return Err(ToolError::invalid(
            "client_request_id",
            "must be 1 to 200 characters",
        ));
    }
    let status = fields.status.unwrap_or(MemoryStatus::Active);
    if status == MemoryStatus::Deleted {
        return Err(ToolError::invalid(
            "status",
            "a new memory cannot be deleted",
        ));
    }
    Ok(NewMemory {
        content,
        memory_type,
        weight,
        status,
        metadata,
        request_id,
        expires_at,
        ts_valid_start,
        ts_valid_end,
        fields,
    })
}

fn store_one(
    db: &dyn Sql,
    actor: &Actor,
    fleet: Option<&str>,
    visibility: Visibility,
    memory: &NewMemory,
    now: &str,
) -> Result<Stored, ToolError> {
    let tenant = actor.tenant_id.as_str();
    if let Some(request_id) = &memory.request_id {
        let rows = db.execute(
            "SELECT id FROM memories WHERE tenant_id = ? AND coalesce(fleet_id, '') = ? AND client_request_id = ? AND deleted_at IS NULL",
            &[tenant.into(), fleet.unwrap_or("").into(), request_id.as_str().into()],
        )?;
        if let Some(row) = rows.first() {
            return Ok(Stored::DuplicateAttempt(row.string("id")));
        }
    }
    let hash = content_hash(tenant, fleet, &actor.agent_id, &memory.content);
    let rows = db.execute(
        "SELECT id FROM memories WHERE tenant_id = ? AND content_hash = ? AND deleted_at IS NULL LIMIT 1",
        &[tenant.into(), hash.as_str().into()],
    )?;
    if let Some(row) = rows.first() {
        return Ok(Stored::DuplicateContent(row.string("id")));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let f = &memory.fields;
    db.execute(
        "INSERT INTO memories (id, tenant_id, fleet_id, agent_id, memory_type, content, weight, source_uri, run_id, \
         metadata, content_hash, client_request_id, status, visibility, created_at, expires_at, ts_valid_start, \
         ts_valid_end, subject, predicate, object_value) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            id.as_str().into(),
            tenant.into(),
            fleet.map(str::to_owned).into(),
            actor.agent_id.as_str().into(),
            memory.memory_type.as_str().into(),
            memory.content.as_str().into(),
            memory.weight.into(),
            f.source_uri.clone().into(),
            f.run_id.clone().into(),
            Value::Object(memory.metadata.clone()).to_string().into(),
            hash.into(),
            memory.request_id.clone().into(),
            memory.status.as_str().into(),
            visibility.as_str().into(),
            now.into(),
            memory.expires_at.clone().into(),
            memory.ts_valid_start.clone().into(),
            memory.ts_valid_end.clone().into(),
            f.subject.clone().into(),
            f.predicate.clone().into(),
            f.object_value.clone().into(),
        ],
    )?;
    Ok(Stored::Created(id))
}

/// SHA-256 over tenant, fleet, agent and content: duplicates are per author
/// and fleet, as in MemClaw.
pub fn content_hash(tenant: &str, fleet: Option<&str>, agent: &str, content: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [tenant, fleet.unwrap_or(""), agent, content] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn read_memory(db: &dyn Sql, tenant: &str, id: &str) -> Result<MemoryOut, ToolError> {
    load_memories(db, tenant, &[id])?
        .remove(id)
        .ok_or_else(|| ToolError::new(ErrorCode::InternalError, "a stored memory vanished"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::MemoryDb;

    fn caller(tenant: &str) -> Caller {
        Caller {
            tenant_id: tenant.into(),
            bound_agent: None,
            bound_fleet: None,
            read_only: false,
        }
    }

    fn now() -> Timestamp {
        Timestamp::from_unix_millis(1_780_000_000_000)
    }

    #[test]
    fn single_write_returns_the_stored_memory() {
        let db = MemoryDb::migrated();
        let out = write(
            &db,
            &caller("t"),
            r#"{"content":"lr=3e-4 beat 1e-3 on depth 12","fleet_id":"f1","agent_id":"a1"}"#,
            now(),
        )
        .unwrap();
        assert_eq!(out["content"], "lr=3e-4 beat 1e-3 on depth 12");
        assert_eq!(out["fleet_id"], "f1");
        assert_eq!(out["memory_type"], "fact");
        assert_eq!(out["visibility"], "scope_team");
        assert_eq!(out["status"], "active");
    }

    #[test]
    fn exact_duplicates_return_the_existing_id() {
        let db = MemoryDb::migrated();
        let args = r#"{"content":"warmup 2000 steps is enough","agent_id":"a"}"#;
        let first = write(&db, &caller("t"), args, now()).unwrap();
        let second = write(&db, &caller("t"), args, now()).unwrap();
        assert_eq!(second["status"], "duplicate");
        assert_eq!(second["existing_id"], first["id"]);
        // Another tenant is a different namespace.
        let other = write(&db, &caller("u"), args, now()).unwrap();
        assert_eq!(other["status"], "active");
    }

    #[test]
    fn batches_report_per_item_and_dedupe_within_the_batch() {
        let db = MemoryDb::migrated();
        let out = write(
            &db,
            &caller("t"),
            r#"{"items":[{"content":"first finding here"},{"content":"second finding here","client_request_id":"r2"},{"content":"first finding here"}]}"#,
            now(),
        )
        .unwrap();
        assert_eq!(out["created"], 2);
        assert_eq!(out["duplicates"], 1);
        assert_eq!(out["results"][2]["status"], "duplicate_content");
        assert_eq!(out["results"][2]["duplicate_of"], out["results"][0]["id"]);
        let retry = write(
            &db,
            &caller("t"),
            r#"{"items":[{"content":"changed text, same request","client_request_id":"r2"}]}"#,
            now(),
        )
        .unwrap();
        assert_eq!(retry["results"][0]["status"], "duplicate_attempt");
    }

    #[test]
    fn an_invalid_item_rejects_the_whole_batch() {
        let db = MemoryDb::migrated();
        let err = write(
            &db,
            &caller("t"),
            r#"{"items":[{"content":"a valid finding"},{"content":"short"}]}"#,
            now(),
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidBatchItem);
        assert!(
            err.message.starts_with("items[1].content"),
            "{}",
            err.message
        );
        let count = Sql::execute(&db, "SELECT count(*) AS n FROM memories", &[]).unwrap();
        assert_eq!(count.first().unwrap().int("n"), Some(0));
    }

    #[test]
    fn refuses_bad_input_with_the_field_named() {
        let db = MemoryDb::migrated();
        let cases = [
            (r#"{}"#, "content or items"),
            (r#"{"content":"x","items":[]}"#, "content or items"),
            (
                r#"{"content":"a rule the agent made up","memory_type":"rule"}"#,
                "memory_type",
            ),
            (r#"{"content":"weight out of range","weight":2}"#, "weight"),
            (
                r#"{"content":"bad expiry date here","expires_at":"soon"}"#,
                "expires_at",
            ),
            (
                r#"{"content":"unknown field sent","colour":"red"}"#,
                "colour",
            ),
            (
                r#"{"content":"bad agent id here","agent_id":"a b"}"#,
                "agent_id",
            ),
        ];
        for (args, field) in cases {
            let err = write(&db, &caller("t"), args, now()).unwrap_err();
            assert!(err.message.contains(field), "{args}: {}", err.message);
        }
        let too_many = format!(
            r#"{{"items":[{}]}}"#,
            vec![r#"{"content":"0123456789ab"}"#; 101].join(",")
        );
        assert_eq!(
            write(&db, &caller("t"), &too_many, now()).unwrap_err().code,
            ErrorCode::BatchTooLarge
        );
    }

    #[test]
    fn read_only_keys_and_foreign_fleets_are_refused() {
        let db = MemoryDb::migrated();
        let mut ro = caller("t");
        ro.read_only = true;
        assert_eq!(
            write(&db, &ro, r#"{"content":"read only key write"}"#, now())
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
        let mut bound = caller("t");
        bound.bound_fleet = Some("home".into());
        let err = write(
            &db,
            &bound,
            r#"{"content":"write to another fleet","fleet_id":"other"}"#,
            now(),
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden);
    }
}
