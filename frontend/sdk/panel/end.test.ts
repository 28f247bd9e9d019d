// The copy of the conversation the customer can download at the end: plain text from what the
// widget holds, saying it is a copy.
import { describe, expect, it } from "vitest";
import { transcriptName, transcriptText } from "./end";
import { type ThreadMessage } from "./types";

function msg(sender: string, body: string, over: Partial<ThreadMessage> = {}): ThreadMessage {
  return {
    id: "m", client_id: null, sender, author: sender === "specialist" ? "Ana Ferreira" : "", body,
    at: Date.UTC(2026, 11, 7, 10, 42), status: "sent", el: null, parts: null, ...over,
  };
}

describe("transcriptText", () => {
  it("names who wrote each line and says it is a copy", () => {
    const text = transcriptText([
      msg("customer", "My card is refused"),
      msg("specialist", "Use the test card, <b>4242</b>"),
      msg("system", "Ana Ferreira resolved the request."),
    ], "SkyWay");
    const lines = text.split("\n");
    expect(lines[0]).toBe("Your conversation with SkyWay support.");
    expect(lines[1]).toMatch(/^A copy made on your device on .+; it is not an official record\.$/);
    expect(lines.slice(3, 6).map((l) => l.replace(/^\[[^\]]*\] /, ""))).toEqual([
      "You: My card is refused",
      "Ana Ferreira: Use the test card, <b>4242</b>",
      "Ana Ferreira resolved the request.",
    ]);
  });

  it("marks the customer's messages that never reached the server", () => {
    const text = transcriptText([msg("customer", "Hello?", { status: "failed" })], "");
    expect(text).toContain("Your conversation with support.");
    expect(text).toMatch(/You: Hello\? \(not sent\)\n$/);
  });
});

describe("transcriptName", () => {
  it("is dated by the local day", () => {
    expect(transcriptName(new Date(2026, 0, 5, 9).getTime())).toBe("conversation-2026-01-05.txt");
  });
});
