from __future__ import annotations

from tapline.engine.lineup import FRONT, NORMAL, Lineup, Place


def place(seq: int, at: float | None = None, rank: int = NORMAL, priority: int = 0) -> Place:
    return (rank, -priority, float(seq) if at is None else at, seq, f"r{seq}")


def test_joins_in_place_order_whatever_the_order_of_calls() -> None:
    lineup = Lineup()
    for p in (place(3), place(1), place(2)):
        lineup.join(p)
    assert list(lineup.ready) == [place(1), place(2), place(3)]
    assert [lineup.position(p) for p in (place(1), place(2), place(3))] == [1, 2, 3]
    assert len(lineup) == 3


def test_ties_in_time_go_by_seq_and_the_front_goes_first() -> None:
    lineup = Lineup()
    lineup.join(place(2, at=5.0))
    lineup.join(place(1, at=5.0))
    lineup.join(place(9, at=99.0, rank=FRONT))
    assert [p[4] for p in lineup.ready] == ["r9", "r1", "r2"]


def test_a_higher_priority_goes_ahead_of_older_requests_but_not_the_front() -> None:
    lineup = Lineup()
    lineup.join(place(1, at=1.0))
    lineup.join(place(2, at=2.0, priority=5))
    lineup.join(place(3, at=3.0, rank=FRONT))
    assert [p[4] for p in lineup.places] == ["r3", "r2", "r1"]


def test_an_offered_request_keeps_its_place_and_comes_back_to_it() -> None:
    lineup = Lineup()
    for seq in (1, 2, 3):
        lineup.join(place(seq))
    lineup.offered(place(1))
    assert list(lineup.ready) == [place(2), place(3)]
    assert lineup.position(place(1)) == 1
    assert len(lineup) == 3
    lineup.back(place(1))
    assert list(lineup.ready) == [place(1), place(2), place(3)]


def test_leave_removes_from_both_and_is_harmless_twice() -> None:
    lineup = Lineup()
    lineup.join(place(1))
    lineup.join(place(2))
    lineup.offered(place(2))
    lineup.leave(place(2))
    lineup.leave(place(2))
    lineup.leave(place(7))
    assert list(lineup.ready) == [place(1)]
    assert len(lineup) == 1
    assert lineup.position(place(2)) is None


def test_a_reader_learns_from_which_index_the_line_may_differ() -> None:
    lineup = Lineup()
    for seq in (1, 2, 3, 4):
        lineup.join(place(seq))
    seen = lineup.version
    assert lineup.changed_from(seen) is None
    lineup.join(place(5))  # at the tail: the four ahead are as they were
    assert lineup.changed_from(seen) == 4
    lineup.leave(place(2))  # everyone behind the second moves up
    assert lineup.changed_from(seen) == 1
    seen = lineup.version
    lineup.offered(place(4))
    assert lineup.changed_from(seen) == 2  # the fourth is now third, and offered
    seen = lineup.version
    lineup.touch(place(9))  # not in line: nothing changed
    lineup.leave(place(9))
    assert lineup.changed_from(seen) is None


def test_a_reader_too_far_behind_hears_from_the_head() -> None:
    from tapline.engine.lineup import CHANGES_KEPT

    lineup = Lineup()
    lineup.join(place(0))
    seen = lineup.version
    for seq in range(1, 2 * CHANGES_KEPT):
        lineup.join(place(seq))
    assert lineup.changed_from(seen) == 0
    recent = lineup.version
    lineup.join(place(10_000))
    assert lineup.changed_from(recent) == 2 * CHANGES_KEPT
    rebuilt = Lineup(lineup.version + 1)  # a line sorted again goes on from the old count
    assert rebuilt.changed_from(recent) == 0
