"""Where the tables and keys of a TOML document are, by line, for precise error messages.

`tomllib` reports line numbers only for syntax errors; a value that parses but makes no
sense (a skill level of 7) needs its line found again. This is a light scan of the source,
not a parser: it knows table headers (`[a.b]`, `[[a]]`, with the index of each `[[a]]`),
`key = value` lines (dotted and quoted keys too), and the elements of multi-line arrays
written one per line. Anything finer (inside an inline table) maps to the nearest key found.
"""

from __future__ import annotations

import re

from tapline.engine.errors import Path

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_ASSIGN = re.compile(rf"({_KEY}(?:\s*\.\s*{_KEY})*)\s*=")
_PART = re.compile(rf"\s*({_KEY})\s*\.?")
_STRINGS = re.compile(_QUOTED)


def _parts(text: str) -> list[str]:
    parts = []
    for match in _PART.finditer(text):
        part = match.group(1)
        if part[0] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return parts


class _Scan:
    def __init__(self) -> None:
        self.lines: dict[Path, int] = {}
        self.table: Path = ()
        self.arrays: dict[tuple[str, ...], int] = {}  # [[name]] -> index of the last one
        self.multiline: str | None = None  # the closing quotes of a multi-line string
        self.array: Path | None = None  # the key of a multi-line array being read
        self.depth = 0
        self.items = 0

    def header_path(self, names: list[str], array: bool) -> Path:
        path: list[str | int] = []
        plain: list[str] = []
        for i, name in enumerate(names):
            path.append(name)
            plain.append(name)
            last = i == len(names) - 1
            if not (array and last) and tuple(plain) in self.arrays:
                path.append(self.arrays[tuple(plain)])
        if array:
            index = self.arrays.get(tuple(plain), -1) + 1
            self.arrays[tuple(plain)] = index
            path.append(index)
        return tuple(path)

    def line(self, number: int, raw: str) -> None:
        text = raw.strip()
        if self.multiline is not None:
            if self.multiline in text:
                self.multiline = None
            return
        if self.array is not None:
            self.array_line(number, text)
            return
        if not text or text.startswith("#"):
            return
        if text.startswith("["):
            array = text.startswith("[[")
            inner = text[2:].split("]]")[0] if array else text[1:].split("]")[0]
            self.table = self.header_path(_parts(inner), array)
            self.lines.setdefault(self.table, number)
            return
        match = _ASSIGN.match(text)
        if match is None:
            return
        key = self.table + tuple(_parts(match.group(1)))
        self.lines.setdefault(key, number)
        self.value(key, text[match.end() :].strip())

    def value(self, key: Path, rest: str) -> None:
        for quotes in ('"""', "'''"):
            if rest.startswith(quotes) and rest.count(quotes) == 1:
                self.multiline = quotes
                return
        if rest.startswith("["):
            depth = _depth(rest)
            if depth > 0:
                self.array, self.depth, self.items = key, depth, 0

    def array_line(self, number: int, text: str) -> None:
        assert self.array is not None
        if text and not text.startswith("#") and not text.startswith("]") and self.depth == 1:
            self.lines.setdefault((*self.array, self.items), number)
            self.items += 1
        self.depth += _depth(text)
        if self.depth <= 0:
            self.array = None


def _depth(text: str) -> int:
    """How many brackets `text` opens minus closes, outside strings and comments."""
    bare = _STRINGS.sub("", text).split("#")[0]
    return bare.count("[") + bare.count("{") - bare.count("]") - bare.count("}")


def key_lines(source: str) -> dict[Path, int]:
    """The 1-based line of each table and key the scan finds, by its path."""
    scan = _Scan()
    for number, raw in enumerate(source.splitlines(), 1):
        scan.line(number, raw)
    return scan.lines


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of `path`, or of the nearest enclosing key or table found; None if none."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None
