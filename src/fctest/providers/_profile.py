"""A provider's declared capabilities and schema dialect, as data.

The capability matrix and the hypothesis strategies read the same profiles the adapters run on,
so what is declared cannot drift from the code. Provider modules fill a profile with the source
of every value in ``sources`` (field name -> citation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, TypeAlias

__all__ = ["KeywordMode", "Profile", "StrictMode"]

KeywordMode: TypeAlias = Literal["native", "rewritten", "dropped", "rejected"]
"""What an adapter does with a JSON Schema keyword: send it as is, rewrite it into an
equivalent form, drop it with a recorded warning (fctest then checks it client-side), or refuse
the tool locally with ``IncompatibleToolError``."""

StrictMode: TypeAlias = Literal["per_tool", "request", "always", "none"]
"""How constrained decoding is switched on: a flag on each tool, one mode for the whole request
(Gemini ``VALIDATED``), always on (xAI), or not offered."""


@dataclass(frozen=True)
class Profile:
    """What a provider accepts. Every field has a documented default; modules override few."""

    tool_name_pattern: str = r"^[a-zA-Z0-9_-]{1,64}$"
    """Regex a tool name must match (default: OpenAI's, the portable one)."""

    tool_name_max_length: int = 64
    """Longest accepted tool name (default 64, the portable maximum; C04)."""

    max_tools: int | None = 128
    """Most tools in one request; ``None`` when no limit is documented (default 128; C06)."""

    description_max_length: int | None = None
    """Longest accepted tool description; ``None``: no documented limit (default)."""

    empty_description_allowed: bool = True
    """Whether ``""`` may be sent as a description (Bedrock: no; C05). Default ``True``."""

    keywords: Mapping[str, KeywordMode] = field(default_factory=dict)
    """Non-strict mode: what happens to each JSON Schema keyword. A keyword not listed gets
    ``unknown_keyword``. Default: empty (everything ``native``)."""

    unknown_keyword: KeywordMode = "native"
    """Non-strict mode: keywords not in ``keywords`` (default ``native``)."""

    strict_keywords: Mapping[str, KeywordMode] = field(default_factory=dict)
    """Strict mode: like ``keywords``; unlisted ones get ``strict_unknown_keyword``."""

    strict_unknown_keyword: KeywordMode = "native"
    """Strict mode: keywords not in ``strict_keywords`` (default ``native``)."""

    tool_choice: frozenset[Literal["auto", "none", "required", "named"]] = frozenset(
        {"auto", "none", "required", "named"}
    )
    """Which tool_choice modes can be sent (default: all four; C23)."""

    parallel_call_control: bool = True
    """Whether parallel calls can be switched off (default ``True``; C27)."""

    strict_mode: StrictMode = "per_tool"
    """How strict decoding is requested (default ``per_tool``; C18)."""

    strict_default: bool = False
    """What an unmarked tool gets: fctest always sends an explicit value (default ``False``)."""

    max_strict_tools: int | None = None
    """Most strict tools in one request; ``None``: no limit (Anthropic: 20; C20)."""

    structured_output: Literal["native", "tool", "none"] = "native"
    """How a final answer's schema is requested: natively, through a forced tool, or not at all
    (default ``native``)."""

    argument_encoding: Literal["json_string", "object"] = "json_string"
    """How call arguments arrive (default ``json_string``; C28)."""

    tool_call_id_pattern: str | None = None
    """Regex ids must match when replayed to this provider; ``None``: any string (C29)."""

    tool_call_ids: Literal["provider", "generated"] = "provider"
    """``generated``: the provider sends no ids and the adapter makes stable ones (Gemini; C30)."""

    streams_arguments: bool = True
    """Whether argument text arrives in fragments (``False``: whole calls per chunk; C38)."""

    requires_parameters: bool = False
    """Whether a tool must always carry a parameters object (Anthropic, Bedrock; C07)."""

    sources: Mapping[str, str] = field(default_factory=dict)
    """Field name -> where the value comes from (doc URL, SDK file, provider-dialects.md check)."""

    def keyword_mode(self, keyword: str, *, strict: bool) -> KeywordMode:
        if strict:
            return self.strict_keywords.get(keyword, self.strict_unknown_keyword)
        return self.keywords.get(keyword, self.unknown_keyword)

    def evolve(self, **changes: Any) -> Profile:
        """A copy with some fields changed (what OpenAI-compatible vendors do)."""
        if "sources" in changes:
            changes["sources"] = {**self.sources, **changes["sources"]}
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view for the capability matrix."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out
