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
  FINISHED_STATUSES,
  isComplete,
  isUnsent,
  makeEnvelope,
  newRecord,
  PRUNE_AFTER_DAYS,
  planBatches,
  prunableRecords,
  storedRecord,
} from "../../pwa/js/queue.js";
import { WORDS } from "../../pwa/js/words.js";
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

// ---- resident-fix: residents corrected or edited on the phone, and what a sync may prune ----

const DAY = 86_400_000;
const VILLAGE = "019309e1-0000-7000-8000-000000000001";
const residentBody = (extra = {}) => ({
  village_id: VILLAGE,
  full_name: "Nguyễn Văn An",
  birth_date: "1950-03-02",
  sex: "male",
  needs: [],
  ...extra,
});

test("a refused resident is corrected under the same revision and base, and shown corrected", async () => {
  const db = new MemDb();
  const envelope = makeEnvelope("resident", residentBody({ phone: "0212345678" }));
  const consent = makeEnvelope("consent", {
    resident_id: envelope.id,
    purpose: "personal_data",
    given: true,
  });
  const [queued] = await enqueue(db, [envelope, consent], { group: envelope.id });
  await db.put("residents", { ...envelope.body, id: envelope.id, on_server: false });
  const refused = applyOutcome(queued, {
    outcome: "rejected",
    reason: { code: "record.invalid", fields: [{ field: "phone", code: "phone.not_mobile" }] },
  });
  await db.put("records", refused);
  const fixed = await enqueueRevision(db, refused, residentBody({ phone: "0912345678" }));
  assert.deepEqual([fixed.id, fixed.envelope.revision, fixed.envelope.base_revision], [envelope.id, 1, null]);
  assert.equal(fixed.state, "waiting");
  assert.equal(fixed.reason, null);
  assert.equal(fixed.group, envelope.id, "it still travels with the consents signed with it");
  assert.equal((await db.all("records")).length, 2, "the consents are not queued again");
  const shown = await db.get("residents", envelope.id);
  assert.equal(shown.phone, "0912345678");
  assert.equal(shown.on_server, false);
});

test("a refused ethnicity is cleared, not kept beside the corrected body", async () => {
  const db = new MemDb();
  const envelope = makeEnvelope("resident", residentBody({ ethnicity: "Ê Đê" }));
  const [queued] = await enqueue(db, [envelope]);
  await db.put("residents", { ...envelope.body, id: envelope.id, on_server: false });
  const refused = applyOutcome(queued, { outcome: "rejected", reason: { code: "ethnicity.no_consent" } });
  await db.put("records", refused);
  const fixed = await enqueueRevision(db, refused, residentBody());
  assert.equal("ethnicity" in fixed.envelope.body, false);
  assert.equal("ethnicity" in (await db.get("residents", envelope.id)), false);
});

test("an applied resident's edit is the server's revision + 1 on that base, with or without its record", async () => {
  const db = new MemDb();
  const envelope = makeEnvelope("resident", residentBody());
  const [queued] = await enqueue(db, [envelope]);
  await db.put("records", { ...applyOutcome(queued, { outcome: "applied" }), missing: [] });
  // The pull stored the server's revision (another phone edited it once already).
  await db.put("residents", { ...envelope.body, id: envelope.id, revision: 2, on_server: true });
  const edited = await enqueueRevision(
    db,
    await db.get("records", envelope.id),
    residentBody({ needs: ["elderly"] }),
  );
  assert.deepEqual([edited.envelope.revision, edited.envelope.base_revision], [3, 2]);
  const shown = await db.get("residents", envelope.id);
  assert.deepEqual([shown.needs, shown.revision, shown.on_server], [["elderly"], 2, true]);

  // A resident another volunteer registered: no record on this phone, only the pulled revision.
  const foreign = "01930a5e-8a4f-7d1c-9b52-3f0c2f6e1a77";
  await db.put("residents", { ...residentBody(), id: foreign, revision: 1, on_server: true });
  const first = await enqueueRevision(
    db,
    storedRecord("resident", foreign, 1),
    residentBody({ sex: "female" }),
  );
  assert.deepEqual([first.id, first.envelope.revision, first.envelope.base_revision], [foreign, 2, 1]);
  assert.equal(first.state, "waiting");
});

test("the statuses the desk finishes with are the shared words' statuses", () => {
  for (const status of FINISHED_STATUSES) assert.ok(status in WORDS.status, status);
});

/** A record complete on the server, sent ``days`` ago. */
function sentLongAgo(envelope, days, now) {
  return {
    ...newRecord(envelope, { seq: 1 }),
    state: "on_server",
    missing: [],
    sent_at: now - days * DAY,
  };
}

test("prune keeps a dossier the desk still owes something, and the resident it names", () => {
  const now = Date.parse("2027-03-01T00:00:00Z");
  const old = PRUNE_AFTER_DAYS + 1;
  const resident = makeEnvelope("resident", residentBody());
  const other = makeEnvelope("resident", residentBody({ full_name: "Lê Thị Hoa" }));
  const consent = makeEnvelope("consent", {
    resident_id: resident.id,
    purpose: "personal_data",
    given: true,
  });
  const asked = makeEnvelope("dossier", { resident_id: resident.id, papers: [] });
  const done = makeEnvelope("dossier", { resident_id: other.id, papers: [] });
  const unknown = makeEnvelope("dossier", { resident_id: other.id, papers: [] });
  const records = [resident, other, consent, asked, done, unknown].map((e) => sentLongAgo(e, old, now));
  const ids = (list) => list.map((r) => r.id).sort();
  const servers = [
    { id: asked.id, status: "needs_supplement" },
    { id: done.id, status: "delivered" },
  ];
  // The dossier of unknown status is kept too: nothing says the desk is done with it.
  assert.deepEqual(ids(prunableRecords(records, servers, now)), ids([consent, done]));
  // Once the desk is done with both, everything old goes.
  const finished = [
    { id: asked.id, status: "withdrawn" },
    { id: done.id, status: "delivered" },
    { id: unknown.id, status: "rejected" },
  ];
  assert.deepEqual(ids(prunableRecords(records, finished, now)), ids(records));
  // Nothing recent goes, whatever its dossier's status.
  const recent = [resident, done].map((e) => sentLongAgo(e, PRUNE_AFTER_DAYS - 1, now));
  assert.deepEqual(prunableRecords(recent, finished, now), []);
  // A resident named by a record still waiting stays.
  const waiting = { ...newRecord(makeEnvelope("checklist", { resident_id: other.id }), { seq: 9 }) };
  const withWaiting = prunableRecords([...records, waiting], finished, now);
  assert.ok(!ids(withWaiting).includes(other.id));
  assert.ok(ids(withWaiting).includes(resident.id));
});
