// Offline search that ignores diacritics and case.

import assert from "node:assert/strict";
import { test } from "node:test";

import { fold, matchesText } from "../../pwa/js/fold.js";

test("folding drops diacritics, case, đ and apostrophes", () => {
  assert.equal(fold("Nguyễn Văn Ân"), "nguyen van an");
  assert.equal(fold("TRẦN THỊ ĐÀO"), "tran thi dao");
  assert.equal(fold("  H’Hen   Niê "), "hhen nie");
  // Composed and decomposed forms of the same letter fold alike.
  assert.equal(fold("Nguy\u1ec5n"), fold("Nguye\u0302\u0303n"));
});

test("procedure names match by folded words", () => {
  assert.equal(matchesText("Đăng ký khai tử", "khai tu"), true);
  assert.equal(matchesText("Đăng ký khai tử", "dang ky sinh"), false);
});
