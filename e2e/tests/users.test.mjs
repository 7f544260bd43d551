// The township looks after its users (issue 17): the administrator creates a clinic assistant
// on 用户管理 (a bad username is refused next to its field); the assistant's first sign-in on a
// tablet asks for a new password (a weak one refused) before the desk opens; the administrator
// sees the tablet on 平板管理 with its last sync and revokes it; the tablet is refused at its next
// sync. Disabling a user is shown on the list. Screenshots in zh-CN at 1280 and 360 px.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  api,
  artifactsDir,
  launchBrowser,
  newTabletContext,
  signInWithForm,
  startServer,
  waitForAppReady,
} from "../lib/harness.mjs";

const FIRST = "Chushi-mima-7";
const OWN = "songshu-po-22";

let server;
let browser;
let admin;
let tablet;

before(async () => {
  server = await startServer({ name: "users", sampleData: true });
  browser = await launchBrowser();
  admin = await (await newTabletContext(browser, { width: 1280, height: 800 })).newPage();
  await admin.goto(server.url);
  await waitForAppReady(admin);
  await signInWithForm(admin, "admin");
  await admin.getByTestId("signed-in-as").filter({ hasText: "梁志强" }).waitFor();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const userRow = (name) => admin.locator(`[data-testid=user-row][data-user="${name}"]`);

test("the administrator creates an assistant, who must choose a password at the first sign-in", async () => {
  await admin.getByRole("navigation").getByRole("link", { name: "用户管理" }).click();
  // The sample accounts say they are samples.
  await userRow("lijia").getByTestId("sample-account").waitFor();

  const form = admin.getByTestId("new-user");
  await form.getByLabel("用户名", { exact: true }).fill("Wei Xiaoyan");
  await form.getByLabel("姓名", { exact: true }).fill("韦小燕");
  await form.locator("select[name=role]").selectOption("clinic_assistant");
  await form.locator("select[name=clinic_id]").selectOption({ label: "大坪村卫生室" });
  await form.getByLabel(/初始密码/).fill(FIRST);
  await form.getByRole("button", { name: "新建账号" }).click();
  await form.getByRole("alert").filter({ hasText: "小写字母" }).waitFor();
  await form.getByLabel("用户名", { exact: true }).fill("daping");
  await form.getByRole("button", { name: "新建账号" }).click();
  await form.getByRole("alert").filter({ hasText: "已被使用" }).waitFor();
  await form.getByLabel("用户名", { exact: true }).fill("weixy");
  await form.getByRole("button", { name: "新建账号" }).click();
  await form.getByTestId("user-created").filter({ hasText: "weixy" }).waitFor();
  const row = userRow("weixy");
  await row.getByTestId("must-change").waitFor();
  assert.match(await row.innerText(), /大坪村卫生室/);
  assert.match(await row.innerText(), /卫生室协办员/);
  await admin.screenshot({ path: join(artifactsDir, "users-zh-CN-1280x800.png"), fullPage: true });
  await admin.setViewportSize({ width: 360, height: 740 });
  await admin.screenshot({ path: join(artifactsDir, "users-zh-CN-360.png"), fullPage: true });
  await admin.setViewportSize({ width: 1280, height: 800 });

  tablet = await (await newTabletContext(browser, { width: 1024, height: 768 })).newPage();
  await tablet.goto(server.url);
  await waitForAppReady(tablet);
  await signInWithForm(tablet, "weixy", FIRST);
  const signIn = tablet.getByTestId("sign-in");
  await signIn.getByTestId("new-password-needed").waitFor();
  await signIn.getByLabel("新密码", { exact: true }).fill("weixy-2026");
  await signIn.getByLabel("再次输入新密码").fill("weixy-2026");
  await signIn.getByRole("button", { name: "登录" }).click();
  await signIn.getByRole("alert").filter({ hasText: "不能包含用户名" }).waitFor();
  await signIn.getByLabel("新密码", { exact: true }).fill(OWN);
  await signIn.getByLabel("再次输入新密码").fill(OWN);
  await tablet.screenshot({ path: join(artifactsDir, "first-password-zh-CN-1024.png"), fullPage: true });
  await signIn.getByRole("button", { name: "登录" }).click();
  await tablet.getByTestId("signed-in-as").filter({ hasText: "韦小燕" }).waitFor();
  await tablet.getByTestId("catalogue").filter({ hasText: "项" }).waitFor();

  // The first password opens nothing now; the new one does.
  const first = await api(server.url, "/api/v1/auth/sign-in", { body: { username: "weixy", password: FIRST, device_name: "x" } });
  assert.equal(first.status, 401);
  await admin.reload();
  await admin.getByTestId("lock-screen").getByLabel("PIN").fill("246810");
  await admin.getByTestId("lock-screen").getByRole("button", { name: "解锁" }).click();
  await userRow("weixy").getByTestId("user-active").waitFor();
  assert.equal(await userRow("weixy").getByTestId("must-change").count(), 0);
});

test("the administrator sees the new tablet's last sync and revokes it; the tablet is refused at its next sync", async () => {
  await admin.getByRole("navigation").getByRole("link", { name: "平板管理" }).click();
  const row = admin.locator("[data-testid=device-row]").filter({ hasText: "weixy" });
  await row.waitFor();
  assert.match(await row.innerText(), /大坪村卫生室/);
  assert.doesNotMatch(await row.getByTestId("last-sync").innerText(), /从未同步/);
  await row.getByTestId("revoke").click();
  await row.getByTestId("confirm-revoke").click();
  await row.getByTestId("device-state").filter({ hasText: "已停用" }).waitFor();

  await tablet.getByTestId("sync-now").click();
  await tablet.getByTestId("revoked").waitFor();
});

test("a disabled user is shown disabled and cannot sign in; enabled again, they can", async () => {
  await admin.getByRole("navigation").getByRole("link", { name: "用户管理" }).click();
  const row = userRow("weixy");
  await row.getByTestId("toggle-user").filter({ hasText: "停用账号" }).click();
  await row.getByTestId("user-disabled").waitFor();
  const refused = await api(server.url, "/api/v1/auth/sign-in", { body: { username: "weixy", password: OWN, device_name: "x" } });
  assert.equal(refused.status, 401);
  assert.equal(refused.json.code, "account_disabled");
  await row.getByTestId("toggle-user").filter({ hasText: "恢复账号" }).click();
  await row.getByTestId("user-active").waitFor();
  const again = await api(server.url, "/api/v1/auth/sign-in", { body: { username: "weixy", password: OWN, device_name: "x" } });
  assert.equal(again.status, 200);
});
