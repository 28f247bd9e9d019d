"""Hostile inputs to the engine: whatever a command or a rules document is given, it either
works or raises an `EngineError` (the one kind the server catches), and changes nothing when
it raises. Bounded here (`max_examples`); bench/fuzz.sh runs them longer (HYPOTHESIS_PROFILE).

Inputs are hostile within the types the commands declare: ids of any text (empty, NUL, lone
surrogates), capacities of any integer or per-channel maps of anything, skill levels of any
type, authority values JSON cannot hold (NaN, infinities, huge
integers), presence and channel names that do not exist, and TOML documents both random and
built from the rules' own keys with random values.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tomllib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tapline.engine import Engine, EngineError, FakeClock, RequestState
from tapline.engine.rules import RoutingRules, parse_rules

settings.register_profile(
    "fuzz-inputs", max_examples=60, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.register_profile(
    "fuzz-inputs-long", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck)
)
PROFILE = "fuzz-inputs-long" if os.environ.get("TAPLINE_FUZZ") == "long" else "fuzz-inputs"

anything_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.binary(max_size=8),
)
anything = st.recursive(
    anything_scalar,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
ids = st.one_of(st.text(max_size=30), st.sampled_from(["r1", "s1", "q1", "", "\ud800", "\x00"]))
skill_maps = st.dictionaries(st.text(max_size=10), anything_scalar, max_size=3) | st.dictionaries(
    st.sampled_from(["payments", "general"]), st.integers(-3, 8), max_size=2
)
# Values are of the types the commands declare (a compiled engine checks those at the call),
# with everything hostile inside them: the engine checks the contents as objects.
capacities = st.one_of(
    st.integers(),
    st.dictionaries(
        st.sampled_from(["chat", "voice", "video", "fax", ""]), anything_scalar, max_size=3
    ),
    st.integers(0, 4),
)
authorities = st.none() | st.dictionaries(st.text(max_size=12), anything, max_size=3)

COMMANDS = st.one_of(
    st.tuples(st.just("add_queue"), ids, st.text(max_size=10)),
    st.tuples(st.just("set_specialist"), ids, skill_maps, capacities, authorities),
    st.tuples(
        st.just("set_presence"),
        ids,
        st.one_of(st.text(max_size=12), st.sampled_from(["available", "away", "offline"])),
    ),
    st.tuples(st.just("submit"), ids, ids, st.integers(), st.text(max_size=8)),
    st.tuples(st.just("accept"), ids, ids),
    st.tuples(st.just("decline"), ids, ids),
    st.tuples(st.just("resolve"), ids, ids),
    st.tuples(st.just("cancel"), ids),
    st.tuples(st.just("end_dead"), ids, st.text(max_size=20)),
    st.tuples(st.just("requeue"), ids),
    st.tuples(st.just("set_aside"), ids),
    st.tuples(st.just("specialist_dropped"), ids),
    st.tuples(st.just("customer_left"), ids),
    st.tuples(st.just("customer_returned"), ids),
    st.tuples(st.just("advance"), st.floats(0, 1000)),
)


def _run(engine: Engine, clock: FakeClock, command: tuple[Any, ...]) -> None:
    name, *args = command
    if name == "advance":
        clock.advance(args[0])
        engine.tick()
    elif name == "set_specialist":
        engine.set_specialist(args[0], skills=args[1], capacity=args[2], authority=args[3])
    elif name == "submit":
        engine.submit(args[0], args[1], priority=args[2], channel=args[3])
    elif name == "resolve":
        engine.resolve(args[0], args[1])
    else:
        getattr(engine, name)(*args)


def _snapshot(engine: Engine) -> str:
    """What the engine says of itself, as text: a refused command must not change it."""
    requests = {}
    for request_id in sorted(engine._requests):
        record = engine._requests[request_id]
        requests[request_id] = (str(record.state), record.queue_id, record.specialist_id)
    specialists = {
        sid: (str(s.presence), sorted(s.skills.items()), s.capacity, s.offered)
        for sid, s in sorted(engine._specialists.items())
    }
    return repr((requests, specialists, sorted(engine._queues)))


@settings(settings.get_profile(PROFILE))
@given(st.lists(COMMANDS, min_size=1, max_size=25))
def test_any_command_with_any_arguments_works_or_raises_an_engine_error(
    commands: list[tuple[Any, ...]],
) -> None:
    clock = FakeClock(1_000.0)
    engine = Engine(clock, offer_timeout=30.0)
    engine.add_queue("q1", "payments")
    engine.set_specialist("s1", skills={"payments": 3}, capacity=2)
    engine.set_presence("s1", "available")
    for command in commands:
        before = _snapshot(engine)
        try:
            _run(engine, clock, command)
        except EngineError:
            assert _snapshot(engine) == before, command
        # whatever it holds, it still answers and routes
        engine.next_deadline()
        for request_id in list(engine._requests):
            assert isinstance(engine.request(request_id).state, RequestState)


def test_a_skill_level_of_the_wrong_type_is_an_engine_error_not_a_type_error() -> None:
    engine = Engine(FakeClock(0.0))
    for level in (math.nan, math.inf, "3", None, 3.0, True, 10**400):
        try:
            engine.set_specialist("s", skills={"payments": level}, capacity=1)  # type: ignore[dict-item]
        except EngineError:
            continue
        raise AssertionError(f"{level!r} was taken as a skill level")


# -- Rules documents ----------------------------------------------------------------------

toml_keys = st.sampled_from(
    [
        "name",
        "when",
        "queue",
        "skills",
        "authority",
        "priority",
        "tier_claim",
        "tiers",
        "default",
        "rule",
        "fallback",
        "widen_after",
        "anyone_after",
        "sticky_seconds",
        "x",
    ]
)
toml_values = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "true", "false", "[]", "{}", '""']),
    st.sampled_from(
        [
            '"flow == \\"booking\\""',
            '"data.fare > 2000 and (not step == 1)"',
            '"refund_limit >= context.data.credits"',
            '"(((("',
            '"data. > "',
            '"payments"',
            '"general"',
            "{ payments = 3 }",
            "{ payments = 9 }",
            '["can_override_fare == true", { require = "refund_limit >= 1000", widen = true }]',
            "[{ require = 1 }]",
        ]
    ),
    st.text(max_size=20).map(json.dumps),
)
toml_lines = st.tuples(toml_keys, toml_values).map(lambda kv: f"{kv[0]} = {kv[1]}")
toml_headers = st.sampled_from(
    [
        "[[rule]]",
        "[default]",
        "[tiers]",
        "[queue.payments]",
        "[queue.general]",
        '[queue.""]',
        "[rule]",
    ]
)
toml_docs = st.tuples(
    st.lists(st.one_of(toml_lines, toml_headers), max_size=14).map("\n".join),
    st.sampled_from(["", '\n[default]\nqueue = "general"\n']),  # often: a document that may load
).map("".join)


def _parses(text: str) -> None:
    try:
        rules = parse_rules(text, "fuzz.toml", queues={"payments", "general"})
    except EngineError:
        return
    # rules that load route any context, and survive their own dict form
    again = RoutingRules.from_dict(rules.to_dict())
    for context in (
        {},
        {"flow": "booking", "step": "payment", "data": {"fare": 3000, "credits": 150}},
    ):
        assert rules.route(context) == again.route(context)


@settings(settings.get_profile(PROFILE))
@given(toml_docs)
def test_a_rules_document_built_from_its_keys_loads_or_says_why(text: str) -> None:
    _parses(text)


@settings(settings.get_profile(PROFILE))
@given(st.text(max_size=200))
def test_any_text_as_rules_loads_or_says_why(text: str) -> None:
    _parses(text)


@settings(settings.get_profile(PROFILE))
@given(anything)
def test_any_value_as_the_dict_form_loads_or_says_why(data: Any) -> None:
    with contextlib.suppress(EngineError):
        RoutingRules.from_dict(data if isinstance(data, dict) else {"default": data})


def test_the_fuzzed_toml_covers_documents_that_load() -> None:
    text = '[default]\nqueue = "general"\n[[rule]]\nqueue = "payments"\nwhen = "data.fare > 1"\n'
    assert tomllib.loads(text)
    _parses(text)
    parse_rules(text, queues={"payments", "general"})
