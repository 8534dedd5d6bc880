// "Việc cần làm": the volunteer's to-do list, worked out offline from what the phone holds
// (tasks.js). Each task opens the screen where it is done; "Đã báo" marks a resident told at once,
// posting it now when online, else at the next sync (sync.js refreshReach).

import { getMeta } from "../db.js";
import { formatTime, t } from "../i18n.js";
import { CHECKLIST_STEPS, latestTicks, localDay, routes } from "../store.js";
import { computeTasks, routeVillages, toldKey } from "../tasks.js";
import { ask, h, heading, toast } from "../ui.js";

export const live = true;

/** Every task, from the phone's database. */
export async function loadTasks(db) {
  const [servers, records, children, merged, routeList, reach, told] = await Promise.all([
    db.all("dossiers"),
    db.all("records"),
    db.all("children"),
    db.all("residents"), // read (and decrypted) once: the merged ones are kept apart below
    routes(db),
    getMeta(db, "reach"),
    getMeta(db, "reachTold"),
  ]);
  const residents = merged.filter((r) => !r.merged_into); // as store.js allResidents
  const byId = new Map(residents.map((r) => [r.id, r]));
  // A registration merged into another: its ticks are the surviving resident's.
  const mergedInto = new Map(merged.filter((r) => r.merged_into).map((r) => [r.id, r.merged_into]));
  const ownerOf = (id) => mergedInto.get(id) ?? id;
  const grouped = new Map();
  for (const child of children) {
    const owner = ownerOf(child.resident_id);
    if (!grouped.has(owner)) grouped.set(owner, []);
    grouped.get(owner).push(child);
  }
  const ticks = new Map([...grouped].map(([id, list]) => [id, latestTicks(list)]));
  const recordOf = new Map(records.filter((r) => r.kind === "dossier").map((r) => [r.id, r]));
  const dossiers = servers.map((server) => {
    const record = recordOf.get(server.id);
    const resident = record ? byId.get(ownerOf(record.envelope.body.resident_id)) : null;
    return {
      id: server.id,
      server,
      revision: record?.envelope.revision ?? null,
      code: record?.envelope.body.tracking_code,
      residentName: resident?.full_name ?? "",
      phone: resident?.phone ?? null,
    };
  });
  return computeTasks({
    dossiers,
    reach: reach?.items ?? [],
    told: told ?? {},
    residents,
    ticks,
    villages: routeVillages(routeList, localDay()),
    steps: CHECKLIST_STEPS,
  });
}

/** Keep the mark on the phone (the task goes at once), and tell the server now if it can be reached. */
async function markTold(app, task, method) {
  const key = toldKey(task.dossierId, task.status);
  const saveMark = (change) =>
    app.db.write(["meta"], async (tx) => {
      const marks = (await tx.get("meta", "reachTold")) ?? {};
      change(marks);
      tx.put("meta", marks, "reachTold");
    });
  await saveMark((marks) => {
    marks[key] = { dossier_id: task.dossierId, status: task.status, method, at: Date.now(), posted_at: null };
  });
  let posted = false;
  if (navigator.onLine) {
    try {
      const answer = await app.api.post(`/api/reach/${task.dossierId}/told`, { method }, { timeout: 8000 });
      posted = answer.status === 201;
    } catch {
      // no network after all: the next sync posts it
    }
  }
  if (posted) {
    await saveMark((marks) => {
      if (marks[key]) marks[key] = { ...marks[key], posted_at: Date.now() };
    });
  } else {
    app.syncer?.soon();
  }
  toast(posted ? t("told_saved") : t("told_saved_offline"));
  app.refresh();
}

async function tellDone(app, task) {
  const method = await ask({
    title: t("told_how"),
    text: task.residentName,
    actions: [
      { label: t("told_call"), value: "call", kind: "primary" },
      { label: t("told_visit"), value: "visit", kind: "primary" },
      { label: t("cancel"), value: null },
    ],
  });
  if (method) await markTold(app, task, method);
}

function title(task) {
  if (task.kind === "supplement") return t("task_supplement", { code: task.code, name: task.residentName });
  if (task.kind === "checklist") return t("task_checklist", { name: task.residentName });
  if (task.unreached) return t("task_call", { name: task.residentName });
  return t("task_ready");
}

function facts(task) {
  if (task.kind === "supplement") return task.note ? t("task_note", { note: task.note }) : t("task_no_note");
  if (task.kind === "checklist") return t("task_steps_left", { n: task.left, of: task.of });
  const news = t(`status.${task.status}`);
  const said = task.reason ? `${news}: ${task.reason}` : news;
  return [t("task_tell", { news: said }), task.unreached ? null : task.residentName, task.code, task.village]
    .filter(Boolean)
    .join(" · ");
}

/** One task: a link to where it is done, and for news to tell the phone number and "Đã báo". */
export function taskItem(app, task) {
  return h(
    "li",
    { class: ["task", task.kind], "data-task": task.key },
    h(
      "a",
      { class: "row", href: task.href },
      h("span", { class: "name" }, title(task)),
      h("span", { class: "facts" }, facts(task)),
    ),
    task.kind === "tell"
      ? h(
          "div",
          { class: "task-actions" },
          task.phone
            ? h("a", { class: "button secondary", href: `tel:${task.phone}` }, `☎ ${task.phone}`)
            : null,
          h(
            "button",
            { type: "button", class: "button", onclick: () => tellDone(app, task) },
            t("told_button"),
          ),
        )
      : null,
  );
}

export async function render(app) {
  const tasks = await loadTasks(app.db);
  const reach = await getMeta(app.db, "reach");
  return h(
    "section",
    { class: "screen" },
    heading(t("tasks_title")),
    h("p", { class: "lead" }, tasks.length ? t("tasks_count", { n: tasks.length }) : t("tasks_none")),
    tasks.length
      ? h(
          "ul",
          { class: "list tasks" },
          tasks.map((task) => taskItem(app, task)),
        )
      : null,
    h(
      "p",
      { class: "hint" },
      reach ? t("tasks_reach_as_of", { time: formatTime(reach.at) }) : t("tasks_reach_never"),
    ),
  );
}
