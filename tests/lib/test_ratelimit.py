"""Sign-in failures per account and address, frames per socket, new requests per hour and
sockets open at once, on a FakeClock."""

from __future__ import annotations

from tapline.engine import FakeClock
from tapline.lib.ratelimit import ConnectionLimits, SignInLimiter, TokenBucket, WindowLimits


def test_a_pair_gets_free_tries_then_waits_twice_as_long_each_time() -> None:
    clock = FakeClock(1000.0)
    limiter = SignInLimiter(3, 300.0, clock)
    for _ in range(3):
        assert limiter.retry_after("ana", "10.0.0.1") == 0
        limiter.failed("ana", "10.0.0.1")
    waits = []
    for _ in range(8):
        wait = limiter.retry_after("ana", "10.0.0.1")
        waits.append(wait)
        clock.advance(wait - 0.5)
        assert limiter.retry_after("ana", "10.0.0.1") == 1  # not yet, rounded up
        clock.advance(0.5)
        assert limiter.retry_after("ana", "10.0.0.1") == 0
        limiter.failed("ana", "10.0.0.1")
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128]
    # The same account from another address, and another account here, are not slowed.
    assert limiter.retry_after("ana", "10.0.0.2") == 0
    assert limiter.retry_after("ben", "10.0.0.1") == 0


def test_failures_leave_the_window() -> None:
    clock = FakeClock(0.0)
    limiter = SignInLimiter(2, 60.0, clock)
    limiter.failed("ana", "10.0.0.1")
    limiter.failed("ana", "10.0.0.1")
    assert limiter.retry_after("ana", "10.0.0.1") == 1
    clock.advance(60)
    limiter.failed("ana", "10.0.0.1")  # the first two have left: one in the window
    assert limiter.retry_after("ana", "10.0.0.1") == 0


def test_an_account_under_attack_still_lets_a_fresh_address_in_at_once() -> None:
    clock = FakeClock(0.0)
    limiter = SignInLimiter(5, 300.0, clock, account_attempts=10)
    for index in range(10):  # ten addresses, one failure each: the account's ceiling
        limiter.failed("ana", f"10.0.1.{index}")
        clock.advance(0.1)
    # An address that failed on it has no free tries left; a fresh one (the owner) has.
    assert limiter.retry_after("ana", "10.0.1.0") == 1
    assert limiter.retry_after("ana", "192.0.2.7") == 0
    assert limiter.retry_after("ben", "10.0.1.0") == 0  # other accounts are not touched
    # Below the ceiling the same address would have had four more free tries.
    assert SignInLimiter(5, 300.0, clock).retry_after("ana", "10.0.1.0") == 0


def test_an_address_failing_across_accounts_is_slowed() -> None:
    clock = FakeClock(0.0)
    limiter = SignInLimiter(5, 300.0, clock, address_attempts=20)
    for index in range(20):  # one password sprayed over twenty accounts
        assert limiter.retry_after(f"user{index}", "10.0.0.1") == 0
        limiter.failed(f"user{index}", "10.0.0.1")
    assert limiter.retry_after("user99", "10.0.0.1") == 1
    limiter.failed("user99", "10.0.0.1")
    assert limiter.retry_after("user100", "10.0.0.1") == 2
    assert limiter.retry_after("user100", "10.0.0.2") == 0


def test_success_clears_the_pair_and_the_account_not_the_address() -> None:
    clock = FakeClock(0.0)
    limiter = SignInLimiter(2, 60.0, clock, address_attempts=2)
    limiter.failed("ana", "10.0.0.1")
    limiter.failed("ana", "10.0.0.1")
    limiter.succeeded("ana", "10.0.0.1")
    assert limiter.retry_after("ana", "10.0.0.2") == 0
    assert limiter.retry_after("ben", "10.0.0.1") == 1  # the address still counts


def test_bucket_allows_a_burst_then_the_rate() -> None:
    clock = FakeClock(0.0)
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.advance(0.5)
    assert bucket.take() is True
    assert bucket.take() is False
    clock.advance(100)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]  # never over burst


