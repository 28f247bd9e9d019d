"""Sign-in failures per IP and per account, and frames per socket, on a FakeClock."""

from __future__ import annotations

from tapline.engine import FakeClock
from tapline.ratelimit import SignInLimiter, TokenBucket


def test_failures_within_the_window_block_until_the_oldest_expires() -> None:
    clock = FakeClock(1000.0)
    limiter = SignInLimiter(3, 300.0, clock)
    for _ in range(2):
        limiter.failed("ip:1", "account:a")
        clock.advance(10)
    assert limiter.retry_after("ip:1", "account:a") == 0
    limiter.failed("ip:1", "account:a")
    # The first failure leaves the window at 1300, 280 s from now: rounded up, never down.
    assert limiter.retry_after("ip:1") == 281
    assert limiter.retry_after("account:a") == 281
    assert limiter.retry_after("ip:2", "account:b") == 0  # others are not affected
    clock.advance(279.5)
    assert limiter.retry_after("ip:1") == 1
    clock.advance(0.5)
    assert limiter.retry_after("ip:1") == 0  # one failure left the window


def test_the_longest_wait_of_the_keys_counts() -> None:
    clock = FakeClock(0.0)
    limiter = SignInLimiter(1, 100.0, clock)
    limiter.failed("ip:1")
    clock.advance(50)
    limiter.failed("account:a")
    assert limiter.retry_after("ip:1", "account:a") == 101


def test_success_clears_the_account_not_the_ip() -> None:
    clock = FakeClock(0.0)
    limiter = SignInLimiter(2, 60.0, clock)
    limiter.failed("ip:1", "account:a")
    limiter.failed("ip:1", "account:a")
    limiter.succeeded("account:a")
    assert limiter.retry_after("account:a") == 0
    assert limiter.retry_after("ip:1") > 0


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
        limiter.failed(f"ip:{i}", f"account:{i}")
        clock.advance(1.0)
    # 120 keys failed in the last minute; at most twice that stays, not all 2000.
    assert len(limiter) <= 2 * 120 + 2
    assert limiter.retry_after("ip:999") == 0
    limiter.failed("ip:999")
    limiter.failed("ip:999")
    assert limiter.retry_after("ip:999") > 0  # a recent key's failures are all still there
    asked = len(limiter)
    assert limiter.retry_after("ip:new", "account:new") == 0
    assert len(limiter) == asked  # asking does not make a key
