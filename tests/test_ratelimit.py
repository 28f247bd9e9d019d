"""Sign-in failures per account and address, and frames per socket, on a FakeClock."""

from __future__ import annotations

from tapline.engine import FakeClock
from tapline.ratelimit import SignInLimiter, TokenBucket


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
