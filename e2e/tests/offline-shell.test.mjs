// The walking skeleton, as a clinic assistant meets it: first load online, then no network at
// all (browser offline *and* the server stopped), and the app still opens, navigates and keeps
// what was written to IndexedDB.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  artifactsDir,
  launchBrowser,
  newTabletContext,
  readMeta,
  startServer,
  waitForAppReady,
} from "../lib/harness.mjs";

let server;
let browser;
let context;
let page;
let deviceId;

before(async () => {
  server = await startServer({ name: "offline-shell" });
  browser = await launchBrowser();
  context = await newTabletContext(browser);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("first load online shows the home page in Chinese and caches the shell", async () => {
  // The app runs under the server's Content-Security-Policy with nothing refused.
  const refused = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) refused.push(m.text()); });
  const response = await page.goto(server.url);
  assert.match(response.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.equal(response.headers()["x-content-type-options"], "nosniff");
  await waitForAppReady(page);
  assert.equal(await page.locator("html").getAttribute("lang"), "zh-CN");
  await page.getByRole("heading", { level: 1 }).filter({ hasText: "村保" }).waitFor();
  assert.equal(await page.getByTestId("net-status").innerText(), "在线");
  // The device id is under the closed "technical details", for support staff.
  deviceId = (await page.getByTestId("device-id").textContent()).trim();
  assert.match(deviceId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(await readMeta(page, "device_id"), deviceId);
  await page.getByTestId("shell-state").filter({ hasText: "已缓存" }).waitFor();
  await page.screenshot({ path: join(artifactsDir, "home-zh-CN-1280x800.png") });
  assert.deepEqual(refused, []);
});

test("with no network at all, a reload still renders the app and every section", async () => {
  await context.setOffline(true);
  await server.stop();
  await page.reload();
  await waitForAppReady(page);
  await page.getByTestId("net-status").filter({ hasText: "离线" }).waitFor();
  assert.equal((await page.getByTestId("device-id").textContent()).trim(), deviceId);
  await page.screenshot({ path: join(artifactsDir, "home-offline-zh-CN-1280x800.png") });

  const sections = [
    // Not signed in yet: the desk says how to set the tablet up.
    ["参保人", "/residents", page.getByTestId("needs-setup")],
    ["参保登记", "/enrol", page.getByTestId("needs-setup")],
    ["门诊结算", "/settlement", page.getByTestId("needs-setup")],
    ["今日", "/today", page.getByTestId("today-receipts")],
    ["数据同步", "/sync", page.getByTestId("sign-in")],
    ["乡镇审核", "/township", page.getByText("仅乡镇服务站工作人员可查看本页")],
  ];
  for (const [label, path, content] of sections) {
    await page.getByRole("navigation").getByRole("link", { name: label }).click();
    await page.getByTestId("section-title").filter({ hasText: label }).waitFor();
    await content.waitFor();
    assert.equal(new URL(page.url()).pathname, path);
    const current = page.getByRole("navigation").locator('[aria-current="page"]');
    assert.equal(await current.innerText(), label);
  }
  await page.getByRole("navigation").getByRole("link", { name: "首页" }).click();
  await page.getByTestId("device-status").waitFor();
});

test("a deep link opens offline too", async () => {
  await page.goto(new URL("/settlement", page.url()).href);
  await page.getByTestId("section-title").filter({ hasText: "门诊结算" }).waitFor();
  await page.goto(new URL("/no/such/page", page.url()).href);
  await page.getByTestId("section-title").filter({ hasText: "找不到此页面" }).waitFor();
});

test("the language chosen offline is written to IndexedDB and survives reloads", async () => {
  await page.goto(new URL("/", page.url()).href);
  await waitForAppReady(page);
  await page.getByTestId("lang-switch").click();
  await page.getByRole("navigation").getByRole("link", { name: "Residents", exact: true }).waitFor();
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  // The write is asynchronous: wait until IndexedDB holds it before reloading.
  await page.waitForFunction(
    () =>
      new Promise((ok) => {
        const open = indexedDB.open("cunbao");
        open.onsuccess = () => {
          const get = open.result.transaction("meta").objectStore("meta").get("lang");
          get.onsuccess = () => {
            open.result.close();
            ok(get.result === "en");
          };
        };
      }),
  );

  for (let i = 0; i < 2; i++) {
    await page.reload();
    await waitForAppReady(page);
    await page.getByTestId("net-status").filter({ hasText: "Offline" }).waitFor();
    await page.getByRole("navigation").getByRole("link", { name: "Settlement", exact: true }).waitFor();
    assert.equal(await readMeta(page, "lang"), "en");
    assert.equal(await readMeta(page, "device_id"), deviceId);
  }
  await page.screenshot({ path: join(artifactsDir, "home-offline-en-1280x800.png") });

  await page.getByTestId("lang-switch").click();
  await page.getByRole("navigation").getByRole("link", { name: "参保登记" }).waitFor();
});

test("the home page fits a phone-sized screen", async () => {
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 412, height: 915 });
  await phone.goto(new URL("/", page.url()).href);
  await waitForAppReady(phone);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await phone.screenshot({ path: join(artifactsDir, "home-zh-CN-412x915.png"), fullPage: true });
  await phone.close();
});
