// Shared set-up for the browser tests: start the real server on a free port with a fresh data
// directory, and launch Debian's Chromium through playwright-core.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "..", "..");
export const artifactsDir = join(repoRoot, "e2e", "artifacts");
mkdirSync(artifactsDir, { recursive: true });

export const serverBin =
  process.env.CUNBAO_SERVER_BIN ?? join(repoRoot, "target", "debug", "cunbao-server");
export const clientDir = process.env.CUNBAO_CLIENT_DIR ?? join(repoRoot, "app", "dist");

/** A fresh directory under the system's temp dir, removed when this test process exits. */
const scratchDirs = [];
process.once("exit", () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});
export function scratchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

export async function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

/** Starts the server; resolves once `/api/v1/health` answers. */
export async function startServer({ port, clientDir: dir = clientDir, dataDir, name = "server", sampleData = false, env = {} } = {}) {
  port ??= await freePort();
  dataDir ??= scratchDir("cunbao-e2e");
  const log = openSync(join(artifactsDir, `${name}-${port}.log`), "a");
  const child = spawn(serverBin, [], {
    env: {
      ...process.env,
      CUNBAO_BIND: `127.0.0.1:${port}`,
      CUNBAO_DATA_DIR: dataDir,
      CUNBAO_CLIENT_DIR: dir,
      CUNBAO_SAMPLE_DATA: sampleData ? "1" : "0",
      RUST_LOG: "info",
      ...env,
    },
    stdio: ["ignore", log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}; see artifacts/${name}-${port}.log`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start; see artifacts/${name}-${port}.log`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    dataDir,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A tablet-sized context in Chinese. */
export async function newTabletContext(browser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: "zh-CN", timezoneId: "Asia/Shanghai", serviceWorkers: "allow" });
  await stripPolicyFields(context);
  return context;
}

/** `CUNBAO_STRIP_POLICY_FIELDS=pin_offline_days` (comma-separated): the benchmarks remove these
 * fields from the policies the server sends, so that a client built before they came (it
 * refuses fields it does not know) can be measured against today's server. Set it for every
 * client compared: each request then takes the same way through Playwright. */
async function stripPolicyFields(context) {
  const fields = process.env.CUNBAO_STRIP_POLICY_FIELDS;
  if (fields === undefined) return;
  const strip = (value) => {
    if (Array.isArray(value)) value.forEach(strip);
    else if (value && typeof value === "object") {
      for (const f of fields.split(",").filter(Boolean)) delete value[f];
      Object.values(value).forEach(strip);
    }
  };
  await context.route(/\/api\/v1\/polic/, async (route) => {
    const response = await route.fetch();
    if (!response.ok()) return route.fulfill({ response });
    const json = await response.json();
    strip(json);
    await route.fulfill({ response, json });
  });
}

/** Waits until the app has opened its database and a service worker controls the page. */
export async function waitForAppReady(page, { controlled = true } = {}) {
  await page.getByTestId("database-state").filter({ hasText: /已就绪|ready/ }).waitFor();
  if (controlled) {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  }
}

/** Calls the API as another device would (Node's fetch). */
export async function api(url, path, { token, body } = {}) {
  const res = await fetch(url + path, {
    method: body ? "POST" : "GET",
    headers: {
      ...(body ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json() };
}

/** Signs in through the app's own form. */
export async function signInWithForm(page, username, password = "cunbao2025", pin = "246810") {
  const form = page.getByTestId("sign-in");
  // Signed out, every address shows the sign-in form (and no sections); signed in, it is on
  // the sync page when the server no longer accepts the session.
  await form.or(page.getByRole("navigation")).first().waitFor();
  if (!(await form.isVisible())) {
    await page.getByRole("navigation").getByRole("link", { name: /数据同步|Sync/ }).click();
  }
  await form.getByLabel(/用户名|Username/).fill(username);
  await form.getByLabel(/^密码|^Password/).fill(password);
  await form.getByLabel(/^PIN（|^PIN \(/).fill(pin);
  await form.getByLabel(/再次输入PIN|PIN again/).fill(pin);
  await form.getByRole("button", { name: /登录|Sign in/ }).click();
  // Township staff who sign in on the clinic's build are sent on to the township's (under
  // /township), which asks for the PIN just set: a new page, a new run of the app.
  const signedIn = page.getByTestId("signed-in-as");
  const refused = form.getByRole("alert");
  const opening = page.getByTestId("opening-other");
  await signedIn.or(refused).or(opening).or(page.getByTestId("lock-screen")).first().waitFor();
  if ((await signedIn.count()) > 0 || (await refused.count()) > 0) return;
  await page.waitForURL(/\/township/);
  await unlockWithPin(page, pin);
  // Where the clinic's build would have landed after a sign-in: the sync page.
  await page.getByRole("navigation").getByRole("link", { name: /数据同步|Sync/ }).click();
}

/** Unlocks the tablet with the operator's PIN (after a reload), offline or not. */
export async function unlockWithPin(page, pin = "246810") {
  const lock = page.getByTestId("lock-screen");
  await lock.getByLabel("PIN").fill(pin);
  await lock.getByRole("button", { name: /解锁|Unlock/ }).click();
  await lock.waitFor({ state: "detached" });
}

/** Reads one value of the app's IndexedDB `meta` store, straight from the browser. */
export async function readMeta(page, key) {
  return page.evaluate(
    (key) =>
      new Promise((ok, fail) => {
        const open = indexedDB.open("cunbao");
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction("meta").objectStore("meta").get(key);
          get.onsuccess = () => {
            db.close();
            ok(get.result);
          };
          get.onerror = () => fail(get.error);
        };
      }),
    key,
  );
}

/** A valid 18-digit resident ID number (GB 11643-1999 check digit). */
export function idNumber(region, birth, seq) {
  const first17 = `${region}${birth}${String(seq).padStart(3, "0")}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  return first17 + "10X98765432"[sum % 11];
}

/** Today's date where the tablets are (China), as "YYYY-MM-DD". */
export function chinaToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}

/** The scheme year under way on `day` ("YYYY-MM-DD"): its calendar year. */
export const yearOf = (day) => Number(day.slice(0, 4));

/** "YYYY-MM-DD" `days` after (or before, if negative) `day`. */
export function addDays(day, days) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The latest date with this month and day that is not after today (China): this year's, or
 *  last year's if this year's is still to come. Tests that need a date use it so that what
 *  they send the server is never in the future. */
export function latestOnOrBefore(month, day) {
  const today = chinaToday();
  const mmdd = `${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  const year = yearOf(today);
  return `${today.slice(5) >= mmdd ? year : year - 1}-${mmdd}`;
}

/**
 * A tablet context whose clock read `day` ("YYYY-MM-DD", 10:00 China time) when it was created
 * and runs on from there, across reloads — for the tests whose feature depends on the date.
 * Only `Date` is shifted: timers and `performance.now()` stay the browser's own.
 */
export async function tabletOnDay(browser, day, viewport = { width: 1280, height: 800 }) {
  const context = await newTabletContext(browser, viewport);
  const start = new Date(`${day}T10:00:00+08:00`);
  await context.addInitScript((offset) => {
    const RealDate = Date;
    globalThis.Date = class extends RealDate {
      constructor(...args) {
        if (args.length === 0) super(RealDate.now() + offset);
        else super(...args);
      }
      static now() {
        return RealDate.now() + offset;
      }
    };
  }, start.getTime() - Date.now());
  return context;
}

/** The sample policy of a scheme year, as `./run.sh`'s sample data publishes it. */
export const samplePolicy = (year) => `county-sample-${year}.1`;

/** Another tablet of a clinic enrolled residents on time for the scheme year under way (in
 *  the collection period the autumn before); they reach the desk by pull. */
export async function enrolOverApi(url, username, people, year = yearOf(chinaToday())) {
  const signIn = await api(url, "/api/v1/auth/sign-in", {
    body: { username, password: "cunbao2025", device_name: "旧平板" },
  });
  const mutations = people.map((p, i) => ({
    seq: i + 1,
    record_id: `enr-${p.id}`,
    body: {
      type: "enrolment",
      household_id: p.household ?? `hh-${p.id}`,
      member: { id_number: p.id, name: p.name, relationship: p.relationship ?? "head" },
      scheme_year: year,
      enrolled_on: `${year - 1}-10-10`,
      policy_version: samplePolicy(year),
    },
  }));
  const pushed = await api(url, "/api/v1/sync/push", { token: signIn.json.token, body: { mutations } });
  if (pushed.status !== 200 || pushed.json.results.some((r) => r.status !== "applied")) {
    throw new Error(`enrolment over the API failed: ${JSON.stringify(pushed.json)}`);
  }
}

/** A clinic's tablet uploads an enrolment and a claim for one person on `visitDate`; `mark`
 *  makes the claim flagged (a price above the catalogue's), held for review (`pending`: over the
 *  offline limit), or neither (""). Returns the claim's id. */
export async function claimOverApi(url, username, prefix, person, name, mark, visitDate = chinaToday()) {
  const year = yearOf(visitDate);
  const { json: { token } } = await api(url, "/api/v1/auth/sign-in", {
    body: { username, password: "cunbao2025", device_name: `${username} 平板` },
  });
  const scenario = JSON.parse(readFileSync(join(repoRoot, "domain/data/quote-example.json"), "utf8"));
  // The quote knows the shipped sample policy; the server re-prices under the year's own.
  const CODES = { 阿莫西林胶囊: "XJ01CAA001", 一般诊疗费: "S110200001" };
  scenario.lines = scenario.lines.filter((l) => CODES[l.name]).map((l) => ({ ...l, code: CODES[l.name] }));
  if (mark === "flagged") scenario.lines[0].price = "99.00";
  scenario.accumulators = { deductible_met: "0.00", fund_paid: "0.00" };
  const quote = await api(url, "/api/v1/quote", { token, body: scenario });
  if (quote.status !== 200) throw new Error(`quote: ${JSON.stringify(quote.json)}`);
  const pushed = await api(url, "/api/v1/sync/push", {
    token,
    body: {
      mutations: [
        {
          seq: 1,
          record_id: `${prefix}-e1`,
          body: {
            type: "enrolment",
            household_id: `${prefix}-h1`,
            member: { id_number: person, name, relationship: "head" },
            scheme_year: year,
            enrolled_on: `${year - 1}-11-02`,
            policy_version: samplePolicy(year),
          },
        },
        {
          seq: 2,
          record_id: `${prefix}-k1`,
          body: {
            type: "claim",
            person,
            visit_date: visitDate,
            diagnoses: [{ code: "J06.9" }],
            identity: { method: "id_card" },
            benefit: { type: "general_outpatient" },
            policy_version: samplePolicy(year),
            catalogue_version: "sample-2025.1",
            lines: scenario.lines,
            settlement: quote.json.settlement,
            pending_review: mark === "pending",
          },
        },
      ],
    },
  });
  if (pushed.status !== 200 || pushed.json.results.some((r) => r.status !== "applied")) {
    throw new Error(`claim over the API: ${JSON.stringify(pushed.json)}`);
  }
  return `${prefix}-k1`;
}

/** The n-th of a deterministic population's valid, distinct ID numbers (benchmarks). */
export function populationId(n) {
  const birth = new Date(Date.UTC(1940, 0, 1) + (n % 25000) * 86400000);
  const ymd = birth.toISOString().slice(0, 10).replaceAll("-", "");
  return idNumber(`45032${n % 2 ? 4 : 5}`, ymd, Math.floor(n / 25000) * 10 + (n % 10));
}

/** Enrols `count` residents for `username`'s clinic from another tablet, in batches of 500. */
const SURNAMES = [..."韦黄覃蒙李王张陈刘杨赵周吴徐孙马朱胡郭何罗梁宋谢唐"];
const GIVEN = ["秀英", "志明", "丽华", "建国", "桂兰", "海燕", "德福", "春梅", "国强", "玉珍", "小龙", "金凤",
  "永红", "家宝", "美玲", "文军", "淑芬", "志刚", "秋菊", "明辉", "雪梅", "振华", "翠兰", "宏伟", "佳怡", "子轩", "欣怡", "浩然"];

/** A varied, deterministic name for the n-th seeded resident (25 surnames × 28 given names). */
export const residentName = (n) => SURNAMES[n % SURNAMES.length] + GIVEN[Math.floor(n / SURNAMES.length) % GIVEN.length];

export async function seedResidents(url, username, count, year = yearOf(chinaToday())) {
  const other = await api(url, "/api/v1/auth/sign-in", {
    body: { username, password: "cunbao2025", device_name: "earlier tablet" },
  });
  const seen = new Set();
  const mutations = [];
  for (let n = 0; mutations.length < count; n++) {
    const id = populationId(n);
    if (seen.has(id)) continue;
    seen.add(id);
    mutations.push({
      seq: mutations.length + 1,
      record_id: `e-${n}`,
      body: {
        type: "enrolment",
        household_id: `h-${Math.floor(n / 3)}`,
        member: { id_number: id, name: residentName(n), relationship: n % 3 ? "child" : "head" },
        scheme_year: year,
        enrolled_on: `${year - 1}-10-15`,
        policy_version: samplePolicy(year),
      },
    });
  }
  for (let i = 0; i < mutations.length; i += 500) {
    const res = await api(url, "/api/v1/sync/push", {
      token: other.json.token,
      body: { mutations: mutations.slice(i, i + 500) },
    });
    if (res.status !== 200 || res.json.results.some((r) => r.status !== "applied")) {
      throw new Error(`seeding failed: ${JSON.stringify(res.json).slice(0, 300)}`);
    }
  }
  return mutations.map((m) => m.body.member);
}

/**
 * Another tablet of `username`'s clinic settled `count` visits of `people` (as `seedResidents`
 * returns them) over this scheme year, up to today: one claim each, in order of date, pushed in
 * batches of 500; every one must be applied. A clinic's tablets pull them (their year-to-date
 * figures; the claims themselves stay with the tablet that made them). Each is a person's first
 * visit of the year (a cold: amoxicillin and the consultation fee), so one settlement from
 * `POST /api/v1/quote` holds for all; beyond `people.length` the persons come round again and
 * the server re-settles those with the year so far (still applied, with an adjustment).
 */
export async function seedClaims(url, username, people, count) {
  const other = await api(url, "/api/v1/auth/sign-in", {
    body: { username, password: "cunbao2025", device_name: "earlier tablet (claims)" },
  });
  const token = other.json.token;
  // The catalogue and policy the server has in force. A synthetic catalogue
  // (CUNBAO_SYNTHETIC_CATALOGUE) is only served to tablets: a claim naming it is refused as
  // unknown_catalogue (it is not among the published versions claims are priced from), so the
  // claims name the published sample catalogue, whose items the synthetic one begins with.
  const handshake = await api(url, "/api/v1/sync/handshake", { token });
  const { policy_version } = handshake.json;
  const catalogue_version = handshake.json.catalogue_version.startsWith("synthetic-")
    ? "sample-2025.1"
    : handshake.json.catalogue_version;
  const lines = [
    { code: "XJ01CAA001", name: "阿莫西林胶囊", class: "A", price: "12.50", quantity: "1" },
    { code: "S110200001", name: "一般诊疗费", class: "A", price: "10.00", quantity: "1" },
  ];
  // The quote knows the shipped policies only; the sample data's policy of every year is the
  // 2025 sample's with its dates moved (`Policy::sample_for`): the same benefits.
  const quote = await api(url, "/api/v1/quote", {
    token,
    body: { policy: samplePolicy(2025), benefit: { type: "general_outpatient" }, lines },
  });
  if (quote.status !== 200) throw new Error(`quote failed: ${JSON.stringify(quote.json)}`);
  const today = chinaToday();
  const first = `${yearOf(today)}-01-01`;
  const days = Math.round((Date.parse(today) - Date.parse(first)) / 86400000) + 1;
  const mutations = Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    record_id: `seed-claim-${i}`,
    body: {
      type: "claim",
      person: people[i % people.length].id_number,
      visit_date: addDays(first, Math.floor((i * days) / count)),
      diagnoses: [{ code: "J06.9" }],
      identity: { method: "id_card" },
      benefit: { type: "general_outpatient" },
      policy_version,
      catalogue_version,
      lines,
      settlement: quote.json.settlement,
    },
  }));
  let applied = 0;
  for (let i = 0; i < mutations.length; i += 500) {
    const res = await api(url, "/api/v1/sync/push", { token, body: { mutations: mutations.slice(i, i + 500) } });
    const refused = res.status === 200 ? res.json.results.filter((r) => r.status !== "applied") : [];
    if (res.status !== 200 || refused.length) {
      throw new Error(`seeding claims failed: ${JSON.stringify(refused[0] ?? res.json).slice(0, 300)}`);
    }
    applied += res.json.results.length;
  }
  return applied;
}
