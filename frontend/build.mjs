// Builds the front end with esbuild into src/tapline/static/, where the server serves it.
// The outputs are not committed (.gitignore); `make setup` runs this.
//
//   node frontend/build.mjs            build once
//   node frontend/build.mjs --watch    rebuild on change (the dev loop)
import * as esbuild from "esbuild";
import { rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const src = (p) => path.join(root, "frontend", p);
const out = (p) => path.join(root, "src", "tapline", "static", p);
const watch = process.argv.includes("--watch");

const common = {
  bundle: true,
  sourcemap: "linked",
  target: ["es2019", "chrome80", "firefox78", "safari13"],
  legalComments: "none",
  logLevel: "warning",
};

// The SDK: a host page loads tapline.js with a classic <script>; the panel and the callbacks
// piece are separate files it fetches when needed, so each is its own IIFE bundle.
const sdk = {
  ...common,
  format: "iife",
  // Minified: every host page downloads tapline.js, so its bytes are the customers'; the
  // linked source map keeps it readable in DevTools.
  minify: true,
  entryPoints: [
    { in: src("sdk/tapline.ts"), out: "tapline" },
    { in: src("sdk/panel.ts"), out: "tapline-panel" },
    { in: src("sdk/callbacks.ts"), out: "tapline-callbacks" },
    { in: src("sdk/sw.ts"), out: "tapline-sw" },
  ],
  outdir: out("sdk"),
};

// Co-browse (rrweb's recorder), loaded only when a specialist asks to see the page: its own
// build, as esbuild cannot lower rrweb's destructuring for Safari before 14.1 (there, the panel
// still works; the page cannot be shared).
const cobrowse = {
  ...sdk,
  target: ["es2019", "chrome80", "firefox78", "safari14.1"],
  entryPoints: [{ in: src("sdk/cobrowse.ts"), out: "tapline-cobrowse" }],
};

// The desk's co-browse frame (cobrowse-frame.html, its own CSP): rrweb's replayer, one classic
// script the frame's document loads.
const cobrowseFrame = {
  ...common,
  format: "iife",
  target: ["es2020", "chrome92", "firefox90", "safari15.4"],
  entryPoints: [{ in: src("desk/cobrowse-frame.ts"), out: "cobrowse-frame" }],
  outdir: out("desk"),
};

// The desk: ES modules, with the views a supervisor opens (wallboard, configure) split into
// chunks loaded on demand.
const desk = {
  ...common,
  // The desk already needs Array.prototype.at and replaceChildren (Chrome 92, Firefox 90,
  // Safari 15.4), and esbuild refuses to lower destructuring for Safari before 14.1.
  target: ["es2020", "chrome92", "firefox90", "safari15.4"],
  format: "esm",
  splitting: true,
  entryPoints: [{ in: src("desk/desk.ts"), out: "desk" }],
  chunkNames: "chunks/[name]-[hash]",
  outdir: out("desk"),
};

// Only what has sources: a part still served as committed plain JS has none yet.
for (const options of [sdk, cobrowse, cobrowseFrame, desk]) options.entryPoints = options.entryPoints.filter((e) => existsSync(e.in));
const builds = [sdk, cobrowse, cobrowseFrame, desk].filter((options) => options.entryPoints.length > 0);

await rm(out("desk/chunks"), { recursive: true, force: true });
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log("watching frontend/ …");
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
