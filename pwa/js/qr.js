// QR Code encoder (ISO/IEC 18004:2015, byte mode, UTF-8) for offline receipts; qrSvg matches backend/motcua/qr.py.

// Format bits per level (table 12).
const LEVEL_BITS = { L: 1, M: 0, Q: 3, H: 2 };

// Table 9: EC codewords per block and block counts, per level and version.
const EC_PER_BLOCK = {
  L: [7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28],
  M: [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28],
  Q: [13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28],
  H: [17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30],
};
const BLOCKS = {
  L: [
    1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17,
    18, 19, 19, 20, 21, 22, 24, 25,
  ],
  M: [
    1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29,
    31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
  ],
  Q: [
    1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38,
    40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
  ],
  H: [
    1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45,
    48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
  ],
};
const ecPerBlock = (version, level) => EC_PER_BLOCK[level][version - 1] ?? (level === "M" ? 28 : 30);

/** Codewords of a version: data modules / 8. */
function totalCodewords(version) {
  const size = 17 + 4 * version;
  const k = version === 1 ? 0 : Math.floor(version / 7) + 2; // alignment positions per axis
  const alignment = k ? 25 * (k * k - 3) - 10 * (k - 2) : 0;
  const modules = size * size - 3 * 64 - 31 - 2 * (size - 16) - alignment - (version >= 7 ? 36 : 0);
  return Math.floor(modules / 8);
}

const dataCodewords = (version, level) =>
  totalCodewords(version) - ecPerBlock(version, level) * BLOCKS[level][version - 1];
const countBits = (version) => (version < 10 ? 8 : 16); // byte mode's character count (table 3)

/** Alignment pattern centres (annex E): 6, then to size-7 by an even step. */
function alignmentPositions(version) {
  if (version === 1) return [];
  const last = 10 + 4 * version;
  const gaps = Math.floor(version / 7) + 1;
  const step = version === 32 ? 26 : 2 * Math.ceil((last - 6) / (2 * gaps));
  const positions = [6];
  for (let i = gaps - 1; i >= 0; i--) positions.push(last - i * step);
  return positions;
}

// ---- Reed-Solomon over GF(256), primitive polynomial x^8+x^4+x^3+x^2+1 (clause 7.5.2) ----
const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++, x = x & 0x80 ? (x << 1) ^ 0x11d : x << 1) {
  EXP[i] = EXP[i + 255] = x;
  LOG[x] = i;
}
const times = (a, b) => (a && b ? EXP[LOG[a] + LOG[b]] : 0);

/** Generator polynomial, highest power first. */
function generator(n) {
  let poly = [1];
  for (let i = 0; i < n; i++) {
    const next = [...poly, 0];
    for (let j = 0; j < poly.length; j++) next[j + 1] ^= times(poly[j], EXP[i]);
    poly = next;
  }
  return poly;
}

/** EC codewords: remainder of data·x^n by the generator. */
function ecCodewords(data, poly) {
  const rest = new Array(poly.length - 1).fill(0);
  for (const byte of data) {
    const factor = byte ^ rest.shift();
    rest.push(0);
    for (let j = 0; j < rest.length; j++) rest[j] ^= times(poly[j + 1], factor);
  }
  return rest;
}

