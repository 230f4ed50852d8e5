//! Builds memclaw's Wasm components (wasm32-wasip2, `wasm` profile),
//! composes them into one component and embeds it: `OUT_DIR/memclaw.wasm`,
//! also copied to `<workspace>/dist/memclaw.wasm` for Spin.
//!
//! `MEMCLAW_PREBUILT_COMPONENTS=<dir>` skips the nested build and composes
//! the `memclaw_*.wasm` files found in `<dir>`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

const WASM_TARGET: &str = "wasm32-wasip2";
const WASM_PROFILE: &str = "wasm";

/// Environment the outer build sets that must not leak into the nested
/// cargo (it builds another target with other flags).
const LEAKY_ENV: [&str; 9] = [
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_WRAPPER",
    "CARGO_BUILD_TARGET",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_PRIMARY_PACKAGE",
    "__CARGO_FIX_PLZ",
];

fn main() {
    if let Err(e) = run() {
        // One line per cause, each as a cargo error so it is shown plainly.
        for cause in e.chain() {
            for line in cause.to_string().lines() {
                println!("cargo::error={line}");
            }
        }
    }
}

fn run() -> Result<()> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let workspace = manifest_dir
        .parent()
        .context("host crate has no parent directory")?
        .to_path_buf();
    let out_dir = PathBuf::from(env("OUT_DIR")?);

    // Relative to this package, not absolute: cargo shares build-script
    // output between clones of the workspace in one target directory, and
    // an absolute path would keep watching the clone that ran it last.
    // `dist/memclaw.wasm` is watched too, so a clone without it reruns.
    for path in [
        "../components",
        "../wit",
        "../Cargo.lock",
        "../Cargo.toml",
        "../dist/memclaw.wasm",
    ] {
        println!("cargo::rerun-if-changed={path}");
    }
    println!("cargo::rerun-if-env-changed=MEMCLAW_PREBUILT_COMPONENTS");

    let wasm = match std::env::var_os("MEMCLAW_PREBUILT_COMPONENTS") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            println!("cargo::rerun-if-changed={}", dir.display());
            let composed = memclaw_compose::compose_dir(&dir)?;
            if !composed.missing_tools.is_empty() {
                println!(
                    "cargo::warning=MEMCLAW_PREBUILT_COMPONENTS: no artifact for {:?} in {}; composed without them",
                    composed.missing_tools,
                    dir.display()
                );
            }
            composed.wasm
        }
        None => {
            let artifacts = build_components(&workspace)?;
            let composed = memclaw_compose::compose_dir(&artifacts)?;
            if !composed.missing_tools.is_empty() {
                bail!(
                    "the component build did not produce {:?} in {}",
                    composed.missing_tools,
                    artifacts.display()
                );
            }
            composed.wasm
        }
    };

    write_if_changed(&out_dir.join("memclaw.wasm"), &wasm)?;
    write_if_changed(&workspace.join("dist").join("memclaw.wasm"), &wasm)?;
    Ok(())
}

fn env(name: &str) -> Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set (not run by cargo?)"))
}

/// Runs the nested `cargo build` and returns the artifacts directory.
fn build_components(workspace: &Path) -> Result<PathBuf> {
    check_wasm_std()?;

    // Its own target directory: the outer build holds the lock on its own.
    let target_root = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    };
    let target_dir = target_root.join("wasm-components");

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .args([
            "build",
            "--locked",
            "--target",
            WASM_TARGET,
            "--profile",
            WASM_PROFILE,
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .args(["-p", memclaw_compose::GATEWAY_PACKAGE]);
    for tool in memclaw_compose::TOOLS {
        cmd.arg("-p").arg(format!("memclaw-{tool}"));
    }
    for name in LEAKY_ENV {
        cmd.env_remove(name);
    }
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_CFG_") || name.starts_with("CARGO_FEATURE_") {
            cmd.env_remove(name.as_ref());
        }
    }
    // Our stdout is read by cargo as build-script directives.
    cmd.stdout(Stdio::from(std::io::stderr()));

    let status = cmd
        .status()
        .context("running cargo for the Wasm components")?;
    if !status.success() {
        bail!(
            "building the Wasm components failed ({status}); see the output above \
             (`cargo build -vv` shows it). To use already built components, set \
             MEMCLAW_PREBUILT_COMPONENTS=<dir with memclaw_*.wasm>"
        );
    }
    Ok(target_dir.join(WASM_TARGET).join(WASM_PROFILE))
}

/// Fails with instructions when the toolchain lacks the wasm32-wasip2 std.
fn check_wasm_std() -> Result<()> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .context("running rustc --print sysroot")?;
    let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let std_dir = Path::new(&sysroot)
        .join("lib/rustlib")
        .join(WASM_TARGET)
        .join("lib");
    if !std_dir.is_dir() {
        bail!(
            "the {WASM_TARGET} standard library is not installed for this toolchain \
             ({sysroot}); run `rustup target add {WASM_TARGET}` and build again"
        );
    }
    Ok(())
}

/// Writes only when the content differs, so unchanged builds keep mtimes.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
