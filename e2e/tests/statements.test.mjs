// The month's statement and the cash a clinic hands in (issue 16): 李家村 collects a
// contribution at the desk and settles a visit; the township's reviewer sees the month's
// statements, opens 李家村's, downloads both CSVs (their figures add up to the statement's to
// the fen), issues it (locked), prints it on A4, records the cash handed in, and the clinic's
// gap closes — which the clinic sees on its Today page. Screenshots in zh-CN at 1280×800.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  artifactsDir,
  chinaToday,
  claimOverApi,
  idNumber,
  launchBrowser,
  newTabletContext,
  signInWithForm,
  startServer,
  waitForAppReady,
} from "../lib/harness.mjs";

const TODAY = chinaToday();
const MONTH = TODAY.slice(0, 7);
const PERSON = { id: idNumber("450324", "19800101", 71), name: "蒙秀英", phone: "13800007777" };

let server;
let browser;

before(async () => {
  server = await startServer({ name: "statements", sampleData: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The fen of a decimal string ("12.50" → 1250), so sums are exact. */
const fen = (s) => {
  const [y, f = ""] = String(s).replace(/"/g, "").trim().split(".");
  const sign = y.startsWith("-") ? -1 : 1;
  return sign * (Math.abs(Number(y)) * 100 + Number((f + "00").slice(0, 2)));
};
/** Rows of a CSV text (quoted fields with commas allowed), BOM dropped. */
const rows = (text) =>
  text.replace(/^\uFEFF/, "").trim().split(/\r?\n/).map((line) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g).map((f) => f.replace(/,$/, "").replace(/^"|"$/g, "").replace(/""/g, '"')));

async function downloaded(page, click) {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  return readFileSync(await download.path(), "utf8");
}

test("a clinic's month: statement issued, exported and printed; the cash handed in closes its gap", async () => {
  // 李家村 collects a contribution at the desk (a receipt) and uploads it.
  const clinic = await newTabletContext(browser, { width: 1280, height: 800 });
  const desk = await clinic.newPage();
  await desk.goto(server.url);
  await waitForAppReady(desk);
  await signInWithForm(desk, "lijia");
  await desk.getByTestId("catalogue").filter({ hasText: "项" }).waitFor();
  await desk.getByRole("navigation").getByRole("link", { name: "参保登记", exact: true }).click();
  const m = desk.getByTestId("member-0");
  await m.locator("input[name=id_number_0]").fill(PERSON.id);
  await m.locator("input[name=name_0]").fill(PERSON.name);
  await m.locator("select[name=relationship_0]").selectOption("head");
  await m.locator("input[name=phone_0]").fill(PERSON.phone);
  await desk.getByTestId("collect").click();
  const receipt = await desk.getByTestId("receipt-total").innerText();
  await desk.getByRole("navigation").getByRole("link", { name: "数据同步" }).click();
  await desk.getByTestId("sync-now").click();
  await desk.getByTestId("sync-bar").filter({ hasText: "待上传 0 " }).waitFor();
  // And a visit settled today, uploaded by another tablet of the clinic.
  const claim = await claimOverApi(server.url, "lijia", "st", idNumber("450324", "19790202", 72), "覃丽", "");

  const township = await newTabletContext(browser, { width: 1280, height: 800 });
  const page = await township.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "shenhe");
  await page.getByTestId("signed-in-as").waitFor();
  await page.getByRole("navigation").getByRole("link", { name: "月度结算单" }).click();
  const row = page.locator('[data-testid=statement-row][data-clinic="clinic-lijia"]');
  await row.waitFor();
  assert.match(await row.innerText(), /草稿/);
  await page.screenshot({ path: join(artifactsDir, "statements-zh-CN-1280x800.png"), fullPage: true });

  // The summary CSV: 李家村's line adds up to its statement to the fen.
  const summary = rows(await downloaded(page, () => page.getByTestId("statements-csv").click()));
  const header = summary[0];
  assert.ok(header.includes("卫生室") && header.some((h) => h.includes("净额")), header.join(","));
  const lijia = summary.find((r) => r.includes("李家村卫生室"));
  assert.ok(lijia, "李家村 is in the CSV");

  await row.getByRole("link", { name: "查看" }).click();
  await page.getByTestId("statement").waitFor();
  const totals = await page.getByTestId("statement-totals").innerText();
  assert.ok(totals.includes(receipt.replace(/[^\d.]/g, "")), `the receipt ${receipt} is on the statement: ${totals}`);
  await page.getByTestId("statement-lines").getByText(claim).waitFor();
  const net = await page.getByTestId("net-payable").innerText();
  assert.equal(fen(lijia[header.findIndex((h) => h.includes("净额"))]), fen(net), "the CSV's net payable is the statement's");
  // The lines CSV sums to what the statement pays for claims.
  const lines = rows(await downloaded(page, () => page.getByTestId("lines-csv").click()));
  const payableAt = lines[0].findIndex((h) => h.includes("应付"));
  assert.ok(payableAt >= 0, lines[0].join(","));
  const fundPayable = totals.match(/统筹应付\s*([-\d.]+)/)[1];
  const adjustments = totals.match(/结算调整\s*([-\d.]+)/)[1];
  assert.equal(lines.slice(1).reduce((sum, r) => sum + fen(r[payableAt]), 0), fen(fundPayable) + fen(adjustments));
  await page.screenshot({ path: join(artifactsDir, "statement-draft-zh-CN-1280x800.png"), fullPage: true });

  // The month's sample for a second look (结果质检): drawn once, its seed shown.
  await page.getByTestId("draw-sample").click();
  const drawn = page.getByTestId("sampling-summary");
  await drawn.waitFor();
  assert.match(await drawn.innerText(), /抽查比例 5%[\s\S]*种子 [0-9a-f]{16}/);
  assert.equal(await page.getByTestId("draw-sample").count(), 0, "drawn once");
  await page.getByTestId("sampling").screenshot({ path: join(artifactsDir, "sampling-zh-CN-1280x800.png") });

  // Issued: locked.
  await page.getByTestId("issue").click();
  await page.getByTestId("statement-state").filter({ hasText: "已开具" }).waitFor();
  await page.getByTestId("pay-form").waitFor();
  assert.equal(await page.getByTestId("issue").count(), 0);
  // As it prints on A4.
  await page.evaluate(() => document.body.classList.add("print-a4"));
  await page.emulateMedia({ media: "print" });
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.screenshot({ path: join(artifactsDir, "statement-a4-print-zh-CN.png"), fullPage: true });
  // The printed file itself (A4, with the page numbers the print style sheet adds).
  await page.pdf({ path: join(artifactsDir, "statement-a4-zh-CN.pdf"), format: "A4", preferCSSPageSize: true });
  assert.equal(await page.getByTestId("statement-actions").isVisible(), false, "no buttons on paper");
  await page.emulateMedia({ media: "screen" });
  await page.setViewportSize({ width: 1280, height: 800 });

  // The cash: 李家村 hands in what it collected; its gap closes.
  await page.getByRole("navigation").getByRole("link", { name: "现金解缴" }).click();
  const cash = page.locator('[data-testid=cash-row][data-clinic="clinic-lijia"]');
  await cash.waitFor();
  const gap = await cash.getByTestId("gap").innerText();
  assert.ok(fen(gap) > 0, `a gap before the hand-in: ${gap}`);
  const form = page.getByTestId("hand-in");
  await form.locator("select[name=clinic]").selectOption("clinic-lijia");
  await form.locator("input[name=amount]").fill(gap);
  await form.locator("input[name=receipts_covered]").fill("本月全部收据");
  await form.getByRole("button", { name: "登记上缴" }).click();
  await cash.getByTestId("gap").filter({ hasText: /^0\.00$/ }).waitFor();
  await page.screenshot({ path: join(artifactsDir, "cash-zh-CN-1280x800.png"), fullPage: true });

  // The clinic sees what the township confirmed.
  await desk.getByRole("navigation").getByRole("link", { name: "今日" }).click();
  await desk.getByTestId("confirmed-gap").filter({ hasText: /^0\.00$/ }).waitFor();
  await clinic.close();
  await township.close();
});
