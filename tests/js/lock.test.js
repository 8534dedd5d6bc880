// The device PIN: kept only as a salted PBKDF2 hash; weak PINs refused; idle time locks.

import assert from "node:assert/strict";
import { test } from "node:test";

import { IDLE_LOCK_MS, makePinRecord, pinProblem, shouldLock, verifyPin } from "../../pwa/js/lock.js";

test("the phone keeps a salted hash of the PIN, never the PIN", async () => {
  const record = await makePinRecord("2580", 1000);
  assert.deepEqual(Object.keys(record).sort(), ["hash", "iterations", "salt"]);
  assert.doesNotMatch(JSON.stringify(record), /2580/);
  assert.match(record.hash, /^[0-9a-f]{64}$/);
  assert.match(record.salt, /^[0-9a-f]{32}$/);
  const again = await makePinRecord("2580", 1000);
  assert.notEqual(again.hash, record.hash, "a fresh salt each time");
  assert.equal(await verifyPin("2580", record), true);
  assert.equal(await verifyPin("2581", record), false);
  assert.equal(await verifyPin("2580", null), false);
});

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

test("the app locks after the idle time, and when it never saw any activity", () => {
  assert.equal(shouldLock(1000, 1000 + IDLE_LOCK_MS - 1), false);
  assert.equal(shouldLock(1000, 1000 + IDLE_LOCK_MS), true);
  assert.equal(shouldLock(0, Date.now()), true);
  assert.equal(shouldLock(undefined, Date.now()), true);
});
