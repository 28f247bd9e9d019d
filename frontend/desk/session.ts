// The context column's "App session": only what the app reported (context.session, through
// Tapline.setSession), read as hostile `unknown`. Held shows no countdown (the app froze it);
// a running session counts down to the expiry it reported and stops at "expired"; once the
// request ends the hold is over whatever the last report said ("released"). The specialist
// can ask the app for more time while connected (a frame to the widget, the SDK's `hold`).

import { h, icon, type IconName } from "./dom";
import { duration, serverNow, isRecord } from "./format";
import { every } from "./ticker";
import type { RequestState } from "./protocol";

export type SessionView =
  | { kind: "none" }
  | { kind: "held" }
  | { kind: "running"; expiresAt: number | null }
  | { kind: "released"; expiresAt: number | null }
  | { kind: "expired"; expiresAt: number };

const ENDED: ReadonlySet<RequestState> = new Set(["resolved", "cancelled", "dead_end"]);

/** What the desk says of the app's session, from its last report and the request's state. */
export function sessionView(session: unknown, request: RequestState, now: number): SessionView {
  if (!isRecord(session)) return { kind: "none" };
  const raw = session.expires_at;
  const expiresAt = typeof raw === "number" && Number.isFinite(raw) && raw > 0 ? raw : null;
  if (ENDED.has(request)) return { kind: "released", expiresAt };
  if (session.held === true) return { kind: "held" };
  if (expiresAt !== null && expiresAt <= now) return { kind: "expired", expiresAt };
  return { kind: "running", expiresAt };
}

/** The line the desk shows, and how loud. */
export function sessionText(v: SessionView, now: number): { icon: IconName; title: string; detail: string; tone: "" | "is-warn" | "is-danger" } {
  switch (v.kind) {
    case "none":
      return { icon: "clock", title: "Not reported", detail: "The app didn't report a session.", tone: "" };
    case "held":
      return { icon: "lock", title: "Held", detail: "The app is holding the customer's session while you help.", tone: "" };
    case "released":
      return { icon: "unlock", title: "Released", detail: "The request ended; the app no longer holds the session.", tone: "" };
    case "expired":
      return { icon: "alert", title: "Expired", detail: "The app's session ran out. The customer can restore what they entered.", tone: "is-danger" };
    case "running": {
      if (v.expiresAt === null) return { icon: "unlock", title: "Not held", detail: "The app isn't holding the session; it reported no expiry.", tone: "is-warn" };
      const ms = v.expiresAt - now;
      return { icon: "unlock", title: "Not held", detail: `${duration(ms)} left`, tone: ms <= 120_000 ? "is-danger" : "is-warn" };
    }
  }
}

export interface SessionHooks {
  /** Ask the app for more time; resolves when the server passed it on. */
  ask(): Promise<unknown>;
  /** The request is connected to this specialist (only then can they ask). */
  canAsk: boolean;
}

/** The section's body: the state line (ticking while it counts down) and the ask button. */
export function sessionBody(session: unknown, request: RequestState, hooks: SessionHooks): HTMLElement {
  const status = h("p.session", { role: "status" });
  const draw = (): boolean => {
    const now = serverNow();
    const v = sessionView(session, request, now);
    const t = sessionText(v, now);
    status.className = `session ${t.tone}`.trim();
    status.replaceChildren(icon(t.icon, 16), h("strong", null, t.title), " ", h("span.session-left", null, t.detail));
    status.setAttribute("data-session", v.kind);
    return v.kind === "running" && v.expiresAt !== null; // ticks only while counting down
  };
  const box = h("div.session-box", null, status);
  if (draw()) every(status, draw);
  const v = sessionView(session, request, serverNow());
  if (hooks.canAsk && v.kind !== "none" && v.kind !== "released") {
    const note = h("span.muted", { role: "status" });
    const button = h("button.btn.btn-small", { type: "button", onclick: () => {
      button.disabled = true;
      note.textContent = "Asking the app…";
      hooks.ask().then(
        () => { note.textContent = "Asked. The app reports back here."; },
        (err: unknown) => {
          button.disabled = false;
          note.textContent = `Couldn't ask: ${err instanceof Error ? err.message : String(err)}`;
        },
      );
    } }, "Ask the app for more time");
    box.append(h("p.session-ask", null, button, " ", note));
  }
  return box;
}
