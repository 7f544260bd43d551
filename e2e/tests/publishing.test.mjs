// Publishing a catalogue from the township's screen (issue 17): a CSV with one bad line is
// refused with that line named; the corrected CSV shows its difference from the catalogue in
// force (filterable, with counts); the reviewer proposes it and cannot approve it; the
// administrator approves it and it is published, with who proposed and who approved it in the
// history; a clinic tablet receives it at its next sync. A policy file is checked, its
// differences listed in words, proposed, refused with a reason by the second person, and shown
// so in the history.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  artifactsDir,
  chinaToday,
  launchBrowser,
  newTabletContext,
  repoRoot,
  signInWithForm,
  startServer,
  waitForAppReady,
} from "../lib/harness.mjs";

const SAMPLE = readFileSync(join(repoRoot, "domain", "data", "catalogue-sample.csv"), "utf8").trimEnd();
const ITEMS = SAMPLE.split("\n").length - 1;
const NEW_LINE = "NEWE2E0001,某降压片（拆零）,drug,A,5mg,片,0.208333,,,,,,,,,";
/** The sample with its first item repriced and one item added (and, when `bad`, a broken line). */
function catalogue(bad) {
  const lines = SAMPLE.split("\n");
  const first = lines[1].split(",");
  first[6] = "13.00";
  lines[1] = first.join(",");
  lines.push(NEW_LINE);
  if (bad) lines.push("NEWE2E0002,某坏行,drug,A,,盒,abc,,,,,,,,,");
  return Buffer.from(lines.join("\n") + "\n");
}
const VERSION = "county-e2e.1";

let server;
let browser;

before(async () => {
  server = await startServer({ name: "publishing", sampleData: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(username, viewport = { width: 1280, height: 800 }) {
  const page = await (await newTabletContext(browser, viewport)).newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, username);
  await page.getByTestId("signed-in-as").waitFor();
  return page;
}
const go = (page, label) => page.getByRole("navigation").getByRole("link", { name: label }).click();

test("a catalogue is checked line by line, proposed by one user, approved by another and received by a tablet", async () => {
  const tablet = await signedIn("lijia", { width: 1024, height: 768 });
  await tablet.getByTestId("catalogue").filter({ hasText: `${ITEMS} 项` }).waitFor();

  const reviewer = await signedIn("shenhe");
  await go(reviewer, "目录与政策发布");
  const card = reviewer.getByTestId("publish-catalogue");
  const file = card.locator("input[name=catalogue_csv]");
  await file.setInputFiles({ name: "catalogue.csv", mimeType: "text/csv", buffer: catalogue(true) });
  await card.locator("input[name=effective_from]").fill(chinaToday());
  await card.locator("input[name=version]").fill(VERSION);
  await card.getByTestId("check-catalogue").click();
  const badLine = ITEMS + 3; // the header, the items, the added line, then the broken one
  await card.getByTestId("line-errors").locator(`li[data-line="${badLine}"]`).filter({ hasText: `第${badLine}行` }).waitFor();
  await card.getByRole("alert").filter({ hasText: "文件有1处错误" }).waitFor();
  assert.equal(await card.getByTestId("propose-catalogue").count(), 0, "nothing to propose from a refused file");

  await file.setInputFiles({ name: "catalogue.csv", mimeType: "text/csv", buffer: catalogue(false) });
  await card.getByTestId("check-catalogue").click();
  await card.getByTestId("diff-summary").filter({ hasText: "新增1项，删除0项，变更1项" }).waitFor();
  await card.getByTestId("diff-filter-added").click();
  const visible = card.locator("[data-testid=diff-row]:visible");
  assert.equal(await visible.count(), 1);
  assert.match(await visible.innerText(), /NEWE2E0001/);
  await card.getByTestId("diff-filter-changed").click();
  assert.match(await visible.innerText(), /价格：12\.50 → 13\.00/);
  await card.getByTestId("diff-filter-all").click();
  await reviewer.screenshot({ path: join(artifactsDir, "publishing-diff-zh-CN-1280x800.png"), fullPage: true });
  await card.getByTestId("propose-catalogue").click();
  await card.getByTestId("catalogue-proposed").filter({ hasText: VERSION }).waitFor();
  const mine = reviewer.locator(`[data-testid=publication-proposal][data-version="${VERSION}"]`);
  await mine.getByTestId("own-publication").waitFor();
  assert.equal(await mine.getByTestId("approve-publication").count(), 0);

  const admin = await signedIn("admin");
  await go(admin, "目录与政策发布");
  const proposal = admin.locator(`[data-testid=publication-proposal][data-version="${VERSION}"]`);
  await proposal.getByText("新增1项，删除0项，变更1项").waitFor();
  await admin.screenshot({ path: join(artifactsDir, "publishing-approve-zh-CN-1280x800.png"), fullPage: true });
  await proposal.getByTestId("approve-publication").click();
  const published = admin.locator(`[data-testid=published-version][data-version="${VERSION}"]`);
  await published.waitFor();
  assert.match(await published.innerText(), /覃明/);
  assert.match(await published.innerText(), /梁志强/);
  assert.equal(await proposal.count(), 0);

  await tablet.getByTestId("sync-now").click();
  await tablet.getByTestId("catalogue").filter({ hasText: `${VERSION} · ${ITEMS + 1} 项` }).waitFor();
});

test("a policy is checked, its differences listed in words, proposed and refused with a reason", async () => {
  const policy = JSON.parse(readFileSync(join(repoRoot, "domain", "data", "policy-2025.json"), "utf8"));
  policy.version = "county-e2e-2025.2";
  policy.enrolment.contribution_per_person = "400.00";
  const reviewer = await signedIn("shenhe");
  await go(reviewer, "目录与政策发布");
  const card = reviewer.getByTestId("publish-policy");
  await card.locator("input[name=policy_json]").setInputFiles({ name: "policy.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(policy)) });
  await card.getByTestId("check-policy").click();
  await card.getByTestId("policy-diff").getByText("个人缴费：390.00 → 400.00").waitFor();
  await card.getByTestId("propose-policy").click();
  await card.getByTestId("policy-proposed").waitFor();

  const admin = await signedIn("admin");
  await go(admin, "目录与政策发布");
  const proposal = admin.locator('[data-testid=publication-proposal][data-version="county-e2e-2025.2"]');
  await proposal.getByText("个人缴费：390.00 → 400.00").waitFor();
  await proposal.getByTestId("refuse-publication").click();
  await proposal.locator("input[name=refuse_note]").fill("缴费标准待县医保局发文");
  await proposal.getByTestId("confirm-refuse-publication").click();
  const decided = admin.getByTestId("decided-publication").filter({ hasText: "county-e2e-2025.2" });
  await decided.filter({ hasText: "缴费标准待县医保局发文" }).waitFor();
  assert.equal(await admin.locator('[data-testid=published-version][data-version="county-e2e-2025.2"]').count(), 0);
});
