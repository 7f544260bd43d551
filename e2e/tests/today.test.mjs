// On the real date, as a newcomer meets it: `./run.sh`'s sample data publishes this and next
// year's sample policies, so a freshly set-up tablet says which scheme year it enrols for and
// collects a household's contribution for it. No clock is set here.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  artifactsDir,
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

  const today = new Date();
  const year = today.getFullYear();
  const collecting = today.getMonth() >= 8; // 1 September – 31 December: next year's
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
