import { describe, expect, it } from "vitest";
import { type JsonObject } from "../shared/json";
import { readStored, storedJson } from "./stored";

describe("readStored", () => {
  it("reads what an earlier page kept, and writes it back the same", () => {
    const kept: JsonObject = {
      request_id: "r_1", customer_token: "tlc_x", last_seq: 7, state: "waiting", cause: null,
      outbox: [{ type: "message", id: "m-1", body: "hi" }, { type: "junk" }], draft: "half",
      estimate: { position: 2, mean: 60, low: 30, high: 120, at: 5 },
      options: { open: true, wait: true, callback: true, schedule: false, next_open: null, reason: null },
      queue: { id: "q_1", name: "Payments" }, callback: null,
    };
    const s = readStored(kept);
    expect(s?.outbox).toEqual([{ type: "message", id: "m-1", body: "hi" }]);
    expect(s && storedJson(s)).toEqual({ ...kept, outbox: [{ type: "message", id: "m-1", body: "hi" }] });
  });

  it("needs an id and a token; the state defaults to waiting", () => {
    expect(readStored({ request_id: "r_1" })).toBeNull();
    expect(readStored({ customer_token: "t" })).toBeNull();
    expect(readStored("r_1")).toBeNull();
    expect(readStored({ request_id: "r_1", customer_token: "t" })).toMatchObject({ state: "waiting", last_seq: 0, outbox: [], draft: "" });
  });
});
