// Configure: the supervisor's settings, one tab each for queues, specialists, routing rules
// and shifts. Each tab is built the first time it is opened and kept (hidden) afterwards, so
// moving between tabs or views never loses what was typed.

import { h, icon, render, toast } from "./dom.js";
import { state, on } from "./store.js";
import { CONFIG_TABS, linkHandler, pathFor } from "./router.js";
import { admin, loadQueues, loadSpecialists } from "./admin.js";
import { clockTime } from "./format.js";

const TABS = {
  queues: { label: "Queues", load: () => import("./config-queues.js").then((m) => m.mountQueues) },
  specialists: { label: "Specialists", load: () => import("./config-specialists.js").then((m) => m.mountSpecialists) },
  rules: { label: "Routing rules", load: () => import("./config-rules.js").then((m) => m.mountRules) },
  shifts: { label: "Shifts", load: () => import("./config-shifts.js").then((m) => m.mountShifts) },
};

/** Build the Configure view into `main`. */
export function mountConfigure(main) {
  const nav = h("nav.config-tabs", { aria: { label: "Configure sections" } });
  // Honest state: saves go over HTTP, but while the desk is not connected the server may be
  // unreachable, and other supervisors' changes are not seen until the lists are reloaded.
  const connNote = h("p.config-conn", { role: "status" });
  let loadedAt = Date.now();
  const reload = h("button.btn.btn-small", { type: "button", onclick: reloadLists }, "Reload lists");
  const head = h("header.config-head", null, h("h1.config-h1", { id: "config-title" }, "Configure"), nav,
    h("div.config-conn-box", null, connNote, reload));
  const gate = h("div.wb-gate", { role: "note", hidden: true },
    icon("lock", 32), h("h1", null, "Supervisors only"),
    h("p", null, "Queues, specialists, routing rules and shifts are set by supervisors."),
    h("a.btn.btn-primary", { href: "/desk", onclick: linkHandler }, "Back to the desk"));
  const panels = new Map();
  const body = h("div.config-body");
  main.append(head, gate, body);
  main.setAttribute("aria-labelledby", "config-title");

  function draw() {
    const allowed = Boolean(state.me && state.me.is_supervisor);
    gate.hidden = allowed;
    head.hidden = !allowed;
    body.hidden = !allowed;
    if (!allowed) return;
    const tab = state.route.view === "configure" && CONFIG_TABS.includes(state.route.tab) ? state.route.tab : CONFIG_TABS[0];
    render(nav, CONFIG_TABS.map((id) => h("a.config-tab", {
      href: pathFor("configure", id),
      dataset: { key: `tab-${id}` },
      aria: { current: id === tab ? "page" : undefined },
      onclick: linkHandler,
    }, TABS[id].label)));
    if (!panels.has(tab)) {
      const panel = h("section.config-panel", { aria: { label: TABS[tab].label } });
      panels.set(tab, panel);
      body.append(panel);
      TABS[tab].load().then((mount) => mount(panel)).catch((err) => {
        render(panel, h("p.form-error", { role: "alert" }, `This section could not load: ${err.message}`));
      });
    }
    for (const [id, panel] of panels) panel.hidden = id !== tab;
  }
  function drawConn() {
    const { status } = state.conn;
    const at = `Lists as loaded at ${clockTime(loadedAt)}.`;
    let text = `Connected. ${at}`;
    let kind = "good";
    if (!navigator.onLine || status === "offline") {
      text = "Offline: nothing can be saved until the connection returns. Your changes stay here.";
      kind = "bad";
    } else if (status === "stopped") {
      text = "Signed out: sign in again in another tab, then save. Your changes stay here.";
      kind = "bad";
    } else if (status !== "connected") {
      text = `Reconnecting… saving may fail until the server answers. ${at}`;
      kind = "pending";
    }
    connNote.textContent = text;
    connNote.dataset.kind = kind;
  }

  async function reloadLists() {
    reload.disabled = true;
    try {
      await Promise.all([admin.queues ? loadQueues() : null, admin.specialists ? loadSpecialists() : null]);
      loadedAt = Date.now();
      drawConn();
    } catch (err) {
      toast(`Couldn't reload: ${err.message}`, "error");
    } finally {
      reload.disabled = false;
    }
  }

  // Saved elsewhere (another supervisor, another tab): the lists follow; open forms stay as
  // they are, so nothing being typed is lost.
  on("config", () => {
    const what = state.lastConfig && state.lastConfig.what;
    const reloads = [];
    if (what === "queue" && admin.queues) reloads.push(loadQueues());
    if (what === "specialist" && admin.specialists) reloads.push(loadSpecialists());
    if (!reloads.length) return;
    Promise.all(reloads).then(() => {
      loadedAt = Date.now();
      drawConn();
    }).catch(() => { /* the connection line already says why */ });
  });
  on("route", draw);
  on("me", draw);
  on("conn", drawConn);
  window.addEventListener("online", drawConn);
  window.addEventListener("offline", drawConn);
  draw();
  drawConn();
}
