"""The retry policy on its own: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

import pytest

from fctest import RetryPolicy
from fctest._retry import retryable
from fctest.errors import (
    BadRequestError,
    ConnectError,
    ModelOutputError,
    ProviderError,
    RequestTimeout,
    TransportError,
    UsageError,
)
from fctest.providers._errors import provider_error


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def policy(**changes: object) -> RetryPolicy:
    return RetryPolicy(random=lambda: 0.0, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 529])
def test_retryable_statuses(status: int) -> None:
    assert retryable(provider_error("p", status, "x"))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422])
def test_caller_errors_are_not_retried(status: int) -> None:
    assert not retryable(provider_error("p", status, "x"))


def test_model_output_error_is_not_retried_even_as_a_5xx() -> None:
    assert not retryable(provider_error("p", 400, "tool_use_failed", kind=ModelOutputError))


def test_transport_errors_and_the_non_retryable_one() -> None:
    assert retryable(ConnectError("dropped"))
    assert retryable(RequestTimeout("slow"))
    local = TransportError("bad header")
    local.retryable = False
    assert not retryable(local)
    assert not retryable(ValueError("not ours"))


def test_x_should_retry_header_overrules_the_status() -> None:
    assert not retryable(provider_error("p", 500, "x", headers={"x-should-retry": "false"}))
    assert retryable(provider_error("p", 400, "x", headers={"x-should-retry": "true"}))


def test_backoff_doubles_up_to_the_cap_and_jitter_only_shortens() -> None:
    p = policy(initial_delay=0.5, max_delay=8.0)
    assert [p.backoff(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    jittered = RetryPolicy(random=lambda: 1.0, jitter=0.25)
    assert jittered.backoff(1) == pytest.approx(0.375)
    assert RetryPolicy().backoff(10_000) <= 8.0  # no overflow for absurd attempt numbers


def test_gives_up_after_max_attempts_and_records_them() -> None:
    state = policy(max_attempts=3).start()
    error = provider_error("p", 503, "busy")
    assert state.next_delay(error) == 0.5
    assert state.next_delay(error) == 1.0
    assert state.next_delay(error) is None
    assert error.attempts == 3


def test_non_retryable_error_gives_up_at_once() -> None:
    state = policy().start()
    error = provider_error("p", 400, "bad")
    assert isinstance(error, BadRequestError)
    assert state.next_delay(error) is None
    assert error.attempts == 1


def test_retry_after_is_honoured_as_given() -> None:
    state = policy().start()
    error = provider_error("p", 429, "slow down", headers={"retry-after": "7"})
    assert state.next_delay(error) == 7.0


def test_retry_after_beyond_the_maximum_gives_up() -> None:
    state = policy(max_retry_after=60).start()
    error = provider_error("p", 429, "quota", headers={"retry-after": "3600"})
    assert state.next_delay(error) is None
    assert error.attempts == 1


def test_time_budget_counts_attempts_and_waits() -> None:
    clock = Clock()
    state = policy(max_elapsed=10.0, max_attempts=100, clock=clock).start()
    error: ProviderError = provider_error("p", 500, "x")
    assert state.next_delay(error) == 0.5
    clock.now = 9.5
    assert state.next_delay(error) is None  # 9.5 s spent + a 1 s wait would overrun 10 s
    assert error.attempts == 2
    late = provider_error("p", 429, "x", headers={"retry-after": "5"})
    clock2 = Clock()
    state2 = policy(max_elapsed=4.0, clock=clock2).start()
    assert state2.next_delay(late) is None  # the provider asks for more than the budget left


@pytest.mark.parametrize(
    "bad",
    [
        {"max_attempts": 0},
        {"max_attempts": 1.5},
        {"max_elapsed": -1},
        {"jitter": 2},
        {"initial_delay": -0.1},
    ],
)
def test_invalid_policy_is_a_usage_error(bad: dict[str, object]) -> None:
    with pytest.raises(UsageError, match="RetryPolicy"):
        RetryPolicy(**bad)  # type: ignore[arg-type]


def test_single_attempt_policy_never_retries() -> None:
    state = RetryPolicy(max_attempts=1).start()
    error = ConnectError("x")
    assert state.next_delay(error) is None
    assert error.attempts == 1
