// Whether the customer can see the page: the desk shows them here (shown), away (hidden) or
// gone (no socket). The panel says it in `hello` and as a `visibility` signal on change
// (docs/protocol.md, "Customer socket").

export function pageVisible(): boolean {
  return document.visibilityState !== "hidden";
}

/** Call `send` with each change (only changes); returns the unsubscribe. */
export function onVisibility(send: (visible: boolean) => void): () => void {
  let last = pageVisible();
  const check = (): void => {
    const now = pageVisible();
    if (now === last) return;
    last = now;
    send(now);
  };
  document.addEventListener("visibilitychange", check);
  return () => document.removeEventListener("visibilitychange", check);
}
