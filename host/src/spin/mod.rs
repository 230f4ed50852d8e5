//! Host implementations of the Spin 2.0 interfaces memclaw's components
//! import: `fermyon:spin/sqlite`, `key-value` and `variables` @2.0.0, backed
//! by SQLite files in the data directory (the same semantics Spin's own
//! SQLite backends have, so the same component bytes behave the same).

mod kv;
mod sqlite;
mod variables;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use wasmtime::component::{HasData, Linker, ResourceTable};

pub use kv::KvStore;
pub use sqlite::SqlConnection;
pub use variables::Variables;

use crate::db::{self, Pool};

/// Bindings generated from `memclaw:memory/host-services`.
mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "memclaw:memory/host-services",
        // Async so SQLite work can move off the runtime's worker threads;
        // trappable so host bugs surface as traps (500) instead of panics.
        imports: { default: async | trappable },
        with: {
            "fermyon:spin/sqlite.connection": super::SqlConnection,
            "fermyon:spin/key-value.store": super::KvStore,
        },
    });
}

/// Idle connections kept per database file; more are opened on demand.
const MAX_IDLE_CONNECTIONS: usize = 64;

/// Connections (SQL) or stores (key-value) one instance may hold open at
/// once: a guest that leaks handles fails instead of exhausting file handles.
const MAX_OPEN_PER_INSTANCE: usize = 32;

/// Process-wide state behind the Spin interfaces, shared by every request.
pub struct SpinBackends {
    sqlite: Arc<Pool>,
    kv: Arc<Pool>,
    variables: Variables,
}

impl SpinBackends {
    /// Opens (creating) `<data>/memclaw.db` and `<data>/kv.db`.
    pub fn open(data: &Path, variables: Variables) -> anyhow::Result<Arc<Self>> {
        std::fs::create_dir_all(data)
            .with_context(|| format!("creating data directory {}", data.display()))?;
        let sqlite_path = data.join(db::SQLITE_FILE);
        let kv_path = data.join(db::KV_FILE);
        let sqlite = Pool::sqlite(sqlite_path.clone(), MAX_IDLE_CONNECTIONS)
            .with_context(|| format!("opening {}", sqlite_path.display()))?;
        let kv = Pool::kv(kv_path.clone(), MAX_IDLE_CONNECTIONS)
            .with_context(|| format!("opening {}", kv_path.display()))?;
        Ok(Arc::new(Self {
            sqlite,
            kv,
            variables,
        }))
    }
}

/// Host time one request spent in Spin calls, for `serve --stats`.
#[derive(Debug, Default)]
pub struct CallStats {
    sql_calls: AtomicU32,
    sql_us: AtomicU64,
    kv_calls: AtomicU32,
    kv_us: AtomicU64,
}

impl CallStats {
    fn sql(&self, started: Instant) {
        self.sql_calls.fetch_add(1, Ordering::Relaxed);
        self.sql_us
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    fn kv(&self, started: Instant) {
        self.kv_calls.fetch_add(1, Ordering::Relaxed);
        self.kv_us
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    }
}

impl std::fmt::Display for CallStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sql={}/{}us kv={}/{}us",
            self.sql_calls.load(Ordering::Relaxed),
            self.sql_us.load(Ordering::Relaxed),
            self.kv_calls.load(Ordering::Relaxed),
            self.kv_us.load(Ordering::Relaxed),
        )
    }
}

/// Per-instance (per-request) Spin state, kept in the store.
pub struct SpinCtx {
    backends: Arc<SpinBackends>,
    open_connections: usize,
    open_stores: usize,
    stats: Arc<CallStats>,
}

impl SpinCtx {
    /// A fresh context for one instance, counting its calls in `stats`.
    pub fn new(backends: Arc<SpinBackends>, stats: Arc<CallStats>) -> Self {
        Self {
            backends,
            open_connections: 0,
            open_stores: 0,
            stats,
        }
    }
}

/// What the Spin host traits operate on: borrowed from the store's data.
pub struct SpinCtxView<'a> {
    /// The store's resource table (shared with WASI).
    pub table: &'a mut ResourceTable,
    /// This instance's Spin state.
    pub ctx: &'a mut SpinCtx,
}

/// Implemented by store data that carries a [`SpinCtx`].
pub trait SpinView: Send {
    /// Borrows the Spin state and the resource table.
    fn spin(&mut self) -> SpinCtxView<'_>;
}

struct Spin;

impl HasData for Spin {
    type Data<'a> = SpinCtxView<'a>;
}

/// Adds the three Spin interfaces to `linker`.
pub fn add_to_linker<T: SpinView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    bindings::fermyon::spin::sqlite::add_to_linker::<T, Spin>(linker, T::spin)?;
    bindings::fermyon::spin::key_value::add_to_linker::<T, Spin>(linker, T::spin)?;
    bindings::fermyon::spin::variables::add_to_linker::<T, Spin>(linker, T::spin)?;
    Ok(())
}

/// Runs blocking SQLite work on tokio's blocking pool: with a 5 s busy
/// timeout a write can wait on the lock, which must not stall the workers
/// that serve other connections.
async fn blocking<R: Send + 'static>(
    work: impl FnOnce() -> R + Send + 'static,
) -> wasmtime::Result<R> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| wasmtime::format_err!("sqlite worker failed: {e}"))
}

/// Builds the variables map from `SPIN_VARIABLE_*` environment variables,
/// then `overrides` (CLI flags win).
pub fn variables_from_env(overrides: HashMap<String, String>) -> anyhow::Result<Variables> {
    let mut vars = Variables::default();
    for (key, value) in std::env::vars() {
        if let Some(name) = key.strip_prefix("SPIN_VARIABLE_") {
            vars.set(&name.to_ascii_lowercase(), value)
                .with_context(|| format!("environment variable {key}"))?;
        }
    }
    for (name, value) in overrides {
        vars.set(&name, value)?;
    }
    Ok(vars)
}
