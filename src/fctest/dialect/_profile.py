"""What a provider accepts and how it differs, as data.

The adapters run on their profile, and the capability matrix, ``fctest check`` and the
hypothesis strategies read the same profile, so what is declared cannot drift from the code.
Everything a vendor differs by that can be data lives here (schema dialect, names, limits,
tool_choice, ids, the token field, stream usage, retry headers, environment variables, base
URL); code that needs more than data (an error body's shape, an auth scheme) stays in the
provider's package. Each provider fills ``sources`` (field name -> citation) so every value
says where it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from .._exceptions import UsageError
from ._ids import IdRule
from ._keywords import KeywordMode, ValueRule
from ._models import ModelRule, freeze

if TYPE_CHECKING:
    from ._transformer import DialectTransformer

__all__ = ["OutputStrictness", "Profile", "StrictMode"]


StrictMode: TypeAlias = Literal["per_tool", "request", "always", "none"]
"""How constrained decoding is switched on: a flag on each tool, one mode for the whole request
(Gemini ``VALIDATED``), always on (xAI), or not offered."""

OutputStrictness: TypeAlias = Literal["requested", "always", "never"]
"""Which rules a structured-output schema is fitted with: the strictness the request asks for,
always the strict ones (the provider always constrains it), or never."""


_ANY: Any = object()
"""``keyword_mode`` without a value."""


def _default_transformer() -> type[DialectTransformer]:
    from ._transformer import DialectTransformer

    return DialectTransformer


@dataclass(frozen=True)
class Profile:
    """What a provider accepts. Every field has a documented default; providers override few.

    Profiles compare and hash by value, so a fitting computed for one can be reused for an
    equal one (``fctest.dialect.fit_request``).
    """

    tool_name_pattern: str = r"^[a-zA-Z0-9_-]{1,64}$"
    """Regex a tool name must match (default: OpenAI's, the portable one)."""

    tool_name_max_length: int = 64
    """Longest accepted tool name (default 64, the portable maximum)."""

    max_tools: int | None = 128
    """Most tools in one request; ``None`` when no limit is documented (default 128)."""

    description_max_length: int | None = None
    """Longest accepted tool description; ``None``: no documented limit (default)."""

    empty_description_allowed: bool = True
    """Whether ``""`` may be sent as a description (Bedrock Converse: no, its
    ``ToolSpecification.description`` is a ``NonEmptyString`` in botocore 1.43.11
    ``data/bedrock-runtime/2023-09-30/service-2.json``). Default ``True``."""

    transformer: type[DialectTransformer] = field(default_factory=_default_transformer)
    """The schema dialect: the transformer that applies the keyword modes below and whatever
    strict mode adds (default: the keyword modes only)."""

    keywords: Mapping[str, KeywordMode | ValueRule] = field(default_factory=dict)
    """Non-strict mode: what happens to each JSON Schema keyword, one mode or, when it depends
    on the value, a ``ValueRule``. A keyword not listed gets ``unknown_keyword``. Default: empty
    (everything ``native``)."""

    unknown_keyword: KeywordMode = "native"
    """Non-strict mode: keywords not in ``keywords`` (default ``native``)."""

    strict_keywords: Mapping[str, KeywordMode | ValueRule] = field(default_factory=dict)
    """Strict mode: like ``keywords``; unlisted ones get ``strict_unknown_keyword``."""

    strict_unknown_keyword: KeywordMode = "native"
    """Strict mode: keywords not in ``strict_keywords`` (default ``native``)."""

    tool_choice: frozenset[Literal["auto", "none", "required", "named"]] = frozenset(
        {"auto", "none", "required", "named"}
    )
    """Which tool_choice modes can be sent (default: all four)."""

    parallel_call_control: bool = True
    """Whether parallel calls can be switched off (default ``True``)."""

    strict_mode: StrictMode = "per_tool"
    """How strict decoding is requested (default ``per_tool``)."""

    strict_default: bool = False
    """What an unmarked tool gets: fctest always sends an explicit value (default ``False``)."""

    max_strict_tools: int | None = None
    """Most strict tools in one request; ``None``: no limit (default)."""

    max_strict_optional_params: int | None = None
    """Optional properties across all strict schemas of a request; ``None``: no limit."""

    max_strict_union_params: int | None = None
    """Properties typed with ``anyOf`` or a type array across the strict schemas of a request;
    ``None``: no limit."""

    structured_output: Literal["native", "tool", "none"] = "native"
    """How a final answer's schema is requested: natively, through a forced tool, or not at all
    (default ``native``)."""

    structured_output_with_tools: bool = True
    """Whether a final answer's schema can be asked for in a request that also offers tools
    (default ``True``; Groq and Gemini 2.x: no)."""

    structured_output_streaming: bool = True
    """Whether a final answer's schema can be asked for in a streamed request (default
    ``True``; Groq: no)."""

    strict_enforced: bool = True
    """Whether the provider constrains decoding when strict mode is asked for (default
    ``True``); ``False``: the flag is sent and accepted but only followed on a best-effort
    basis, and fctest's own validation of the arguments is what holds (Groq outside gpt-oss)."""

    output_strictness: OutputStrictness = "requested"
    """Which rules a structured-output schema is fitted with (default ``requested``)."""

    argument_encoding: Literal["json_string", "object"] = "json_string"
    """How call arguments arrive (default ``json_string``)."""

    id_rule: IdRule | None = None
    """What a tool-call id must look like when replayed to this provider; ids that break it
    are remapped, a call and its result alike. ``None``: any string (default)."""

    tool_call_ids: Literal["provider", "generated"] = "provider"
    """``generated``: the provider sends no ids and the adapter makes stable ones (Gemini)."""

    streams_arguments: bool = True
    """Whether argument text arrives in fragments (``False``: whole calls per chunk)."""

    requires_parameters: bool = False
    """Whether a tool must always carry a parameters object (Anthropic:
    docs/dialects.md#parameters-anthropic; Bedrock Converse, whose ``inputSchema`` is required in
    the same botocore file)."""

    max_tokens_field: str = "max_tokens"
    """The body field ``Request.max_output_tokens`` is sent in (default ``max_tokens``)."""

    stream_usage_option: bool = False
    """Whether a stream must ask for its usage (OpenAI ``stream_options.include_usage``)."""

    retry_headers: tuple[str, ...] = ("retry-after",)
    """The retry headers the provider's error answers carry, in the order it sends them
    (the reference server writes them; clients read whichever they know)."""

    base_url: str = ""
    """The provider's default base URL; ``""`` when every user must give one (Azure)."""

    env: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Config field -> environment variables a client may read it from (first one set wins);
    the adapter itself never reads them."""

    documented: Mapping[str, Any] = field(default_factory=dict)
    """Field name -> the documented value, for fields where the profile uses another one that
    real traffic shows (a documented-vs-observed conflict the matrix shows as such). Default:
    none."""

    models: tuple[ModelRule, ...] = ()
    """The provider's model families and what each changes (``for_model``). Default: none."""

    model: str | None = None
    """The model this profile was resolved for by ``for_model``; ``None``: not resolved."""

    model_families: tuple[str, ...] = ()
    """The families whose rules applied when resolving (empty: a model no rule knows, which
    gets the provider's documented defaults)."""

    sources: Mapping[str, str] = field(default_factory=dict)
    """Field name -> where the value comes from (a docs URL, an SDK file, a
    ``docs/dialects.md`` anchor)."""

    def __post_init__(self) -> None:
        settable = {f.name for f in fields(self)} - _NOT_BY_RULE
        for rule in self.models:
            unknown = sorted(set(rule.changes) - settable)
            if unknown:
                raise UsageError(
                    f"model rule {rule.family!r} changes {unknown}, which are not profile "
                    f"fields a rule can set (known: {sorted(settable)})"
                )

    def keyword_mode(self, keyword: str, *, strict: bool, value: Any = _ANY) -> KeywordMode:
        """What happens to ``keyword`` with ``value`` (without a value: the mode of a
        ``ValueRule``'s ``otherwise``, the general case)."""
        entry = self.keyword_entry(keyword, strict=strict)
        if isinstance(entry, ValueRule):
            return entry.otherwise if value is _ANY else entry.mode_for(value)
        return entry

    def keyword_entry(self, keyword: str, *, strict: bool) -> KeywordMode | ValueRule:
        """The profile's declaration for ``keyword``: one mode, or a ``ValueRule``."""
        if strict:
            return self.strict_keywords.get(keyword, self.strict_unknown_keyword)
        return self.keywords.get(keyword, self.unknown_keyword)

    def rejects(self, keyword: str, *, strict: bool) -> bool:
        """Whether ``keyword`` is refused whatever its value."""
        entry = self.keyword_entry(keyword, strict=strict)
        modes = entry.modes() if isinstance(entry, ValueRule) else {entry}
        return modes == {"rejected"}

    def for_model(self, model: str) -> Profile:
        """This profile as it holds for ``model``: every matching ``ModelRule`` applied in order,
        its source recorded for each field it changes. Resolving is cached; a profile already
        resolved for ``model`` is returned as it is."""
        if self.model is not None:
            if self.model == model:
                return self
            raise UsageError(
                f"this profile is already resolved for model {self.model!r}; "
                f"resolve the provider's own profile for {model!r}"
            )
        return _resolve(self, model)

    def strict_for(self, requested: bool | None) -> bool | None:
        """Whether a tool asking for ``requested`` strictness (``None``: unmarked) is fitted
        strict; ``None`` when it asks for strict mode and the provider offers none."""
        if self.strict_mode == "always":
            return True
        if self.strict_mode == "none":
            return None if requested else False
        return self.strict_default if requested is None else requested

    @property
    def tool_call_id_pattern(self) -> str | None:
        """The regex of ``id_rule`` (``None``: any id)."""
        return None if self.id_rule is None else self.id_rule.pattern

    def evolve(self, **changes: Any) -> Profile:
        """A copy with some fields changed (what OpenAI-compatible vendors do); ``sources`` are
        merged, not replaced."""
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
                value = {k: _plain(v) for k, v in value.items()}
            elif f.name == "models":
                value = [rule.as_dict() for rule in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, type):
                value = f"{value.__module__}.{value.__qualname__}"
            elif isinstance(value, IdRule):
                value = value.as_dict()
            out[f.name] = value
        out["tool_call_id_pattern"] = self.tool_call_id_pattern
        return out

    @cached_property
    def _key(self) -> tuple[Any, ...]:
        return tuple(
            v if isinstance(v, (type, IdRule)) or f.name == "models" else freeze(v)
            for f, v in ((f, getattr(self, f.name)) for f in fields(self))
        )

    @cached_property
    def _hash(self) -> int:
        return hash(self._key)

    def __hash__(self) -> int:
        return self._hash


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, ValueRule):
        return value.as_dict()
    return value


# Fields that say what a profile is, not what a model family does.
_NOT_BY_RULE = frozenset({"models", "model", "model_families", "sources"})


@lru_cache(maxsize=1024)
def _resolve(profile: Profile, model: str) -> Profile:
    changes: dict[str, Any] = {}
    sources: dict[str, str] = {}
    families: list[str] = []
    for rule in profile.models:
        if rule.matches(model):
            families.append(rule.family)
            changes.update(rule.changes)
            sources.update(dict.fromkeys(rule.changes, rule.source))
    return replace(
        profile,
        **changes,
        model=model,
        model_families=tuple(families),
        sources={**profile.sources, **sources},
    )
