// The outbox: frozen records, batches that keep a resident with its consents, outcomes.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  applyHolding,
  applyOutcome,
  attachmentsOf,
  countStates,
  enqueue,
  isComplete,
  isUnsent,
  makeEnvelope,
  newRecord,
  planBatches,
} from "../../pwa/js/queue.js";
import { MemDb } from "./memdb.js";

const record = (seq, group) => ({ id: `r${seq}`, seq, group: group ?? `r${seq}` });

test("a queued record is frozen: an edit must be a new revision", () => {
  const envelope = makeEnvelope("resident", { full_name: "Nguyễn Văn An", needs: ["elderly"] });
  assert.equal(envelope.revision, 1);
  assert.equal(envelope.base_revision, null);
  assert.match(envelope.written_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.throws(() => {
    envelope.body.full_name = "Khác";
  }, TypeError);
  assert.throws(() => envelope.body.needs.push("interpreter"), TypeError);
});

test("batches never split a resident from the consents signed with it", () => {
  const records = [record(1, "a"), record(2, "a"), record(3, "a"), record(4, "b"), record(5, "b"), record(6)];
  assert.deepEqual(
    planBatches(records, 4).map((batch) => batch.map((r) => r.id)),
    [
      ["r1", "r2", "r3"],
      ["r4", "r5", "r6"],
    ],
  );
  assert.deepEqual(
    planBatches(records, 200).map((batch) => batch.length),
    [6],
  );
  // A group larger than the batch is split, in order.
  assert.deepEqual(
    planBatches(records.slice(0, 3), 2).map((batch) => batch.map((r) => r.id)),
    [["r1", "r2"], ["r3"]],
  );
});

test("batches go oldest first", () => {
  const records = [record(3), record(1), record(2)];
  assert.deepEqual(
    planBatches(records, 2)
      .flat()
      .map((r) => r.id),
    ["r1", "r2", "r3"],
  );
});

test("outcomes become states the volunteer can read", () => {
  const dossier = newRecord(
    makeEnvelope("dossier", { signature_sha256: "s", papers: [{ paper_id: "p", photos: ["a", "b"] }] }),
    { seq: 1 },
  );
  assert.deepEqual(dossier.attachments, ["s", "a", "b"]);
  const applied = applyOutcome(dossier, { outcome: "applied", missing_attachments: ["a"] }, 5);
  assert.equal(applied.state, "on_server");
  assert.deepEqual(applied.missing, ["a"]);
  assert.equal(applied.sent_at, 5);
  assert.equal(isComplete(applied), false);
  assert.equal(isComplete({ ...applied, missing: [] }), true);

  const duplicate = applyOutcome(dossier, { outcome: "duplicate" });
  assert.equal(duplicate.missing, null, "a duplicate does not say what is missing: ask");
  const held = applyOutcome(dossier, { outcome: "held" });
  assert.equal(held.detail, "held");
  assert.equal(isUnsent(held), true);

  const reason = { code: "record.invalid", message_vi: "Sai.", message_en: "Wrong.", fields: [] };
  const rejected = applyOutcome(dossier, { outcome: "rejected", reason });
  assert.equal(rejected.state, "needs_attention");
  assert.deepEqual(rejected.reason, reason);
  assert.equal(applyOutcome(dossier, { outcome: "conflict", reason }).state, "needs_attention");
});

test("a record the server no longer holds goes back to waiting", () => {
  const sent = { ...newRecord(makeEnvelope("resident", {}), { seq: 1 }), state: "on_server", missing: [] };
  assert.equal(applyHolding(sent, null).state, "waiting");
  assert.equal(applyHolding(sent, { state: "applied" }).state, "on_server");
  assert.equal(applyHolding(sent, { state: "merged", merged_into: "x" }).merged_into, "x");
  assert.equal(applyHolding(sent, { state: "rejected" }).state, "needs_attention");
  assert.equal(applyHolding({ ...sent, detail: "held" }, { state: "applied" }).missing, null);
});

test("a held dossier applied later learns from its holding what to upload", () => {
  const dossier = newRecord(makeEnvelope("dossier", { signature_sha256: "s", papers: [] }), { seq: 1 });
  const held = { ...dossier, state: "on_server", detail: "held", missing: null };
  const told = applyHolding(held, { state: "applied", kind: "dossier", missing_attachments: ["s"] });
  assert.deepEqual(told.missing, ["s"]);
  assert.equal(told.detail, null);
  const duplicate = applyOutcome(dossier, { outcome: "duplicate", missing_attachments: [] });
  assert.deepEqual(duplicate.missing, []);
});

test("a consent names its signature; a resident names nothing", () => {
  assert.deepEqual(attachmentsOf(makeEnvelope("consent", { signature_sha256: "abc" })), ["abc"]);
  assert.deepEqual(attachmentsOf(makeEnvelope("resident", { full_name: "A" })), []);
});

test("enqueue keeps the order and the group across calls", async () => {
  const db = new MemDb();
  const a = makeEnvelope("resident", {});
  const b = makeEnvelope("consent", { resident_id: a.id });
  await enqueue(db, [a, b]);
  const [c] = await enqueue(db, [makeEnvelope("checklist", { resident_id: a.id })]);
  const records = (await db.all("records")).sort((x, y) => x.seq - y.seq);
  assert.deepEqual(
    records.map((r) => r.seq),
    [1, 2, 3],
  );
  assert.equal(records[1].group, a.id);
  assert.equal(c.group, c.id);
  assert.deepEqual(countStates(records), {
    waiting: 3,
    sending: 0,
    on_server: 0,
    needs_attention: 0,
    uploading: 0,
  });
});
