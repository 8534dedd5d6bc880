// Offline search that ignores diacritics and case.

import assert from "node:assert/strict";
import { test } from "node:test";

import { fold, matchesText, searchPeople } from "../../pwa/js/fold.js";

const people = [
  { full_name: "Nguyễn Văn An", personal_id: "066050001234", phone: "0912345678" },
  { full_name: "Nguyễn Văn Anh", personal_id: "066052009876", phone: null },
  { full_name: "Trần Thị Đào", personal_id: null, phone: "0987654321" },
  { full_name: "H’Hen Niê", personal_id: "066148004321", phone: null },
];
const names = (query) => searchPeople(people, query).map((p) => p.full_name);

test("folding drops diacritics, case, đ and apostrophes", () => {
  assert.equal(fold("Nguyễn Văn Ân"), "nguyen van an");
  assert.equal(fold("TRẦN THỊ ĐÀO"), "tran thi dao");
  assert.equal(fold("  H’Hen   Niê "), "hhen nie");
  // Composed and decomposed forms of the same letter fold alike.
  assert.equal(fold("Nguy\u1ec5n"), fold("Nguye\u0302\u0303n"));
});

test("'nguyen van an' finds Nguyễn Văn An first", () => {
  assert.deepEqual(names("nguyen van an"), ["Nguyễn Văn An", "Nguyễn Văn Anh"]);
  assert.deepEqual(names("NGUYỄN VĂN AN")[0], "Nguyễn Văn An");
  assert.deepEqual(names("dao"), ["Trần Thị Đào"]);
  assert.deepEqual(names("h'hen"), ["H’Hen Niê"]);
  assert.deepEqual(names("hhen nie"), ["H’Hen Niê"]);
  assert.deepEqual(names("nguyen thi"), []);
});

test("digits find the last digits of the ID number or the phone", () => {
  assert.deepEqual(names("1234"), ["Nguyễn Văn An"]);
  assert.deepEqual(names("04321"), ["H’Hen Niê"]);
  assert.deepEqual(names("4321"), ["H’Hen Niê", "Trần Thị Đào"], "the ID number ends so; the phone holds it");
  assert.deepEqual(names("0987654321"), ["Trần Thị Đào"]);
  assert.deepEqual(names("+84 987 654 321"), ["Trần Thị Đào"]);
  assert.deepEqual(names("12"), [], "two digits are too few to mean anything");
});

test("an empty query lists everyone, by name", () => {
  assert.equal(names("").length, 4);
});

test("procedure names match by folded words", () => {
  assert.equal(matchesText("Đăng ký khai tử", "khai tu"), true);
  assert.equal(matchesText("Đăng ký khai tử", "dang ky sinh"), false);
});
