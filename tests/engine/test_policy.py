from __future__ import annotations

import pytest

from tapline.engine import QueuePolicy, SpecError


def test_stages_follow_t1_and_t2() -> None:
    policy = QueuePolicy(widen_after=60, anyone_after=180)
    assert [policy.stage_at(w) for w in (0, 59.9, 60, 179, 180, 1e9)] == [0, 0, 1, 1, 2, 2]
    assert [policy.next_widening(w) for w in (0, 60, 100, 180)] == [60, 180, 180, None]
    assert policy.final_stage == 2


def test_t2_alone_jumps_to_anyone() -> None:
    policy = QueuePolicy(anyone_after=30)
    assert [policy.stage_at(w) for w in (0, 30)] == [0, 2]
    assert policy.final_stage == 2
    assert QueuePolicy(widen_after=5).final_stage == 1
    assert QueuePolicy().final_stage == 0
    assert QueuePolicy().next_widening(0) is None


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"priority": 1.5}, ("priority",)),
        ({"sticky_seconds": -1}, ("sticky_seconds",)),
        ({"widen_after": "soon"}, ("widen_after",)),
        ({"widen_after": 60, "anyone_after": 30}, ("anyone_after",)),
        ({"fallback": ""}, ("fallback",)),
        ({"fallbck": "x"}, ("fallbck",)),
    ],
)
def test_bad_policies_name_the_key(data: dict[str, object], path: tuple[str, ...]) -> None:
    with pytest.raises(SpecError) as raised:
        QueuePolicy.from_dict(data, ("queue", "pay"))
    assert raised.value.path == ("queue", "pay", *path)


def test_dict_form_round_trips() -> None:
    policy = QueuePolicy(priority=3, sticky_seconds=90, widen_after=60, fallback="general")
    assert QueuePolicy.from_dict(policy.to_dict()) == policy
