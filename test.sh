#!/usr/bin/env bash
# Sets up what is missing and runs every check: formatting, lints (native and wasm32), native
# tests, IndexedDB tests in headless Chromium, then the browser tests against the server
# serving the release build. Fails on the first failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
source scripts/setup.sh

step() { printf '\n\033[1;35m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "domain stays pure: no I/O or web crates, builds for wasm32"
if cargo tree -p cunbao-domain -e normal --target all --prefix none |
  grep -E "^(leptos|web-sys|gloo|tokio|sqlx|wasm-bindgen|rexie|axum) "; then
  echo "cunbao-domain must not depend on the crates above" >&2
  exit 1
fi
cargo build -p cunbao-domain --target wasm32-unknown-unknown

step "cargo clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo clippy (wasm32 app, all targets)"
cargo clippy -p cunbao-app --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests (server suites on SQLite and on a throwaway PostgreSQL)"
source scripts/postgres.sh
trap pg_stop EXIT
cargo test --workspace

step "wasm tests: IndexedDB in headless Chromium"
(cd app && cargo test --target wasm32-unknown-unknown)

step "release build of the client, debug build of the server"
scripts/build-client.sh
cargo build -p cunbao-server

step "browser tests (Playwright + /usr/bin/chromium)"
(cd e2e && node --test --test-concurrency=1 tests/)

step "all checks passed"
