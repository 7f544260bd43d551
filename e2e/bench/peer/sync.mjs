// Sync side by side (issue 18), figures not pass/fail: in one run on this machine, alternating,
//   - PouchDB (on disk, leveldb) replicating N claim documents of Cunbao's real shape to
//     pouchdb-server (on disk) on loopback, 500 a batch;
//   - Cunbao: a tablet's N claims pushed to the real server (500 a push: each re-settled under
//     the policy with the risk rules, committed with the device's sequence), then its pull of
//     the changes back to the end, the first page with the last push's answer, as the app does
//     (on SQLite, or on PostgreSQL with CUNBAO_TEST_DATABASE_URL);
// each side's records/s and the ratio, then the second sync with nothing new on both sides.
// Node on loopback; browser.mjs is the same from headless Chromium's IndexedDB.
//   cd e2e/bench/peer && npm ci --ignore-scripts && node sync.mjs [N=10000] [rounds=2]
// (leveldown loads its bundled linux-x64 prebuild; nothing is built or downloaded.)
// Where the server's time goes: wrap the server in `perf record -D -1 --control fifo:F ...`
// (CUNBAO_SERVER_BIN naming the wrapper) and set CUNBAO_PERF_FIFO=F: only the timed push and
// pull are recorded. CUNBAO_ONLY=1 leaves PouchDB out (comparing two server builds).
// A release server is fairer: cargo build --release -p cunbao-server and
// CUNBAO_SERVER_BIN=target/release/cunbao-server (the harness's default is the debug build).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPouchServer } from "./pouchdb-server.mjs";
import PouchDB from "pouchdb";
import { api, chinaToday, seedResidents, serverBin, startServer, yearOf, addDays } from "../../lib/harness.mjs";

const N = Number(process.argv[2] ?? 10000);
const ROUNDS = Number(process.argv[3] ?? 2);
const BATCH = 500;

/** N claims as a clinic's tablet sends them: one first visit of the year for each person. */
async function claims(url, token, people) {
  const handshake = await api(url, "/api/v1/sync/handshake", { token });
  const lines = [
    { code: "XJ01CAA001", name: "阿莫西林胶囊", class: "A", price: "12.50", quantity: "1" },
    { code: "S110200001", name: "一般诊疗费", class: "A", price: "10.00", quantity: "1" },
  ];
  const quote = await api(url, "/api/v1/quote", {
    token,
    body: { policy: "county-sample-2025.1", benefit: { type: "general_outpatient" }, lines },
  });
  const today = chinaToday();
  const first = `${yearOf(today)}-01-01`;
  const days = Math.round((Date.parse(today) - Date.parse(first)) / 86400000) + 1;
  return people.map((p, i) => ({
    seq: i + 1,
    record_id: `peer-claim-${i}`,
    body: {
      type: "claim",
      person: p.id_number,
      visit_date: addDays(first, Math.floor((i * days) / people.length)),
      diagnoses: [{ code: "J06.9" }],
      identity: { method: "id_card" },
      benefit: { type: "general_outpatient" },
      policy_version: handshake.json.policy_version,
      catalogue_version: handshake.json.catalogue_version,
      lines,
      settlement: quote.json.settlement,
    },
  }));
}

/** On PostgreSQL when `CUNBAO_TEST_DATABASE_URL` names a server (`source scripts/postgres.sh`
 *  starts one): a fresh database each round. */
function database(round) {
  const admin = process.env.CUNBAO_TEST_DATABASE_URL;
  if (!admin) return {};
  const name = `cunbao_peer_${process.pid}_${round}`;
  execFileSync("psql", [admin, "-q", "-c", `CREATE DATABASE ${name}`]);
  return { DATABASE_URL: `${admin.slice(0, admin.lastIndexOf("/"))}/${name}` };
}

