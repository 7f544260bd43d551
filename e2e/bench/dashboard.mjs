// Prints how long the township's dashboard (统计看板) takes to become usable on a tablet slowed
// four times (Chrome's CPU throttling), with the sample data: from a click in the navigation
// bar to every chart and table drawn (the figures asked and drawn), and from a reload through
// the PIN to the same (the app's start too); and a click to the monthly report (月度报表) drawn.
// Figures, not pass/fail. The server's own time at county scale is the township bench's
// (`cargo bench -p cunbao-server --bench township`).
//   node bench/dashboard.mjs [reloads=10]
import { launchBrowser, newTabletContext, signInWithForm, startServer, unlockWithPin, waitForAppReady } from "../lib/harness.mjs";

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

const nav = (name) => page.getByRole("navigation").getByRole("link", { name });
const dashboardDrawn = async () => {
  for (const panel of ["enrolment", "cash", "months", "rules", "rejections", "syncs"]) {
    await page.getByTestId(`panel-${panel}`).locator("table").waitFor();
  }
};
const reportDrawn = () => page.getByTestId("report-syncs").locator("table").waitFor();

// From the 平板管理 page, a click on the section to it drawn.
async function click(name, drawn) {
  const took = [];
  for (let i = 0; i < reloads; i++) {
    await nav("平板管理").click();
    await page.getByTestId("devices").waitFor();
    const start = Date.now();
    await nav(name).click();
    await drawn();
    took.push(Date.now() - start);
  }
  return took;
}

const clickDashboard = await click("统计看板", dashboardDrawn);
const clickReport = await click("月度报表", reportDrawn);
const reload = [];
await nav("统计看板").click();
await dashboardDrawn();
for (let i = 0; i < reloads; i++) {
  const start = Date.now();
  await page.reload();
  await waitForAppReady(page);
  await unlockWithPin(page);
  await dashboardDrawn();
  reload.push(Date.now() - start);
}
await browser.close();
await server.stop();
console.log(`4× CPU throttling, ${reloads} times each:`);
console.log(`click 统计看板 → every chart and table drawn: ${stats(clickDashboard)}`);
console.log(`click 月度报表 → the report drawn: ${stats(clickReport)}`);
console.log(`reload → PIN → dashboard drawn (the app's start included): ${stats(reload)}`);
