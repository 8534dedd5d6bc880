// Retry backoff with jitter, and the names the phone makes (UUIDv7, secrets, hashes).

import assert from "node:assert/strict";
import { test } from "node:test";

import { BASE_DELAY_MS, backoffDelay, MAX_DELAY_MS, timeoutFor } from "../../pwa/js/backoff.js";
import { randomSecret, sha256Hex, uuid7, uuidTime } from "../../pwa/js/ids.js";

test("backoff doubles, stays within [half, whole] of its step, and is capped", () => {
  assert.equal(backoffDelay(0, { random: () => 0 }), BASE_DELAY_MS / 2);
  assert.equal(backoffDelay(0, { random: () => 1 }), BASE_DELAY_MS);
  assert.equal(backoffDelay(3, { random: () => 1 }), BASE_DELAY_MS * 8);
  assert.equal(backoffDelay(50, { random: () => 1 }), MAX_DELAY_MS);
  assert.equal(backoffDelay(50, { random: () => 0 }), MAX_DELAY_MS / 2);
  for (let failures = 0; failures < 12; failures += 1) {
    const delay = backoffDelay(failures);
    const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** failures);
    assert.ok(delay >= step / 2 && delay <= step, `${failures}: ${delay}`);
  }
});

test("jitter spreads phones that failed together", () => {
  const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(4)));
  assert.ok(delays.size > 10);
});

test("a bigger upload gets a longer timeout", () => {
  assert.ok(timeoutFor(300_000) > timeoutFor(0));
  assert.equal(timeoutFor(0), 20_000);
});

test("record ids are UUIDv7 and tell when they were made", () => {
  const id = uuid7(1_700_000_000_123);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(uuidTime(id), 1_700_000_000_123);
  assert.ok(uuid7(1) < uuid7(2));
  assert.notEqual(uuid7(5), uuid7(5));
});

test("receipt secrets are url-safe and long enough", () => {
  const secret = randomSecret();
  assert.match(secret, /^[A-Za-z0-9_-]{22}$/);
  assert.notEqual(secret, randomSecret());
});

test("sha256 is hex of the bytes", async () => {
  assert.equal(await sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(await sha256Hex(new Blob(["abc"])), await sha256Hex(new TextEncoder().encode("abc")));
});
