// When to try a failed sync again: exponential backoff with jitter, so a village of phones
// coming back online does not hit the server in step.

export const BASE_DELAY_MS = 15_000;
export const MAX_DELAY_MS = 30 * 60_000;

/** Delay before attempt ``failures + 1``, with "equal jitter". */
export function backoffDelay(
  failures,
  { base = BASE_DELAY_MS, max = MAX_DELAY_MS, random = Math.random } = {},
) {
  const step = Math.min(max, base * 2 ** Math.max(0, Math.min(failures, 30)));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Timeout for a request carrying ``bytes``: 20 s, plus the time for the bytes at 4 KB/s. */
export function timeoutFor(bytes = 0) {
  return 20_000 + Math.ceil(bytes / 4);
}
