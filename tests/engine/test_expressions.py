from __future__ import annotations

import pytest

from tapline.engine.expressions import (
    ExpressionError,
    Op,
    Ref,
    compare,
    context_path,
    lookup,
    tokenize,
)


@pytest.mark.parametrize(
    ("actual", "op", "expected", "result"),
    [
        (150, Op.GE, 150, True),
        (149.9, Op.GE, 150, False),
        (2, Op.GT, 1.5, True),
        (1, Op.LT, 1, False),
        (1, Op.LE, 1.0, True),
        (1, Op.EQ, 1.0, True),
        ("eu", Op.EQ, "eu", True),
        ("eu", Op.NE, "us", True),
        (True, Op.EQ, True, True),
        (True, Op.EQ, 1, False),  # a boolean is not a number
        (True, Op.GE, 1, False),
        ("5", Op.GE, 1, False),  # a string is not a number
        ("5", Op.EQ, 5, False),
        ("5", Op.NE, 5, True),
        (None, Op.NE, 5, False),  # missing: every comparison is false
        (None, Op.EQ, 5, False),
        ([1], Op.EQ, 1, False),
    ],
)
def test_compare(actual: object, op: Op, expected: float | str, result: bool) -> None:
    assert compare(actual, op, expected) is result


def test_lookup_walks_mappings() -> None:
    subject = {"data": {"booking": {"fare": 412}}, "flow": "booking"}
    assert lookup(subject, ("data", "booking", "fare")) == 412
    assert lookup(subject, ("flow",)) == "booking"
    assert lookup(subject, ("data", "missing", "x")) is None
    assert lookup(subject, ("flow", "x")) is None


def test_a_ref_gives_only_scalars() -> None:
    subject = {"data": {"credits": 150, "list": [1], "none": None}}
    assert Ref(("data", "credits")).get(subject) == 150
    assert Ref(("data", "list")).get(subject) is None
    assert Ref(("data", "none")).get(subject) is None
    assert str(Ref(("data", "credits"))) == "context.data.credits"


def test_tokens_carry_their_column() -> None:
    tokens = tokenize('flow == "a b" and data.x >= -1.5')
    assert [(t.kind, t.text, t.column) for t in tokens] == [
        ("name", "flow", 1),
        ("op", "==", 6),
        ("string", '"a b"', 9),
        ("name", "and", 15),
        ("name", "data.x", 19),
        ("op", ">=", 26),
        ("number", "-1.5", 29),
    ]
    with pytest.raises(ExpressionError, match="column 6"):
        tokenize("flow = 1")


def test_context_paths() -> None:
    tokens = tokenize("flow context.data.credits claims.tier step.x data nowhere.x")
    assert context_path(tokens[0], prefix_required=False) == ("flow",)
    assert context_path(tokens[1], prefix_required=True) == ("data", "credits")
    assert context_path(tokens[2], prefix_required=False) == ("claims", "tier")
    for token, reason in [(tokens[3], "plain value"), (tokens[4], "needs a key")]:
        with pytest.raises(ExpressionError, match=reason):
            context_path(token, prefix_required=False)
    with pytest.raises(ExpressionError, match="not in the context"):
        context_path(tokens[5], prefix_required=False)
    with pytest.raises(ExpressionError, match="not a context value"):
        context_path(tokens[0], prefix_required=True)
