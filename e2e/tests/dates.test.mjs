// The features that depend on the date, each on a day set explicitly (the latest such day not
// after today, so nothing sent to the server lies in the future): a visit in June, enrolment
// for next year in November, a renewal after the renewal deadline, the day after the
// collection period closes, a newborn born in December enrolled in January. Every other
// browser test runs on the real date.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  api,
  artifactsDir,
  enrolOverApi,
  idNumber,
  latestOnOrBefore,
  launchBrowser,
  samplePolicy,
  signInWithForm,
  startServer,
  tabletOnDay,
  waitForAppReady,
  yearOf,
} from "../lib/harness.mjs";

let server;
let browser;
before(async () => {
  server = await startServer({ name: "dates", sampleData: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A tablet of 李家村 whose clock reads `day`, set up and signed in. */
async function deskOn(day) {
  const context = await tabletOnDay(browser, day);
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "lijia");
  await page.getByTestId("catalogue").filter({ hasText: "项" }).waitFor();
  return { context, page };
}

const go = async (page, label) => {
  await page.getByRole("navigation").getByRole("link", { name: label, exact: true }).click();
  await page.getByTestId("section-title").filter({ hasText: label }).waitFor();
};

async function enrolAtDesk(page, members) {
  await go(page, "参保登记");
  for (const [i, m] of members.entries()) {
    if (i > 0) await page.getByTestId("add-member").click();
    await page.locator(`input[name=id_number_${i}]`).fill(m.id);
    await page.locator(`input[name=name_${i}]`).fill(m.name);
    await page.locator(`select[name=relationship_${i}]`).selectOption(m.relationship);
  }
}

async function collect(page, year) {
  await page.getByTestId("collect").click();
  await page.getByTestId("receipt").filter({ hasText: `${year} 年度个人缴费` }).waitFor();
}

async function eligibilityOf(page, name) {
  await go(page, "参保人");
  await page.getByTestId("resident-search").fill(name);
  await page.getByTestId("resident-results").getByRole("link").filter({ hasText: name }).first().click();
  return page.getByTestId("person").getByTestId("eligibility").innerText();
}

async function settleConsultation(page, name) {
  await go(page, "门诊结算");
  await page.getByTestId("patient-search").fill(name);
  await page.getByRole("button", { name: new RegExp(name) }).first().click();
  await page.getByTestId("patient").waitFor();
  await page.getByTestId("diagnosis-select").selectOption("R50.9");
  await page.getByTestId("catalogue-search").fill("一般诊疗");
  await page.getByTestId("catalogue-results").getByRole("button").filter({ hasText: "一般诊疗费" }).first().click();
  await page.getByTestId("confirm-settle").click();
  await page.getByTestId("slip").waitFor();
}

async function syncNow(page) {
  await go(page, "数据同步");
  await page.getByTestId("sync-now").click();
  await page.getByTestId("sync-bar").filter({ hasText: "待上传 0" }).waitFor();
}

async function township(kind) {
  const staff = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "shenhe", password: "cunbao2025", device_name: "服务站" },
  });
  const res = await api(server.url, `/api/v1/township/records?kind=${kind}`, { token: staff.json.token });
  assert.equal(res.status, 200);
  return res.json;
}

test("a visit in June is settled under that year's policy, on the tablet and on the server", async () => {
  const day = latestOnOrBefore(6, 16);
  const year = yearOf(day);
  const person = idNumber("450324", "19640203", 71);
  await enrolOverApi(server.url, "lijia", [{ id: person, name: "蒙德福" }], year);
  const { context, page } = await deskOn(day);
  assert.equal(await eligibilityOf(page, "蒙德福"), "已参保");
  await settleConsultation(page, "蒙德福");
  assert.match(await page.getByTestId("slip").innerText(), new RegExp(day));
  await syncNow(page);
  const claim = (await township("claim")).find((r) => r.data.person === person);
  assert.equal(claim.data.visit_date, day);
  assert.equal(claim.data.policy_version, samplePolicy(year));
  await context.close();
});

test("in November the desk enrols for next year, with the collection period and the renewal deadline", async () => {
  const day = latestOnOrBefore(11, 15);
  const year = yearOf(day);
  const { context, page } = await deskOn(day);
  await enrolAtDesk(page, [{ id: idNumber("450324", "19850607", 81), name: "韦春梅", relationship: "head" }]);
  const notice = page.getByTestId("enrolment-year");
  await notice.filter({ hasText: `本次登记参保年度：${year + 1}` }).waitFor();
  const text = await notice.innerText();
  assert.match(text, new RegExp(`集中缴费期至 ${year}-12-31`));
  assert.match(text, new RegExp(`已参保居民续保截止 ${year}-11-30`));
  await page.screenshot({ path: join(artifactsDir, "dates-november-enrol-zh-CN-1280x800.png") });
  await collect(page, year + 1);
  await context.close();
});

test("a renewal after the renewal deadline is accepted and marked late for the township", async () => {
  const day = latestOnOrBefore(12, 1);
  const year = yearOf(day);
  const person = idNumber("450324", "19700918", 91);
  await enrolOverApi(server.url, "lijia", [{ id: person, name: "覃秋菊" }], year);
  const { context, page } = await deskOn(day);
  await enrolAtDesk(page, [{ id: person, name: "覃秋菊", relationship: "head" }]);
  const notice = page.getByTestId("enrolment-year");
  await notice.filter({ hasText: `本次登记参保年度：${year + 1}` }).waitFor();
  assert.match(await notice.innerText(), /已过续保截止日/);
  await collect(page, year + 1);
  await syncNow(page);
  const renewal = (await township("enrolment")).find(
    (r) => r.data.member.id_number === person && r.data.scheme_year === year + 1,
  );
  assert.equal(renewal.status, "active");
  assert.equal(renewal.data.late_renewal, true);
  await context.close();
});

test("the day after the collection period closes: this year only, and a new enrolee waits", async () => {
  const day = latestOnOrBefore(1, 1);
  const year = yearOf(day);
  const { context, page } = await deskOn(day);
  await enrolAtDesk(page, [{ id: idNumber("450324", "19790521", 13), name: "黄志刚", relationship: "head" }]);
  const notice = page.getByTestId("enrolment-year");
  await notice.filter({ hasText: `本次登记参保年度：${year}` }).waitFor();
  assert.match(await notice.innerText(), /已过集中缴费期/);
  assert.equal(await page.getByTestId("enrolment-year-choice").count(), 0);
  await collect(page, year);
  assert.equal(await eligibilityOf(page, "黄志刚"), `等待期至 ${year}-03-31`);
  await context.close();
});

test("a newborn born in December, enrolled in January, is covered at once; the parent waits", async () => {
  const day = latestOnOrBefore(1, 10);
  const year = yearOf(day);
  const baby = idNumber("450324", `${year - 1}1215`, 22);
  const { context, page } = await deskOn(day);
  await enrolAtDesk(page, [
    { id: idNumber("450324", "19930311", 35), name: "梁美玲", relationship: "head" },
    { id: baby, name: "梁小宝", relationship: "child" },
  ]);
  await page.getByTestId("enrolment-year").filter({ hasText: `本次登记参保年度：${year}` }).waitFor();
  await collect(page, year);
  assert.equal(await eligibilityOf(page, "梁小宝"), "已参保");
  assert.match(await eligibilityOf(page, "梁美玲"), /^等待期至/);
  await settleConsultation(page, "梁小宝");
  await page.screenshot({ path: join(artifactsDir, "dates-newborn-slip-zh-CN-1280x800.png") });
  await context.close();
});
