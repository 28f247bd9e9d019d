from __future__ import annotations

import pytest

from tapline.engine import Constraint, Requirements, SpecError
from tapline.engine.expressions import Op, Ref


def test_parse_constraints() -> None:
    assert Constraint.parse("refund_limit >= 150") == Constraint("refund_limit", Op.GE, 150)
    assert Constraint.parse("can_override_fare == true") == Constraint(
        "can_override_fare", Op.EQ, True
    )
    assert Constraint.parse('region != "eu"', widen=True) == Constraint(
        "region", Op.NE, "eu", widen=True
    )
    ref = Constraint.parse("refund_limit >= context.data.credits")
    assert ref.value == Ref(("data", "credits"))
    assert str(ref) == "refund_limit >= context.data.credits"
    assert str(Constraint.parse('region == "eu"')) == 'region == "eu"'


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "does not start with an attribute"),
        ("data.x >= 1", "does not start with an attribute"),
        ("refund_limit", "expected a comparison"),
        ("refund_limit >= ", "not one comparison"),
        ("refund_limit >= 1 2", "not one comparison"),
        ('refund_limit >= "x"', "compares numbers"),
        ("refund_limit >= credits", "not a context value"),
        ("refund_limit >= context.total", "not in the context"),
    ],
)
def test_bad_constraints_say_why(text: str, reason: str) -> None:
    with pytest.raises(SpecError, match=reason):
        Constraint.parse(text)


def test_a_constraint_checks_a_specialists_value() -> None:
    c = Constraint.parse("refund_limit >= 150")
    assert c.allows(500) and not c.allows(100) and not c.allows(None)


def test_requirements_are_sorted_hashable_values() -> None:
    a = Requirements.of({"shipping": 2, "payments": 3}, ["refund_limit >= 1"])
    b = Requirements.of({"payments": 3, "shipping": 2}, [Constraint.parse("refund_limit >= 1")])
    assert a == b and hash(a) == hash(b)
    assert a.skills == (("payments", 3), ("shipping", 2))
    assert a.levels == {"payments": 3, "shipping": 2}
    assert str(a) == "payments >= 3, shipping >= 2, refund_limit >= 1"
    assert str(Requirements()) == "nothing beyond the queue's skill"


def test_levels_are_checked() -> None:
    with pytest.raises(SpecError, match="1 to 5"):
        Requirements.of({"payments": 6})


def test_dict_form_round_trips() -> None:
    data = {
        "skills": {"payments": 3},
        "authority": [
            "refund_limit >= context.data.credits",
            {"require": "can_override_fare == true", "widen": True},
        ],
    }
    requirements = Requirements.from_dict(data)
    assert requirements.authority[1].widen
    assert requirements.has_refs
    assert Requirements.from_dict(requirements.to_dict()) == requirements


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"skills": {"payments": 0}}, ("skills", "payments")),
        ({"skills": {"payments": "3"}}, ("skills", "payments")),
        ({"skills": [1]}, ("skills",)),
        ({"authority": "x >= 1"}, ("authority",)),
        ({"authority": ["ok >= 1", "bad >="]}, ("authority", 1)),
        ({"authority": [{"require": "x >= 1", "widen": "yes"}]}, ("authority", 0, "widen")),
        ({"authority": [{"need": "x >= 1"}]}, ("authority", 0, "need")),
        ({"authority": [{"widen": True}]}, ("authority", 0, "require")),
    ],
)
def test_dict_form_errors_name_the_key(data: dict[str, object], path: tuple[object, ...]) -> None:
    with pytest.raises(SpecError) as raised:
        Requirements.from_dict(data, ("rule", 0))
    assert raised.value.path == ("rule", 0, *path)


def test_resolve_fills_in_or_drops_references() -> None:
    requirements = Requirements.of(
        {"payments": 3},
        [
            "refund_limit >= context.data.credits",
            "region == context.claims.region",
            "tier_limit >= context.data.missing",
            "fare_limit >= context.data.name",  # a string where a number is compared
        ],
    )
    subject = {"data": {"credits": 150, "name": "x"}, "claims": {"region": "eu"}}
    resolved, dropped = requirements.resolve(subject)
    assert resolved == Requirements.of({"payments": 3}, ["refund_limit >= 150", 'region == "eu"'])
    assert [c.attribute for c in dropped] == ["tier_limit", "fare_limit"]
    assert not resolved.has_refs
