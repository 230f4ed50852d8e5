//! The HTTP server: hyper (HTTP/1.1) in front of one pre-instantiated
//! component, with a fresh instance per request.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HOST, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimits,
    StoreLimitsBuilder,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::spin::{self, CallStats, SpinBackends, SpinCtx, SpinCtxView, SpinView};

/// Requests served at once; further requests wait for a slot. The pooling
/// allocator is sized for exactly this many live instances.
const MAX_CONCURRENT: u32 = 64;

/// How often the epoch advances; request deadlines are counted in ticks.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// How long a client may take to send request headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The pool's per-memory ceiling; `--max-memory-mib` caps each instance below it.
const POOL_MAX_MEMORY: usize = 512 << 20;

/// The body of every 500: a JSON-RPC "internal error" without an id, since
/// the request may not even have been parsed.
const INTERNAL_ERROR: &str =
    r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error"}}"#;

/// What `memclaw serve` was asked to do.
pub struct ServeConfig {
    /// Address to bind; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The composed component's bytes.
    pub wasm: Vec<u8>,
    /// Spin backends (SQLite, key-value, variables).
    pub backends: Arc<SpinBackends>,
    /// Wall-clock budget of one request.
    pub request_timeout: Duration,
    /// Cap on each linear memory of an instance, in bytes.
    pub max_memory: usize,
    /// Log per-request timings to stderr.
    pub stats: bool,
}

/// Store data of one request's instance.
struct HostState {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    spin: SpinCtx,
    limits: StoreLimits,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: wasmtime_wasi_http::default_hooks(),
        }
    }
}

impl SpinView for HostState {
    fn spin(&mut self) -> SpinCtxView<'_> {
        SpinCtxView {
            table: &mut self.table,
            ctx: &mut self.spin,
        }
    }
}

/// Everything a request needs, shared by all connections.
struct Server {
    pre: ProxyPre<HostState>,
    backends: Arc<SpinBackends>,
    deadline_ticks: u64,
    request_timeout: Duration,
    max_memory: usize,
    slots: Semaphore,
    stats: bool,
}

fn engine(max_memory: usize) -> anyhow::Result<Engine> {
    let mut config = Config::new();
    // Epochs interrupt guests that loop; the ticker thread advances them.
    config.epoch_interruption(true);

    // The composed component nests ~7 components, each with a few core
    // instances, one memory and a couple of tables; size generously per
    // component and in total for MAX_CONCURRENT live instances.
    let mut pool = PoolingAllocationConfig::default();
    let n = MAX_CONCURRENT;
    pool.total_component_instances(n)
        .max_core_instances_per_component(128)
        .max_memories_per_component(32)
        .max_tables_per_component(64)
        .total_core_instances(n * 128)
        .total_memories(n * 16)
        .total_tables(n * 32)
        .total_stacks(n)
        .max_memory_size(max_memory.max(POOL_MAX_MEMORY));
    let mut pooled = config.clone();
    pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    match Engine::new(&pooled) {
        Ok(engine) => Ok(engine),
        Err(e) => {
            // Pooling reserves a lot of address space up front; hosts that
            // forbid overcommit refuse it. On-demand is slower, not wrong.
            eprintln!("memclaw: pooling allocator unavailable ({e}); using on-demand allocation");
            Ok(Engine::new(&config)?)
        }
    }
}

/// Compiles the component, links it and serves it until the process ends.
pub async fn serve(cfg: ServeConfig) -> anyhow::Result<()> {
    let engine = engine(cfg.max_memory)?;
    let started = Instant::now();
    let component = Component::new(&engine, &cfg.wasm)
        .map_err(anyhow::Error::from)
        .context("compiling the component")?;
    let compiled_in = started.elapsed();

    let mut linker = Linker::<HostState>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    spin::add_to_linker(&mut linker)?;
    let pre = linker
        .instantiate_pre(&component)
        .map_err(anyhow::Error::from)
        .context("linking the component (does it import something the host lacks?)")?;
    let pre = ProxyPre::new(pre)
        .map_err(anyhow::Error::from)
        .context("the component does not export wasi:http/incoming-handler")?;

    let ticker = engine.weak();
    std::thread::Builder::new()
        .name("memclaw-epoch".into())
        .spawn(move || {
            while let Some(engine) = ticker.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .context("starting the epoch thread")?;

    let deadline_ticks = (cfg.request_timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
    let server = Arc::new(Server {
        pre,
        backends: cfg.backends,
        deadline_ticks,
        request_timeout: cfg.request_timeout,
        max_memory: cfg.max_memory,
        slots: Semaphore::new(MAX_CONCURRENT as usize),
        stats: cfg.stats,
    });

    let listener = TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("binding {}", cfg.listen))?;
    let local = listener.local_addr()?;
    if cfg.stats {
        eprintln!(
            "memclaw: component compiled in {} ms",
            compiled_in.as_millis()
        );
    }
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "memclaw listening on http://{local}/mcp")?;
        stdout.flush()?;
    }

    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                // EMFILE and friends: back off instead of spinning.
                eprintln!("memclaw: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let server = server.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let server = server.clone();
                async move { Ok::<_, Infallible>(server.handle(req, local, peer).await) }
            });
            if let Err(e) = http1::Builder::new()
                .timer(TokioTimer::new())
                // Idle or trickling clients must not pin connections forever.
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("memclaw: connection from {peer}: {e}");
            }
        });
    }
}

