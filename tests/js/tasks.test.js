// The volunteer's to-do list: each kind of task appears from what the phone holds, opens the screen
// where it is done, and disappears once it is done.

import assert from "node:assert/strict";
import { test } from "node:test";

import { CHECKLIST_STEPS } from "../../pwa/js/store.js";
import { computeTasks, routeVillages, toldKey, unpostedMarks } from "../../pwa/js/tasks.js";

const D1 = "0190a000-0000-7000-8000-000000000001";
const D2 = "0190a000-0000-7000-8000-000000000002";
const R1 = "0190a000-0000-7000-8000-0000000000a1";
const R2 = "0190a000-0000-7000-8000-0000000000a2";
const V1 = "0190a000-0000-7000-8000-0000000000f1";
const V2 = "0190a000-0000-7000-8000-0000000000f2";

const dossier = (id, status, extra = {}, revision = 1) => ({
  id,
  revision,
  residentName: "Hờ A Dính",
  server: { id, tracking_code: "KA1-1", status, ...extra },
});
const kinds = (tasks) => tasks.map((task) => task.kind);

test("a supplement request is a task with the officer's note, opening the dossier", () => {
  const [task, ...rest] = computeTasks({
    dossiers: [dossier(D1, "needs_supplement", { supplement_needed: "Thiếu giấy báo tử" })],
  });
  assert.deepEqual(rest, []);
  assert.equal(task.kind, "supplement");
  assert.equal(task.href, `#/dossier/${D1}`);
  assert.equal(task.code, "KA1-1");
  assert.equal(task.residentName, "Hờ A Dính");
  assert.equal(task.note, "Thiếu giấy báo tử");
  // Not pulled with the dossier: the reach list's reason for the same news says it.
  const reach = [
    { dossier_id: D1, status: "needs_supplement", reason: "Thiếu ảnh CCCD", resident_name: "A" },
  ];
  const [fromReach] = computeTasks({ dossiers: [dossier(D1, "needs_supplement")], reach });
  assert.equal(fromReach.note, "Thiếu ảnh CCCD");
});

test("the supplement task goes once a newer revision is queued, the server has it, or the status moves", () => {
  const asked = { supplement_needed: "Thiếu ảnh", revision: 1 };
  assert.deepEqual(kinds(computeTasks({ dossiers: [dossier(D1, "needs_supplement", asked, 1)] })), [
    "supplement",
  ]);
  assert.deepEqual(computeTasks({ dossiers: [dossier(D1, "needs_supplement", asked, 2)] }), []);
  // No revision stored by the server yet counts as the first.
  assert.deepEqual(computeTasks({ dossiers: [dossier(D1, "needs_supplement", {}, 2)] }), []);
  // Asked a second time after revision 2: the phone's revision 2 is not a new one.
  const again = { revision: 2 };
  assert.deepEqual(kinds(computeTasks({ dossiers: [dossier(D1, "needs_supplement", again, 2)] })), [
    "supplement",
  ]);
  const sent = { revision: 2, supplement_sent_at: "2026-03-02T09:00:00Z" };
  assert.deepEqual(computeTasks({ dossiers: [dossier(D1, "needs_supplement", sent, 2)] }), []);
  assert.deepEqual(computeTasks({ dossiers: [dossier(D1, "in_progress", asked, 1)] }), []);
});

test("a ready result is a task until the volunteer says they told the resident or it is handed over", () => {
  const [task] = computeTasks({ dossiers: [dossier(D1, "ready")] });
  assert.equal(task.kind, "tell");
  assert.equal(task.status, "ready");
  assert.equal(task.href, `#/dossier/${D1}`);
  assert.equal(task.unreached, false);
  const told = { [toldKey(D1, "ready")]: { dossier_id: D1, status: "ready", posted_at: null } };
  assert.deepEqual(computeTasks({ dossiers: [dossier(D1, "ready")], told }), []);
  assert.deepEqual(computeTasks({ dossiers: [dossier(D1, "delivered")] }), []);
});

