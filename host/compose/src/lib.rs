//! Composes memclaw's components into one: every tool component's exports are
//! plugged into the matching imports of the gateway component with
//! [`wac_graph::plug`], the same library Spin uses for component dependencies
//! (and the same result as `wac plug`).
//!
//! The output is deterministic: the same inputs in the same order always give
//! the same bytes, so the embedded artifact and `dist/memclaw.wasm` can be
//! compared by digest.

use std::path::Path;

use anyhow::{Context, Result, bail};
use wac_graph::types::{Package, are_semver_compatible};
use wac_graph::{CompositionGraph, EncodeOptions};

/// The cargo package of the gateway component.
pub const GATEWAY_PACKAGE: &str = "memclaw-gateway";

/// The tool components, by short name; package `memclaw-<name>`, artifact
/// `memclaw_<name>.wasm`. Order matters only for determinism.
pub const TOOLS: [&str; 6] = [
    "write",
    "recall",
    "insights",
    "evolve",
    "lifecycle",
    "crystallize",
];

/// The file name cargo gives a component crate's artifact.
pub fn artifact_name(short: &str) -> String {
    format!("memclaw_{short}.wasm")
}

/// The result of [`compose_dir`].
pub struct Composed {
    /// The composed component.
    pub wasm: Vec<u8>,
    /// Tools whose artifact was not in the directory (not plugged).
    pub missing_tools: Vec<&'static str>,
}

