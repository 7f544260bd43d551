// The township's review queue (issue 16): two clinics' claims wait — one flagged (a price the
// catalogue does not have), one held for review (settled over the offline limit); the reviewer
// sees only the township's screens, filters the queue, opens a claim (both figures side by
// side, the rules found, the visits of the month before), approves the held one and rejects
// the flagged one with a standard reason, and the queue empties. A clinic user is not offered
// the queue. Screenshots of each screen in zh-CN at 1280×800.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  addDays,
  api,
  artifactsDir,
  chinaToday,
  claimOverApi,
  idNumber,
  launchBrowser,
  newTabletContext,
  signInWithForm,
  startServer,
  waitForAppReady,
  yearOf,
} from "../lib/harness.mjs";

const TODAY = chinaToday();
const YEAR = yearOf(TODAY);
const VISIT = [addDays(TODAY, -1), TODAY].find((d) => yearOf(d) === YEAR);

let server;
let browser;

before(async () => {
  server = await startServer({ name: "review", sampleData: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the reviewer filters the queue, opens a claim, approves one and rejects the other with a standard reason", async () => {
  const held = await claimOverApi(server.url, "lijia", "lj", idNumber("450324", "19710405", 61), "韦春花", "pending", VISIT);
  const flagged = await claimOverApi(server.url, "daping", "dp", idNumber("450324", "19720506", 62), "黄桂英", "flagged", VISIT);

  const context = await newTabletContext(browser, { width: 1280, height: 800 });
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "shenhe");
  await page.getByTestId("signed-in-as").waitFor();
  const nav = page.getByRole("navigation");
  // The township's navigation: the queue and records, not the clinic desk.
  assert.equal(await nav.getByRole("link", { name: "参保登记" }).count(), 0);
  assert.equal(await nav.getByRole("link", { name: "门诊结算" }).count(), 0);
  await page.getByText("乡镇医保服务站").first().waitFor();
  await nav.getByRole("link", { name: "审核队列" }).click();
  const rows = page.getByTestId("queue-row");
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  const text = await page.getByTestId("review-queue").innerText();
  assert.ok(text.includes("李家村卫生室") && text.includes("大坪村卫生室"));
  assert.ok(!text.includes("450324197104050"), "ID numbers are masked");
  assert.ok(text.includes("待审核") || text.includes("审核"), text);
  await page.screenshot({ path: join(artifactsDir, "review-queue-zh-CN-1280x800.png"), fullPage: true });

  // Filtered to one clinic, then back to all.
  await page.locator("select[name=clinic]").selectOption({ label: "大坪村卫生室" });
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=queue-row]").length === 1);
  assert.equal(await rows.first().getAttribute("data-claim"), flagged);
  await page.locator("select[name=clinic]").selectOption("");
  await rows.nth(1).waitFor();

  // The flagged claim's page: both figures, the rule found, the lines' prices.
  await page.locator(`[data-claim="${flagged}"]`).getByRole("link", { name: "查看" }).click();
  await page.getByTestId("review-claim").waitFor();
  assert.match(await page.getByTestId("claim-person").innerText(), /\*{4}/);
  await page.getByTestId("figures").getByText("服务器").waitFor();
  // Flagged for its price: the line priced unlike the catalogue is marked, both prices shown.
  await page.getByTestId("price-differences").filter({ hasText: "1" }).waitFor();
  assert.ok((await page.locator("td.differs").count()) >= 2, "the differing line's two prices are marked");
  await page.getByTestId("recent-none").waitFor();
  await page.screenshot({ path: join(artifactsDir, "review-claim-zh-CN-1280x800.png"), fullPage: true });
  await page.getByRole("link", { name: "返回审核队列" }).click();
  await rows.nth(1).waitFor();

  // Approve the held one.
  await page.locator(`[data-claim="${held}"]`).getByTestId("select").check();
  await page.getByTestId("approve").filter({ hasText: "（1）" }).click();
  await page.getByTestId("decision-summary").filter({ hasText: "已处理1条" }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=queue-row]").length === 1);

  // Reject the flagged one: a reason is required.
  await page.getByTestId("select-all").check();
  await page.getByTestId("reject").click();
  await page.getByTestId("decision-bar").getByRole("alert").filter({ hasText: "请选择拒付原因" }).waitFor();
  await page.getByTestId("reason").selectOption({ label: "超目录用药" });
  await page.getByTestId("note").fill("单价高于目录价");
  await page.screenshot({ path: join(artifactsDir, "review-reject-zh-CN-1280x800.png"), fullPage: true });
  await page.getByTestId("reject").click();
  await page.getByTestId("queue-empty").waitFor();

  // The decisions stand at the server, with who and why.
  const { json: { token } } = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "admin", password: "cunbao2025", device_name: "乡镇电脑" },
  });
  const approved = await api(server.url, `/api/v1/township/review/${held}`, { token });
  assert.equal(approved.json.item.status, "approved", JSON.stringify(approved.json.item));
  const rejected = await api(server.url, `/api/v1/township/review/${flagged}`, { token });
  assert.equal(rejected.json.item.status, "rejected");
  assert.equal(rejected.json.decision.reason.zh, "超目录用药");
  assert.equal(rejected.json.decision.note, "单价高于目录价");
  // The claim's page says so.
  await page.goto(`${server.url}/township/review/${flagged}`);
  await page.getByTestId("lock-screen").getByLabel("PIN").fill("246810");
  await page.getByTestId("lock-screen").getByRole("button", { name: "解锁" }).click();
  await page.getByTestId("claim-decision").filter({ hasText: "超目录用药" }).waitFor();
  await context.close();
});
