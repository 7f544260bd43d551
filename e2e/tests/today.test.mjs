// On the real date, as a newcomer meets it: `./run.sh`'s sample data publishes this and next
// year's sample policies, so a freshly set-up tablet says which scheme year it enrols for and
// collects a household's contribution for it. No clock is set here.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  api,
  artifactsDir,
  chinaToday,
  idNumber,
  launchBrowser,
  newTabletContext,
  signInWithForm,
  startServer,
  waitForAppReady,
} from "../lib/harness.mjs";

let server;
let browser;
before(async () => {
  server = await startServer({ name: "today", sampleData: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("on today's date the desk enrols for the scheme year that is open and says until when", async () => {
  const context = await newTabletContext(browser);
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "lijia");
  await page.getByTestId("signed-in-as").filter({ hasText: "王秀兰" }).waitFor();

  const today = chinaToday();
  const year = Number(today.slice(0, 4));
  const collecting = Number(today.slice(5, 7)) >= 9; // 1 September – 31 December: next year's
  const schemeYear = collecting ? year + 1 : year;
  await page.getByRole("navigation").getByRole("link", { name: "参保登记", exact: true }).click();
  const notice = page.getByTestId("enrolment-year");
  await notice.filter({ hasText: `本次登记参保年度：${schemeYear}` }).waitFor();
  if (collecting) {
    assert.match(await notice.innerText(), new RegExp(`集中缴费期至 ${year}-12-31`));
  } else {
    assert.match(await notice.innerText(), /已过集中缴费期/);
  }
  await page.screenshot({ path: join(artifactsDir, "today-enrol-zh-CN-1280x800.png") });
  // In the collection period this year is still open too (late, or back-paid): the desk asks.
  const choice = page.getByTestId("enrolment-year-choice");
  if (collecting) {
    await choice.getByRole("radio").nth(1).check();
    await notice.filter({ hasText: `本次登记参保年度：${year}` }).waitFor();
    assert.match(await notice.innerText(), /已过集中缴费期/);
    await choice.getByRole("radio").nth(0).check();
    await notice.filter({ hasText: `本次登记参保年度：${year + 1}` }).waitFor();
  } else {
    assert.equal(await choice.count(), 0);
  }

  const head = idNumber("110105", "19760812", 17);
  const m = page.getByTestId("member-0");
  await m.locator("input[name=id_number_0]").fill(head);
  await m.locator("input[name=name_0]").fill("覃海");
  await m.locator("select[name=relationship_0]").selectOption("head");
  await page.getByTestId("total-due").filter({ hasText: "¥390.00" }).waitFor();
  await page.getByTestId("collect").click();
  await page.getByTestId("receipt-total").filter({ hasText: "390.00" }).waitFor();
  assert.match(await page.getByTestId("receipt").innerText(), new RegExp(`${schemeYear} 年度个人缴费`));

  await page.setViewportSize({ width: 412, height: 915 });
  await page.getByRole("navigation").getByRole("link", { name: "参保登记", exact: true }).click();
  await notice.waitFor();
  await page.screenshot({ path: join(artifactsDir, "today-enrol-zh-CN-412x915.png") });
  await context.close();
});

test("on today's date a sample resident is found and a visit is settled, and the township sees it", async () => {
  const demo = await startServer({ name: "today-demo", sampleData: true, env: { CUNBAO_SAMPLE_RESIDENTS: "20" } });
  try {
    // One of 大坪村's sample residents, as the clinic's tablets pull them.
    const signIn = await api(demo.url, "/api/v1/auth/sign-in", {
      body: { username: "daping", password: "cunbao2025", device_name: "查询" },
    });
    const pulled = await api(demo.url, "/api/v1/sync/pull?after=0&limit=5000", { token: signIn.json.token });
    const enrolment = pulled.json.changes.find((c) => c.entity === "enrolment" && c.data.member.relationship === "spouse");
    const name = enrolment.data.member.name;

    const context = await newTabletContext(browser, { width: 1280, height: 800 });
    const page = await context.newPage();
    await page.goto(demo.url);
    await waitForAppReady(page);
    await signInWithForm(page, "daping");
    await page.getByTestId("signed-in-as").filter({ hasText: "黄建国" }).waitFor();
    await page.getByRole("navigation").getByRole("link", { name: "门诊结算", exact: true }).click();
    await page.getByTestId("patient-search").fill(name);
    await page.getByRole("button", { name: new RegExp(name) }).first().click();
    await page.getByTestId("patient").waitFor();
    await page.getByTestId("diagnosis-select").selectOption("J06.9");
    await page.getByTestId("catalogue-search").fill("一般诊疗");
    await page.getByTestId("catalogue-results").getByRole("button").filter({ hasText: "一般诊疗费" }).first().click();
    await page.getByTestId("breakdown").getByTestId("total").filter({ hasText: "10.00" }).waitFor();
    await page.screenshot({ path: join(artifactsDir, "today-settlement-zh-CN-1280x800.png") });
    await page.getByTestId("confirm-settle").click();
    await page.getByTestId("slip").waitFor();
    assert.match(await page.getByTestId("slip").innerText(), new RegExp(name));
    await page.screenshot({ path: join(artifactsDir, "today-slip-zh-CN-1280x800.png") });
    await page.getByRole("navigation").getByRole("link", { name: "数据同步", exact: true }).click();
    await page.getByTestId("sync-now").click();
    await page.getByTestId("sync-bar").filter({ hasText: "待上传 0" }).waitFor();

    // The township sees the clinic's visit of today.
    const reviewer = await api(demo.url, "/api/v1/auth/sign-in", {
      body: { username: "shenhe", password: "cunbao2025", device_name: "乡镇" },
    });
    const claims = await api(demo.url, "/api/v1/township/records?kind=claim", { token: reviewer.json.token });
    const day = chinaToday();
    assert.ok(
      claims.json.some((r) => r.clinic_name === "大坪村卫生室" && r.data.visit_date === day && r.data.person === enrolment.data.member.id_number),
      "the township lists today's claim",
    );
    await context.close();
  } finally {
    await demo.stop();
  }
});
