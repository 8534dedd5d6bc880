// The outbox: frozen records, batches that keep a resident with its consents, outcomes.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  applyHolding,
  applyOutcome,
  attachmentsOf,
  countStates,
  enqueue,
  enqueueRevision,
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

/** A dossier queued, then answered by the server with ``outcome``. */
async function sentDossier(db, outcome) {
  const envelope = makeEnvelope("dossier", {
    resident_id: "r1",
    tracking_code: "AB12-1",
    form: { a: 1 },
    papers: [{ paper_id: "can-cuoc", photos: ["p1"] }],
    signature_sha256: "s1",
    receipt_secret_hash: "h1",
  });
  const [queued] = await enqueue(db, [envelope], { local: { [envelope.id]: { secret: "SECRET" } } });
  const answered = outcome ? applyOutcome(queued, outcome) : queued;
  await db.put("records", answered);
  return answered;
}

const supplement = (record, photos) => ({
  ...record.envelope.body,
  papers: [{ paper_id: "can-cuoc", photos }],
  signature_sha256: "s2",
});

test("a supplement to a dossier on the server is the server's revision + 1 on that base", async () => {
  const db = new MemDb();
  const record = await sentDossier(db, { outcome: "applied", missing_attachments: [] });
  await db.put("dossiers", { id: record.id, status: "needs_supplement", revision: 1 });
  const next = await enqueueRevision(db, record, supplement(record, ["p1", "p2"]));
  assert.equal(next.id, record.id);
  assert.equal(next.envelope.revision, 2);
  assert.equal(next.envelope.base_revision, 1);
  assert.equal(next.state, "waiting");
  assert.equal(next.missing, null);
  assert.deepEqual(next.local, { secret: "SECRET" }, "the receipt's secret stays with the record");
  assert.deepEqual(next.attachments.sort(), ["p1", "p2", "s2"]);
  assert.ok(next.seq > record.seq);
  // The tracking code and the receipt's secret hash are the dossier's, unchanged.
  assert.equal(next.envelope.body.tracking_code, "AB12-1");
  assert.equal(next.envelope.body.receipt_secret_hash, "h1");
  assert.throws(() => {
    next.envelope.body.signature_sha256 = "x";
  }, TypeError);
  const stored = await db.get("records", record.id);
  assert.deepEqual(stored.envelope, next.envelope, "the record is replaced, not duplicated");
  assert.equal((await db.all("records")).length, 1);
  // A newer revision the desk's pull told about counts, not only what this phone sent.
  await db.put("records", { ...stored, state: "on_server", missing: [] });
  await db.put("dossiers", { id: record.id, status: "needs_supplement", revision: 3 });
  const again = await enqueueRevision(db, stored, supplement(record, ["p3"]));
  assert.deepEqual([again.envelope.revision, again.envelope.base_revision], [4, 3]);
});

test("a refused dossier is corrected under the same revision and base", async () => {
  const db = new MemDb();
  const refused = await sentDossier(db, {
    outcome: "rejected",
    reason: { code: "record.invalid", fields: [{ field: "form.a", code: "form.type" }] },
  });
  const fixed = await enqueueRevision(db, refused, { ...refused.envelope.body, form: { a: 2 } });
  assert.deepEqual([fixed.envelope.revision, fixed.envelope.base_revision], [1, null]);
  assert.equal(fixed.state, "waiting");
  assert.equal(fixed.reason, null);
  assert.equal(fixed.detail, null);
  assert.deepEqual(fixed.envelope.body.form, { a: 2 });
  assert.notEqual(fixed.envelope.written_at, undefined);
  // Corrected again before it was sent: still the same revision.
  const twice = await enqueueRevision(db, fixed, { ...refused.envelope.body, form: { a: 3 } });
  assert.deepEqual([twice.envelope.revision, twice.envelope.base_revision], [1, null]);
});

test("an edit that lost to another phone's goes on the revision the server stores", async () => {
  const db = new MemDb();
  const record = await sentDossier(db, { outcome: "applied", missing_attachments: [] });
  const mine = await enqueueRevision(db, record, supplement(record, ["p2"]));
  const lost = applyOutcome(mine, { outcome: "conflict", reason: { code: "revision.stale_base" } });
  await db.put("records", lost);
  await db.put("dossiers", { id: record.id, status: "needs_supplement", revision: 2 });
  const retry = await enqueueRevision(db, lost, supplement(record, ["p2", "p4"]));
  assert.deepEqual([retry.envelope.revision, retry.envelope.base_revision], [3, 2]);
});

test("a record in a push not answered yet cannot be edited", async () => {
  const db = new MemDb();
  const record = await sentDossier(db, null);
  await db.put("records", { ...record, state: "sending" });
  await assert.rejects(enqueueRevision(db, record, record.envelope.body));
});
