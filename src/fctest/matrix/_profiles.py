"""What a result's provider profile says about its cell: model families, source, documented value.

Writers of results (the pytest plugin, ``fctest matrix observe``) know the adapter a result is
about; ``with_profile`` fills in what its profile, resolved for the result's model, says: the
families whose rules applied (the matrix's columns), where the declaration behind the cell comes
from (``Profile.sources``), and which of the fields behind the cell use an observed value where
the documentation says another (``Profile.documented``). The registry is imported when first
needed, and a provider that is not installed leaves the result as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from ._results import Result

if TYPE_CHECKING:
    from ..dialect import Profile

__all__ = [
    "CAPABILITY_FIELDS",
    "documented_of",
    "documented_values",
    "fields_of",
    "resolved_profile",
    "source_of",
    "with_profile",
]

CAPABILITY_FIELDS: dict[str, tuple[str, ...]] = {
    "tool_call": ("tool_name_pattern", "tool_name_max_length", "description_max_length"),
    "disable_parallel": ("parallel_call_control",),
    "tool_choice_auto": ("tool_choice",),
    "tool_choice_none": ("tool_choice",),
    "tool_choice_required": ("tool_choice",),
    "tool_choice_named": ("tool_choice",),
    "zero_argument_tool": ("requires_parameters",),
    "many_tools": ("max_tools",),
    "tool_result_roundtrip": ("argument_encoding",),
    "streaming": ("streams_arguments",),
    "streaming_parallel": ("streams_arguments",),
    "structured_output": ("structured_output", "output_strictness"),
    "structured_output_with_tools": ("structured_output", "structured_output_with_tools"),
    "strict_tools": ("strict_mode", "strict_default", "strict_enforced"),
    "cross_provider_history": ("id_rule",),
    "call_ids": ("tool_call_ids", "id_rule"),
    "retry": ("retry_headers",),
}
"""The profile fields a capability's declaration rests on (the same fields
``fctest.scenarios.unsupported_reason`` reads for a scenario's needs, plus those a recording is
compared with)."""


def fields_of(capability: str) -> tuple[str, ...]:
    """The profile fields (or ``sources`` keys) behind ``capability``'s cell."""
    if capability.startswith("keyword:"):
        # ``keyword:<name>`` or, for one kind of value, ``keyword:<name>=<case>``.
        keyword = capability.removeprefix("keyword:").partition("=")[0]
        return (f"keywords.{keyword}", "strict_keywords", "keywords")
    return CAPABILITY_FIELDS.get(capability, ())


def resolved_profile(provider: str, model: str | None) -> Profile | None:
    """``provider``'s profile resolved for ``model`` (its own without a model), or ``None``
    when no adapter of that name is installed."""
    from .._exceptions import UsageError
    from ..providers import get_adapter

    try:
        profile = get_adapter(provider).profile
    except UsageError:
        return None
    return profile if model is None else profile.for_model(model)


def source_of(sources: Mapping[str, str], capability: str) -> str | None:
    """The first non-empty ``sources`` entry of the fields behind ``capability``."""
    return next((sources[f] for f in fields_of(capability) if sources.get(f)), None)


def documented_values(profile: Profile, names: Iterable[str]) -> dict[str, Any]:
    """``field -> {"profile": value, "documented": value}`` for those of ``names`` that the
    profile documents with another value than it uses."""
    known = {f.name for f in fields(profile)}
    return {
        name: {"profile": _plain(getattr(profile, name)), "documented": _plain(value)}
        for name, value in profile.documented.items()
        if name in names and name in known
    }


def documented_of(values: Mapping[str, Any], capability: str) -> dict[str, Any] | None:
    """The entries of ``values`` (``documented_values``) behind ``capability``'s cell."""
    found = {k: v for k, v in values.items() if k in fields_of(capability)}
    return found or None


def _plain(value: Any) -> Any:
    """A JSON-ready form of a profile value (sets sorted, tuples as lists, rules as dicts)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return as_dict()
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    return value


def with_profile(result: Result) -> Result:
    """``result`` with its model families, and (for declared or real evidence) the source of
    the declaration and any documented-vs-observed fields behind its cell, from the installed
    profile of its provider. Fields already set are kept."""
    profile = resolved_profile(result.provider, result.model)
    if profile is None:
        return result
    changes: dict[str, Any] = {}
    if result.families is None:
        changes["families"] = tuple(profile.model_families)
    if result.kind != "emulated" and result.source is None:
        changes["source"] = source_of(profile.sources, result.capability)
    if result.documented is None:
        changes["documented"] = documented_of(
            documented_values(profile, profile.documented), result.capability
        )
    return replace(result, **changes)
