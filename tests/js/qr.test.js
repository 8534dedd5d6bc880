// The phone's QR encoder: the symbol's structure, read back here without the encoder's help
// (tests/test_pwa_qr.py decodes the codes with a real scanner library and compares with segno).

import assert from "node:assert/strict";
import { test } from "node:test";

import { qrMatrix, qrSvg } from "../../pwa/js/qr.js";

const URL = "https://motcua.example.vn/ho-so/K7QF-123?k=Zr4_kQ9xW2bN7mT0pL5sVg";
const LEVELS = ["M", "L", "H", "Q"]; // by their two format bits, 00 to 11

/** The remainder of value(x) divided by poly(x), polynomials over GF(2) as bits. */
function remainder(value, poly) {
  const degree = 31 - Math.clz32(poly);
  let rest = value;
  for (let bit = 31 - Math.clz32(rest); bit >= degree; bit--) {
    if ((rest >>> bit) & 1) rest ^= poly << (bit - degree);
  }
  return rest;
}

const bitsAt = (modules, places) =>
  places.reduce((bits, [r, c], i) => bits | (modules[r][c] ? 1 << i : 0), 0);

/** Both copies of the format information, each a valid BCH(15,5) codeword once unmasked. */
function readFormat({ size, modules }) {
  const first = [0, 1, 2, 3, 4, 5, 7, 8].map((r) => [r, 8]).concat([7, 5, 4, 3, 2, 1, 0].map((c) => [8, c]));
  const second = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [8, size - 1 - i]);
  for (let i = 8; i < 15; i++) second.push([size - 15 + i, 8]);
  const copies = [first, second].map((places) => bitsAt(modules, places) ^ 0x5412);
  assert.equal(copies[0], copies[1], "the two copies agree");
  assert.equal(remainder(copies[0], 0x537), 0, "a BCH codeword");
  return { ecl: LEVELS[copies[0] >>> 13], mask: (copies[0] >>> 10) & 7 };
}

function readVersion({ size, modules }) {
  const topRight = [];
  const bottomLeft = [];
  for (let i = 0; i < 18; i++) {
    topRight.push([Math.floor(i / 3), size - 11 + (i % 3)]);
    bottomLeft.push([size - 11 + (i % 3), Math.floor(i / 3)]);
  }
  const bits = bitsAt(modules, topRight);
  assert.equal(bitsAt(modules, bottomLeft), bits);
  assert.equal(remainder(bits, 0x1f25), 0, "a BCH(18,6) codeword");
  return bits >>> 12;
}

/** A 7×7 finder (dark ring, light ring, dark 3×3) at top/left, with its light separator. */
function assertFinder(modules, top, left) {
  for (let r = -1; r <= 7; r++) {
    for (let c = -1; c <= 7; c++) {
      const row = modules[top + r];
      if (row === undefined || row[left + c] === undefined) continue;
      const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
      assert.equal(row[left + c], ring <= 1 || ring === 3, `finder at ${top},${left}: ${r},${c}`);
    }
  }
}

test("the smallest version that holds the bytes: size = 17 + 4·version", () => {
  const size = (text, ecl) => qrMatrix(text, { ecl }).size;
  assert.equal(size("x".repeat(14)), 21); // version 1-M holds 14 bytes
  assert.equal(size("x".repeat(15)), 25);
  assert.equal(size("x".repeat(17), "L"), 21);
  assert.equal(size("x".repeat(8), "H"), 25);
  assert.equal(size(URL), 37); // 65 bytes: version 5
  assert.equal(size("ắ".repeat(14)), 29); // 42 UTF-8 bytes: version 3-M, full
  assert.equal(size(`${"ắ".repeat(14)}a`), 33);
  assert.equal(size("y".repeat(122)), 45);
  assert.equal(size("y".repeat(123)), 49);
  assert.equal(size("w".repeat(213)), 57); // version 10: a 16-bit character count
  assert.equal(size("w".repeat(214)), 61);
  assert.equal(size("s".repeat(2331)), 177); // version 40-M
  assert.throws(() => qrMatrix("s".repeat(2332)), RangeError);
  assert.throws(() => qrMatrix("a", { ecl: "X" }), RangeError);
});

