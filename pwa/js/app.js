// The app: start-up, gate, router, sync scheduler, worker updates; screens load on first use.

import { createApi } from "./api.js";
import { backoffDelay } from "./backoff.js";
import { deleteDb, getMeta, listUsers, openDb, saveUser, userDbName } from "./db.js";
import { setLang, t } from "./i18n.js";
import { watchIdle } from "./lock.js";
import { enqueue, isUnsent } from "./queue.js";
import { dropIndex } from "./searchindex.js";
import { pendingOf, syncState } from "./syncstate.js";
import { fill, h, releaseBlobUrls } from "./ui.js";

const SYNC_PERIOD_MS = 10 * 60_000;
const LANG_KEY = "motcua.lang";
const WIPED_KEY = "motcua.wiped";
// The phone may no longer hold the data (docs/privacy.md).
const WIPE = ["session.revoked", "account.disabled"];

const ROUTES = [
  [/^\/?(today)?$/, "today"],
  [/^\/residents$/, "residents"],
  [/^\/residents\/new$/, "register"],
  [/^\/resident\/([\w-]+)$/, "resident"],
  [/^\/resident\/([\w-]+)\/checklist$/, "checklist"],
  [/^\/resident\/([\w-]+)\/edit$/, "register"],
  [/^\/dossiers$/, "dossiers"],
  [/^\/dossier\/new$/, "dossier"],
  [/^\/dossier\/([\w-]+)\/edit$/, "dossier"],
  [/^\/dossier\/([\w-]+)$/, "receipt"],
  [/^\/tasks$/, "tasks"],
  [/^\/sync$/, "sync"],
  [/^\/more$/, "more"],
];
const SCREENS = {
  today: () => import("./screens/today.js"),
  residents: () => import("./screens/residents.js"),
  register: () => import("./screens/register.js"),
  resident: () => import("./screens/resident.js"),
  checklist: () => import("./screens/checklist.js"),
  dossiers: () => import("./screens/dossiers.js"),
  dossier: () => import("./screens/dossier.js"),
  receipt: () => import("./screens/receipt.js"),
  tasks: () => import("./screens/tasks.js"),
  sync: () => import("./screens/syncscreen.js"),
  more: () => import("./screens/more.js"),
};
const TABS = [
  ["#/today", "nav_today", ["today"]],
  ["#/tasks", "nav_tasks", ["tasks"]],
  ["#/residents", "nav_residents", ["residents", "register", "resident", "checklist"]],
  ["#/dossiers", "nav_dossiers", ["dossiers", "dossier", "receipt"]],
  ["#/sync", "nav_sync", ["sync"]],
  ["#/more", "menu", ["more"]],
];

const main = document.getElementById("app");
const tabs = document.getElementById("tabs");
const chip = document.getElementById("sync-chip");

