// The phone's side of the sync protocol (docs/sync.md); no DOM.

import { ApiFailure } from "./api.js";
import { timeoutFor } from "./backoff.js";
import { uuidTime } from "./ids.js";
import {
  applyHolding,
  applyOutcome,
  isComplete,
  isRecentlySent,
  isUnsent,
  planBatches,
  prunableRecords,
} from "./queue.js";
import { unpostedMarks } from "./tasks.js";

const HOLDINGS_CHUNK = 500;

// One sync at a time per phone (Web Locks).
let running = null;
export function withSyncLock(work) {
  if (running) return running;
  const locks = globalThis.navigator?.locks;
  running = (locks ? locks.request("motcua-sync", () => work()) : work()).finally(() => {
    running = null;
  });
  return running;
}

async function recordsIn(db, state) {
  return db.byIndex("records", "state", state);
}

async function saveRecords(db, records) {
  if (records.length)
    await db.write(["records"], (tx) => Promise.all(records.map((r) => tx.put("records", r))));
}

async function resetSending(db) {
  const sending = await recordsIn(db, "sending");
  await saveRecords(
    db,
    sending.map((r) => ({ ...r, state: "waiting" })),
  );
}

function refusal(body, fallbackVi, fallbackEn) {
  return body?.code
    ? { code: body.code, message_vi: body.message_vi, message_en: body.message_en, fields: body.fields ?? [] }
    : { code: "record.unsendable", message_vi: fallbackVi, message_en: fallbackEn, fields: [] };
}

