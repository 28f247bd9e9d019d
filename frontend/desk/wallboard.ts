// The supervisor's live wallboard: one tile per queue, big and legible from across a room.
// Every colour has an icon and words beside it, so nothing depends on colour alone.

import { h, icon, render, type Child, type IconName } from "./dom";
import { s as svgEl } from "../shared/dom";
import { state, on } from "./store";
import { board, loadBoard, series, HISTORY_MS } from "./board";
import { sparkline } from "./sparkline";
import { every } from "./ticker";
import { serverNow, clockTime, clip, causeLabel } from "./format";
import { linkHandler } from "./router";
import type { SpecialistCounts, Today, WallboardQueue } from "./protocol";

type Level = "ok" | "warn" | "bad";

const STAFF: ReadonlyArray<readonly [keyof SpecialistCounts, string, IconName]> = [
  ["available", "Available", "check"],
  ["busy", "Busy", "chat"],
  ["away", "Away", "pause"],
  ["offline", "Offline", "power"],
];

/** "0:42", "5:07", "1:02:09" */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

export function percent(x: number | null | undefined): string {
  return typeof x === "number" && Number.isFinite(x) ? `${Math.round(x * 100)}%` : "—";
}

function live(): boolean {
  return state.conn.status === "connected";
}

/** Seconds the oldest request has waited now (ticking only while the figures are live). */
function oldestNow(q: WallboardQueue): number {
  const base = Number(q.oldest_wait) || 0;
  if (!(Number(q.waiting) > 0)) return 0;
  return live() ? base + Math.max(0, serverNow() - board.at) / 1000 : base;
}

/** How the oldest wait compares with the service target: level, icon and words. */
export function waitLevel(seconds: number, target: number): [Level, IconName, string] {
  if (!(seconds > 0) || !(target > 0) || seconds <= target) return ["ok", "check", target > 0 ? `Within target (${clock(target)})` : "Nobody waiting"];
  if (seconds <= target * 2) return ["warn", "alert", `Over target (${clock(target)})`];
  return ["bad", "alert", `Far over target (${clock(target)})`];
}

function stat(label: string, value: Child, extra: Child, cls = ""): HTMLDivElement {
  return h(`div.wb-stat${cls}`, null, h("div.wb-label", null, label), h("div.wb-value", null, value), extra);
}

/** The stacked bar's segments: [state, x, width] in a 100-wide box, empty states left out. */
export function staffSegments(counts: Partial<SpecialistCounts>): Array<[keyof SpecialistCounts, number, number]> {
  const total = STAFF.reduce((n, [k]) => n + (Number(counts[k]) || 0), 0);
  const out: Array<[keyof SpecialistCounts, number, number]> = [];
  let x = 0;
  for (const [k] of STAFF) {
    const w = total ? ((Number(counts[k]) || 0) / total) * 100 : 0;
    if (!w) continue;
    out.push([k, x, w]);
    x += w;
  }
  return out;
}

function staffBlock(q: WallboardQueue): HTMLDivElement {
  const counts: Partial<SpecialistCounts> = q.specialists || {};
  const bar = svgEl("svg.wb-staffbar", { viewBox: "0 0 100 8", preserveAspectRatio: "none", "aria-hidden": "true" },
    staffSegments(counts).map(([k, x, w]) => svgEl(`rect.seg-${k}`, { x, y: 0, width: w, height: 8 })));
  return h("div.wb-staff", null,
    h("div.wb-label", null, icon("users", 16), "Specialists"),
    h("ul.wb-staff-list", null, STAFF.map(([k, label, ic]) =>
      h(`li.staff-${k}`, null, icon(ic, 18), h("strong", null, String(Number(counts[k]) || 0)), " ", label))),
    bar);
}

function callbacksBlock(q: WallboardQueue): HTMLDivElement {
  const kept: Partial<WallboardQueue["callbacks_kept"]> = q.callbacks_kept || {};
  const total = Number(kept.total) || 0;
  const rate = total ? (Number(kept.kept) || 0) / total : NaN;
  return h("div.wb-callbacks", null,
    h("div.wb-label", null, icon("phone", 16), "Callbacks"),
    h("div.wb-pair", null,
      h("span", null, h("strong.wb-mid", null, String(Number(q.callbacks_due) || 0)), " due"),
      h("span", null, "Kept ", h("strong", null, percent(rate)),
        h("span.muted", null, total ? ` (${kept.kept} of ${total})` : " (none yet)"))));
}

