// The tablet's sealed records, read and written from a bench script as the app's vault does
// (app/src/vault): the data key unwrapped with the operator's PIN, records opened and sealed
// with AES-GCM under their store and stored key, ID numbers hashed with HMAC-SHA-256. For
// benches that fill a tablet's database faster than its screens can (nothing here is used by
// the app; a change to the vault's format shows up as a bench that no longer opens a record).
//
//   await installVault(page);
//   await page.evaluate(async (pin) => { const v = await benchVault.open(pin); ... }, "246810");
// where `v` has: open(store, storedKey, envelope) → {k, v}; seal(store, key, value) →
// [storedKey, envelope]; hash(text) → hex. `benchVault.request(req)` awaits an IndexedDB request.

/** Defines `globalThis.benchVault` in the page (run again after a reload). */
export async function installVault(page) {
  await page.evaluate(define);
}

function define() {
  const KEYED = ["persons", "households", "enrolments", "contributions", "claims", "notices"];
  // Index fields kept in clear beside the ciphertext (`IndexName::key_path`); `hashed`: a
  // person's ID number, stored as its keyed hash.
  const INDEXES = {
    outbox: [{ path: "state.state" }],
    claims: [{ path: "person", hashed: true }, { path: "visit_date" }],
    contributions: [{ path: "collected_on" }, { path: "receipt_no" }],
    notices: [{ path: "person", hashed: true }],
  };
  const IV_LEN = 12;
  const subtle = crypto.subtle;
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const base64 = (buf) => {
    let text = "";
    for (const b of new Uint8Array(buf)) text += String.fromCharCode(b);
    return btoa(text);
  };
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const utf8 = (text) => new TextEncoder().encode(text);
  const gcm = (iv, aad) => ({ name: "AES-GCM", iv, additionalData: utf8(aad) });
  const at = (value, path) => path.split(".").reduce((v, field) => v?.[field], value);
  const request = (req) => new Promise((ok, fail) => { req.onsuccess = () => ok(req.result); req.onerror = () => fail(req.error); });

  globalThis.benchVault = {
    /** An IndexedDB request as a promise. */
    request,
    async open(pin) {
      const db = await request(indexedDB.open("cunbao"));
      const record = await request(db.transaction("meta").objectStore("meta").get("pin"));
      db.close();
      if (!record?.wrapped) throw new Error("no PIN record on this tablet");
      const material = await subtle.importKey("raw", utf8(pin), "PBKDF2", false, ["deriveKey"]);
      const pinKey = await subtle.deriveKey(
        { name: "PBKDF2", salt: bytes(record.salt), iterations: record.iterations, hash: "SHA-256" },
        material, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
      const wrapped = bytes(record.wrapped);
      const secret = new Uint8Array(await subtle.decrypt(
        gcm(wrapped.slice(0, IV_LEN), "data-key/pin"), pinKey, wrapped.slice(IV_LEN)));
      const records = await subtle.importKey("raw", secret.slice(0, 32), "AES-GCM", false, ["encrypt", "decrypt"]);
      const index = await subtle.importKey("raw", secret.slice(32), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      const hash = async (text) => hex(await subtle.sign("HMAC", index, utf8(text)));
      return {
        hash,
        async open(store, storedKey, envelope) {
          const sealed = bytes(envelope.sealed);
          const plain = await subtle.decrypt(
            gcm(sealed.slice(0, IV_LEN), `${store}/${storedKey}`), records, sealed.slice(IV_LEN));
          return JSON.parse(new TextDecoder().decode(plain));
        },
        async seal(store, key, value) {
          const storedKey = KEYED.includes(store) ? await hash(key) : key;
          const iv = crypto.getRandomValues(new Uint8Array(IV_LEN));
          const plain = utf8(JSON.stringify({ k: key, v: value }));
          const cipher = new Uint8Array(await subtle.encrypt(gcm(iv, `${store}/${storedKey}`), records, plain));
          const sealed = new Uint8Array(IV_LEN + cipher.length);
          sealed.set(iv);
          sealed.set(cipher, IV_LEN);
          const envelope = { sealed: base64(sealed) };
          for (const { path, hashed } of INDEXES[store] ?? []) {
            const field = at(value, path);
            if (typeof field !== "string") continue;
            const parts = path.split(".");
            let into = envelope;
            for (const part of parts.slice(0, -1)) into = into[part] ??= {};
            into[parts.at(-1)] = hashed ? await hash(field) : field;
          }
          return [storedKey, envelope];
        },
      };
    },
  };
}
