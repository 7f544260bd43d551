#!/usr/bin/env bash
# Builds the client in release mode into app/dist (Trunk, size-tuned `wasm-release` profile).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/app"
trunk build --release --cargo-profile wasm-release --offline
