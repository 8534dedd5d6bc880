// The volunteer app's service worker. The offline shell arrives with the PWA issue; until
// then it only takes control so the app is installable.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
