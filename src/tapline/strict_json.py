"""JSON as the standard defines it: what enters is finite and valid Unicode, what leaves is
valid JSON.

Python's `json` module accepts `NaN`, `Infinity` and `-Infinity`, turns `1e400` into an
infinity, keeps lone UTF-16 surrogates (`"\\ud800"`) in strings, and writes `NaN` back out;
a browser's `JSON.parse` refuses all of those, and PostgreSQL cannot store them. Every
piece of JSON from outside is read with `loads`, and every frame written with `dumps`.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")

Path = tuple[str | int, ...]


class StrictJSONError(ValueError):
    """Valid to Python's parser, refused here; `path` leads to the value (keys and indexes)."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        self.reason = message
        where = ".".join(str(part) for part in path)
        super().__init__(f"{where}: {message}" if where else message)


class _Refused:
    """Stands for a refused number while parsing; the walk afterwards reports where it was."""

    __slots__ = ("literal",)

    def __init__(self, literal: str) -> None:
        self.literal = literal


def _constant(literal: str) -> _Refused:
    return _Refused(literal)  # NaN, Infinity, -Infinity: not JSON


def _float(literal: str) -> float | _Refused:
    value = float(literal)
    return value if value - value == 0 else _Refused(literal)  # inf - inf is nan


def _int(literal: str) -> int | _Refused:
    value = int(literal)
    try:
        float(value)  # every reader must be able to hold it as a double
    except OverflowError:
        return _Refused(literal)
    return value


def loads(text: str | bytes) -> Any:
    """Parse JSON, refusing non-finite or overflowing numbers and lone surrogates.

    Raises `StrictJSONError` (a `ValueError`) naming where the value was, or the `ValueError`
    of `json.loads` for text that is not JSON at all (nesting too deep counts as that).
    """
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except RecursionError:
        raise ValueError("The JSON is nested too deeply.") from None
    _check(value)
    return value


def _check(value: Any) -> None:
    """Walk without recursion: the parser already allowed whatever depth the text had."""
    stack: list[tuple[Any, Path]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, _Refused):
            raise StrictJSONError(path, _why(item.literal))
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise StrictJSONError(path, "text must be valid Unicode (a lone surrogate).")
        elif isinstance(item, dict):
            for key, child in item.items():
                if _SURROGATE.search(key):
                    raise StrictJSONError(path, "a key must be valid Unicode (a lone surrogate).")
                stack.append((child, (*path, key)))
        elif isinstance(item, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(item))


def _why(literal: str) -> str:
    if literal in ("NaN", "Infinity", "-Infinity"):
        return f"{literal} is not a JSON number; numbers must be finite."
    shown = literal if len(literal) <= 24 else literal[:20] + "…"
    return f"{shown} is out of range; numbers must fit in a double."


def dumps(value: Any) -> str:
    """Compact JSON; a non-finite float raises `ValueError` instead of writing `NaN`."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)
