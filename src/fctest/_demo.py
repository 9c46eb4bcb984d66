"""``fctest demo``: one neutral request with awkward tools, built for every adapter.

It shows in a few lines what fctest is for: the same tools meet different rules per provider,
and fctest fits them (or refuses them) before anything is sent. Offline: nothing is sent.
"""

from __future__ import annotations

from typing import TextIO

from ._exceptions import IncompatibleToolError, UsageError
from ._messages import Message, Request
from ._tools import Tool
from .dialect import fit_request
from .providers import adapter_names, get_adapter

__all__ = ["run_demo"]

DEMO_TOOLS = (
    Tool(
        name="get_weather",
        description="Current weather for a city.",
        parameters={
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["c", "f"]},
            },
            "required": ["city"],
        },
        strict=True,
    ),
    Tool(
        name="calendar.create_event",
        description="Create an event.",
        parameters={
            "type": "object",
            "properties": {
                "title": {"type": "string", "minLength": 1},
                "attendees": {"type": "array", "items": {"type": "string", "format": "email"}},
                "priority": {"type": "integer", "enum": [1, 2, 3]},
            },
            "required": ["title"],
        },
    ),
    Tool(name="ping", description="No arguments."),
)


def run_demo(providers: list[str] | None, *, out: TextIO) -> int:
    names = providers or adapter_names()
    request = Request(
        model="demo-model",
        messages=(Message.user("What's the weather in Paris, and book lunch?"),),
        tools=DEMO_TOOLS,
        tool_choice="auto",
    )
    if not names:
        out.write("no adapters registered\n")
        return 1
    failures = 0
    for name in names:
        adapter = get_adapter(name)
        config = adapter.config_type(api_key="demo-key", base_url="https://example.invalid")
        try:
            http = adapter.build_request(request, config)
            fitted = fit_request(request, adapter.profile, provider=name).tools
        except IncompatibleToolError as exc:
            out.write(f"{name:18} refused before sending: {exc}\n")
            continue
        except UsageError as exc:
            failures += 1
            out.write(f"{name:18} error: {exc}\n")
            continue
        out.write(f"{name:18} {http.method} {http.url} ({len(http.body)} bytes)\n")
        for f in fitted:
            for change in f.changes:
                where = change.pointer or "/"
                out.write(f"{'':18}   {f.tool.name} {where} {change.keyword}: {change.reason}\n")
    return 1 if failures else 0
