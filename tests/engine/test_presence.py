from __future__ import annotations

from tapline.engine import Channel, Presence, SpecialistState


def make(**changes: object) -> SpecialistState:
    spec = SpecialistState("ana", {"payments": 3}, capacity=2, presence=Presence.AVAILABLE)
    for name, value in changes.items():
        setattr(spec, name, value)
    return spec


def test_values_are_lowercase() -> None:
    assert [p.value for p in Presence] == ["available", "busy", "away", "offline"]


def test_a_new_state_is_offline_with_nothing() -> None:
    spec = SpecialistState("ana", {"payments": 1}, capacity=1)
    assert spec.presence is Presence.OFFLINE
    assert spec.active == set()
    assert spec.offered is None


def test_has_capacity_counts_active_chats() -> None:
    assert make().has_capacity()
    assert make(active={"r1"}).has_capacity()
    assert not make(active={"r1", "r2"}).has_capacity()
    assert not make(capacity=0).has_capacity()


def test_can_take_needs_presence_skill_room_and_no_offer() -> None:
    assert make().can_take("payments")
    assert not make().can_take("shipping")
    assert not make(skills={"payments": 0}).can_take("payments")
    for presence in (Presence.BUSY, Presence.AWAY, Presence.OFFLINE):
        assert not make(presence=presence).can_take("payments")
    assert not make(active={"r1", "r2"}).can_take("payments")
    assert not make(offered="r3").can_take("payments")


def test_copy_shares_nothing() -> None:
    spec = make(active={"r1"})
    copy = spec.copy()
    assert copy == spec
    copy.active.add("r2")
    copy.skills["shipping"] = 1
    copy.authority["refund_limit"] = 5
    copy.calls["r2"] = Channel.VOICE
    assert spec.active == {"r1"}
    assert "shipping" not in spec.skills
    assert spec.authority == {} and spec.calls == {}


def test_room_per_channel_and_one_call_at_a_time() -> None:
    spec = make(capacity=1, call_capacity={Channel.VOICE: 1, Channel.VIDEO: 1})
    assert spec.has_room(Channel.CHAT) and spec.has_room(Channel.VOICE)
    spec.active = {"r1"}
    spec.calls = {"r1": Channel.VIDEO}
    assert spec.load(Channel.CHAT) == 0 and spec.load(Channel.VOICE) == 1
    assert spec.has_room(Channel.CHAT)
    assert not spec.has_room(Channel.VOICE) and not spec.has_room(Channel.VIDEO)
    spec.active = {"r1", "r2"}
    assert not spec.has_capacity(Channel.CHAT) and not spec.has_capacity()
    assert spec.capacity_for(Channel.VIDEO) == 1 and spec.capacity_for(Channel.CHAT) == 1


def test_has_capacity_with_no_channel_means_any() -> None:
    spec = make(capacity=0, call_capacity={Channel.VOICE: 1})
    assert spec.has_capacity() and not spec.has_capacity(Channel.CHAT)
    assert spec.can_take("payments", Channel.VOICE) and not spec.can_take("payments")
