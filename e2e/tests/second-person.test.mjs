// The second person (双人复核, issue 16): on today's date a clinic settles a visit and syncs;
// after upload the Today page no longer voids it but proposes the void to the township; the
// reviewer sees the proposal beside one of their own (a void proposed from a claim's review
// page), can approve the clinic's but not their own; the administrator approves the reviewer's;
// the clinic's tablet shows the void after its next sync. Screenshots in zh-CN at 1280×800.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  api,
  artifactsDir,
  chinaToday,
  claimOverApi,
  idNumber,
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
  server = await startServer({ name: "second-person", sampleData: true, env: { CUNBAO_SAMPLE_RESIDENTS: "20" } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(username, name) {
  const context = await newTabletContext(browser, { width: 1280, height: 800 });
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, username);
  await page.getByTestId("signed-in-as").filter({ hasText: name }).waitFor();
  return { context, page };
}

async function syncNow(page) {
  await page.getByRole("navigation").getByRole("link", { name: "数据同步", exact: true }).click();
  await page.getByTestId("sync-now").click();
  await page.getByTestId("sync-bar").filter({ hasText: "待上传 0" }).waitFor();
}

async function statusOf(claimId) {
  const { json } = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "admin", password: "cunbao2025", device_name: "查询" },
  });
  const page = await api(server.url, `/api/v1/township/review/${claimId}`, { token: json.token });
  return page.json.item.status;
}

