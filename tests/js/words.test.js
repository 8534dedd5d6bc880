// The app's status words are the server's: pwa/js/words.js holds schemas/words.json as it is, and
// i18n.js names every status and deadline from it, in both languages, and nowhere else.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { setLang, t } from "../../pwa/js/i18n.js";
import { WORDS } from "../../pwa/js/words.js";

const catalogue = JSON.parse(readFileSync(new URL("../../schemas/words.json", import.meta.url), "utf-8"));

test("the app's copy holds the catalogue's words exactly", () => {
  const { about: _about, ...sections } = catalogue;
  assert.deepEqual(JSON.parse(JSON.stringify(WORDS)), sections);
});

test("every status and deadline word the app shows is the catalogue's, in Vietnamese and English", () => {
  try {
    for (const lang of ["vi", "en"]) {
      setLang(lang);
      for (const section of ["status", "deadline"]) {
        for (const [key, said] of Object.entries(catalogue[section])) {
          assert.equal(t(`${section}.${key}`), said[lang], `${section}.${key} in ${lang}`);
        }
      }
    }
  } finally {
    setLang("vi");
  }
});

test("i18n.js writes no status word of its own", () => {
  const source = readFileSync(new URL("../../pwa/js/i18n.js", import.meta.url), "utf-8");
  assert.doesNotMatch(source, /"(status|deadline)\.\w+":/);
  for (const section of ["status", "deadline"]) {
    for (const said of Object.values(catalogue[section])) {
      assert.ok(!source.includes(`"${said.vi}"`), said.vi);
    }
  }
});
