// The device PIN: weak PINs refused (the PIN's wrapping of the data key: vault.test.js).

import assert from "node:assert/strict";
import { test } from "node:test";

import { pinProblem } from "../../pwa/js/lock.js";

test("a PIN is 4 to 8 digits and not trivially guessed", () => {
  assert.equal(pinProblem("2580"), null);
  assert.equal(pinProblem("90817263"), null);
  assert.equal(pinProblem("123"), "pin.format");
  assert.equal(pinProblem("123456789"), "pin.format");
  assert.equal(pinProblem("12a4"), "pin.format");
  assert.equal(pinProblem("0000"), "pin.weak");
  assert.equal(pinProblem("1234"), "pin.weak");
  assert.equal(pinProblem("9876"), "pin.weak");
});
