from __future__ import annotations

from tapline.engine import Channel, Presence, Requirements, SpecialistState
from tapline.engine.needs import NeedTable, fits


def test_the_three_stages() -> None:
    table = NeedTable()
    requirements = Requirements.from_dict(
        {
            "skills": {"payments": 3, "french": 2},
            "authority": ["refund_limit >= 100", {"require": "vip == true", "widen": True}],
        }
    )
    full, lower, anyone = table.stages("payments", requirements, Channel.CHAT)
    assert full.levels == (("french", 2), ("payments", 3))
    assert lower.levels == (("french", 1), ("payments", 2))
    assert anyone.levels == (("payments", 1),)
    assert len(full.authority) == 2 and [str(c) for c in anyone.authority] == [
        "refund_limit >= 100"
    ]
    assert anyone.describe() == "payments >= 1, refund_limit >= 100 (chat)"


def test_the_queue_skill_is_always_needed() -> None:
    full, _, _ = NeedTable().stages("payments", Requirements(), Channel.VOICE)
    assert full.levels == (("payments", 1),) and full.channel is Channel.VOICE


def test_needs_are_interned() -> None:
    table = NeedTable()
    a = table.stages("payments", Requirements.of({"payments": 2}), Channel.CHAT)
    b = table.stages("payments", Requirements.of({"payments": 2}), Channel.CHAT)
    assert a[0] is b[0] and a[0].nid == b[0].nid
    # Stage 1 of "payments >= 2" is stage 0 of "payments >= 1".
    assert a[1] is table.stages("payments", Requirements(), Channel.CHAT)[0]


def test_fits_checks_skills_authority_and_channel_capacity() -> None:
    table = NeedTable()
    need = table.stages(
        "payments", Requirements.of({"payments": 3}, ["refund_limit >= 100"]), Channel.VOICE
    )[0]
    spec = SpecialistState("ana", {"payments": 3}, 1, Presence.OFFLINE)
    spec.authority = {"refund_limit": 100}
    assert not fits(spec, need)  # no voice capacity
    spec.call_capacity = {Channel.VOICE: 1}
    assert fits(spec, need)  # presence and load do not matter
    spec.skills = {"payments": 2}
    assert not fits(spec, need)
