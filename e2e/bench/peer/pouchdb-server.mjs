// pouchdb-server (leveldb, on disk) on a free loopback port, for the side-by-side benches.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort, scratchDir } from "../../lib/harness.mjs";

/** Starts pouchdb-server in a scratch directory (`dir`, which the caller may use too) and waits
 *  until it answers at `url`; `stop()` ends it. */
export async function startPouchServer(name) {
  const port = await freePort();
  const dir = scratchDir(`${name}-`);
  const bin = join(import.meta.dirname, "node_modules", ".bin", "pouchdb-server");
  mkdirSync(join(dir, "server"), { recursive: true });
  const server = spawn(bin, ["--port", String(port), "--dir", join(dir, "server"), "--config", join(dir, "config.json")], {
    cwd: dir,
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, dir, stop: () => server.kill() };
}
