// Which tab and device a context comes from (docs/protocol.md, "Context sources"): a tab id
// kept per tab (sessionStorage: a reload keeps it, a new tab gets its own) and a device id
// kept per browser (localStorage), plus a coarse user-agent class. They are labels inside
// one request, made here and never the SDK's device secret: the server keys nothing on them.

import { newId } from "../shared/ids";
import { str } from "../shared/json";
import { storageGet, storageSet } from "./storage";

export type UaClass = "phone" | "tablet" | "desktop" | "unknown";
export interface SourceTag {
  tab: string;
  device: string;
  ua: UaClass;
}

const TAB_KEY = "tapline:source-tab";
const DEVICE_KEY = "tapline:source-device";
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** This tab's id, this browser's, and its class; made once and kept. */
export function sourceTag(): SourceTag {
  return { tab: kept(TAB_KEY, false), device: kept(DEVICE_KEY, true), ua: uaClass(navigator.userAgent) };
}

/** Phone, tablet or desktop, from the user agent: only as coarse as the desk needs. */
export function uaClass(ua: string): UaClass {
  if (!ua) return "unknown";
  if (/iPad|Tablet|PlayBook|Silk|Android(?!.*Mobile)/i.test(ua)) return "tablet";
  if (/Mobi|iPhone|iPod|Android.*Mobile|Windows Phone/i.test(ua)) return "phone";
  return "desktop";
}

// Without storage a page keeps one id in memory: every context of this page still matches.
const memory = new Map<string, string>();

function kept(key: string, local: boolean): string {
  const stored = str(storageGet(key, local));
  if (stored && ID.test(stored)) return stored;
  const made = newId();
  storageSet(key, made, local);
  if (str(storageGet(key, local)) === made) return made;
  const mine = memory.get(key) ?? made; // storage off: one id for this page
  memory.set(key, mine);
  return mine;
}
