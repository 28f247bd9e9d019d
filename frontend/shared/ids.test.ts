import { describe, expect, it } from "vitest";
import { newId, randomToken } from "./ids";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function counting(): <T extends Uint8Array<ArrayBuffer>>(a: T) => T {
  return (a) => {
    for (let i = 0; i < a.length; i++) a[i] = (i * 37 + 11) & 0xff;
    return a;
  };
}

describe("newId", () => {
  it("uses crypto.randomUUID when there is one", () => {
    expect(newId({ randomUUID: () => "11111111-2222-4333-8444-555555555555" })).toBe("11111111-2222-4333-8444-555555555555");
    expect(newId()).toMatch(UUID);
  });

  it("falls back on getRandomValues outside a secure context", () => {
    const id = newId({
      randomUUID: () => {
        throw new Error("insecure");
      },
      getRandomValues: counting(),
    });
    expect(id).toMatch(UUID);
    expect(newId({ getRandomValues: counting() })).toBe(id);
  });

  it("still makes distinct v4 ids with no crypto at all", () => {
    const ids = new Set(Array.from({ length: 50 }, () => newId({})));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(UUID);
  });
});

describe("randomToken", () => {
  it("is base64url of the bytes asked for", () => {
    const t = randomToken(32);
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(32)).not.toBe(t);
  });

  it("is null rather than guessable without getRandomValues", () => {
    expect(randomToken(32, {})).toBeNull();
  });
});