// ---- Data encoding (clause 7.4) and the final message (clause 7.6) ----
function codewords(bytes, version, level) {
  const bits = [];
  const put = (value, length) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4); // byte mode
  put(bytes.length, countBits(version));
  for (const byte of bytes) put(byte, 8);
  const capacity = dataCodewords(version, level);
  put(0, Math.min(4, capacity * 8 - bits.length)); // terminator
  put(0, (8 - (bits.length % 8)) % 8);
  const data = [];
  for (let i = 0; i < bits.length; i += 8) data.push(Number.parseInt(bits.slice(i, i + 8).join(""), 2));
  for (let pad = 0xec; data.length < capacity; pad ^= 0xec ^ 0x11) data.push(pad);

  // Blocks (shorter ones first), each with its EC codewords, interleaved.
  const blocks = BLOCKS[level][version - 1];
  const ecLength = ecPerBlock(version, level);
  const shortBlocks = blocks - (totalCodewords(version) % blocks);
  const shortLength = Math.floor(totalCodewords(version) / blocks) - ecLength;
  const poly = generator(ecLength);
  const dataBlocks = [];
  for (let b = 0, start = 0; b < blocks; b++) {
    const length = shortLength + (b < shortBlocks ? 0 : 1);
    dataBlocks.push(data.slice(start, start + length));
    start += length;
  }
  const ecBlocks = dataBlocks.map((block) => ecCodewords(block, poly));
  const message = [];
  for (let i = 0; i <= shortLength; i++)
    for (const block of dataBlocks) if (i < block.length) message.push(block[i]);
  for (let i = 0; i < ecLength; i++) for (const block of ecBlocks) message.push(block[i]);
  return message;
}

// ---- Function patterns (6.3), format and version information (7.9, 7.10) ----
function bch(data, degree, poly) {
  let rest = data;
  for (let i = 0; i < degree; i++) rest = (rest << 1) ^ ((rest >>> (degree - 1)) * poly);
  return (data << degree) | rest;
}

function drawFormat(symbol, level, mask) {
  const bits = bch((LEVEL_BITS[level] << 3) | mask, 10, 0x537) ^ 0x5412;
  const bit = (i) => ((bits >>> i) & 1) === 1;
  const { size, set } = symbol;
  for (let i = 0; i < 6; i++) set(i, 8, bit(i)); // around the top-left finder
  set(7, 8, bit(6));
  set(8, 8, bit(7));
  set(8, 7, bit(8));
  for (let i = 9; i < 15; i++) set(8, 14 - i, bit(i));
  for (let i = 0; i < 8; i++) set(8, size - 1 - i, bit(i)); // the copy: top-right, bottom-left
  for (let i = 8; i < 15; i++) set(size - 15 + i, 8, bit(i));
  set(size - 8, 8, true); // the dark module
}

