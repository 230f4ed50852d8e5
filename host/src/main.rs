//! `memclaw`: serves the composed memclaw component over HTTP with wasmtime
//! (the same bytes Spin runs) and administers tenants and API keys.

mod admin;
mod db;
mod server;
mod spin;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use sha2::{Digest, Sha256};

/// The composed component built by `build.rs` (gateway + tools).
static EMBEDDED_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/memclaw.wasm"));

#[derive(Parser)]
#[command(
    name = "memclaw",
    version,
    about = "memclaw MCP memory server (wasmtime host)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the MCP endpoint at http://LISTEN/mcp.
    Serve(ServeArgs),
    /// Write the composed component to a file.
    Compose {
        /// Output path.
        #[arg(long, default_value = "dist/memclaw.wasm")]
        out: PathBuf,
        /// Compose memclaw_*.wasm from this directory instead of writing the
        /// embedded component.
        #[arg(long)]
        components: Option<PathBuf>,
    },
    /// Print the SHA-256 (hex) of the embedded composed component.
    WasmDigest,
    /// Manage tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Manage API keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Args)]
struct DataArg {
    /// Data directory (memclaw.db, kv.db).
    #[arg(long, default_value = ".memclaw")]
    data: PathBuf,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    #[command(flatten)]
    data: DataArg,
    /// Serve this component file instead of the embedded one.
    #[arg(long)]
    wasm: Option<PathBuf>,
    /// Pin the deployment to one tenant (sets variable `tenant_pin`).
    #[arg(long)]
    tenant: Option<String>,
    /// Set a Spin variable, NAME=VALUE (repeatable; overrides SPIN_VARIABLE_NAME).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// Wall-clock limit of one request, in seconds.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    request_timeout_secs: u64,
    /// Memory cap of each instance's linear memories, in MiB.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=4096))]
    max_memory_mib: u64,
    /// Allowed browser origin (repeatable; sets variable `allowed_origins`, comma-joined).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// Log per-request timings (instantiation, total) to stderr.
    #[arg(long)]
    stats: bool,
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant.
    Create {
        /// Tenant id.
        name: String,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Mint an API key; the key is printed once, alone on the last line.
    Mint {
        /// Tenant the key belongs to.
        #[arg(long)]
        tenant: String,
        /// Agent the key acts as.
        #[arg(long)]
        agent: Option<String>,
        /// Fleet the key belongs to.
        #[arg(long)]
        fleet: Option<String>,
        /// Key may only read.
        #[arg(long)]
        read_only: bool,
        #[command(flatten)]
        data: DataArg,
    },
    /// List keys (JSON).
    List {
        /// Only this tenant's keys.
        #[arg(long)]
        tenant: Option<String>,
        #[command(flatten)]
        data: DataArg,
    },
    /// Revoke a key by id.
    Revoke {
        /// Key id (as printed by `key mint` / `key list`).
        key_id: String,
        #[command(flatten)]
        data: DataArg,
    },
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got {s:?}")),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the cause chain on one line, without the
            // backtrace anyhow's Debug adds when RUST_BACKTRACE is set.
            eprintln!("memclaw: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Compose { out, components } => {
            let wasm = match components {
                Some(dir) => {
                    let composed = memclaw_compose::compose_dir(&dir)?;
                    if !composed.missing_tools.is_empty() {
                        eprintln!(
                            "memclaw: warning: not in {}: {:?}",
                            dir.display(),
                            composed.missing_tools
                        );
                    }
                    composed.wasm
                }
                None => EMBEDDED_WASM.to_vec(),
            };
            write_file(&out, &wasm)?;
            println!("{} {}", sha256_hex(&wasm), out.display());
            Ok(())
        }
        Command::WasmDigest => {
            println!("{}", sha256_hex(EMBEDDED_WASM));
            Ok(())
        }
        Command::Tenant {
            command: TenantCommand::Create { name, data },
        } => admin::create_tenant(&data.data, &name),
        Command::Key { command } => match command {
            KeyCommand::Mint {
                tenant,
                agent,
                fleet,
                read_only,
                data,
            } => admin::mint_key(&data.data, tenant, agent, fleet, read_only),
            KeyCommand::List { tenant, data } => admin::list_keys(&data.data, tenant.as_deref()),
            KeyCommand::Revoke { key_id, data } => admin::revoke_key(&data.data, &key_id),
        },
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let wasm = match &args.wasm {
        Some(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        None => EMBEDDED_WASM.to_vec(),
    };

    let mut overrides: HashMap<String, String> = args.vars.into_iter().collect();
    if let Some(tenant) = args.tenant {
        overrides.insert("tenant_pin".into(), tenant);
    }
    if !args.allow_origins.is_empty() {
        overrides.insert("allowed_origins".into(), args.allow_origins.join(","));
    }
    let variables = spin::variables_from_env(overrides)?;
    eprintln!("memclaw: variables defined: {:?}", variables.names());
    let backends = spin::SpinBackends::open(&args.data.data, variables)?;

    let max_memory = usize::try_from(args.max_memory_mib << 20).context("--max-memory-mib")?;
    let config = server::ServeConfig {
        listen: args.listen,
        wasm,
        backends,
        request_timeout: Duration::from_secs(args.request_timeout_secs),
        max_memory,
        stats: args.stats,
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?
        .block_on(server::serve(config))
}

#[cfg(test)]
mod tests {
    use wasmtime::Engine;
    use wasmtime::component::Component;
    use wasmtime::component::types::ComponentItem;

    use super::EMBEDDED_WASM;

    /// The composed artifact asks a runtime only for what released Spin
    /// (3.x, 4.0.x) provides: WASI 0.2, Spin's 2.0 interfaces, and the
    /// type-only `memclaw:memory/types` instance, which wasmtime-based
    /// runtimes satisfy without a definition. The tool interfaces are
    /// internal to the composition.
    #[test]
    fn embedded_component_imports_only_what_spin_provides() {
        let engine = Engine::default();
        let component =
            Component::new(&engine, EMBEDDED_WASM).expect("the embedded component compiles");
        let ty = component.component_type();
        for (name, item) in ty.imports(&engine) {
            let allowed = (name.starts_with("wasi:") && name.contains("@0.2."))
                || name.starts_with("fermyon:spin/") && name.ends_with("@2.0.0");
            if name == "memclaw:memory/types@0.1.0" {
                let ComponentItem::ComponentInstance(instance) = item.ty else {
                    panic!("{name} is not an instance")
                };
                for (export, item) in instance.exports(&engine) {
                    assert!(
                        matches!(item.ty, ComponentItem::Type(_)),
                        "{name} exports non-type {export}"
                    );
                }
                continue;
            }
            assert!(allowed, "unexpected import {name}");
        }
        let exports: Vec<String> = ty
            .exports(&engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        assert_eq!(exports, ["wasi:http/incoming-handler@0.2.0"]);
    }
}
