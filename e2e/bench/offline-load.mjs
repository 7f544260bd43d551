// Prints how fast the app opens offline (no network, server stopped), over repeated reloads,
// and the gzip size of what a tablet downloads on its first visit. Figures, not pass/fail.
//   node bench/offline-load.mjs [reloads=20]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { clientDir, launchBrowser, newTabletContext, startServer, waitForAppReady } from "../lib/harness.mjs";

const reloads = Number(process.argv[2] ?? 20);
const server = await startServer({ name: "bench-offline" });
const browser = await launchBrowser();
const context = await newTabletContext(browser);
const page = await context.newPage();
await page.goto(server.url);
await waitForAppReady(page);
await context.setOffline(true);
await server.stop();

const paint = [];
const ready = [];
for (let i = 0; i < reloads; i++) {
  await page.reload();
  await waitForAppReady(page);
  const t = await page.evaluate(() => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime;
    return { fcp, ready: performance.now() };
  });
  paint.push(t.fcp);
  ready.push(t.ready);
}
await browser.close();

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(0)} ms, p95 ${q(0.95).toFixed(0)} ms, max ${s.at(-1).toFixed(0)} ms`;
};
console.log(`offline reloads: ${reloads}`);
console.log(`navigation → first contentful paint: ${stats(paint)}`);
console.log(`navigation → database open, page ready: ${stats(ready)}`);

const sizes = { wasm: 0, js: 0, css: 0 };
for (const name of readdirSync(clientDir)) {
  const kind = name.endsWith(".wasm") ? "wasm" : name.endsWith(".js") && name !== "sw.js" ? "js" : name.endsWith(".css") ? "css" : null;
  if (kind) sizes[kind] += gzipSync(readFileSync(join(clientDir, name)), { level: 9 }).length;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`gzip -9 sizes: wasm ${kb(sizes.wasm)}, js ${kb(sizes.js)}, css ${kb(sizes.css)}, total ${kb(sizes.wasm + sizes.js + sizes.css)}`);
