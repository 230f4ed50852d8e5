#!/usr/bin/env bash
# Re-vendors the third-party WIT that memclaw's worlds import, byte for byte,
# from the spin-sdk crate pinned in Cargo.lock. Run from anywhere.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=$(cargo metadata --format-version 1 --locked | python3 -c '
import json, sys
pkgs = json.load(sys.stdin)["packages"]
print(next(p["version"] for p in pkgs if p["name"] == "spin-sdk"))')
src=$(cargo metadata --format-version 1 --locked | python3 -c '
import json, sys, os
pkgs = json.load(sys.stdin)["packages"]
p = next(p for p in pkgs if p["name"] == "spin-sdk")
print(os.path.dirname(p["manifest_path"]))')
dest=wit/deps/spin@2.0.0
mkdir -p "$dest"
for f in sqlite.wit key-value.wit variables.wit; do
  cp "$src/wit/deps/spin@2.0.0/$f" "$dest/$f"
done
cp "$src/LICENSE" "$dest/LICENSE"
# The upstream package header lives in its world.wit, which pulls in every
# Spin interface; we vendor only the three interfaces memclaw imports, so
# the header is restated here.
printf 'package fermyon:spin@2.0.0;\n' > "$dest/package.wit"
echo "vendored $dest from spin-sdk $version"
