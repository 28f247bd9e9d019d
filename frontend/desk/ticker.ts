// One timer for every live countdown on the page (offers, app session, typing).
// A callback lives as long as its element is in the document.

const entries = new Set();
let timer = null;

/** Call fn() now and every 250 ms while `el` is connected; fn may return false to stop. */
export function every(el, fn) {
  const entry = { el, fn, seen: false };
  entries.add(entry);
  run(entry);
  if (!timer) timer = setInterval(tick, 250);
}

function run(entry) {
  if (entry.el.isConnected) entry.seen = true;
  else if (entry.seen) {
    entries.delete(entry);
    return;
  }
  if (entry.fn() === false) entries.delete(entry);
}

function tick() {
  for (const entry of [...entries]) run(entry);
  if (!entries.size) {
    clearInterval(timer);
    timer = null;
  }
}
