// More: language, the device PIN, locking, signing out (which wipes this phone's personal data
// after warning about anything unsent), and what version is running.

import { formatDate, lang, t } from "../i18n.js";
import { disableNotifications, enableNotifications, notificationState } from "../push.js";
import { ask, h, heading, toast } from "../ui.js";

async function signOut(app) {
  const unsent = await app.unsentCount();
  const choice = await ask({
    title: t("sign_out"),
    text: unsent ? t("sign_out_unsent", { n: unsent }) : t("sign_out_clean"),
    actions: [
      { label: t("cancel"), value: "cancel", kind: "secondary" },
      ...(unsent ? [{ label: t("nav_sync"), value: "sync", kind: "secondary" }] : []),
      { label: unsent ? t("sign_out_anyway") : t("sign_out"), value: "out", kind: "danger" },
    ],
  });
  if (choice === "sync") app.navigate("#/sync");
  if (choice === "out") await app.signOut();
}

async function workerVersion() {
  const registration = await navigator.serviceWorker?.getRegistration?.();
  const worker = registration?.active;
  if (!worker) return null;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data?.version ?? null);
    worker.postMessage({ type: "version" }, [channel.port2]);
    setTimeout(() => resolve(null), 1000);
  });
}

/** New assignments and residents' news by Web Push: a switch, since the browser asks on a tap. */
async function notificationsButton(app) {
  const state = await notificationState().catch(() => "unsupported");
  if (state === "unsupported") return h("p", { class: "hint" }, t("notifications_unsupported"));
  if (state === "denied") return h("p", { class: "hint" }, t("notifications_denied"));
  const on = state === "on";
  return h(
    "button",
    {
      type: "button",
      class: "secondary",
      "aria-pressed": on ? "true" : "false",
      onclick: async () => {
        try {
          if (on) await disableNotifications(app.api);
          else await enableNotifications(app.api);
        } catch {
          toast(t("notifications_failed"), "error");
        }
        app.refresh();
      },
    },
    on ? t("notifications_off") : t("notifications_on"),
  );
}

export const live = true;

export async function render(app) {
  const session = app.session;
  const version = h("p", { class: "hint" });
  workerVersion().then((v) => {
    version.textContent = t("app_version", { version: v ?? "—" });
  });
  return h(
    "section",
    { class: "screen" },
    heading(t("more_title")),
    h(
      "div",
      { class: "card" },
      h("p", {}, t("signed_in_as", { name: session.user.full_name, phone: session.user.phone })),
      h("p", { class: "hint" }, t("device_code", { code: session.device_code })),
      h("p", { class: "hint" }, t("session_until", { date: formatDate(session.expires_at) })),
    ),
    h(
      "fieldset",
      { class: "field choices" },
      h("legend", {}, t("language")),
      [
        ["vi", "Tiếng Việt"],
        ["en", "English"],
      ].map(([code, label]) =>
        h(
          "label",
          { class: "choice", lang: code },
          h("input", {
            type: "radio",
            name: "lang",
            value: code,
            checked: lang() === code,
            onchange: () => app.setLang(code),
          }),
          h("span", {}, label),
        ),
      ),
    ),
    app.installPrompt
      ? h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: async () => {
              await app.installPrompt.prompt();
              app.installPrompt = null;
              app.refresh();
            },
          },
          t("install"),
        )
      : null,
    await notificationsButton(app),
    h("button", { type: "button", class: "secondary", onclick: () => app.openGate("pin") }, t("change_pin")),
    h("button", { type: "button", class: "secondary", onclick: () => app.lock() }, t("lock_now")),
    h("button", { type: "button", class: "danger", onclick: () => signOut(app) }, t("sign_out")),
    version,
  );
}
