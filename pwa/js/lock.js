// The device lock: a PIN set on this phone, kept only as a salted PBKDF2-SHA-256 hash, and an idle
// timer. Phones are shared and hold residents' personal data.

import { bytesToHex, hexToBytes } from "./ids.js";

export const PIN_ITERATIONS = 150_000;
export const IDLE_LOCK_MS = 5 * 60_000;
export const MAX_PIN_TRIES = 5;

/** A PIN is 4 to 8 digits, not one digit repeated nor a plain run (1234, 9876). */
export function pinProblem(pin) {
  if (!/^[0-9]{4,8}$/.test(pin)) return "pin.format";
  if (/^(.)\1+$/.test(pin)) return "pin.weak";
  const steps = new Set([...pin].slice(1).map((digit, i) => Number(digit) - Number(pin[i])));
  if (steps.size === 1 && (steps.has(1) || steps.has(-1))) return "pin.weak";
  return null;
}

async function derive(pin, salt, iterations) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    256,
  );
  return bytesToHex(new Uint8Array(bits));
}

/** What the phone keeps of a PIN: salt, iterations and hash — never the PIN. */
export async function makePinRecord(pin, iterations = PIN_ITERATIONS) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { salt: bytesToHex(salt), iterations, hash: await derive(pin, salt, iterations) };
}

export async function verifyPin(pin, record) {
  if (!record) return false;
  const hash = await derive(pin, hexToBytes(record.salt), record.iterations);
  let difference = hash.length ^ record.hash.length;
  for (let i = 0; i < Math.min(hash.length, record.hash.length); i += 1) {
    difference |= hash.charCodeAt(i) ^ record.hash.charCodeAt(i);
  }
  return difference === 0;
}

/** Whether the app must ask for the PIN now. */
export function shouldLock(lastActivity, now = Date.now(), idle = IDLE_LOCK_MS) {
  return !lastActivity || now - lastActivity >= idle;
}

/**
 * Calls ``onIdle`` after ``idle`` ms without a touch or key, and when the app comes back after
 * being hidden that long. ``touch`` is called (throttled) on activity so the time can be kept.
 */
export function watchIdle({ onIdle, touch = () => {}, idle = IDLE_LOCK_MS, target = globalThis.document }) {
  let last = Date.now();
  let saved = 0;
  const activity = () => {
    last = Date.now();
    if (last - saved > 15_000) {
      saved = last;
      touch(last);
    }
  };
  const check = () => {
    if (Date.now() - last >= idle) onIdle();
  };
  const events = ["pointerdown", "keydown", "input", "scroll"];
  for (const name of events) target.addEventListener(name, activity, { passive: true, capture: true });
  target.addEventListener("visibilitychange", check);
  const timer = setInterval(check, 10_000);
  return {
    reset: activity,
    stop() {
      clearInterval(timer);
      for (const name of events) target.removeEventListener(name, activity, { capture: true });
      target.removeEventListener("visibilitychange", check);
    },
  };
}
