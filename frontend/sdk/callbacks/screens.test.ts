// The waiting screen's order: with no one free the choices lead and the chat line follows; the
// buttons never move (moving a focused button would blur it).
import { describe, expect, it } from "vitest";
import { arrange } from "./screens";

function screen(): { root: HTMLDivElement; estimate: HTMLParagraphElement; position: HTMLParagraphElement; choices: HTMLDivElement; button: HTMLButtonElement } {
  const root = document.createElement("div");
  const estimate = document.createElement("p");
  const position = document.createElement("p");
  const choices = document.createElement("div");
  const button = document.createElement("button");
  choices.append(button);
  root.append(estimate, position, choices);
  document.body.append(root);
  return { root, estimate, position, choices, button };
}

const order = (root: HTMLElement) => Array.from(root.children).map((el) => el.tagName.toLowerCase());

describe("arrange", () => {
  it("puts the choices first with no one free, and back after the estimate", () => {
    const s = screen();
    arrange(s, true);
    expect(order(s.root)).toEqual(["div", "p", "p"]);
    expect(s.choices.nextElementSibling).toBe(s.estimate);
    expect(s.estimate.nextElementSibling).toBe(s.position);
    arrange(s, true);
    expect(order(s.root)).toEqual(["div", "p", "p"]);
    arrange(s, false);
    expect(s.root.firstElementChild).toBe(s.estimate);
    expect(s.position.nextElementSibling).toBe(s.choices);
  });

  it("keeps the focus on a choice while the order changes", () => {
    const s = screen();
    s.button.focus();
    arrange(s, true);
    expect(document.activeElement).toBe(s.button);
    arrange(s, false);
    expect(document.activeElement).toBe(s.button);
  });
});
