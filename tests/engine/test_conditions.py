from __future__ import annotations

import pytest

from tapline.engine.conditions import parse_condition
from tapline.engine.expressions import ExpressionError

BOOKING = {"flow": "booking", "step": "payment", "data": {"total": 1200}, "claims": {}}


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ('flow == "booking" and step == "payment"', True),
        ('flow == "booking" and step == "review"', False),
        ("flow == 'booking'", True),
        ('context.flow == "booking"', True),
        ("data.total > 1000", True),
        ('data.total > 1000 and claims.tier == "gold"', False),
        ('data.total > 5000 or flow == "booking"', True),
        ('not flow == "booking"', False),
        ('flow == "x" or step == "y" and data.total > 0', False),  # and binds tighter
        ('(flow == "x" or step == "payment") and data.total > 0', True),
        ("data.missing != 1", False),
        ("data.total == 1200.0", True),
    ],
)
def test_conditions_hold_or_not(text: str, result: bool) -> None:
    assert parse_condition(text).holds(BOOKING) is result


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("flow", "expected a comparison"),
        ("flow ==", "expected a value"),
        ("flow == booking", "quote strings"),
        ('flow == "a" step == "b"', "join comparisons"),
        ('(flow == "a"', "never closed"),
        ('flow >= "a"', "compares numbers"),
        ("total > 3", "not in the context"),
        ('and flow == "a"', "expected a context value"),
        ("flow == @", "unexpected '@'"),
    ],
)
def test_bad_conditions_say_why(text: str, reason: str) -> None:
    with pytest.raises(ExpressionError, match=reason):
        parse_condition(text)
