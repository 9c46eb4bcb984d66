"""The error tree: its drawing matches the classes, and credentials never leak from an error."""

from __future__ import annotations

import re

import fctest.errors
from fctest import _exceptions
from fctest._exceptions import (
    FctestError,
    IncompatibleToolError,
    MaxStepsExceeded,
    ProtocolError,
    ProviderError,
    RateLimitError,
    ServerError,
    ToolArgumentsError,
    ToolExecutionError,
    TransportError,
    redact_headers,
)
from fctest._secrets import SECRET_HEADERS

SECRET = "sk-live-0123456789abcdef"


def _drawn_tree() -> dict[str, str | None]:
    """Class name -> drawn parent name, read from the module docstring's tree."""
    doc = _exceptions.__doc__
    assert doc is not None
    block = doc.split("::", 1)[1].strip("\n").split("\n\n", 1)[0]
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in block.splitlines():
        match = re.match(r"^(\s*(?:[│ ]   )*(?:[├└]── )?)([A-Za-z]+)", line)
        assert match, f"unreadable tree line: {line!r}"
        prefix, name = match.groups()
        depth = (len(prefix) - 4) // 4  # the block is indented by four spaces
        del stack[depth:]
        parents[name] = stack[-1] if stack else None
        stack.append(name)
    return parents


def test_the_drawing_has_every_error_class() -> None:
    drawn = _drawn_tree()
    assert len(drawn) == 27  # the parser read the whole drawing
    defined = {
        name
        for name, value in vars(_exceptions).items()
        if isinstance(value, type)
        and issubclass(value, FctestError)
        and value.__module__ == _exceptions.__name__
    }
    assert set(drawn) == defined
    exported = {n for n in _exceptions.__all__ if isinstance(getattr(_exceptions, n), type)}
    assert exported == defined


def test_the_drawing_matches_the_class_hierarchy() -> None:
    for name, parent in _drawn_tree().items():
        cls = getattr(_exceptions, name)
        fctest_bases = [b for b in cls.__bases__ if issubclass(b, FctestError)]
        if parent is None:
            assert cls is FctestError
            assert fctest_bases == []
        else:
            # exactly one FctestError base, and it is the drawn parent
            assert [b.__name__ for b in fctest_bases] == [parent], name


def test_public_errors_module_exports_the_tree() -> None:
    drawn = set(_drawn_tree())
    assert set(fctest.errors.__all__) == drawn
    for name in drawn:
        assert getattr(fctest.errors, name) is getattr(_exceptions, name)


def test_usage_errors_are_value_errors() -> None:
    # callers who catch ValueError/LookupError for bad input keep working
    assert issubclass(fctest.errors.UsageError, ValueError)
    assert issubclass(fctest.errors.UnknownAdapterError, LookupError)
    assert issubclass(fctest.errors.ToolArgumentsError, ValueError)
    assert not issubclass(ProviderError, ValueError)


# --- headers and credentials ----------------------------------------------------------------


def test_redact_headers() -> None:
    headers = {
        "Authorization": f"Bearer {SECRET}",
        "X-Api-Key": SECRET,
        "api-key": SECRET,
        "x-goog-api-key": SECRET,
        "Cookie": "session=1",
        "Content-Type": "application/json",
        "Retry-After": "3",
    }
    assert redact_headers(headers) == {
        "authorization": "<redacted>",
        "x-api-key": "<redacted>",
        "api-key": "<redacted>",
        "x-goog-api-key": "<redacted>",
        "cookie": "<redacted>",
        "content-type": "application/json",
        "retry-after": "3",
    }
    assert headers["Authorization"] == f"Bearer {SECRET}"  # the input is not changed


def test_every_secret_header_is_redacted_whatever_its_case() -> None:
    for name in SECRET_HEADERS:
        for spelling in (name, name.upper(), name.title()):
            assert redact_headers({spelling: SECRET}) == {name: "<redacted>"}


def _error(**overrides: object) -> ProviderError:
    kwargs: dict[str, object] = {
        "provider": "openai",
        "status": 429,
        "body": '{"error": {"message": "slow down"}}',
        "headers": {
            "Authorization": f"Bearer {SECRET}",
            "X-API-Key": SECRET,
            "Retry-After": "7",
        },
        "code": "rate_limit_exceeded",
        "retry_after": 7.0,
    }
    kwargs.update(overrides)
    return RateLimitError("slow down", **kwargs)  # type: ignore[arg-type]


