// The wallboard's data: the latest Wallboard (from GET /api/v1/wallboard, then the
// `wallboard` signals on the desk socket) and, per queue, a short history of the waiting
// count kept here in the browser for the sparklines.

import { getWallboard, ApiError, type Wallboard } from "./api";
import { changed } from "./store";
import { serverNow } from "./format";
import type { Point } from "./sparkline";

export const HISTORY_MS = 15 * 60_000; // what the sparkline can show
const KEEP_MS = 30 * 60_000;
const REFRESH_MS = 15_000; // an unchanged count gets a point this often

export interface Board {
  /** The latest Wallboard. */
  data: Wallboard | null;
  /** Its `at` (server ms). */
  at: number;
  /** 403: not a supervisor. */
  forbidden: boolean;
  /** The last load error, for people. */
  error: string;
  loading: boolean;
  /** Queue id -> its waiting counts, oldest first. */
  history: Map<string, Point[]>;
}

export const board: Board = {
  data: null,
  at: 0,
  forbidden: false,
  error: "",
  loading: false,
  history: new Map(),
};

let storageKey = "";

const isPoint = (p: unknown): p is Point =>
  typeof p === "object" && p !== null && Number.isFinite((p as Point).t) && Number.isFinite((p as Point).n);

/** Keep the history per signed-in specialist across reloads of this tab. */
export function bindBoard(specialistId: string): void {
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
    const saved: unknown = JSON.parse(sessionStorage.getItem(key) || "{}");
    if (!saved || typeof saved !== "object") return;
    for (const [id, points] of Object.entries(saved)) {
      if (Array.isArray(points)) board.history.set(id, (points as unknown[]).filter(isPoint));
    }
  } catch {
    /* a damaged entry: start afresh */
  }
}

function persist(): void {
  if (!storageKey) return;
  try {
    sessionStorage.setItem(storageKey, JSON.stringify(Object.fromEntries(board.history)));
  } catch {
    /* storage full or off: the history still lives in memory */
  }
}

/** Add a sample at `at` to `points`: a point per change, an unchanged count refreshed at most
 * every 15 s, and nothing older than 30 minutes kept. */
export function addSample(points: Point[], at: number, waiting: unknown): Point[] {
  const n = Math.max(0, Number(waiting) || 0);
  const last = points.at(-1);
  if (!last || last.n !== n || at - last.t >= REFRESH_MS) points.push({ t: at, n });
  while (points.length && points[0].t < at - KEEP_MS) points.shift();
  return points;
}

/** A Wallboard arrived (HTTP or signal). Older ones than we have are ignored. */
export function applyBoard(data: Wallboard | null | undefined): void {
  if (!data || !Array.isArray(data.queues)) return;
  const at = Number.isFinite(data.at) ? data.at : serverNow();
  if (at < board.at) return;
  board.data = data;
  board.at = at;
  board.forbidden = false;
  board.error = "";
  for (const q of data.queues) {
    if (!q || !q.id) continue;
    board.history.set(q.id, addSample(board.history.get(q.id) || [], at, q.waiting));
  }
  persist();
  changed("board");
}

/** Fetch the whole board (on opening the wallboard and after every reconnect). */
export async function loadBoard(): Promise<void> {
  if (board.loading) return;
  board.loading = true;
  changed("board");
  try {
    applyBoard(await getWallboard());
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) board.forbidden = true;
    else board.error = (err instanceof Error && err.message) || "The wallboard could not be loaded.";
  } finally {
    board.loading = false;
    changed("board");
  }
}

/**
 * The waiting counts of one queue as steps up to `now`, over the last `span` ms or since
 * the first sample this browser kept (at least a minute).
 */
export function series(queueId: string, now: number, span = HISTORY_MS): { from: number; points: Point[] } {
  const points = board.history.get(queueId) || [];
  const first = points.length ? points[0].t : now;
  const from = Math.min(now - 60_000, Math.max(now - span, first));
  const out: Point[] = [];
  let before: Point | null = null;
  for (const p of points) {
    if (p.t < from) before = p;
    else if (p.t <= now) out.push(p);
  }
  if (before) out.unshift({ t: from, n: before.n });
  const last = out.at(-1);
  if (last) out.push({ t: now, n: last.n });
  return { from, points: out };
}
