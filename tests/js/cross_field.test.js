// Cross-field checks and alternative papers on the phone, fed the vectors the server's tests use too
// (tests/catalogue/test_cross_field.py): the phone and the server answer every case alike.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { checkDeclaration, missingPapers } from "../../pwa/js/formcheck.js";

const root = new URL("../../", import.meta.url);
const load = (path) => JSON.parse(readFileSync(new URL(path, root), "utf8"));
const procedure = (stem) => load(`schemas/procedures/${stem}.json`);

function formOf(testCase) {
  const code = testCase.procedure.split("@")[0];
  const form = { ...load(`tests/fixtures/procedure_samples/${code}.json`).valid };
  for (const [name, value] of Object.entries(testCase.form)) {
    if (value === null) delete form[name];
    else form[name] = value;
  }
  return form;
}

for (const testCase of load("tests/fixtures/cross_field_cases.json").cases) {
  test(`cross-field: ${testCase.name}`, () => {
    const problems = checkDeclaration(procedure(testCase.procedure), formOf(testCase), testCase.today);
    const found = problems.map((p) =>
      p.code === "form.implausible"
        ? { field: p.field, code: p.code, message_vi: p.message_vi, message_en: p.message_en }
        : { field: p.field, code: p.code },
    );
    assert.deepEqual(found, testCase.problems);
  });
}

for (const testCase of load("tests/fixtures/paper_cases.json").cases) {
  test(`papers: ${testCase.name}`, () => {
    const taken = Object.fromEntries(
      Object.entries(testCase.photos).map(([id, count]) => [
        id,
        Array.from({ length: count }, (_, index) => index.toString(16).padStart(64, "0")),
      ]),
    );
    const missing = missingPapers(procedure(testCase.procedure), taken).map((group) => group[0].id);
    assert.deepEqual(missing.sort(), testCase.missing);
  });
}

test("a missing paper with an alternative comes with it, in the catalogue's order", () => {
  const [group] = missingPapers(procedure("dang-ky-khai-sinh"), { "can-cuoc": ["a", "b"] });
  assert.deepEqual(
    group.map((paper) => paper.id),
    ["giay-chung-sinh", "van-ban-lam-chung-hoac-cam-doan"],
  );
});
