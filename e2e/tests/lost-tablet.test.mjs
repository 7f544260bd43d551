// A lost tablet gives nothing away (issue 19): residents' data is encrypted in IndexedDB (read
// raw from the page, before and after a lockout, no ID number, name or phone is there in
// clear); five wrong PINs close the desk on every address and after a reload, the work stays
// and is uploaded by the clinic's next online sign-in; sign-out keeps the work; another clinic cannot take over while
// work waits, and sees none of it after; a revoked tablet wipes itself and says why; nothing
// is saved with nobody signed in; the lock and sign-in screens fit 360 px.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  api,
  artifactsDir,
  idNumber,
  launchBrowser,
  newTabletContext,
  readMeta,
  signInWithForm,
  startServer,
  waitForAppReady,
} from "../lib/harness.mjs";

const PEOPLE = [
  { id: idNumber("110105", "19700101", 51), name: "韦春花", phone: "13800001111" },
  { id: idNumber("110105", "19710202", 52), name: "覃秋月", phone: "13800002222" },
  { id: idNumber("110105", "19720303", 53), name: "蓝冬梅", phone: "13800003333" },
];
const DRAFT = { id: idNumber("110105", "19730404", 54), name: "农夏草", phone: "13800004444" };
const ALL = [...PEOPLE, DRAFT];
const ROUTES = ["/", "/residents", `/residents/${PEOPLE[0].id}`, "/enrol", "/receipt/R1", "/settlement", "/today", "/township", "/sync"];

let server;
let browser;
let context;
let page;
/** The last sign-in the tablet made (its token and device id are sealed on the tablet). */
let lastSession;

