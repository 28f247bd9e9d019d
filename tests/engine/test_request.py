from __future__ import annotations

import dataclasses

import pytest

from tapline.engine import Channel, RequestState, RequestView, Requirements
from tapline.engine.lineup import FRONT, NORMAL
from tapline.engine.needs import NeedTable
from tapline.engine.request import RequestRecord

NEEDS = NeedTable().stages("payments", Requirements.of({"payments": 3}), Channel.CHAT)


def test_place_is_rank_priority_time_seq_id() -> None:
    record = RequestRecord("r1", "pay", 7, 12.5, RequestState.WAITING, NEEDS)
    assert record.place == (NORMAL, 0, 12.5, 7, "r1")
    record.priority = 10
    assert record.place == (NORMAL, -10, 12.5, 7, "r1")  # higher priority sorts first
    record.rank = FRONT
    assert record.place == (FRONT, -10, 12.5, 7, "r1")


def test_need_follows_the_stage() -> None:
    record = RequestRecord("r1", "pay", 7, 12.5, RequestState.WAITING, NEEDS, final_stage=2)
    assert record.need is NEEDS[0] and record.final_need is NEEDS[2]
    record.stage = 1
    assert record.need is NEEDS[1]


def test_view_is_a_frozen_copy() -> None:
    record = RequestRecord("r1", "pay", 1, 3.0, RequestState.OFFERED, NEEDS, boost=4)
    record.specialist_id = "ana"
    record.offer_expires_at = 33.0
    view = record.view()
    assert view == RequestView(
        "r1", "pay", RequestState.OFFERED, None, "ana", 3.0, 33.0, priority=4
    )
    record.state = RequestState.WAITING
    assert view.state is RequestState.OFFERED
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.state = RequestState.WAITING  # type: ignore[misc]
