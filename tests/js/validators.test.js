// The shared validator case table, run against the JS validators (tests/catalogue runs it against Python).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

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
