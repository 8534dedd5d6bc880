// One sync state for the top pill and the sync screen, counting people and dossiers, not records.

import assert from "node:assert/strict";
import { test } from "node:test";

import { setLang } from "../../pwa/js/i18n.js";
import { applyOutcome, enqueue, makeEnvelope } from "../../pwa/js/queue.js";
import { pendingOf, pendingText, syncState } from "../../pwa/js/syncstate.js";
import { MemDb } from "./memdb.js";

async function twoPeopleAndADossier(db) {
  const an = makeEnvelope("resident", { full_name: "An", village_id: "v" });
  const consents = ["personal_data", "document_photos"].map((purpose) =>
    makeEnvelope("consent", { resident_id: an.id, purpose, given: true }),
  );
  await enqueue(db, [an, ...consents]);
  // A tick for someone already on the server: that person still has something to send.
  await enqueue(db, [makeEnvelope("checklist", { resident_id: "on-server", step: "vneid_installed" })]);
  await enqueue(db, [makeEnvelope("dossier", { resident_id: an.id, tracking_code: "AB-1", papers: [] })]);
  return db.all("records");
}

test("consents and ticks count as their person; dossiers count on their own", async () => {
  const records = await twoPeopleAndADossier(new MemDb());
  assert.equal(records.length, 5);
  assert.deepEqual(pendingOf(records), { people: 2, dossiers: 1, other: 0 });
  assert.equal(pendingText(pendingOf(records)), "2 người · 1 hồ sơ chưa gửi");
  setLang("en");
  try {
    assert.equal(pendingText({ people: 1, dossiers: 3, other: 0 }), "1 person · 3 dossiers unsent");
  } finally {
    setLang("vi");
  }
});

test("what is on the server with all its photos is no longer counted", async () => {
  const records = await twoPeopleAndADossier(new MemDb());
  const sent = records.map((record) =>
    record.kind === "dossier" ? record : { ...applyOutcome(record, { outcome: "applied" }), missing: [] },
  );
  assert.deepEqual(pendingOf(sent), { people: 0, dossiers: 1, other: 0 });
});

test("no network outranks a sync still running, so the words never contradict each other", () => {
  const pending = { people: 1, dossiers: 1, other: 0 };
  const running = { running: true, status: null, pending };
  assert.deepEqual(syncState({ ...running, online: false }), {
    kind: "offline",
    title: "Không có mạng",
    detail: "1 người · 1 hồ sơ chưa gửi",
  });
  assert.equal(syncState({ ...running, online: true }).kind, "sending");
  const failed = { online: true, running: false, status: { ok: false, kind: "unreachable" }, pending };
  assert.deepEqual(syncState(failed), { kind: "failed", title: "1 người · 1 hồ sơ chưa gửi", detail: "" });
  const done = {
    online: true,
    running: false,
    status: { ok: true },
    pending: { people: 0, dossiers: 0, other: 0 },
  };
  assert.deepEqual(syncState(done), { kind: "ok", title: "✓ Đã gửi hết", detail: "" });
});
