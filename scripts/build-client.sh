#!/usr/bin/env bash
# Builds the client in release mode into app/dist (Trunk, size-tuned `wasm-release` profile),
# then shrinks the WebAssembly with binaryen's wasm-opt from npm (tools/, installed by
# scripts/setup.sh; Debian's wasm-opt 108 breaks this module): debug info, the name section
# and the producers stripped, with the features the module declares. No -Oz: on top of the
# release profile's opt-level "z" it saved raw bytes but no gzip bytes, and slowed the desk. The wasm's `integrity=` hash in
# index.html is then recomputed, or the browser would refuse the file.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/app"
trunk build --release --cargo-profile wasm-release --offline

WASM_OPT="$ROOT/tools/node_modules/.bin/wasm-opt"
[ -x "$WASM_OPT" ] || { echo "wasm-opt is missing: run scripts/setup.sh" >&2; exit 1; }
wasm=(dist/*_bg.wasm)
[ ${#wasm[@]} -eq 1 ] || { echo "expected one wasm in app/dist, found ${#wasm[@]}" >&2; exit 1; }
before=$(stat -c %s "${wasm[0]}")
"$WASM_OPT" "${wasm[0]}" -o "${wasm[0]}.opt" --strip-debug --strip-producers \
  --enable-bulk-memory --enable-bulk-memory-opt --enable-call-indirect-overlong \
  --enable-multivalue --enable-mutable-globals --enable-nontrapping-float-to-int \
  --enable-reference-types --enable-sign-ext
mv "${wasm[0]}.opt" "${wasm[0]}"
name=$(basename "${wasm[0]}")
hash="sha384-$(openssl dgst -sha384 -binary "${wasm[0]}" | base64 -w0)"
grep -q "href=\"/$name\"" dist/index.html || { echo "index.html does not name $name" >&2; exit 1; }
sed -i -E "s#(href=\"/$name\"[^>]*integrity=\")[^\"]*\"#\1$hash\"#" dist/index.html
grep -q "$hash" dist/index.html || { echo "the integrity of $name was not updated" >&2; exit 1; }
echo "wasm-opt: $name $before → $(stat -c %s "${wasm[0]}") bytes"
