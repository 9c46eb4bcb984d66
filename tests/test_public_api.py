"""The public names are a contract: adding or removing one must be a deliberate change."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import fctest
import fctest.errors

EXPECTED = [
    "Allow",
    "AsyncClient",
    "AsyncMockTransport",
    "AsyncTransport",
    "Client",
    "Deny",
    "Edit",
    "Finished",
    "FunctionExecutor",
    "HttpRequest",
    "HttpResponse",
    "JsonLinesSink",
    "Limits",
    "Message",
    "MockTransport",
    "OutputSchema",
    "ProviderPart",
    "RegisteredTool",
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
    "ToolExecutor",
    "ToolRegistry",
    "ToolResult",
    "ToolResultEvent",
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


def _every_module() -> list[str]:
    names = ["fctest"]
    for info in pkgutil.walk_packages(fctest.__path__, "fctest."):
        if not info.name.endswith("__main__"):  # importing it runs the CLI
            names.append(info.name)
    return names


def test_every_exception_class_the_package_defines_is_an_fctest_error() -> None:
    found = []
    for name in _every_module():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__.startswith("fctest")
            ):
                found.append(value)
    names = {f"{c.__module__}.{c.__qualname__}" for c in found}
    assert {
        "fctest.pytest_plugin._conformance.ConformanceFailure",
        "fctest._exceptions.CassetteError",
        "fctest.compat._report.IncompatibleToolsError",
        "fctest.matrix._files.MatrixFileError",
    } <= names
    strays = sorted(
        f"{c.__module__}.{c.__qualname__}"
        for c in found
        if not issubclass(c, fctest.errors.FctestError)
    )
    assert strays == []


def test_import_fctest_does_not_import_test_tools() -> None:
    code = (
        "import sys, fctest, fctest.providers, fctest.errors\n"
        "bad = sorted(m for m in ('pytest', 'vcr', 'hypothesis', 'respx', 'openai', 'anthropic')"
        " if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
