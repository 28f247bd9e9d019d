// The slot picker: the free 15-minute slots from GET /slots in the customer's own time zone,
// days as tabs and the day's times as grids of toggle buttons under Morning, Afternoon and
// Evening (arrow keys move), then Book, which stays in view at the foot of the panel.

import { h } from "../../shared/dom";
import { list, num, str } from "../../shared/json";
import { fmtTime, setBusy, showNotice } from "../controls";
import { newId } from "../../shared/ids";
import { pushStart } from "./push";
import { unlockAudio } from "./sound";
import { type Cb, type Slot, idOf, show } from "./state";
import { dayLabel, dayOf, localZone, whenBack, zoneName } from "./times";

const SLOTS_FRESH = 60_000;
const SLOT_LENGTH = 900_000;

export function startPick(c: Cb, kind: "schedule" | "reschedule"): void {
  unlockAudio();
  c.picking = kind;
  c.chosen = null;
  // A new time for a booking starts on the booked day.
  const cb = c.core.req?.callback;
  if (kind === "reschedule" && typeof cb?.slot_start === "number") c.dayKey = dayOf(cb.slot_start);
  showNotice(c.pk.notice, "");
  fetchSlots(c, false);
  c.core.render();
  c.core.focusView();
}

export function stopPick(c: Cb): void {
  c.picking = null;
  c.chosen = null;
  c.core.render();
  c.core.focusView();
}

export function book(c: Cb): void {
  if (!c.chosen) return;
  pushStart(c);
  const r = c.core.req;
  const kind = c.picking === "reschedule" || r?.state === "scheduled" ? "reschedule" : "schedule";
  showNotice(c.pk.notice, "");
  setBusy(c.pk.bookBtn, true, "Booking…");
  c.core.write({ type: kind, id: newId(), slot: c.chosen });
}

function findSlot(c: Cb, start: number | null): Slot | null {
  return (start !== null && c.slots?.list.find((s) => s.start === start)) || null;
}

export function fetchSlots(c: Cb, force: boolean): void {
  const r = c.core.req;
  if (!r) return;
  if (!force && c.slotsState === "loading") return;
  if (!force && c.slotsState === "ok" && c.slotsFor === r.request_id && c.slots && Date.now() - c.slots.at < SLOTS_FRESH) {
    renderPick(c);
    return;
  }
  c.slotsState = "loading";
  const rid = (c.slotsFor = r.request_id);
  renderPick(c);
  c.core.api("GET", `/slots?request_id=${encodeURIComponent(rid)}`, undefined, r.customer_token).then(
    (res) => {
      if (c.core.req?.request_id !== c.slotsFor) return;
      if (res.ok && res.data && Array.isArray(res.data.slots)) {
        const slots: Slot[] = [];
        for (const s of list(res.data.slots)) {
          if (!s || typeof s !== "object" || Array.isArray(s)) continue;
          const start = num(s.start);
          const left = num(s.left);
          if (start !== null && (s.left == null || (left !== null && left > 0))) slots.push({ start, end: num(s.end) ?? start + SLOT_LENGTH });
        }
        slots.sort((a, b) => a.start - b.start);
        c.slots = { tz: str(res.data.tz) ?? "", list: slots, at: Date.now() };
        c.slotsState = "ok";
        if (c.chosen && !findSlot(c, c.chosen)) c.chosen = null;
      } else {
        c.slotsState = "failed";
      }
      renderPick(c);
    },
    () => {
      c.slotsState = "failed";
      renderPick(c);
    },
  );
}

