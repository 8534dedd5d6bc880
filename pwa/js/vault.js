// Encryption at rest (docs/pwa.md): AES-GCM under a data key wrapped by PBKDF2 keys.

export const PASSWORD_ITERATIONS = 600_000;
export const PIN_ITERATIONS = 150_000;
const AES = "AES-GCM";
const encoder = new TextEncoder();
const random = (size) => crypto.getRandomValues(new Uint8Array(size));

async function deriveKey(secret, salt, iterations) {
  const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    base,
    { name: AES, length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

async function encrypt(key, bytes) {
  const iv = random(12);
  return { iv, ct: await crypto.subtle.encrypt({ name: AES, iv }, key, bytes) };
}
const decrypt = (key, { iv, ct }) => crypto.subtle.decrypt({ name: AES, iv }, key, ct);

// extractable only so that a new PIN can wrap it
export const newDataKey = () =>
  crypto.subtle.generateKey({ name: AES, length: 256 }, true, ["encrypt", "decrypt"]);

export async function wrapKey(dataKey, secret, iterations) {
  const salt = random(16);
  const raw = await crypto.subtle.exportKey("raw", dataKey);
  return { salt, iterations, ...(await encrypt(await deriveKey(secret, salt, iterations), raw)) };
}

// null: a wrong secret
export async function unwrapKey(wrapped, secret) {
  try {
    const raw = await decrypt(await deriveKey(secret, wrapped.salt, wrapped.iterations), wrapped);
    return await crypto.subtle.importKey("raw", raw, AES, true, ["encrypt", "decrypt"]);
  } catch {
    return null;
  }
}

// {iv, ct} of: 4-byte length, JSON, then the top-level Blob fields' bytes.
export async function seal(key, value) {
  const plain = {};
  const blobs = [];
  const parts = [];
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [name, field] of Object.entries(value)) {
      if (typeof Blob !== "undefined" && field instanceof Blob) {
        blobs.push([name, field.type, field.size]);
        parts.push(field);
      } else plain[name] = field;
    }
  }
  const json = encoder.encode(JSON.stringify(blobs.length ? { v: plain, b: blobs } : { v: value }));
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, json.length);
  return encrypt(key, await new Blob([head, json, ...parts]).arrayBuffer());
}

export async function unseal(key, sealed) {
  const bytes = new Uint8Array(await decrypt(key, sealed));
  const length = new DataView(bytes.buffer).getUint32(0);
  const { v, b = [] } = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  let at = 4 + length;
  for (const [name, type, size] of b) {
    v[name] = new Blob([bytes.slice(at, at + size)], { type });
    at += size;
  }
  return v;
}

export function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
export const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export async function sealText(text, passphrase, iterations = PASSWORD_ITERATIONS) {
  const salt = random(16);
  const { iv, ct } = await encrypt(await deriveKey(passphrase, salt, iterations), encoder.encode(text));
  return JSON.stringify({
    format: "motcua-sealed",
    iterations,
    salt: toBase64(salt),
    iv: toBase64(iv),
    ct: toBase64(ct),
  });
}

export async function openText(file, passphrase) {
  try {
    const { format, iterations, salt, iv, ct } = JSON.parse(file);
    if (format !== "motcua-sealed") return null;
    const key = await deriveKey(passphrase, fromBase64(salt), iterations);
    return new TextDecoder().decode(await decrypt(key, { iv: fromBase64(iv), ct: fromBase64(ct) }));
  } catch {
    return null;
  }
}