async function pushAll(ctx, maxBatch) {
  const { db, api, now, progress } = ctx;
  let size = maxBatch;
  let sent = 0;
  for (;;) {
    const waiting = await recordsIn(db, "waiting");
    if (!waiting.length) return sent;
    const [batch] = planBatches(waiting, size);
    progress({ step: "push", done: sent, total: sent + waiting.length });
    await saveRecords(
      db,
      batch.map((r) => ({ ...r, state: "sending" })),
    );
    const envelopes = batch.map((r) => r.envelope);
    let answer;
    try {
      answer = await api.post(
        "/api/sync/push",
        { records: envelopes },
        { timeout: timeoutFor(JSON.stringify(envelopes).length) },
      );
    } catch (error) {
      await saveRecords(db, batch);
      throw error;
    }
    if (answer.status === 200) {
      const outcomes = new Map(answer.data.outcomes.map((o) => [`${o.id}:${o.revision}`, o]));
      const at = now();
      await saveRecords(
        db,
        batch.map((r) => {
          const outcome = outcomes.get(`${r.id}:${r.envelope.revision}`);
          return outcome ? applyOutcome(r, outcome, at) : r;
        }),
      );
      sent += batch.length;
      continue;
    }
    await saveRecords(db, batch);
    // halve to find the record at fault
    if ([400, 413, 422].includes(answer.status)) {
      if (batch.length > 1) {
        size = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      await saveRecords(db, [
        {
          ...batch[0],
          state: "needs_attention",
          detail: "rejected",
          reason: refusal(
            answer.data,
            "Máy chủ không nhận bản ghi này.",
            "The server cannot take this record.",
          ),
        },
      ]);
      continue;
    }
    throw new ApiFailure("http", answer.status, answer.data);
  }
}

async function resolveMissing(ctx) {
  const { db, api } = ctx;
  for (const record of await recordsIn(db, "on_server")) {
    if (record.missing !== null || record.detail === "held") continue;
    let missing = [];
    if (record.kind === "dossier") {
      const answer = await api.get(`/api/dossiers/${record.id}/state`);
      if (answer.status !== 200) continue;
      missing = answer.data.missing_attachments;
      await db.put("dossiers", {
        ...((await db.get("dossiers", record.id)) ?? {}),
        id: record.id,
        ...answer.data,
      });
    } else {
      // the server does not track consent signatures
      for (const sha of record.attachments) {
        const blob = await db.get("blobs", sha);
        if (!blob?.uploaded_at) missing.push(sha);
      }
    }
    await db.put("records", { ...(await db.get("records", record.id)), missing });
  }
}

async function markUploaded(db, sha, answer, at) {
  await db.write(["records", "blobs", "dossiers"], async (tx) => {
    const blob = await tx.get("blobs", sha);
    if (blob) tx.put("blobs", { ...blob, uploaded_at: at });
    const progress = new Map((answer?.dossiers ?? []).map((d) => [d.id, d]));
    for (const record of await tx.byIndex("records", "state", "on_server")) {
      if (!record.missing?.includes(sha) && !progress.has(record.id)) continue;
      const told = progress.get(record.id);
      const missing = told ? told.missing_attachments : record.missing.filter((h) => h !== sha);
      tx.put("records", { ...record, missing });
      if (told) {
        const known = (await tx.get("dossiers", record.id)) ?? { id: record.id };
        tx.put("dossiers", { ...known, status: told.status, missing_attachments: told.missing_attachments });
      }
    }
  });
}

async function quarantineFor(db, sha, reason) {
  const records = (await recordsIn(db, "on_server")).filter((r) => r.missing?.includes(sha));
  await saveRecords(
    db,
    records.map((r) => ({ ...r, state: "needs_attention", detail: "attachment", reason })),
  );
}

async function uploadAll(ctx) {
  const { db, api, now, progress } = ctx;
  const wanted = [];
  for (const record of await recordsIn(db, "on_server")) {
    for (const sha of record.missing ?? []) if (!wanted.includes(sha)) wanted.push(sha);
  }
  let done = 0;
  for (const sha of wanted) {
    progress({ step: "upload", done, total: wanted.length });
    const stored = await db.get("blobs", sha);
    if (!stored) {
      await quarantineFor(db, sha, {
        code: "attachment.lost",
        message_vi: "Ảnh không còn trên máy này.",
        message_en: "The photo is no longer on this phone.",
        fields: [],
      });
      continue;
    }
    let answer;
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      answer = await api.request("PUT", `/api/attachments/${sha}`, {
        body: stored.blob,
        headers: { "content-type": stored.type || "application/octet-stream" },
        timeout: timeoutFor(stored.size),
      });
      if (answer.status !== 400) break; // 400: damaged on the way
    }
    if (answer.status === 200) {
      await markUploaded(db, sha, answer.data, now());
      done += 1;
    } else if (answer.status === 409) {
      // held: next sync
    } else {
      await quarantineFor(
        db,
        sha,
        refusal(answer.data, "Máy chủ không nhận ảnh này.", "The server refused this photo."),
      );
    }
  }
  progress({ step: "upload", done, total: wanted.length });
  return done;
}

async function checkHoldings(ctx, all = false) {
  const { db, api, now } = ctx;
  const sent = (await recordsIn(db, "on_server")).filter((r) => all || isRecentlySent(r, now()));
  let lost = 0;
  for (let i = 0; i < sent.length; i += HOLDINGS_CHUNK) {
    const chunk = sent.slice(i, i + HOLDINGS_CHUNK);
    const answer = await api.post("/api/sync/holdings", { ids: chunk.map((r) => r.id) });
    if (answer.status !== 200) throw new ApiFailure("http", answer.status, answer.data);
    const held = new Map(answer.data.holdings.map((h) => [h.id, h]));
    const missing = new Set(answer.data.missing);
    lost += missing.size;
    await saveRecords(
      db,
      chunk.map((r) => applyHolding(r, missing.has(r.id) ? null : (held.get(r.id) ?? r))),
    );
  }
  return lost;
}

function childEntry(change) {
  return {
    id: change.id,
    kind: change.kind,
    resident_id: change.body.resident_id,
    body: change.body,
    at: uuidTime(change.id),
  };
}

