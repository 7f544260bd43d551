// The walking skeleton, as a clinic assistant meets it: first load online, then no network at
// all (browser offline *and* the server stopped), and the app still opens on every address and
// keeps what was written to IndexedDB. Nobody signs in here, so every address shows the
// sign-in form (issue 19: no desk without a signed-in, unlocked user).
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
  assert.equal(await page.locator(".brand-name").innerText(), "村保");
  await page.getByTestId("sign-in").getByRole("heading", { name: "登录（首次需联网）" }).waitFor();
  assert.equal(await page.getByRole("navigation").count(), 0);
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

  // Not signed in yet: every address opens offline, on the sign-in form and the device status.
  for (const path of ["/residents", "/enrol", "/settlement", "/today", "/sync", "/township", "/"]) {
    await page.goto(new URL(path, page.url()).href);
    await waitForAppReady(page);
    await page.getByTestId("sign-in").waitFor();
    assert.equal(new URL(page.url()).pathname, path);
    assert.equal(await page.getByRole("navigation").count(), 0);
  }
});

test("a deep link opens offline too", async () => {
  await page.goto(new URL("/settlement", page.url()).href);
  await page.getByTestId("sign-in").waitFor();
  await page.goto(new URL("/no/such/page", page.url()).href);
  await page.getByTestId("sign-in").waitFor();
  await page.getByTestId("device-status").waitFor();
});

test("the language chosen offline is written to IndexedDB and survives reloads", async () => {
  await page.goto(new URL("/", page.url()).href);
  await waitForAppReady(page);
  await page.getByTestId("lang-switch").click();
  await page.getByTestId("sign-in").getByRole("button", { name: "Sign in", exact: true }).waitFor();
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
    await page.getByTestId("sign-in").getByRole("button", { name: "Sign in", exact: true }).waitFor();
    assert.equal(await readMeta(page, "lang"), "en");
    assert.equal(await readMeta(page, "device_id"), deviceId);
  }
  await page.screenshot({ path: join(artifactsDir, "home-offline-en-1280x800.png") });

  await page.getByTestId("lang-switch").click();
  await page.getByTestId("sign-in").getByRole("button", { name: "登录", exact: true }).waitFor();
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
