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
  unlockWithPin,
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

test("an administrator sets a clinic's target on the dashboard, and the monthly report prints the month's tables and downloads as one CSV", async () => {
  const page = await (await newTabletContext(browser, { width: 1280, height: 800 })).newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "admin");
  await page.getByTestId("signed-in-as").waitFor();
  await page.getByRole("navigation").getByRole("link", { name: "统计看板" }).click();
  const cell = page.getByTestId("target-clinic-lijia");
  await cell.waitFor();
  // A target that is not a whole number is refused beside the field; a good one is saved.
  await cell.getByRole("textbox").fill("四百八");
  await cell.getByRole("button", { name: "保存" }).click();
  await cell.getByRole("alert").filter({ hasText: "目标应为0至100000之间的整数" }).waitFor();
  await cell.getByRole("textbox").fill("480");
  await cell.getByRole("button", { name: "保存" }).click();
  await cell.getByRole("status").filter({ hasText: "已保存" }).waitFor();
  await page.reload();
  await waitForAppReady(page);
  await unlockWithPin(page);
  await page.getByTestId("panel-enrolment").waitFor();
  assert.match(await page.getByTestId("panel-enrolment").innerText(), /\d+ \/ 480/, "the bar measures against the new target");
  assert.equal(await page.getByTestId("target-clinic-lijia").getByRole("textbox").inputValue(), "480");

  // The report: last month by default; this month's claims as the server counts them.
  await page.getByRole("navigation").getByRole("link", { name: "月度报表" }).click();
  const report = page.getByTestId("report");
  await report.waitFor();
  const month = chinaToday().slice(0, 7);
  const [y, m] = month.split("-").map(Number);
  const last = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
  assert.equal(await page.locator("select[name=month]").inputValue(), last);
  await page.locator("select[name=month]").selectOption(month);
  await report.filter({ hasText: month }).waitFor();
  const admin = await api(server.url, "/api/v1/auth/sign-in", { body: { username: "admin", password: "cunbao2025", device_name: "乡镇电脑" } });
  const figures = await api(server.url, `/api/v1/township/dashboard?month=${month}`, { token: admin.json.token });
  const row = report.getByTestId("report-claims").getByTestId("month-row");
  await row.filter({ hasText: month }).waitFor();
  const shown = await row.evaluate((r) => [r.cells[0].innerText, Number(r.cells[2].innerText), r.cells[3].innerText]);
  assert.deepEqual(shown, [month, figures.json.months[0].claims, figures.json.months[0].fund]);
  for (const part of ["enrolment", "cash", "claims", "rules", "rejections", "reviews", "syncs"]) {
    await report.getByTestId(`report-${part}`).waitFor();
  }
  const text = await report.innerText();
  assert.match(text, /城乡居民医保月度报表/);
  assert.match(text, /制表人（签字）/);
  assert.match(text, /480/, "the report's enrolment has the target just set");
  await page.screenshot({ path: join(artifactsDir, "report-zh-CN-1280x800.png"), fullPage: true });

  const download = page.waitForEvent("download");
  await page.getByTestId("report-csv").click();
  const file = await download;
  assert.equal(file.suggestedFilename(), `月度报表-${month}.csv`);
  const { readFile } = await import("node:fs/promises");
  const csv = await readFile(await file.path(), "utf8");
  assert.match(csv, new RegExp(`${month} 月度报表`));
  assert.match(csv, /七、卫生室同步情况/);

  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: join(artifactsDir, "report-print-zh-CN.png"), fullPage: true });
  assert.equal(await page.getByTestId("report-csv").isVisible(), false, "the buttons do not print");
  await page.emulateMedia({ media: "screen" });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: join(artifactsDir, "report-zh-CN-360.png"), fullPage: true });
});
