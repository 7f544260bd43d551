// Writes NAME.br (brotli, quality 11) and NAME.gz (gzip -9) beside each script, wasm and
// stylesheet of the built client (a directory, walked whole): the server sends the best copy a
// request accepts, as it is (server/src/precompressed.rs). Not the service worker, which the
// server writes anew from its template.
//   node scripts/precompress.mjs app/dist
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(wasm|js|css)$/.test(name) && name !== "sw.js") compress(path);
  }
}

function compress(path) {
  const bytes = readFileSync(path);
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }),
  );
}

walk(process.argv[2]);
