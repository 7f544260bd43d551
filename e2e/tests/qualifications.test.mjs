// Chronic qualifications (门诊慢特病认定) on the real date: a hypertension visit of a patient
// without a qualification settles as general outpatient and the desk says why; the clinic
// applies on the person's page; the township approves it on 慢特病认定 for this year; after a
// sync the person page says 已认定 and the next hypertension visit settles under the chronic
// benefit (no deductible, 70 %), as the server settles it too. No clock is set here.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  api,
  artifactsDir,
  chinaToday,
  enrolOverApi,
  idNumber,
  launchBrowser,
  newTabletContext,
  signInWithForm,
  startServer,
  waitForAppReady,
  yearOf,
} from "../lib/harness.mjs";

let server;
let browser;
before(async () => {
  server = await startServer({ name: "qualifications", sampleData: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens the settlement form for `name` with diagnosis I10 and one 一般诊疗费 line. */
async function hypertensionVisit(page, name) {
  await page.getByRole("navigation").getByRole("link", { name: "门诊结算", exact: true }).click();
  await page.getByTestId("patient-search").fill(name);
  await page.getByRole("button", { name: new RegExp(name) }).first().click();
  await page.getByTestId("patient").waitFor();
  await page.getByTestId("diagnosis-select").selectOption("I10");
  await page.getByTestId("benefit").waitFor();
  await page.getByTestId("catalogue-search").fill("一般诊疗");
  await page.getByTestId("catalogue-results").getByRole("button").filter({ hasText: "一般诊疗费" }).first().click();
  await page.getByTestId("breakdown").getByTestId("total").filter({ hasText: "10.00" }).waitFor();
}

async function openPerson(page, id) {
  await page.getByRole("navigation").getByRole("link", { name: "参保人", exact: true }).click();
  await page.getByTestId("resident-search").fill(id);
  await page.getByTestId("resident-results").getByRole("link").first().click();
  await page.getByTestId("person").waitFor();
  return page.getByTestId("qualifications");
}

async function syncNow(page) {
  await page.getByRole("navigation").getByRole("link", { name: "数据同步", exact: true }).click();
  await page.getByTestId("sync-now").click();
  await page.getByTestId("sync-bar").filter({ hasText: "待上传 0" }).waitFor();
}

test("the chronic benefit needs the township's qualification; applied for, approved, then chronic", async () => {
  const today = chinaToday();
  const year = yearOf(today);
  const id = idNumber("110105", "19560314", 23);
  const name = "蒙桂兰";
  await enrolOverApi(server.url, "lijia", [{ id, name }], year);

  const context = await newTabletContext(browser);
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "lijia");
  await page.getByTestId("signed-in-as").filter({ hasText: "王秀兰" }).waitFor();

  // Without a qualification: general outpatient, and the desk says why.
  await hypertensionVisit(page, name);
  const why = page.getByTestId("not-qualified");
  await why.waitFor();
  assert.match(await why.innerText(), /^高血压：患者没有经乡镇认定、在就诊日有效的慢特病资格，按普通门诊结算/);
  assert.match(await page.getByTestId("benefit-kind").innerText(), /^普通门诊统筹 · 起付线 300\.00 · 报销比例 50%/);
  const breakdown = page.getByTestId("breakdown");
  assert.match(await breakdown.getByTestId("breakdown-benefit").innerText(), /普通门诊统筹/);
  assert.equal(await breakdown.getByTestId("deductible-taken").innerText(), "10.00");
  assert.equal(await breakdown.getByTestId("fund").innerText(), "0.00");
  await page.screenshot({ path: join(artifactsDir, "qualifications-not-qualified-zh-CN-1280x800.png"), fullPage: true });
  // Not settled now: the patient comes back once qualified (a second 一般诊疗费 the same day
  // would be refused as a repeat charge).
  await page.getByTestId("patient").getByRole("button", { name: "更换患者" }).click();
  await page.getByTestId("patient-search").waitFor();

  // The application, on the person's page: the evidence is required, next to its field.
  let section = await openPerson(page, id);
  await section.getByTestId("no-qualifications").waitFor();
  const form = section.getByTestId("apply-qualification");
  await form.locator("select[name=qualification_condition]").selectOption("hypertension");
  await form.getByTestId("submit-application").click();
  await form.getByTestId("application-error").filter({ hasText: "请填写医院诊断证明" }).waitFor();
  await form.locator("input[name=qualification_evidence]").fill("县人民医院诊断证明 2025-0118");
  await form.getByTestId("submit-application").click();
  const row = section.getByTestId("qualification");
  await row.getByTestId("qualification-status").filter({ hasText: "待乡镇审核" }).waitFor();
  assert.equal(await row.getByTestId("qualification-condition").innerText(), "高血压");
  assert.equal(await form.getByTestId("application-error").count(), 0);
  // A second application for the same condition waits for the first.
  await form.locator("input[name=qualification_evidence]").fill("县人民医院诊断证明 2025-0119");
  await form.getByTestId("submit-application").click();
  await form.getByTestId("application-error").filter({ hasText: "待乡镇审核" }).waitFor();
  await syncNow(page);

  // The township lists the application and approves it for this year.
  const reviewer = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "shenhe", password: "cunbao2025", device_name: "乡镇" },
  });
  const listed = await api(server.url, "/api/v1/township/records?kind=qualification", { token: reviewer.json.token });
  assert.equal(listed.status, 200, JSON.stringify(listed.json));
  const application = listed.json.find((r) => r.data.person === id);
  assert.ok(application, JSON.stringify(listed.json));
  assert.equal(application.status, "pending");
  assert.equal(application.data.condition, "hypertension");
  assert.equal(application.data.evidence, "县人民医院诊断证明 2025-0118");
  // On 慢特病认定: the application with its evidence; approved for the year.
  const office = await newTabletContext(browser);
  const officePage = await office.newPage();
  await officePage.goto(server.url);
  await waitForAppReady(officePage);
  await signInWithForm(officePage, "shenhe");
  await officePage.getByTestId("signed-in-as").filter({ hasText: "覃明" }).waitFor();
  await officePage.getByRole("navigation").getByRole("link", { name: "慢特病认定" }).click();
  const pending = officePage.locator(`[data-testid=application][data-id="${application.id}"]`);
  await pending.waitFor();
  assert.match(await pending.innerText(), /高血压[\s\S]*县人民医院诊断证明 2025-0118/);
  assert.ok(!(await pending.innerText()).includes(id), "the ID number is masked");
  await officePage.screenshot({ path: join(artifactsDir, "chronic-applications-zh-CN-1280x800.png"), fullPage: true });
  await pending.locator("input[name=valid_from]").fill(`${year}-01-01`);
  await pending.locator("input[name=valid_to]").fill(`${year}-12-31`);
  await pending.getByTestId("approve-qualification").click();
  await pending.waitFor({ state: "detached" });
  const registered = officePage.locator(`[data-testid=qualification][data-id="${application.id}"]`);
  await registered.filter({ hasText: "已认定" }).waitFor();
  assert.match(await registered.innerText(), new RegExp(`${year}-01-01[\\s\\S]*${year}-12-31[\\s\\S]*覃明`));
  await office.close();
  const decided = (await api(server.url, "/api/v1/township/records?kind=qualification", { token: reviewer.json.token })).json.find((r) => r.id === application.id);
  assert.equal(decided.status, "approved");

  // The tablet hears of it at the next sync.
  await syncNow(page);
  section = await openPerson(page, id);
  await row.getByTestId("qualification-status").filter({ hasText: "已认定" }).waitFor();
  assert.equal(await section.getByTestId("qualification").count(), 1);
  assert.match(await row.getByTestId("qualification-validity").innerText(), new RegExp(`有效期 ${year}-01-01 – ${year}-12-31`));
  await page.screenshot({ path: join(artifactsDir, "qualifications-person-zh-CN-1280x800.png"), fullPage: true });

  // Now a hypertension visit is chronic: no deductible, the fund pays 70 %.
  await hypertensionVisit(page, name);
  await page.getByTestId("benefit-kind").filter({ hasText: "门诊慢特病（高血压）" }).waitFor();
  assert.equal(await page.getByTestId("not-qualified").count(), 0);
  assert.match(await page.getByTestId("benefit-kind").innerText(), /^门诊慢特病（高血压） · 起付线 0\.00 · 报销比例 70%/);
  await breakdown.getByTestId("breakdown-benefit").filter({ hasText: "门诊慢特病（高血压）" }).waitFor();
  assert.equal(await breakdown.getByTestId("deductible-taken").innerText(), "0.00");
  assert.equal(await breakdown.getByTestId("fund").innerText(), "7.00");
  assert.equal(await breakdown.getByTestId("patient").innerText(), "3.00");
  await page.screenshot({ path: join(artifactsDir, "qualifications-chronic-zh-CN-1280x800.png"), fullPage: true });
  await page.getByTestId("confirm-settle").click();
  await page.getByTestId("slip").waitFor();
  await syncNow(page);

  // The server settles it the same way.
  const claims = await api(server.url, "/api/v1/township/records?kind=claim", { token: reviewer.json.token });
  const mine = claims.json.filter((r) => r.data.person === id && r.data.visit_date === today);
  assert.equal(mine.length, 1, JSON.stringify(claims.json));
  assert.equal(mine[0].data.server_settlement.fund, "7.00");
  assert.deepEqual(mine[0].data.benefit, { type: "chronic_outpatient", condition: "hypertension" });
  await context.close();

  // The township's screen lists the qualification, person masked, with its validity.
  const township = await newTabletContext(browser);
  const reviewerPage = await township.newPage();
  await reviewerPage.goto(server.url);
  await waitForAppReady(reviewerPage);
  await signInWithForm(reviewerPage, "shenhe");
  await reviewerPage.getByTestId("signed-in-as").filter({ hasText: "覃明" }).waitFor();
  await reviewerPage.getByRole("navigation").getByRole("link", { name: "乡镇记录" }).click();
  const listedHere = reviewerPage.getByTestId("township-qualification");
  await listedHere.getByText("慢特病认定").waitFor();
  const masked = `${id.slice(0, 6)}********${id.slice(14)}`;
  await listedHere.getByText(`${masked} · 高血压 · 已认定 · 有效期 ${year}-01-01 – ${year}-12-31`).waitFor();
  assert.ok(!(await listedHere.innerText()).includes(id), "the ID number is masked");
  await township.close();
});
