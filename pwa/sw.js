// The service worker (docs/pwa.md); the server fills in VERSION and PRECACHE (pwa.py).

const VERSION = "dev";
const PRECACHE = [];
const PREFIX = "motcua-shell-";
const CACHE = `${PREFIX}${VERSION}`;
const SHELL = new Set(PRECACHE);

self.addEventListener("install", (event) => {
  // never precache stale files
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "no-cache" })))),
  );
  // no skipWaiting: waits for the volunteer's tap
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !SHELL.has(url.pathname)) return; // network as usual
  event.respondWith(
    (async () => {
      const cached = await caches.match(url.pathname, { cacheName: CACHE });
      return cached ?? fetch(request);
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "skip-waiting") self.skipWaiting();
  if (event.data?.type === "version") event.ports[0]?.postMessage({ version: VERSION });
});

// The queue is sealed: only an open, unlocked app can send it.
async function backgroundSync() {
  for (const client of await self.clients.matchAll({ type: "window" }))
    client.postMessage({ type: "sync-request" });
}

self.addEventListener("sync", (event) => {
  if (event.tag === "motcua-sync") event.waitUntil(backgroundSync());
});

// ---- Web Push (motcua.push; kept in step with backend/motcua/static/status-sw.js) ----
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : "" };
  }
  const english = (self.navigator.language || "").toLowerCase().startsWith("en");
  const options = {
    body: (english && message.body_en) || message.body || "",
    lang: english ? "en" : "vi",
    data: { url: message.url || "/" },
  };
  if (message.tag) Object.assign(options, { tag: message.tag, renotify: true });
  event.waitUntil(
    self.registration.showNotification((english && message.title_en) || message.title || "motcua", options),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const wanted = new URL(event.notification.data?.url || "/", self.location.origin);
  const url = wanted.origin === self.location.origin ? wanted.href : `${self.location.origin}/`;
  event.waitUntil(
    (async () => {
      const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const same = open.find((client) => client.url === url);
      return same ? same.focus() : self.clients.openWindow(url);
    })(),
  );
});
