// The wallboard's data: the latest Wallboard (from GET /api/v1/wallboard, then the
// `wallboard` signals on the desk socket) and, per queue, a short history of the waiting
// count kept here in the browser for the sparklines.

import { getWallboard, ApiError } from "./api.js";
import { changed } from "./store.js";
import { serverNow } from "./format.js";

export const HISTORY_MS = 15 * 60_000; // what the sparkline can show
const KEEP_MS = 30 * 60_000;

export const board = {
  data: null, // the latest Wallboard
  at: 0, // its `at` (server ms)
  forbidden: false, // 403: not a supervisor
  error: "", // the last load error, for people
  loading: false,
  history: new Map(), // queue id -> [{t, n}] (server ms, waiting), oldest first
};

let storageKey = "";

/** Keep the history per signed-in specialist across reloads of this tab. */
export function bindBoard(specialistId) {
  const key = specialistId ? `tapline.wallboard.history.${specialistId}` : "";
  if (key === storageKey) return;
  storageKey = key;
  board.history = new Map();
  board.data = null;
  board.at = 0;
  board.forbidden = false;
  board.error = "";
  if (!key) return;
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) || "{}");
    for (const [id, points] of Object.entries(saved)) {
      if (Array.isArray(points)) {
        board.history.set(id, points.filter((p) => p && Number.isFinite(p.t) && Number.isFinite(p.n)));
      }
    }
  } catch {
    /* a damaged entry: start afresh */
  }
}

function persist() {
  if (!storageKey) return;
  try {
    sessionStorage.setItem(storageKey, JSON.stringify(Object.fromEntries(board.history)));
  } catch {
    /* storage full or off: the history still lives in memory */
  }
}

/** A Wallboard arrived (HTTP or signal). Older ones than we have are ignored. */
export function applyBoard(data) {
  if (!data || !Array.isArray(data.queues)) return;
  const at = Number.isFinite(data.at) ? data.at : serverNow();
  if (at < board.at) return;
  board.data = data;
  board.at = at;
  board.forbidden = false;
  board.error = "";
  for (const q of data.queues) {
    if (!q || !q.id) continue;
    const points = board.history.get(q.id) || [];
    const n = Math.max(0, Number(q.waiting) || 0);
    const last = points.at(-1);
    // A point per change; an unchanged count is refreshed at most every 15 s.
    if (!last || last.n !== n || at - last.t >= 15_000) points.push({ t: at, n });
    while (points.length && points[0].t < at - KEEP_MS) points.shift();
    board.history.set(q.id, points);
  }
  persist();
  changed("board");
}

/** Fetch the whole board (on opening the wallboard and after every reconnect). */
export async function loadBoard() {
  if (board.loading) return;
  board.loading = true;
  changed("board");
  try {
    applyBoard(await getWallboard());
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) board.forbidden = true;
    else board.error = err.message || "The wallboard could not be loaded.";
  } finally {
    board.loading = false;
    changed("board");
  }
}

/**
 * The waiting counts of one queue as steps up to `now`, over the last `span` ms or since
 * the first sample this browser kept (at least a minute): {from, points}.
 */
export function series(queueId, now, span = HISTORY_MS) {
  const points = board.history.get(queueId) || [];
  const first = points.length ? points[0].t : now;
  const from = Math.min(now - 60_000, Math.max(now - span, first));
  const out = [];
  let before = null;
  for (const p of points) {
    if (p.t < from) before = p;
    else if (p.t <= now) out.push(p);
  }
  if (before) out.unshift({ t: from, n: before.n });
  if (out.length) out.push({ t: now, n: out.at(-1).n });
  return { from, points: out };
}
