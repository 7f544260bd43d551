// Cunbao's service worker: keeps the app shell so the app opens with no network.
//
// The server prepends two constants to this file for each build (server/src/client.rs):
//   BUILD_VERSION  a digest of every file of the build
//   PRECACHE       the URLs of the shell: "/", the hashed JS, wasm and CSS, manifest, icons
//                  (the clinic's build; the township's, under /township, is not kept)
// A new deployment therefore means a byte-different worker: the browser installs it, it caches
// the whole new shell in a new cache (all or nothing), takes over, and deletes the old cache.
// Pages are always answered from one version's cache, so new JS never meets an old wasm.

const CACHE = `cunbao-shell-${BUILD_VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Revalidate every file with the server (ETags make unchanged ones a cheap 304): the
      // browser's HTTP cache may still hold the previous build's index.html.
      await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "no-cache" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("cunbao-shell-") && key !== CACHE) {
          await caches.delete(key);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // Only this origin's shell; the API always goes to the network.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  // The township's build (under /township) is online only and not kept: from the network, and
  // offline the clinic's shell, which says the township's screens need a network.
  const township = url.pathname === "/township" || url.pathname.startsWith("/township/");
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      if (township && request.mode === "navigate") {
        try {
          return await fetch(request);
        } catch (err) {
          return (await cache.match("/")) || Promise.reject(err);
        }
      }
      // Every other client-side route is the clinic's app: answer navigations with the cached
      // index.
      const cached = await cache.match(request.mode === "navigate" ? "/" : request, {
        ignoreSearch: request.mode === "navigate",
      });
      return cached || fetch(request);
    })(),
  );
});
