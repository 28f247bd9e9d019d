"""What a wait estimate needs to know of the specialists who could take a request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EligibleLoad:
    """The live state around one request, from `Engine.eligible_load`.

    - `servers`: AVAILABLE specialists who meet what the request needs now (its widening
      stage, its channel) and have not declined or missed it;
    - `busy_elapsed`: how long (seconds) each request those servers are handling on the same
      kind of capacity has been connected: chats for a chat request, calls (voice and video)
      for a call; smallest first;
    - `ahead`: requests ahead of it in its queue's line (waiting or offered); 0 if not in line;
    - `busy`: how many of the servers have no room for it now.
    """

    servers: int
    busy_elapsed: tuple[float, ...]
    ahead: int
    busy: int = 0
    slots: int = 0
    """The servers' capacity on the request's channel, added up (each chat slot serves)."""
