"""What to offer a customer who asks for help: "no one is there now" is never a dead end.

See docs/subsystems/callbacks.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from tapline.engine.slots import Slot, SlotBook


@dataclass(frozen=True, slots=True)
class Choices:
    """The ways to be helped that a queue can offer at one instant."""

    wait: bool
    """Waiting live (chat, voice): the queue is open and someone is on shift."""
    in_queue_callback: bool
    """"Call me back when it's my turn": offered when waiting is."""
    slots: tuple[Slot, ...]
    """The next bookable slots for a scheduled callback: always offered, also when closed."""
    opens_at: float | None
    """When closed: when the queue next opens (None if open now, or never)."""

    @property
    def is_empty(self) -> bool:
        """Nothing to offer: no one there now and no slot with capacity within the horizon.

        The driver must not leave the customer there silently: take a message for later and
        alert the supervisors (the staffing plan has a hole).
        """
        return not self.wait and not self.slots


def choices(
    book: SlotBook, now: float, *, slots: int = 3, staffed_now: bool | None = None
) -> Choices:
    """The choices to offer at `now` for the queue of `book` (its hours, staffing, slots).

    `staffed_now` overrides the staffing plan with what the driver knows live (say, whether
    any specialist with the queue's skill is signed in); by default the plan decides.
    """
    is_open = book.hours.is_open(now)
    if staffed_now is None:
        staffed_now = book.staffing.staffed(now, book.skill, book.policy.min_level) > 0
    live = is_open and staffed_now
    return Choices(
        wait=live,
        in_queue_callback=live,
        slots=tuple(book.slots(now, limit=slots)),
        opens_at=None if is_open else book.hours.next_open(now),
    )
