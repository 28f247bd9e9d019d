from __future__ import annotations

import dataclasses

import pytest

from tapline.engine import RequestState, RequestView
from tapline.engine.lineup import FRONT, NORMAL
from tapline.engine.request import RequestRecord


def test_place_is_rank_time_seq_id() -> None:
    record = RequestRecord("r1", "pay", 7, 12.5, RequestState.WAITING)
    assert record.place == (NORMAL, 12.5, 7, "r1")
    record.rank = FRONT
    assert record.place == (FRONT, 12.5, 7, "r1")


def test_view_is_a_frozen_copy() -> None:
    record = RequestRecord("r1", "pay", 1, 3.0, RequestState.OFFERED, specialist_id="ana")
    record.offer_expires_at = 33.0
    view = record.view()
    assert view == RequestView("r1", "pay", RequestState.OFFERED, None, "ana", 3.0, 33.0)
    record.state = RequestState.WAITING
    assert view.state is RequestState.OFFERED
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.state = RequestState.WAITING  # type: ignore[misc]
