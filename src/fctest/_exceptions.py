"""Every error fctest raises, in one tree (re-exported as ``fctest.errors``).

::

    FctestError
    ├── UsageError                   the caller asked for something that cannot work
    │   ├── IncompatibleToolError    a tool the provider would reject (provider, tool, JSON pointer)
    │   ├── UnknownAdapterError      no adapter registered under that name
    │   └── CassetteFormatError      a file that is not a cassette in any format fctest reads
    ├── ToolArgumentsError           arguments that fail the tool's schema (every failing pointer)
    ├── ToolExecutionError           a tool handler raised
    ├── RunLimitExceeded             the tool loop hit a run limit (``limit`` names it)
    │   └── MaxStepsExceeded         ... ran out of steps
    ├── CassetteError                a cassette fails the test (``path``; also an AssertionError)
    │   ├── CassetteMissing          record mode ``none`` and no cassette file
    │   ├── RequestDrift             a request the cassette does not hold (JSON paths that changed)
    │   └── UnplayedInteractions     recorded interactions the test never asked for
    ├── TransportError               the request never got an HTTP answer
    │   ├── ConnectError
    │   └── RequestTimeout
    └── ProviderError                the provider answered with an error (status, body, headers)
        ├── AuthenticationError      401
        ├── PermissionDeniedError    403
        ├── NotFoundError            404
        ├── RateLimitError           429, with ``retry_after``
        ├── BadRequestError          400, 413, 422
        │   ├── ContextLengthError   the prompt does not fit the model
        │   └── ModelOutputError     the *model's* output was rejected (Groq ``tool_use_failed``)
        ├── ServerError              5xx
        │   └── OverloadedError      529 and "overloaded" 503s
        └── ProtocolError            bytes that do not match the provider's format

The caller's mistakes are kept apart from the provider's: a ``UsageError`` is raised before
anything is sent. Messages name the provider, the field or keyword, and what would have worked.
API keys never appear in a message: headers are redacted where an error keeps them.

A ``CassetteError`` is also an ``AssertionError`` (vcrpy's ``errors.py`` does the same for a
cassette mismatch): a request that does not match the recording is a failed expectation, not a
crash, and pytest shows it as a plain failure. Its message says what happened, where the
cassette is and what to run to fix it. The other errors meant to fail a test are defined where
they are raised and join the same root: ``fctest.pytest_plugin``'s ``ConformanceFailure`` (an
adapter did not do what a scenario expects) and ``fctest.compat.IncompatibleToolsError``
(``assert_compatible``). ``tests/test_public_api.py`` checks every exception class fctest
defines descends from ``FctestError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._secrets import REDACTED, SECRET_HEADERS

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "CassetteError",
    "CassetteFormatError",
    "CassetteMissing",
    "ConnectError",
    "ContextLengthError",
    "FctestError",
    "IncompatibleToolError",
    "MaxStepsExceeded",
    "ModelOutputError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "ProtocolError",
    "ProviderError",
    "RateLimitError",
    "RequestDrift",
    "RequestTimeout",
    "RunLimitExceeded",
    "ServerError",
    "ToolArgumentsError",
    "ToolExecutionError",
    "TransportError",
    "UnknownAdapterError",
    "UnplayedInteractions",
    "UsageError",
    "redact_headers",
]


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-cased copy of ``headers`` with every credential replaced by ``"<redacted>"``."""
    return {k.lower(): (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


class FctestError(Exception):
    """Root of every error fctest raises."""


class UsageError(FctestError, ValueError):
    """The caller asked for something that cannot work; nothing was sent."""


class UnknownAdapterError(UsageError, LookupError):
    """No adapter is registered under the requested name."""


class IncompatibleToolError(UsageError):
    """A tool declaration that ``provider`` would reject, found before sending it."""

    def __init__(self, provider: str, tool: str, pointer: str, reason: str) -> None:
        self.provider = provider
        self.tool = tool
        self.pointer = pointer
        self.reason = reason
        where = f" at {pointer}" if pointer else ""
        super().__init__(f"{provider}: tool {tool!r}{where}: {reason}")


class CassetteFormatError(UsageError):
    """A file that is not a cassette in any format fctest reads."""


class ToolArgumentsError(FctestError, ValueError):
    """Arguments that do not validate against the tool's schema.

    ``errors`` holds one ``(json_pointer, message)`` pair for every failing location.
    """

    def __init__(self, tool: str, errors: Sequence[tuple[str, str]]) -> None:
        self.tool = tool
        self.errors = tuple(errors)
        lines = "\n".join(f"  {pointer or '/'}: {message}" for pointer, message in self.errors)
        super().__init__(f"invalid arguments for tool {tool!r}:\n{lines}")


class ToolExecutionError(FctestError):
    """A tool handler raised; the original exception is chained as ``__cause__``."""

    def __init__(self, tool: str, message: str) -> None:
        self.tool = tool
        super().__init__(f"tool {tool!r} failed: {message}")


class RunLimitExceeded(FctestError):
    """The tool loop hit one of its run's limits (``limit``: its name in ``fctest.Limits``)
    before a final answer; ``transcript`` ends with the last turn's results, so it can be
    continued as it is."""

    def __init__(self, limit: str, message: str, transcript: Sequence[Any] = ()) -> None:
        self.limit = limit
        self.transcript = tuple(transcript)
        super().__init__(message)


class MaxStepsExceeded(RunLimitExceeded):
    """The tool loop made ``max_steps`` model calls without reaching a final answer."""

    def __init__(self, max_steps: int, transcript: Sequence[Any] = ()) -> None:
        self.max_steps = max_steps
        super().__init__("max_steps", f"no final answer after {max_steps} model calls", transcript)


class CassetteError(FctestError, AssertionError):
    """Root of the cassette failures; ``path`` is the cassette file."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class CassetteMissing(CassetteError):
    """Record mode ``none`` and the cassette does not exist: the message says how to record it."""


class RequestDrift(CassetteError):
    """The request sent now matches no recorded, unplayed one.

    ``paths`` lists the JSON paths (RFC 6901 pointers into the request body, or ``method`` /
    ``url``) where it differs from the nearest recorded request.
    """

    def __init__(self, message: str, *, path: str = "", paths: tuple[str, ...] = ()) -> None:
        super().__init__(message, path=path)
        self.paths = paths


class UnplayedInteractions(CassetteError):
    """Recorded interactions were never requested: the code sends fewer requests than it did."""

    def __init__(self, message: str, *, path: str = "", indexes: tuple[int, ...] = ()) -> None:
        super().__init__(message, path=path)
        self.indexes = indexes


class TransportError(FctestError):
    """The request did not get an HTTP response (the httpx error is chained).

    ``attempts`` is how many times the client sent the request before giving up.
    """

    retryable = True
    attempts = 1


class ConnectError(TransportError):
    """The connection could not be opened, or was dropped before a response."""


class RequestTimeout(TransportError):
    """No response within the timeout."""


class ProviderError(FctestError):
    """The provider answered with an error.

    ``status`` is the HTTP status (200 for an error sent inside a stream), ``body`` the raw
    body text, ``headers`` the lower-cased response headers with credentials redacted,
    ``code`` the provider's own error code or type when it sent one, and ``retryable`` whether
    sending the same request again may succeed. ``attempts`` is how many times the client sent
    the request before giving up.
    """

    default_retryable = False
    attempts = 1

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int,
        body: str = "",
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.provider = provider
        self.status = status
        self.body = body
        self.headers = redact_headers(headers or {})
        self.code = code
        self.retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after
        label = f"{provider}: HTTP {status}" + (f" ({code})" if code else "")
        super().__init__(f"{label}: {message}")


class AuthenticationError(ProviderError):
    """401: the key is missing, wrong or expired."""


class PermissionDeniedError(ProviderError):
    """403: the key is valid but may not use this model or feature."""


class NotFoundError(ProviderError):
    """404: unknown model, deployment or route."""


class RateLimitError(ProviderError):
    """429: slow down; ``retry_after`` (seconds) when the provider said how long."""

    default_retryable = True


class BadRequestError(ProviderError):
    """400/413/422: the provider rejected the request as sent."""


class ContextLengthError(BadRequestError):
    """The prompt is longer than the model's context window."""


class ModelOutputError(BadRequestError):
    """The provider rejected what the *model* generated (for example a malformed tool call).

    Not retryable as-is: the same request usually fails the same way.
    """


class ServerError(ProviderError):
    """5xx: the provider failed."""

    default_retryable = True


class OverloadedError(ServerError):
    """The provider is overloaded (Anthropic 529, Gemini ``UNAVAILABLE``)."""


class ProtocolError(ProviderError):
    """The bytes do not match the provider's documented format."""

    def __init__(self, provider: str, message: str, *, status: int = 0, body: str = "") -> None:
        super().__init__(message, provider=provider, status=status, body=body[:2000])