// Arrow keys move along a row of buttons with one tab stop (roving tabindex). In the times
// grid, Up and Down move by a visual row.
export function roam(c: Cb, e: KeyboardEvent, box: HTMLElement, selector: string, select: boolean): void {
  const items = [...box.querySelectorAll<HTMLElement>(selector)];
  const active = c.ui.root.activeElement;
  const i = active instanceof HTMLElement ? items.indexOf(active) : -1;
  if (i < 0) return;
  const moves: Record<string, number> = {
    ArrowRight: i + 1, ArrowLeft: i - 1,
    ArrowDown: select ? i + 1 : rowMove(items, i, 1), ArrowUp: select ? i - 1 : rowMove(items, i, -1),
    Home: 0, End: items.length - 1,
  };
  const to = moves[e.key];
  if (to === undefined) return;
  e.preventDefault();
  const j = Math.max(0, Math.min(items.length - 1, to));
  items.forEach((item, k) => (item.tabIndex = k === j ? 0 : -1));
  const target = items[j];
  if (!target) return;
  target.focus();
  if (select) {
    // Choosing a day redraws the tabs: keep focus on the chosen one.
    const tid = target.id;
    target.click();
    c.ui.root.getElementById(tid)?.focus();
  }
}

/** The button in the next visual row (`dir` 1 down, -1 up) nearest in column: the rows of
 * the parts of the day have different lengths. */
function rowMove(items: HTMLElement[], i: number, dir: 1 | -1): number {
  const here = items[i];
  if (!here) return i;
  const top = here.getBoundingClientRect().top;
  const left = here.getBoundingClientRect().left;
  let rowTop: number | null = null;
  let best = i;
  let bestGap = Infinity;
  for (let k = i + dir; k >= 0 && k < items.length; k += dir) {
    const r = items[k]?.getBoundingClientRect();
    if (!r || r.top === top) continue;
    if (rowTop === null) rowTop = r.top;
    if (r.top !== rowTop) break;
    const gap = Math.abs(r.left - left);
    if (gap < bestGap) {
      best = k;
      bestGap = gap;
    }
  }
  return best;
}

/** Parts of the day in the customer's own clock. */
export const PARTS = [
  { key: "morning", label: "Morning", until: 12 },
  { key: "afternoon", label: "Afternoon", until: 17 },
  { key: "evening", label: "Evening", until: 24 },
] as const;

export function partOf(ms: number): (typeof PARTS)[number]["key"] {
  const hour = new Date(ms).getHours();
  return (PARTS.find((part) => hour < part.until) ?? PARTS[2]).key;
}

function renderPickText(c: Cb): void {
  const r = c.core.req;
  if (!r) return;
  const pk = c.pk;
  const o = r.options;
  const closed = r.state === "new" || o?.open === false;
  const resched = c.picking === "reschedule" || r.state === "scheduled";
  pk.title.textContent = closed && !resched ? "No one is here right now" : resched ? "Choose a new time" : "Schedule a time";
  if (closed && !resched) {
    const back = typeof o?.next_open === "number" ? `Our specialists are back ${whenBack(o.next_open)}. ` : "";
    pk.lead.textContent = `${back}Choose a time and we'll ring you here then. Or leave it: when we open you join the line, and we'll ring you here when it's your turn. What you told us is kept.`;
  } else {
    pk.lead.textContent = "We'll ring you here at the time you choose. Each slot is 15 minutes.";
  }
  pk.lead.hidden = false;
  const here = localZone();
  const theirs = c.slots?.tz;
  pk.tz.textContent = theirs && here && theirs !== here ? `Times are in your time zone (${zoneName(here)}). Our team works on ${zoneName(theirs)} time.` : "";
  pk.tz.hidden = !pk.tz.textContent;
  show(pk.backBtn, !!c.picking && r.state !== "new");
  pk.backBtn.textContent = r.state === "scheduled" ? "Keep my booking" : "Back";
  show(pk.cancelBtn, r.state === "new");
  show(pk.retryBtn, c.slotsState === "failed");
}

