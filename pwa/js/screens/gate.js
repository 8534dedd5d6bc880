// The gate: sign-in, PIN setup, the lock (docs/pwa.md, "Encrypted at rest").

import { ApiFailure } from "../api.js";
import { adoptPlain, DB_NAME, deleteDb, listUsers, openDb, saveUser, setMeta, userDbName } from "../db.js";
import { lang, message, t } from "../i18n.js";
import { MAX_PIN_TRIES, pinProblem } from "../lock.js";
import { isUnsent } from "../queue.js";
import { field, h } from "../ui.js";
import { newDataKey, PASSWORD_ITERATIONS, PIN_ITERATIONS, unwrapKey, wrapKey } from "../vault.js";

const NETWORK_FAILURES = new Set(["offline", "unreachable", "timeout"]);

function failureText(error) {
  if (error instanceof ApiFailure) {
    if (error.kind === "auth") return message(error.body) || t("sign_in_failed", { status: 401 });
    if (error.kind === "offline") return t("sign_in_offline");
    return t(`error.${error.kind}`, { status: error.status });
  }
  return String(error?.message ?? error);
}

const button = (cls, onclick, text) => h("button", { type: "button", class: cls, onclick }, text);
const screen = (title, ...children) =>
  h("section", { class: "gate" }, h("h1", { tabindex: "-1" }, t(title)), ...children);
const languageSwitch = (app) =>
  button("link lang-switch", () => app.setLang(lang() === "en" ? "vi" : "en"), t("switch_lang"));

// The pre-issue-15 plain database: its session and unsent count.
async function plainDb() {
  if (!(await indexedDB.databases?.())?.some((d) => d.name === DB_NAME)) return null;
  const db = await openDb(DB_NAME);
  try {
    const session = await db.get("meta", "session");
    return { session, unsent: (await db.all("records")).filter(isUnsent).length };
  } finally {
    db.close();
  }
}

// Null, or what went wrong.
async function signIn(app, reason, credentials, onNoSignal) {
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
  const known = (await listUsers()).find((user) => user.id === data.user.id);
  const sign = { data, known, reason, password: credentials.password };
  let key = known?.password ? await unwrapKey(known.password, credentials.password) : null;
  const reused = key && known.password;
  if (known && !key) {
    // Password changed: the key in memory, or the old PIN/password (recover), opens the data.
    key = app.user?.id === known.id && app.key;
    if (!key) {
      app.pending = sign;
      return null;
    }
  }
  const plain = key ? null : await plainDb();
  if (plain?.unsent && plain.session?.user.id !== data.user.id) {
    // Another volunteer's unsent records: they sign in first.
    await app.api
      .request("POST", "/api/auth/logout", { headers: { authorization: `Bearer ${data.token}` } })
      .catch(() => {});
    return t("other_user_unsent", { n: plain.unsent, name: plain.session.user.full_name });
  }
  await finish(app, sign, key, reused, plain);
  return null;
}

// No ``key``: a new one and an empty database.
async function finish(app, { data, known, reason, password }, key, wrapped, plain) {
  app.db?.close();
  app.key = app.session = app.pending = null;
  if (!key) {
    key = await newDataKey();
    if (known) await deleteDb(userDbName(known.id)); // discarded by choice
  }
  const fresh = reason === "forgot_pin" || known?.reauth || !known?.pin;
  app.user = await saveUser(data.user.id, {
    full_name: data.user.full_name,
    phone: data.user.phone,
    expires_at: data.expires_at,
    password: wrapped || (await wrapKey(key, password, PASSWORD_ITERATIONS)),
    pin: fresh ? null : known.pin, // a new PIN may be set
    reauth: false,
  });
  await app.unlock(key);
  if (plain) await adoptPlain(app.db, plain.session?.user.id === data.user.id);
  app.session = {
    token: data.token,
    session_id: data.session_id,
    expires_at: data.expires_at,
    user: data.user,
    device_code: data.device_code,
  };
  await setMeta(app.db, "session", app.session);
  navigator.storage?.persist?.().catch(() => {});
}

async function ready(app) {
  try {
    const { refreshCatalogue, refreshPlaces } = await import("../sync.js");
    await refreshPlaces(app);
    await refreshCatalogue(app);
  } catch {
    // the first sync tries again
  }
  return app.user.pin ? app.enter() : app.openGate("pin");
}