test("finder, timing and alignment patterns and the dark module", () => {
  for (const text of ["a", URL, "y".repeat(123)]) {
    const { size, modules } = qrMatrix(text);
    assert.equal(modules.length, size);
    assert.ok(modules.every((row) => row.length === size && row.every((m) => typeof m === "boolean")));
    assertFinder(modules, 0, 0);
    assertFinder(modules, 0, size - 7);
    assertFinder(modules, size - 7, 0);
    for (let i = 8; i < size - 8; i++) {
      assert.equal(modules[6][i], i % 2 === 0, `timing row at ${i}`);
      assert.equal(modules[i][6], i % 2 === 0, `timing column at ${i}`);
    }
    assert.equal(modules[size - 8][8], true, "the dark module");
    if (size > 21) {
      const centre = size - 7; // the bottom-right alignment pattern
      for (let r = -2; r <= 2; r++) {
        for (let c = -2; c <= 2; c++) {
          assert.equal(modules[centre + r][centre + c], Math.max(Math.abs(r), Math.abs(c)) !== 1);
        }
      }
    }
  }
});

test("the format information reads back as the level and mask asked for", () => {
  for (const ecl of ["L", "M", "Q", "H"]) {
    for (let mask = 0; mask < 8; mask++)
      assert.deepEqual(readFormat(qrMatrix(URL, { ecl, mask })), { ecl, mask });
    assert.equal(readFormat(qrMatrix(URL, { ecl })).ecl, ecl);
  }
  assert.equal(readFormat(qrMatrix("Hà Nội")).ecl, "M"); // the default level
});

test("the chosen mask is one of the eight, and the masks give different symbols", () => {
  const chosen = qrMatrix(URL);
  const { mask } = readFormat(chosen);
  assert.deepEqual(chosen, qrMatrix(URL, { mask }));
  const all = new Set(
    [0, 1, 2, 3, 4, 5, 6, 7].map((m) => JSON.stringify(qrMatrix(URL, { mask: m }).modules)),
  );
  assert.equal(all.size, 8);
});

test("version information from version 7 on, in both blocks", () => {
  assert.equal(readVersion(qrMatrix("y".repeat(107))), 7);
  assert.equal(readVersion(qrMatrix("w".repeat(214))), 11);
  assert.equal(readVersion(qrMatrix("s".repeat(2331))), 40);
});

test("the same text gives the same matrix", () => {
  assert.deepEqual(qrMatrix(URL), qrMatrix(URL));
  assert.deepEqual(qrMatrix("Đắk Lắk", { ecl: "Q" }), qrMatrix("Đắk Lắk", { ecl: "Q" }));
  assert.notDeepEqual(qrMatrix("Đắk Lắk").modules, qrMatrix("Đắk Lắc").modules);
});

test("the SVG: viewBox with the quiet zone, white ground, one black path, no size", () => {
  const svg = qrSvg(URL);
  assert.ok(
    svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 45 45" class="qr" role="img">'),
  );
  assert.ok(svg.endsWith("</svg>"));
  assert.doesNotMatch(svg, /<svg[^>]*(width|height)=/);
  assert.equal(svg.match(/<path /g).length, 1);
  assert.match(svg, /<rect width="45" height="45" fill="#fff"\/>/);
  assert.doesNotMatch(svg, /<title>/);
  // The path covers exactly the dark modules, shifted by the quiet zone.
  const { size, modules } = qrMatrix(URL);
  const drawn = Array.from({ length: size }, () => new Array(size).fill(false));
  for (const [, x, y, run] of svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let i = 0; i < Number(run); i++) drawn[y - 4][x - 4 + i] = true;
  }
  assert.deepEqual(drawn, modules);
  const titled = qrSvg("a", { title: "Biên nhận <K7QF-123> & mã" });
  assert.match(titled, /role="img"><title>Biên nhận &lt;K7QF-123&gt; &amp; mã<\/title><rect/);
});
