"""Provider adapters and responders: the contracts and the registry.

An ``Adapter`` is the client's side of one wire format (four sans-I/O methods); a ``Responder``
is the provider's side (what its API would answer), registered beside it for the reference
server and the round-trip tests. Profiles, the data each differs by, live in
``fctest.dialect``.

Built-in adapters live in one lookup table and are imported only when asked for; third-party
adapters register through the ``fctest.adapters`` entry-point group (``name = "pkg.mod:Class"``)
and, optionally, their responders through ``fctest.responders`` (an adapter that subclasses a
built-in one answers with that one's responder unless it registers its own). A name claimed
twice is an error naming both owners; an unknown name lists the known ones.
"""

from __future__ import annotations

import importlib
import sys
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from .._exceptions import UnknownAdapterError, UsageError
from ._base import Adapter, Config, StreamDecoder, base_url, check_config, encode_json, json_body
from ._recognise import adapter_for_body, adapter_for_url
from ._responder import Responder

__all__ = [
    "Adapter",
    "Config",
    "Responder",
    "StreamDecoder",
    "adapter_for_body",
    "adapter_for_url",
    "adapter_names",
    "base_url",
    "check_config",
    "encode_json",
    "get_adapter",
    "get_responder",
    "json_body",
    "responder_for",
]

ENTRY_POINT_GROUP = "fctest.adapters"
RESPONDER_GROUP = "fctest.responders"

_OPENAI = "fctest.providers.openai"
# name -> (adapter, responder) as "module:Class", imported only when asked for.
_BUILTINS: dict[str, tuple[str, str]] = {
    "openai": (f"{_OPENAI}:OpenAIAdapter", f"{_OPENAI}:ChatResponder"),
    "openai-responses": (f"{_OPENAI}:OpenAIResponsesAdapter", f"{_OPENAI}:ResponsesResponder"),
    "azure-openai": (f"{_OPENAI}.azure:AzureOpenAIAdapter", f"{_OPENAI}.azure:AzureResponder"),
    "xai": (f"{_OPENAI}.xai:XAIAdapter", f"{_OPENAI}.xai:XAIResponder"),
    "openrouter": (
        f"{_OPENAI}.openrouter:OpenRouterAdapter",
        f"{_OPENAI}.openrouter:OpenRouterResponder",
    ),
    "groq": (f"{_OPENAI}.groq:GroqAdapter", f"{_OPENAI}.groq:GroqResponder"),
    "anthropic": (
        "fctest.providers.anthropic:AnthropicAdapter",
        "fctest.providers.anthropic:AnthropicResponder",
    ),
    "gemini": ("fctest.providers.gemini:GeminiAdapter", "fctest.providers.gemini:GeminiResponder"),
    "ollama": ("fctest.providers.ollama:OllamaAdapter", "fctest.providers.ollama:OllamaResponder"),
}


def _owner(ep: Any) -> str:
    return str(ep.dist.name if ep.dist is not None else ep.value)


def _table(kind: str, group: str, builtins: dict[str, str]) -> dict[str, str]:
    table = dict(builtins)
    owners = dict.fromkeys(table, "fctest (built-in)")
    for ep in entry_points(group=group):
        if ep.name in table:
            raise UsageError(
                f"{kind} name {ep.name!r} is registered twice: by {owners[ep.name]} "
                f"({table[ep.name]}) and by {_owner(ep)} ({ep.value})"
            )
        table[ep.name] = ep.value
        owners[ep.name] = _owner(ep)
    return table


@cache
def _registry() -> dict[str, str]:
    return _table("adapter", ENTRY_POINT_GROUP, {n: pair[0] for n, pair in _BUILTINS.items()})


@cache
def _responders() -> dict[str, str]:
    return _table("responder", RESPONDER_GROUP, {n: pair[1] for n, pair in _BUILTINS.items()})


def _load(kind: str, name: str, target: str, base: type[Any]) -> type[Any]:
    module_name, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        # A third-party entry point naming a missing module or class: say which one.
        raise UsageError(f"{kind} {name!r} ({target}) cannot be loaded: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise UsageError(
            f"{kind} {name!r} ({target}) is not a fctest.providers.{base.__name__} subclass"
        )
    return cls


def adapter_names() -> list[str]:
    """Every registered adapter name, sorted."""
    return sorted(_registry())


@cache
def get_adapter(name: str) -> Adapter:
    """The adapter registered under ``name`` (adapters are stateless; one instance is shared)."""
    table = _registry()
    try:
        target = table[name]
    except KeyError:
        raise UnknownAdapterError(
            f"no adapter named {name!r}; known adapters: {', '.join(sorted(table)) or '(none)'}"
        ) from None
    adapter: Adapter = _load("adapter", name, target, Adapter)()
    return adapter


@cache
def get_responder(name: str) -> Responder[Any]:
    """The responder (the provider's side) of the adapter registered under ``name``."""
    return responder_for(get_adapter(name))


def responder_for(adapter: Adapter) -> Responder[Any]:
    """``adapter``'s responder: the one registered under its name (when ``adapter`` is that
    name's adapter or a subclass of it), else that of the nearest built-in adapter it
    subclasses; ``UsageError`` when it has none."""
    name = adapter.name
    target = None
    if name in _registry() and isinstance(adapter, type(get_adapter(name))):
        target = _responders().get(name)
    target = target or _inherited(type(adapter))
    if target is None:
        raise UsageError(
            f"adapter {name!r} has no responder: the provider's side (what its API would "
            f"answer) is registered under the {RESPONDER_GROUP!r} entry-point group"
        )
    responder: Responder[Any] = _load("responder", name, target, Responder)(adapter)
    return responder


def _inherited(cls: type[Adapter]) -> str | None:
    """The responder of the nearest built-in adapter class in ``cls``'s MRO. A class can only
    subclass a built-in whose module is imported already, so nothing new is imported."""
    by_class: dict[type[Any], str] = {}
    for adapter, responder in _BUILTINS.values():
        module_name, _, attr = adapter.partition(":")
        module = sys.modules.get(module_name)
        found = getattr(module, attr, None) if module is not None else None
        if isinstance(found, type):
            by_class[found] = responder
    return next((by_class[k] for k in cls.__mro__ if k in by_class), None)
