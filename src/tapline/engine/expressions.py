"""The small expression language of routing rules: comparisons of context values.

A rule's `when` is comparisons joined by `and`, `or`, `not` and parentheses:

    flow == "booking" and step == "payment"
    data.total > 1000 or claims.tier == "gold"

The left side is a path into the context: `flow`, `step`, `data.<key>...` or `claims.<key>...`
(verified claims only), optionally written with a leading `context.`. The right side is a
literal: a number, a string in double (or single) quotes, `true` or `false`. An authority
requirement may instead compare with a context path, `refund_limit >= context.data.credits`.

Values compare as JSON values: numbers with numbers, strings with strings, booleans with
booleans. `<`, `<=`, `>`, `>=` hold only between two numbers; `==` between values of another
kind is false and `!=` true. A missing value makes every comparison false.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tapline.engine.errors import InvalidArgument

Scalar = bool | int | float | str
"""A literal, an authority attribute's value, or a context value that can be compared."""

ROOTS = frozenset({"flow", "step", "data", "claims"})
LEAVES = frozenset({"flow", "step"})


class ExpressionError(InvalidArgument):
    """An expression that does not parse; the message says where and why."""


class Op(StrEnum):
    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="
    NE = "!="


ORDERING = frozenset({Op.GE, Op.GT, Op.LE, Op.LT})


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_scalar(value: object) -> bool:
    return isinstance(value, bool | int | float | str)


def compare(actual: object, op: Op, expected: Scalar) -> bool:
    """`actual op expected`, with the rules above; a missing (None) actual is always false."""
    if actual is None:
        return False
    if is_number(actual) and is_number(expected):
        a, b = float(actual), float(expected)  # type: ignore[arg-type]
        if op is Op.GE:
            return a >= b
        if op is Op.GT:
            return a > b
        if op is Op.LE:
            return a <= b
        if op is Op.LT:
            return a < b
        return (a == b) is (op is Op.EQ)
    if op in ORDERING:
        return False
    same = type(actual) is type(expected) and actual == expected
    return same is (op is Op.EQ)


def lookup(subject: Mapping[str, Any], path: Sequence[str]) -> object:
    """The value at `path` in nested mappings, or None."""
    value: object = subject
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to a context value, e.g. `context.data.credits` is Ref(("data", "credits"))."""

    path: tuple[str, ...]

    def __str__(self) -> str:
        return "context." + ".".join(self.path)

    def get(self, subject: Mapping[str, Any]) -> Scalar | None:
        """The referenced value if it is a scalar, else None."""
        value = lookup(subject, self.path)
        return value if is_scalar(value) else None  # type: ignore[return-value]


# -- Tokens ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*"|'[^']*')
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<op>>=|<=|==|!=|>|<)
    | (?P<paren>[()])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    column: int
    """1-based column of the token in the expression."""


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = _TOKEN.match(text, at)
        if match is None or match.lastgroup is None:
            column = at + len(text[at:]) - len(text[at:].lstrip()) + 1
            raise ExpressionError(f"unexpected {text[column - 1]!r} at column {column}")
        kind = match.lastgroup
        tokens.append(Token(kind, match.group(kind), match.start(kind) + 1))
        at = match.end()
    return tokens


def literal(token: Token) -> Scalar:
    """The value of a string, number, true or false token, or ExpressionError."""
    if token.kind == "string":
        if token.text.startswith("'"):
            return token.text[1:-1]
        value: str = json.loads(token.text)
        return value
    if token.kind == "number":
        number = float(token.text)
        return int(number) if number.is_integer() and "." not in token.text else number
    if token.kind == "name" and token.text in ("true", "false"):
        return token.text == "true"
    raise ExpressionError(f"expected a value at column {token.column}, not {token.text!r}")


def context_path(token: Token, *, prefix_required: bool) -> tuple[str, ...]:
    """The path a name token names in the context, or ExpressionError."""
    parts = token.text.split(".")
    if parts[0] == "context":
        parts = parts[1:]
    elif prefix_required:
        raise ExpressionError(f"{token.text!r} is not a context value (context.data.<key>, ...)")
    if not parts or parts[0] not in ROOTS:
        raise ExpressionError(
            f"{token.text!r} is not in the context: use flow, step, data.<key> or claims.<key>"
        )
    if parts[0] in LEAVES and len(parts) > 1:
        raise ExpressionError(f"{parts[0]!r} is a plain value: {token.text!r} has nothing in it")
    if parts[0] not in LEAVES and len(parts) == 1:
        raise ExpressionError(f"{parts[0]!r} needs a key, as in {parts[0]}.<key>")
    return tuple(parts)


def operator(token: Token | None, after: str) -> Op:
    if token is None or token.kind != "op":
        where = "the end" if token is None else f"{token.text!r} at column {token.column}"
        raise ExpressionError(
            f"expected a comparison (>=, >, <=, <, ==, !=) after {after}, found {where}"
        )
    return Op(token.text)
