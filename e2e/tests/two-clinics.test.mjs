// Two clinics' tablets work offline on the same day, then come back online and sync:
// the same person enrolled at both → exactly one stands, the other clinic is told why and
// owes a refund; a reload in the middle of a sync loses nothing and doubles nothing; the
// township sees both clinics' work.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  addDays,
  api,
  artifactsDir,
  chinaToday,
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
  server = await startServer({ name: "two-clinics", sampleData: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const SHARED = idNumber("110105", "19700808", 61); // walks into both clinics
const NEWBORN = idNumber("110105", addDays(chinaToday(), -15).replaceAll("-", ""), 72);

async function tablet(username) {
  const context = await newTabletContext(browser);
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, username);
  await page.getByTestId("catalogue").filter({ hasText: "362 项" }).waitFor();
  await context.setOffline(true);
  return { context, page };
}

async function enrol(page, members) {
  await page.getByRole("navigation").getByRole("link", { name: "参保登记", exact: true }).click();
  for (const [i, m] of members.entries()) {
    if (i > 0) await page.getByTestId("add-member").click();
    await page.locator(`input[name=id_number_${i}]`).fill(m.id);
    await page.locator(`input[name=name_${i}]`).fill(m.name);
    await page.locator(`select[name=relationship_${i}]`).selectOption(m.relationship);
  }
  // In the collection period the desk also offers next year: these people are enrolled for the
  // year under way (the newborn is seen today).
  const choice = page.getByTestId("enrolment-year-choice");
  if (await choice.count()) await choice.getByRole("radio").nth(1).check();
  await page.getByTestId("collect").click();
  await page.getByTestId("receipt").waitFor();
}

async function records(token, kind) {
  const res = await api(server.url, `/api/v1/township/records?kind=${kind}`, { token });
  assert.equal(res.status, 200);
  return res.json;
}

test("two clinics offline, then online: one enrolment stands, the other is refused with a refund due; a reload mid-sync loses nothing", async () => {
  const a = await tablet("lijia");
  const b = await tablet("daping");
  await enrol(a.page, [{ id: SHARED, name: "罗志强", relationship: "head" }]);
  await enrol(b.page, [
    { id: SHARED, name: "罗志强", relationship: "head" },
    { id: NEWBORN, name: "罗小满", relationship: "child" },
  ]);
  // 大坪村 also settles a visit for the newborn (covered from the birth month, no waiting).
  await b.page.getByRole("navigation").getByRole("link", { name: "门诊结算" }).click();
  await b.page.getByTestId("patient-search").fill("罗小满");
  await b.page.getByRole("button", { name: /罗小满/ }).click();
  await b.page.getByTestId("diagnosis-select").selectOption("R50.9");
  await b.page.getByTestId("catalogue-search").fill("一般诊疗");
  await b.page.getByTestId("catalogue-results").getByRole("button").filter({ hasText: "一般诊疗费" }).first().click();
  await b.page.getByTestId("confirm-settle").click();
  await b.page.getByTestId("slip").waitFor();
  await b.page.getByTestId("sync-bar").filter({ hasText: "待上传 4" }).waitFor();

  // 李家村 comes back first.
  await a.context.setOffline(false);
  await a.page.getByTestId("sync-bar").filter({ hasText: "待上传 0" }).waitFor();

  // 大坪村's network is slow: the reply to its push takes a while, and the tablet is
  // reloaded while the push is on the wire.
  // (The last push of a round also asks for the first page of changes: `?pull_after=`.)
  const push = /\/api\/v1\/sync\/push(\?|$)/;
  let pushes = 0;
  const encodings = [];
  await b.context.route(push, async (route) => {
    pushes += 1;
    encodings.push(`${route.request().headers()["content-encoding"] ?? "plain"}, ${route.request().postDataBuffer()?.length} bytes`);
    const response = await route.fetch();
    await new Promise((r) => setTimeout(r, 1500));
    await route.fulfill({ response }).catch(() => {});
  });
  const pushed = b.page.waitForRequest(push);
  await b.context.setOffline(false);
  await pushed;
  await b.page.reload();
  await unlockWithPin(b.page);
  await b.page.getByRole("navigation").getByRole("link", { name: "数据同步" }).click();
  await b.page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor({ timeout: 30_000 });
  assert.ok(pushes >= 2, `the batch was sent again after the reload (${pushes} pushes)`);
  // Four mutations are more than a kilobyte: the tablet sent them gzipped.
  assert.match(encodings[0], /^gzip, /, `the batch went as ${encodings[0]}`);
  // The refusal is shown on 大坪村's tablet with its reason.
  await b.page.getByTestId("failed-items").filter({ hasText: "本次登记不生效，所收费用应退还" }).waitFor();
  await b.page.screenshot({ path: join(artifactsDir, "two-clinics-duplicate-zh-CN-1280x800.png"), fullPage: true });

  // Counted on the server, as the township sees it.
  const staff = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "shenhe", password: "cunbao2025", device_name: "服务站电脑" },
  });
  const token = staff.json.token;
  const enrolments = await records(token, "enrolment");
  const shared = enrolments.filter((r) => r.data.member.id_number === SHARED);
  assert.deepEqual(shared.map((r) => r.status).sort(), ["active", "rejected"]);
  assert.equal(shared.find((r) => r.status === "active").clinic_name, "李家村卫生室");
  assert.equal(enrolments.filter((r) => r.data.member.id_number === NEWBORN).length, 1);
  const claims = await records(token, "claim");
  assert.equal(claims.filter((r) => r.clinic_name === "大坪村卫生室").length, 1);
  const refunds = await records(token, "refund_due");
  assert.equal(refunds.length, 1);
  assert.equal(refunds[0].clinic_name, "大坪村卫生室");
  const contributions = await records(token, "contribution");
  assert.equal(contributions.length, 2, "each receipt once, none doubled");

  // The township page shows both clinics' work.
  const office = await newTabletContext(browser);
  const page = await office.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "shenhe");
  await page.getByRole("navigation").getByRole("link", { name: "乡镇记录" }).click();
  await page.getByTestId("township-enrolment").getByText("李家村卫生室").first().waitFor();
  await page.getByTestId("township-enrolment").getByText("大坪村卫生室").first().waitFor();
  await page.getByTestId("township-claim").getByText("大坪村卫生室").waitFor();
  await page.screenshot({ path: join(artifactsDir, "two-clinics-township-zh-CN-1280x800.png"), fullPage: true });
  for (const c of [a.context, b.context, office]) await c.close();
});
