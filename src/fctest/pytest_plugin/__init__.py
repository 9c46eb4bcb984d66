"""fctest's pytest plugin: conformance scenarios replayed from vcrpy cassettes, and recorded.

The plugin itself is ``fctest.pytest_plugin.plugin`` (the ``pytest11`` entry point ``fctest``;
see ``docs/plugin.md``). This package exports the errors a cassette fails a test with, and
``serializer``: fctest's cassette format as a vcrpy serializer, for plain vcrpy or
pytest-recording (``vcr.register_serializer("fctest", serializer)``). Importing the package
imports no pytest, vcrpy, yaml or hypothesis (``serializer`` loads yaml when first asked for).
"""

from __future__ import annotations

from typing import Any

from .._cassettes import CassetteError, CassetteMissing, RequestDrift, UnplayedInteractions

__all__ = [
    "CassetteError",
    "CassetteMissing",
    "RequestDrift",
    "UnplayedInteractions",
    "serializer",
]


def __getattr__(name: str) -> Any:
    if name == "serializer":
        from .._cassettes import serializer

        return serializer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
