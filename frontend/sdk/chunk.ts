// A piece of the SDK fetched when needed (tapline-panel.js, tapline-callbacks.js): added as a
// classic <script> (the host's script-src already allows the tapline origin), retried with
// backoff when it fails to load. The piece registers itself (Tapline.__panel, __ext), and the
// owner hands what it built to arrived().

import { backoffDelay } from "../shared/backoff";
import { logError, warn } from "./log";

export interface ChunkOptions {
  file: string;
  /** The script's URL (with ?v=<version>). */
  src(): string;
  /** Whether it may start loading now. */
  canStart?(): boolean;
  /** After a failure: whether it is still wanted. */
  stillWanted(): boolean;
}

export class Chunk<T> {
  value: T | null = null;
  private loading = false;
  private tries = 0;
  private waiting: Array<(value: T) => void> = [];

  constructor(private readonly o: ChunkOptions) {}

  /** Someone is waiting for it. */
  get awaited(): boolean {
    return this.waiting.length > 0;
  }

  /** Load it if needed; `then` runs once it is here (at once if it is). */
  load(then?: (value: T) => void): void {
    if (this.value) {
      then?.(this.value);
      return;
    }
    if (then) this.waiting.push(then);
    if (this.loading || (this.o.canStart && !this.o.canStart())) return;
    this.loading = true;
    const s = document.createElement("script");
    s.src = this.o.src();
    s.async = true;
    s.addEventListener("error", () => {
      this.loading = false;
      s.remove();
      this.tries = Math.min(this.tries + 1, 6);
      warn(`could not load ${this.o.file}; retrying`);
      setTimeout(() => {
        if (!this.value && this.o.stillWanted()) this.load();
      }, backoffDelay(this.tries));
    });
    (document.head || document.documentElement).appendChild(s);
  }

  /** It registered and was built: run who waited. */
  arrived(value: T): void {
    this.value = value;
    this.loading = false;
    const fns = this.waiting;
    this.waiting = [];
    for (const fn of fns) {
      try {
        fn(value);
      } catch (e) {
        logError(e);
      }
    }
  }
}
