// The host's listeners: Tapline.on(name, fn), Tapline.off(name, fn), fired with a detail.

import { type Json } from "../shared/json";
import { logError } from "./log";

export type Listener = (detail: Json) => void;

export class Emitter {
  private readonly listeners = new Map<string, Listener[]>();

  on(name: string, fn: Listener): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }

  /** Without `fn`, every listener of `name`. */
  off(name: string, fn?: Listener): void {
    const list = this.listeners.get(name);
    if (!list) return;
    if (!fn) {
      this.listeners.delete(name);
      return;
    }
    const i = list.indexOf(fn);
    if (i >= 0) this.listeners.set(name, [...list.slice(0, i), ...list.slice(i + 1)]);
  }

  /** A listener that throws is logged; the others still run. */
  emit(name: string, detail: Json): void {
    for (const fn of this.listeners.get(name) ?? []) call(fn, detail);
  }
}

export function call(fn: Listener, detail: Json): void {
  try {
    fn(detail);
  } catch (e) {
    logError(e);
  }
}
