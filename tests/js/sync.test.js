// The sync protocol against a fake server: exactly once, whatever the link does.

import assert from "node:assert/strict";
import { test } from "node:test";
import { enqueueRevision, isComplete } from "../../pwa/js/queue.js";
import { syncNow } from "../../pwa/js/sync.js";
import { FakeServer } from "./fake_server.js";
import { phoneFor, photo, registerAndFile, states } from "./helpers.js";

const sync = (phone) => syncNow({ ...phone, reference: false });

async function assertAllComplete(db) {
  const records = await db.all("records");
  assert.ok(
    records.every(isComplete),
    JSON.stringify(records.map((r) => [r.kind, r.state, r.detail, r.missing])),
  );
}

test("a day's records reach the server once, photos and signatures included", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  await registerAndFile(phone.db);
  const status = await sync(phone);
  assert.equal(status.ok, true, JSON.stringify(status));
  assert.deepEqual(await states(phone.db), {
    resident: "on_server",
    consent: "on_server",
    dossier: "on_server",
  });
  await assertAllComplete(phone.db);
  assert.equal(server.count("resident"), 1);
  assert.equal(server.count("dossier"), 1);
  assert.equal(server.files.size, 5); // consent signature, three papers, dossier signature
  assert.equal(server.requests.filter((r) => r.startsWith("PUT")).length, 5);
  assert.equal(typeof (await phone.db.get("meta", "lastSync")), "number");
});

test("no network: everything stays queued and the phone says offline", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  await registerAndFile(phone.db);
  server.online = false;
  const status = await sync(phone);
  assert.equal(status.ok, false);
  assert.equal(status.kind, "offline");
  assert.deepEqual(await states(phone.db), { resident: "waiting", consent: "waiting", dossier: "waiting" });
  assert.equal(await phone.db.get("meta", "lastSync"), undefined);
  server.online = true;
  assert.equal((await sync(phone)).ok, true);
  await assertAllComplete(phone.db);
});

test("an answer lost after the server applied the batch is retried as duplicates, not doubled", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  await registerAndFile(phone.db);
  server.failNext(/POST \/api\/sync\/push/, "drop-answer");
  const failed = await sync(phone);
  assert.equal(failed.kind, "unreachable"); // the phone is online; the server did not answer
  assert.equal(server.count("resident"), 1); // the server did apply it
  assert.deepEqual(await states(phone.db), { resident: "waiting", consent: "waiting", dossier: "waiting" });

  assert.equal((await sync(phone)).ok, true);
  await assertAllComplete(phone.db);
  assert.equal(server.count("resident"), 1);
  assert.equal(server.count("dossier"), 1);
  assert.equal(server.files.size, 5);
});

test("a server error (5xx) is not a delivery: the batch stays queued", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  await registerAndFile(phone.db);
  server.failNext(/POST \/api\/sync\/push/, "server");
  const status = await sync(phone);
  assert.equal(status.kind, "server");
  assert.equal(status.status, 503);
  assert.equal(server.count("resident"), 0);
  assert.deepEqual(await states(phone.db), { resident: "waiting", consent: "waiting", dossier: "waiting" });
  assert.equal(await phone.db.get("meta", "syncFailures"), 1);
  assert.equal((await sync(phone)).ok, true);
  assert.equal(await phone.db.get("meta", "syncFailures"), 0);
});

test("a link dropping during the photos resumes where it stopped", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  await registerAndFile(phone.db);
  let puts = 0;
  const inner = server.fetch;
  server.fetch = async (url, init = {}) => {
    if (init.method === "PUT" && ++puts === 3) throw new TypeError("link dropped");
    return inner(url, init);
  };
  const phoneAgain = {
    ...phone,
    api: (await import("../../pwa/js/api.js")).createApi({ getToken: () => "t", fetchImpl: server.fetch }),
  };
  const failed = await sync(phoneAgain);
  assert.equal(failed.ok, false);
  assert.equal(server.files.size, 2);
  const uploadedBefore = server.requests.filter((r) => r.startsWith("PUT")).length;
  assert.equal((await sync(phoneAgain)).ok, true);
  const uploadedAfter = server.requests.filter((r) => r.startsWith("PUT")).length - uploadedBefore;
  assert.equal(uploadedAfter, 3, "only the three photos not yet sent go again");
  await assertAllComplete(phone.db);
  assert.equal(server.files.size, 5);
});

