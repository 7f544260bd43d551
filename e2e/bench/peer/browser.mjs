// Sync side by side from headless Chromium's IndexedDB (issue 18), figures not pass/fail:
//   - Cunbao: the real app on a clinic tablet, offline, settles N visits through its own desk
//     (each one a claim in the outbox, sealed in IndexedDB), then goes back online; timed from
//     the browser's "online" event until the sync bar shows nothing waiting and no round
//     running — push (500 a batch, each re-settled by the server with the risk rules and
//     committed with the device's sequence), the answers filed, the changes pulled and stored;
//   - PouchDB 9 (its browser build, IndexedDB adapter) in a page of pouchdb-server's origin,
//     replicating N documents of the same claims' shape to pouchdb-server, 500 a batch;
// each side's records/s and the ratio, then the sync with nothing new on both sides, five times (median).
// The desk makes the visits at its own pace (about a second each), so N is modest.
//   cd e2e/bench/peer && npm ci --ignore-scripts && node browser.mjs [N=300]
// CUNBAO_SERVER_BIN=target/release/cunbao-server for a release server (the client is app/dist);
// BENCH_LATENCY_MS=300 delays each sync request on both sides, as on a slow line; BENCH_KBPS=100
// holds both pages to 100 kbit/s each way.
import { join } from "node:path";
import { startPouchServer } from "./pouchdb-server.mjs";
import {
  api,
  launchBrowser,
  newTabletContext,
  seedResidents,
  serverBin,
  signInWithForm,
  startServer,
  waitForAppReady,
} from "../../lib/harness.mjs";
import { median } from "../../lib/stats.mjs";

const N = Number(process.argv[2] ?? 300);
const BATCH = 500;
/** How many times the sync with nothing new is timed on each side (the median is compared). */
const IDLE_ROUNDS = 5;

/** Settles one visit for `person` on the desk, as the clinic's assistant does. */
async function settle(page, person) {
  await page.getByRole("navigation").getByRole("link", { name: "门诊结算" }).click();
  await page.locator("[data-testid=patient], [data-testid=patient-search]").first().waitFor();
  if (await page.getByTestId("patient").isVisible()) await page.getByRole("button", { name: "更换患者" }).click();
  await page.getByTestId("patient-search").fill(person.id_number);
  await page.getByRole("button", { name: /\*{8}/ }).first().click();
  await page.getByTestId("diagnosis-select").selectOption("R50.9");
  await page.getByTestId("catalogue-search").fill("一般诊疗费");
  await page.getByTestId("catalogue-results").getByRole("button").first().click();
  await page.getByTestId("breakdown").waitFor({ timeout: 60_000 });
  await page.getByTestId("confirm-settle").click();
  await page.getByTestId("slip").waitFor({ timeout: 60_000 });
}

/** BENCH_LATENCY_MS=L: each request to the sync server (addresses containing `part`) waits L ms
 *  before it leaves, as on a slow line (a 2G round trip is 300 ms to a second), on both sides. */
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 0);
async function slowLine(context, part) {
  if (!LATENCY) return;
  await context.route((url) => url.pathname.includes(part), async (route) => {
    await new Promise((done) => setTimeout(done, LATENCY));
    await route.continue().catch(() => {});
  });
}

/** BENCH_KBPS=K: each side's page is held to K kbit/s each way by Chromium's own network
 *  throttling (a 2G line carries 50 to 200 kbit/s), on top of BENCH_LATENCY_MS; the tablet
 *  then goes offline and back online through the same throttling. */
const KBPS = Number(process.env.BENCH_KBPS ?? 0);
async function setLine(context, page, offline) {
  if (!KBPS) return context.setOffline(offline);
  page.line ??= await context.newCDPSession(page);
  await page.line.send("Network.enable");
  const rate = KBPS * 125; // bytes a second
  await page.line.send("Network.emulateNetworkConditions", { offline, latency: 0, downloadThroughput: rate, uploadThroughput: rate });
}

/** Watches the sync bar from now: resolves (in the page, as `window.round`) to the
 *  milliseconds until it shows nothing waiting and no round running, a round having run. */
