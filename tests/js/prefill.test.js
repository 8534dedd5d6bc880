// A declaration starts from what the phone already knows about the resident: every fact of the
// record, the village's address, and the ethnic group only while its consent stands.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import { prefillFromResident } from "../../pwa/js/form.js";
import { givenConsents } from "../../pwa/js/store.js";

const root = new URL("../../", import.meta.url);
const procedure = (code) =>
  JSON.parse(readFileSync(new URL(`schemas/procedures/${code}.json`, root), "utf8"));

const RESIDENT = {
  id: "r1",
  village_id: "v1",
  full_name: "H’Hen Niê",
  birth_date: "1990-04-12",
  sex: "female",
  personal_id: "066190001234",
  phone: "0912345678",
  ethnicity: "Ê Đê",
  needs: [],
};
const ADDRESS = "Buôn Ea Tul, Xã Buôn Đôn, Tỉnh Đắk Lắk";

function consent(purpose, given, at) {
  return { id: `${purpose}-${at}`, kind: "consent", resident_id: "r1", at, body: { purpose, given } };
}

test("the criminal-record request takes every fact of the resident, ethnicity with its consent", () => {
  const consents = givenConsents([consent("personal_data", true, 1), consent("ethnicity", true, 2)]);
  const values = prefillFromResident(procedure("cap-phieu-ly-lich-tu-phap"), RESIDENT, ADDRESS, consents);
  assert.deepEqual(values, {
    full_name: "H’Hen Niê",
    birth_date: "1990-04-12",
    sex: "female",
    personal_id: "066190001234",
    phone: "0912345678",
    ethnicity: "Ê Đê",
    permanent_residence: ADDRESS,
  });
});

test("without the ethnicity consent, or once it is withdrawn, the ethnic group stays empty", () => {
  const form = procedure("cap-ho-chieu-pho-thong");
  const none = prefillFromResident(
    form,
    RESIDENT,
    ADDRESS,
    givenConsents([consent("personal_data", true, 1)]),
  );
  assert.equal(none.ethnicity, undefined);
  assert.equal(none.full_name, "H’Hen Niê");
  assert.equal(none.permanent_address, ADDRESS);
  const withdrawn = givenConsents([consent("ethnicity", true, 1), consent("ethnicity", false, 2)]);
  assert.equal(prefillFromResident(form, RESIDENT, ADDRESS, withdrawn).ethnicity, undefined);
  assert.equal(prefillFromResident(form, RESIDENT, ADDRESS).ethnicity, undefined);
});

test("a resident filing for someone else fills the requester's fields only", () => {
  const values = prefillFromResident(procedure("dang-ky-khai-tu"), RESIDENT, ADDRESS, []);
  assert.deepEqual(values, {
    requester_full_name: "H’Hen Niê",
    requester_personal_id: "066190001234",
    requester_residence: ADDRESS,
  });
});

test("facts the resident lacks, and a sex the form does not offer, are left for the volunteer", () => {
  const sparse = { id: "r2", full_name: "Y Khu", sex: "other", phone: "", personal_id: null };
  assert.deepEqual(prefillFromResident(procedure("dang-ky-tam-tru"), sparse, "", []), { full_name: "Y Khu" });
});

test("across the catalogue, every fact the resident record holds lands in some declaration", () => {
  const landed = new Set();
  const consents = givenConsents([consent("ethnicity", true, 1)]);
  for (const file of readdirSync(new URL("schemas/procedures/", root))) {
    const values = prefillFromResident(procedure(file.replace(/\.json$/, "")), RESIDENT, ADDRESS, consents);
    for (const value of Object.values(values)) landed.add(value);
  }
  for (const fact of ["full_name", "birth_date", "sex", "personal_id", "phone", "ethnicity"])
    assert.ok(landed.has(RESIDENT[fact]), fact);
  assert.ok(landed.has(ADDRESS));
});
