// Device setup into IndexedDB, timed in headless Chromium: a clinic tablet signs in and
// downloads a 30,000-item catalogue and its clinic's 5,000 residents' enrolments.
//   node bench/device-setup.mjs [items=30000] [residents=5000]
import { launchBrowser, newTabletContext, seedResidents, signInWithForm, startServer, waitForAppReady } from "../lib/harness.mjs";

const items = Number(process.argv[2] ?? 30000);
const residents = Number(process.argv[3] ?? 5000);

const server = await startServer({
  name: "bench-setup",
  sampleData: true,
  env: { CUNBAO_SYNTHETIC_CATALOGUE: String(items) },
});
try {
  // Another tablet of the same clinic enrolled the residents earlier.
  await seedResidents(server.url, "lijia", residents);

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