fn internal_error() -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from_static(INTERNAL_ERROR.as_bytes())));
    *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// Sets the request headers Spin's HTTP trigger adds for a `/...` route, so
/// the component sees the same request under both hosts.
fn add_spin_headers(req: &mut Request<Incoming>, local: SocketAddr, peer: SocketAddr) {
    let host = req
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| local.to_string());
    let path = req.uri().path().to_owned();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let full_url = format!("http://{host}{path_and_query}");
    let headers = req.headers_mut();
    if !headers.contains_key(HOST)
        && let Ok(value) = HeaderValue::from_str(&host)
    {
        // wasi:http needs an authority; HTTP/1.0 clients may omit Host.
        headers.insert(HOST, value);
    }
    let pairs = [
        ("spin-full-url", full_url),
        ("spin-path-info", path),
        ("spin-matched-route", "/...".to_owned()),
        ("spin-raw-component-route", "/...".to_owned()),
        ("spin-component-route", String::new()),
        ("spin-base-path", "/".to_owned()),
        ("spin-client-addr", peer.to_string()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

impl Server {
    async fn handle(
        &self,
        mut req: Request<Incoming>,
        local: SocketAddr,
        peer: SocketAddr,
    ) -> Response<Full<Bytes>> {
        // The semaphore is never closed, so this only waits.
        let Ok(_slot) = self.slots.acquire().await else {
            return internal_error();
        };
        let started = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        add_spin_headers(&mut req, local, peer);
        let instantiate_us = Arc::new(AtomicU64::new(0));
        let calls = Arc::new(CallStats::default());
        match self.run(req, instantiate_us.clone(), calls.clone()).await {
            Ok(resp) => {
                if self.stats {
                    eprintln!(
                        "memclaw: {method} {path} -> {} instantiate={}us {calls} total={}us",
                        resp.status().as_u16(),
                        instantiate_us.load(Ordering::Relaxed),
                        started.elapsed().as_micros()
                    );
                }
                resp
            }
            Err(e) => {
                eprintln!(
                    "memclaw: {method} {path} failed after {} ms: {e:#}",
                    started.elapsed().as_millis()
                );
                internal_error()
            }
        }
    }

    /// Runs one request in a fresh instance and buffers the whole response,
    /// so a guest that traps mid-body still yields a clean 500.
    async fn run(
        &self,
        req: Request<Incoming>,
        instantiate_us: Arc<AtomicU64>,
        calls: Arc<CallStats>,
    ) -> anyhow::Result<Response<Full<Bytes>>> {
        let mut store = Store::new(
            self.pre.engine(),
            HostState {
                table: ResourceTable::new(),
                // Guest stdout goes to our stderr: our stdout carries only
                // the ready line that scripts and tests read.
                wasi: WasiCtx::builder()
                    .stdout(std::io::stderr())
                    .inherit_stderr()
                    .build(),
                http: WasiHttpCtx::new(),
                spin: SpinCtx::new(self.backends.clone(), calls),
                limits: StoreLimitsBuilder::new()
                    .memory_size(self.max_memory)
                    .trap_on_grow_failure(true)
                    .build(),
            },
        );
        store.limiter(|state| &mut state.limits);
        store.set_epoch_deadline(self.deadline_ticks);
        store.epoch_deadline_trap();

        let (sender, receiver) = tokio::sync::oneshot::channel();
        let req = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, req)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = self.pre.clone();
        let task = tokio::spawn(async move {
            let started = Instant::now();
            let proxy = pre.instantiate_async(&mut store).await?;
            instantiate_us.store(started.elapsed().as_micros() as u64, Ordering::Relaxed);
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, req, out)
                .await
        });
        let abort = task.abort_handle();

        let work = async move {
            let resp = match receiver.await {
                Ok(Ok(resp)) => resp,
                Ok(Err(code)) => bail!("component returned error code {code:?}"),
                // The store (and the sender in it) is gone: the guest trapped
                // or returned without answering.
                Err(_) => match task.await {
                    Ok(Ok(())) => bail!("component never set a response"),
                    Ok(Err(e)) => return Err(anyhow::Error::from(e).context("component failed")),
                    Err(e) => bail!("request task failed: {e}"),
                },
            };
            let (parts, body) = resp.into_parts();
            let body = match body.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(e) => {
                    // A broken body usually means the guest trapped; its own
                    // error says why.
                    return Err(match task.await {
                        Ok(Err(trap)) => anyhow::Error::from(trap).context("component failed"),
                        _ => anyhow::anyhow!("component failed while writing the body: {e:?}"),
                    });
                }
            };
            // Let the guest return from `handle` before the slot is freed,
            // so live instances never exceed MAX_CONCURRENT.
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("memclaw: component failed after responding: {e:#}"),
                Err(e) => eprintln!("memclaw: request task failed after responding: {e}"),
            }
            Ok(Response::from_parts(parts, Full::new(body)))
        };

        // The epoch deadline stops guests that compute; this stops guests
        // blocked in host calls (outgoing HTTP, a locked database).
        let grace = Duration::from_secs(1);
        match tokio::time::timeout(self.request_timeout + grace, work).await {
            Ok(result) => result,
            Err(_) => {
                abort.abort();
                bail!("request timed out after {:?}", self.request_timeout + grace)
            }
        }
    }
}
