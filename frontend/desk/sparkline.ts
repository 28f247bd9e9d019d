// A small SVG chart of waiting over the last minutes, drawn with attributes only (the CSP
// allows no inline styles). Colours come from desk.css classes.

import { s } from "../shared/dom";

/** A sample: at `t` (server ms), `n` were waiting. */
export interface Point {
  t: number;
  n: number;
}

export interface SparkOptions {
  width?: number;
  height?: number;
  label?: string;
}

const PAD = 2;

/**
 * The step line through `points` (oldest first) over [from, to] in a width × height box, and
 * the area under it; null with fewer than two points. The tallest count touches the top.
 */
export function sparkPaths(points: readonly Point[], from: number, to: number, width: number, height: number): { line: string; area: string } | null {
  if (points.length < 2) return null;
  const top = Math.max(1, ...points.map((p) => p.n));
  const x = (t: number): string => (((t - from) / Math.max(1, to - from)) * width).toFixed(1);
  const y = (n: number): string => (height - PAD - (n / top) * (height - PAD * 2)).toFixed(1);
  let line = `M${x(points[0].t)} ${y(points[0].n)}`;
  for (let i = 1; i < points.length; i += 1) {
    line += ` H${x(points[i].t)} V${y(points[i].n)}`;
  }
  return { line, area: `${line} V${height - PAD} H${x(points[0].t)} Z` };
}

/** The chart in words, for its aria-label. */
export function describe(points: readonly Point[], span: number): string {
  const minutes = Math.round(span / 60_000);
  if (points.length < 2) return `Waiting over the last ${minutes} minutes: not enough data yet`;
  const counts = points.map((p) => p.n);
  return `Waiting over the last ${minutes} minutes: between ${Math.min(...counts)} and ${Math.max(...counts)}, now ${counts[counts.length - 1]}`;
}

/**
 * A sparkline of `points` ([{t, n}], steps, oldest first) over [from, to].
 * Returns an <svg role="img"> whose label says the same in words. It stretches to its box
 * (no text inside, so nothing gets distorted); the caller writes the scale beside it.
 */
export function sparkline(points: readonly Point[], from: number, to: number, { width = 240, height = 56, label = "" }: SparkOptions = {}): SVGSVGElement {
  const svg = s("svg.spark", {
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    height,
    preserveAspectRatio: "none",
    role: "img",
    focusable: "false",
  });
  svg.setAttribute("aria-label", label || describe(points, to - from));
  const flat = { "vector-effect": "non-scaling-stroke" };
  svg.append(s("line.spark-base", { x1: 0, x2: width, y1: height - PAD, y2: height - PAD, ...flat }));
  const paths = sparkPaths(points, from, to, width, height);
  if (paths) svg.append(s("path.spark-area", { d: paths.area }), s("path.spark-line", { d: paths.line, ...flat }));
  return svg;
}