async function cunbaoRound(round) {
  const server = await startServer({
    name: `peer-cunbao-${round}`,
    sampleData: true,
    env: { CUNBAO_SAMPLE_RESIDENTS: "0", ...database(round) },
  });
  try {
    const people = await seedResidents(server.url, "lijia", N);
    const { json: { token } } = await api(server.url, "/api/v1/auth/sign-in", {
      body: { username: "lijia", password: "cunbao2025", device_name: `bench tablet ${round}` },
    });
    const mutations = await claims(server.url, token, people);
    let cursor = (await pullAll(server.url, token, 0)).cursor;
    perfControl("enable");
    const start = performance.now();
    let applied = 0;
    let first;
    for (let i = 0; i < mutations.length; i += BATCH) {
      // The last batch brings the first page of changes back with its answer, as the app's does.
      const last = i + BATCH >= mutations.length;
      const path = last ? `/api/v1/sync/push?pull_after=${cursor}&pull_limit=1000` : "/api/v1/sync/push";
      const res = await api(server.url, path, { token, body: { mutations: mutations.slice(i, i + BATCH) } });
      if (res.status !== 200) throw new Error(`push: ${JSON.stringify(res.json).slice(0, 300)}`);
      applied += res.json.results.filter((r) => r.status === "applied").length;
      if (last) first = res.json.pulled;
    }
    const pushed = performance.now();
    const rest = first.more ? await pullAll(server.url, token, first.cursor) : { cursor: first.cursor, changes: 0 };
    const pulled = { cursor: rest.cursor, changes: first.changes.length + rest.changes };
    const seconds = (performance.now() - start) / 1000;
    const pullSeconds = (performance.now() - pushed) / 1000;
    perfControl("disable");
    cursor = pulled.cursor;
    const again = performance.now();
    await api(server.url, "/api/v1/sync/handshake", { token });
    const nothing = await pullAll(server.url, token, cursor);
    const idle = performance.now() - again;
    if (applied !== N) throw new Error(`${applied} of ${N} applied`);
    return { rate: N / seconds, seconds, pullSeconds, pulled: pulled.changes, idle, idleChanges: nothing.changes };
  } finally {
    await server.stop();
  }
}

function perfControl(command) {
  if (process.env.CUNBAO_PERF_FIFO) writeFileSync(process.env.CUNBAO_PERF_FIFO, `${command}\n`);
}

async function pullAll(url, token, after) {
  let cursor = after;
  let changes = 0;
  for (;;) {
    const res = await api(url, `/api/v1/sync/pull?after=${cursor}&limit=1000`, { token });
    if (res.status !== 200) throw new Error(`pull: ${JSON.stringify(res.json).slice(0, 300)}`);
    changes += res.json.changes.length;
    cursor = res.json.cursor;
    if (!res.json.more) return { cursor, changes };
  }
}

async function pouchRound(round, docs) {
  const server = await startPouchServer(`peer-pouch-${round}`);
  try {
    const remoteUrl = `${server.url}/claims`;
    const local = new PouchDB(join(server.dir, "local"));
    for (let i = 0; i < docs.length; i += BATCH) await local.bulkDocs(docs.slice(i, i + BATCH));
    const remote = new PouchDB(remoteUrl);
    const start = performance.now();
    const result = await local.replicate.to(remote, { batch_size: BATCH });
    const seconds = (performance.now() - start) / 1000;
    const again = performance.now();
    const second = await local.replicate.to(remote, { batch_size: BATCH });
    const idle = performance.now() - again;
    if (result.docs_written !== docs.length) throw new Error(`${result.docs_written} of ${docs.length} written`);
    await local.close();
    await remote.close();
    return { rate: docs.length / seconds, seconds, idle, idleChanges: second.docs_written };
  } finally {
    server.stop();
  }
}

// The peer's documents: the same claims, as the documents a CouchDB-protocol tablet would keep.
const shape = await (async () => {
  const server = await startServer({ name: "peer-shape", sampleData: true, env: { CUNBAO_SAMPLE_RESIDENTS: "0" } });
  try {
    const { json: { token } } = await api(server.url, "/api/v1/auth/sign-in", {
      body: { username: "lijia", password: "cunbao2025", device_name: "shape" },
    });
    const people = Array.from({ length: N }, (_, i) => ({ id_number: `P${i}` }));
    return (await claims(server.url, token, people)).map((m) => ({ _id: m.record_id, ...m.body }));
  } finally {
    await server.stop();
  }
})();

const backend = process.env.CUNBAO_TEST_DATABASE_URL ? "PostgreSQL" : "SQLite";
console.log(`${N} claims, ${ROUNDS} rounds alternating; Cunbao on ${backend}; server binary ${serverBin}`);
const rows = [];
for (let round = 1; round <= ROUNDS; round++) {
  const pouch = process.env.CUNBAO_ONLY ? { rate: NaN, seconds: NaN, idle: NaN } : await pouchRound(round, shape);
  const cunbao = await cunbaoRound(round);
  rows.push({ round, pouch, cunbao });
  console.log(
    `round ${round}: PouchDB → pouchdb-server ${pouch.rate.toFixed(0)} docs/s (${pouch.seconds.toFixed(1)} s); ` +
      `Cunbao push + re-settle + pull back ${cunbao.rate.toFixed(0)} claims/s (${cunbao.seconds.toFixed(2)} s, of which pull ${cunbao.pullSeconds.toFixed(2)} s, ${cunbao.pulled} changes pulled); ` +
      `ratio ${(cunbao.rate / pouch.rate).toFixed(2)}×`,
  );
  console.log(
    `         second sync, nothing new: PouchDB ${pouch.idle.toFixed(0)} ms (${pouch.idleChanges} written); Cunbao ${cunbao.idle.toFixed(0)} ms (${cunbao.idleChanges} changes)`,
  );
}
