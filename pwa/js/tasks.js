// What the volunteer still has to do, from what the phone holds; pure (no DOM, no database).
// The kinds of task and when each is done: docs/pwa.md "Việc".

const FULFILLED = new Set(["done", "not_applicable"]);

/** A "told" mark's key: one status of one dossier. */
export const toldKey = (dossierId, status) => `${dossierId}:${status}`;

/** Whether the phone already holds or sent the supplement the desk asked for. */
export function supplementSent(localRevision, server) {
  if (server.supplement_sent_at) return true;
  return (localRevision ?? 0) > (server.revision ?? 1);
}

/** Checklist steps neither done nor not applicable. */
export function stepsLeft(steps, latest) {
  return steps.filter((step) => !FULFILLED.has(latest?.get(step)?.body?.state)).length;
}

export function routeVillages(routes, day) {
  const ids = new Set();
  for (const route of routes) {
    if (route.day !== day) continue;
    for (const stop of route.stops ?? []) ids.add(stop.village_id);
  }
  return ids;
}

/** Marks not yet posted (sync.js empties them). */
export function unpostedMarks(marks) {
  return Object.values(marks ?? {}).filter((mark) => !mark.posted_at);
}

/** Every task, most pressing first: supplements, residents to tell (push failed first), checklists. */
export function computeTasks({
  dossiers = [],
  reach = [],
  told = {},
  residents = [],
  ticks = new Map(),
  villages = new Set(),
  steps = [],
}) {
  const statusOf = new Map(dossiers.map((d) => [d.id, d.server?.status]));
  const supplements = [];
  const tell = [];
  const listed = new Set();
  const asked = new Map(
    reach.filter((e) => e.status === "needs_supplement").map((e) => [e.dossier_id, e.reason]),
  );

  for (const entry of reach) {
    const now = statusOf.get(entry.dossier_id) ?? entry.status;
    if (now !== entry.status || told[toldKey(entry.dossier_id, entry.status)]) continue;
    listed.add(entry.dossier_id);
    tell.push({
      kind: "tell",
      key: `tell:${toldKey(entry.dossier_id, entry.status)}`,
      href: `#/dossier/${entry.dossier_id}`,
      dossierId: entry.dossier_id,
      status: entry.status,
      code: entry.tracking_code,
      residentName: entry.resident_name,
      phone: entry.resident_phone ?? null,
      village: entry.village ?? "",
      reason: entry.reason ?? "",
      unreached: true,
    });
  }

  for (const dossier of dossiers) {
    const server = dossier.server ?? {};
    const base = {
      href: `#/dossier/${dossier.id}`,
      dossierId: dossier.id,
      code: server.tracking_code ?? dossier.code ?? "",
      residentName: dossier.residentName ?? "",
    };
    if (server.status === "needs_supplement" && !supplementSent(dossier.revision, server)) {
      supplements.push({
        ...base,
        kind: "supplement",
        key: `supplement:${dossier.id}`,
        note: server.supplement_needed || asked.get(dossier.id) || "",
      });
    } else if (server.status === "ready" && !listed.has(dossier.id) && !told[toldKey(dossier.id, "ready")]) {
      tell.push({
        ...base,
        kind: "tell",
        key: `tell:${toldKey(dossier.id, "ready")}`,
        status: "ready",
        phone: dossier.phone ?? null,
        village: "",
        reason: "",
        unreached: false,
      });
    }
  }

  const checklists = [];
  for (const resident of residents) {
    if (!villages.has(resident.village_id)) continue;
    const left = stepsLeft(steps, ticks.get(resident.id));
    if (!left) continue;
    checklists.push({
      kind: "checklist",
      key: `checklist:${resident.id}`,
      href: `#/resident/${resident.id}/checklist`,
      residentId: resident.id,
      residentName: resident.full_name,
      villageId: resident.village_id,
      left,
      of: steps.length,
    });
  }
  // Nearly finished first: a short visit completes a digital citizen.
  checklists.sort((a, b) => a.left - b.left || a.residentName.localeCompare(b.residentName, "vi"));
  return [...supplements, ...tell, ...checklists];
}
