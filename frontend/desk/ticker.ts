// One timer for every live countdown on the page (offers, app session, typing).
// A callback lives as long as its element is in the document.

interface Entry {
  el: Element;
  fn: () => unknown;
  seen: boolean;
}

const entries = new Set<Entry>();
let timer: ReturnType<typeof setInterval> | null = null;

/** Call fn() now and every 250 ms while `el` is connected; fn may return false to stop. */
export function every(el: Element, fn: () => unknown): void {
  const entry: Entry = { el, fn, seen: false };
  entries.add(entry);
  run(entry);
  if (!timer) timer = setInterval(tick, 250);
}

function run(entry: Entry): void {
  if (entry.el.isConnected) entry.seen = true;
  else if (entry.seen) {
    entries.delete(entry);
    return;
  }
  if (entry.fn() === false) entries.delete(entry);
}

function tick(): void {
  for (const entry of [...entries]) run(entry);
  if (!entries.size && timer) {
    clearInterval(timer);
    timer = null;
  }
}