test("residents push cannot reach are tasks with their phone, once per dossier, gone when told", () => {
  const reach = [
    {
      dossier_id: D1,
      tracking_code: "KA1-1",
      status: "ready",
      reason: "",
      resident_name: "Hờ A Dính",
      resident_phone: "0912345678",
      village: "Buôn Trí A",
    },
    {
      dossier_id: D2,
      tracking_code: "KA1-2",
      status: "rejected",
      reason: "Không đủ điều kiện",
      resident_name: "Nguyễn Thị Lan",
      resident_phone: null,
      village: "Buôn Trí A",
    },
  ];
  const dossiers = [dossier(D1, "ready"), dossier(D2, "rejected")];
  const tasks = computeTasks({ dossiers, reach });
  assert.deepEqual(
    tasks.map((task) => [task.kind, task.dossierId, task.phone, task.unreached]),
    [
      ["tell", D1, "0912345678", true], // the ready dossier is listed once, with the phone
      ["tell", D2, null, true],
    ],
  );
  assert.equal(tasks[1].reason, "Không đủ điều kiện");
  const told = { [toldKey(D2, "rejected")]: { dossier_id: D2, status: "rejected", posted_at: null } };
  assert.deepEqual(
    computeTasks({ dossiers, reach, told }).map((task) => task.dossierId),
    [D1],
  );
  // The dossier moved on since the list was fetched: its news is not the one to tell any more.
  assert.deepEqual(computeTasks({ dossiers: [dossier(D1, "delivered")], reach: [reach[0]] }), []);
  assert.deepEqual(unpostedMarks(told), [told[toldKey(D2, "rejected")]]);
  assert.deepEqual(unpostedMarks({ x: { posted_at: 1 } }), []);
});

test("residents of today's route villages with an unfinished checklist are tasks, nearest to done first", () => {
  const routes = [
    { day: "2026-03-05", stops: [{ village_id: V1 }] },
    { day: "2026-03-06", stops: [{ village_id: V2 }] },
  ];
  const villages = routeVillages(routes, "2026-03-05");
  const tick = (step, state) => [step, { body: { step, state } }];
  const almost = new Map(
    CHECKLIST_STEPS.map((step, i) => tick(step, i === 0 ? "follow_up" : i === 1 ? "not_applicable" : "done")),
  );
  const residents = [
    { id: R1, full_name: "Y Kông Ayun", village_id: V1 },
    { id: R2, full_name: "H’Linh Niê", village_id: V1 },
    { id: "elsewhere", full_name: "Trần Thị Bé", village_id: V2 },
  ];
  const tasks = computeTasks({ residents, villages, ticks: new Map([[R2, almost]]), steps: CHECKLIST_STEPS });
  assert.deepEqual(
    tasks.map((task) => [task.kind, task.residentId, task.left, task.href]),
    [
      ["checklist", R2, 1, `#/resident/${R2}/checklist`],
      ["checklist", R1, CHECKLIST_STEPS.length, `#/resident/${R1}/checklist`],
    ],
  );
  const finished = new Map(CHECKLIST_STEPS.map((step) => tick(step, "done")));
  const after = computeTasks({
    residents,
    villages,
    ticks: new Map([
      [R1, finished],
      [R2, almost],
    ]),
    steps: CHECKLIST_STEPS,
  });
  assert.deepEqual(
    after.map((task) => task.residentId),
    [R2],
  );
});

test("supplements come first, then residents to tell, then checklists", () => {
  const tasks = computeTasks({
    dossiers: [dossier(D1, "ready"), dossier(D2, "needs_supplement")],
    residents: [{ id: R1, full_name: "Y Kông Ayun", village_id: V1 }],
    villages: new Set([V1]),
    steps: CHECKLIST_STEPS,
  });
  assert.deepEqual(kinds(tasks), ["supplement", "tell", "checklist"]);
});
