// One reconnect and retry policy for the widget and the desk: the first wait is 500 ms, each
// attempt doubles it up to 10 s, and every wait is jittered by ±25 % (so clients that lost the
// server together come back spread out) and never exceeds 10 s.

export const BACKOFF_FIRST = 500;
export const BACKOFF_MAX = 10_000;
export const BACKOFF_JITTER = 0.25;

/**
 * The wait before attempt `attempt` (1 for the first retry; 0 counts as 1). `random` is
 * Math.random's shape, injectable for tests.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const n = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt) - 1) : 0;
  // 2 ** 5 already passes the cap: a larger exponent only risks Infinity
  const base = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** Math.min(n, 10));
  const jittered = base * (1 - BACKOFF_JITTER + random() * 2 * BACKOFF_JITTER);
  return Math.round(Math.min(BACKOFF_MAX, Math.max(0, jittered)));
}
