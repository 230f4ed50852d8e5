//! `memclaw_recall`: lexical BM25 over exactly the memories the caller may
//! see. (The hybrid vector ranking replaces the scorer, not the scoping.)

use bm25::{Document, Language, SearchEngineBuilder};
use serde::Serialize;
use serde_json::{Value, json};

use crate::caller::{Actor, Caller};
use crate::error::ToolError;
use crate::model::{MemoryOut, load_memories};
use crate::store::{Row, Rows, Sql, SqlValue};
use crate::time::Timestamp;
use crate::tools::args::RecallArgs;
use crate::tools::parse_args;

pub const DEFAULT_TOP_K: usize = 5;
pub const MAX_TOP_K: usize = 20;
pub const MAX_QUERY_CHARS: usize = 5_000;

#[derive(Debug, Serialize)]
struct Hit {
    #[serde(flatten)]
    memory: MemoryOut,
    /// The BM25 relevance score that ranked this result.
    score: f64,
    /// Cosine similarity to the query; null until vectors exist.
    similarity: Option<f64>,
}

/// Runs `memclaw_recall` with JSON `arguments`.
pub fn recall(
    db: &dyn Sql,
    caller: &Caller,
    arguments: &str,
    now: Timestamp,
) -> Result<Value, ToolError> {
    let args: RecallArgs = parse_args(arguments)?;
    let query = args.query.trim();
    if query.is_empty() {
        return Err(ToolError::invalid("query", "must not be empty"));
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(ToolError::invalid(
            "query",
            format!("at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let mut warnings = Vec::new();
    let top_k = match args.top_k {
        None => DEFAULT_TOP_K,
        Some(k) if k < 1 => return Err(ToolError::invalid("top_k", "must be at least 1")),
        Some(k) if k as usize > MAX_TOP_K => {
            warnings.push(format!("top_k capped at {MAX_TOP_K}"));
            MAX_TOP_K
        }
        Some(k) => k as usize,
    };
    if args.include_brief {
        warnings.push(
            "include_brief is not available in this release; results are returned without a brief"
                .to_owned(),
        );
    }

    let actor = Actor::resolve(db, caller, args.agent_id.as_deref())?;
    let (scope_sql, mut params) = actor.visibility_sql(args.fleet_ids.as_deref())?;
    // Rank on (id, content, created_at) only; full rows are read for the winners.
    let mut sql = format!("SELECT id, content, created_at FROM memories WHERE {scope_sql}");
    match args.status {
        Some(status) => {
            sql.push_str(" AND status = ?");
            params.push(status.as_str().into());
        }
        // Superseded and contradicted knowledge stays out unless asked for.
        None => sql.push_str(" AND status NOT IN ('outdated', 'conflicted', 'deleted')"),
    }
    if let Some(memory_type) = args.memory_type {
        sql.push_str(" AND memory_type = ?");
        params.push(memory_type.as_str().into());
    }
    if let Some(author) = &args.filter_agent_id {
        sql.push_str(" AND agent_id = ?");
        params.push(author.as_str().into());
    }
    // MemClaw stores expires_at but never applies it; we do.
    sql.push_str(" AND (expires_at IS NULL OR expires_at > ?)");
    params.push(SqlValue::Text(now.rfc3339()));

    let candidates = db.execute(&sql, &params)?;
    let ranked = rank(query, &candidates, top_k);
    let results = hydrate(db, &caller.tenant_id, ranked)?;

    let mut out = json!({ "results": results });
    if !warnings.is_empty() {
        out["warning"] = Value::String(warnings.join("; "));
    }
    Ok(out)
}

/// BM25 over the candidates' content; ties keep the newer memory first.
/// Returns `(id, score)`, best first.
fn rank(query: &str, candidates: &Rows, top_k: usize) -> Vec<(String, f64)> {
    let mut docs: Vec<Row<'_>> = candidates.iter().collect();
    if docs.is_empty() {
        return Vec::new();
    }
    docs.sort_by(|a, b| {
        b.text("created_at")
            .cmp(&a.text("created_at"))
            .then_with(|| a.text("id").cmp(&b.text("id")))
    });
    let documents = docs
        .iter()
        .enumerate()
        .map(|(i, row)| Document::new(i, row.text("content").unwrap_or_default()));
    let engine = SearchEngineBuilder::<usize>::with_documents(Language::English, documents).build();
    let mut scored: Vec<(usize, f32)> = engine
        .search(query, docs.len())
        .into_iter()
        .map(|r| (r.document.id, r.score))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(top_k);
    scored
        .into_iter()
        .map(|(i, score)| (docs[i].string("id"), (f64::from(score) * 1e4).round() / 1e4))
        .collect()
}

/// Reads the full rows of the ranked ids, keeping the ranking order.
fn hydrate(db: &dyn Sql, tenant: &str, ranked: Vec<(String, f64)>) -> Result<Vec<Hit>, ToolError> {
    let ids: Vec<&str> = ranked.iter().map(|(id, _)| id.as_str()).collect();
    let mut by_id = load_memories(db, tenant, &ids)?;
    Ok(ranked
        .into_iter()
        .filter_map(|(id, score)| {
            by_id.remove(&id).map(|memory| Hit {
                memory,
                score,
                similarity: None,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::MemoryDb;
    use crate::tools::write::write;

    fn caller(tenant: &str, agent: Option<&str>, fleet: Option<&str>) -> Caller {
        Caller {
            tenant_id: tenant.into(),
            bound_agent: agent.map(Into::into),
            bound_fleet: fleet.map(Into::into),
            read_only: false,
        }
    }

    fn now() -> Timestamp {
        Timestamp::from_unix_millis(1_780_000_000_000)
    }

    fn ids(out: &Value) -> Vec<String> {
        out["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["content"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn ranks_by_relevance() {
        let db = MemoryDb::migrated();
        let c = caller("t", Some("a"), Some("f"));
        for text in [
            "the learning rate 3e-4 works best for depth 12",
            "batch size 512 saturates the GPU",
            "cosine schedule beats linear decay of the learning rate",
        ] {
            write(&db, &c, &json!({ "content": text }).to_string(), now()).unwrap();
        }
        let out = recall(&db, &c, r#"{"query":"which batch size saturates"}"#, now()).unwrap();
        assert_eq!(ids(&out)[0], "batch size 512 saturates the GPU");
        let out = recall(&db, &c, r#"{"query":"learning rate","top_k":50}"#, now()).unwrap();
        assert_eq!(ids(&out).len(), 2);
        assert!(out["warning"].as_str().unwrap().contains("capped"));
    }

    #[test]
    fn scopes_fail_closed_across_agents_fleets_and_tenants() {
        let db = MemoryDb::migrated();
        let alice = caller("t", Some("alice"), Some("f1"));
        let bob = caller("t", Some("bob"), Some("f1"));
        let carol = caller("t", Some("carol"), Some("f2"));
        let mallory = caller("u", Some("mallory"), Some("f1"));
        write(
            &db,
            &alice,
            r#"{"content":"secret warmup finding agent","visibility":"scope_agent"}"#,
            now(),
        )
        .unwrap();
        write(
            &db,
            &alice,
            r#"{"content":"team warmup finding fleet one"}"#,
            now(),
        )
        .unwrap();
        write(
            &db,
            &alice,
            r#"{"content":"org warmup finding for everyone","visibility":"scope_org"}"#,
            now(),
        )
        .unwrap();
        let q = r#"{"query":"warmup finding","top_k":20}"#;
        assert_eq!(ids(&recall(&db, &alice, q, now()).unwrap()).len(), 3);
        assert_eq!(ids(&recall(&db, &bob, q, now()).unwrap()).len(), 2);
        assert_eq!(
            ids(&recall(&db, &carol, q, now()).unwrap()),
            vec!["org warmup finding for everyone"]
        );
        assert!(ids(&recall(&db, &mallory, q, now()).unwrap()).is_empty());
        let err = recall(
            &db,
            &carol,
            r#"{"query":"warmup","fleet_ids":["f1"]}"#,
            now(),
        )
        .unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::Forbidden);
    }

    #[test]
    fn expired_and_outdated_memories_stay_out_by_default() {
        let db = MemoryDb::migrated();
        let c = caller("t", Some("a"), None);
        write(
            &db,
            &c,
            r#"{"content":"expired dropout finding","expires_at":"2020-01-01"}"#,
            now(),
        )
        .unwrap();
        write(
            &db,
            &c,
            r#"{"content":"outdated dropout finding","status":"outdated"}"#,
            now(),
        )
        .unwrap();
        write(&db, &c, r#"{"content":"current dropout finding"}"#, now()).unwrap();
        let out = recall(&db, &c, r#"{"query":"dropout finding"}"#, now()).unwrap();
        assert_eq!(ids(&out), vec!["current dropout finding"]);
        let out = recall(
            &db,
            &c,
            r#"{"query":"dropout finding","status":"outdated"}"#,
            now(),
        )
        .unwrap();
        assert_eq!(ids(&out), vec!["outdated dropout finding"]);
    }

    #[test]
    fn bad_arguments_name_the_field() {
        let db = MemoryDb::migrated();
        let c = caller("t", None, None);
        for (args, field) in [
            (r#"{"query":"  "}"#, "query"),
            (r#"{"query":"x","top_k":0}"#, "top_k"),
            (r#"{"top_k":3}"#, "query"),
            (r#"{"query":"x","memory_type":"bogus"}"#, "memory_type"),
        ] {
            let err = recall(&db, &c, args, now()).unwrap_err();
            assert!(err.message.contains(field), "{args}: {}", err.message);
        }
    }
}
