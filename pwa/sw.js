// The app's service worker: cache-first shell, updates when the volunteer says so, Background Sync.
// The server fills in VERSION and PRECACHE (backend/motcua/pwa.py).

import { createApi } from "/app/js/api.js";
import { openDb } from "/app/js/db.js";
import { syncNow } from "/app/js/sync.js";

const VERSION = "dev";
const PRECACHE = [];
const PREFIX = "motcua-shell-";
const CACHE = `${PREFIX}${VERSION}`;
const SHELL = new Set(PRECACHE);

self.addEventListener("install", (event) => {
  // "no-cache": revalidate with the server, so a new version never precaches stale files.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "no-cache" })))),
  );
  // No skipWaiting here: a new version waits until the volunteer taps "reload".
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

/** The app is open: it syncs itself and shows progress. Closed: sync here. */
async function backgroundSync() {
  const windows = await self.clients.matchAll({ type: "window" });
  if (windows.length) {
    for (const client of windows) client.postMessage({ type: "sync-request" });
    return;
  }
  const db = await openDb();
  try {
    const session = await db.get("meta", "session");
    if (!session || Date.parse(session.expires_at) <= Date.now()) return;
    const status = await syncNow({ db, api: createApi({ getToken: () => session.token }) });
    // Failing the event makes the browser try again later, with its own backoff.
    if (!status.ok && status.kind !== "auth") throw new Error(`sync failed: ${status.kind}`);
  } finally {
    db.close();
  }
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
