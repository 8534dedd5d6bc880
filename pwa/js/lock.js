// The device lock: PIN rules and the idle timer.

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

// ``onIdle`` after ``idle`` ms untouched, also when shown again after that long hidden.
export function watchIdle({ onIdle, idle = IDLE_LOCK_MS, target = globalThis.document }) {
  let last = Date.now();
  const activity = () => {
    last = Date.now();
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
