import { describe, expect, it } from "vitest";
import { lintToml, REFERENCE } from "./rules-lint";

const lines = (text: string): number[] => lintToml(text).map((e) => e.line);

describe("lintToml: what passes", () => {
  it("passes the reference sample", () => {
    const sample = REFERENCE.find(([kind]) => kind === "code")?.[1] ?? "";
    expect(sample).toContain("[[rule]]");
    expect(lintToml(sample)).toEqual([]);
  });

  it("passes empty text, comments and blank lines", () => {
    expect(lintToml("")).toEqual([]);
    expect(lintToml("# just a comment\n\n   \n# another")).toEqual([]);
  });

  it("passes headers with comments, dotted and quoted names", () => {
    expect(lintToml('[default]  # the fallback\n[tiers.gold]\n["quoted name"]\n[[rule]] # one')).toEqual([]);
  });

  it("passes multi-line arrays and inline tables", () => {
    expect(lintToml('authority = [\n  "a >= 1",\n  "b",\n]\nskills = { payments = 3, refunds = { level = 2 } }')).toEqual([]);
  });

  it("passes multi-line strings, whatever they hold", () => {
    expect(lintToml('when = """\nflow == "x"\n[not a header]\n"""\nqueue = "A"')).toEqual([]);
    expect(lintToml("when = '''one line'''")).toEqual([]);
  });

  it("passes escaped quotes and brackets inside strings", () => {
    expect(lintToml('name = "say \\"hi\\" [ok]"\nq = \'{ not a bracket\'')).toEqual([]);
  });

  it("ignores a # inside a string but stops at a comment", () => {
    expect(lintToml('name = "#1" # the first [')).toEqual([]);
  });
});

describe("lintToml: what it catches", () => {
  it("a header that isn't closed, or closed the wrong way", () => {
    expect(lintToml("[default")).toEqual([{ line: 1, message: "This table header is not closed properly: write [name] or [[name]]." }]);
    expect(lines("[[rule]\n[rule]]\n[]")).toEqual([1, 2, 3]);
  });

  it("a line that is not key = value", () => {
    expect(lintToml('queue = "A"\nthis is wrong')).toEqual([{ line: 2, message: "Expected key = value here." }]);
  });

  it("a key with no value, even before a comment", () => {
    expect(lintToml("queue =\npriority =   # later")).toEqual([
      { line: 1, message: "This key has no value." },
      { line: 2, message: "This key has no value." },
    ]);
  });

  it("a string not closed on its line", () => {
    expect(lintToml('name = "open\nqueue = \'also')).toEqual([
      { line: 1, message: "This string is not closed on its line." },
      { line: 2, message: "This string is not closed on its line." },
    ]);
  });

  it("a multi-line string never closed, on the last line", () => {
    expect(lintToml('when = """\nflow == "x"\n')).toEqual([{ line: 3, message: 'A multi-line string (""") is never closed.' }]);
  });

  it("a bracket never closed, where it was opened", () => {
    expect(lintToml('queue = "A"\nskills = [\n  "a",\n')).toEqual([{ line: 2, message: "A bracket opened here is never closed." }]);
  });

  it("an extra closing bracket", () => {
    expect(lintToml("skills = [1]]")).toEqual([{ line: 1, message: 'An extra "]" with nothing to close.' }]);
    expect(lintToml("t = { a = 1 }}")[0].message).toBe('An extra "}" with nothing to close.');
  });

  it("reports several lines, in order", () => {
    expect(lines('[rule\nok = 1\nnope\nx = "y')).toEqual([1, 3, 4]);
  });

  it("counts lines from 1 with Windows line ends too", () => {
    expect(lines('a = 1\r\nbad line\r\n')).toEqual([2]);
  });
});

describe("REFERENCE", () => {
  it("is paragraphs and code, as text", () => {
    expect(REFERENCE.length).toBeGreaterThan(2);
    for (const [kind, body] of REFERENCE) {
      expect(["p", "code"]).toContain(kind);
      expect(body.length).toBeGreaterThan(10);
    }
  });
});
