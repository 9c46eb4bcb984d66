"""The public names are a contract: adding or removing one must be a deliberate change."""

from __future__ import annotations

import subprocess
import sys

import fctest
import fctest.errors

EXPECTED = [
    "AsyncClient",
    "AsyncMockTransport",
    "AsyncTransport",
    "Client",
    "Finished",
    "HttpRequest",
    "HttpResponse",
    "Message",
    "MockTransport",
    "OutputSchema",
    "ProviderPart",
    "Request",
    "Response",
    "RetryPolicy",
    "RunResult",
    "StreamEvent",
    "TextDelta",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "ToolCallFinished",
    "ToolCallStarted",
    "ToolResult",
    "Transport",
    "Usage",
    "__version__",
    "adapter_names",
    "errors",
    "get_adapter",
    "tool",
]


def test_all_is_pinned_and_sorted() -> None:
    assert fctest.__all__ == EXPECTED
    assert sorted(fctest.__all__) == fctest.__all__


def test_every_exported_name_exists() -> None:
    for name in fctest.__all__:
        assert hasattr(fctest, name), name
    for name in fctest.errors.__all__:
        assert issubclass(getattr(fctest.errors, name), Exception)


def test_errors_share_one_root() -> None:
    for name in fctest.errors.__all__:
        assert issubclass(getattr(fctest.errors, name), fctest.errors.FctestError)


def test_import_fctest_does_not_import_test_tools() -> None:
    code = (
        "import sys, fctest, fctest.providers, fctest.errors\n"
        "bad = sorted(m for m in ('pytest', 'vcr', 'hypothesis', 'respx', 'openai', 'anthropic')"
        " if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
