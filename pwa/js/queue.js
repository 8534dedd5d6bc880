// The phone's outbox: records with an envelope frozen when queued (docs/sync.md rule 2), a state,
// and ``missing``: attachment hashes the server lacks (null: unknown). States: docs/pwa.md.

import { uuid7 } from "./ids.js";

export const STATES = ["waiting", "sending", "on_server", "needs_attention"];
export const KEEP_SENT_DAYS = 30;
const DAY_MS = 86_400_000;
export const PRUNE_AFTER_DAYS = 45;
// lifecycle.py FINISHED (tests/test_pwa_statuses.py).
export const FINISHED_STATUSES = Object.freeze(["delivered", "rejected", "withdrawn"]);
const SERVER_STORE = { dossier: "dossiers", resident: "residents" };

function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The wire form of a new record (or of a new revision of one), written now. */
export function makeEnvelope(
  kind,
  body,
  { id = uuid7(), now = Date.now(), revision = 1, base_revision = null } = {},
) {
  return deepFreeze({
    kind,
    id,
    revision,
    base_revision,
    written_at: new Date(now).toISOString(),
    body: structuredClone(body),
  });
}

/** The server refused it: fixed, it goes again as the same revision (docs/sync.md). */
export const isRefused = (record) => record?.state === "needs_attention" && record.detail === "rejected";

/** Revision and base of a new body (docs/sync.md "Records"): unchanged if never stored, else server's + 1. */
export function nextRevision(record, serverRevision = null) {
  const { revision, base_revision } = record.envelope;
  if (record.state === "sending") throw new Error("the record is being sent: edit it after the answer");
  if (record.state === "waiting" || isRefused(record)) return { revision, base_revision };
  const stored =
    record.detail === "conflict"
      ? (serverRevision ?? revision)
      : Math.max(serverRevision ?? revision, revision);
  return { revision: stored + 1, base_revision: stored };
}

/** The hashes of the photos and signatures a record names. */
export function attachmentsOf(envelope) {
  const body = envelope.body;
  const hashes = [];
  if (envelope.kind === "consent" && body.signature_sha256) hashes.push(body.signature_sha256);
  if (envelope.kind === "dossier") {
    hashes.push(body.signature_sha256);
    for (const paper of body.papers ?? []) hashes.push(...paper.photos);
  }
  return [...new Set(hashes.filter(Boolean))];
}

export function newRecord(envelope, { seq, group = envelope.id, now = Date.now(), local = {} }) {
  return {
    id: envelope.id,
    kind: envelope.kind,
    envelope,
    seq,
    group,
    state: "waiting",
    detail: null,
    reason: null,
    merged_into: null,
    attachments: attachmentsOf(envelope),
    missing: null,
    queued_at: now,
    sent_at: null,
    local,
  };
}

/** Batches of at most ``max``, oldest first; a group (resident + consents) stays in one unless too big. */
export function planBatches(records, max) {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  const groups = [];
  const byGroup = new Map();
  for (const record of sorted) {
    let group = byGroup.get(record.group);
    if (!group) {
      group = [];
      byGroup.set(record.group, group);
      groups.push(group);
    }
    group.push(record);
  }
  const batches = [];
  let current = [];
  for (const group of groups) {
    if (current.length && current.length + group.length > max) {
      batches.push(current);
      current = [];
    }
    for (let i = 0; i < group.length; i += max) {
      const part = group.slice(i, i + max);
      if (current.length && current.length + part.length > max) {
        batches.push(current);
        current = [];
      }
      current.push(...part);
    }
  }
  if (current.length) batches.push(current);
  return batches;
}

/** The record after the server's outcome for it (docs/sync.md, section 3). */
export function applyOutcome(record, outcome, now = Date.now()) {
  const next = { ...record, sent_at: now };
  switch (outcome.outcome) {
    case "applied":
    case "duplicate":
    case "held": {
      next.state = "on_server";
      next.reason = null;
      next.detail = outcome.outcome === "held" ? "held" : outcome.merged_into ? "merged" : null;
      next.merged_into = outcome.merged_into ?? null;
      next.missing = Array.isArray(outcome.missing_attachments)
        ? [...outcome.missing_attachments]
        : record.attachments.length
          ? null
          : [];
      return next;
    }
    case "conflict":
    case "rejected":
      next.state = "needs_attention";
      next.detail = outcome.outcome;
      next.reason = outcome.reason ?? null;
      return next;
    default:
      next.state = "waiting";
      return next;
  }
}

