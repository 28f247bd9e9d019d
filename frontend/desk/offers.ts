// Incoming offers: who, where, what, and a live countdown to expires_at.

import { h, icon, ring, render, kbd } from "./dom";
import { state, on, changed, offersOldestFirst, type DeskOffer } from "./store";
import { serverNow, clip, isRecord } from "./format";
import { every } from "./ticker";
import * as actions from "./actions";
import { CHANNELS, channelOf, promiseText, isLate } from "./callbacks";
import type { Callback, Customer } from "./protocol";

export function verifiedBadge(customer: Partial<Customer> | null | undefined, compact = false): HTMLSpanElement {
  if (customer && customer.verified === true) {
    return h("span.badge.badge-verified", { title: "Identity signed by the app's backend" },
      icon("shield", 12), compact ? null : "Verified");
  }
  return h("span.badge.badge-unverified", { title: "Claimed by the app, not checked" },
    icon("alert", 12), compact ? null : "Unverified");
}

/** "booking › payment": the flow and step of a context, when the app said them. */
export function whereText(context: unknown): string {
  const c = isRecord(context) ? context : {};
  const parts = [c.flow, c.step].filter((x): x is string => typeof x === "string" && x !== "");
  return parts.join(" › ");
}

/** The channel as a chip with an icon and a word (never colour alone). */
export function channelChip(x: { channel?: unknown }): HTMLSpanElement {
  const c = CHANNELS[channelOf(x)];
  return h(`span.chip.chip-channel.channel-${channelOf(x)}`, null, icon(c.icon, 12), c.label);
}

/** "Callback · promised by 14:32", flagged when the promise is already late. */
export function callbackLine(cb: Callback): HTMLParagraphElement {
  const late = isLate(cb);
  return h(`p.offer-callback${late ? ".is-late" : ""}`, null,
    icon(late ? "alert" : "phone", 14), promiseText(cb), late ? " · late" : null);
}

/** The span of the countdown ring: the offer window when `at` gives one, else the time left
 * when the desk first saw the offer (`at` is when the request was made, not the offer). */
export function ringTotal(offer: Pick<DeskOffer, "at" | "expires_at">, now: number): number {
  const window = (offer.expires_at || 0) - (offer.at || 0);
  const left = (offer.expires_at || 0) - now;
  return window > 0 && window <= 120_000 && window >= left ? window : Math.max(1000, left);
}

export function customerName(customer: Partial<Customer> | null | undefined): string {
  const c = customer || {};
  return c.name || c.email || "Anonymous customer";
}

function offerButtons(offer: DeskOffer, name: string, first: boolean): { accept: HTMLButtonElement; decline: HTMLButtonElement; acceptText: Text } {
  const channel = CHANNELS[channelOf(offer)];
  // An accept sent while disconnected could arrive after the offer expired: wait instead.
  const offline = state.conn.status !== "connected";
  const acceptText = document.createTextNode(offer.busy === "accepting" ? "Accepting…" : "Accept");
  const accept = h("button.btn.btn-primary", {
    type: "button",
    dataset: { key: `accept-${offer.request_id}` },
    disabled: Boolean(offer.busy) || offline,
    title: offline ? "Waiting for the connection" : undefined,
    aria: { keyshortcuts: first ? "Alt+A" : undefined, label: `Accept ${channel.verb} ${clip(name, 60)}` },
    onclick: () => actions.accept(offer.request_id),
  }, icon("check", 14), acceptText);
  const decline = h("button.btn", {
    type: "button",
    dataset: { key: `decline-${offer.request_id}` },
    disabled: Boolean(offer.busy) || offline,
    aria: { keyshortcuts: first ? "Alt+D" : undefined, label: `Decline ${channel.verb} ${clip(name, 60)}` },
    onclick: () => actions.decline(offer.request_id),
  }, offer.busy === "declining" ? "Declining…" : "Decline");
  return { accept, decline, acceptText };
}

function offerCard(offer: DeskOffer, index: number): HTMLLIElement {
  const customer = offer.customer || {};
  const name = customerName(customer);
  const where = whereText(offer.context);
  const first = index === 0;
  if (!offer.ringTotal) offer.ringTotal = ringTotal(offer, serverNow());
  const total = offer.ringTotal;
  const countdown = ring(40);
  const seconds = h("span.offer-seconds", null, "");
  const buttons = offerButtons(offer, name, first);

  const card = h("li.offer-card", { aria: { label: `Offer: ${clip(name, 60)}` } },
    h("div.offer-top",
      h("div.offer-timer", { role: "timer", aria: { label: "Time left to accept" } }, countdown.el, seconds),
      h("div.offer-who",
        h("div.offer-name", { title: name }, clip(name, 60), " ", verifiedBadge(customer)),
        h("div.offer-meta", null,
          channelChip(offer),
          offer.queue && offer.queue.name ? h("span.chip", null, icon("queue", 12), offer.queue.name) : null,
          where ? h("span.offer-where", { title: where }, icon("map", 12), clip(where, 60)) : null))),
    offer.callback ? callbackLine(offer.callback) : null,
    offer.description ? h("p.offer-desc", { title: offer.description }, clip(offer.description, 280)) : null,
    h("div.offer-actions", null, buttons.accept, buttons.decline),
    first ? h("p.offer-hint", { aria: { hidden: "true" } }, kbd("Alt", "A"), " accept · ", kbd("Alt", "D"), " decline") : null,
  );

  every(card, () => {
    const left = (offer.expires_at || 0) - serverNow();
    countdown.set(left / total);
    const s = Math.max(0, Math.ceil(left / 1000));
    seconds.textContent = left > 0 ? `${s}s` : "0s";
    card.classList.toggle("offer-urgent", left > 0 && left <= 10_000);
    if (left <= 0 && !card.classList.contains("offer-expired")) {
      card.classList.add("offer-expired");
      buttons.accept.disabled = true;
      buttons.decline.disabled = true;
      buttons.acceptText.textContent = "Expired";
      // The server withdraws it (offer.withdrawn); drop it locally if that never comes.
      setTimeout(() => {
        if (state.offers.get(offer.request_id) === offer) {
          state.offers.delete(offer.request_id);
          changed("offers");
        }
      }, 5000);
      return false;
    }
    return true;
  });
  return card;
}

export function mountOffers(section: HTMLElement): void {
  const heading = h("h2.section-title", { id: "offers-title" }, "Incoming offers");
  const count = h("span.count", null, "");
  heading.append(" ", count);
  const list = h("ul.offer-list", { aria: { labelledby: "offers-title" } });
  const empty = h("p.empty", null, "No offers right now. New ones appear here with a countdown.");
  section.append(heading, list, empty);
  section.setAttribute("aria-labelledby", "offers-title");

  const draw = (): void => {
    const offers = offersOldestFirst();
    count.textContent = offers.length ? String(offers.length) : "";
    section.classList.toggle("has-offers", offers.length > 0);
    empty.hidden = offers.length > 0;
    render(list, offers.map((o, i) => offerCard(o, i)));
  };
  on("offers", draw);
  on("conn", draw);
}