def test_provider_error_attributes() -> None:
    e = _error()
    assert e.message == "slow down"
    assert e.provider == "openai"
    assert e.status == 429
    assert e.body == '{"error": {"message": "slow down"}}'
    assert e.code == "rate_limit_exceeded"
    assert e.retry_after == 7.0
    assert e.retryable is True  # RateLimitError's default
    assert e.headers == {
        "authorization": "<redacted>",
        "x-api-key": "<redacted>",
        "retry-after": "7",
    }
    assert str(e) == "openai: HTTP 429 (rate_limit_exceeded): slow down"


def test_provider_error_without_code_or_headers() -> None:
    e = ProviderError("teapot", provider="p", status=418)
    assert str(e) == "p: HTTP 418: teapot"
    assert e.headers == {}
    assert e.body == ""
    assert e.code is None
    assert e.retry_after is None
    assert e.retryable is False


def test_retryable_defaults_and_override() -> None:
    assert ServerError("x", provider="p", status=500).retryable is True
    assert ServerError("x", provider="p", status=500, retryable=False).retryable is False
    assert ProviderError("x", provider="p", status=400, retryable=True).retryable is True
    assert TransportError("x").retryable is True


def test_no_secret_in_str_repr_or_headers() -> None:
    e = _error()
    for text in (str(e), repr(e), repr(e.headers), repr(e.args)):
        assert SECRET not in text
    assert SECRET not in "".join(e.headers.values())


def test_protocol_error() -> None:
    e = ProtocolError("anthropic", "unexpected event 'foo'", status=200, body="x" * 5000)
    assert str(e) == "anthropic: HTTP 200: unexpected event 'foo'"
    assert e.provider == "anthropic"
    assert e.status == 200
    assert e.body == "x" * 2000  # kept short: a stream can be megabytes
    assert e.retryable is False
    assert ProtocolError("p", "bad").status == 0


def test_incompatible_tool_error() -> None:
    e = IncompatibleToolError("gemini", "get_weather", "/properties/x/format", "not supported")
    assert (e.provider, e.tool, e.pointer, e.reason) == (
        "gemini",
        "get_weather",
        "/properties/x/format",
        "not supported",
    )
    assert str(e) == "gemini: tool 'get_weather' at /properties/x/format: not supported"
    assert str(IncompatibleToolError("p", "t", "", "too many")) == "p: tool 't': too many"


def test_tool_arguments_error_lists_every_pointer() -> None:
    e = ToolArgumentsError("f", [("/city", "'x' is too short"), ("", "'n' is required")])
    assert e.tool == "f"
    assert e.errors == (("/city", "'x' is too short"), ("", "'n' is required"))
    assert (
        str(e) == "invalid arguments for tool 'f':\n  /city: 'x' is too short\n  /: 'n' is required"
    )


def test_tool_execution_error_and_max_steps() -> None:
    assert str(ToolExecutionError("f", "boom")) == "tool 'f' failed: boom"
    e = MaxStepsExceeded(3, ["a", "b"])
    assert e.max_steps == 3
    assert e.transcript == ("a", "b")
    assert str(e) == "no final answer after 3 model calls"


def test_cassette_failures_are_assertion_errors_under_the_one_root() -> None:
    import fctest.pytest_plugin

    for name in ("CassetteError", "CassetteMissing", "RequestDrift", "UnplayedInteractions"):
        cls = getattr(fctest.errors, name)
        assert issubclass(cls, FctestError), name
        assert issubclass(cls, AssertionError), name  # pytest shows a plain failure
        assert getattr(fctest.pytest_plugin, name) is cls
    drift = fctest.errors.RequestDrift("drifted", path="c.yaml", paths=("/model",))
    assert (str(drift), drift.path, drift.paths) == ("drifted", "c.yaml", ("/model",))
    unplayed = fctest.errors.UnplayedInteractions("unplayed", path="c.yaml", indexes=(1,))
    assert (unplayed.path, unplayed.indexes) == ("c.yaml", (1,))
    # A file that is not a cassette is the caller's input, not a failed expectation.
    assert issubclass(fctest.errors.CassetteFormatError, fctest.errors.UsageError)
    assert not issubclass(fctest.errors.CassetteFormatError, AssertionError)