async function pullPages(ctx, pageSize) {
  const { db, api, progress } = ctx;
  let cursor = (await db.get("meta", "cursor")) ?? "0";
  let pulled = 0;
  for (;;) {
    progress({ step: "pull", done: pulled });
    const answer = await api.get(`/api/sync/pull?cursor=${encodeURIComponent(cursor)}&limit=${pageSize}`);
    if (answer.status === 409 && answer.data?.code === "sync.start_over" && cursor !== "0") {
      // restored server (docs/sync.md, "Start over")
      ctx.startedOver = true;
      cursor = "0";
      continue;
    }
    if (answer.status !== 200) throw new ApiFailure("http", answer.status, answer.data);
    const page = answer.data;
    await db.write(["meta", "residents", "children", "dossiers", "records"], async (tx) => {
      let routes = null;
      // forget dropped residents, never those the queue still names
      const keep = new Set(
        page.drop?.length
          ? (await tx.all("records")).filter(isUnsent).flatMap((r) => [r.id, r.envelope.body?.resident_id])
          : [],
      );
      for (const id of page.drop ?? []) {
        if (keep.has(id)) continue;
        tx.delete("residents", id);
        for (const child of await tx.byIndex("children", "resident_id", id)) tx.delete("children", child.id);
      }
      for (const change of page.changes) {
        if (change.kind === "resident") {
          const merged = change.server?.merged_into;
          tx.put(
            "residents",
            merged
              ? { id: change.id, merged_into: merged }
              : { ...change.body, id: change.id, revision: change.revision, on_server: true },
          );
        } else if (change.kind === "consent" || change.kind === "checklist") {
          tx.put("children", childEntry(change));
        } else if (change.kind === "dossier") {
          const known = (await tx.get("dossiers", change.id)) ?? {};
          tx.put("dossiers", { ...known, id: change.id, ...change.server, revision: change.revision });
        } else if (change.kind === "route") {
          routes ??= (await tx.get("meta", "routes")) ?? {};
          if (change.server?.removed) delete routes[change.id];
          else routes[change.id] = { ...change.body, id: change.id };
        }
      }
      if (routes) tx.put("meta", routes, "routes");
      tx.put("meta", page.cursor, "cursor");
    });
    pulled += page.changes.length;
    cursor = page.cursor;
    if (!page.more) break;
  }
  return pulled;
}

// Post offline "Đã báo" marks, then cache the "call or visit" residents.
export async function refreshReach({ db, api, now }) {
  for (const mark of unpostedMarks(await db.get("meta", "reachTold"))) {
    const answer = await api.post(`/api/reach/${mark.dossier_id}/told`, { method: mark.method });
    // 404: no longer theirs
    if (answer.status !== 201 && answer.status !== 404) continue;
    await db.write(["meta"], async (tx) => {
      const marks = (await tx.get("meta", "reachTold")) ?? {};
      const key = `${mark.dossier_id}:${mark.status}`;
      if (marks[key]) marks[key] = { ...marks[key], posted_at: now() };
      tx.put("meta", marks, "reachTold");
    });
  }
  const answer = await api.get("/api/reach/mine");
  if (answer.status === 200) await db.put("meta", { at: now(), items: answer.data }, "reach");
}

export async function refreshCatalogue({ db, api }) {
  const etag = await db.get("meta", "catalogueEtag");
  const answer = await api.get("/api/catalogue", { headers: etag ? { "if-none-match": `"${etag}"` } : {} });
  let index = await db.get("meta", "catalogue");
  if (answer.status === 200) {
    index = answer.data;
  } else if (answer.status !== 304) {
    throw new ApiFailure("http", answer.status, answer.data);
  }
  for (const procedure of index?.procedures ?? []) {
    const key = `${procedure.code}:${procedure.current_version}`;
    if (procedure.current_version === null || (await db.get("catalogue", key))) continue;
    const version = await api.get(`/api/catalogue/${procedure.code}/versions/${procedure.current_version}`);
    if (version.status === 200) await db.put("catalogue", { key, document: version.data });
  }
  if (answer.status === 200) {
    await db.put("meta", index, "catalogue");
    await db.put("meta", index.etag, "catalogueEtag");
  }
}