def test_memory_is_bounded_by_the_failures_in_one_window() -> None:
    clock = FakeClock(0.0)
    limiter = SignInLimiter(3, 60.0, clock, sweep_at=100)
    for i in range(1000):
        limiter.failed(f"account{i}", f"10.0.{i // 256}.{i % 256}")
        clock.advance(1.0)
    # 60 failures in the last minute, three keys each: at most twice that stays, not 3000.
    assert len(limiter) <= 2 * 180 + 3
    assert limiter.retry_after("account999", "10.0.3.231") == 0
    limiter.failed("account999", "10.0.3.231")
    limiter.failed("account999", "10.0.3.231")
    assert limiter.retry_after("account999", "10.0.3.231") > 0  # recent failures all kept
    asked = len(limiter)
    assert limiter.retry_after("new", "10.9.9.9") == 0
    assert len(limiter) == asked  # asking does not make a key


def test_a_window_limit_counts_per_kind_and_key_and_frees_as_events_leave() -> None:
    clock = FakeClock(0.0)
    limits = WindowLimits({"customer": 3, "address": 5}, 3600.0, clock)
    for _ in range(3):
        assert limits.take({"customer": "c1", "address": "10.0.0.1"}) is None
        clock.advance(60)
    # c1 has had its three; the oldest leaves the window 3600 s after it came.
    assert limits.take({"customer": "c1", "address": "10.0.0.1"}) == ("customer", 3600 - 180)
    assert limits.retry_after("address", "10.0.0.1") == 0  # nothing was counted
    assert limits.take({"customer": "c2", "address": "10.0.0.1"}) is None
    assert limits.take({"customer": "c3", "address": "10.0.0.1"}) is None
    # The address has had five, across customers: a sixth customer waits too.
    kind, wait = limits.take({"customer": "c4", "address": "10.0.0.1"}) or ("", 0)
    assert (kind, wait) == ("address", 3600 - 180)
    assert limits.take({"address": "10.0.0.2"}) is None  # another address is not touched
    clock.advance(3600 - 180)
    assert limits.take({"customer": "c1", "address": "10.0.0.1"}) is None


def test_giving_back_undoes_a_take() -> None:
    clock = FakeClock(0.0)
    limits = WindowLimits({"address": 2}, 3600.0, clock)
    for _ in range(10):  # repeated or refused creates cost nothing
        assert limits.take({"address": "a"}) is None
        limits.give_back({"address": "a"})
    assert len(limits) == 0
    assert limits.take({"address": "a"}) is None
    assert limits.take({"address": "a"}) is None
    assert limits.take({"address": "a"}) == ("address", 3600)


def test_window_limit_memory_is_bounded_by_one_window() -> None:
    clock = FakeClock(0.0)
    limits = WindowLimits({"address": 5}, 60.0, clock, sweep_at=100)
    for index in range(10_000):
        limits.take({"address": f"10.{index}"})
        clock.advance(1.0)
    assert len(limits) <= 200


def test_connection_limits_count_open_sockets_per_kind_and_key() -> None:
    limits = ConnectionLimits({"address": 3, "request": 2})
    assert limits.open("request", "r1") and limits.open("request", "r1")
    assert not limits.open("request", "r1")  # a third socket on one request is refused
    assert limits.count("request", "r1") == 2  # and not counted
    assert limits.open("request", "r2")  # other requests are not touched
    limits.close("request", "r1")
    assert limits.open("request", "r1")  # one closed: room for one
    assert [limits.open("address", "10.0.0.1") for _ in range(4)] == [True, True, True, False]
    for _ in range(3):
        limits.close("address", "10.0.0.1")
    limits.close("address", "10.0.0.1")  # a close too many is harmless
    assert limits.count("address", "10.0.0.1") == 0
    limits.close("request", "r1")
    limits.close("request", "r1")
    limits.close("request", "r2")
    assert len(limits) == 0  # keys are forgotten at zero
