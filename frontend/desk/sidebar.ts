// The left column: me (presence, capacity), incoming offers, my requests, queues.

import { h, icon, render } from "./dom";
import { state, on, select, dismiss, isLive, activeCount, type Req } from "./store";
import { clip, dispositionLabel, initials, stateLabel } from "./format";
import { mountOffers, verifiedBadge, whereText, customerName } from "./offers";
import * as actions from "./actions";
import type { ChoosablePresence } from "./protocol";

const PRESENCE: ReadonlyArray<readonly [ChoosablePresence, string]> = [
  ["available", "Available"],
  ["busy", "Busy"],
  ["away", "Away"],
];

function presenceButtons(): HTMLButtonElement[] {
  const me = state.me;
  // Before the socket says hello the server may report "offline": then nothing is checked
  // and the first choice takes the tab stop.
  const current = state.presencePending || me?.presence || "offline";
  const known = PRESENCE.some(([v]) => v === current);
  return PRESENCE.map(([value, label], i) => {
    const checked = current === value;
    const pending = state.presencePending === value;
    return h(`button.segment.presence-${value}`, {
      type: "button",
      role: "radio",
      dataset: { key: `presence-${value}` },
      aria: { checked: String(checked), busy: pending ? "true" : undefined },
      tabindex: checked || (!known && i === 0) ? "0" : "-1",
      onclick: () => actions.setPresence(value),
      onkeydown: (e: Event) => presenceKeys(e, value),
    }, h("span.dot", { aria: { hidden: "true" } }), label, pending ? "…" : null);
  });
}

function mountMe(section: HTMLElement): void {
  const avatar = h("span.avatar", { aria: { hidden: "true" } });
  const name = h("div.me-name");
  const role = h("div.me-role");
  const group = h("div.segmented", { role: "radiogroup", aria: { label: "Presence" } });
  const capacityText = h("span.capacity-text");
  const meter = h("meter.capacity-meter", { min: "0", max: "3", value: "0", aria: { hidden: "true" } });
  section.append(
    h("div.me-head", null, avatar, h("div", null, name, role)),
    group,
    h("div.capacity", null, capacityText, meter),
  );

  on("me", () => {
    const me = state.me;
    avatar.textContent = initials(me?.name);
    name.textContent = me?.name || "";
    role.textContent = me?.role || "Specialist";
    render(group, presenceButtons());
    const cap = me && Number.isFinite(me.capacity) ? me.capacity : 0;
    const active = activeCount();
    capacityText.textContent = `${active} of ${cap} chat${cap === 1 ? "" : "s"}`;
    meter.max = Math.max(cap, 1);
    meter.value = Math.min(active, meter.max);
    meter.high = Math.max(cap - 0.5, 0.5);
    meter.optimum = 0;
  });
}

