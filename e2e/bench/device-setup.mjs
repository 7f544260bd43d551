// Device setup into IndexedDB, timed in headless Chromium: a clinic tablet signs in and
// downloads a 30,000-item catalogue and its clinic's 5,000 residents' enrolments.
//   node bench/device-setup.mjs [items=30000] [residents=5000]
import { api, launchBrowser, newTabletContext, signInWithForm, startServer, waitForAppReady } from "../lib/harness.mjs";

const items = Number(process.argv[2] ?? 30000);
const residents = Number(process.argv[3] ?? 5000);

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";
function idNumber(n) {
  const birth = new Date(Date.UTC(1940, 0, 1) + (n % 25000) * 86400000);
  const ymd = birth.toISOString().slice(0, 10).replaceAll("-", "");
  const first17 = `45032${n % 2 ? 4 : 5}${ymd}${String(Math.floor(n / 25000) * 10 + (n % 10)).padStart(3, "0")}`;
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * WEIGHTS[i], 0);
  return first17 + CHECK[sum % 11];
}

const server = await startServer({
  name: "bench-setup",
  sampleData: true,
  env: { CUNBAO_SYNTHETIC_CATALOGUE: String(items) },
});
try {
  // Another tablet of the same clinic enrolled the residents earlier.
  const other = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "lijia", password: "cunbao2025", device_name: "earlier tablet" },
  });
  const seen = new Set();
  const mutations = [];
  for (let n = 0; mutations.length < residents; n++) {
    const id = idNumber(n);
    if (seen.has(id)) continue;
    seen.add(id);
    mutations.push({
      seq: mutations.length + 1,
      record_id: `e-${n}`,
      body: {
        type: "enrolment",
        household_id: `h-${Math.floor(n / 3)}`,
        member: { id_number: id, name: "韦秀英", relationship: n % 3 ? "child" : "head" },
        scheme_year: 2025,
        enrolled_on: "2024-10-15",
        policy_version: "county-sample-2025.1",
      },
    });
  }
  for (let i = 0; i < mutations.length; i += 500) {
    const res = await api(server.url, "/api/v1/sync/push", {
      token: other.json.token,
      body: { mutations: mutations.slice(i, i + 500) },
    });
    if (res.status !== 200 || res.json.results.some((r) => r.status !== "applied")) {
      throw new Error(`seeding failed: ${JSON.stringify(res.json).slice(0, 300)}`);
    }
  }

  const browser = await launchBrowser();
  const context = await newTabletContext(browser);
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForAppReady(page);
  const started = Date.now();
  await signInWithForm(page, "lijia");
  await page.getByTestId("catalogue").filter({ hasText: `${items} 项` }).waitFor({ timeout: 120_000 });
  await page.getByTestId("sync-bar").filter({ hasText: "上次同步" }).waitFor({ timeout: 120_000 });
  const elapsed = (Date.now() - started) / 1000;
  const counts = await page.evaluate(
    () =>
      new Promise((ok) => {
        const open = indexedDB.open("cunbao");
        open.onsuccess = () => {
          const tx = open.result.transaction(["catalogue_items", "enrolments"]);
          const a = tx.objectStore("catalogue_items").count();
          const b = tx.objectStore("enrolments").count();
          tx.oncomplete = () => ok({ items: a.result, enrolments: b.result });
        };
      }),
  );
  console.log(
    `device setup: ${counts.items} catalogue items + ${counts.enrolments} enrolments into IndexedDB ` +
      `in ${elapsed.toFixed(1)} s from pressing 登录 (headless Chromium, no CPU throttling)`,
  );
  await browser.close();
} finally {
  await server.stop();
}