/// Composes `memclaw_gateway.wasm` with every `memclaw_<tool>.wasm` found in
/// `dir` (see [`TOOLS`]). Missing tools are reported, not fatal: callers
/// decide whether a partial composition is acceptable.
pub fn compose_dir(dir: &Path) -> Result<Composed> {
    let gateway_path = dir.join(artifact_name("gateway"));
    let gateway = std::fs::read(&gateway_path)
        .with_context(|| format!("reading {}", gateway_path.display()))?;
    let mut tools = Vec::new();
    let mut missing_tools = Vec::new();
    for name in TOOLS {
        let path = dir.join(artifact_name(name));
        match std::fs::read(&path) {
            Ok(bytes) => tools.push((name, bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing_tools.push(name),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }
    let refs: Vec<(&str, &[u8])> = tools.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    Ok(Composed {
        wasm: compose(&gateway, &refs)?,
        missing_tools,
    })
}

/// Plugs each `(name, bytes)` tool component into `gateway` and returns the
/// encoded composition.
///
/// Every tool must satisfy at least one gateway import (a tool that plugs into
/// nothing is a build mistake, not something to skip silently). With no tools
/// the gateway bytes are returned unchanged. Imports the tools themselves
/// need (Spin SQLite, WASI, ...) become imports of the composed component,
/// merged with the gateway's imports of the same name.
pub fn compose(gateway: &[u8], tools: &[(&str, &[u8])]) -> Result<Vec<u8>> {
    let mut graph = CompositionGraph::new();
    let socket_pkg = Package::from_bytes("memclaw:gateway", None, gateway, graph.types_mut())
        .context("gateway is not a valid component")?;
    let socket = graph
        .register_package(socket_pkg)
        .context("registering the gateway component")?;
    if tools.is_empty() {
        return Ok(gateway.to_vec());
    }

    let mut plugs = Vec::with_capacity(tools.len());
    for (name, bytes) in tools {
        let package_name = format!("memclaw:{name}");
        let pkg = Package::from_bytes(&package_name, None, *bytes, graph.types_mut())
            .with_context(|| format!("tool `{name}` is not a valid component"))?;
        let id = graph
            .register_package(pkg)
            .with_context(|| format!("registering tool `{name}` (duplicate name?)"))?;

        // wac's `plug` only fails when *nothing* was plugged; check each tool
        // so a renamed interface is reported instead of silently left out.
        let socket_imports = &graph.types()[graph[socket].ty()].imports;
        let tool_exports = &graph.types()[graph[id].ty()].exports;
        let matches = tool_exports.keys().any(|export| {
            socket_imports.contains_key(export)
                || socket_imports
                    .keys()
                    .any(|import| are_semver_compatible(export, import))
        });
        if !matches {
            let exports: Vec<&str> = tool_exports.keys().map(String::as_str).collect();
            bail!("tool `{name}` exports {exports:?}, none of which the gateway imports");
        }
        plugs.push(id);
    }

    wac_graph::plug(&mut graph, plugs, socket).context("plugging tools into the gateway")?;
    graph
        .encode(EncodeOptions::default())
        .context("encoding the composed component")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gateway importing `memclaw:test/greet` and exporting `run`.
    const SOCKET: &str = r#"
        (component
          (import "memclaw:test/greet" (instance $g (export "hello" (func (result u32)))))
          (alias export $g "hello" (func $hello))
          (core func $hello_lowered (canon lower (func $hello)))
          (core module $m
            (import "g" "hello" (func $h (result i32)))
            (func (export "run") (result i32) call $h))
          (core instance $gi (export "hello" (func $hello_lowered)))
          (core instance $i (instantiate $m (with "g" (instance $gi))))
          (func $run (result u32) (canon lift (core func $i "run")))
          (export "run" (func $run)))
    "#;

    /// A tool exporting `memclaw:test/greet`.
    const PLUG: &str = r#"
        (component
          (core module $m (func (export "hello") (result i32) i32.const 42))
          (core instance $i (instantiate $m))
          (func $hello (result u32) (canon lift (core func $i "hello")))
          (instance $inst (export "hello" (func $hello)))
          (export "memclaw:test/greet" (instance $inst)))
    "#;

    /// A tool exporting an interface nobody imports.
    const STRAY: &str = r#"
        (component
          (core module $m (func (export "f") (result i32) i32.const 1))
          (core instance $i (instantiate $m))
          (func $f (result u32) (canon lift (core func $i "f")))
          (instance $inst (export "f" (func $f)))
          (export "memclaw:test/stray" (instance $inst)))
    "#;

    fn wasm(text: &str) -> Vec<u8> {
        wat::parse_str(text).expect("test component parses")
    }

    fn imports_and_exports(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
        let mut graph = CompositionGraph::new();
        let pkg = Package::from_bytes("out", None, bytes, graph.types_mut()).expect("valid");
        let world = &graph.types()[pkg.ty()];
        (
            world.imports.keys().cloned().collect(),
            world.exports.keys().cloned().collect(),
        )
    }

    #[test]
    fn plugs_tool_into_gateway_deterministically() {
        let socket = wasm(SOCKET);
        let plug = wasm(PLUG);
        let out = compose(&socket, &[("greet", &plug)]).expect("composes");
        let again = compose(&socket, &[("greet", &plug)]).expect("composes");
        assert_eq!(out, again, "composition must be deterministic");

        let (imports, exports) = imports_and_exports(&out);
        assert!(imports.is_empty(), "greet import satisfied: {imports:?}");
        assert_eq!(exports, vec!["run".to_string()]);
    }

    #[test]
    fn no_tools_returns_gateway_unchanged() {
        let socket = wasm(SOCKET);
        assert_eq!(compose(&socket, &[]).expect("ok"), socket);
    }

    #[test]
    fn rejects_tool_that_plugs_nothing() {
        let socket = wasm(SOCKET);
        let plug = wasm(PLUG);
        let stray = wasm(STRAY);
        let err = compose(&socket, &[("greet", &plug), ("stray", &stray)]).unwrap_err();
        assert!(err.to_string().contains("stray"), "{err:#}");
    }

    #[test]
    fn rejects_garbage() {
        let err = compose(b"not wasm", &[]).unwrap_err();
        assert!(err.to_string().contains("gateway"), "{err:#}");
        let socket = wasm(SOCKET);
        let err = compose(&socket, &[("junk", b"\0asm junk")]).unwrap_err();
        assert!(err.to_string().contains("junk"), "{err:#}");
    }
}