function presenceKeys(e: Event, value: ChoosablePresence): void {
  if (!(e instanceof KeyboardEvent)) return;
  const i = PRESENCE.findIndex(([v]) => v === value);
  let next = -1;
  if (e.key === "ArrowRight" || e.key === "ArrowDown") next = (i + 1) % PRESENCE.length;
  if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = (i + PRESENCE.length - 1) % PRESENCE.length;
  if (next < 0) return;
  e.preventDefault();
  const [status] = PRESENCE[next];
  actions.setPresence(status);
  requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-key="presence-${status}"]`)?.focus());
}

/** The list's second line: the last message (or my pending reply), else the description. */
export function lastLine(r: Pick<Req, "pending" | "messages" | "description">): string {
  const pending = [...r.pending.values()].at(-1);
  const m = r.messages.at(-1);
  if (pending && (!m || pending.at >= (m.at || 0))) return `You: ${pending.body}`;
  if (m) return `${m.sender === "specialist" ? "You: " : ""}${m.body}`;
  return r.description || "";
}

function requestItem(r: Req, index: number): HTMLLIElement {
  const customer = r.customer || {};
  const name = customerName(customer);
  const selected = state.selectedId === r.id;
  const closed = !isLive(r);
  const typing = r.typingUntil > Date.now();
  const shortcut = index < 9 ? `Alt+${index + 1}` : undefined;
  const stateText = closed && r.state === "resolved" ? dispositionLabel(r.disposition) || "Resolved" : stateLabel(r.state);
  const label = `${clip(name, 60)}, ${stateText}${r.unread ? `, ${r.unread} unread` : ""}`;
  const classes = [selected ? "is-selected" : "", closed ? "is-closed" : ""].filter(Boolean).join(" ");
  const button = h("button.req", {
    type: "button",
    class: classes || undefined,
    dataset: { key: `req-${r.id}` },
    aria: { current: selected ? "true" : undefined, keyshortcuts: shortcut, label },
    onclick: () => {
      select(r.id);
      document.dispatchEvent(new CustomEvent("desk:pane", { detail: "thread" }));
    },
  },
    h("span.req-index", { aria: { hidden: "true" } }, index < 9 ? String(index + 1) : ""),
    h("span.req-main", null,
      h("span.req-line1", null,
        h("span.req-name", { title: name }, clip(name, 40)),
        verifiedBadge(customer, true),
        r.unread ? h("span.unread", { aria: { hidden: "true" } }, String(r.unread)) : null),
      h("span.req-line2", null, typing ? h("em", null, "typing…") : clip(lastLine(r), 80)),
      h("span.req-line3", null,
        h(`span.state.state-${r.state}`, null, stateText),
        whereText(r.context) ? h("span.req-where", null, clip(whereText(r.context), 40)) : null)),
  );
  const items: HTMLElement[] = [button];
  if (closed) {
    items.push(h("button.icon-button.req-dismiss", {
      type: "button",
      dataset: { key: `dismiss-${r.id}` },
      aria: { label: `Remove ${clip(name, 60)} from the list` },
      title: "Remove from list",
      onclick: () => dismiss(r.id),
    }, icon("x", 14)));
  }
  return h("li.req-item", null, items);
}

function mountRequests(section: HTMLElement): void {
  const count = h("span.count");
  const list = h("ul.req-list");
  const empty = h("p.empty", null, "No chats yet. Accept an offer to start one.");
  section.append(h("h2.section-title", { id: "mine-title" }, "My requests ", count), list, empty);
  list.setAttribute("aria-labelledby", "mine-title");
  const draw = (): void => {
    const reqs = state.order.map((id) => state.requests.get(id)).filter((r): r is Req => Boolean(r));
    const open = reqs.filter(isLive).length;
    count.textContent = open ? String(open) : "";
    count.title = open ? `${open} open` : "";
    empty.hidden = reqs.length > 0;
    render(list, reqs.map((r, i) => requestItem(r, i)));
  };
  on("list", draw);
  // Typing hints expire on their own.
  setInterval(() => {
    for (const r of state.requests.values()) {
      if (r.typingUntil && r.typingUntil <= Date.now()) {
        r.typingUntil = 0;
        draw();
        document.dispatchEvent(new CustomEvent("desk:typing"));
      }
    }
  }, 1000);
}

function mountQueues(section: HTMLElement): void {
  const list = h("ul.queue-list");
  const empty = h("p.empty", null, "No queues.");
  section.append(h("h2.section-title", { id: "queues-title" }, "Queues"), list, empty);
  list.setAttribute("aria-labelledby", "queues-title");
  on("queues", () => {
    empty.hidden = state.queues.length > 0;
    render(list, state.queues.map((q) => {
      const n = Number(q.waiting) || 0;
      return h("li.queue", { class: n > 0 ? "is-waiting" : undefined },
        h("span.queue-name", { title: q.name }, clip(q.name, 40)),
        h("span.queue-count", { aria: { label: `${n} waiting` } }, String(n)));
    }));
  });
}

/** Build the left column into `aside`. */
export function mountSidebar(aside: HTMLElement): void {
  const me = h("section.panel.me");
  me.setAttribute("aria-label", "My status");
  const offers = h("section.panel.offers");
  const mine = h("section.panel.mine");
  const queues = h("section.panel.queues");
  aside.append(me, offers, mine, queues);
  mountMe(me);
  mountOffers(offers);
  mountRequests(mine);
  mountQueues(queues);
}
