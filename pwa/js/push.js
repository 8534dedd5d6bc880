// Web Push on the volunteer's phone: new assignments and their residents' news (motcua.push).
// Call enableNotifications(api) from a button (the permission prompt needs a tap), and
// disableNotifications(api) at sign-out. `api` is createApi() of api.js, signed in.

function keyBytes(base64url) {
  const text = atob(
    base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4),
  );
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** "unsupported" | "denied" | "default" | "on": what the settings screen should show. */
export async function notificationState() {
  if (!("serviceWorker" in navigator) || !("PushManager" in globalThis) || !("Notification" in globalThis))
    return "unsupported";
  if (Notification.permission !== "granted") return Notification.permission;
  const registration = await navigator.serviceWorker.ready;
  return (await registration.pushManager.getSubscription()) ? "on" : "default";
}

/** Ask, subscribe with the server's key, and tell the server; resolves to notificationState(). */
export async function enableNotifications(api) {
  if ((await notificationState()) === "unsupported") return "unsupported";
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return permission;
  const registration = await navigator.serviceWorker.ready;
  const { data } = await api.get("/api/push/key");
  const subscription =
    (await registration.pushManager.getSubscription()) ||
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(data.public_key),
    }));
  const answer = await api.post("/api/push/subscriptions", subscription.toJSON());
  if (answer.status !== 201) throw new Error(`push subscription refused: ${answer.status}`);
  return "on";
}

/** Stop this phone's notifications (on the server and in the browser). */
export async function disableNotifications(api) {
  if ((await notificationState()) !== "on") return;
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  await api.post("/api/push/subscriptions/remove", { endpoint: subscription.endpoint });
  await subscription.unsubscribe();
}
