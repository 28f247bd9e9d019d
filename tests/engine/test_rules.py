"""Routing rules: loading (TOML and dict), their errors, and where a request goes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tapline.engine import QueuePolicy, Requirements
from tapline.engine.rules import RoutingRules, RulesError, load_rules, parse_rules

# The issue's example, as docs/subsystems/routing.md shows it.
EXAMPLE = """\
tier_claim = "tier"

[tiers]
gold = 20
silver = 10

[[rule]]
name = "booking payment"
when = 'flow == "booking" and step == "payment"'
queue = "payments"
skills = { payments = 3 }
authority = ["refund_limit >= context.data.credits"]

[[rule]]
name = "big fares"
when = 'flow == "booking" and data.fare > 2000'
queue = "payments"
skills = { payments = 4 }
authority = [
  "can_override_fare == true",
  { require = "refund_limit >= 1000", widen = true },
]
priority = 5

[default]
queue = "general"

[queue.payments]
priority = 10
sticky_seconds = 120
widen_after = 120
anyone_after = 300
fallback = "general"
"""

PAYMENT = {"flow": "booking", "step": "payment", "data": {"fare": 412, "credits": 150}}


@pytest.fixture
def rules() -> RoutingRules:
    return parse_rules(EXAMPLE, "routing.toml")


def test_the_issues_example_routes_the_seed_story(rules: RoutingRules) -> None:
    routing = rules.route(PAYMENT)
    assert routing.queue_id == "payments"
    assert routing.requirements == Requirements.of({"payments": 3}, ["refund_limit >= 150"])
    assert (routing.priority, routing.rule, routing.dropped) == (0, "booking payment", ())


def test_first_match_wins_and_the_default_takes_the_rest(rules: RoutingRules) -> None:
    big = {"flow": "booking", "step": "review", "data": {"fare": 2500}}
    assert rules.route(big).rule == "big fares"
    assert rules.route({**PAYMENT, "data": {"fare": 2500}}).rule == "booking payment"
    routing = rules.route({"flow": "search"})
    assert (routing.queue_id, routing.requirements, routing.rule) == (
        "general",
        Requirements(),
        "default",
    )
    assert rules.route({}).queue_id == "general"


def test_the_tier_of_verified_claims_boosts_priority(rules: RoutingRules) -> None:
    assert rules.route(PAYMENT, claims={"tier": "gold"}).priority == 20
    big = {"flow": "booking", "data": {"fare": 2500}}
    assert rules.route(big, claims={"tier": "silver"}).priority == 15  # rule's 5 + 10
    assert rules.route(PAYMENT, claims={"tier": "tin"}).priority == 0
    # Claims in the context itself are the client's word: they count for nothing.
    assert rules.route({**PAYMENT, "claims": {"tier": "gold"}}).priority == 0


def test_a_missing_context_value_drops_its_constraint(rules: RoutingRules) -> None:
    routing = rules.route({"flow": "booking", "step": "payment"})
    assert routing.requirements == Requirements.of({"payments": 3})
    assert [str(c) for c in routing.dropped] == ["refund_limit >= context.data.credits"]


def test_queue_policies(rules: RoutingRules) -> None:
    assert rules.policy("payments") == QueuePolicy(
        priority=10, sticky_seconds=120, widen_after=120, anyone_after=300, fallback="general"
    )
    assert rules.policy("general") is None
    assert rules.queue_ids() == {"payments", "general"}


def test_the_dict_form_round_trips_through_json(rules: RoutingRules) -> None:
    again = RoutingRules.from_dict(json.loads(json.dumps(rules.to_dict())))
    assert again == rules
    assert again.route(PAYMENT) == rules.route(PAYMENT)


def test_load_rules_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    assert load_rules(path).route(PAYMENT).queue_id == "payments"


def test_the_smallest_document_is_a_default() -> None:
    rules = parse_rules('[default]\nqueue = "general"\n')
    assert rules.rules == () and rules.route({"flow": "x"}).queue_id == "general"


# -- errors: the file, the line and the reason -------------------------------------------


def problems(text: str, **kwargs: object) -> list[str]:
    with pytest.raises(RulesError) as raised:
        parse_rules(text, "routing.toml", **kwargs)  # type: ignore[arg-type]
    return [str(p) for p in raised.value.problems]


BAD = """\
[[rule]]
when = 'flow == "booking"'
queue = "payments"

