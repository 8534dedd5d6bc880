// Names the phone makes itself: record ids (UUIDv7), receipt secrets, content hashes.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(bytes) {
  let out = "";
  for (const byte of bytes) out += HEX[byte];
  return out;
}

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids made
 * later sort later and tell when the record was written.
 */
export function uuid7(now = Date.now(), random = crypto.getRandomValues(new Uint8Array(10))) {
  const bytes = new Uint8Array(16);
  let ms = now;
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes.set(random, 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The milliseconds a UUIDv7 was made at (0 for anything else). */
export function uuidTime(id) {
  const h = String(id).replace(/-/g, "");
  return h.length === 32 && h[12] === "7" ? parseInt(h.slice(0, 12), 16) : 0;
}

/** A url-safe random secret of 22 characters (128 bits), for the receipt's QR code. */
export function randomSecret(byteCount = 16) {
  const bytes = crypto.getRandomValues(new Uint8Array(byteCount));
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** SHA-256 as lowercase hex, of a string (UTF-8), bytes or a Blob. */
export async function sha256Hex(data) {
  let bytes = data;
  if (typeof data === "string") bytes = new TextEncoder().encode(data);
  else if (typeof Blob !== "undefined" && data instanceof Blob) bytes = await data.arrayBuffer();
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}