export function renderPick(c: Cb): void {
  const r = c.core.req;
  if (!r) return;
  const pk = c.pk;
  renderPickText(c);
  const slots = c.slotsState === "ok" && c.slots ? c.slots.list : [];
  pk.status.textContent =
    c.slotsState === "loading" && !slots.length ? "Finding free times…"
    : c.slotsState === "failed" ? "We couldn't load the free times. Please try again."
    : c.slotsState === "ok" && !slots.length ? "There are no free times in the coming days. Please check again later."
    : "";
  show(pk.status, !!pk.status.textContent);
  // Days, then the times of the chosen day.
  const byDay = new Map<string, Slot[]>();
  for (const s of slots) byDay.set(dayOf(s.start), [...(byDay.get(dayOf(s.start)) ?? []), s]);
  const days = [...byDay.keys()];
  if (c.chosen && findSlot(c, c.chosen)) c.dayKey = dayOf(c.chosen);
  if (days.length && !byDay.has(c.dayKey ?? "")) c.dayKey = days[0] ?? null;
  pk.days.replaceChildren(...days.map((key) => dayTab(c, key, byDay.get(key)?.[0]?.start ?? 0)));
  pk.times.replaceChildren();
  show(pk.days, days.length > 0);
  show(pk.dayPanel, days.length > 0);
  pk.dayPanel.id = idOf(c, "times-panel");
  const times = c.dayKey ? byDay.get(c.dayKey) : undefined;
  if (c.dayKey && times?.[0]) {
    pk.dayPanel.setAttribute("aria-labelledby", idOf(c, `day-${c.dayKey}`));
    pk.times.setAttribute("aria-label", `Times on ${dayLabel(times[0].start, true)}`);
    const resched = c.picking === "reschedule" || r.state === "scheduled";
    const booked = resched && typeof r.callback?.slot_start === "number" ? r.callback.slot_start : null;
    const focusAt = Math.max(0, times.findIndex((t) => t.start === c.chosen));
    const buttons = times.map((s, n) => timeButton(c, s, n === focusAt, s.start === booked));
    for (const part of PARTS) {
      const mine = buttons.filter((_, n) => partOf(times[n]?.start ?? 0) === part.key);
      if (!mine.length) continue;
      const hid = idOf(c, `part-${part.key}`);
      pk.times.appendChild(h("div", { class: "tl-part", role: "group", "aria-labelledby": hid }, [
        h("h4", { id: hid, class: "tl-part-title", text: part.label }),
        h("div", { class: "tl-part-times" }, mine),
      ]));
    }
  }
  renderBook(c);
}

function dayTab(c: Cb, key: string, first: number): HTMLButtonElement {
  const selected = key === c.dayKey;
  return h("button", {
    type: "button", role: "tab", id: idOf(c, `day-${key}`), class: "tl-day",
    "aria-selected": selected ? "true" : "false", "aria-controls": idOf(c, "times-panel"),
    tabindex: selected ? "0" : "-1", "aria-label": dayLabel(first, true),
    onclick: () => {
      c.dayKey = key;
      renderPick(c);
    },
  }, [h("span", { text: dayLabel(first) })]);
}

function timeButton(c: Cb, s: Slot, stop: boolean, mine: boolean): HTMLButtonElement {
  return h("button", {
    type: "button", class: "tl-time-slot", "aria-pressed": s.start === c.chosen ? "true" : "false",
    tabindex: stop ? "0" : "-1", text: fmtTime(s.start) + (mine ? " ✓" : ""),
    "aria-disabled": mine ? "true" : null, "data-mine": mine ? "" : null, "data-start": String(s.start),
    "aria-label": `${fmtTime(s.start)} to ${fmtTime(s.end)}${mine ? ", your booking now" : ""}`,
    onclick: (ev: Event) => {
      if (mine) return;
      c.chosen = s.start;
      for (const btn of c.pk.times.querySelectorAll("button")) {
        btn.setAttribute("aria-pressed", btn === ev.currentTarget ? "true" : "false");
        btn.tabIndex = btn === ev.currentTarget ? 0 : -1;
      }
      renderBook(c);
    },
  });
}

export function renderBook(c: Cb): void {
  const s = findSlot(c, c.chosen);
  const btn = c.pk.bookBtn;
  if (btn.getAttribute("aria-busy")) return;
  btn.textContent = s ? `Book ${dayLabel(s.start)}, ${fmtTime(s.start)}` : "Book this time";
  btn.disabled = !s;
}
