"""When to send a failed request again, and how long to wait first.

What is retryable is decided where the error is made (``providers/_errors.py`` sets
``ProviderError.retryable`` from the status: 408, 409, 429, >=500 and 529, minus the caller's and
the model's mistakes; transports mark connection failures and timeouts), so this module only
reads ``error.retryable``. The server can overrule it with ``x-should-retry: true|false``, which
the OpenAI and Anthropic APIs send (``anthropic/_base_client.py`` ``_should_retry``).

The waits follow the official SDKs (``openai/_constants.py``, ``openai/_base_client.py``
``_calculate_retry_timeout``): 0.5 s doubling up to 8 s, each shortened by a random 0-25 %, and a
server's ``retry-after`` honoured as given up to two minutes. A longer ``retry-after`` or one
that would overrun the time budget ends the retries at once: waiting less than the provider
asked only spends an attempt on a certain refusal.

Sleeping and the clock are injected (``sleep``, ``async_sleep``, ``clock``, ``random``) so tests
do not wait.
"""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ._exceptions import ProviderError, TransportError, UsageError

__all__ = ["RetryPolicy", "RetryState", "retryable"]


def retryable(error: BaseException) -> bool:
    """Whether sending the same request again may succeed."""
    if isinstance(error, ProviderError):
        should = error.headers.get("x-should-retry")
        if should == "true":
            return True
        if should == "false":
            return False
        return bool(error.retryable)
    if isinstance(error, TransportError):
        return bool(error.retryable)
    return False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times and for how long a failed request is sent again.

    ``max_attempts`` counts every send, the first included (``1`` switches retries off; the
    default 3 is the SDKs' two retries). ``max_elapsed`` is the budget in seconds for all
    attempts and waits together. A wait is ``initial_delay * multiplier ** n`` capped at
    ``max_delay``, shortened by up to ``jitter`` (a fraction), unless the provider's
    ``retry_after`` (at most ``max_retry_after`` seconds) says otherwise.
    """

    max_attempts: int = 3
    max_elapsed: float = 300.0
    initial_delay: float = 0.5
    max_delay: float = 8.0
    multiplier: float = 2.0
    jitter: float = 0.25
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    async_sleep: Callable[[float], Awaitable[None]] = field(
        default=asyncio.sleep, compare=False, repr=False
    )
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)
    random: Callable[[], float] = field(default=_random.random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise UsageError(f"RetryPolicy.max_attempts must be >= 1, got {self.max_attempts!r}")
        for name in ("max_elapsed", "initial_delay", "max_delay", "max_retry_after"):
            if getattr(self, name) < 0:
                raise UsageError(f"RetryPolicy.{name} must be >= 0, got {getattr(self, name)!r}")
        if not 0 <= self.jitter <= 1:
            raise UsageError(f"RetryPolicy.jitter must be between 0 and 1, got {self.jitter!r}")

    def start(self) -> RetryState:
        """Bookkeeping for one request (call before its first attempt)."""
        return RetryState(self)

    def backoff(self, retry: int) -> float:
        """The wait before retry number ``retry`` (1 for the first), jitter applied."""
        delay = min(self.initial_delay * self.multiplier ** min(retry - 1, 1000), self.max_delay)
        return max(0.0, delay * (1 - self.jitter * self.random()))


class RetryState:
    """One request's attempts so far; ``next_delay`` decides about the next one."""

    __slots__ = ("attempts", "policy", "started")

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.attempts = 0
        self.started = policy.clock()

    def next_delay(self, error: BaseException) -> float | None:
        """Seconds to wait before sending again, or ``None`` to give up on ``error``.

        Call once per failed attempt; giving up records the attempt count on the error.
        """
        self.attempts += 1
        delay = self._delay(error)
        if delay is None and isinstance(error, (ProviderError, TransportError)):
            error.attempts = self.attempts
        return delay

    def _delay(self, error: BaseException) -> float | None:
        policy = self.policy
        if self.attempts >= policy.max_attempts or not retryable(error):
            return None
        wait = getattr(error, "retry_after", None)
        if isinstance(wait, (int, float)) and wait > 0:
            if wait > policy.max_retry_after:
                return None
            delay = float(wait)
        else:
            delay = policy.backoff(self.attempts)
        if policy.clock() - self.started + delay > policy.max_elapsed:
            return None
        return delay
