"""The one request ``fctest check`` builds per adapter: offline, with the adapter's own code.

Private: shared by ``fctest.compat`` (verdicts) and ``fctest.compat._keywords`` (the keyword
table). A tool counts as accepted only if both the adapter's ``build_request`` and the fitting
of its schema succeed, exactly as a real call would run them; nothing is sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from .._exceptions import UsageError
from .._messages import Message, Request
from .._tools import Tool
from ..dialect import FittedTool, fit_request
from ..providers import Adapter, Config, adapter_names, get_adapter

__all__ = ["fit_offline", "selected_adapters"]

_MODEL = "fctest-check"
_USER = Message.user("fctest check")


def selected_adapters(providers: Iterable[str] | None) -> list[Adapter]:
    """The adapters named (each once, in order), or every registered one."""
    names = list(providers) if providers is not None else adapter_names()
    if not names:
        raise UsageError("no providers selected")
    return [get_adapter(n) for n in dict.fromkeys(names)]


def fit_offline(
    adapter: Adapter, tools: tuple[Tool, ...], model: str | None = None
) -> tuple[FittedTool, ...]:
    """``tools`` as ``adapter`` would send them in one request for ``model`` (default: a
    model no rule knows, so the provider's documented defaults), raising what it would
    raise."""
    request = Request(model=model or _MODEL, messages=(_USER,), tools=tools)
    adapter.build_request(request, _config(adapter))
    return fit_request(request, adapter.profile, provider=adapter.name).tools


def _config(adapter: Adapter) -> Config:
    # Only the body matters here: any base URL satisfies adapters that need one (Azure).
    return adapter.config_type(base_url=adapter.profile.base_url or "https://fctest.invalid")