const app = {
  db: null, // null while locked
  key: null, // the data key, in memory only while unlocked
  user: null, // directory entry (db.js listUsers)
  api: null,
  session: null,
  gate: null,
  gateReason: null,
  current: null,
  installPrompt: null,
  worker: null,

  navigate(hash) {
    if (location.hash === hash) show({ refresh: true });
    else location.hash = hash;
  },

  // Repaint a screen that only displays data, never a form.
  refresh() {
    if (!this.gate && this.current?.live) show({ refresh: true });
  },

  async queue(envelopes, options) {
    const records = await enqueue(this.db, envelopes, options);
    await syncer.counts();
    syncer.soon();
    this.worker?.sync?.register("motcua-sync").catch(() => {});
    return records;
  },

  async openGate(gate, reason = null) {
    this.gate = gate;
    this.gateReason = reason;
    idle?.stop();
    idle = null;
    await show();
  },

  pick(user) {
    if (this.user && this.user.id !== user?.id) history.replaceState(null, "", "#/today");
    this.user = user;
    if (!user) return this.openGate("login");
    if (Date.parse(user.expires_at) <= Date.now()) return this.openGate("login", "session_expired");
    if (user.reauth) return this.openGate("login", "pin_locked_out");
    return this.openGate(user.pin ? "locked" : "login");
  },

  async unlock(key) {
    this.key = key;
    this.db = await openDb(userDbName(this.user.id), key);
    this.session = (await getMeta(this.db, "session")) ?? null;
    this.user = await saveUser(this.user.id, { usedAt: Date.now(), pinTries: 0 });
    await syncer.counts();
  },

  async enter() {
    this.gate = null;
    this.gateReason = null;
    idle?.stop();
    idle = watchIdle({ onIdle: () => this.lock() });
    if (!location.hash || location.hash === "#") location.hash = "#/today";
    await show();
    syncer.run();
    // granted more readily to an installed, used app
    navigator.storage
      ?.persisted?.()
      .then((yes) => yes || navigator.storage.persist())
      .catch(() => {});
  },

  // Forget the data key and the session token until the PIN is typed.
  async lock() {
    if (this.gate) return;
    const db = this.db;
    this.db = this.key = this.session = null;
    dropIndex();
    await this.openGate("locked");
    await syncer.running;
    db?.close();
  },

  setLang(lang) {
    localStorage.setItem(LANG_KEY, lang);
    setLang(lang);
    renderChrome();
    show();
  },

  async signOut() {
    try {
      const { disableNotifications } = await import("./push.js");
      await Promise.race([
        disableNotifications(this.api),
        new Promise((resolve) => setTimeout(resolve, 5000)),
      ]);
    } catch {}
    try {
      await this.api.post("/api/auth/logout", undefined, { timeout: 5000 });
    } catch {}
    await this.wipe();
  },

  // Wipe this user's data; the gate then says why.
  async wipe(reason) {
    if (reason) localStorage.setItem(WIPED_KEY, reason);
    idle?.stop();
    dropIndex();
    this.db.close();
    await deleteDb(userDbName(this.user.id));
    await saveUser(this.user.id, null);
    location.hash = "";
    location.reload();
  },

  async unsentCount() {
    return (await this.db.all("records")).filter(isUnsent).length;
  },
};
let idle = null;

// Sync on start, on `online`, after writing, periodically, with backoff.
const syncer = {
  running: false,
  progress: null,
  status: null,
  nextAt: null,
  timer: null,
  soonTimer: null,
  unsent: 0,
  total: 0,
  pending: null,
  listeners: new Set(),

  state() {
    const { running, status, pending } = this;
    return syncState({ online: navigator.onLine, running: Boolean(running), status, pending });
  },

  emit() {
    renderChip();
    for (const listener of this.listeners) listener(this);
  },

  async counts() {
    if (!app.db) return;
    const records = await app.db.all("records");
    this.total = records.length;
    this.unsent = records.filter(isUnsent).length;
    this.pending = pendingOf(records);
    this.emit();
  },

  async run() {
    if (!app.session || app.gate) return null;
    if (this.running) return this.running;
    clearTimeout(this.timer);
    this.progress = { step: "limits" };
    const { db, session } = app; // a lock lets the sync finish
    this.running = import("./sync.js").then(({ syncNow }) =>
      syncNow({
        db,
        api: createApi({ getToken: () => session.token }),
        onProgress: (progress) => {
          this.progress = progress;
          this.emit();
        },
      }),
    );
    this.emit();
    const status = await this.running;
    this.running = null;
    if (WIPE.includes(status.code)) return app.wipe(status.code);
    this.status = status;
    // a button: never snatch the screen from a form
    const notice = document.getElementById("notice");
    notice.hidden = !(!status.ok && status.kind === "auth");
    if (!notice.hidden) {
      notice.replaceChildren(
        h(
          "button",
          {
            type: "button",
            class: "banner-button",
            onclick: () => {
              notice.hidden = true;
              app.openGate("login", "session_expired");
            },
          },
          t("sign_in_again"),
        ),
      );
    }
    if (!app.db) return status;
    await this.schedule();
    await this.counts();
    app.session = (await getMeta(app.db, "session")) ?? app.session;
    app.refresh();
    return status;
  },

  async schedule() {
    clearTimeout(this.timer);
    const failures = (await getMeta(app.db, "syncFailures")) ?? 0;
    const delay = failures ? backoffDelay(failures - 1) : SYNC_PERIOD_MS;
    this.nextAt = Date.now() + delay;
    this.timer = setTimeout(() => this.run(), delay);
  },

  soon() {
    clearTimeout(this.soonTimer);
    if (navigator.onLine) this.soonTimer = setTimeout(() => this.run(), 1500);
  },
};
app.syncer = syncer;