function functionPatterns(version) {
  const size = 17 + 4 * version;
  const dark = Array.from({ length: size }, () => new Array(size).fill(false));
  const fixed = Array.from({ length: size }, () => new Array(size).fill(false));
  const set = (row, col, on) => {
    dark[row][col] = on;
    fixed[row][col] = true;
  };
  const symbol = { size, dark, fixed, set };
  // Finder patterns with separators.
  for (const [top, left] of [
    [0, 0],
    [0, size - 7],
    [size - 7, 0],
  ]) {
    for (let r = -1; r <= 7; r++) {
      for (let c = -1; c <= 7; c++) {
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        const row = top + r;
        const col = left + c;
        if (row >= 0 && row < size && col >= 0 && col < size) set(row, col, ring !== 2 && ring !== 4);
      }
    }
  }
  const centres = alignmentPositions(version);
  for (const row of centres) {
    for (const col of centres) {
      if (fixed[row][col]) continue;
      for (let r = -2; r <= 2; r++)
        for (let c = -2; c <= 2; c++) set(row + r, col + c, Math.max(Math.abs(r), Math.abs(c)) !== 1);
    }
  }
  for (let i = 8; i < size - 8; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  drawFormat(symbol, "M", 0); // reserves the modules; drawn again with the mask
  if (version >= 7) {
    const bits = bch(version, 12, 0x1f25);
    for (let i = 0; i < 18; i++) {
      const on = ((bits >>> i) & 1) === 1;
      set(Math.floor(i / 3), size - 11 + (i % 3), on); // top-right block
      set(size - 11 + (i % 3), Math.floor(i / 3), on); // bottom-left block
    }
  }
  return symbol;
}

/** Codeword placement (7.7.3). */
function placeMessage({ size, dark, fixed }, message) {
  let i = 0;
  let upward = true;
  for (let right = size - 1; right > 0; right -= 2) {
    if (right === 6) right = 5; // the vertical timing pattern has no strip
    for (let step = 0; step < size; step++) {
      const row = upward ? size - 1 - step : step;
      for (const col of [right, right - 1]) {
        if (fixed[row][col]) continue;
        dark[row][col] = ((message[i >>> 3] >>> (7 - (i & 7))) & 1) === 1; // remainder bits: 0
        i++;
      }
    }
    upward = !upward;
  }
}

// Data masks (7.8.2, table 10).
const MASKS = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (_, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

/** Penalty points (7.8.3, table 11). */
function penalty(modules) {
  const size = modules.length;
  const columns = modules.map((_, c) => modules.map((row) => row[c]));
  let points = 0;
  for (const line of [...modules, ...columns]) {
    // Rule 1: runs of 5+.
    for (let start = 0, i = 1; i <= size; i++) {
      if (i < size && line[i] === line[start]) continue;
      if (i - start >= 5) points += i - start - 2;
      start = i;
    }
    // Rule 3: 1:1:3:1:1 with 4 light before or after.
    const text = `0000${line.map(Number).join("")}0000`;
    for (const pattern of ["00001011101", "10111010000"]) {
      for (let at = text.indexOf(pattern); at >= 0; at = text.indexOf(pattern, at + 1)) points += 40;
    }
  }
  // Rule 2: 2×2 blocks.
  for (let r = 0; r < size - 1; r++) {
    for (let c = 0; c < size - 1; c++) {
      const on = modules[r][c];
      if (modules[r][c + 1] === on && modules[r + 1][c] === on && modules[r + 1][c + 1] === on) points += 3;
    }
  }
  // Rule 4: dark proportion.
  const darkCount = modules.flat().filter(Boolean).length;
  return points + 10 * Math.floor(Math.abs(darkCount * 20 - size * size * 10) / (size * size));
}

/** QR Code of `text` at level `ecl`, smallest version, best (or given) mask; modules[row][col] true = dark. */
export function qrMatrix(text, { ecl = "M", mask = null } = {}) {
  if (!(ecl in LEVEL_BITS)) throw new RangeError(`unknown error-correction level: ${ecl}`);
  const bytes = new TextEncoder().encode(text);
  let version = 1;
  while (4 + countBits(version) + 8 * bytes.length > 8 * dataCodewords(version, ecl)) {
    if (++version > 40) throw new RangeError(`${bytes.length} bytes do not fit in a QR code`);
  }
  const symbol = functionPatterns(version);
  placeMessage(symbol, codewords(bytes, version, ecl));
  const { size, dark, fixed } = symbol;
  let best = null;
  for (const candidate of mask === null ? [0, 1, 2, 3, 4, 5, 6, 7] : [mask]) {
    const modules = dark.map((row, r) => row.map((on, c) => on !== (!fixed[r][c] && MASKS[candidate](r, c))));
    drawFormat({ size, set: (r, c, on) => (modules[r][c] = on) }, ecl, candidate);
    const points = penalty(modules);
    if (best === null || points < best.points) best = { points, modules };
  }
  return { size, modules: best.modules };
}

const escapeXml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** `<svg>` of the level-M QR Code of `text`, sized by the stylesheet. */
export function qrSvg(text, { title = null } = {}) {
  const { size, modules } = qrMatrix(text);
  const side = size + 8;
  let path = "";
  modules.forEach((row, y) => {
    for (let x = 0; x < size; x++) {
      if (!row[x]) continue;
      const start = x;
      while (row[x + 1]) x++;
      const run = x + 1 - start;
      path += `M${start + 4} ${y + 4}h${run}v1h-${run}z`;
    }
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" class="qr" role="img">` +
    (title === null ? "" : `<title>${escapeXml(title)}</title>`) +
    `<rect width="${side}" height="${side}" fill="#fff"/>` +
    `<path d="${path}" fill="#000" shape-rendering="crispEdges"/></svg>`
  );
}