test("a void after upload is proposed at the clinic and takes effect only when another township user approves", async () => {
  // One of 大坪村's sample residents, as its tablets pull them.
  const probe = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "daping", password: "cunbao2025", device_name: "查询" },
  });
  const pulled = await api(server.url, "/api/v1/sync/pull?after=0&limit=5000", { token: probe.json.token });
  const name = pulled.json.changes.find((c) => c.entity === "enrolment" && c.data.member.relationship === "spouse").data.member.name;

  // The clinic settles a visit today and uploads it.
  const clinic = await signedIn("daping", "黄建国");
  const desk = clinic.page;
  await desk.getByRole("navigation").getByRole("link", { name: "门诊结算", exact: true }).click();
  await desk.getByTestId("patient-search").fill(name);
  await desk.getByRole("button", { name: new RegExp(name) }).first().click();
  await desk.getByTestId("patient").waitFor();
  await desk.getByTestId("diagnosis-select").selectOption("J06.9");
  await desk.getByTestId("catalogue-search").fill("一般诊疗");
  await desk.getByTestId("catalogue-results").getByRole("button").filter({ hasText: "一般诊疗费" }).first().click();
  await desk.getByTestId("confirm-settle").click();
  await desk.getByTestId("slip").waitFor();
  // The slip is painted first; the address follows it.
  await desk.waitForURL(/\/settlement\/[0-9a-f-]{36}$/);
  const claimId = new URL(desk.url()).pathname.split("/").pop();
  await syncNow(desk);

  // Uploaded: Today offers a proposal to the township, not a void.
  await desk.getByRole("navigation").getByRole("link", { name: "今日", exact: true }).click();
  const row = desk.getByTestId("claim-row").filter({ hasText: name });
  await row.getByTestId("void").filter({ hasText: "申请作废" }).click();
  await row.locator("input[name=void_reason]").fill("x");
  await row.getByTestId("confirm-void").click();
  await row.locator(".field-error").filter({ hasText: "理由" }).waitFor();
  await row.locator("input[name=void_reason]").fill("误选患者，应为其配偶");
  await row.getByTestId("confirm-void").click();
  await row.getByTestId("void-awaiting").waitFor();
  assert.equal(await row.getByTestId("void").count(), 0, "one proposal at a time");
  await desk.screenshot({ path: join(artifactsDir, "second-person-today-zh-CN-1280x800.png"), fullPage: true });
  await syncNow(desk);
  assert.equal(await statusOf(claimId), "settled", "nothing happens before a township user approves");

  // Another claim, at 李家村; the reviewer proposes voiding it from its review page.
  const other = await claimOverApi(server.url, "lijia", "sp", idNumber("450324", "19690307", 71), "韦金凤", "");
  const reviewer = await signedIn("shenhe", "覃明");
  const township = reviewer.page;
  // Opened by its address: the page loads afresh and the tablet asks for its PIN.
  await township.goto(`${server.url}/township/review/${other}`);
  await unlockWithPin(township);
  await township.getByTestId("review-claim").waitFor();
  const propose = township.getByTestId("propose-void");
  await propose.locator("input[name=void_reason]").fill("重复上传的就诊记录");
  await propose.getByTestId("confirm-propose-void").click();
  await propose.getByTestId("void-proposed").waitFor();

  // The reviewer's list: the clinic's proposal can be approved, their own cannot.
  await township.getByRole("navigation").getByRole("link", { name: "双人复核" }).click();
  const proposals = township.getByTestId("proposal");
  await proposals.nth(1).waitFor();
  const clinics = township.locator(`[data-testid=proposal][data-target="${claimId}"]`);
  const own = township.locator(`[data-testid=proposal][data-target="${other}"]`);
  assert.match(await clinics.innerText(), /大坪村卫生室[\s\S]*误选患者/);
  await own.getByTestId("own-proposal").waitFor();
  assert.equal(await own.getByTestId("approve-proposal").count(), 0, "the proposer cannot approve their own");
  await township.screenshot({ path: join(artifactsDir, "second-person-proposals-zh-CN-1280x800.png"), fullPage: true });
  await clinics.getByTestId("approve-proposal").click();
  await township.getByTestId("decided-proposal").filter({ hasText: "已批准" }).waitFor();
  assert.equal(await statusOf(claimId), "void");
  assert.equal(await statusOf(other), "settled");

  // The administrator, a second person, approves the reviewer's.
  const admin = await signedIn("admin", "梁志强");
  await admin.page.getByRole("navigation").getByRole("link", { name: "双人复核" }).click();
  const theirs = admin.page.locator(`[data-testid=proposal][data-target="${other}"]`);
  await theirs.getByTestId("approve-proposal").click();
  await theirs.waitFor({ state: "detached" });
  await admin.page.getByTestId("decided-proposal").filter({ hasText: "重复上传" }).waitFor();
  assert.equal(await statusOf(other), "void");

  // A flagged claim of the same clinic (another tablet's) is rejected with a standard reason.
  const flagged = await claimOverApi(server.url, "daping", "sf", idNumber("450330", "19750912", 72), "黄秀英", "flagged");
  const rejected = await api(server.url, "/api/v1/township/review/decisions", {
    token: (await api(server.url, "/api/v1/auth/sign-in", { body: { username: "shenhe", password: "cunbao2025", device_name: "查询" } })).json.token,
    body: { claims: [flagged], decision: "reject", reason: "over_quantity", note: "阿莫西林超量" },
  });
  assert.equal(rejected.json.results[0].outcome, "decided");

  // The clinic's tablet shows the void after its next sync, and the sync page lists the
  // township's decisions with their reasons.
  await syncNow(desk);
  const decisions = desk.getByTestId("township-decisions");
  await decisions.locator(`[data-claim="${flagged}"]`).filter({ hasText: "超限量" }).waitFor();
  assert.match(await decisions.locator(`[data-claim="${flagged}"]`).innerText(), /审核拒付[\s\S]*阿莫西林超量/);
  await decisions.locator(`[data-claim="${claimId}"]`).filter({ hasText: "已作废" }).waitFor();
  await desk.screenshot({ path: join(artifactsDir, "second-person-sync-decisions-zh-CN-1280x800.png"), fullPage: true });
  await desk.getByRole("navigation").getByRole("link", { name: "今日", exact: true }).click();
  await row.getByTestId("claim-decision").filter({ hasText: "已作废" }).waitFor();
  assert.match(await row.innerText(), /误选患者/);
  for (const c of [clinic, reviewer, admin]) await c.context.close();
});
