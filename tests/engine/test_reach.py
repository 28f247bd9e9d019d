from __future__ import annotations

from tapline.engine import Channel, Presence, Requirements, SpecialistState
from tapline.engine.matching import Pools
from tapline.engine.needs import NeedTable
from tapline.engine.reach import IDLE_LIMIT, Reach


def _spec(sid: str, level: int) -> SpecialistState:
    return SpecialistState(sid, {"payments": level}, 1, Presence.OFFLINE)


def test_an_idle_need_keeps_its_set_and_follows_changes() -> None:
    staff = Pools()
    reach = Reach(staff)
    ana, bo = _spec("ana", 3), _spec("bo", 1)
    staff.add(ana)
    staff.add(bo)
    need = NeedTable().stages("payments", Requirements.of({"payments": 2}), Channel.CHAT)[0]
    assert list(reach.able(need)) == ["ana"]
    reach.forget(need)  # its last request left: the set stays, and is still kept up to date
    bo.skills = {"payments": 2}
    staff.add(bo)
    assert reach.update(bo) == [need]
    assert list(reach.able(need)) == ["ana", "bo"]


def test_only_the_oldest_idle_needs_are_dropped() -> None:
    staff = Pools()
    reach = Reach(staff)
    ana = _spec("ana", 5)
    staff.add(ana)
    table = NeedTable()
    needs = [
        table.stages("payments", Requirements.of({"payments": 1}, [f"x{i} == true"]), Channel.CHAT)[
            0
        ]
        for i in range(IDLE_LIMIT + 2)
    ]
    for need in needs:
        assert not reach.able(need)
        reach.forget(need)
    ana.authority = {f"x{i}": True for i in range(IDLE_LIMIT + 2)}
    # The two oldest idle needs were dropped: they are no longer followed.
    assert reach.update(ana) == needs[2:]
    assert list(reach.able(needs[0])) == ["ana"]  # rebuilt when asked again
