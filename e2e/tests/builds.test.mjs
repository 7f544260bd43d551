// The app is built twice (issue 18): the clinic's build, which a tablet downloads and keeps for
// offline work, and the township's, served under /township to township staff, online. A clinic
// tablet never downloads the township's screens; staff land in their build whichever address
// they open, and are asked for the PIN once per start; offline, /township says it needs a network.
// Scripts, wasm and stylesheets go out as the brotli or gzip copies made at build time.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import {
  artifactsDir,
  clientDir,
  launchBrowser,
  newTabletContext,
  signInWithForm,
  startServer,
  unlockWithPin,
  waitForAppReady,
} from "../lib/harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer({ name: "builds", sampleData: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Every URL the page asks for (the service worker's own fetches included). */
function recordRequests(context) {
  const urls = [];
  context.on("request", (request) => urls.push(new URL(request.url()).pathname));
  return urls;
}

test("a clinic tablet downloads and keeps only the clinic's build, whatever it does", async () => {
  const context = await newTabletContext(browser);
  const urls = recordRequests(context);
  const page = await context.newPage();
  const wasmResponse = page.waitForResponse((r) => r.url().endsWith(".wasm"));
  await page.goto(server.url);
  await waitForAppReady(page);
  // The wasm comes as the copy compressed at build time that the browser accepts (brotli),
  // byte for byte.
  const response = await wasmResponse;
  const encoding = response.headers()["content-encoding"];
  assert.ok(encoding === "br" || encoding === "gzip", `content-encoding ${encoding}`);
  const copy = join(clientDir, new URL(response.url()).pathname + (encoding === "br" ? ".br" : ".gz"));
  assert.equal((await response.request().sizes()).responseBodySize, statSync(copy).size);
  await signInWithForm(page, "lijia");
  await page.getByTestId("signed-in-as").filter({ hasText: "王秀兰" }).waitFor();
  for (const tab of ["参保人", "参保登记", "门诊结算", "今日", "数据同步"]) {
    await page.getByRole("navigation").getByRole("link", { name: tab }).click();
    await page.getByRole("heading", { level: 1 }).first().waitFor();
  }
  await page.reload();
  await unlockWithPin(page);
  const wasm = urls.filter((u) => u.endsWith(".wasm"));
  assert.ok(wasm.length > 0 && wasm.every((u) => /^\/cunbao-app-[0-9a-f]{1,16}_bg\.wasm$/.test(u)), wasm.join(" "));
  assert.deepEqual(urls.filter((u) => u.startsWith("/township")), []);
  const cached = await page.evaluate(async () => {
    const keys = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) keys.push(new URL(request.url).pathname);
    }
    return keys;
  });
  assert.ok(cached.some((u) => u.endsWith("_bg.wasm")), cached.join(" "));
  assert.deepEqual(cached.filter((u) => u.startsWith("/township")), []);
  await context.close();
});

test("staff who sign in on the clinic's build land in the township's; opened again at /, they are sent there before the PIN", async () => {
  const context = await newTabletContext(browser);
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  const form = page.getByTestId("sign-in");
  await form.getByLabel("用户名").fill("shenhe");
  await form.getByLabel(/^密码/).fill("cunbao2025");
  await form.getByLabel(/^PIN（/).fill("246810");
  await form.getByLabel("再次输入PIN").fill("246810");
  await form.getByRole("button", { name: "登录" }).click();
  // On to the township's build, whose lock screen says why the PIN just set is asked again.
  await page.waitForURL(/\/township\?pin-again$/);
  await page.getByTestId("pin-again").filter({ hasText: "请再输入一次PIN" }).waitFor();
  assert.equal(await page.locator(".brand-tagline").innerText(), "乡镇医保服务站");
  await page.screenshot({ path: join(artifactsDir, "township-pin-again-zh-CN-1280x800.png") });
  await unlockWithPin(page);
  await page.getByRole("navigation").getByRole("link", { name: "数据同步" }).click();
  await page.getByTestId("signed-in-as").filter({ hasText: "覃明" }).waitFor();
  // The township's build: its own wasm, and its tabs.
  const wasm = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname).filter((p) => p.endsWith(".wasm")));
  assert.ok(wasm.every((p) => /^\/township\/cunbao-township-[0-9a-f]{1,16}_bg\.wasm$/.test(p)), wasm.join(" "));
  await page.getByRole("navigation").getByRole("link", { name: "审核队列" }).waitFor();
  assert.equal(await page.getByRole("navigation").getByRole("link", { name: "门诊结算" }).count(), 0);

  // The app opened again at the clinic's address: on to /township, where the PIN is asked once.
  await page.goto(server.url + "/");
  await page.waitForURL(/\/township$/);
  await page.getByTestId("lock-screen").waitFor();
  assert.equal(await page.getByTestId("pin-again").count(), 0);
  await unlockWithPin(page);
  await page.getByRole("navigation").getByRole("link", { name: "审核队列" }).click();
  await page.getByTestId("review-queue").or(page.getByTestId("queue-empty")).waitFor();
  await page.screenshot({ path: join(artifactsDir, "township-build-zh-CN-1280x800.png") });

  // Offline, the township's address answers with the clinic's shell, which says why.
  await context.setOffline(true);
  await page.goto(server.url + "/township/review");
  await page.getByTestId("lock-screen").getByLabel("PIN").waitFor();
  await unlockWithPin(page);
  await page.getByTestId("other-unavailable").filter({ hasText: "乡镇工作台需要联网" }).waitFor();
  assert.equal(await page.getByRole("navigation").count(), 0);
  await page.screenshot({ path: join(artifactsDir, "township-offline-zh-CN-1280x800.png") });
  await context.close();
});
