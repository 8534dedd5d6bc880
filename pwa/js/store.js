// What the screens read from the phone's database: residents (following merges), their consents
// and checklist ticks, dossiers with their server state, places, the catalogue.

import { t, titleOf } from "./i18n.js";
import { isComplete, isRefused } from "./queue.js";

export const CHECKLIST_STEPS = [
  "vneid_installed",
  "vneid_level1",
  "vneid_level2",
  "portal_login",
  "sim_standardised",
  "bank_account",
  "first_online_submission",
];
export const CONSENT_PURPOSES = [
  "personal_data",
  "document_photos",
  "contact_by_phone",
  "push_notifications",
  "ethnicity",
];
export const NEEDS = ["elderly", "disability", "low_vision", "hard_of_hearing", "interpreter", "bedridden"];
// Filed most; shown first when choosing a procedure.
const COMMUNE_LEVEL = /^(Ủy ban nhân dân|Công an) cấp xã/;

export function displayState(record) {
  if (!record) return "on_server";
  if (record.state !== "on_server") return record.state;
  if (record.detail === "held") return "held";
  return isComplete(record) ? "on_server" : "uploading";
}

/** The account's communes, plus the villages of its routes elsewhere. */
export async function places(db) {
  const list = structuredClone((await db.get("meta", "places")) ?? []);
  for (const route of await routes(db)) {
    let commune = list.find((c) => c.code === route.commune_code);
    if (!commune) {
      commune = {
        code: route.commune_code,
        name: route.commune_name ?? String(route.commune_code),
        villages: [],
      };
      list.push(commune);
    }
    for (const stop of route.stops ?? []) {
      if (!commune.villages.some((v) => v.id === stop.village_id)) {
        commune.villages.push({
          id: stop.village_id,
          name: stop.village_name,
          commune_code: route.commune_code,
        });
      }
    }
  }
  return list;
}

export async function routes(db) {
  return Object.values((await db.get("meta", "routes")) ?? {}).sort((a, b) =>
    a.day < b.day ? -1 : a.day > b.day ? 1 : 0,
  );
}

export function localDay(date = new Date()) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

/** village id → {village, commune}. */
export function villageIndex(placeList) {
  const index = new Map();
  for (const commune of placeList)
    for (const village of commune.villages) index.set(village.id, { village, commune });
  return index;
}

export function addressOf(entry) {
  if (!entry) return "";
  const { village, commune } = entry;
  return [village.name, commune.name, commune.province_name].filter(Boolean).join(", ");
}

export async function allResidents(db) {
  return (await db.all("residents")).filter((r) => !r.merged_into);
}

/** A resident by id, following a merge; null when unknown. */
export async function getResident(db, id) {
  let resident = await db.get("residents", id);
  for (let hops = 0; resident?.merged_into && hops < 5; hops += 1)
    resident = await db.get("residents", resident.merged_into);
  return resident ?? null;
}

/** Its own id and those merged into it. */
async function aliasesOf(db, id) {
  const ids = new Set([id]);
  for (const entry of await db.all("residents")) if (entry.merged_into === id) ids.add(entry.id);
  return ids;
}

export async function childrenOf(db, id) {
  const ids = await aliasesOf(db, id);
  const children = [];
  for (const alias of ids) children.push(...(await db.byIndex("children", "resident_id", alias)));
  return children.sort((a, b) => a.at - b.at);
}

export function latestTicks(children) {
  const latest = new Map();
  for (const child of children) {
    if (child.kind !== "checklist") continue;
    const known = latest.get(child.body.step);
    if (!known || known.at <= child.at) latest.set(child.body.step, child);
  }
  return latest;
}

/** The newest consent per purpose. */
export function givenConsents(children) {
  const latest = new Map();
  for (const child of children) if (child.kind === "consent") latest.set(child.body.purpose, child);
  return [...latest.values()].filter((c) => c.body.given);
}

export async function dossiers(db) {
  const records = (await db.all("records")).filter((r) => r.kind === "dossier");
  const views = [];
  for (const record of records) views.push(await dossierView(db, record));
  return views.sort((a, b) => b.record.seq - a.record.seq);
}

export async function dossierView(db, record) {
  const body = record.envelope.body;
  const entry = await db.get("catalogue", `${body.procedure_code}:${body.procedure_version}`);
  return {
    record,
    body,
    procedure: entry?.document ?? null,
    server: (await db.get("dossiers", record.id)) ?? null,
    resident: await getResident(db, body.resident_id),
  };
}

/** Why the dossier may be changed now: "refused", "supplement", or null. */
export function editReason(view) {
  const { record, server } = view;
  if (isRefused(record)) return "refused";
  if (server?.status === "needs_supplement" && record.state !== "sending") return "supplement";
  return null;
}

export function formProblems(record) {
  if (record.detail !== "rejected") return [];
  return (record.reason?.fields ?? []).filter((f) => f.field.startsWith("form."));
}

export function answerLabel(procedure, field) {
  const node = procedure?.form?.properties?.[field.replace(/^form\./, "")];
  return node ? titleOf(node) : field;
}

/** Current procedure versions, commune-level and often used first. */
export async function procedures(db) {
  const index = await db.get("meta", "catalogue");
  const usage = new Map();
  for (const record of await db.all("records")) {
    if (record.kind === "dossier") {
      const code = record.envelope.body.procedure_code;
      usage.set(code, (usage.get(code) ?? 0) + 1);
    }
  }
  const list = [];
  for (const entry of index?.procedures ?? []) {
    if (entry.current_version === null) continue;
    const stored = await db.get("catalogue", `${entry.code}:${entry.current_version}`);
    if (!stored) continue;
    const document = stored.document;
    list.push({
      document,
      used: usage.get(entry.code) ?? 0,
      common: (usage.get(entry.code) ?? 0) > 0 || COMMUNE_LEVEL.test(document.authority?.vi ?? ""),
    });
  }
  return list.sort(
    (a, b) =>
      Number(b.common) - Number(a.common) ||
      b.used - a.used ||
      a.document.name.vi.localeCompare(b.document.name.vi, "vi"),
  );
}

export const residentFieldLabel = (field) => t(field === "village_id" ? "village" : field);

/** "refused", "edit" (waiting, or stored at the pulled revision), or null: what may be done to a resident. */
export function residentEditReason(resident, record) {
  if (!resident || resident.merged_into) return null;
  if (isRefused(record)) return "refused";
  if (record?.state === "needs_attention") return null;
  if (record?.state === "waiting") return "edit";
  if (record && (record.state !== "on_server" || record.detail)) return null;
  return resident.on_server && Number.isInteger(resident.revision) ? "edit" : null;
}