export async function refreshPlaces({ db, api }) {
  const communes = await api.get("/api/places/communes");
  if (communes.status !== 200) throw new ApiFailure("http", communes.status, communes.data);
  const places = [];
  for (const commune of communes.data) {
    const detail = await api.get(`/api/places/communes/${commune.code}`);
    if (detail.status === 200) places.push({ ...detail.data.commune, villages: detail.data.villages });
  }
  await db.put("meta", places, "places");
}

// Sessions slide: keep the expiry up to date.
async function refreshSession({ db, api }) {
  const answer = await api.get("/api/me/sessions");
  const session = await db.get("meta", "session");
  const current = answer.status === 200 ? answer.data.find((s) => s.current) : null;
  if (current && session) await db.put("meta", { ...session, expires_at: current.expires_at }, "session");
}

async function prune({ db, now }) {
  const at = now();
  await db.write(["records", "blobs", "dossiers"], async (tx) => {
    const records = await tx.all("records");
    const gone = new Set(prunableRecords(records, await tx.all("dossiers"), at));
    const keep = records.filter((r) => !gone.has(r));
    for (const record of gone) tx.delete("records", record.id);
    // drafts' photos are not uploaded: kept
    const named = new Set(keep.flatMap((r) => r.attachments));
    for (const blob of await tx.all("blobs")) {
      if (!named.has(blob.sha256) && blob.uploaded_at) tx.delete("blobs", blob.sha256);
    }
  });
}

// {ok: true, summary} or {ok: false, kind, status, code, message_vi, message_en}.
export function syncNow({ db, api, now = () => Date.now(), onProgress = () => {}, reference = true }) {
  return withSyncLock(async () => {
    const ctx = { db, api, now, progress: onProgress };
    const started = now();
    try {
      await resetSending(db);
      onProgress({ step: "limits" });
      const limits = await api.get("/api/sync/limits");
      if (limits.status !== 200) throw new ApiFailure("http", limits.status, limits.data);
      await db.put("meta", limits.data, "limits");
      const summary = {
        pushed: await pushAll(ctx, limits.data.max_batch_records),
        uploaded: 0,
        lost: 0,
        pulled: 0,
      };
      await resolveMissing(ctx);
      summary.uploaded += await uploadAll(ctx);
      summary.lost = await checkHoldings(ctx);
      if (summary.lost) {
        summary.pushed += await pushAll(ctx, limits.data.max_batch_records);
        await resolveMissing(ctx);
        summary.uploaded += await uploadAll(ctx);
      }
      summary.pulled = await pullPages(ctx, limits.data.pull_page_size);
      if (ctx.startedOver) {
        // every record ever sent is checked
        const lost = await checkHoldings(ctx, true);
        summary.lost += lost;
        if (lost) summary.pushed += await pushAll(ctx, limits.data.max_batch_records);
      }
      onProgress({ step: "reach" });
      await refreshReach(ctx);
      if (reference) {
        onProgress({ step: "reference" });
        await refreshPlaces(ctx);
        await refreshCatalogue(ctx);
        await refreshSession(ctx);
      }
      await prune(ctx);
      const records = await db.all("records");
      summary.attention = records.filter((r) => r.state === "needs_attention").length;
      summary.incomplete = records.filter((r) => r.state !== "needs_attention" && !isComplete(r)).length;
      const status = { ok: true, at: now(), started, summary };
      await db.put("meta", status, "syncStatus");
      await db.put("meta", status.at, "lastSync");
      await db.put("meta", 0, "syncFailures");
      onProgress({ step: "done" });
      return status;
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      const failures = ((await db.get("meta", "syncFailures")) ?? 0) + 1;
      const status = {
        ok: false,
        at: now(),
        started,
        kind: error.kind,
        status: error.status,
        code: error.body?.code ?? null,
        message_vi: error.body?.message_vi ?? null,
        message_en: error.body?.message_en ?? null,
      };
      await db.put("meta", status, "syncStatus");
      await db.put("meta", failures, "syncFailures");
      onProgress({ step: "failed", kind: error.kind });
      return status;
    }
  });
}
