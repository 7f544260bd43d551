// The township's dashboard (统计看板) with ./run.sh-like sample data (issue 17): every chart
// renders with its table — enrolment against each clinic's target, the months of the year with
// this month's claims, review ages — and a table downloads as CSV. Screenshots in zh-CN at
// 1280 px and 360 px, and the A4 print view.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  api,
  artifactsDir,
  chinaToday,
  launchBrowser,
  newTabletContext,
  signInWithForm,
  startServer,
  waitForAppReady,
} from "../lib/harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer({ name: "dashboard", sampleData: true, env: { CUNBAO_SAMPLE_RESIDENTS: "40" } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the dashboard renders every chart with its table from the sample data, and a table downloads as CSV", async () => {
  const page = await (await newTabletContext(browser, { width: 1280, height: 800 })).newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "admin");
  await page.getByTestId("signed-in-as").waitFor();
  await page.getByRole("navigation").getByRole("link", { name: "统计看板" }).click();
  const board = page.getByTestId("dashboard");
  await board.waitFor();
  for (const panel of ["enrolment", "cash", "months", "rules", "rejections", "syncs"]) {
    await board.getByTestId(`panel-${panel}`).locator("table").waitFor();
  }
  assert.equal(await board.locator("svg.chart").count() >= 6, true);
  const enrolment = await board.getByTestId("panel-enrolment").innerText();
  assert.match(enrolment, /李家村卫生室/);
  assert.match(enrolment, /\d+ \/ 500/, "enrolled against the target");
  // Each month's row says what the server counts (the sample visits of the last 40 days of
  // this scheme year).
  const admin = await api(server.url, "/api/v1/auth/sign-in", { body: { username: "admin", password: "cunbao2025", device_name: "乡镇电脑" } });
  const year = Number(chinaToday().slice(0, 4));
  const figures = await api(server.url, `/api/v1/township/dashboard?year=${year}`, { token: admin.json.token });
  const shown = await board.getByTestId("month-row").evaluateAll((rows) => rows.map((r) => [r.cells[0].innerText, Number(r.cells[1].innerText), r.cells[2].innerText]));
  assert.deepEqual(shown, figures.json.months.map((m) => [m.month, m.claims, m.fund]));
  const total = figures.json.months.reduce((n, m) => n + m.claims, 0);
  if (chinaToday().slice(5) > "01-03") assert.ok(total > 0, "the sample visits of this year are counted");
  await page.screenshot({ path: join(artifactsDir, "dashboard-zh-CN-1280x800.png"), fullPage: true });

  const download = page.waitForEvent("download");
  await board.getByTestId("panel-months").getByRole("button", { name: "导出CSV" }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^统计看板-\d{4}-months\.csv$/);

  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: join(artifactsDir, "dashboard-print-zh-CN.png"), fullPage: true });
  await page.emulateMedia({ media: "screen" });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: join(artifactsDir, "dashboard-zh-CN-360.png"), fullPage: true });
  assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth), "fits 360 px");
});
