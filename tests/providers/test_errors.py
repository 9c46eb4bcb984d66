"""Status -> error class, the retry rule, and retry-after from every header style
(docs/dialects.md#errors, docs/dialects.md#retry-sdk)."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ModelOutputError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    ServerError,
)
from fctest.providers._errors import parse_duration, provider_error, retry_after

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (400, BadRequestError, False),
        (401, AuthenticationError, False),
        (402, ProviderError, False),
        (403, PermissionDeniedError, False),
        (404, NotFoundError, False),
        (408, ProviderError, True),
        (409, ProviderError, True),
        (413, BadRequestError, False),
        (418, ProviderError, False),
        (422, BadRequestError, False),
        (424, ProviderError, False),
        (429, RateLimitError, True),
        (500, ServerError, True),
        (502, ServerError, True),
        (503, ServerError, True),
        (504, ServerError, True),
        (529, OverloadedError, True),
        (599, ServerError, True),
    ],
)
def test_status_to_class_and_retry_flag(
    status: int, cls: type[ProviderError], retryable: bool
) -> None:
    e = provider_error("acme", status, "went wrong", body='{"e":1}', code="c")
    assert type(e) is cls
    assert e.retryable is retryable
    assert e.status == status
    assert e.provider == "acme"
    assert e.body == '{"e":1}'
    assert e.code == "c"
    assert str(e) == f"acme: HTTP {status} (c): went wrong"


def test_empty_message_says_the_status() -> None:
    assert provider_error("acme", 503, "").message == "HTTP 503"


@pytest.mark.parametrize(
    ("kind", "status", "retryable"),
    [
        (ContextLengthError, 400, False),
        (ModelOutputError, 400, False),
        (OverloadedError, 503, True),
        (RateLimitError, 200, True),  # an error event inside a 200 stream
        (ServerError, 200, True),
        (BadRequestError, 200, False),
    ],
)
def test_kind_overrides_the_status(kind: type[ProviderError], status: int, retryable: bool) -> None:
    e = provider_error("acme", status, "m", kind=kind)
    assert type(e) is kind
    assert e.retryable is retryable
    assert e.status == status


@pytest.mark.parametrize("kind", [ModelOutputError, ContextLengthError])
@pytest.mark.parametrize("status", [400, 429, 500, 503])
def test_model_output_and_context_length_are_never_retryable(
    kind: type[ProviderError], status: int
) -> None:
    assert provider_error("acme", status, "m", kind=kind).retryable is False


def test_retryable_override() -> None:
    assert provider_error("acme", 500, "m", retryable=False).retryable is False
    assert provider_error("acme", 400, "m", retryable=True).retryable is True
    assert provider_error("acme", 400, "m", kind=ModelOutputError, retryable=True).retryable


def test_headers_are_kept_redacted() -> None:
    e = provider_error(
        "acme", 401, "bad key", headers={"x-api-key": "sk-secret", "request-id": "req_1"}
    )
    assert e.headers == {"x-api-key": "<redacted>", "request-id": "req_1"}
    assert "sk-secret" not in repr(e) + str(e)


# --- retry-after ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("6s", 6.0),
        ("12ms", 0.012),
        ("1m30.5s", 90.5),
        ("1h2m3s", 3723.0),
        ("6m0s", 360.0),
        ("0.5s", 0.5),
        ("2", 2.0),
        ("2.5", 2.5),
        (" 7s ", 7.0),
        ("0", 0.0),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text", ["", "soon", "6 s", "6x", "s", "ms", "1m30", "-3", "-1s", "nan", "inf", "1e999"]
)
def test_parse_duration_garbage(text: str) -> None:
    assert parse_duration(text) is None


def test_retry_after_ms_wins() -> None:
    headers = {"retry-after-ms": "1500", "retry-after": "9", "x-ratelimit-reset-requests": "1m"}
    assert retry_after(headers, now=NOW) == 1.5


def test_retry_after_seconds() -> None:
    assert retry_after({"retry-after": "20"}, now=NOW) == 20.0
    assert retry_after({"retry-after": "0"}, now=NOW) == 0.0


def test_retry_after_http_date() -> None:
    when = datetime(2026, 3, 1, 12, 0, 30, tzinfo=timezone.utc)
    assert retry_after({"retry-after": format_datetime(when, usegmt=True)}, now=NOW) == 30.0
    assert retry_after({"retry-after": "Sun, 01 Mar 2026 12:01:00 GMT"}, now=NOW) == 60.0
    # a date in the past means "now"
    assert retry_after({"retry-after": "Sun, 01 Mar 2026 11:00:00 GMT"}, now=NOW) == 0.0


def test_bad_retry_after_ms_falls_back() -> None:
    assert retry_after({"retry-after-ms": "soon", "retry-after": "4"}, now=NOW) == 4.0


@pytest.mark.parametrize(
    ("value", "seconds"), [("6s", 6.0), ("12ms", 0.012), ("1m30.5s", 90.5), ("3", 3.0)]
)
def test_openai_style_reset_durations(value: str, seconds: float) -> None:
    for name in ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"):
        assert retry_after({name: value}, now=NOW) == pytest.approx(seconds)


def test_anthropic_rfc3339_resets() -> None:
    for name in (
        "anthropic-ratelimit-requests-reset",
        "anthropic-ratelimit-tokens-reset",
        "anthropic-ratelimit-input-tokens-reset",
        "anthropic-ratelimit-output-tokens-reset",
    ):
        assert retry_after({name: "2026-03-01T12:00:42Z"}, now=NOW) == 42.0
    assert retry_after(
        {"anthropic-ratelimit-tokens-reset": "2026-03-01T13:00:05+01:00"}, now=NOW
    ) == pytest.approx(5.0)
    assert retry_after(
        {"anthropic-ratelimit-tokens-reset": "2026-03-01T12:00:01.500Z"}, now=NOW
    ) == pytest.approx(1.5)
    # already passed: no wait
    assert retry_after({"anthropic-ratelimit-tokens-reset": "2026-03-01T11:59:00Z"}, now=NOW) == 0


def test_the_longest_reset_wins() -> None:
    headers = {
        "x-ratelimit-reset-requests": "12ms",
        "x-ratelimit-reset-tokens": "1m30.5s",
        "anthropic-ratelimit-requests-reset": "2026-03-01T12:00:10Z",
    }
    assert retry_after(headers, now=NOW) == 90.5
    headers["anthropic-ratelimit-output-tokens-reset"] = "2026-03-01T12:02:00Z"
    assert retry_after(headers, now=NOW) == 120.0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"retry-after": "whenever"},
        {"retry-after": "nan"},
        {"retry-after": "-5"},
        {"retry-after-ms": "nan"},
        {"retry-after-ms": "inf"},
        {"retry-after-ms": "1500ms"},
        {"x-ratelimit-reset-tokens": "later"},
        {"x-ratelimit-reset-tokens": "-3"},
        {"x-ratelimit-reset-tokens": "inf"},
        {"anthropic-ratelimit-tokens-reset": "2026-13-45T99:00:00Z"},
        {"x-ratelimit-limit-tokens": "10000"},  # not a reset header
    ],
)
def test_garbage_is_ignored(headers: dict[str, str]) -> None:
    assert retry_after(headers, now=NOW) is None


def test_garbage_next_to_a_good_value() -> None:
    headers = {"x-ratelimit-reset-requests": "garbage", "x-ratelimit-reset-tokens": "2s"}
    assert retry_after(headers, now=NOW) == 2.0
    headers = {"retry-after": "garbage", "x-ratelimit-reset-tokens": "2s"}
    assert retry_after(headers, now=NOW) == 2.0


def test_provider_error_reads_retry_after() -> None:
    e = provider_error("acme", 429, "slow", headers={"retry-after-ms": "250"})
    assert isinstance(e, RateLimitError)
    assert e.retry_after == 0.25
    e = provider_error("acme", 429, "slow", headers={"x-ratelimit-reset-tokens": "6s"})
    assert e.retry_after == 6.0
    e = provider_error("acme", 429, "slow", headers={"retry-after": "9"}, retry_after_seconds=3)
    assert e.retry_after == 3


def test_rate_limit_resets_are_not_a_retry_hint_for_other_errors() -> None:
    # OpenAI sends x-ratelimit-reset-* on every response; on a 500 they say when the token
    # budget refills, not when to retry, so only retry-after counts there.
    headers = {"x-ratelimit-reset-tokens": "1m30s", "x-ratelimit-reset-requests": "6s"}
    assert provider_error("acme", 500, "oops", headers=headers).retry_after is None
    assert provider_error("acme", 400, "bad", headers=headers).retry_after is None
    assert (
        provider_error("acme", 503, "busy", headers={**headers, "retry-after": "2"}).retry_after
        == 2
    )
    assert provider_error("acme", 200, "q", headers=headers, kind=RateLimitError).retry_after == 90


@pytest.mark.parametrize(
    ("status", "header", "retryable"),
    [(500, "false", False), (400, "true", True), (429, "false", False), (500, None, True)],
)
def test_x_should_retry_overrides_the_status_rule(
    status: int, header: str | None, retryable: bool
) -> None:
    headers = {} if header is None else {"x-should-retry": header}
    assert provider_error("p", status, "m", headers=headers).retryable is retryable


def test_an_explicit_retryable_beats_the_header() -> None:
    error = provider_error("p", 429, "quota", headers={"x-should-retry": "true"}, retryable=False)
    assert error.retryable is False
