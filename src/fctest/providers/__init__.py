"""Provider adapters: the contract and the registry (profiles live in ``fctest.dialect``).

Built-in adapters live in one lookup table and are imported only when asked for; third-party
adapters register through the ``fctest.adapters`` entry-point group (``name = "pkg.mod:Class"``).
A name claimed twice is an error naming both owners; an unknown name lists the known ones.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points

from .._exceptions import UnknownAdapterError, UsageError
from ._base import Adapter, Config, StreamDecoder

__all__ = ["Adapter", "Config", "StreamDecoder", "adapter_names", "get_adapter"]

ENTRY_POINT_GROUP = "fctest.adapters"

# name -> "module:Class". Filled as the adapters land (one module per provider).
_BUILTINS: dict[str, str] = {
    "openai": "fctest.providers.openai:OpenAIAdapter",
    "openai-responses": "fctest.providers.openai_responses:OpenAIResponsesAdapter",
    "azure-openai": "fctest.providers.azure:AzureOpenAIAdapter",
    "xai": "fctest.providers.xai:XAIAdapter",
    "openrouter": "fctest.providers.openrouter:OpenRouterAdapter",
    "groq": "fctest.providers.groq:GroqAdapter",
    "anthropic": "fctest.providers.anthropic:AnthropicAdapter",
    "gemini": "fctest.providers.gemini:GeminiAdapter",
}


@cache
def _registry() -> dict[str, str]:
    table = dict(_BUILTINS)
    owners = dict.fromkeys(table, "fctest (built-in)")
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        owner = ep.dist.name if ep.dist is not None else ep.value
        if ep.name in table:
            raise UsageError(
                f"adapter name {ep.name!r} is registered twice: by {owners[ep.name]} "
                f"({table[ep.name]}) and by {owner} ({ep.value})"
            )
        table[ep.name] = ep.value
        owners[ep.name] = owner
    return table


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
    module_name, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        # A third-party entry point naming a missing module or class: say which adapter.
        raise UsageError(f"adapter {name!r} ({target}) cannot be loaded: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise UsageError(f"adapter {name!r} ({target}) is not a fctest.providers.Adapter subclass")
    return cls()
