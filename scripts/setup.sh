#!/usr/bin/env bash
# Installs what Cunbao needs to build, run and test, from the package registries only
# (crates.io, npm, Debian). Idempotent: a second run checks versions and returns in seconds.
# Sourced by run.sh and test.sh; can be run on its own.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14" # 0.22 needs a newer rustc than 1.95
APT_PACKAGES=(chromium chromium-driver fonts-noto-cjk postgresql)

say() { printf '\033[1;36m[setup]\033[0m %s\n' "$*"; }
fail() {
  printf '\033[1;31m[setup] %s\033[0m\n' "$1" >&2
  [ $# -gt 1 ] && printf '        %s\n' "${@:2}" >&2
  exit 1
}

command -v cargo >/dev/null && command -v rustup >/dev/null ||
  fail "找不到 Rust 工具链 / Rust (cargo, rustup) is not installed." "Install it with rustup, then run this again."
command -v node >/dev/null && command -v npm >/dev/null ||
  fail "找不到 Node.js / Node.js and npm are not installed." "Install them: apt-get install nodejs npm"

# 1. The WebAssembly target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown || fail "无法安装 wasm32 目标 / cannot add the wasm32-unknown-unknown target"
fi

# 2. Debian packages: the browser for tests, its driver, CJK fonts for screenshots, and the
#    PostgreSQL server the tests start a throwaway instance of.
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    fail "无法安装 Debian 软件包 / cannot install: ${missing[*]}" "Run as root, or install them yourself: apt-get install ${missing[*]}"
fi

# 3. wasm-bindgen CLI: exactly the version in Cargo.lock, or Trunk would try to download one.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
[ -n "$WASM_BINDGEN_VERSION" ] || fail "Cargo.lock does not name a wasm-bindgen version"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2.5 minutes)"
  # Not --locked: its lockfile pins a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" ||
    fail "无法安装 wasm-bindgen-cli / cannot install wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io"
fi

# 4. Trunk, without its self-update check.
if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 9 minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --no-default-features --features rustls ||
    fail "无法安装 trunk / cannot install trunk $TRUNK_VERSION from crates.io"
fi

# 5. The browser-test driver (playwright-core only: it never downloads a browser).
if [ ! -f "$ROOT/e2e/node_modules/.package-lock.json" ] ||
  [ "$ROOT/e2e/package-lock.json" -nt "$ROOT/e2e/node_modules/.package-lock.json" ]; then
  say "installing e2e dependencies (npm ci)"
  (cd "$ROOT/e2e" && npm ci --no-audit --no-fund --silent) || fail "npm ci failed in e2e/"
fi

# 6. Build tools from npm: binaryen's wasm-opt for the client's release build.
if [ ! -f "$ROOT/tools/node_modules/.package-lock.json" ] ||
  [ "$ROOT/tools/package-lock.json" -nt "$ROOT/tools/node_modules/.package-lock.json" ]; then
  say "installing build tools (npm ci in tools/)"
  (cd "$ROOT/tools" && npm ci --no-audit --no-fund --silent) || fail "npm ci failed in tools/"
fi

export CHROMEDRIVER=/usr/bin/chromedriver
export TRUNK_OFFLINE=true
say "tools ready: $(rustc --version | cut -d' ' -f1-2), wasm-bindgen $WASM_BINDGEN_VERSION, trunk $TRUNK_VERSION, $(chromium --version 2>/dev/null | cut -d' ' -f1-2)"