function renderChip() {
  if (!app.session || app.gate) {
    chip.hidden = true;
    return;
  }
  const state = syncer.state();
  chip.hidden = false;
  chip.className = `sync-chip ${state.kind}`;
  chip.setAttribute(
    "aria-label",
    `${t("nav_sync")}: ${[state.title, state.detail].filter(Boolean).join(", ")}`,
  );
  fill(
    chip,
    h("span", { class: "chip-title" }, state.title),
    state.detail ? h("span", { class: "chip-detail" }, state.detail) : null,
  );
}

function renderChrome() {
  document.getElementById("brand-name").textContent = t("app_short");
  tabs.replaceChildren(
    ...TABS.map(([href, key, names]) =>
      h(
        "a",
        { href, class: "tab", "aria-current": names.includes(app.current?.name) ? "page" : null },
        t(key),
      ),
    ),
  );
  tabs.hidden = Boolean(app.gate);
  renderChip();
}

function matchRoute(hash) {
  const [path, query = ""] = hash.replace(/^#/, "").split("?");
  for (const [pattern, name] of ROUTES) {
    const match = pattern.exec(path);
    if (match)
      return {
        name,
        params: match.slice(1).filter((p) => p !== undefined && p !== "today"),
        query: new URLSearchParams(query),
      };
  }
  return { name: "today", params: [], query: new URLSearchParams() };
}

let renderCount = 0;
// ``refresh`` keeps scroll and focus.
async function show({ refresh = false } = {}) {
  renderCount += 1;
  const ticket = renderCount;
  releaseBlobUrls();
  let element;
  let name;
  let live = false;
  if (app.gate) {
    const gate = await import("./screens/gate.js");
    name = app.gate;
    element = await gate.render(app, app.gate, app.gateReason);
  } else {
    const route = matchRoute(location.hash);
    const screen = await SCREENS[route.name]();
    name = route.name;
    live = Boolean(screen.live);
    element = await screen.render(app, route.params, route.query);
  }
  if (ticket !== renderCount) return;
  const focused = refresh ? document.activeElement?.id : null;
  const scroll = window.scrollY;
  app.current = { name, live };
  main.replaceChildren(element);
  renderChrome();
  document.body.dataset.ready = name;
  performance.mark(`motcua:ready:${name}`); // bench/pwa_load.py
  if (refresh) {
    window.scrollTo(0, scroll);
    if (focused) document.getElementById(focused)?.focus({ preventScroll: true });
  } else {
    window.scrollTo(0, 0);
    main.querySelector("h1")?.focus({ preventScroll: true });
  }
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  let accepted = false;
  const banner = document.getElementById("update");
  const offer = (worker) => {
    banner.replaceChildren(
      h(
        "button",
        {
          type: "button",
          class: "banner-button",
          onclick: () => {
            accepted = true;
            worker.postMessage({ type: "skip-waiting" });
          },
        },
        t("update_ready"),
      ),
    );
    banner.hidden = false;
  };
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (accepted) location.reload();
  });
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "sync-request") syncer.run();
  });
  try {
    const registration = await navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/" });
    app.worker = registration;
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      worker?.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
      });
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && navigator.onLine) registration.update().catch(() => {});
    });
  } catch (error) {
    console.warn("service worker not registered", error);
  }
}

async function start() {
  setLang(localStorage.getItem(LANG_KEY) ?? "vi");
  renderChrome();
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    app.installPrompt = event;
  });
  app.api = createApi({ getToken: () => app.session?.token ?? null });
  const wiped = localStorage.getItem(WIPED_KEY);
  localStorage.removeItem(WIPED_KEY);
  window.addEventListener("hashchange", () => {
    if (!app.gate) show();
  });
  window.addEventListener("online", () => {
    syncer.emit();
    syncer.run();
  });
  window.addEventListener("offline", () => syncer.emit());
  chip.addEventListener("click", () => app.navigate("#/sync"));

  if (wiped) return app.openGate("login", wiped);
  // the data key is never stored unwrapped: the PIN each start
  return app.pick((await listUsers())[0]);
}

start()
  .then(() => registerWorker())
  .catch((error) => {
    console.error(error);
    main.replaceChildren(h("p", { class: "error", role: "alert" }, String(error?.message ?? error)));
  });
