// What the API's answer compression costs and saves on a page of changes (figures, not
// pass/fail): a release server with sample data, 300 claims of the clinic pushed by another
// tablet, the first page pulled as it is (no compression), then gzip at levels 1, 6 (the
// compression layer's default) and 9 and brotli at qualities 4, 5 and 11, each timed (median of
// 20) and sized, and how long the page takes at 100 kbit/s in each.
//   cd e2e && CUNBAO_SERVER_BIN=target/release/cunbao-server node bench/page-compression.mjs [claims=300]
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { api, seedClaims, seedResidents, startServer } from "../lib/harness.mjs";
import { median } from "../lib/stats.mjs";

const N = Number(process.argv[2] ?? 300);
const server = await startServer({ name: "page-compression", sampleData: true, env: { CUNBAO_SAMPLE_RESIDENTS: "0" } });
try {
  const people = await seedResidents(server.url, "lijia", N);
  await seedClaims(server.url, "lijia", people, N);
  const { json: { token } } = await api(server.url, "/api/v1/auth/sign-in", {
    body: { username: "lijia", password: "cunbao2025", device_name: "page compression" },
  });
  const res = await fetch(`${server.url}/api/v1/sync/pull?after=0&limit=${N}`, {
    headers: { authorization: `Bearer ${token}`, "accept-encoding": "identity" },
  });
  const page = Buffer.from(await res.arrayBuffer());
  console.log(`a page of ${N} changes (${JSON.parse(page).changes.length} read): ${(page.length / 1024).toFixed(1)} KiB as JSON`);
  const ways = [
    ["gzip 1", (b) => gzipSync(b, { level: 1 })],
    ["gzip 6 (default)", (b) => gzipSync(b, { level: 6 })],
    ["gzip 9", (b) => gzipSync(b, { level: 9 })],
    ...[4, 5, 11].map((q) => [`brotli ${q}`, (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: q, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } })]),
  ];
  for (const [name, pack] of ways) {
    const times = [];
    let size = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = process.hrtime.bigint();
      size = pack(page).length;
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    console.log(`  ${name.padEnd(17)} ${(size / 1024).toFixed(1).padStart(7)} KiB  ${median(times).toFixed(1).padStart(6)} ms to pack  ${((size * 8) / 100_000).toFixed(1).padStart(5)} s at 100 kbit/s`);
  }
} finally {
  await server.stop();
}
