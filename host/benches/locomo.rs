//! `cargo bench -p memclaw --bench locomo`: turn-level retrieval quality on
//! LoCoMo through the real MCP endpoint (protocol in
//! `../shared/data/README.md`). Every turn of a conversation is written with
//! `memclaw_write` into a tenant of its own; every question of categories
//! 1–4 is asked with `memclaw_recall`; R@1/5/10/20 and nDCG@10 are printed.
//!
//! The data lives outside the repository (licence CC BY-NC 4.0, evaluation
//! only): `MEMCLAW_LOCOMO=path` or `../shared/data/locomo-dev.json`. Where it
//! is absent the bench says so and exits 0.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use common::Memclaw;
use serde_json::{Value, json};

const KS: [usize; 4] = [1, 5, 10, 20];

fn main() {
    let path = std::env::var_os("MEMCLAW_LOCOMO")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::workspace_root().join("../shared/data/locomo-dev.json"));
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!(
            "locomo: {} not found; skipping (set MEMCLAW_LOCOMO to run)",
            path.display()
        );
        return;
    };
    let samples: Vec<Value> = serde_json::from_str(&text).expect("locomo JSON");

    let server = Memclaw::new();
    let mut keys = Vec::new();
    for (i, _) in samples.iter().enumerate() {
        let tenant = format!("locomo-{i}");
        server.create_tenant(&tenant);
        keys.push(server.mint_key(&tenant, &["--agent", "eval"]));
    }
    let server = server.serve(&[]);

    let mut totals = Totals::default();
    for (sample, key) in samples.iter().zip(&keys) {
        let turns = turns(sample);
        let memory_turns = write_turns(&server, key, &turns, &mut totals);
        for qa in sample["qa"].as_array().into_iter().flatten() {
            let category = qa["category"].as_i64().unwrap_or(0);
            if !(1..=4).contains(&category) {
                continue;
            }
            let known: HashSet<&str> = turns.iter().map(|(id, _)| id.as_str()).collect();
            let evidence: HashSet<String> = evidence_ids(&qa["evidence"])
                .into_iter()
                .filter(|id| known.contains(id.as_str()))
                .collect();
            if evidence.is_empty() {
                continue;
            }
            let question = qa["question"].as_str().unwrap_or_default();
            let ranked = recall(&server, key, question);
            let ranked: Vec<&Vec<String>> = ranked
                .iter()
                .filter_map(|id| memory_turns.get(id))
                .collect();
            totals.add(&evidence, &ranked);
        }
    }

    println!(
        "locomo ({} conversations, {} turns written, {} too short to store, {} questions of categories 1-4)",
        samples.len(),
        totals.turns,
        totals.skipped_turns,
        totals.questions
    );
    let n = totals.questions.max(1) as f64;
    let recalls: Vec<String> = KS
        .iter()
        .zip(totals.recall)
        .map(|(k, r)| format!("R@{k} {:.3}", r / n))
        .collect();
    println!(
        "memclaw_recall (BM25): {}  nDCG@10 {:.3}",
        recalls.join("  "),
        totals.ndcg10 / n
    );
}

/// `(dia_id, "<speaker>: <text> [image: caption]")` for every turn.
fn turns(sample: &Value) -> Vec<(String, String)> {
    let conversation = &sample["conversation"];
    let mut sessions: Vec<(u32, &Vec<Value>)> = conversation
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| {
            let n = key.strip_prefix("session_")?.parse().ok()?;
            Some((n, value.as_array()?))
        })
        .collect();
    sessions.sort_by_key(|(n, _)| *n);
    sessions
        .into_iter()
        .flat_map(|(_, turns)| turns.iter())
        .map(|turn| {
            let mut text = format!(
                "{}: {}",
                turn["speaker"].as_str().unwrap_or("?"),
                turn["text"].as_str().unwrap_or("")
            );
            if let Some(caption) = turn["blip_caption"].as_str() {
                text.push_str(&format!(" [image: {caption}]"));
            }
            (turn["dia_id"].as_str().unwrap_or_default().to_owned(), text)
        })
        .collect()
}

/// Writes the turns in batches; returns memory id -> the turns it holds
/// (identical turns share one memory).
fn write_turns(
    server: &Memclaw,
    key: &str,
    turns: &[(String, String)],
    totals: &mut Totals,
) -> HashMap<String, Vec<String>> {
    let storable: Vec<&(String, String)> = turns
        .iter()
        .filter(|(_, text)| text.chars().filter(|c| !c.is_whitespace()).count() >= 10)
        .collect();
    totals.skipped_turns += turns.len() - storable.len();
    totals.turns += storable.len();
    let mut memory_turns: HashMap<String, Vec<String>> = HashMap::new();
    for batch in storable.chunks(100) {
        let items: Vec<Value> = batch
            .iter()
            .map(|(id, text)| json!({"content": text, "metadata": {"dia_id": id}}))
            .collect();
        let out = call(server, key, "memclaw_write", json!({"items": items}));
        for (result, (turn, _)) in out["results"]
            .as_array()
            .expect("batch results")
            .iter()
            .zip(batch)
        {
            let id = result["id"]
                .as_str()
                .or(result["duplicate_of"].as_str())
                .expect("stored or duplicate");
            memory_turns
                .entry(id.to_owned())
                .or_default()
                .push(turn.clone());
        }
    }
    memory_turns
}

fn recall(server: &Memclaw, key: &str, question: &str) -> Vec<String> {
    let out = call(
        server,
        key,
        "memclaw_recall",
        json!({"query": question, "top_k": 20}),
    );
    out["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

fn call(server: &Memclaw, key: &str, tool: &str, arguments: Value) -> Value {
    let request = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":tool,"arguments":arguments}});
    let resp = server.post_mcp(Some(key), &request.to_string());
    let body: Value = serde_json::from_slice(&resp.body).expect("JSON response");
    let result = &body["result"];
    assert_eq!(result["isError"], false, "{tool}: {result}");
    result["structuredContent"].clone()
}

/// Evidence strings may hold several ids joined by `;`, `,` or spaces.
fn evidence_ids(evidence: &Value) -> Vec<String> {
    evidence
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .flat_map(|s| s.split([';', ',', ' ']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Default)]
struct Totals {
    turns: usize,
    skipped_turns: usize,
    questions: usize,
    recall: [f64; 4],
    ndcg10: f64,
}

impl Totals {
    /// `ranked`: the turns of each returned memory, best first.
    fn add(&mut self, evidence: &HashSet<String>, ranked: &[&Vec<String>]) {
        self.questions += 1;
        for (slot, k) in KS.iter().enumerate() {
            let found: HashSet<&String> = ranked
                .iter()
                .take(*k)
                .flat_map(|turns| turns.iter())
                .filter(|t| evidence.contains(*t))
                .collect();
            self.recall[slot] += found.len() as f64 / evidence.len() as f64;
        }
        let dcg: f64 = ranked
            .iter()
            .take(10)
            .enumerate()
            .filter(|(_, turns)| turns.iter().any(|t| evidence.contains(t)))
            .map(|(i, _)| 1.0 / (i as f64 + 2.0).log2())
            .sum();
        let ideal: f64 = (0..evidence.len().min(10))
            .map(|i| 1.0 / (i as f64 + 2.0).log2())
            .sum();
        self.ndcg10 += dcg / ideal;
    }
}