[[rule]]
when = 'flow == booking'
queue = "payments"
skills = { payments = 7 }
authority = [
  "refund_limit >= context.data.credits",
  "refund_limit >= 'x'",
]
prio = 3

[default]
queue = "general"

[queue.payments]
widen_after = 300
anyone_after = 100
"""


def test_every_problem_is_reported_with_its_line() -> None:
    assert problems(BAD) == [
        "routing.toml:13: rule[2].prio: unknown key "
        "(expected one of name, when, queue, skills, authority, priority)",
        "routing.toml:6: rule[2].when: 'booking' at column 9 is not a value: "
        'quote strings, as in "booking"',
        "routing.toml:8: rule[2].skills.payments: level must be 1 to 5, not 7",
        "routing.toml:11: rule[2].authority[2]: '>=' compares numbers, not \"x\"",
        "routing.toml:20: queue.payments.anyone_after: anyone_after comes after widen_after",
    ]


def test_the_error_carries_the_first_problem() -> None:
    with pytest.raises(RulesError) as raised:
        parse_rules('[default]\nqueue = "general"\npriority = "high"\n', "r.toml")
    error = raised.value
    assert (error.source, error.line) == ("r.toml", 3)
    assert error.reason == "a whole number, not 'high'"
    assert str(error) == "r.toml:3: default.priority: a whole number, not 'high'"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[default]\nqueue = "g"\n[[rule]]\nqueue = 3\n', "routing.toml:4: rule[1].queue: every"),
        ("[[rule]]\nqueue = 'p'\n", "routing.toml: no [default] table"),
        ('[default]\nqueue = "g"\nwhen = "flow == 1"\n', "routing.toml:3: default.when: unknown"),
        ('[default]\nqueue = "g"\n[tiers]\ngold = "x"\n', "routing.toml:4: tiers.gold: a tier"),
        ("default = 1\n", "routing.toml:1: default: a rule is a table"),
        ('[default]\nqueue = "g"\n[queue.g]\nfallback = "g"\n', "routing.toml:4: queue.g.fallback"),
        ('rules = []\n[default]\nqueue = "g"\n', "routing.toml:1: rules: unknown key"),
        ('[default]\nqueue = "g"\nrules = []\n', "routing.toml:3: default.rules: unknown key"),
        ('[default\nqueue = "g"\n', "routing.toml:1: not valid TOML"),
        ('[default]\nqueue = "g"\n[[rule]]\nqueue = "p"\nwhen = 1\n', "routing.toml:5: rule[1]"),
        (
            '[default]\nqueue = "g"\n[queue.a]\nfallback = "b"\n[queue.b]\nfallback = "a"\n',
            "routing.toml:4: queue.a.fallback: fallbacks go round in a circle: a -> b -> a",
        ),
    ],
)
def test_problems_name_line_and_reason(text: str, expected: str) -> None:
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith(expected), found[0]


def test_unknown_queues_are_refused_when_the_queues_are_known() -> None:
    assert problems(EXAMPLE, queues={"general"}) == [
        "routing.toml:10: rule[1].queue: no queue 'payments'",
        "routing.toml:17: rule[2].queue: no queue 'payments'",
        "routing.toml:28: queue.payments: no queue 'payments'",
    ]
    parse_rules(EXAMPLE, queues={"general", "payments"})


def test_the_dict_form_has_the_same_checks_with_paths() -> None:
    data = json.loads(json.dumps(parse_rules(EXAMPLE).to_dict()))
    data["rule"][1]["skills"]["payments"] = 0
    with pytest.raises(RulesError) as raised:
        RoutingRules.from_dict(data, source="rules (database)")
    assert str(raised.value) == (
        "rules (database): rule[2].skills.payments: level must be 1 to 5, not 0"
    )
