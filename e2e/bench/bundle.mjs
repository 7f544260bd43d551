// Prints what a tablet downloads on its first load (the clinic's build, at the root of
// app/dist: wasm, JS and CSS, not the icons or the service worker), then the same for the
// township's build (app/dist/township, loaded only by township staff, online): raw, gzip -9 and
// brotli (quality 11) bytes of each and in all. Figures, not pass/fail. Build the client first
// (scripts/build-client.sh).
//   node bench/bundle.mjs [dir=app/dist]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { clientDir } from "../lib/harness.mjs";

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

function table(title, dir) {
  const kinds = { wasm: [0, 0, 0], js: [0, 0, 0], css: [0, 0, 0] };
  for (const name of readdirSync(dir)) {
    const kind = name.endsWith(".wasm") ? "wasm" : name.endsWith(".js") && name !== "sw.js" ? "js" : name.endsWith(".css") ? "css" : null;
    if (!kind) continue;
    const bytes = readFileSync(join(dir, name));
    const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
    const sizes = [bytes.length, gzipSync(bytes, { level: 9 }).length, br.length];
    sizes.forEach((n, i) => (kinds[kind][i] += n));
  }
  const total = [0, 1, 2].map((i) => Object.values(kinds).reduce((s, k) => s + k[i], 0));
  console.log(`\n${title}\n\n| file | raw | gzip -9 | brotli 11 |\n|---|---|---|---|`);
  for (const [kind, [raw, gz, br]] of Object.entries(kinds)) console.log(`| ${kind} | ${kb(raw)} | ${kb(gz)} | ${kb(br)} |`);
  console.log(`| total | ${kb(total[0])} | ${kb(total[1])} | ${kb(total[2])} |`);
}

const dir = process.argv[2] ?? clientDir;
table("The clinic's build: what a tablet downloads on first load", dir);
const township = join(dir, "township");
if (existsSync(township)) table("The township's build (staff only, online)", township);
