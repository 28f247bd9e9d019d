"""Customer-supplied data is hostile: bound it, drop masked values, strip card numbers."""

from __future__ import annotations

import json
import re
from typing import Any

LIMITS = {"fields": 200, "errors": 20, "journey": 50}
MAX_DEPTH = 32
"""Levels of nested objects and lists in a context; deeper would exhaust the stack."""
_RUN = re.compile(r"\d+(?:[ -]\d+)*")
"""Digit groups joined by single spaces or dashes: where a card number may hide."""
_GROUP = re.compile(r"\d+")
REDACTED = "[card number removed]"


class TooLarge(ValueError):
    """The input is over a configured size limit."""


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def redact_cards(text: str) -> str:
    """Remove anything shaped like a payment card number (13-19 digits passing Luhn).

    NUL characters go too: PostgreSQL cannot store them in text, and every piece of
    customer text passes through here on its way to the database.

    A card number may sit among other digit groups ("4111111111111111 12/25", "order 12
    4111 1111 1111 1111"), so every whole-group window of a run is checked, longest first.
    """

    def replace(match: re.Match[str]) -> str:
        run = match.group()
        groups = list(_GROUP.finditer(run))
        spans: list[tuple[int, int]] = []
        first = 0
        while first < len(groups):
            last = _card_end(groups, first)
            if last is None:
                first += 1
                continue
            spans.append((groups[first].start(), groups[last].end()))
            first = last + 1
        for start, end in reversed(spans):
            run = run[:start] + REDACTED + run[end:]
        return run

    return _RUN.sub(replace, text.replace("\x00", ""))


def _card_end(groups: list[re.Match[str]], first: int) -> int | None:
    """The last group of the longest card number that starts at group `first`, if any."""
    digits = ""
    found = None
    for index in range(first, len(groups)):
        digits += groups[index].group()
        if len(digits) > 19:
            break
        if len(digits) >= 13 and luhn_ok(digits):
            found = index
    return found


def message_body(body: object, max_bytes: int) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ValueError("A message needs some text.")
    if len(body.encode()) > max_bytes:
        raise TooLarge(f"A message may be at most {max_bytes} bytes.")
    return redact_cards(body.strip())


def context(raw: object, max_bytes: int) -> dict[str, Any]:
    """A context fit to store: bounded lists, no masked values, no card numbers."""
    if not isinstance(raw, dict):
        raise ValueError("The context must be a JSON object.")
    _check_depth(raw)
    size = len(json.dumps(raw, separators=(",", ":")).encode())
    if size > max_bytes:
        raise TooLarge(f"The context is {size} bytes; at most {max_bytes} are allowed.")
    clean: dict[str, Any] = _scrub(raw)
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


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact_cards(value)
    if isinstance(value, dict):
        return {redact_cards(str(key))[:200]: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return redact_cards(str(value)) if redact_cards(str(value)) == REDACTED else value
    return value
