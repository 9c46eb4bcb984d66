"""Model families: what one family of models changes in its provider's profile, as data.

Providers differ per model, not only per provider: OpenAI's reasoning models refuse
``parallel_tool_calls``, strict tools exist only from Claude 4.5 on, Gemini 2.x refuses a JSON
response type next to tools, Groq constrains decoding only on gpt-oss. A ``ModelRule`` names a
family, the model names it covers (shell-style patterns) and the profile fields it changes,
with the source that says so. ``Profile.for_model`` applies a provider's rules in order (a
later rule wins where two change one field); a model no rule covers gets the provider's
documented defaults, and the resolved profile says so (``model_families`` is empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["ModelRule", "normalise_model"]


def normalise_model(model: str) -> str:
    """The name rules are matched against: lower case, without Gemini's ``models/`` prefix."""
    name = model.strip().lower()
    return name.removeprefix("models/")


@dataclass(frozen=True)
class ModelRule:
    """A family of models and what it changes in its provider's profile.

    ``patterns`` are shell-style patterns over the normalised model name (``"o3*"``,
    ``"claude-*-4-5*"``, ``"openai/gpt-oss-*"``); ``changes`` maps profile fields to the
    family's values (empty for a family that only marks models as known, with the provider's
    defaults); ``source`` is where the rule is written down (a ``docs/dialects.md`` anchor or an
    official URL), and becomes the source of every field it changes.
    """

    family: str
    patterns: tuple[str, ...]
    changes: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.patterns, str):
            object.__setattr__(self, "patterns", (self.patterns,))

    def matches(self, model: str) -> bool:
        name = normalise_model(model)
        return any(fnmatchcase(name, pattern) for pattern in self.patterns)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view for the capability matrix."""
        return {
            "family": self.family,
            "patterns": list(self.patterns),
            "changes": {k: _plain(v) for k, v in self.changes.items()},
            "source": self.source,
        }

    def __hash__(self) -> int:
        return hash((self.family, self.patterns, freeze(self.changes), self.source))


def freeze(value: Any) -> Any:
    """A hashable stand-in for a JSON-like value (mappings and sequences become tuples)."""
    if isinstance(value, Mapping):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(freeze(v) for v in value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value
