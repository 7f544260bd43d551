// The desk with a long outbox: entries are kept for the scheme year, so a busy clinic's tablet
// holds thousands by the autumn. Settles one visit with the outbox as it is, then adds N answered
// entries and N claims of other patients (copies of the last ones, sealed as the app seals them
// and written straight into IndexedDB),
// reloads, and settles two more — offline, at 4× CPU throttling. Prints, per save: click → slip
// in the page and the long tasks (main thread blocked) from the click to 2 s after; and how long
// picking the patient took to show a breakdown.
// Prints figures; nothing here passes or fails.
//   node bench/outbox-scale.mjs [N=5000]
import { chinaToday, launchBrowser, newTabletContext, seedResidents, signInWithForm, startServer, unlockWithPin, waitForAppReady } from "../lib/harness.mjs";
import { installVault } from "../lib/vault.mjs";

const PIN = "246810";
const N = Number(process.argv[2] ?? 5000);
const server = await startServer({ name: "outbox-scale", sampleData: true });
const browser = await launchBrowser();
try {
  const people = await seedResidents(server.url, "lijia", 50);
  const context = await newTabletContext(browser);
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  await signInWithForm(page, "lijia", undefined, PIN);
  await page.getByTestId("sync-bar").filter({ hasText: "上次同步" }).waitFor({ timeout: 60_000 });
  await context.setOffline(true);
  // Let the desk finish loading before the first visit.
  await page.getByRole("navigation").getByRole("link", { name: "门诊结算" }).click();
  await page.waitForTimeout(3000);
  const settle = async (v) => {
    await page.getByRole("navigation").getByRole("link", { name: "门诊结算" }).click();
    await page.locator("[data-testid=patient], [data-testid=patient-search]").first().waitFor();
    if (await page.getByTestId("patient").isVisible()) await page.getByRole("button", { name: "更换患者" }).click();
    await page.getByTestId("patient-search").fill(people[v].id_number);
    const picked = performance.now();
    await page.getByRole("button", { name: /\*{8}/ }).first().click();
    await page.getByTestId("diagnosis-select").selectOption("R50.9");
    await page.getByTestId("catalogue-search").fill("一般诊疗费");
    await page.getByTestId("catalogue-results").getByRole("button").first().click();
    await page.getByTestId("breakdown").waitFor({ timeout: 60_000 });
    const toBreakdown = performance.now() - picked;
    const save = await page.evaluate(() => new Promise((ok) => {
      const t0 = performance.now();
      let longTasks = 0;
      const tasks = new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks += e.duration; });
      tasks.observe({ type: "longtask" });
      const seen = new MutationObserver(() => {
        if (!document.querySelector("[data-testid=slip]")) return;
        seen.disconnect();
        const slip = performance.now() - t0;
        setTimeout(() => { tasks.disconnect(); ok({ slip, longTasks }); }, 2000);
      });
      seen.observe(document.body, { subtree: true, childList: true });
      document.querySelector("[data-testid=confirm-settle]").click();
    }));
    const f = (ms) => `${ms.toFixed(0)} ms`;
    return `patient picked → breakdown shown ${f(toBreakdown)} (with Playwright's steps); ` +
      `click → slip ${f(save.slip)}; long tasks from the click to 2 s after the slip: ${f(save.longTasks)}`;
  };
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  console.log(`outbox as it is: ${await settle(1)}`);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  // The long outbox a year leaves: N answered entries (copies of the visit just settled, under
  // new record ids) before the one still waiting, which moves to the end of the sequence; the
  // outbox's answered mark after them; and N claims of 2,000 other patients (copies of the
  // visit). Written straight into IndexedDB, sealed as the app seals them (e2e/lib/vault.mjs).
  await installVault(page);
  await page.evaluate(async ({ N, year, pin }) => {
    const vault = await benchVault.open(pin);
    const { request } = benchVault;
    const db = await request(indexedDB.open("cunbao"));
    // One read per transaction: a transaction ends while WebCrypto works.
    const store = (name) => db.transaction(name).objectStore(name);
    const cursor = await request(store("outbox").openCursor(null, "prev"));
    const lastKey = cursor.key;
    const waiting = (await vault.open("outbox", lastKey, cursor.value)).v;
    const claimKey = await vault.hash(waiting.mutation.record_id);
    const claim = (await vault.open("claims", claimKey, await request(store("claims").get(claimKey)))).v;
    const lastSeq = Number(lastKey);
    const key = (seq) => String(seq).padStart(20, "0");
    const outbox = [], claims = [];
    for (let i = 0; i < N; i++) {
      const e = structuredClone(waiting);
      e.mutation.seq = lastSeq + i;
      e.mutation.record_id = crypto.randomUUID();
      e.state = { state: "applied" };
      outbox.push(await vault.seal("outbox", key(lastSeq + i), e));
      const c = structuredClone(claim);
      c.claim_id = e.mutation.record_id;
      c.person = `11010519${String(500000 + (i % 2000)).padStart(8, "0")}X`;
      c.visit_date = `${year}-0${1 + (i % 9)}-1${i % 10}`;
      claims.push(await vault.seal("claims", c.claim_id, c));
    }
    waiting.mutation.seq = lastSeq + N;
    outbox.push(await vault.seal("outbox", key(lastSeq + N), waiting));
    const tx = db.transaction(["outbox", "claims", "meta"], "readwrite");
    for (const [k, envelope] of outbox) tx.objectStore("outbox").put(envelope, k);
    for (const [k, envelope] of claims) tx.objectStore("claims").put(envelope, k);
    tx.objectStore("meta").put(lastSeq + N - 1, "outbox_answered_through");
    await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
    db.close();
  }, { N, year: Number(chinaToday().slice(0, 4)), pin: PIN });
  await page.reload();
  await unlockWithPin(page, PIN);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  console.log(`outbox +${N}: ${await settle(2)}`);
  console.log(`outbox +${N}, again: ${await settle(3)}`);
  // The answered entries stay answered: three visits wait (the first, moved after them, and two).
  console.log(`sync bar: ${(await page.getByTestId("sync-bar").innerText()).replace(/\s+/g, " ")}`);
} finally { await browser.close(); await server.stop(); }
