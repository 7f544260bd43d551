// Changes after enrolment (参保变更) on the real date: a clinic assistant opens one of the
// sample residents, corrects the phone (the history shows the earlier one), stops cover from
// today (the badge says 已暂停 and settling that person is refused), proposes a refund of the
// household's receipt (退费待乡镇审批), and syncs; the clinic's other tablets pull the changes
// and the township lists the proposal. No clock is set here.
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
  server = await startServer({ name: "changes", sampleData: true, env: { CUNBAO_SAMPLE_RESIDENTS: "10" } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a phone is corrected with its history, cover stops from today and the person can no longer be settled", async () => {
  // One of 李家村's sample residents, as the clinic's tablets pull them.
  const other = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "lijia", password: "cunbao2025", device_name: "另一台平板" },
  });
  const pulled = await api(server.url, "/api/v1/sync/pull?after=0&limit=5000", { token: other.json.token });
  const enrolment = pulled.json.changes.find((c) => c.entity === "enrolment" && !c.data.duplicate_of);
  const { id_number: idNumber, name, phone: earlierPhone } = enrolment.data.member;
  const deviceName = "村卫生室平板"; // the sign-in form's default name
  const newPhone = earlierPhone === "13912345678" ? "13987654321" : "13912345678";

  const context = await newTabletContext(browser, { width: 1280, height: 800 });
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "lijia");
  await page.getByTestId("signed-in-as").filter({ hasText: "王秀兰" }).waitFor();

  await page.getByRole("navigation").getByRole("link", { name: "参保人", exact: true }).click();
  await page.getByTestId("resident-search").fill(idNumber);
  await page.getByTestId("resident-results").getByRole("link").first().click();
  const person = page.getByTestId("person");
  await person.filter({ hasText: name }).waitFor();
  await person.getByTestId("eligibility").filter({ hasText: "已参保" }).waitFor();
  assert.equal(await page.getByTestId("full-id").innerText(), idNumber);

  // The ID number is not corrected here; the form says how it is.
  const correct = page.getByTestId("correct");
  assert.match(await correct.getByTestId("id-not-corrected").innerText(), /身份证号有误须作废后重新登记，经乡镇审核/);
  // A wrong phone is refused next to the field, nothing saved.
  await correct.locator("select[name=correct_field]").selectOption("phone");
  await correct.locator("input[name=correct_value]").fill("12345");
  await correct.getByTestId("confirm-correct").click();
  await correct.getByTestId("correct-error").filter({ hasText: "电话号码无效" }).waitFor();
  await correct.locator("input[name=correct_value]").fill(newPhone);
  await correct.getByTestId("confirm-correct").click();
  await page.getByTestId("phone").filter({ hasText: newPhone }).waitFor();
  const history = page.getByTestId("correction-history");
  await history.getByTestId("correction").first().waitFor();
  assert.equal(await history.getByTestId("earlier").first().innerText(), earlierPhone ?? "—");
  assert.equal(await history.getByTestId("now").first().innerText(), newPhone);
  assert.match(await history.innerText(), /经办 王秀兰.*设备 本机/);

  // Cover stops from today (the form's default), for moving away.
  const stop = page.getByTestId("stop-cover");
  await stop.locator("select[name=stop_reason]").selectOption("moved_away");
  await stop.getByTestId("confirm-stop").click();
  await person.getByTestId("eligibility").filter({ hasText: "已暂停" }).waitFor();
  await page.getByTestId("stopped").filter({ hasText: "迁出" }).waitFor();
  assert.equal(await page.getByTestId("stop-cover").count(), 0, "stopped once; the form is gone");

  // The household's receipt, proposed for refund: it waits for the township.
  const receipt = page.getByTestId("household-receipts").getByTestId("household-receipt").first();
  await receipt.locator("select[name=refund_reason]").selectOption("duplicate");
  await receipt.getByTestId("propose-refund").click();
  await page.getByTestId("household-receipts").getByTestId("refund-awaiting").filter({ hasText: "退费待乡镇审批" }).waitFor();
  await page.screenshot({ path: join(artifactsDir, "changes-person-zh-CN-1280x800.png"), fullPage: true });

  // Settling that person is refused, as for anyone not eligible.
  await page.getByRole("navigation").getByRole("link", { name: "门诊结算", exact: true }).click();
  await page.getByTestId("patient-search").fill(idNumber);
  await page.getByRole("button", { name: new RegExp(name) }).first().click();
  await page.getByTestId("patient").getByTestId("eligibility").filter({ hasText: "已暂停" }).waitFor();
  await page.getByTestId("diagnosis-select").selectOption("J06.9");
  await page.getByTestId("catalogue-search").fill("一般诊疗");
  await page.getByTestId("catalogue-results").getByRole("button").filter({ hasText: "一般诊疗费" }).first().click();
  await page.getByTestId("risk").locator(".risk-block").filter({ hasText: "暂停" }).waitFor();
  assert.equal(await page.getByTestId("confirm-settle").isDisabled(), true);
  await page.getByTestId("confirm-blocked").filter({ hasText: "禁止结算" }).waitFor();

  // Sync: both changes go up and are applied.
  await page.getByRole("navigation").getByRole("link", { name: "数据同步", exact: true }).click();
  await page.getByTestId("sync-now").click();
  await page.getByTestId("sync-bar").filter({ hasText: "待上传 0" }).waitFor();
  // Back from the server, the history names the device as it signed in.
  await page.getByRole("navigation").getByRole("link", { name: "参保人", exact: true }).click();
  await page.getByTestId("resident-search").fill(idNumber);
  await page.getByTestId("resident-results").getByRole("link").first().click();
  await page.getByTestId("correction-history").filter({ hasText: deviceName }).waitFor();

  // The clinic's other tablet pulls the new phone (with the earlier one) and the stop.
  const later = await api(server.url, `/api/v1/sync/pull?after=${pulled.json.cursor}&limit=5000`, {
    token: other.json.token,
  });
  const corrected = later.json.changes.find((c) => c.entity === "corrected" && c.data.enrolment_id === enrolment.id);
  assert.ok(corrected, JSON.stringify(later.json.changes.map((c) => c.entity)));
  assert.equal(corrected.data.value.value, newPhone);
  assert.equal(corrected.data.earlier.value, earlierPhone ?? null);
  const stopped = later.json.changes.find((c) => c.entity === "cover_stopped" && c.data.enrolment_id === enrolment.id);
  assert.ok(stopped);
  // The tablet's today is China's (it runs in Asia/Shanghai), whatever the machine's zone.
  assert.equal(stopped.data.from, chinaToday());
  assert.equal(stopped.data.reason, "moved_away");
  assert.ok(later.json.changes.some((c) => c.entity === "refund_proposed"));

  // The township's records list shows the refund proposal awaiting approval.
  const reviewer = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "shenhe", password: "cunbao2025", device_name: "乡镇" },
  });
  const proposals = await api(server.url, "/api/v1/township/records?kind=refund_proposal", { token: reviewer.json.token });
  assert.equal(proposals.json.length, 1);
  assert.equal(proposals.json[0].status, "awaiting_approval");
  assert.equal(proposals.json[0].data.reason, "duplicate");
  await context.close();
});