before(async () => {
  server = await startServer({ name: "lost-tablet", sampleData: true });
  browser = await launchBrowser();
  context = await newTabletContext(browser, { width: 1024, height: 768 });
  page = await context.newPage();
  page.on("response", async (res) => {
    if (res.url().endsWith("/api/v1/auth/sign-in") && res.status() === 200) lastSession = await res.json();
  });
  await page.goto(server.url);
  await waitForAppReady(page);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const shot = async (name, width) => {
  await page.setViewportSize({ width, height: width === 360 ? 740 : 768 });
  await page.screenshot({ path: join(artifactsDir, `lost-tablet-${name}-zh-CN-${width}.png`) });
};
/** Back on the network, and the app has noticed (a sign-in before that is refused as offline). */
async function online() {
  await context.setOffline(false);
  await page.getByTestId("net-status").filter({ hasText: "在线" }).waitFor();
}
const fitsWidth = () => page.evaluate(() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth);

/** Page text and every input's value: none may name a resident. */
async function shown() {
  return page.evaluate(() => document.body.innerText + " " + [...document.querySelectorAll("input")].map((i) => i.value).join(" "));
}
async function assertNothingPersonal(where, people = ALL) {
  const text = await shown();
  for (const p of people) {
    for (const secret of [p.id, p.name, p.phone]) assert.ok(!text.includes(secret), `${where} shows ${secret}`);
  }
}

/** Every record of every IndexedDB store, as text. */
function dump() {
  return page.evaluate(() => new Promise((ok, fail) => {
    const open = indexedDB.open("cunbao");
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const names = [...db.objectStoreNames];
      const tx = db.transaction(names);
      const out = {};
      for (const name of names) {
        const req = tx.objectStore(name).getAll();
        req.onsuccess = () => { out[name] = req.result; };
      }
      tx.oncomplete = () => { db.close(); ok(out); };
      tx.onerror = () => fail(tx.error);
    };
  }));
}

/** No one's ID number, name or phone in clear in any IndexedDB store, read raw from the page. */
async function assertStorageSealed(where, people = ALL) {
  const stores = JSON.stringify(await dump());
  for (const p of people) {
    for (const secret of [p.id, p.name, p.phone]) assert.ok(!stores.includes(secret), `${where}: ${secret} in clear in IndexedDB`);
  }
  assert.ok(!lastSession || !stores.includes(lastSession.token), `${where}: the token in clear in IndexedDB`);
}

async function go(label) {
  await page.getByRole("navigation").getByRole("link", { name: label, exact: true }).click();
  await page.getByTestId("section-title").filter({ hasText: label }).waitFor();
}

async function enrol(person) {
  await go("参保登记");
  const m = page.getByTestId("member-0");
  await m.locator("input[name=id_number_0]").fill(person.id);
  await m.locator("input[name=name_0]").fill(person.name);
  await m.locator("select[name=relationship_0]").selectOption("head");
  await m.locator("input[name=phone_0]").fill(person.phone);
  await page.getByTestId("collect").click();
  await page.getByTestId("receipt-total").waitFor();
}

const pending = (n) => page.getByTestId("sync-bar").filter({ hasText: new RegExp(`待上传 ${n} `) }).waitFor();
/** An enrolment with its collection is more than one item to upload: waits for some, and
 *  says how many. */
async function somePending() {
  await pending("[1-9]\\d*");
  return Number((await page.getByTestId("sync-bar").innerText()).match(/待上传 (\d+) /)[1]);
}

async function onServer(id) {
  const admin = await api(server.url, "/api/v1/auth/sign-in", { body: { username: "admin", password: "cunbao2025", device_name: "乡镇电脑" } });
  const res = await api(server.url, "/api/v1/township/records?kind=enrolment", { token: admin.json.token });
  return JSON.stringify(res.json).includes(id);
}

test("five wrong PINs close every desk route and a reload; the clinic's online sign-in uploads the work", async () => {
  await signInWithForm(page, "lijia");
  await page.getByTestId("catalogue").filter({ hasText: "362 项" }).waitFor();
  await context.setOffline(true);
  await enrol(PEOPLE[0]);
  const waiting = await somePending();
  // A half-filled form is kept as a draft.
  await go("参保登记");
  await page.locator("input[name=id_number_0]").fill(DRAFT.id);
  await page.locator("input[name=name_0]").fill(DRAFT.name);
  await page.waitForTimeout(500);
  await assertStorageSealed("with the desk open");

  await page.reload();
  const lock = page.getByTestId("lock-screen");
  await lock.waitFor();
  // The lock screen names the operator (not a resident), and the sync bar what waits.
  await lock.getByTestId("lock-operator").filter({ hasText: "王秀兰（李家村卫生室）" }).waitFor();
  await pending(waiting);
  await assertNothingPersonal("the lock screen");
  await shot("lock", 1024);
  await shot("lock", 360);
  assert.ok(await fitsWidth(), "the lock screen fits 360 px");
  for (let i = 0; i < 5; i++) {
    await lock.getByLabel("PIN").fill("000000");
    await lock.getByRole("button", { name: "解锁" }).click();
    if (i < 4) await lock.getByRole("alert").filter({ hasText: `还可再试${4 - i}次` }).waitFor();
  }
  await page.getByTestId("locked-out").filter({ hasText: "联网" }).waitFor();
  await page.getByTestId("sign-in").waitFor();
  assert.ok(await fitsWidth(), "the sign-in form fits 360 px");
  await shot("locked-out", 360);
  await shot("locked-out", 1024);
  await assertNothingPersonal("after the lockout");
  assert.equal(await page.getByRole("navigation").count(), 0);

  for (const route of ROUTES) {
    await page.goto(server.url + route);
    await page.getByTestId("sign-in").waitFor();
    await page.getByTestId("locked-out").waitFor();
    await assertNothingPersonal(route);
    assert.equal(await page.getByTestId("collect").count(), 0);
  }
  await page.reload();
  await page.getByTestId("locked-out").waitFor();
  await assertNothingPersonal("a reload");
  // The work stayed on the tablet.
  const stores = await dump();
  assert.equal(stores.outbox.length, waiting);
  await assertStorageSealed("after the lockout");
  assert.equal(await readMeta(page, "session"), undefined);
  assert.equal(await readMeta(page, "pin"), undefined);

  await online();
  await signInWithForm(page, "lijia");
  await pending(0);
  assert.ok(await onServer(PEOPLE[0].id), "the enrolment made before the lockout reached the server");
});

test("sign-out with work pending keeps it; the next sign-in uploads it, and the server forgot the token", async () => {
  await context.setOffline(true);
  await enrol(PEOPLE[1]);
  const waiting = await somePending();
  await go("数据同步");
  await page.getByTestId("sign-out").click();
  await page.getByTestId("signed-out").waitFor();
  await page.getByTestId("work-waiting").filter({ hasText: String(waiting) }).waitFor();
  await assertNothingPersonal("after signing out");
  await online();
  await signInWithForm(page, "lijia");
  await pending(0);
  assert.ok(await onServer(PEOPLE[1].id));

  // Online, signing out gives the token back.
  const { token } = lastSession;
  await go("数据同步");
  await page.getByTestId("sign-out").click();
  await page.getByTestId("signed-out").waitFor();
  await page.waitForFunction(async () => true);
  for (let i = 0; i < 50; i++) {
    const res = await api(server.url, "/api/v1/sync/handshake", { token });
    if (res.status === 401) {
      assert.equal(res.json.code, "device_revoked");
      break;
    }
    assert.ok(i < 49, "the server still accepts the signed-out token");
    await new Promise((r) => setTimeout(r, 100));
  }
});

test("another clinic cannot take the tablet over while work waits; after the upload it can, and sees none of it", async () => {
  await signInWithForm(page, "lijia");
  await page.getByTestId("signed-in-as").waitFor();
  await context.setOffline(true);
  await enrol(PEOPLE[2]);
  await go("参保登记");
  await page.locator("input[name=id_number_0]").fill(DRAFT.id);
  await page.locator("input[name=name_0]").fill(DRAFT.name);
  await page.waitForTimeout(500);
  await go("数据同步");
  await page.getByTestId("sign-out").click();
  await page.getByTestId("signed-out").waitFor();
  await online();

  await signInWithForm(page, "daping");
  await page.getByTestId("sign-in").getByRole("alert").filter({ hasText: "王秀兰（李家村卫生室）" }).waitFor();
  await assertNothingPersonal("the refused takeover");
  assert.equal(await page.getByRole("navigation").count(), 0);

  await signInWithForm(page, "lijia");
  await pending(0);
  assert.ok(await onServer(PEOPLE[2].id));
  await go("数据同步");
  await page.getByTestId("sign-out").click();
  await page.getByTestId("signed-out").waitFor();

  await signInWithForm(page, "daping");
  await page.getByTestId("signed-in-as").filter({ hasText: "黄建国" }).waitFor();
  await pending(0);
  for (const label of ["参保登记", "参保人", "门诊结算", "今日"]) {
    await go(label);
    await assertNothingPersonal(`${label} for 大坪村`);
  }
  const stores = JSON.stringify(await dump());
  for (const p of ALL) assert.ok(!stores.includes(p.id) && !stores.includes(p.name), `李家村's ${p.name} is still on the tablet`);
});

test("a tablet revoked at the township wipes itself at its next sync and says why; nothing can be saved then", async () => {
  const { device_id } = lastSession;
  // The administrator finds the tablet on 平板管理 — its user, clinic and last sync — and
  // revokes it in one step (after a confirmation that says what it does).
  const office = await newTabletContext(browser, { width: 1280, height: 800 });
  const admin = await office.newPage();
  await admin.goto(server.url);
  await waitForAppReady(admin);
  await signInWithForm(admin, "admin");
  await admin.getByTestId("signed-in-as").filter({ hasText: "梁志强" }).waitFor();
  await admin.getByRole("navigation").getByRole("link", { name: "平板管理" }).click();
  const row = admin.locator(`[data-testid=device-row][data-device="${device_id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /大坪村卫生室/);
  assert.doesNotMatch(await row.getByTestId("last-sync").innerText(), /从未同步/);
  await row.getByTestId("device-state").filter({ hasText: "在用" }).waitFor();
  await admin.screenshot({ path: join(artifactsDir, "devices-zh-CN-1280x800.png"), fullPage: true });
  await row.getByTestId("revoke").click();
  await row.getByText("未上传的业务将无法找回").waitFor();
  await row.getByTestId("confirm-revoke").click();
  await row.getByTestId("device-state").filter({ hasText: "已停用" }).waitFor();
  await office.close();
  await go("数据同步");
  await page.getByTestId("sync-now").click();
  await page.getByTestId("revoked").filter({ hasText: "此平板已被乡镇停用，本机数据已清除。如有疑问请联系乡镇医保服务站。" }).waitFor();
  // Once the wipe is done the bar no longer names anyone or any work.
  await page.getByTestId("sync-bar").filter({ hasText: "未登录" }).waitFor();
  await shot("revoked", 360);
  assert.ok(await fitsWidth(), "the revoked message fits 360 px");
  await shot("revoked", 1024);
  const stores = await dump();
  for (const [name, records] of Object.entries(stores)) {
    if (name !== "meta") assert.equal(records.length, 0, `${name} wiped`);
  }
  assert.equal(await readMeta(page, "session"), undefined);
  assert.equal(await readMeta(page, "pin"), undefined);
  await page.reload();
  await page.getByTestId("revoked").waitFor();

  // With nobody signed in, neither enrolment nor settlement is there to use.
  for (const route of ["/enrol", "/settlement"]) {
    await page.goto(server.url + route);
    await page.getByTestId("sign-in").waitFor();
    assert.equal(await page.getByTestId("collect").count(), 0);
    assert.equal(await page.getByTestId("patient-search").count(), 0);
  }
});
