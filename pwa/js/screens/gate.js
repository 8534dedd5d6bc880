// Before the app: sign-in (online, once), setting the device PIN, and the lock screen.

import { ApiFailure } from "../api.js";
import { deleteDb, getMeta, openDb, setMeta } from "../db.js";
import { lang, message, t } from "../i18n.js";
import { MAX_PIN_TRIES, makePinRecord, pinProblem, verifyPin } from "../lock.js";
import { field, h } from "../ui.js";

/** A failure that a better signal could cure. */
const NETWORK_FAILURES = new Set(["offline", "unreachable", "timeout"]);

function failureText(error) {
  if (error instanceof ApiFailure) {
    if (error.kind === "auth") return message(error.body) || t("sign_in_failed", { status: 401 });
    if (error.kind === "offline") return t("sign_in_offline");
    return t(`error.${error.kind}`, { status: error.status });
  }
  return String(error?.message ?? error);
}

function languageSwitch(app) {
  return h(
    "button",
    { type: "button", class: "link lang-switch", onclick: () => app.setLang(lang() === "en" ? "vi" : "en") },
    t("switch_lang"),
  );
}

/**
 * Sign in with the password and start this phone's session; the text of what went wrong, or null.
 * Signing in as another volunteer deletes the previous one's data, unless some is still unsent.
 * ``onNoSignal`` is told when the request could not reach the server.
 */
async function signIn(app, previous, reason, credentials, onNoSignal) {
  let answer;
  try {
    answer = await app.api.post(
      "/api/auth/login",
      { ...credentials, device_label: `PWA · ${navigator.userAgent.slice(0, 90)}` },
      { timeout: 30_000 },
    );
  } catch (failure) {
    if (NETWORK_FAILURES.has(failure?.kind)) onNoSignal();
    return failureText(failure);
  }
  if (answer.status !== 201) return message(answer.data) || t("sign_in_failed", { status: answer.status });
  const data = answer.data;
  if (previous && previous.user.id !== data.user.id) {
    const unsent = await app.unsentCount();
    if (unsent) {
      await app.api
        .request("POST", "/api/auth/logout", { headers: { authorization: `Bearer ${data.token}` } })
        .catch(() => {});
      return t("other_user_unsent", { n: unsent, name: previous.user.full_name });
    }
    // Another volunteer's residents must not stay on the phone.
    app.db.close();
    await deleteDb();
    app.db = await openDb();
  }
  app.session = {
    token: data.token,
    session_id: data.session_id,
    expires_at: data.expires_at,
    user: data.user,
    device_code: data.device_code,
  };
  await setMeta(app.db, "session", app.session);
  await setMeta(app.db, "pinTries", 0);
  if (reason === "forgot_pin" || (await getMeta(app.db, "reauth"))) {
    await app.db.delete("meta", "pin"); // proven by the password: a new PIN may be set
    await app.db.delete("meta", "reauth");
  }
  navigator.storage?.persist?.().catch(() => {});
  return null;
}

/** Villages and the catalogue right after signing in, so the app works offline from the start. */
async function loadFirstData(app) {
  try {
    const { refreshCatalogue, refreshPlaces } = await import("../sync.js");
    await refreshPlaces(app);
    await refreshCatalogue(app);
  } catch {
    // the first sync tries again
  }
}

/**
 * "Signing in again needs a signal": shown while the phone has no network, and after a sign-in
 * that failed for the lack of one. Watches the network for as long as the sign-in is shown.
 */
function signalNotice(again) {
  const notice = h(
    "p",
    { class: "notice warn signal", role: "status", hidden: navigator.onLine },
    t(again ? "sign_in_needs_signal" : "sign_in_needs_signal_first"),
  );
  const watch = () => {
    if (!notice.isConnected) {
      window.removeEventListener("online", watch);
      window.removeEventListener("offline", watch);
      return;
    }
    notice.hidden = navigator.onLine;
  };
  window.addEventListener("online", watch);
  window.addEventListener("offline", watch);
  return {
    element: notice,
    show() {
      notice.hidden = false;
    },
  };
}

/** The way back to the PIN from a sign-in the volunteer chose ("forgot the PIN"), when this phone
 * still holds a live session and a PIN: signing in again needs a network the village may lack. */
async function pinWayBack(app, reason) {
  if (reason !== "forgot_pin" || !app.session) return null;
  if (Date.parse(app.session.expires_at) <= Date.now()) return null;
  if (!(await getMeta(app.db, "pin")) || (await getMeta(app.db, "reauth"))) return null;
  return h(
    "button",
    { type: "button", class: "secondary back-to-pin", onclick: () => app.openGate("locked") },
    t("back_to_pin"),
  );
}

