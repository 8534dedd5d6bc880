// The sync screen: state, failures, each unsent record and why, storage, export and import.

import { formatTime, message, t } from "../i18n.js";
import { adopt, countStates, isRefused, isUnsent } from "../queue.js";
import { displayState, getResident, residentFieldLabel } from "../store.js";
import { blobUrl, field, fill, h, toast } from "../ui.js";
import { fromBase64, openText, sealText, toBase64 } from "../vault.js";

export const live = true;
const EXPORT_FORMAT = "motcua-queue";

async function describe(app, record) {
  const body = record.envelope.body;
  if (record.kind === "resident") return body.full_name;
  const resident = await getResident(app.db, body.resident_id);
  const who = resident?.full_name ?? "";
  if (record.kind === "dossier") return `${body.tracking_code} · ${who}`;
  if (record.kind === "consent") return `${t(`purpose.${body.purpose}`)} · ${who}`;
  return `${t(`step.${body.step}`)} · ${who}`;
}

async function exportQueue(app, passphrase) {
  if (passphrase.length < 8) return toast(t("file_pass_short"), "error");
  const records = (await app.db.all("records"))
    .filter(isUnsent)
    .sort((a, b) => a.seq - b.seq)
    .map((r) => ({ ...r, local: { ...r.local, qr: undefined } }));
  const blobs = [];
  for (const sha of new Set(records.flatMap((r) => r.attachments))) {
    const stored = await app.db.get("blobs", sha);
    if (stored)
      blobs.push({
        sha256: sha,
        type: stored.type,
        size: stored.size,
        data: toBase64(await stored.blob.arrayBuffer()),
      });
  }
  const file = {
    format: EXPORT_FORMAT,
    version: 1,
    exported_at: new Date().toISOString(),
    from: { user: app.session.user, device_code: app.session.device_code },
    records,
    blobs,
  };
  const blob = new Blob([await sealText(JSON.stringify(file), passphrase)], { type: "application/json" });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
  const link = h(
    "a",
    {
      href: blobUrl(blob),
      download: `motcua-${app.session.device_code}-${stamp}.json`,
      class: "visually-hidden",
    },
    "export",
  );
  document.body.append(link);
  link.click();
  link.remove();
}

async function importQueue(app, file, passphrase) {
  let data;
  try {
    data = JSON.parse(await openText(await file.text(), passphrase));
  } catch {
    data = null;
  }
  if (data?.format !== EXPORT_FORMAT || !Array.isArray(data.records)) {
    toast(t("import_failed"), "error");
    return;
  }
  for (const blob of data.blobs ?? []) {
    if (!(await app.db.get("blobs", blob.sha256))) {
      await app.db.put("blobs", {
        sha256: blob.sha256,
        type: blob.type,
        size: blob.size,
        blob: new Blob([fromBase64(blob.data)], { type: blob.type }),
        created_at: Date.now(),
      });
    }
  }
  for (const record of data.records) {
    const body = record.envelope.body;
    if (record.kind === "resident" && !(await app.db.get("residents", record.id))) {
      await app.db.put("residents", { ...body, id: record.id, on_server: false });
    } else if (record.kind === "consent" || record.kind === "checklist") {
      await app.db.put("children", {
        id: record.id,
        kind: record.kind,
        resident_id: body.resident_id,
        body,
        at: Date.parse(record.envelope.written_at),
      });
    }
  }
  const added = await adopt(app.db, data.records);
  toast(t("imported", { n: added }));
  await app.syncer.counts();
  app.syncer.soon();
  app.refresh();
}

function problemLines(syncer, state) {
  const status = syncer.status;
  if (state.kind === "offline") {
    const reassure = state.detail || (status && !status.ok);
    return reassure ? [h("p", { class: "sync-error offline" }, t("offline_safe"))] : [];
  }
  if (state.kind !== "failed") return [];
  const lines = [
    h(
      "p",
      { class: `sync-error ${status.kind}` },
      t(`error.${status.kind}`, { status: status.status }),
      status.message_vi ? ` ${message(status)}` : "",
    ),
    h("p", { class: "hint" }, t("last_attempt", { time: formatTime(status.at) })),
  ];
  if (syncer.nextAt)
    lines.push(h("p", { class: "hint" }, t("next_attempt", { time: formatTime(syncer.nextAt) })));
  return lines;
}

function progressText(progress) {
  if (!progress) return "";
  return t(`progress.${progress.step}`, { done: progress.done ?? 0, total: progress.total ?? 0 });
}

// A new step, or one more record or photo sent (not each pulled record).
function progressKey(progress) {
  if (!progress) return "";
  return ["push", "upload"].includes(progress.step) ? `${progress.step}:${progress.done}` : progress.step;
}

