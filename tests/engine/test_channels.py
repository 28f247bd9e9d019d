from __future__ import annotations

import pytest

from tapline.engine import Channel, InvalidArgument
from tapline.engine.channels import CALLS, capacities, channel


def test_channels_and_calls() -> None:
    assert [c.value for c in Channel] == ["chat", "voice", "video"]
    assert {Channel.VOICE, Channel.VIDEO} == CALLS
    assert channel("voice") is Channel.VOICE
    with pytest.raises(InvalidArgument):
        channel("fax")


def test_an_int_capacity_is_chats_only() -> None:
    assert capacities(3) == (3, {})


def test_a_mapping_gives_each_channel_its_own_and_drops_zeros() -> None:
    assert capacities({"chat": 2, "voice": 1, "video": 0}) == (2, {Channel.VOICE: 1})
    assert capacities({"video": 1}) == (0, {Channel.VIDEO: 1})


@pytest.mark.parametrize("bad", [-1, {"chat": -1}, {"fax": 1}, {"chat": True}, {"voice": 1.5}])
def test_bad_capacities_are_refused(bad: object) -> None:
    with pytest.raises(InvalidArgument):
        capacities(bad)  # type: ignore[arg-type]
