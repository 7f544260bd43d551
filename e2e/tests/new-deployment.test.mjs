// A new deployment replaces the cached shell cleanly: the tablet picks up the new build on its
// next visit, keeps exactly one shell cache, and works offline on the new build.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  clientDir,
  freePort,
  launchBrowser,
  newTabletContext,
  scratchDir,
  startServer,
  waitForAppReady,
} from "../lib/harness.mjs";

let browser;
let server;
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A copy of the built client whose index.html carries a marker, as a new release would. */
function buildCopy(marker) {
  const dir = scratchDir(`cunbao-dist-${marker}`);
  cpSync(clientDir, dir, { recursive: true });
  const index = join(dir, "index.html");
  writeFileSync(
    index,
    readFileSync(index, "utf8").replace("<head>", `<head>\n<meta name="cunbao-release" content="${marker}">`),
  );
  return dir;
}

const release = (page) =>
  page.evaluate(() => document.querySelector('meta[name="cunbao-release"]')?.content ?? null);
const shellCaches = (page) =>
  page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith("cunbao-shell-")));

test("the next visit after a deployment runs the new build, and only it is cached", async () => {
  const port = await freePort();
  const dataDir = scratchDir("cunbao-e2e");
  server = await startServer({ port, dataDir, clientDir: buildCopy("one"), name: "deploy-one" });
  browser = await launchBrowser();
  const context = await newTabletContext(browser);
  const page = await context.newPage();

  await page.goto(server.url);
  await waitForAppReady(page);
  assert.equal(await release(page), "one");
  const [firstCache, ...others] = await shellCaches(page);
  assert.equal(others.length, 0);

  // Deploy release "two" on the same address.
  await server.stop();
  server = await startServer({ port, dataDir, clientDir: buildCopy("two"), name: "deploy-two" });

  // The visit after the deployment updates the worker; the new one takes over at once and
  // drops the old cache.
  await page.reload();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const keys = await shellCaches(page);
    if (keys.length === 1 && keys[0] !== firstCache) break;
    assert.ok(Date.now() < deadline, `shell caches did not switch: ${keys}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await page.reload();
  await waitForAppReady(page);
  assert.equal(await release(page), "two");

  // Offline, the tablet keeps running release two, never a mix or the old one.
  await context.setOffline(true);
  await server.stop();
  await page.reload();
  await waitForAppReady(page);
  assert.equal(await release(page), "two");
  await page.getByTestId("net-status").filter({ hasText: "离线" }).waitFor();
  assert.equal((await shellCaches(page)).length, 1);
});
