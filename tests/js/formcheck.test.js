// Declarations checked on the phone as the server checks them: every sample of the catalogue.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";

import { checkDeclaration } from "../../pwa/js/formcheck.js";

const root = new URL("../../", import.meta.url);
const procedures = readdirSync(new URL("schemas/procedures/", root)).filter((name) => name.endsWith(".json"));

for (const file of procedures) {
  const document = JSON.parse(readFileSync(new URL(`schemas/procedures/${file}`, root), "utf8"));
  const samples = JSON.parse(readFileSync(new URL(`tests/fixtures/procedure_samples/${document.code}.json`, root), "utf8"));
  const today = document.last_checked;

  test(`${document.code}: the valid sample passes`, () => {
    assert.deepEqual(checkDeclaration(document, samples.valid, today), []);
  });

  test(`${document.code}: the invalid sample fails on exactly its wrong fields`, () => {
    const fields = [...new Set(checkDeclaration(document, samples.invalid, today).map((p) => p.field))].sort();
    assert.deepEqual(fields, [...samples.invalid_fields].sort());
  });
}

test("every problem says what is wrong in both languages", () => {
  const document = JSON.parse(readFileSync(new URL("schemas/procedures/dang-ky-khai-tu.json", root), "utf8"));
  const problems = checkDeclaration(document, { deceased_personal_id: "066038000777", deceased_sex: "female", deceased_birth_date: "1938-05-01", copies: 99, extra: 1 }, "2026-11-21");
  const byField = Object.fromEntries(problems.map((p) => [p.field, p]));
  assert.equal(byField.requester_full_name.code, "form.required");
  assert.equal(byField.requester_full_name.message_vi, "Chưa điền mục này.");
  assert.equal(byField.copies.code, "form.maximum");
  assert.equal(byField.extra.code, "form.additionalProperties");
  assert.equal(byField.deceased_personal_id.code, "personal_id.sex_mismatch");
  assert.ok(problems.every((p) => p.message_vi && p.message_en));
});

test("a date in the future is refused on the day the dossier is written", () => {
  const document = JSON.parse(readFileSync(new URL("schemas/procedures/dang-ky-khai-tu.json", root), "utf8"));
  const problems = checkDeclaration(document, { death_date: "2026-11-22" }, "2026-11-21");
  assert.ok(problems.some((p) => p.field === "death_date" && p.code === "date.in_future"));
});
