// A small SVG chart of waiting over the last minutes, drawn with attributes only (the CSP
// allows no inline styles). Colours come from desk.css classes.

const SVG_NS = "http://www.w3.org/2000/svg";

function el(name, attrs) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

/**
 * A sparkline of `points` ([{t, n}], steps, oldest first) over [from, to].
 * Returns an <svg role="img"> whose label says the same in words. It stretches to its box
 * (no text inside, so nothing gets distorted); the caller writes the scale beside it.
 */
export function sparkline(points, from, to, { width = 240, height = 56, label = "" } = {}) {
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    height,
    preserveAspectRatio: "none",
    class: "spark",
    role: "img",
    focusable: "false",
  });
  svg.setAttribute("aria-label", label || describe(points, to - from));
  const pad = 2;
  const top = Math.max(1, ...points.map((p) => p.n));
  const x = (t) => (((t - from) / Math.max(1, to - from)) * width).toFixed(1);
  const y = (n) => (height - pad - (n / top) * (height - pad * 2)).toFixed(1);
  const flat = { "vector-effect": "non-scaling-stroke" };
  svg.append(el("line", { x1: 0, x2: width, y1: height - pad, y2: height - pad, class: "spark-base", ...flat }));
  if (points.length < 2) return svg;
  let d = `M${x(points[0].t)} ${y(points[0].n)}`;
  for (let i = 1; i < points.length; i += 1) {
    d += ` H${x(points[i].t)} V${y(points[i].n)}`;
  }
  const area = `${d} V${height - pad} H${x(points[0].t)} Z`;
  svg.append(el("path", { d: area, class: "spark-area" }), el("path", { d, class: "spark-line", ...flat }));
  return svg;
}

function describe(points, span) {
  const minutes = Math.round(span / 60_000);
  if (points.length < 2) return `Waiting over the last ${minutes} minutes: not enough data yet`;
  const counts = points.map((p) => p.n);
  return `Waiting over the last ${minutes} minutes: between ${Math.min(...counts)} and ${Math.max(...counts)}, now ${counts.at(-1)}`;
}
