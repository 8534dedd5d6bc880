// The status page's "Nhận thông báo" button: subscribe this browser to the dossier's news.
// Without JavaScript, service workers or Push, the page still shows everything else and says
// that the volunteer will bring the news instead. A finished dossier has no such box.
(() => {
  "use strict";
  // The secret opened the page and left a cookie: take it out of the address bar and history.
  if (new URLSearchParams(location.search).has("k")) history.replaceState(null, "", location.pathname + location.hash);
  const box = document.getElementById("thong-bao");
  if (!box) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;

  const code = box.dataset.code;
  const on = document.getElementById("push-on");
  const off = document.getElementById("push-off");
  const retry = document.getElementById("push-retry");
  const still = document.getElementById("push-still");
  const everything = document.getElementById("push-everything");
  const base = `/ho-so/${encodeURIComponent(code)}/push`;

  function show(state) {
    for (const el of box.querySelectorAll("[data-state]")) el.hidden = el.dataset.state !== state;
    for (const el of box.querySelectorAll("[data-when]")) el.hidden = el.dataset.when !== state;
    on.hidden = !(state === "off" || state === "error");
    off.hidden = state !== "on";
    retry.hidden = state !== "denied";
    box.dataset.now = state;
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": box.dataset.csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }

  function keyBytes(base64url) {
    const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4));
    return Uint8Array.from(text, (c) => c.charCodeAt(0));
  }

  const ready = navigator.serviceWorker.register("/ho-so/sw.js", { scope: "/ho-so/" }).then(() => navigator.serviceWorker.ready);

  async function start() {
    if (Notification.permission === "denied") return show("denied");
    const registration = await ready;
    const current = await registration.pushManager.getSubscription();
    if (!current) return show("off");
    const state = await post(`${base}/state`, { endpoint: current.endpoint });
    show(state.following ? "on" : "off");
  }

  async function turnOn(button) {
    button.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") return show(permission === "denied" ? "denied" : "off");
      const registration = await ready;
      const subscription =
        (await registration.pushManager.getSubscription()) ||
        (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key) }));
      await post(base, { subscription: subscription.toJSON(), everything: everything.checked });
      show("on");
    } catch (error) {
      console.warn("push subscription failed", error);
      show("error");
    } finally {
      button.disabled = false;
    }
  }

  on.addEventListener("click", () => turnOn(on));

  // Blocked: the resident (or the volunteer) allows notifications in the browser's site
  // settings and comes back; while still blocked, say so again.
  retry.addEventListener("click", () => {
    still.hidden = Notification.permission !== "denied";
    if (Notification.permission !== "denied") turnOn(retry);
  });

  off.addEventListener("click", async () => {
    off.disabled = true;
    try {
      const registration = await ready;
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        const answer = await post(`${base}/remove`, { endpoint: subscription.endpoint });
        // Other dossiers may still be followed from this browser: unsubscribe only when none is.
        if (answer.subscription_removed) await subscription.unsubscribe();
      }
      show("off");
    } catch (error) {
      console.warn("push unsubscribe failed", error);
      show("error");
    } finally {
      off.disabled = false;
    }
  });

  start().catch((error) => {
    console.warn("push unavailable", error);
    show("unsupported");
  });
})();
