// Where the desk is: one page, several views, routed on location.pathname.
//   /desk                       the desk (offers, chats, context)
//   /desk/wallboard             the supervisor's live wallboard
//   /desk/configure[/<tab>]     supervisor configuration (queues, specialists, rules, shifts)
// Moving between views keeps the socket, the chats and their drafts: no page load.

export const CONFIG_TABS = ["queues", "specialists", "rules", "shifts"];

const listeners = new Set();

/** {view, tab} for a path; anything unknown under /desk is the desk itself. */
export function parse(pathname) {
  const parts = String(pathname || "").replace(/\/+$/, "").split("/").filter(Boolean);
  if (parts[0] !== "desk") return { view: "desk", tab: null };
  if (parts[1] === "wallboard") return { view: "wallboard", tab: null };
  if (parts[1] === "configure") {
    const tab = CONFIG_TABS.includes(parts[2]) ? parts[2] : CONFIG_TABS[0];
    return { view: "configure", tab };
  }
  return { view: "desk", tab: null };
}

export function current() {
  return parse(location.pathname);
}

export function pathFor(view, tab) {
  if (view === "wallboard") return "/desk/wallboard";
  if (view === "configure") return `/desk/configure/${CONFIG_TABS.includes(tab) ? tab : CONFIG_TABS[0]}`;
  return "/desk";
}

/** Subscribe to route changes: fn({view, tab}). */
export function onRoute(fn) {
  listeners.add(fn);
}

function emit() {
  const route = current();
  for (const fn of listeners) fn(route);
}

/** Go to `path` inside the page. Views are hidden, not torn down, so nothing typed is lost. */
export function navigate(path, { replace = false } = {}) {
  if (path === location.pathname) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  emit();
}

const guards = new Set();

/** A view that holds unsaved work registers fn() -> truthy while it does: closing the
 * page then asks first. */
export function beforeUnload(fn) {
  guards.add(fn);
  return () => guards.delete(fn);
}

/** A link that moves inside the page on a plain click (new tab etc. still work). */
export function linkHandler(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.currentTarget;
  e.preventDefault();
  navigate(new URL(a.href, location.href).pathname);
}

window.addEventListener("popstate", () => emit());
window.addEventListener("beforeunload", (e) => {
  for (const fn of guards) {
    if (fn()) {
      e.preventDefault();
      e.returnValue = "";
      return;
    }
  }
});
