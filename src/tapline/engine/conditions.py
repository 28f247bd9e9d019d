"""A routing rule's `when`: comparisons of context values with `and`, `or`, `not`, parentheses.

See expressions.py for the values and how they compare. `and` binds tighter than `or`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tapline.engine.expressions import (
    ORDERING,
    ExpressionError,
    Op,
    Scalar,
    Token,
    compare,
    context_path,
    is_number,
    literal,
    lookup,
    operator,
    tokenize,
)


@dataclass(frozen=True, slots=True)
class Compare:
    path: tuple[str, ...]
    op: Op
    value: Scalar

    def holds(self, subject: Mapping[str, Any]) -> bool:
        return compare(lookup(subject, self.path), self.op, self.value)


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Condition, ...]

    def holds(self, subject: Mapping[str, Any]) -> bool:
        return all(part.holds(subject) for part in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def holds(self, subject: Mapping[str, Any]) -> bool:
        return any(part.holds(subject) for part in self.parts)


@dataclass(frozen=True, slots=True)
class Not:
    part: Condition

    def holds(self, subject: Mapping[str, Any]) -> bool:
        return not self.part.holds(subject)


Condition = Compare | AllOf | AnyOf | Not


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.at = 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def next(self) -> Token | None:
        token = self.peek()
        self.at += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text == word:
            self.at += 1
            return True
        return False

    def any_of(self) -> Condition:
        parts = [self.all_of()]
        while self.keyword("or"):
            parts.append(self.all_of())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def all_of(self) -> Condition:
        parts = [self.unary()]
        while self.keyword("and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def unary(self) -> Condition:
        if self.keyword("not"):
            return Not(self.unary())
        token = self.next()
        if token is None:
            raise ExpressionError("the expression ends where a comparison should be")
        if token.kind == "paren" and token.text == "(":
            inner = self.any_of()
            close = self.next()
            if close is None or close.text != ")":
                raise ExpressionError(f"'(' at column {token.column} is never closed")
            return inner
        if token.kind != "name" or token.text in ("and", "or", "true", "false"):
            raise ExpressionError(
                f"expected a context value (flow, step, data.<key>, claims.<key>) at column "
                f"{token.column}, found {token.text!r}"
            )
        path = context_path(token, prefix_required=False)
        op = operator(self.next(), repr(token.text))
        value_token = self.next()
        if value_token is None:
            raise ExpressionError(f"expected a value after {op.value!r}, found the end")
        if value_token.kind == "name" and value_token.text not in ("true", "false"):
            raise ExpressionError(
                f"{value_token.text!r} at column {value_token.column} is not a value: "
                'quote strings, as in "booking"'
            )
        value = literal(value_token)
        if op in ORDERING and not is_number(value):
            raise ExpressionError(f"{op.value!r} compares numbers, not {value_token.text}")
        return Compare(path, op, value)


def parse_condition(text: str) -> Condition:
    """The condition `text` says, or ExpressionError with the reason."""
    parser = _Parser(text)
    if not parser.tokens:
        raise ExpressionError("the condition is empty")
    condition = parser.any_of()
    extra = parser.peek()
    if extra is not None:
        raise ExpressionError(
            f"unexpected {extra.text!r} at column {extra.column}: join comparisons with and/or"
        )
    return condition
