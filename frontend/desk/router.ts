// Where the desk is: one page, several views, routed on location.pathname.
//   /desk                       the desk (offers, chats, context)
//   /desk/wallboard             the supervisor's live wallboard
//   /desk/configure[/<tab>]     supervisor configuration (queues, specialists, rules, shifts)
// Moving between views keeps the socket, the chats and their drafts: no page load.

export const CONFIG_TABS = ["queues", "specialists", "rules", "shifts"] as const;

export type ConfigTab = (typeof CONFIG_TABS)[number];
export type View = "desk" | "wallboard" | "configure";
export interface Route {
  view: View;
  tab: ConfigTab | null;
}

const listeners = new Set<(route: Route) => void>();

export function isConfigTab(name: unknown): name is ConfigTab {
  return CONFIG_TABS.some((tab) => tab === name);
}

/** The view and tab of a path; anything unknown under /desk is the desk itself. */
export function parse(pathname: string | null | undefined): Route {
  const parts = String(pathname || "").replace(/\/+$/, "").split("/").filter(Boolean);
  if (parts[0] !== "desk") return { view: "desk", tab: null };
  if (parts[1] === "wallboard") return { view: "wallboard", tab: null };
  if (parts[1] === "configure") {
    const tab = isConfigTab(parts[2]) ? parts[2] : CONFIG_TABS[0];
    return { view: "configure", tab };
  }
  return { view: "desk", tab: null };
}

export function current(): Route {
  return parse(location.pathname);
}

export function pathFor(view: View, tab?: string | null): string {
  if (view === "wallboard") return "/desk/wallboard";
  if (view === "configure") return `/desk/configure/${isConfigTab(tab) ? tab : CONFIG_TABS[0]}`;
  return "/desk";
}

/** Subscribe to route changes. */
export function onRoute(fn: (route: Route) => void): void {
  listeners.add(fn);
}

function emit(): void {
  const route = current();
  for (const fn of listeners) fn(route);
}

/** Go to `path` inside the page. Views are hidden, not torn down, so nothing typed is lost. */
export function navigate(path: string, { replace = false }: { replace?: boolean } = {}): void {
  if (path === location.pathname) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  emit();
}

const guards = new Set<() => boolean>();

/** A view that holds unsaved work registers fn() -> true while it does: closing the page
 * then asks first. Returns the way to unregister. */
export function beforeUnload(fn: () => boolean): () => void {
  guards.add(fn);
  return () => {
    guards.delete(fn);
  };
}

/** Whether any view holds unsaved work now. */
export function hasUnsaved(): boolean {
  for (const fn of guards) if (fn()) return true;
  return false;
}

/** A link that moves inside the page on a plain click (new tab etc. still work). */
export function linkHandler(e: Event): void {
  if (!(e instanceof MouseEvent)) return;
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.currentTarget;
  if (!(a instanceof HTMLAnchorElement)) return;
  e.preventDefault();
  navigate(new URL(a.href, location.href).pathname);
}

window.addEventListener("popstate", () => emit());
window.addEventListener("beforeunload", (e) => {
  if (hasUnsaved()) {
    e.preventDefault();
    e.returnValue = "";
  }
});
