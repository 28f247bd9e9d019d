"""Customer-supplied data is hostile: bound it, drop masked values, strip card numbers."""

from __future__ import annotations

import bisect
import itertools
import json
import math
import re
import unicodedata
from typing import Any

LIMITS = {"fields": 200, "errors": 20, "journey": 50}
MAX_DEPTH = 32
"""Levels of nested objects and lists in a context; deeper would exhaust the stack."""
REDACTED = "[card number removed]"
_SURROGATE = re.compile("[\ud800-\udfff]")
_REPLACEMENT = "\ufffd"


class TooLarge(ValueError):
    """The input is over a configured size limit."""


_SHADOW_CACHE = 20_000
_CARD_MIN = 13  # the fewest digits of a card number


class _Shadow(dict[int, str]):
    """A `str.translate` table, filled as characters are met, that maps text to a shadow
    of the same length where card numbers are easy to find:

    - a digit of any script (fullwidth, Arabic-Indic, circled, superscript…) -> its ASCII
      digit, by its decimal value or its NFKC form;
    - whitespace of any kind (tabs, newlines, no-break spaces) and the marks people put
      between digit groups (dashes, dots, slashes, underscores, fullwidth ones too) -> " ";
    - invisible format characters (zero-width spaces and joiners, word joiner, BOM, soft
      hyphen) -> "~", skipped wherever they are;
    - anything else -> "x".
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = unicodedata.decimal(char, None)
        if value is None:
            folded = unicodedata.normalize("NFKC", char)
            if len(folded) == 1 and folded in "0123456789":
                value = int(folded)
        if value is not None:
            shadow = str(value)
        elif _separator(char):
            shadow = " "
        elif unicodedata.category(char) == "Cf":
            shadow = "~"
        else:
            shadow = "x"
        if len(self) < _SHADOW_CACHE:
            self[code] = shadow  # bounded: a client cannot grow it with rare characters
        return shadow


def _separator(char: str) -> bool:
    if char.isspace() or unicodedata.category(char) == "Pd":
        return True
    return unicodedata.normalize("NFKC", char) in (".", "/", "_", "-")


_SHADOW = _Shadow()
_GROUP = re.compile(r"[0-9](?:~*[0-9])*")
"""Digits, with invisible characters among them."""
_RUN = re.compile(r"[0-9](?:~*[0-9])*(?:~*(?: ~*){1,3}[0-9](?:~*[0-9])*)*")
"""Digit groups joined by one to three separators: where a card number may hide. Letters
before or after do not matter ("card4111…"); more separators than that end the run."""


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def clean_text(text: str) -> str:
    """Text fit to store: no NUL (PostgreSQL cannot hold it in text), and each lone UTF-16
    surrogate replaced (see `valid_unicode`)."""
    return valid_unicode(text.replace("\x00", ""))


def valid_unicode(text: str) -> str:
    """Each lone UTF-16 surrogate replaced by U+FFFD: no database, and no UTF-8 encoder (so
    no response either), can hold one."""
    return _SURROGATE.sub(_REPLACEMENT, text)


def redact_cards(text: str) -> str:
    """Remove anything shaped like a payment card number (13-19 digits passing Luhn), and
    clean the text (see `clean_text`): every piece of customer text passes through here on
    its way to the database.

    A card number may sit among other digit groups ("4111111111111111 12/25", "order 12
    4111 1111 1111 1111"), so every whole-group window of a run is checked, longest first.
    """
    text = clean_text(text)
    spans = _card_spans(text)
    for start, end in reversed(spans):
        text = text[:start] + REDACTED + text[end:]
    return text


def has_card(text: str) -> bool:
    """Whether the text holds something shaped like a card number (see `redact_cards`)."""
    return bool(_card_spans(clean_text(text)))


def _card_spans(text: str) -> list[tuple[int, int]]:
    shadow = text.translate(_SHADOW)
    if _digits(shadow) < _CARD_MIN:
        return []  # most text: too few digits anywhere to hide a card (C-speed counts)
    spans: list[tuple[int, int]] = []
    for run in _RUN.finditer(shadow):
        if _digits(run.group()) < _CARD_MIN:
            continue
        groups = list(_GROUP.finditer(shadow, run.start(), run.end()))
        spans += _cards_in_run(groups)
    return spans


def _digits(shadow: str) -> int:
    """How many digits a shadow holds: what is not a letter, a separator or invisible."""
    return len(shadow) - shadow.count("x") - shadow.count(" ") - shadow.count("~")


def _cards_in_run(groups: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Spans of the card numbers among a run's digit groups: from each group, the longest
    window of whole groups with 13-19 digits passing Luhn (a run of many short groups is
    checked in linear time, so a hostile one costs little)."""
    numbers = [group.group().replace("~", "") for group in groups]
    ends = list(itertools.accumulate(len(number) for number in numbers))
    luhn = _Luhn("".join(numbers))
    spans = []
    first = 0
    while first < len(groups):
        start = ends[first] - len(numbers[first])
        last = None
        index = bisect.bisect_left(ends, start + _CARD_MIN, lo=first)
        while index < len(groups) and ends[index] - start <= 19:
            if luhn.ok(start, ends[index]):
                last = index
            index += 1
        if last is None:
            first += 1
            continue
        spans.append((groups[first].start(), groups[last].end()))
        first = last + 1
    return spans


class _Luhn:
    """The Luhn check of any slice of a digit string in constant time, from prefix sums of
    the digits and of their doubles, each split by the parity of their position."""

    def __init__(self, digits: str) -> None:
        self.plain: tuple[list[int], list[int]] = ([0], [0])
        self.doubled: tuple[list[int], list[int]] = ([0], [0])
        for position, char in enumerate(digits):
            value = int(char)
            double = value * 2 - 9 if value > 4 else value * 2
            for parity in (0, 1):
                mine = position % 2 == parity
                self.plain[parity].append(self.plain[parity][-1] + (value if mine else 0))
                self.doubled[parity].append(self.doubled[parity][-1] + (double if mine else 0))

    def ok(self, start: int, end: int) -> bool:
        """Whether digits[start:end] pass: from the right, every second digit is doubled."""
        last = (end - 1) % 2
        plain, doubled = self.plain[last], self.doubled[1 - last]
        total = plain[end] - plain[start] + doubled[end] - doubled[start]
        return total % 10 == 0


def message_body(body: object, max_bytes: int) -> str:
    text = clean_text(body).strip() if isinstance(body, str) else ""
    if not text:
        raise ValueError("A message needs some text.")
    if len(text.encode()) > max_bytes:
        raise TooLarge(f"A message may be at most {max_bytes} bytes.")
    return redact_cards(text)


def context(raw: object, max_bytes: int) -> dict[str, Any]:
    """A context fit to store: bounded lists, no masked values, no card numbers."""
    if not isinstance(raw, dict):
        raise ValueError("The context must be a JSON object.")
    _check_depth(raw)
    size = len(json.dumps(raw, separators=(",", ":")).encode())
    if size > max_bytes:
        raise TooLarge(f"The context is {size} bytes; at most {max_bytes} are allowed.")
    clean: dict[str, Any] = _scrub(raw, "context")
    for key, limit in LIMITS.items():
        value = clean.get(key)
        if value is not None and not isinstance(value, list):
            raise ValueError(f"context.{key} must be a list.")
        if value:
            clean[key] = value[-limit:]
    clean["fields"] = [_field(item) for item in clean.get("fields") or []]
    return clean


def _check_depth(raw: object) -> None:
    """Refuse deep nesting before anything walks it recursively (without recursing here)."""
    stack: list[tuple[object, int]] = [(raw, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise ValueError(f"The context is nested too deeply (at most {MAX_DEPTH} levels).")
        stack.extend((child, depth + 1) for child in children)


def _field(item: object) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ValueError("Each context field must be an object.")
    field = dict(item)
    if field.get("masked"):
        field.pop("value", None)
        field["masked"] = True
    field["filled"] = bool(field.get("filled"))
    return field


def _scrub(value: Any, path: str) -> Any:
    """The value without card numbers (in text, keys or numbers); non-finite numbers refused."""
    if isinstance(value, str):
        return redact_cards(value)
    if isinstance(value, dict):
        clean = {}
        for key, item in value.items():
            name = redact_cards(str(key))[:200]
            clean[name] = _scrub(item, f"{path}.{name}")
        return clean
    if isinstance(value, list):
        return [_scrub(item, f"{path}.{index}") for index, item in enumerate(value)]
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return REDACTED if _card_shaped(value, path) else value
    return value


def _card_shaped(number: float, path: str) -> bool:
    """Whether a JSON number is a card number (4111111111111111, or 4.111111111111111e15).

    A number no reader can hold as a double is refused: NaN and Infinity are not JSON at all
    (a browser's JSON.parse would refuse the frame that carried them), and a huge integer
    becomes Infinity in JavaScript.
    """
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"{path}: numbers must be finite ({number} is not a JSON number).")
    if abs(number) >= 10**20:
        try:
            float(number)
        except OverflowError:
            raise ValueError(
                f"{path}: that number is out of range; it must fit a double."
            ) from None
        return False  # more digits than any card
    return float(number).is_integer() and has_card(str(abs(int(number))))
