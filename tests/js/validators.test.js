// The shared validator case table, run against the JS validators (tests/catalogue runs it against Python).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import * as validators from "../../pwa/js/validators.js";

const casesUrl = new URL("../fixtures/validator_cases.json", import.meta.url);
const cases = JSON.parse(readFileSync(casesUrl, "utf8"));

const camel = (name) => name.replace(/_([a-z])/g, (_, letter) => letter.toUpperCase());

function call(testCase) {
  const fn = validators[camel(testCase.function)];
  assert.equal(typeof fn, "function", `no export ${camel(testCase.function)}`);
  const kwargs = Object.entries(testCase.kwargs ?? {});
  if (kwargs.length === 0) return fn(...testCase.args);
  // Python keyword arguments become one options object, in camelCase.
  return fn(...testCase.args, Object.fromEntries(kwargs.map(([key, value]) => [camel(key), value])));
}

for (const testCase of cases) {
  test(`${testCase.function}: ${testCase.name}`, () => {
    if (testCase.raises) {
      assert.throws(() => call(testCase), RangeError);
      return;
    }
    assert.deepEqual(call(testCase), testCase.expected);
  });
}

test("a Date object counts as the phone's own calendar day", () => {
  const today = new Date(2026, 10, 21, 23, 59); // late evening local time, already the next day in UTC+0 west
  assert.deepEqual(validators.checkDateNotFuture("2026-11-21", today), []);
  assert.equal(validators.checkDateNotFuture("2026-11-22", today)[0].code, "date.in_future");
  assert.deepEqual(validators.checkAge("2008-02-29", new Date(2026, 2, 1), 18), []);
});

test("the sixty-three province codes of the facts are accepted", () => {
  assert.equal(Object.keys(validators.PROVINCE_CODES).length, 63);
});

test("the mobile prefix table is the copy of schemas/vn-mobile-prefixes.json", () => {
  const table = JSON.parse(
    readFileSync(new URL("../../schemas/vn-mobile-prefixes.json", import.meta.url), "utf8"),
  );
  assert.deepEqual([...validators.MOBILE_PREFIXES], table.prefixes);
  // Every prefix names mobiles; the numbers just beside the ranges do not.
  for (const prefix of table.prefixes) {
    const number = `${prefix}0000000000`.slice(0, 10);
    assert.equal(validators.checkMobilePhone(number), number);
  }
  for (const number of ["0501234567", "0521234567", "0551234567", "0891234567", "0992123456"]) {
    assert.equal(validators.checkMobilePhone(number).code, "phone.not_mobile", number);
  }
});

test("names of the demo and the facts stay as written", () => {
  for (const name of [
    "H’Hen Niê",
    "Y Sol Ksor",
    "Nguyễn Thị Ánh",
    "Đinh Văn A",
    "Y Blô Điều Phối",
    "Lê Thị Hoa",
  ]) {
    assert.equal(validators.normaliseName(name), name);
  }
});