/** The record after the server said, in holdings, what it holds of it (null: it lost it). */
export function applyHolding(record, holding) {
  if (holding === null) {
    // Server restored from an older backup: send again.
    return { ...record, state: "waiting", detail: null, missing: null };
  }
  switch (holding.state) {
    case "held":
      return { ...record, detail: "held" };
    case "rejected":
      return {
        ...record,
        state: "needs_attention",
        detail: "rejected",
        reason: record.reason ?? {
          code: "record.rejected",
          message_vi: "Máy chủ đã từ chối bản ghi này.",
          message_en: "The server refused this record.",
          fields: [],
        },
      };
    default: {
      const wasHeld = record.detail === "held";
      return {
        ...record,
        detail: holding.state === "merged" ? "merged" : wasHeld ? null : record.detail,
        merged_into: holding.merged_into ?? record.merged_into,
        missing: Array.isArray(holding.missing_attachments)
          ? [...holding.missing_attachments]
          : wasHeld
            ? null
            : record.missing,
      };
    }
  }
}

/** Everything the server has, photos included. */
export function isComplete(record) {
  return (
    record.state === "on_server" &&
    record.detail !== "held" &&
    Array.isArray(record.missing) &&
    record.missing.length === 0
  );
}

export function isUnsent(record) {
  return !isComplete(record);
}

export function isRecentlySent(record, now = Date.now()) {
  return (
    record.state === "on_server" && record.sent_at !== null && now - record.sent_at <= KEEP_SENT_DAYS * DAY_MS
  );
}

export function isPrunable(record, now = Date.now()) {
  return isComplete(record) && record.sent_at !== null && now - record.sent_at > PRUNE_AFTER_DAYS * DAY_MS;
}

/** Prunable records, but not an unfinished dossier nor a resident a kept record names. */
export function prunableRecords(records, serverDossiers, now = Date.now()) {
  const statuses = new Map(serverDossiers.map((d) => [d.id, d.status]));
  const old = (record) =>
    isPrunable(record, now) &&
    (record.kind !== "dossier" || FINISHED_STATUSES.includes(statuses.get(record.id)));
  const kept = records.filter((record) => !old(record));
  const named = new Set(kept.map((record) => record.envelope.body.resident_id).filter(Boolean));
  return records.filter((record) => old(record) && !(record.kind === "resident" && named.has(record.id)));
}

export function countStates(records) {
  const counts = { waiting: 0, sending: 0, on_server: 0, needs_attention: 0, uploading: 0 };
  for (const record of records) {
    counts[record.state] += 1;
    if (record.state === "on_server" && !isComplete(record)) counts.uploading += 1;
  }
  return counts;
}

/** Queue envelopes in one transaction as one group. */
export async function enqueue(
  db,
  envelopes,
  { group = envelopes[0]?.id, local = {}, now = Date.now() } = {},
) {
  return db.write(["meta", "records"], async (tx) => {
    let seq = (await tx.get("meta", "seq")) ?? 0;
    const records = envelopes.map((envelope) => {
      seq += 1;
      return newRecord(envelope, { seq, group, now, local: local[envelope.id] ?? {} });
    });
    for (const record of records) tx.put("records", record);
    tx.put("meta", seq, "seq");
    return records;
  });
}

/** A record only the server holds (another volunteer's). */
export function storedRecord(kind, id, revision) {
  return {
    id,
    kind,
    envelope: { kind, id, revision, base_revision: null },
    group: id,
    state: "on_server",
    detail: null,
    local: {},
  };
}

/** Queue a new body (supplement, correction) for a record on the phone; keeps ``local``. */
export async function enqueueRevision(db, record, body, { now = Date.now() } = {}) {
  const serverStore = SERVER_STORE[record.kind];
  return db.write(["meta", "records", serverStore], async (tx) => {
    const current = (await tx.get("records", record.id)) ?? record;
    const server = await tx.get(serverStore, record.id);
    const { revision, base_revision } = nextRevision(current, server?.revision ?? null);
    const envelope = makeEnvelope(current.kind, body, { id: current.id, now, revision, base_revision });
    const seq = ((await tx.get("meta", "seq")) ?? 0) + 1;
    const next = {
      ...newRecord(envelope, { seq, group: current.group, now, local: current.local ?? {} }),
      merged_into: current.merged_into ?? null,
    };
    tx.put("records", next);
    tx.put("meta", seq, "seq");
    if (current.kind === "resident")
      tx.put("residents", {
        ...body,
        id: current.id,
        on_server: !!server?.on_server,
        revision: server?.revision,
      });
    return next;
  });
}

/** Append another phone's exported records, skipping known ids. */
export async function adopt(db, records, now = Date.now()) {
  return db.write(["meta", "records"], async (tx) => {
    let seq = (await tx.get("meta", "seq")) ?? 0;
    let added = 0;
    for (const record of [...records].sort((a, b) => a.seq - b.seq)) {
      if (await tx.get("records", record.id)) continue;
      seq += 1;
      const state = record.state === "needs_attention" ? "needs_attention" : "waiting";
      tx.put("records", { ...record, seq, state, missing: null, queued_at: record.queued_at ?? now });
      added += 1;
    }
    tx.put("meta", seq, "seq");
    return added;
  });
}
