// Sync as people meet it: a clinic signs in on its tablet, keeps working through a reload with
// no network, syncs by itself when the network returns; another clinic's tablet uploads; the
// township page shows the work of the township's clinics.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  api,
  artifactsDir,
  launchBrowser,
  newTabletContext,
  repoRoot,
  signInWithForm,
  unlockWithPin,
  startServer,
  waitForAppReady,
} from "../lib/harness.mjs";

let server;
let browser;
before(async () => {
  server = await startServer({ name: "sync", sampleData: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a clinic signs in, and keeps its session and sync state through an offline reload, unlocked by PIN", async () => {
  const context = await newTabletContext(browser);
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await page.getByTestId("sync-bar").filter({ hasText: "未登录" }).waitFor();

  await signInWithForm(page, "lijia", "wrong-password");
  await page.getByRole("alert").filter({ hasText: "用户名或密码错误" }).waitFor();
  await signInWithForm(page, "lijia");
  await page.getByTestId("signed-in-as").filter({ hasText: "王秀兰" }).waitFor();
  await page.getByTestId("sync-bar").filter({ hasText: /待上传 0 · 上次同步 \d\d:\d\d/ }).waitFor();
  await page.getByTestId("storage").filter({ hasText: "已用" }).waitFor();
  // Device setup brought the catalogue in force onto the tablet.
  await page.getByTestId("catalogue").filter({ hasText: "sample-2025.1 · 362 项" }).waitFor();
  await page.screenshot({ path: join(artifactsDir, "sync-zh-CN-1280x800.png") });

  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  await page.reload();
  // Offline, the tablet opens locked; the operator's PIN unlocks it without a network.
  const lock = page.getByTestId("lock-screen");
  await lock.filter({ hasText: "王秀兰" }).waitFor();
  assert.equal(await page.getByTestId("signed-in-as").count(), 0);
  await lock.getByLabel("PIN").fill("135790");
  await lock.getByRole("button", { name: "解锁" }).click();
  await lock.getByRole("alert").filter({ hasText: "PIN错误，还可再试4次" }).waitFor();
  await page.screenshot({ path: join(artifactsDir, "lock-offline-zh-CN-1280x800.png") });
  await unlockWithPin(page);
  await page.getByTestId("signed-in-as").filter({ hasText: "王秀兰" }).waitFor();
  await page.getByTestId("sync-error").filter({ hasText: "网络" }).waitFor();
  await page.screenshot({ path: join(artifactsDir, "sync-offline-zh-CN-1280x800.png") });

  // The network returns: the app syncs by itself and the error goes away.
  const before = await page.getByTestId("last-sync").innerText();
  await context.setOffline(false);
  await page.getByTestId("sync-error").waitFor({ state: "detached" });
  await page.getByTestId("sync-bar").filter({ hasText: "上次同步" }).waitFor();
  assert.match(await page.getByTestId("last-sync").innerText(), /\d\d:\d\d/);
  assert.ok(before.length > 0);
  await context.close();
});

test("the township page shows another clinic's synced work, and is closed to clinics", async () => {
  // Clinic 大坪村's tablet uploads an enrolment and a claim.
  const tablet = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "daping", password: "cunbao2025", device_name: "大坪村平板" },
  });
  assert.equal(tablet.status, 200);
  const token = tablet.json.token;
  const scenario = JSON.parse(readFileSync(join(repoRoot, "domain/data/quote-example.json"), "utf8"));
  const quote = await api(server.url, "/api/v1/quote", { token, body: scenario });
  assert.equal(quote.status, 200);
  const person = "11010519491231002X";
  // The tablet's lines name their catalogue codes (the server prices them from the catalogue);
  // a cold, so nothing restricted to other diagnoses.
  const CODES = { 阿莫西林胶囊: "XJ01CAA001", 一般诊疗费: "S110200001", 某保健品: "XV06DXA001" };
  const lines = scenario.lines.filter((l) => CODES[l.name]).map((l) => ({ ...l, code: CODES[l.name] }));
  const pushed = await api(server.url, "/api/v1/sync/push", {
    token,
    body: {
      mutations: [
        {
          seq: 1,
          record_id: "dp-e1",
          body: {
            type: "enrolment",
            household_id: "dp-h1",
            member: { id_number: person, name: "黄桂英", relationship: "head" },
            scheme_year: 2025,
            enrolled_on: "2024-11-02",
            policy_version: "county-sample-2025.1",
          },
        },
        {
          seq: 2,
          record_id: "dp-k1",
          body: {
            type: "claim",
            person,
            visit_date: "2025-03-05",
            diagnoses: [{ code: "J06.9" }],
            identity: { method: "id_card" },
            benefit: { type: "general_outpatient" },
            policy_version: "county-sample-2025.1",
            catalogue_version: "sample-2025.1",
            lines,
            settlement: quote.json.settlement,
          },
        },
      ],
    },
  });
  assert.equal(pushed.status, 200);
  assert.deepEqual(pushed.json.results.map((r) => r.status), ["applied", "applied"]);
  assert.equal(pushed.json.results[1].code, "adjusted");

  const context = await newTabletContext(browser);
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "shenhe");
  await page.getByTestId("signed-in-as").filter({ hasText: "覃明" }).waitFor();
  await page.getByRole("navigation").getByRole("link", { name: "乡镇记录" }).click();
  const claims = page.getByTestId("township-claim");
  await claims.getByText("dp-k1").waitFor();
  await claims.getByText("大坪村卫生室").waitFor();
  await claims.getByText("已结算").waitFor();
  assert.ok((await claims.innerText()).includes("110105********002X"), "ID numbers are masked in lists");
  await page.getByTestId("township-enrolment").getByText("黄桂英").waitFor();
  // The clinic's device said the fund pays 6.00 with the year-to-date figures it had; the
  // server, which has seen no earlier visit, re-settles and records the difference.
  await page.getByTestId("township-adjustment").getByText("adj:dp-k1").waitFor();
  await page.screenshot({ path: join(artifactsDir, "township-zh-CN-1280x800.png"), fullPage: true });
  await context.close();

  const clinic = await newTabletContext(browser);
  const clinicPage = await clinic.newPage();
  await clinicPage.goto(server.url);
  await waitForAppReady(clinicPage);
  await signInWithForm(clinicPage, "shimen");
  await clinicPage.getByTestId("signed-in-as").waitFor();
  // A clinic is not offered the township's screens; at their address the township's build
  // sends the tablet back to the clinic's, before the PIN, and the desk opens there.
  assert.equal(await clinicPage.getByRole("navigation").getByRole("link", { name: "乡镇记录" }).count(), 0);
  await clinicPage.goto(server.url + "/township");
  await clinicPage.waitForURL(server.url + "/");
  await unlockWithPin(clinicPage);
  await clinicPage.getByRole("navigation").getByRole("link", { name: "参保登记" }).waitFor();
  assert.equal(await clinicPage.getByRole("navigation").getByRole("link", { name: "乡镇记录" }).count(), 0);
  await clinic.close();
});