function watchRound(page) {
  return page.evaluate(() => {
    const bar = () => document.querySelector("[data-testid=sync-bar]")?.textContent ?? "";
    performance.clearResourceTimings(); // its buffer (250) is full of the desk's requests
    const t0 = performance.now();
    window.round = new Promise((done) => {
      let started = false;
      const check = () => {
        const text = bar();
        if (text.includes("正在同步")) started = true;
        else if (started && text.includes("待上传 0 ")) {
          watch.disconnect();
          done(performance.now() - t0);
        }
      };
      const watch = new MutationObserver(check);
      watch.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  });
}
/** BENCH_PROFILE=1: where the page's main thread spent the round, by function (self time). */
function printProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const name = `${f.functionName || "(anonymous)"} ${f.url ? f.url.split("/").pop() : ""}`;
    self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`  profile of the round (${total.toFixed(0)} ms sampled), self time:`);
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${name}`);
}

/** Where the round's time went, from the marks the app puts on the performance timeline
 *  (`sync:*`, app/src/sync/mod.rs): the time up to each mark from the one before, summed over
 *  batches and pages. */
async function printPhases(page) {
  const marks = await page.evaluate(() =>
    performance.getEntriesByType("mark").filter((m) => m.name.startsWith("sync:")).map((m) => [m.name.slice(5), m.startTime]),
  );
  const spent = new Map();
  marks.forEach(([name, at], i) => i > 0 && spent.set(name, (spent.get(name) ?? 0) + at - marks[i - 1][1]));
  const total = marks.length ? marks.at(-1)[1] - marks[0][1] : 0;
  console.log(`  the round, ${total.toFixed(0)} ms from its start to its end: ${[...spent].map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(", ")} ms`);
  // Each request of the round: when it left (from the round's start) and how long until its
  // answer had arrived.
  const requests = await page.evaluate((from) =>
    performance.getEntriesByType("resource").filter((r) => r.name.includes("/api/") && r.startTime >= from)
      .map((r) => [new URL(r.name).pathname.split("/").pop(), r.startTime - from, r.responseEnd - r.startTime]),
    marks.length ? marks[0][1] : 0,
  );
  console.log(`  its requests (sent at +ms, answered after ms): ${requests.map(([n, at, ms]) => `${n} +${at.toFixed(0)} ${ms.toFixed(0)}`).join(", ")}`);
}

async function cunbao(browser) {
  const server = await startServer({ name: "peer-browser-cunbao", sampleData: true, env: { CUNBAO_SAMPLE_RESIDENTS: "0" } });
  try {
    const people = await seedResidents(server.url, "lijia", N);
    const context = await newTabletContext(browser);
    await slowLine(context, "/api/");
    const page = await context.newPage();
    await page.goto(server.url);
    await waitForAppReady(page);
    await signInWithForm(page, "lijia");
    await page.getByTestId("sync-bar").filter({ hasText: /待上传 0 · 上次同步 \d/ }).waitFor({ timeout: 120_000 });
    await setLine(context, page, true);
    const desk = performance.now();
    for (let i = 0; i < N; i++) {
      await settle(page, people[i]);
      if ((i + 1) % 50 === 0 || i + 1 === N) console.log(`  desk: ${i + 1} of ${N} visits settled offline (${((performance.now() - desk) / 1000).toFixed(0)} s)`);
    }
    await page.getByTestId("sync-bar").filter({ hasText: `待上传 ${N} ` }).waitFor();
    // Back online: the browser's "online" event starts the round.
    const cdp = process.env.BENCH_PROFILE ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    }
    await watchRound(page);
    await setLine(context, page, false);
    const ms = await page.evaluate(() => window.round);
    if (cdp) printProfile((await cdp.send("Profiler.stop")).profile);
    await printPhases(page);
    const again = [];
    for (let i = 0; i < IDLE_ROUNDS; i++) {
      await watchRound(page);
      await page.evaluate(() => window.dispatchEvent(new Event("online")));
      again.push(await page.evaluate(() => window.round));
    }
    // Every claim reached the server, once: the clinic's feed has N claims.
    const { json: { token } } = await api(server.url, "/api/v1/auth/sign-in", {
      body: { username: "lijia", password: "cunbao2025", device_name: "bench check" },
    });
    let claims = 0;
    for (let after = 0, more = true; more; ) {
      const page = await api(server.url, `/api/v1/sync/pull?after=${after}&limit=5000`, { token });
      claims += page.json.changes.filter((c) => c.entity === "claim").length;
      ({ cursor: after, more } = page.json);
    }
    if (claims !== N) throw new Error(`${claims} claims on the server, ${N} settled`);
    await context.close();
    return { rate: N / (ms / 1000), seconds: ms / 1000, idle: again };
  } finally {
    await server.stop();
  }
}

async function pouch(browser, docs) {
  const server = await startPouchServer("peer-browser-pouch");
  try {
    const context = await browser.newContext();
    await slowLine(context, "/claims");
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    if (KBPS) await setLine(context, page, false);
    await page.addScriptTag({ path: join(import.meta.dirname, "node_modules", "pouchdb", "dist", "pouchdb.min.js") });
    const result = await page.evaluate(async ({ docs, BATCH, IDLE_ROUNDS }) => {
      const local = new PouchDB("claims");
      for (let i = 0; i < docs.length; i += BATCH) await local.bulkDocs(docs.slice(i, i + BATCH));
      const remote = new PouchDB(`${location.origin}/claims`);
      const t0 = performance.now();
      const first = await local.replicate.to(remote, { batch_size: BATCH });
      const ms = performance.now() - t0;
      const idle = [];
      for (let i = 0; i < IDLE_ROUNDS; i++) {
        const t1 = performance.now();
        await local.replicate.to(remote, { batch_size: BATCH });
        idle.push(performance.now() - t1);
      }
      return { ms, written: first.docs_written, idle };
    }, { docs, BATCH, IDLE_ROUNDS });
    await context.close();
    if (result.written !== docs.length) throw new Error(`${result.written} of ${docs.length} written`);
    return { rate: docs.length / (result.ms / 1000), seconds: result.ms / 1000, idle: result.idle };
  } finally {
    server.stop();
  }
}

/** The peer's documents: claims of the shape the desk sends (one visit, two lines). */
async function shape() {
  const server = await startServer({ name: "peer-browser-shape", sampleData: true, env: { CUNBAO_SAMPLE_RESIDENTS: "0" } });
  try {
    const { json: { token } } = await api(server.url, "/api/v1/auth/sign-in", {
      body: { username: "lijia", password: "cunbao2025", device_name: "shape" },
    });
    const handshake = await api(server.url, "/api/v1/sync/handshake", { token });
    const lines = [{ code: "S110200001", name: "一般诊疗费", class: "A", price: "10.00", quantity: "1" }];
    const quote = await api(server.url, "/api/v1/quote", {
      token,
      body: { policy: handshake.json.policy_version, benefit: { type: "general_outpatient" }, lines },
    });
    return Array.from({ length: N }, (_, i) => ({
      _id: `peer-claim-${i}`,
      type: "claim",
      person: `P${i}`,
      visit_date: "2026-01-01",
      diagnoses: [{ code: "R50.9" }],
      identity: { method: "id_card" },
      benefit: { type: "general_outpatient" },
      policy_version: handshake.json.policy_version,
      catalogue_version: handshake.json.catalogue_version,
      lines,
      settlement: quote.json.settlement,
      operator: { username: "lijia", display_name: "李佳" },
    }));
  } finally {
    await server.stop();
  }
}

console.log(`${N} claims from headless Chromium's IndexedDB; Cunbao on SQLite; server binary ${serverBin}${LATENCY ? `; each request delayed ${LATENCY} ms` : ""}${KBPS ? `; ${KBPS} kbit/s each way` : ""}`);
const browser = await launchBrowser();
try {
  const docs = await shape();
  const p = await pouch(browser, docs);
  const c = await cunbao(browser);
  console.log(
    `PouchDB (IndexedDB) → pouchdb-server ${p.rate.toFixed(0)} docs/s (${p.seconds.toFixed(2)} s); ` +
      `Cunbao tablet (IndexedDB, sealed) push + re-settle + pull back ${c.rate.toFixed(0)} claims/s (${c.seconds.toFixed(2)} s); ` +
      `ratio ${(c.rate / p.rate).toFixed(2)}×`,
  );
  const idle = (times) => `median ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(", ")})`;
  console.log(`second sync, nothing new, ${IDLE_ROUNDS} times: PouchDB ${idle(p.idle)}; Cunbao ${idle(c.idle)}`);
} finally {
  await browser.close();
}
