// The in-memory index of offline resident search (pwa/js/searchindex.js).

import assert from "node:assert/strict";
import { test } from "node:test";

import { dropIndex, ResidentIndex, residentIndex } from "../../pwa/js/searchindex.js";
import { MemDb } from "./memdb.js";

const people = [
  { id: "a", full_name: "Nguyễn Văn An", personal_id: "066050001234", phone: "0912345678" },
  { id: "b", full_name: "Nguyễn Văn Anh", personal_id: "066052009876", phone: null },
  { id: "c", full_name: "Trần Thị Đào", personal_id: null, phone: "0987654321" },
  { id: "d", full_name: "H’Hen Niê", personal_id: "066148004321", phone: null },
  { id: "e", full_name: "Nguyễn Thị Hồng", personal_id: "066180000777", phone: "+84 383 000 111" },
];
const namesIn = (index) => (query, options) => index.search(query, options).map((p) => p.full_name);

test("name words match by folded prefix, whole words first, then by name", () => {
  const names = namesIn(new ResidentIndex(people));
  assert.deepEqual(names("nguyen van an"), ["Nguyễn Văn An", "Nguyễn Văn Anh"]);
  assert.deepEqual(names("NGUYỄN VĂN AN")[0], "Nguyễn Văn An");
  for (const query of ["hong", "ng thi", "nguyen h", "Hồng", "thi ng"])
    assert.deepEqual(names(query), ["Nguyễn Thị Hồng"], query);
  assert.deepEqual(names("dao"), ["Trần Thị Đào"]);
  assert.deepEqual(names("h'hen"), ["H’Hen Niê"]);
  assert.deepEqual(names("hhen nie"), ["H’Hen Niê"]);
  assert.deepEqual(names("nguyen thi"), ["Nguyễn Thị Hồng"]);
  assert.deepEqual(names("thi"), ["Nguyễn Thị Hồng", "Trần Thị Đào"]);
  assert.deepEqual(names("an"), ["Nguyễn Văn An", "Nguyễn Văn Anh"], "the whole word first");
  assert.deepEqual(names("ngu"), ["Nguyễn Thị Hồng", "Nguyễn Văn An", "Nguyễn Văn Anh"]);
  assert.deepEqual(names("x"), []);
  assert.deepEqual(names(""), [
    "H’Hen Niê",
    "Nguyễn Thị Hồng",
    "Nguyễn Văn An",
    "Nguyễn Văn Anh",
    "Trần Thị Đào",
  ]);
  assert.deepEqual(names("", { limit: 2 }), ["H’Hen Niê", "Nguyễn Thị Hồng"]);
  assert.deepEqual(names("nguyen", { keep: (p) => p.id !== "a" }), ["Nguyễn Thị Hồng", "Nguyễn Văn Anh"]);
});

test("digits find the last digits of the ID number or the phone", () => {
  const names = namesIn(new ResidentIndex(people));
  assert.deepEqual(names("1234"), ["Nguyễn Văn An"]);
  assert.deepEqual(names("04321"), ["H’Hen Niê"]);
  assert.deepEqual(names("4321"), ["H’Hen Niê", "Trần Thị Đào"], "the ID number ends so; the phone holds it");
  assert.deepEqual(names("0987654321"), ["Trần Thị Đào"]);
  assert.deepEqual(names("+84 987 654 321"), ["Trần Thị Đào"]);
  assert.deepEqual(names("777"), ["Nguyễn Thị Hồng"]);
  assert.deepEqual(names("0383000111"), ["Nguyễn Thị Hồng"]);
  assert.deepEqual(names("3000"), ["Nguyễn Thị Hồng"]);
  assert.deepEqual(names("123"), [], "three digits: only the ID number's end");
  assert.deepEqual(names("12"), [], "two digits are too few to mean anything");
});

test("puts, edits, merges and drops change the index at once; many names stay in name order", () => {
  const index = new ResidentIndex(people);
  const names = namesIn(index);
  assert.deepEqual(names("hong"), ["Nguyễn Thị Hồng"]);
  index.put({ ...people[4], full_name: "Nguyễn Thị Hoa", personal_id: "066180000888" });
  assert.deepEqual(names("hong"), []);
  assert.deepEqual(names("hoa"), ["Nguyễn Thị Hoa"]);
  assert.deepEqual(names("888"), ["Nguyễn Thị Hoa"]);
  assert.deepEqual(names("777"), []);
  index.put({ id: "a", merged_into: "b" });
  index.drop("c");
  assert.deepEqual(names("nguyen van"), ["Nguyễn Văn Anh"]);
  assert.deepEqual(names("dao"), []);
  assert.deepEqual(names("4321"), ["H’Hen Niê"]);

  const many = new ResidentIndex();
  for (let n = 2999; n >= 0; n -= 1)
    many.put({ id: `r${n}`, full_name: `Nguyễn Văn ${String(n).padStart(4, "0")}`, personal_id: `0660${n}` });
  const found = namesIn(many)("ng", { limit: 3 });
  assert.deepEqual(found, ["Nguyễn Văn 0000", "Nguyễn Văn 0001", "Nguyễn Văn 0002"]);
  assert.equal(many.search("ng").length, 200);
});

test("the session's index reads the residents once, follows committed writes, and is dropped", async () => {
  const db = new MemDb();
  await db.write(["residents"], async (tx) => {
    for (const person of people) await tx.put("residents", person);
  });
  let reads = 0;
  const all = db.all.bind(db);
  db.all = (name) => {
    reads += name === "residents";
    return all(name);
  };
  const pending = residentIndex(db);
  await db.put("residents", { id: "f", full_name: "Lê Văn Tám" }); // while it is read
  const index = await pending;
  assert.equal(await residentIndex(db), index);
  assert.deepEqual(namesIn(index)("tam"), ["Lê Văn Tám"]);
  await db.write(["residents", "children"], async (tx) => {
    await tx.put("residents", { id: "g", full_name: "Lê Thị Chín" });
    await tx.put("residents", { id: "a", merged_into: "b" }); // a merge, as sync.js stores it
    await tx.put("children", { id: "x", resident_id: "g" });
  });
  await db.delete("residents", "f");
  assert.deepEqual(namesIn(index)("le"), ["Lê Thị Chín"]);
  assert.deepEqual(namesIn(index)("nguyen van"), ["Nguyễn Văn Anh"]);
  assert.equal(reads, 1);
  await db.write(["residents"], (tx) => tx.clear("residents"));
  assert.deepEqual(namesIn(index)(""), []);
  dropIndex();
  assert.notEqual(await residentIndex(db), index);
  assert.equal(reads, 2);
  assert.notEqual(await residentIndex(new MemDb()), await residentIndex(db), "another user's database");
});
