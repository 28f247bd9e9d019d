import { afterEach, describe, expect, it } from "vitest";
import { onVisibility, pageVisible } from "./visibility";

let shown: DocumentVisibilityState = "visible";
Object.defineProperty(document, "visibilityState", { configurable: true, get: () => shown });

function become(state: DocumentVisibilityState): void {
  shown = state;
  document.dispatchEvent(new Event("visibilitychange"));
}

afterEach(() => {
  shown = "visible";
});

describe("visibility", () => {
  it("reports each change once, and nothing after unsubscribing", () => {
    const sent: boolean[] = [];
    const stop = onVisibility((v) => sent.push(v));
    become("hidden");
    become("hidden");
    become("visible");
    stop();
    become("hidden");
    expect(sent).toEqual([false, true]);
  });

  it("says whether the page is shown now", () => {
    expect(pageVisible()).toBe(true);
    shown = "hidden";
    expect(pageVisible()).toBe(false);
  });
});
