#!/usr/bin/env bash
# The whole memclaw test suite, from a fresh clone with only rustup:
#   1. Rust unit and property tests of the domain crates,
#   2. the host's integration tests (the real composed .wasm, served by the
#      real host, spoken to over HTTP),
#   3. the official Python and TypeScript MCP SDKs against a running server.
# It installs what it needs: the wasm32-wasip2 target (via
# rust-toolchain.toml), a Python venv with the `mcp` SDK, and the npm SDKs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
cache="${MEMCLAW_CACHE:-$root/target/test-cache}"
mkdir -p "$cache"

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
rustup show active-toolchain
rustup target add wasm32-wasip2 >/dev/null

step "format"
cargo fmt --all -- --check

step "clippy (native and wasm32-wasip2)"
cargo clippy --locked -p memclaw-core -p memclaw-mcp -p memclaw-compose -p memclaw --all-targets -- -D warnings
cargo clippy --locked --target wasm32-wasip2 -p memclaw-core -p memclaw-mcp -p memclaw-guest \
  -p memclaw-gateway -p memclaw-write -p memclaw-recall -p memclaw-insights -p memclaw-evolve \
  -p memclaw-lifecycle -p memclaw-crystallize -- -D warnings

step "build (components, composition, host)"
cargo build --release --locked -p memclaw

step "rust tests"
cargo test --release --locked -p memclaw-core -p memclaw-mcp -p memclaw-compose -p memclaw

step "third-party MCP clients"
venv="$cache/venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/python/requirements.txt
(cd tests/node && npm ci --silent --no-audit --no-fund)

data=$(mktemp -d)
server_log="$data/server.log"
memclaw="$target_dir/release/memclaw"
cleanup() {
  if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

"$memclaw" tenant create tenant-a --data "$data" >/dev/null
"$memclaw" tenant create tenant-b --data "$data" >/dev/null
MCP_API_KEY=$("$memclaw" key mint --tenant tenant-a --data "$data" | tail -n 1)
MCP_API_KEY_B=$("$memclaw" key mint --tenant tenant-b --data "$data" | tail -n 1)
MCP_API_KEY_READONLY=$("$memclaw" key mint --tenant tenant-a --read-only --data "$data" | tail -n 1)
export MCP_API_KEY MCP_API_KEY_B MCP_API_KEY_READONLY

"$memclaw" serve --listen 127.0.0.1:0 --data "$data" >"$server_log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  if MCP_URL=$(grep -o 'http://[^ ]*/mcp' "$server_log" 2>/dev/null | head -n 1) && [ -n "$MCP_URL" ]; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$server_log"; echo "server exited"; exit 1; fi
  sleep 0.1
done
[ -n "${MCP_URL:-}" ] || { cat "$server_log"; echo "server did not start"; exit 1; }
export MCP_URL
echo "server at $MCP_URL"

step "python mcp SDK"
"$venv/bin/python" -m pytest -q tests/python

step "typescript MCP SDKs"
(cd tests/node && node --test)

step "all suites passed"
