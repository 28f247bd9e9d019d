// Configure: the supervisor's settings, one tab each for queues, specialists, routing rules
// and shifts. Each tab is built the first time it is opened and kept (hidden) afterwards, so
// moving between tabs or views never loses what was typed.

import { h, icon, render, toast } from "./dom";
import { state, on } from "./store";
import { CONFIG_TABS, isConfigTab, linkHandler, pathFor, type ConfigTab } from "./router";
import { admin, loadQueues, loadSpecialists } from "./admin";
import { clockTime } from "./format";

type Mount = (panel: HTMLElement) => void;

// Each tab is its own chunk, loaded the first time it is opened.
const TABS: Record<ConfigTab, { label: string; load: () => Promise<Mount> }> = {
  queues: { label: "Queues", load: () => import("./config-queues").then((m) => m.mountQueues) },
  specialists: { label: "Specialists", load: () => import("./config-specialists").then((m) => m.mountSpecialists) },
  rules: { label: "Routing rules", load: () => import("./config-rules").then((m) => m.mountRules) },
  shifts: { label: "Shifts", load: () => import("./config-shifts").then((m) => m.mountShifts) },
};

/** The Configure head's words about saving now, and their kind (good, pending, bad). */
export function connNote(status: string, online: boolean, loadedAt: number): [string, "good" | "pending" | "bad"] {
  const at = `Lists as loaded at ${clockTime(loadedAt)}.`;
  if (!online || status === "offline") return ["Offline: nothing can be saved until the connection returns. Your changes stay here.", "bad"];
  if (status === "stopped") return ["Signed out: sign in again in another tab, then save. Your changes stay here.", "bad"];
  if (status !== "connected") return [`Reconnecting… saving may fail until the server answers. ${at}`, "pending"];
  return [`Connected. ${at}`, "good"];
}

interface ConfigureUi {
  head: HTMLElement;
  nav: HTMLElement;
  connLine: HTMLElement;
  reload: HTMLButtonElement;
  gate: HTMLElement;
  body: HTMLElement;
  panels: Map<ConfigTab, HTMLElement>;
}

function buildConfigure(main: HTMLElement): ConfigureUi {
  const nav = h("nav.config-tabs", { aria: { label: "Configure sections" } });
  // Honest state: saves go over HTTP, but while the desk is not connected the server may be
  // unreachable, and other supervisors' changes are not seen until the lists are reloaded.
  const connLine = h("p.config-conn", { role: "status" });
  const reload = h("button.btn.btn-small", { type: "button" }, "Reload lists");
  const head = h("header.config-head", null, h("h1.config-h1", { id: "config-title" }, "Configure"), nav,
    h("div.config-conn-box", null, connLine, reload));
  const gate = h("div.wb-gate", { role: "note", hidden: true },
    icon("lock", 32), h("h1", null, "Supervisors only"),
    h("p", null, "Queues, specialists, routing rules and shifts are set by supervisors."),
    h("a.btn.btn-primary", { href: "/desk", onclick: linkHandler }, "Back to the desk"));
  const body = h("div.config-body");
  main.append(head, gate, body);
  main.setAttribute("aria-labelledby", "config-title");
  return { head, nav, connLine, reload, gate, body, panels: new Map() };
}

/** The gate for anyone else, or the tabs with the routed one shown (built on first use). */
function drawTabs(ui: ConfigureUi): void {
  const allowed = Boolean(state.me && state.me.is_supervisor);
  ui.gate.hidden = allowed;
  ui.head.hidden = !allowed;
  ui.body.hidden = !allowed;
  if (!allowed) return;
  const routed = state.route.tab;
  const tab: ConfigTab = state.route.view === "configure" && isConfigTab(routed) ? routed : CONFIG_TABS[0];
  render(ui.nav, CONFIG_TABS.map((id) => h("a.config-tab", {
    href: pathFor("configure", id),
    dataset: { key: `tab-${id}` },
    aria: { current: id === tab ? "page" : undefined },
    onclick: linkHandler,
  }, TABS[id].label)));
  if (!ui.panels.has(tab)) {
    const panel = h("section.config-panel", { aria: { label: TABS[tab].label } });
    ui.panels.set(tab, panel);
    ui.body.append(panel);
    TABS[tab].load().then((mount) => mount(panel)).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      render(panel, h("p.form-error", { role: "alert" }, `This section could not load: ${why}`));
    });
  }
  for (const [id, panel] of ui.panels) panel.hidden = id !== tab;
}

/** Saved elsewhere (another supervisor, another tab): the lists follow; open forms stay as
 * they are, so nothing being typed is lost. */
function followConfig(reloaded: () => void): void {
  on("config", () => {
    const what = state.lastConfig && state.lastConfig.what;
    const reloads: Promise<unknown>[] = [];
    if (what === "queue" && admin.queues) reloads.push(loadQueues());
    if (what === "specialist" && admin.specialists) reloads.push(loadSpecialists());
    if (!reloads.length) return;
    Promise.all(reloads).then(reloaded).catch(() => { /* the connection line already says why */ });
  });
}

/** Build the Configure view into `main`. */
export function mountConfigure(main: HTMLElement): void {
  const ui = buildConfigure(main);
  let loadedAt = Date.now();

  function drawConn(): void {
    const [text, kind] = connNote(state.conn.status, navigator.onLine, loadedAt);
    ui.connLine.textContent = text;
    ui.connLine.dataset.kind = kind;
  }
  const reloaded = (): void => {
    loadedAt = Date.now();
    drawConn();
  };

  async function reloadLists(): Promise<void> {
    ui.reload.disabled = true;
    try {
      await Promise.all([admin.queues ? loadQueues() : null, admin.specialists ? loadSpecialists() : null]);
      reloaded();
    } catch (err) {
      toast(`Couldn't reload: ${err instanceof Error ? err.message : String(err)}`, "error");
    } finally {
      ui.reload.disabled = false;
    }
  }

  ui.reload.addEventListener("click", () => void reloadLists());
  followConfig(reloaded);
  on("route", () => drawTabs(ui));
  on("me", () => drawTabs(ui));
  on("conn", drawConn);
  window.addEventListener("online", drawConn);
  window.addEventListener("offline", drawConn);
  drawTabs(ui);
  drawConn();
}
