//! `cargo bench -p memclaw --bench mcp_http`: per-request overhead and
//! `memclaw_recall` latency over MCP HTTP on the real host, with 1,000
//! memories in one tenant. Prints medians and percentiles; asserts nothing.
//!
//! Every request opens a new loopback connection (the harness client sends
//! `Connection: close`), so the figures include TCP setup.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::fs::File;
use std::time::{Duration, Instant};

use common::Memclaw;
use serde_json::{Value, json};

const MEMORIES: usize = 1_000;
const RECALLS: usize = 400;
const CLIENTS: usize = 4;

const TOPICS: &[&str] = &[
    "learning rate",
    "warmup",
    "batch size",
    "dropout",
    "weight decay",
    "cosine schedule",
    "val_bpb",
    "depth-24",
    "attention heads",
    "tokenizer",
    "gradient clipping",
    "AdamW beta2",
];
const VERDICTS: &[&str] = &[
    "improved",
    "degraded",
    "did not change",
    "destabilised",
    "sped up",
];

fn main() {
    let server = Memclaw::new();
    server.create_tenant("bench");
    let key = server.mint_key("bench", &["--agent", "bencher", "--fleet", "gpu"]);
    let log_path = server.data.path().join("server-stats.log");
    let log = File::create(&log_path).expect("stats log");
    let server = server.serve_with_stderr(&["--stats"], log.into());

    let post = |body: &Value| -> Duration {
        let started = Instant::now();
        let resp = server.post_mcp(Some(&key), &body.to_string());
        let elapsed = started.elapsed();
        assert_eq!(resp.status, 200, "{}", resp.text());
        elapsed
    };
    let tool = |name: &str, arguments: Value| json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":name,"arguments":arguments}});

    // Overhead: the cheapest authenticated request still instantiates the
    // whole composed component.
    let pings: Vec<Duration> = (0..300)
        .map(|_| post(&json!({"jsonrpc":"2.0","id":1,"method":"ping"})))
        .collect();

    // Fill: single writes first (throughput of one agent), then batches.
    let single_started = Instant::now();
    for i in 0..100 {
        post(&tool("memclaw_write", json!({"content": finding(i)})));
    }
    let single_rate = 100.0 / single_started.elapsed().as_secs_f64();
    let batch_started = Instant::now();
    for chunk in (100..MEMORIES).collect::<Vec<_>>().chunks(100) {
        let items: Vec<Value> = chunk
            .iter()
            .map(|i| json!({"content": finding(*i)}))
            .collect();
        post(&tool("memclaw_write", json!({"items": items})));
    }
    let batch_rate = (MEMORIES - 100) as f64 / batch_started.elapsed().as_secs_f64();

    let query = |i: usize| {
        tool(
            "memclaw_recall",
            json!({"query": format!("did {} help on {}", TOPICS[i % TOPICS.len()], TOPICS[(i * 7 + 3) % TOPICS.len()]), "top_k": 10}),
        )
    };
    let sequential: Vec<Duration> = (0..RECALLS).map(|i| post(&query(i))).collect();
    let concurrent: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (post, query) = (&post, &query);
                s.spawn(move || {
                    (0..RECALLS / CLIENTS)
                        .map(|i| post(&query(c * 1000 + i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("client thread"))
            .collect()
    });

    // Read before dropping the server: the log lives in its temp data dir.
    let stats = std::fs::read_to_string(&log_path).unwrap_or_default();
    drop(server);
    let instantiate: Vec<Duration> = stats
        .lines()
        .filter_map(|l| {
            l.split("instantiate=")
                .nth(1)?
                .split("us")
                .next()?
                .parse::<u64>()
                .ok()
        })
        .map(Duration::from_micros)
        .collect();

    println!(
        "memclaw MCP-over-HTTP bench ({MEMORIES} memories in one tenant, new TCP connection per request)"
    );
    report("instantiate (server side, every request)", instantiate);
    report("ping round trip (instantiate + auth + MCP)", pings);
    report("memclaw_recall, 1 client", sequential);
    report(
        &format!("memclaw_recall, {CLIENTS} concurrent clients"),
        concurrent,
    );
    println!(
        "memclaw_write: {single_rate:.0} memories/s one at a time, {batch_rate:.0} memories/s in batches of 100"
    );
}

fn finding(i: usize) -> String {
    let topic = TOPICS[i % TOPICS.len()];
    let other = TOPICS[(i / TOPICS.len()) % TOPICS.len()];
    let verdict = VERDICTS[i % VERDICTS.len()];
    format!(
        "run {i}: changing {topic} to {} {verdict} val_bpb when combined with {other}",
        (i % 13) as f64 * 0.37
    )
}

fn report(label: &str, mut samples: Vec<Duration>) {
    if samples.is_empty() {
        println!("{label:<48} no samples");
        return;
    }
    samples.sort();
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label:<48} n={:<4} p50={:>7.3} ms  p95={:>7.3} ms  p99={:>7.3} ms",
        samples.len(),
        ms(pick(0.5)),
        ms(pick(0.95)),
        ms(pick(0.99))
    );
}
