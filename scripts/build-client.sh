#!/usr/bin/env bash
# Builds the client in release mode into app/dist (Trunk, size-tuned `wasm-release` profile):
# two builds of the app (see the app's `routes::Bundle`), the clinic's at the root (what a
# tablet downloads and the service worker keeps) and the township's in app/dist/township
# (served under /township, online only, so a clinic tablet never downloads its screens).
# Each wasm is then shrunk with binaryen's wasm-opt from npm (tools/, installed by
# scripts/setup.sh; Debian's wasm-opt 108 breaks this module): debug info, the name section
# and the producers stripped, with the features the module declares. No -Oz: on top of the
# release profile's opt-level "z" it saved raw bytes but no gzip bytes, and slowed the desk.
# The wasm's `integrity=` hash in its index.html is then recomputed, or the browser would
# refuse the file. Last, brotli and gzip copies are written beside each file (precompress.mjs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/app"
WASM_OPT="$ROOT/tools/node_modules/.bin/wasm-opt"
[ -x "$WASM_OPT" ] || { echo "wasm-opt is missing: run scripts/setup.sh" >&2; exit 1; }

# shrink DIR PUBLIC_URL: wasm-opt on DIR's one wasm, and its integrity in DIR/index.html.
shrink() {
  local dir=$1 url=$2
  local wasm=("$dir"/*_bg.wasm)
  [ ${#wasm[@]} -eq 1 ] || { echo "expected one wasm in $dir, found ${#wasm[@]}" >&2; exit 1; }
  local before name hash
  before=$(stat -c %s "${wasm[0]}")
  "$WASM_OPT" "${wasm[0]}" -o "${wasm[0]}.opt" --strip-debug --strip-producers \
    --enable-bulk-memory --enable-bulk-memory-opt --enable-call-indirect-overlong \
    --enable-multivalue --enable-mutable-globals --enable-nontrapping-float-to-int \
    --enable-reference-types --enable-sign-ext
  mv "${wasm[0]}.opt" "${wasm[0]}"
  name=$(basename "${wasm[0]}")
  hash="sha384-$(openssl dgst -sha384 -binary "${wasm[0]}" | base64 -w0)"
  grep -q "href=\"$url$name\"" "$dir/index.html" || { echo "$dir/index.html does not name $name" >&2; exit 1; }
  sed -i -E "s#(href=\"$url$name\"[^>]*integrity=\")[^\"]*\"#\1$hash\"#" "$dir/index.html"
  grep -q "$hash" "$dir/index.html" || { echo "the integrity of $name was not updated" >&2; exit 1; }
  echo "wasm-opt: $name $before → $(stat -c %s "${wasm[0]}") bytes"
}

# Trunk empties its dist directory, so the township's build is made beside it and moved in
# (Trunk writes its page as index.html).
trunk build --release --cargo-profile wasm-release --offline=true township.html \
  --dist dist-township --public-url /township/
trunk build --release --cargo-profile wasm-release --offline
shrink dist-township /township/
shrink dist /
rm -rf dist/township
mv dist-township dist/township
# Brotli and gzip copies of the scripts, wasm and stylesheets, sent as they are to a request
# that accepts them (the server compresses nothing of the client on the fly).
node "$ROOT/scripts/precompress.mjs" dist
