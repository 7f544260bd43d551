// Prints how long the township's dashboard (统计看板) takes to become usable on a tablet slowed
// four times (Chrome's CPU throttling): from navigation to every chart and table drawn, over
// repeated reloads, with the sample data; and the same for the monthly report (月度报表).
// Figures, not pass/fail. The server's own time at county scale is the township bench's
// (`cargo bench -p cunbao-server --bench township`).
//   node bench/dashboard.mjs [reloads=10]
import { launchBrowser, newTabletContext, signInWithForm, startServer, waitForAppReady } from "../lib/harness.mjs";

const reloads = Number(process.argv[2] ?? 10);
const server = await startServer({ name: "bench-dashboard", sampleData: true, env: { CUNBAO_SAMPLE_RESIDENTS: "200" } });
const browser = await launchBrowser();
const context = await newTabletContext(browser, { width: 1280, height: 800 });
const page = await context.newPage();
await page.goto(server.url);
await waitForAppReady(page);
await signInWithForm(page, "admin");
await page.getByTestId("signed-in-as").waitFor();
const cdp = await context.newCDPSession(page);
await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(0)} ms, p95 ${q(0.95).toFixed(0)} ms, max ${s.at(-1).toFixed(0)} ms`;
};

async function time(path, done) {
  const took = [];
  for (let i = 0; i < reloads; i++) {
    await page.goto(`${server.url}${path}`);
    await done();
    took.push(await page.evaluate(() => performance.now()));
  }
  return took;
}

const dashboard = await time("/township/dashboard", async () => {
  for (const panel of ["enrolment", "cash", "months", "rules", "rejections", "syncs"]) {
    await page.getByTestId(`panel-${panel}`).locator("table").waitFor();
  }
});
const report = await time("/township/report", async () => {
  await page.getByTestId("report-syncs").locator("table").waitFor();
});
await browser.close();
await server.stop();
console.log(`4× CPU throttling, ${reloads} loads each (the app's start, the session, the figures, the drawing):`);
console.log(`navigation → dashboard drawn: ${stats(dashboard)}`);
console.log(`navigation → monthly report drawn: ${stats(report)}`);