/** Where today's offered requests stand, in words: the parts add up to `offered`. */
export function todayParts(t: Partial<Today>): string {
  const n = (x: unknown): number => Number(x) || 0;
  const offered = n(t.offered);
  const parts = [`${n(t.answered)} answered`];
  parts.push(`${n(t.abandoned)} abandoned${offered ? ` (${percent(n(t.abandoned) / offered)})` : ""}`);
  if (n(t.waiting)) {
    const over = n(t.waiting_over_target);
    parts.push(`${n(t.waiting)} waiting${over ? ` (${over} over target)` : ""}`);
  }
  if (n(t.ended_unanswered)) parts.push(`${n(t.ended_unanswered)} ended unanswered`);
  return parts.join(" · ");
}

/** The service level over several queues: within target over settled, as each queue's. */
export function overallLevel(queues: WallboardQueue[]): number | null {
  let within = 0;
  let settled = 0;
  for (const q of queues) {
    within += Number(q.today && q.today.within_target) || 0;
    settled += Number(q.today && q.today.settled) || 0;
  }
  return settled ? within / settled : null;
}

function todayBlock(q: WallboardQueue): HTMLDivElement {
  const t: Partial<Today> = q.today || {};
  const offered = Number(t.offered) || 0;
  const goal = typeof t.target_level === "number" && Number.isFinite(t.target_level) ? t.target_level : null;
  let slClass = "";
  let slNote: HTMLSpanElement | null = null;
  if (goal !== null && typeof t.service_level === "number" && Number.isFinite(t.service_level)) {
    const met = t.service_level >= goal;
    slClass = met ? ".is-ok" : ".is-bad";
    slNote = h("span.wb-flag", null, icon(met ? "check" : "alert", 14), met ? `Goal ${percent(goal)} met` : `Below goal ${percent(goal)}`);
  }
  const deadEnds = Object.entries(t.dead_ends || {}).filter(([, n]) => Number(n) > 0);
  return h("div.wb-today", null,
    h("div.wb-label", null, icon("chart", 16), "Today"),
    h("div.wb-pair", null,
      h(`span.wb-sl${slClass}`, null,
        h("strong.wb-mid", null, percent(t.service_level)), " answered within ",
        Number(t.target_seconds) > 0 ? clock(Number(t.target_seconds)) : "target", slNote),
      h("span.muted", null, `${Number(t.within_target) || 0} of ${Number(t.settled) || 0} in time · ${offered} offered`)),
    h("div.wb-pair", null,
      h("span.wb-parts", null, todayParts(t)),
      h("span.wb-deadends", null, deadEnds.length
        ? ["Dead ends: ", deadEnds.map(([cause, n], i) => [i ? " · " : "", causeLabel(cause), " ", h("strong", null, String(n))])]
        : "No dead ends")));
}

function tile(q: WallboardQueue): HTMLElement {
  const name = q.name || "Queue";
  const id = `wb-q-${q.id}`;
  const oldestValue = h("span", null, "");
  const oldestNote = h("div.wb-note");
  const oldest = stat("Oldest wait", oldestValue, oldestNote, ".wb-oldest");
  const sparkSlot = h("div.wb-spark");
  const sparkScale = h("div.wb-spark-scale.muted");
  const waiting = Number(q.waiting) || 0;
  const section = h("section.wb-queue", { aria: { labelledby: id } },
    h("header.wb-qhead", null,
      h("h2", { id, title: name }, clip(name, 40)),
      q.open === false
        ? h("span.wb-badge.is-closed", null, icon("clock", 14), "Closed")
        : h("span.wb-badge.is-open", null, icon("check", 14), "Open")),
    h("div.wb-main", null,
      stat("Waiting", String(waiting), [sparkSlot, sparkScale], ".wb-waiting"),
      oldest),
    staffBlock(q), callbacksBlock(q), todayBlock(q));

  let sparkAt = 0;
  every(section, () => {
    const seconds = oldestNow(q);
    const [level, ic, text] = waitLevel(seconds, Number(q.today && q.today.target_seconds) || 0);
    oldestValue.textContent = waiting ? clock(seconds) : "—";
    section.dataset.level = waiting ? level : "ok";
    const note = waiting ? text : "Nobody waiting";
    if (oldestNote.dataset.text !== note + level) {
      oldestNote.dataset.text = note + level;
      render(oldestNote, icon(waiting ? ic : "check", 16), note);
    }
    const now = live() ? serverNow() : board.at;
    if (now - sparkAt >= 5000 || !sparkAt) {
      sparkAt = now;
      const { from, points } = series(q.id, now);
      const minutes = Math.max(1, Math.round((now - from) / 60_000));
      sparkSlot.replaceChildren(sparkline(points, from, now));
      const top = Math.max(0, ...points.map((p) => p.n));
      sparkScale.textContent = points.length < 2
        ? "History starts now"
        : `Last ${minutes} min${now - from < HISTORY_MS - 30_000 ? " (since opened)" : ""} · peak ${top}`;
    }
  });
  return section;
}