// Shown offline, and after a sign-in failed for the lack of a signal.
function signalNotice(again) {
  const notice = h(
    "p",
    { class: "notice warn signal", role: "status", hidden: navigator.onLine },
    t(again ? "sign_in_needs_signal" : "sign_in_needs_signal_first"),
  );
  const watch = new AbortController();
  const update = () => {
    if (notice.isConnected) notice.hidden = navigator.onLine;
    else watch.abort();
  };
  for (const type of ["online", "offline"]) window.addEventListener(type, update, { signal: watch.signal });
  return {
    element: notice,
    show() {
      notice.hidden = false;
    },
  };
}

// Back from "forgot the PIN" while the session and PIN live.
function pinWayBack(app, reason) {
  const user = app.user;
  if (reason !== "forgot_pin" || !user?.pin || user.reauth) return null;
  if (Date.parse(user.expires_at) <= Date.now()) return null;
  return button("secondary back-to-pin", () => app.openGate("locked"), t("back_to_pin"));
}

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
  const previous = app.user;
  if (previous) phone.control.value = previous.phone;
  const signal = signalNotice(Boolean(previous && reason));
  const wayBack = pinWayBack(app, reason);

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
    const problem = await signIn(app, reason, credentials, signal.show);
    if (problem) return fail(problem);
    if (app.pending) return app.openGate("recover");
    status.textContent = t("loading_data");
    return ready(app);
  };

  const form = h("form", { class: "card", onsubmit }, phone.element, password.element, error, submit, status);
  return screen(
    "sign_in",
    signInNotice(reason),
    signal.element,
    wayBack,
    form,
    await switchUser(app),
    languageSwitch(app),
  );
}

async function switchUser(app) {
  if (!(await listUsers()).length) return null;
  return button("link switch-user", () => app.openGate("users"), t("switch_user"));
}

async function users(app) {
  const pick = (user) => button("secondary user", () => app.pick(user), `${user.full_name} · ${user.phone}`);
  return screen(
    "users_title",
    ...(await listUsers()).map(pick),
    button("secondary add-user", () => app.pick(null), t("add_user")),
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
  return screen(
    "pin_title",
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
          app.user = await saveUser(app.user.id, {
            pin: await wrapKey(app.key, pin, PIN_ITERATIONS),
            pinTries: 0,
          });
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
    h("p", { class: "who" }, app.user.full_name),
    h(
      "form",
      {
        class: "card",
        onsubmit: async (event) => {
          event.preventDefault();
          submit.disabled = true;
          const key = await unwrapKey(app.user.pin, pin.control.value);
          if (key) {
            await app.unlock(key);
            return app.enter();
          }
          const tries = (app.user.pinTries ?? 0) + 1;
          app.user = await saveUser(app.user.id, { pinTries: tries });
          if (tries >= MAX_PIN_TRIES) {
            // only the password opens the data now
            app.user = await saveUser(app.user.id, { reauth: true, pin: null });
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
    button("link", () => app.openGate("login", "forgot_pin"), t("forgot_pin")),
    await switchUser(app),
  );
}

// After a password change (docs/pwa.md): the old PIN or password, or discard the data.
async function recover(app) {
  const sign = app.pending;
  if (!sign) return login(app);
  const { known } = sign;
  const db = await openDb(userDbName(known.id));
  // only the states are readable
  const unsent = (await db.all("records")).filter((record) => record.state !== "on_server").length;
  db.close();
  const old = field({
    label: t(known.pin ? "old_pin" : "old_password"),
    control: h("input", { type: "password", name: "old", autocomplete: "off", required: true }),
  });
  const submit = h("button", { type: "submit", class: "primary" }, t("unlock"));
  const onsubmit = async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const secret = old.control.value;
    const key =
      (known.pin && (await unwrapKey(known.pin, secret))) || (await unwrapKey(known.password, secret));
    if (key) return done(key);
    old.setError(t("old_wrong"));
    submit.disabled = false;
  };
  const done = async (key) => {
    await finish(app, sign, key);
    return ready(app);
  };
  return screen(
    "recover_title",
    h("form", { class: "card", onsubmit }, old.element, submit),
    button("danger", () => confirm(t("discard_text", { n: unsent })) && done(), t("discard", { n: unsent })),
  );
}

export async function render(app, gate, reason) {
  if (gate === "recover") return recover(app);
  if (gate === "pin") return pinSetup(app);
  if (gate === "locked") return locked(app);
  if (gate === "users") return users(app);
  return login(app, reason);
}
