// The sync state the top pill and the sync screen share; waits counted in people and dossiers.

import { t } from "./i18n.js";
import { isUnsent } from "./queue.js";

/** The residents and dossiers not fully on the server ({people, dossiers, other}). */
export function pendingOf(records) {
  const people = new Set();
  let dossiers = 0;
  let other = 0;
  for (const record of records) {
    if (!isUnsent(record)) continue;
    const body = record.envelope?.body ?? {};
    if (record.kind === "resident") people.add(record.id);
    else if (record.kind === "dossier") dossiers += 1;
    else if (body.resident_id) people.add(body.resident_id);
    else other += 1;
  }
  return { people: people.size, dossiers, other };
}

/** "2 người · 3 hồ sơ chưa gửi", or "" when nothing waits. */
export function pendingText(pending) {
  const parts = [];
  if (pending?.people) parts.push(t("pending_people", { n: pending.people }));
  if (pending?.dossiers) parts.push(t("pending_dossiers", { n: pending.dossiers }));
  if (pending?.other) parts.push(t("pending_records", { n: pending.other }));
  return parts.length ? t("pending_unsent", { what: parts.join(" · ") }) : "";
}

/** {kind, title, detail}; offline outranks a running sync. */
export function syncState({ online, running, status, pending }) {
  const waiting = pendingText(pending);
  if (!online) return { kind: "offline", title: t("offline"), detail: waiting };
  if (running) return { kind: "sending", title: t("syncing"), detail: "" };
  if (status && !status.ok) return { kind: "failed", title: waiting || t("progress.failed"), detail: "" };
  if (waiting) return { kind: "waiting", title: waiting, detail: "" };
  return { kind: "ok", title: `✓ ${t("all_sent_short")}`, detail: "" };
}