test("a batch too large for the server is halved until it fits", async () => {
  const server = new FakeServer({ maxBatch: 2 });
  const phone = phoneFor(server);
  for (let i = 0; i < 3; i += 1)
    await registerAndFile(phone.db, { name: `Người ${i}`, code: `AB12-${i + 1}` });
  const status = await syncNow({ ...phone, api: phone.api, reference: false, now: Date.now });
  assert.equal(status.ok, true, JSON.stringify(status));
  assert.ok(server.pushSizes.every((n) => n <= 2));
  assert.equal(server.count("resident"), 3);
  assert.equal(server.count("dossier"), 3);
  await assertAllComplete(phone.db);
});

test("a refused record waits for attention with the server's reason; the others go through", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  await registerAndFile(phone.db, { name: "REJECT", code: "AB12-1" });
  await registerAndFile(phone.db, { name: "Lê Thị Hoa", code: "AB12-2" });
  const status = await sync(phone);
  assert.equal(status.ok, true);
  assert.equal(status.summary.attention, 1);
  const records = await phone.db.all("records");
  const refused = records.find((r) => r.envelope.body.full_name === "REJECT");
  assert.equal(refused.state, "needs_attention");
  assert.equal(refused.reason.message_vi, "Bản ghi còn mục chưa đúng.");
  // Its consent and dossier are held by the server, waiting for their resident.
  assert.deepEqual(
    records.filter((r) => r.envelope.body.resident_id === refused.id).map((r) => [r.state, r.detail]),
    [
      ["on_server", "held"],
      ["on_server", "held"],
    ],
  );
  assert.equal(server.count("resident"), 1);
  assert.equal(server.count("dossier"), 1);
});

test("a record the server lost (restored from backup) is sent again with its photos", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  const { dossier } = await registerAndFile(phone.db);
  assert.equal((await sync(phone)).ok, true);
  server.lose(dossier.id);
  for (const sha of [...server.files.keys()]) server.files.delete(sha);
  const status = await sync(phone);
  assert.equal(status.ok, true);
  assert.equal(status.summary.lost, 1);
  assert.equal(server.count("dossier"), 1);
  assert.equal(server.missingFor(server.records.get(dossier.id).envelope).length, 0);
});

test("pull brings other volunteers' residents and keeps the cursor", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  for (let i = 0; i < 5; i += 1) {
    server.addForeignResident(`0193${i}a5e-8a4f-7d1c-9b52-3f0c2f6e1a77`, {
      full_name: `Y Sol ${i}`,
      village_id: "v",
      birth_date: "1960-01-01",
      sex: "male",
    });
  }
  const status = await sync(phone);
  assert.equal(status.summary.pulled, 5); // two pages of three and two
  assert.equal((await phone.db.all("residents")).length, 5);
  assert.equal(await phone.db.get("meta", "cursor"), "0.5");
  assert.equal((await sync(phone)).summary.pulled, 0);
});

test("records left 'sending' by a closed app go back to waiting and are sent", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  await registerAndFile(phone.db);
  for (const record of await phone.db.all("records"))
    await phone.db.put("records", { ...record, state: "sending" });
  assert.equal((await sync(phone)).ok, true);
  await assertAllComplete(phone.db);
});

test("routes arrive by pull and leave when the coordinator removes them", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  await phone.db.put("meta", [{ code: 24235, name: "Xã Buôn Đôn", villages: [] }], "places");
  const route = {
    day: "2026-11-24",
    note: "",
    commune_code: 24235,
    stops: [{ position: 1, village_id: "v1", village_name: "Buôn Trí A" }],
    team: [],
  };
  server.changes.push({ kind: "route", id: "r1", body: route });
  await sync(phone);
  assert.deepEqual(Object.keys(await phone.db.get("meta", "routes")), ["r1"]);
  server.changes.push({ kind: "route", id: "r1", server: { removed: true } });
  await sync(phone);
  assert.deepEqual(await phone.db.get("meta", "routes"), {});
});

test("a pull's drop forgets those residents and their ticks, never one the queue still holds", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  const [gone, kept] = ["0193aa5e-8a4f-7d1c-9b52-3f0c2f6e1a77", "0193aa5e-8a4f-7d1c-9b52-3f0c2f6e1a78"];
  const body = { full_name: "Y Sol", village_id: "v", birth_date: "1960-01-01", sex: "male" };
  server.addForeignResident(gone, body);
  server.addForeignResident(kept, body);
  const tick = { resident_id: gone, step: "vneid_installed", state: "done", note: "", appointment_on: null };
  server.changes.push({
    kind: "checklist",
    id: "0193aa5e-8a4f-7d1c-9b52-3f0c2f6e1a79",
    revision: 1,
    body: tick,
  });
  await sync(phone);
  assert.equal((await phone.db.all("children")).length, 1);
  // An edit of the second one the server refused: still the volunteer's to fix and send.
  const envelope = { id: kept, kind: "resident", revision: 2, body };
  await phone.db.put("records", {
    id: kept,
    kind: "resident",
    state: "needs_attention",
    envelope,
    attachments: [],
  });
  server.drop = [gone, kept];
  await sync(phone);
  assert.equal(await phone.db.get("residents", gone), undefined);
  assert.deepEqual(await phone.db.all("children"), []);
  assert.ok(await phone.db.get("residents", kept));
});

