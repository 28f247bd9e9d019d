// Unit tests of the front end: frontend/**/*.test.ts, in Node with jsdom for the DOM.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["frontend/**/*.test.ts"],
    environment: "jsdom",
  },
});
