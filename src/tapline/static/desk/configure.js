// Configure: the supervisor's settings, one tab each for queues, specialists, routing rules
// and shifts. Each tab is built the first time it is opened and kept (hidden) afterwards, so
// moving between tabs or views never loses what was typed.

import { h, icon, render } from "./dom.js";
import { state, on } from "./store.js";
import { CONFIG_TABS, linkHandler, pathFor } from "./router.js";

const TABS = {
  queues: { label: "Queues", load: () => import("./config-queues.js").then((m) => m.mountQueues) },
  specialists: { label: "Specialists", load: () => import("./config-specialists.js").then((m) => m.mountSpecialists) },
  rules: { label: "Routing rules", load: () => import("./config-rules.js").then((m) => m.mountRules) },
  shifts: { label: "Shifts", load: () => import("./config-shifts.js").then((m) => m.mountShifts) },
};

/** Build the Configure view into `main`. */
export function mountConfigure(main) {
  const nav = h("nav.config-tabs", { aria: { label: "Configure sections" } });
  const head = h("header.config-head", null, h("h1.config-h1", { id: "config-title" }, "Configure"), nav);
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
  on("route", draw);
  on("me", draw);
  draw();
}
