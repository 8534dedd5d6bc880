// Encryption at rest: sealed values, the data key wrapped by a password or PIN, sealed export files.

import assert from "node:assert/strict";
import { test } from "node:test";

import { newDataKey, openText, seal, sealText, unseal, unwrapKey, wrapKey } from "../../pwa/js/vault.js";

const RESIDENT = { id: "r1", full_name: "Nguyễn Văn An", personal_id: "066050001501", phone: "0912345678" };
const plainText = (value) =>
  JSON.stringify(value, (_, v) =>
    ArrayBuffer.isView(v) || v instanceof ArrayBuffer ? Buffer.from(v.buffer ?? v).toString("latin1") : v,
  );

test("a sealed value shows nothing of what it holds, and opens only with its key", async () => {
  const key = await newDataKey();
  const sealed = await seal(key, RESIDENT);
  assert.deepEqual(Object.keys(sealed).sort(), ["ct", "iv"]);
  for (const secret of ["Nguy", "066050001501", "0912345678"])
    assert.doesNotMatch(plainText(sealed), new RegExp(secret));
  assert.deepEqual(await unseal(key, sealed), RESIDENT);
  const again = await seal(key, RESIDENT);
  assert.notDeepEqual(Buffer.from(again.iv), Buffer.from(sealed.iv), "a fresh iv each time");
  await assert.rejects(unseal(await newDataKey(), sealed));
  const changed = new Uint8Array(sealed.ct);
  changed[3] ^= 1;
  await assert.rejects(unseal(key, { iv: sealed.iv, ct: changed }), "tampering is detected");
  for (const value of [42, "text", null, [1, "2"], true])
    assert.deepEqual(await unseal(key, await seal(key, value)), value);
});

test("photos and signatures are sealed with their record and come back as the same blobs", async () => {
  const key = await newDataKey();
  const photo = new Blob([new Uint8Array([255, 216, 1, 2, 3])], { type: "image/jpeg" });
  const signature = new Blob(["<svg>Nguyễn Văn An</svg>"], { type: "image/svg+xml" });
  const sealed = await seal(key, { sha256: "ab", blob: photo, signature, size: 5 });
  assert.doesNotMatch(plainText(sealed), /svg|Nguy/);
  const back = await unseal(key, sealed);
  assert.equal(back.sha256, "ab");
  assert.equal(back.size, 5);
  assert.equal(back.blob.type, "image/jpeg");
  assert.deepEqual(new Uint8Array(await back.blob.arrayBuffer()), new Uint8Array([255, 216, 1, 2, 3]));
  assert.equal(await back.signature.text(), "<svg>Nguyễn Văn An</svg>");
});

test("the password and the PIN each unwrap the same data key; a wrong one unwraps nothing", async () => {
  const key = await newDataKey();
  const byPassword = await wrapKey(key, "mật khẩu dài", 1000);
  const byPin = await wrapKey(key, "2580", 1000);
  assert.deepEqual(Object.keys(byPin).sort(), ["ct", "iterations", "iv", "salt"]);
  assert.doesNotMatch(plainText(byPin), /2580/);
  const sealed = await seal(key, RESIDENT);
  for (const [wrapped, secret] of [
    [byPassword, "mật khẩu dài"],
    [byPin, "2580"],
  ]) {
    const opened = await unwrapKey(wrapped, secret);
    assert.deepEqual(await unseal(opened, sealed), RESIDENT);
  }
  assert.equal(await unwrapKey(byPin, "2581"), null);
  assert.equal(await unwrapKey(byPassword, "2580"), null);
  const rewrapped = await wrapKey(await unwrapKey(byPin, "2580"), "9753", 1000);
  assert.deepEqual(
    await unseal(await unwrapKey(rewrapped, "9753"), sealed),
    RESIDENT,
    "a new PIN wraps the same key",
  );
});

test("an exported queue opens only with the passphrase typed on the other phone", async () => {
  const text = JSON.stringify({ format: "motcua-queue", records: [RESIDENT] });
  const file = await sealText(text, "mùa lúa chín 2026", 1000);
  assert.equal(JSON.parse(file).format, "motcua-sealed");
  assert.doesNotMatch(file, /Nguy|066050001501|0912345678|motcua-queue/);
  assert.equal(await openText(file, "mùa lúa chín 2026"), text);
  assert.equal(await openText(file, "mùa lúa chín 2025"), null);
  assert.equal(await openText(text, "mùa lúa chín 2026"), null, "not a sealed file");
  assert.equal(await openText("not json", "x"), null);
});