test("a supplement goes as the next revision and only its new photo is uploaded", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  const { dossier } = await registerAndFile(phone.db);
  await sync(phone);
  assert.equal(
    (await phone.db.get("dossiers", dossier.id)).revision,
    1,
    "the pull stored the server revision",
  );
  const record = await phone.db.get("records", dossier.id);
  const added = await photo(phone.db);
  const signature = await photo(phone.db);
  const body = structuredClone(dossier.body);
  body.papers[1].photos.push(added);
  body.signature_sha256 = signature;
  await enqueueRevision(phone.db, record, body);
  const uploadsBefore = server.requests.filter((r) => r.startsWith("PUT /api/attachments/")).length;
  const status = await sync(phone);
  assert.equal(status.ok, true, JSON.stringify(status));
  const stored = server.records.get(dossier.id);
  assert.equal(stored.state, "applied");
  assert.equal(stored.envelope.revision, 2);
  assert.equal(stored.envelope.base_revision, 1);
  assert.deepEqual(
    server.requests
      .filter((r) => r.startsWith("PUT /api/attachments/"))
      .slice(uploadsBefore)
      .sort(),
    [`PUT /api/attachments/${added}`, `PUT /api/attachments/${signature}`].sort(),
    "the photos the server already had are not sent again",
  );
  assert.equal((await phone.db.get("dossiers", dossier.id)).revision, 2);
  await assertAllComplete(phone.db);
});

test("prune keeps an old dossier the desk may still ask about, and its resident", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  const { resident, dossier } = await registerAndFile(phone.db);
  await sync(phone);
  await assertAllComplete(phone.db);
  const later = (days) => () => Date.now() + days * 86_400_000;
  // Seven weeks on, the desk asks for more papers.
  server.changes.push({
    kind: "dossier",
    id: dossier.id,
    revision: 1,
    server: { status: "needs_supplement" },
  });
  assert.equal((await syncNow({ ...phone, now: later(50), reference: false })).ok, true);
  const kept = (await phone.db.all("records")).map((r) => r.id).sort();
  assert.deepEqual(
    kept,
    [resident.id, dossier.id].sort(),
    "the consent went; the dossier and its resident stay",
  );
  const record = await phone.db.get("records", dossier.id);
  const next = await enqueueRevision(phone.db, record, {
    ...dossier.body,
    signature_sha256: await photo(phone.db),
  });
  assert.deepEqual(
    [next.envelope.revision, next.envelope.base_revision],
    [2, 1],
    "the supplement can be sent",
  );
  assert.equal((await syncNow({ ...phone, now: later(50), reference: false })).ok, true);
  assert.equal(server.records.get(dossier.id).envelope.revision, 2);
  // The result is handed over: the next prune long after takes everything.
  server.changes.push({ kind: "dossier", id: dossier.id, revision: 2, server: { status: "delivered" } });
  assert.equal((await syncNow({ ...phone, now: later(100), reference: false })).ok, true);
  assert.deepEqual(await phone.db.all("records"), []);
});

test("a restored server: the phone starts over from cursor 0 and re-sends what it lost", async () => {
  const server = new FakeServer();
  const phone = phoneFor(server);
  const { resident } = await registerAndFile(phone.db);
  server.addForeignResident("0193aa5e-8a4f-7d1c-9b52-3f0c2f6e1a77", { full_name: "Y Sol" });
  await sync(phone);
  assert.equal(await phone.db.get("meta", "cursor"), `0.${server.changes.length}`);
  server.lose(resident.id);
  server.restored();
  const status = await sync(phone);
  assert.equal(status.ok, true, JSON.stringify(status));
  const pulls = server.requests.filter((r) => r.includes("/api/sync/pull"));
  // From the start on the first sync, and again after the restore's 409.
  assert.equal(pulls.filter((r) => r.includes("cursor=0&")).length, 2, JSON.stringify(pulls));
  assert.equal(await phone.db.get("meta", "cursor"), `1.${server.changes.length}`);
  assert.ok(server.records.has(resident.id), "re-sent");
  assert.equal(server.count("resident"), 2); // its own and the foreign one, once each
  assert.equal(server.count("dossier"), 1);
});
