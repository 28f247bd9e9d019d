// The callbacks piece's state and screens, shared by its modules.

import { type PanelCore, type PanelUi, type ThreadMode } from "../panel/types";
import { type Spoken } from "./waits";

export type Slot = { start: number; end: number };

/** "Rather not wait here?": call me back, schedule a time. */
export interface Choices {
  cb: HTMLDivElement;
  cbBtn: HTMLButtonElement;
  sch: HTMLDivElement;
  title: HTMLParagraphElement;
}

/** "We'll ring you here when it's your turn". */
export interface CallbackView {
  view: HTMLDivElement;
  title: HTMLHeadingElement;
  when: HTMLParagraphElement;
  promise: HTMLParagraphElement;
  position: HTMLParagraphElement;
  waitBtn: HTMLButtonElement;
  schBtn: HTMLButtonElement;
}

/** The slot picker. */
export interface Picker {
  view: HTMLDivElement;
  title: HTMLHeadingElement;
  lead: HTMLParagraphElement;
  tz: HTMLParagraphElement;
  status: HTMLParagraphElement;
  days: HTMLDivElement;
  times: HTMLDivElement;
  dayPanel: HTMLDivElement;
  notice: HTMLParagraphElement;
  retryBtn: HTMLButtonElement;
  bookBtn: HTMLButtonElement;
  backBtn: HTMLButtonElement;
  cancelBtn: HTMLButtonElement;
}

/** "Your call is booked". */
export interface Booked {
  view: HTMLDivElement;
  title: HTMLHeadingElement;
  when: HTMLParagraphElement;
  tz: HTMLParagraphElement;
  cancelBtn: HTMLButtonElement;
}

/** The ring, an alertdialog. */
export interface Ringing {
  view: HTMLDivElement;
  title: HTMLHeadingElement;
  role: HTMLParagraphElement;
  text: HTMLParagraphElement;
  count: HTMLParagraphElement;
  answerBtn: HTMLButtonElement;
  laterBtn: HTMLButtonElement;
}

export interface Cb {
  readonly core: PanelCore;
  readonly ui: PanelUi;
  /** A prefix for this piece's ids. */
  readonly uid: string;
  ch: Choices;
  cv: CallbackView;
  pk: Picker;
  bk: Booked;
  rg: Ringing;
  /** The slot picker is open, to book or to change a booking. */
  picking: "schedule" | "reschedule" | null;
  slots: { tz: string; list: Slot[]; at: number } | null;
  slotsState: "idle" | "loading" | "ok" | "failed";
  /** The request the slots were fetched for. */
  slotsFor: string | null;
  /** The day shown in the picker. */
  dayKey: string | null;
  /** The chosen slot's start. */
  chosen: number | null;
  shownMode: ThreadMode | "off" | null;
  /** This page said "Not now" to the last ring. */
  declined: boolean;
  /** Why the last ring ended. */
  endedBy: string | null;
  spoken: Spoken | null;
  spokenAt: number;
  ringTimer: ReturnType<typeof setInterval> | undefined;
  chimeTimer: ReturnType<typeof setInterval> | undefined;
  notification: Notification | null;
}

export function idOf(c: Pick<Cb, "uid">, name: string): string {
  return `${c.uid}-${name}`;
}

export function show(el: HTMLElement, on: boolean): void {
  el.hidden = !on;
}