// Repainted by the syncer while shown; ``onMoved`` when records changed state.
function syncControls(syncer, lastSync, onMoved) {
  const headline = h("p", { class: "sync-state", role: "status" });
  const problems = h("div", { class: "sync-problems" });
  const last = h(
    "p",
    { class: "last-sync" },
    lastSync ? t("last_sync", { time: formatTime(lastSync) }) : t("never_synced"),
  );
  const card = h("div", { class: "card sync-status" }, headline, problems, last);
  const button = h(
    "button",
    { type: "button", class: "primary sync-now", onclick: () => syncer.run() },
    t("sync_now"),
  );
  const bar = h("progress", { max: 1, value: 0, "aria-label": t("syncing") });
  const progressLine = h("p", { class: "progress-text" });
  const progress = h("div", { class: "sync-progress", hidden: true }, bar, progressLine);
  const paint = () => {
    const state = syncer.state();
    headline.className = `sync-state ${state.kind}`;
    fill(
      headline,
      h("strong", {}, state.title),
      state.detail ? h("span", { class: "detail" }, state.detail) : null,
    );
    fill(problems, problemLines(syncer, state));
    button.disabled = Boolean(syncer.running);
    progress.hidden = state.kind !== "sending";
    progressLine.textContent = progressText(syncer.progress);
    const { done = 0, total = 0 } = syncer.progress ?? {};
    if (total) bar.value = done / total;
    else bar.removeAttribute("value"); // indeterminate
  };
  let seen = progressKey(syncer.progress);
  const listener = () => {
    if (!button.isConnected) {
      syncer.listeners.delete(listener);
      return;
    }
    paint();
    const key = progressKey(syncer.progress);
    if (syncer.running && key !== seen) {
      seen = key;
      onMoved();
    }
  };
  syncer.listeners.add(listener);
  paint();
  return { card, button, progress };
}

function countsList(counts) {
  return h(
    "ul",
    { class: "counts" },
    ["waiting", "sending", "uploading", "needs_attention"].map((state) =>
      h(
        "li",
        { class: `state ${state}` },
        `${t(`state.${state}`)}: `,
        h("strong", {}, String(counts[state])),
      ),
    ),
  );
}

const fieldName = (record, field) => (record.kind === "resident" ? residentFieldLabel(field) : field);

async function recordRow(app, record) {
  const state = displayState(record);
  return h(
    "li",
    { class: ["record", state], dataset: { id: record.id, kind: record.kind } },
    h("span", { class: "kind" }, t(`kind.${record.kind}`)),
    h("span", { class: "what" }, await describe(app, record)),
    h("span", { class: `state ${state}` }, t(`state.${state}`)),
    record.reason
      ? h(
          "p",
          { class: "reason" },
          message(record.reason),
          (record.reason.fields ?? []).map((f) =>
            h("span", { class: "reason-field" }, ` ${fieldName(record, f.field)}: ${message(f)}`),
          ),
        )
      : null,
    state === "uploading" && record.missing
      ? h(
          "p",
          { class: "hint" },
          t("photos_sent", {
            done: record.attachments.length - record.missing.length,
            total: record.attachments.length,
          }),
        )
      : null,
    state === "needs_attention" ? retryButton(app, record) : null,
    record.kind === "resident" && isRefused(record)
      ? h("a", { class: "button secondary small", href: `#/resident/${record.id}/edit` }, t("fix_and_resend"))
      : null,
  );
}

function retryButton(app, record) {
  const retry = async () => {
    await app.db.put("records", { ...record, state: "waiting", reason: null, detail: null });
    await app.syncer.counts();
    app.syncer.run();
    app.refresh();
  };
  return h("button", { type: "button", class: "secondary small", onclick: retry }, t("retry"));
}

function storageCard() {
  const storage = h("div", { class: "card storage" }, h("h2", {}, t("storage_title")));
  (async () => {
    const persisted = (await navigator.storage?.persisted?.()) ?? false;
    const estimate = await navigator.storage?.estimate?.();
    storage.append(
      h(
        "p",
        { class: persisted ? "ok" : "warn" },
        persisted ? t("storage_persisted") : t("storage_not_persisted"),
      ),
    );
    if (estimate?.quota) {
      const used = (estimate.usage / 1e6).toFixed(1);
      storage.append(
        h("p", { class: "hint" }, t("storage_used", { used, quota: Math.round(estimate.quota / 1e6) })),
      );
    }
  })();
  return storage;
}

function transferCard(app, unsent) {
  const importInput = h("input", {
    type: "file",
    accept: "application/json,.json",
    class: "visually-hidden",
    id: "import-file",
  });
  importInput.addEventListener("change", () => {
    const file = importInput.files?.[0];
    if (file) importQueue(app, file, pass.control.value);
    importInput.value = "";
  });
  const pass = field({
    label: t("file_pass"),
    control: h("input", { type: "password", id: "file-pass", autocomplete: "off" }),
  });
  return h(
    "div",
    { class: "card transfer" },
    h("h2", {}, t("export_title")),
    h("p", { class: "hint" }, t("export_intro")),
    pass.element,
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        disabled: unsent.length === 0,
        onclick: () => exportQueue(app, pass.control.value),
      },
      t("export", { n: unsent.length }),
    ),
    h("label", { class: "button secondary", for: "import-file" }, t("import")),
    importInput,
  );
}

export async function render(app) {
  const records = await app.db.all("records");
  const lastSync = await app.db.get("meta", "lastSync");
  const unsent = records.filter(isUnsent).sort((a, b) => a.seq - b.seq);
  // rows follow the sync: never "waiting" beside "sending"
  const { card, button, progress } = syncControls(app.syncer, lastSync, () => app.refresh());
  const rows = [];
  for (const record of unsent) rows.push(await recordRow(app, record));
  return h(
    "section",
    { class: "screen sync" },
    h("div", { class: "screen-head" }, h("h1", { tabindex: "-1" }, t("sync_title"))),
    card,
    button,
    progress,
    countsList(countStates(records)),
    h("h2", {}, t("queue_title")),
    rows.length
      ? h("ul", { class: "list records" }, rows)
      : h("p", { class: "muted-card" }, t("nothing_queued")),
    storageCard(),
    transferCard(app, unsent),
  );
}
