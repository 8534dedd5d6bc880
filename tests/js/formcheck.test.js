// Declarations checked on the phone as the server checks them: every sample of the catalogue.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import { checkDeclaration, normaliseDeclaration } from "../../pwa/js/formcheck.js";

const root = new URL("../../", import.meta.url);
const procedures = readdirSync(new URL("schemas/procedures/", root)).filter((name) => name.endsWith(".json"));

for (const file of procedures) {
  const document = JSON.parse(readFileSync(new URL(`schemas/procedures/${file}`, root), "utf8"));
  const samples = JSON.parse(
    readFileSync(new URL(`tests/fixtures/procedure_samples/${document.code}.json`, root), "utf8"),
  );
  const today = document.last_checked;

  test(`${document.code}: the valid sample passes`, () => {
    assert.deepEqual(checkDeclaration(document, samples.valid, today), []);
  });

  test(`${document.code}: the invalid sample fails on exactly its wrong fields`, () => {
    const fields = [
      ...new Set(checkDeclaration(document, samples.invalid, today).map((p) => p.field)),
    ].sort();
    assert.deepEqual(fields, [...samples.invalid_fields].sort());
  });
}

test("every problem says what is wrong in both languages", () => {
  const document = JSON.parse(readFileSync(new URL("schemas/procedures/dang-ky-khai-tu.json", root), "utf8"));
  const problems = checkDeclaration(
    document,
    {
      deceased_personal_id: "066038000777",
      deceased_sex: "female",
      deceased_birth_date: "1938-05-01",
      copies: 99,
      extra: 1,
    },
    "2026-11-21",
  );
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

// Phones and ID numbers as people write them (issue 12); tests/catalogue/test_form_validator.py has the same cases.
const passport = JSON.parse(
  readFileSync(new URL("schemas/procedures/cap-ho-chieu-pho-thong.json", root), "utf8"),
);
const passportValid = JSON.parse(
  readFileSync(new URL("tests/fixtures/procedure_samples/cap-ho-chieu-pho-thong.json", root), "utf8"),
).valid;

for (const [written, stored] of [
  ["+84912345678", "0912345678"],
  ["091 234 5678", "0912345678"],
  ["+84 (0) 98 123 4567", "0981234567"],
  ["0522.123.456", "0522123456"],
  ["84 99 3123 456", "0993123456"],
]) {
  test(`a phone written ${written} passes and is stored as ${stored}`, () => {
    const data = { ...passportValid, phone: written };
    assert.deepEqual(checkDeclaration(passport, data, "2026-11-21"), []);
    assert.equal(normaliseDeclaration(passport, data).phone, stored);
    assert.equal(data.phone, written, "the data given is not changed");
  });
}

test("an ID number typed in groups passes and is stored without spaces", () => {
  const data = { ...passportValid, personal_id: " 014 301 001 122 " };
  assert.deepEqual(checkDeclaration(passport, data, "2026-11-21"), []);
  assert.equal(normaliseDeclaration(passport, data).personal_id, "014301001122");
});

test("normal data is returned as it is", () => {
  assert.equal(normaliseDeclaration(passport, passportValid), passportValid);
});

for (const [field, written, code] of [
  ["phone", "091234567", "phone.wrong_length"],
  ["phone", "0992123456", "phone.not_mobile"],
  ["phone", "+1 202 555 0100", "phone.not_vietnamese"],
  ["phone", "024 3825 1234", "phone.not_mobile"],
  ["personal_id", "01430100112a", "personal_id.not_digits"],
  ["personal_id", "014 301 001 12", "personal_id.wrong_length"],
]) {
  test(`a ${field} written ${written} says ${code}`, () => {
    const problems = checkDeclaration(passport, { ...passportValid, [field]: written }, "2026-11-21");
    assert.deepEqual(
      problems.map((p) => [p.field, p.code]),
      [[field, code]],
    );
  });
}