/** Why the volunteer is asked to sign in again, or the plain introduction. */
function signInNotice(reason) {
  if (!reason) return h("p", { class: "lead" }, t("sign_in_intro"));
  const key = ["session_expired", "pin_locked_out", "session.revoked", "account.disabled"].includes(reason)
    ? reason
    : "sign_in_intro";
  return h("p", { class: "notice warn", role: "alert" }, t(key));
}

async function login(app, reason) {
  const phone = field({
    label: t("phone"),
    control: h("input", {
      type: "tel",
      inputmode: "tel",
      autocomplete: "username",
      required: true,
      name: "phone",
    }),
  });
  const password = field({
    label: t("password"),
    control: h("input", {
      type: "password",
      autocomplete: "current-password",
      required: true,
      name: "password",
    }),
  });
  const status = h("p", { class: "status", role: "status" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary" }, t("sign_in"));
  const previous = await getMeta(app.db, "session");
  if (previous && reason) phone.control.value = previous.user.phone;
  const signal = signalNotice(Boolean(previous && reason));
  const wayBack = await pinWayBack(app, reason);

  const fail = (text) => {
    error.textContent = text;
    error.hidden = false;
    status.textContent = "";
    submit.disabled = false;
  };
  const onsubmit = async (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    status.textContent = t("signing_in");
    const credentials = { phone: phone.control.value.trim(), password: password.control.value };
    const problem = await signIn(app, previous, reason, credentials, signal.show);
    if (problem) return fail(problem);
    status.textContent = t("loading_data");
    await loadFirstData(app);
    if (await getMeta(app.db, "pin")) return app.enter();
    return app.openGate("pin");
  };

  const form = h("form", { class: "card", onsubmit }, phone.element, password.element, error, submit, status);
  return h(
    "section",
    { class: "gate" },
    h("h1", { tabindex: "-1" }, t("sign_in")),
    signInNotice(reason),
    signal.element,
    wayBack,
    form,
    languageSwitch(app),
  );
}

function pinInput(name, autocomplete) {
  return h("input", {
    type: "password",
    inputmode: "numeric",
    pattern: "[0-9]*",
    maxlength: 8,
    autocomplete,
    name,
    required: true,
  });
}

function pinSetup(app) {
  const first = field({ label: t("pin_new"), control: pinInput("pin", "new-password") });
  const second = field({ label: t("pin_repeat"), control: pinInput("pin-repeat", "new-password") });
  const submit = h("button", { type: "submit", class: "primary" }, t("pin_save"));
  return h(
    "section",
    { class: "gate" },
    h("h1", { tabindex: "-1" }, t("pin_title")),
    h("p", { class: "lead" }, t("pin_intro")),
    h(
      "form",
      {
        class: "card",
        onsubmit: async (event) => {
          event.preventDefault();
          first.setError(null);
          second.setError(null);
          const pin = first.control.value;
          const problem = pinProblem(pin);
          if (problem) return first.setError(t(problem));
          if (pin !== second.control.value) return second.setError(t("pin.mismatch"));
          submit.disabled = true;
          await setMeta(app.db, "pin", await makePinRecord(pin));
          await setMeta(app.db, "pinTries", 0);
          return app.enter();
        },
      },
      first.element,
      second.element,
      submit,
    ),
  );
}

async function locked(app) {
  const pin = field({ label: t("pin"), control: pinInput("pin", "off") });
  const submit = h("button", { type: "submit", class: "primary" }, t("unlock"));
  return h(
    "section",
    { class: "gate locked" },
    h("div", { class: "lock-icon", "aria-hidden": "true" }),
    h("h1", { tabindex: "-1" }, t("locked_title")),
    h("p", { class: "lead" }, t("locked_intro")),
    app.session ? h("p", { class: "who" }, app.session.user.full_name) : null,
    h(
      "form",
      {
        class: "card",
        onsubmit: async (event) => {
          event.preventDefault();
          submit.disabled = true;
          const record = await getMeta(app.db, "pin");
          if (await verifyPin(pin.control.value, record)) {
            await setMeta(app.db, "pinTries", 0);
            return app.enter();
          }
          const tries = ((await getMeta(app.db, "pinTries")) ?? 0) + 1;
          await setMeta(app.db, "pinTries", tries);
          if (tries >= MAX_PIN_TRIES) {
            await setMeta(app.db, "reauth", true); // only the password opens the app now
            return app.openGate("login", "pin_locked_out");
          }
          pin.control.value = "";
          pin.setError(t("pin_wrong", { n: MAX_PIN_TRIES - tries }));
          submit.disabled = false;
          return pin.control.focus();
        },
      },
      pin.element,
      submit,
    ),
    h(
      "button",
      { type: "button", class: "link", onclick: () => app.openGate("login", "forgot_pin") },
      t("forgot_pin"),
    ),
  );
}

export async function render(app, gate, reason) {
  if (gate === "pin") return pinSetup(app);
  if (gate === "locked") return locked(app);
  return login(app, reason);
}
