// Counts read as English: "1 resident", "2 residents", never "1 residents" or "record(s)".

import assert from "node:assert/strict";
import { test } from "node:test";

import { STRINGS, setLang, t } from "../../pwa/js/i18n.js";

function inEnglish(work) {
  setLang("en");
  try {
    work();
  } finally {
    setLang("vi");
  }
}

test("a count of one takes the singular, any other count the plural", () => {
  inEnglish(() => {
    assert.equal(t("residents_count", { n: 1 }), "1 resident");
    assert.equal(t("residents_count", { n: 2 }), "2 residents");
    assert.equal(t("residents_count", { n: 0 }), "0 residents");
    assert.equal(t("pin_wrong", { n: 1 }), "Wrong PIN. 1 try left.");
    assert.equal(t("unit.working_days", { n: 1 }), "within 1 working day");
    assert.equal(t("export", { n: 3 }), "Export file (3 records)");
    assert.equal(t("pending_people", { n: 1 }), "1 person");
    assert.equal(t("pending_people", { n: 4 }), "4 people");
  });
});

test("every English text with a count has a singular and reads right with one", () => {
  inEnglish(() => {
    for (const [key, [, english]] of Object.entries(STRINGS)) {
      const counted = typeof english === "object" ? english.other : english;
      if (!/\{n\}/.test(counted)) continue;
      const one = t(key, { n: 1, total: 3, of: 3, name: "An" });
      assert.doesNotMatch(one, /\(s\)/, key);
      // "{n} of {of} taken", "Step {n} of {total}": a count with no noun after it needs no singular.
      if (/\{n\} (of|taken)|Step \{n\}/.test(counted)) continue;
      assert.equal(typeof english, "object", `${key} needs {one, other}: "${counted}"`);
      assert.notEqual(english.one, english.other, key);
    }
  });
});

test("Vietnamese has one form for every count", () => {
  assert.equal(t("residents_count", { n: 1 }), "1 người dân");
  assert.equal(t("residents_count", { n: 5 }), "5 người dân");
  for (const [key, [vietnamese]] of Object.entries(STRINGS)) assert.equal(typeof vietnamese, "string", key);
});
