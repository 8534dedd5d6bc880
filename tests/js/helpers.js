// A phone for the node tests: an in-memory database, the API against a fake server, and records.

import { createApi } from "../../pwa/js/api.js";
import { sha256Hex } from "../../pwa/js/ids.js";
import { enqueue, makeEnvelope } from "../../pwa/js/queue.js";
import { MemDb } from "./memdb.js";

export function phoneFor(server) {
  const db = new MemDb();
  const api = createApi({ getToken: () => "token", fetchImpl: server.fetch, isOnline: () => server.online });
  return { db, api };
}

let photoSeed = 0;
export async function photo(db) {
  photoSeed += 1;
  const bytes = new Uint8Array(2048).map((_, i) => (i * 31 + photoSeed * 7) % 256);
  bytes.set([0xff, 0xd8, 0xff, 0xe0, photoSeed % 256, (photoSeed >> 8) % 256]);
  const blob = new Blob([bytes], { type: "image/jpeg" });
  const sha256 = await sha256Hex(bytes);
  await db.put("blobs", { sha256, blob, type: blob.type, size: blob.size });
  return sha256;
}

/** A resident registered with a signed consent, then a dossier with three photos and a signature. */
export async function registerAndFile(db, { name = "Nguyễn Văn An", code = "AB12-1" } = {}) {
  const resident = makeEnvelope("resident", {
    village_id: "019309e1-0000-7000-8000-000000000001",
    full_name: name,
    birth_date: "1950-01-02",
    sex: "male",
  });
  const signature = await photo(db);
  const consent = makeEnvelope("consent", {
    resident_id: resident.id,
    purpose: "personal_data",
    wording_vi: "Tôi đồng ý.",
    given: true,
    method: "signature",
    signature_sha256: signature,
  });
  await enqueue(db, [resident, consent]);
  const papers = [
    { paper_id: "giay-bao-tu", photos: [await photo(db)] },
    { paper_id: "can-cuoc", photos: [await photo(db), await photo(db)] },
  ];
  const dossier = makeEnvelope("dossier", {
    resident_id: resident.id,
    tracking_code: code,
    procedure_code: "dang-ky-khai-tu",
    procedure_version: 1,
    form: {},
    papers,
    signature_sha256: await photo(db),
    receipt_secret_hash: "0".repeat(64),
  });
  await enqueue(db, [dossier]);
  return { resident, consent, dossier };
}

export async function states(db) {
  return Object.fromEntries((await db.all("records")).map((r) => [r.kind, r.state]));
}