function totals(queues: WallboardQueue[]): HTMLDListElement {
  const sum = (f: (q: WallboardQueue) => unknown): number => queues.reduce((n, q) => n + (Number(f(q)) || 0), 0);
  const level = overallLevel(queues);
  const longest = h("strong", null, "—");
  const strip = h("dl.wb-totals", null,
    h("div", null, h("dt", null, "Waiting, all queues"), h("dd", null, h("strong", null, String(sum((q) => q.waiting))))),
    h("div", null, h("dt", null, "Longest wait"), h("dd", null, longest)),
    h("div", null, h("dt", null, "Callbacks due"), h("dd", null, h("strong", null, String(sum((q) => q.callbacks_due))))),
    h("div", null, h("dt", null, "Service level today"), h("dd", null, h("strong", null, level === null ? "—" : percent(level)))));
  every(strip, () => {
    const max = Math.max(0, ...queues.map(oldestNow));
    longest.textContent = max ? clock(max) : "—";
  });
  return strip;
}

function gate(title: string, text: string): HTMLDivElement {
  return h("div.wb-gate", { role: "note" },
    icon("lock", 32), h("h1", null, title), h("p", null, text),
    h("a.btn.btn-primary", { href: "/desk", onclick: linkHandler }, "Back to the desk"));
}

/** Build the wallboard view into `main`. Called once; it redraws on "board", "conn", "me". */
export function mountWallboard(main: HTMLElement): void {
  const title = h("h1.wb-title", { id: "wb-title" }, "Wallboard");
  const status = h("p.wb-status", { role: "status" });
  const fullText = document.createTextNode("Full screen");
  const fullBtn = h("button.btn", { type: "button", onclick: toggleFullscreen }, icon("expand", 14), fullText);
  const head = h("header.wb-head", null, title, status, h("div.topbar-spacer"), fullBtn);
  const body = h("div.wb-body");
  main.append(head, body);
  main.setAttribute("aria-labelledby", "wb-title");
  let shownAt = -1;

  const draw = (): void => {
    if (!state.me?.is_supervisor || board.forbidden) {
      head.hidden = true;
      shownAt = -1;
      render(body, gate("Supervisors only", "The wallboard shows every queue's live figures to supervisors. Ask a supervisor if you need it."));
      return;
    }
    head.hidden = false;
    drawStatus(status);
    if (!board.data) {
      shownAt = -1;
      render(body, board.error
        ? h("div.wb-gate", { role: "alert" }, icon("alert", 32),
            h("p", null, `The wallboard could not be loaded: ${board.error}.`),
            h("p", null, "It appears as soon as the server sends figures."),
            h("button.btn", { type: "button", onclick: () => loadBoard() }, "Try again"))
        : h("p.wb-loading", null, "Loading the wallboard…"));
      return;
    }
    if (shownAt === board.at && body.dataset.conn === state.conn.status) return;
    shownAt = board.at;
    body.dataset.conn = state.conn.status;
    const queues = board.data.queues.filter((q) => q && q.id);
    body.classList.toggle("is-stale", !live());
    render(body,
      totals(queues),
      queues.length
        ? h("div.wb-grid", null, queues.map(tile))
        : h("p.wb-loading", null, "No queues yet. Add one under Configure."));
  };
  on("board", draw);
  on("conn", draw);
  on("me", draw);
  document.addEventListener("fullscreenchange", () => {
    fullText.textContent = document.fullscreenElement ? "Exit full screen" : "Full screen";
  });
  draw();
}

function drawStatus(el: HTMLElement): void {
  const at = board.at ? clockTime(board.at) : "";
  const seconds = board.at ? new Date(board.at).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : at;
  if (!board.data) {
    render(el, h("span.wb-live", null, icon("clock", 14), "No figures yet"));
    el.dataset.kind = "bad";
  } else if (live()) {
    render(el, h("span.wb-live", null, icon("check", 14), "Live"), board.at ? ` · updated ${seconds}` : "");
    el.dataset.kind = "good";
  } else {
    const why = !navigator.onLine ? "Offline" : state.conn.status === "stopped" ? "Signed out" : "Reconnecting…";
    render(el, h("span.wb-live", null, icon("wifi_off", 14), why), board.at ? ` · figures as of ${seconds}, not live` : "");
    el.dataset.kind = "bad";
  }
}

function toggleFullscreen(): void {
  if (document.fullscreenElement) void document.exitFullscreen?.();
  else document.documentElement.requestFullscreen?.().catch(() => {});
}
