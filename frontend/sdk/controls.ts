// Small DOM helpers the panel and the callbacks piece share: busy buttons, notices, times.

/** A button that says what it is doing ("Sending…") and can't be pressed again meanwhile. */
export function setBusy(btn: HTMLButtonElement | null, busy: boolean, label?: string): void {
  if (!btn) return;
  if (busy) {
    if (!btn.getAttribute("data-label")) btn.setAttribute("data-label", btn.textContent ?? "");
    btn.textContent = label || btn.textContent;
    btn.disabled = true;
    btn.setAttribute("aria-busy", "true");
  } else {
    const l = btn.getAttribute("data-label");
    if (l) btn.textContent = l;
    btn.removeAttribute("data-label");
    btn.disabled = false;
    btn.removeAttribute("aria-busy");
  }
}

/** A notice shown with its text, hidden without one. */
export function showNotice(el: HTMLElement | null, text: string): void {
  if (!el) return;
  el.textContent = text || "";
  el.hidden = !text;
}

/** "10:48", in the customer's own time zone and format. */
export function fmtTime(ms: number): string {
  try {
    return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  } catch {
    return "";
  }
}

export function focusSoftly(el: HTMLElement): void {
  try {
    el.focus({ preventScroll: true });
  } catch {
    el.focus();
  }
}
