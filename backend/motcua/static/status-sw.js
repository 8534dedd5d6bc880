// The residents' service worker, served at /ho-so/sw.js with the scope /ho-so/. It caches
// nothing: it shows a dossier's news when a push arrives and opens its page when tapped.
"use strict";

// ---- Web Push (the same handlers as the push section at the end of pwa/sw.js) ----
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : "" };
  }
  const english = (self.navigator.language || "").toLowerCase().startsWith("en");
  const title = (english && message.title_en) || message.title || "Hồ sơ của tôi";
  const options = {
    body: (english && message.body_en) || message.body || "",
    lang: english ? "en" : "vi",
    data: { url: message.url || "/" },
  };
  if (message.tag) {
    options.tag = message.tag; // one notification per dossier: the newest replaces the older
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const wanted = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  const url = wanted.origin === self.location.origin ? wanted.href : self.location.origin + "/";
  event.waitUntil(
    (async () => {
      const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const same = open.find((client) => client.url === url);
      if (same) return same.focus();
      return self.clients.openWindow(url);
    })(),
  );
});
