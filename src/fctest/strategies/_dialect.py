"""What a dialect accepts: the keywords and constructs ``tool_schemas`` may use for one adapter.

Private: behind ``fctest.strategies``. A keyword whose mode is ``rejected`` in the adapter's
profile is never generated; a construct (an open object, a recursive ``$ref``, a multi-member
``allOf``...) is fitted once to the adapter's profile, and left out if it is refused.
Value-level rules live in the profile's transformer, not in its keyword modes, so fitting an
example is the only way to be sure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from .._exceptions import IncompatibleToolError, UsageError
from .._tools import Tool
from .._types import JSONObject
from ..dialect import fit_tools
from ._names import resolved_profile

if TYPE_CHECKING:
    from ..dialect import Profile

__all__ = ["ANY", "Dialect", "dialect"]

_STR: JSONObject = {"type": "string"}
_ITEM = {"Item": {"type": "object", "properties": {"a": _STR}}}
_NODE_REF = {"type": "array", "items": {"$ref": "#/$defs/Node"}}
_NODE = {"Node": {"type": "object", "properties": {"next": _NODE_REF}}}
_OBJ_A: JSONObject = {"type": "object", "properties": {"a": _STR}}
_OBJ_B: JSONObject = {"type": "object", "properties": {"b": _STR}}


def _probe(schema: Any, defs: JSONObject | None = None) -> JSONObject:
    """A root object whose one property has ``schema``."""
    root: JSONObject = {"type": "object", "properties": {"p": schema}}
    if defs:
        root["$defs"] = defs
    return root


# Constructs tried on an adapter, each with the keywords it needs. A construct is generated for a
# dialect only if none of its keywords is ``rejected`` in the profile and the adapter accepts
# the example (value-level rules live in the transformers, not in the profile).
_CONSTRUCTS: Mapping[str, tuple[tuple[str, ...], JSONObject]] = {
    "open_object": (
        ("additionalProperties",),
        _probe({"type": "object", "additionalProperties": True}),
    ),
    "map_object": (
        ("additionalProperties",),
        _probe({"type": "object", "additionalProperties": _STR}),
    ),
    "closed_object": (
        ("additionalProperties",),
        _probe({"type": "object", "additionalProperties": False}),
    ),
    "free_object": ((), _probe({"type": "object"})),
    "ref": (("$ref", "$defs"), _probe({"$ref": "#/$defs/Item"}, _ITEM)),
    "ref_siblings": (
        ("$ref", "$defs", "description"),
        _probe({"$ref": "#/$defs/Item", "description": "d"}, _ITEM),
    ),
    "recursion": (("$ref", "$defs"), _probe({"$ref": "#/$defs/Node"}, _NODE)),
    "allOf_ref": (("allOf", "$ref", "$defs"), _probe({"allOf": [{"$ref": "#/$defs/Item"}]}, _ITEM)),
    "allOf_merge": (("allOf",), _probe({"allOf": [_OBJ_A, _OBJ_B]})),
    "type_array": (("type",), _probe({"type": ["string", "integer"]})),
    "nullable_type": (("type",), _probe({"type": ["string", "null"]})),
    "nullable_anyOf": (("anyOf",), _probe({"anyOf": [_STR, {"type": "null"}]})),
    "anyOf": (("anyOf",), _probe({"anyOf": [_STR, {"type": "integer"}]})),
    "oneOf": (("oneOf",), _probe({"oneOf": [_STR, {"type": "integer"}]})),
    "enum_mixed": (("enum",), _probe({"enum": ["a", 1, 2.5, True, None, [1], {"k": "v"}]})),
    "enum_strings": (("enum",), _probe({"type": "string", "enum": ["a", "b"]})),
    "const_any": (("const",), _probe({"const": {"k": [1, None]}})),
    "const_string": (("const",), _probe({"const": "x"})),
    "empty_schema": ((), _probe({})),
    "not_type": (("not",), _probe({"type": "string", "not": {"type": "null"}})),
    "contains": (
        ("contains", "minContains", "maxContains"),
        _probe({"type": "array", "items": _STR, "contains": _STR, "minItems": 1, "minContains": 1}),
    ),
    "array_untyped": (("items",), _probe({"type": "array"})),
}
"""Construct -> (keywords it uses, an example tool schema)."""


@dataclass(frozen=True)
class Dialect:
    """What to generate: every keyword and construct (no dialect), or one adapter's subset."""

    name: str | None
    profile: Profile | None
    strict: bool
    """Whether the profile's strict keyword modes apply (the strictness the tools resolve to)."""
    constructs: frozenset[str]
    optional_budget: int | None
    union_budget: int | None

    def keyword(self, keyword: str) -> bool:
        if self.profile is None:
            return True
        return bool(self.profile.keyword_mode(keyword, strict=self.strict) != "rejected")

    def has(self, construct: str) -> bool:
        return construct in self.constructs

    def max_tools(self, wanted: int) -> int:
        """``wanted``, or fewer if the profile caps the tools (or strict tools) of a request."""
        if self.profile is None:
            return wanted
        caps = [self.profile.max_tools]
        if self.strict:
            caps.append(self.profile.max_strict_tools)
        return min([wanted, *(c for c in caps if c is not None)])

    def shared(self, tools: int) -> Dialect:
        """This dialect with its request-wide budgets shared out between ``tools`` tools."""
        return replace(
            self,
            optional_budget=None if self.optional_budget is None else self.optional_budget // tools,
            union_budget=None if self.union_budget is None else self.union_budget // tools,
        )


ANY = Dialect(None, None, False, frozenset(_CONSTRUCTS), None, None)


@cache
def dialect(name: str | None, strict: bool | None, model: str | None = None) -> Dialect:
    """What ``tool_schemas(dialect=name, strict=strict, model=model)`` may generate (``ANY``
    for no name), with the profile resolved for ``model`` when one is given."""
    if name is None:
        return ANY
    profile = resolved_profile(name, model)
    resolved = _resolved_strictness(name, profile, strict)

    def accepted(keywords: tuple[str, ...], example: JSONObject) -> bool:
        if any(profile.rejects(k, strict=resolved) for k in keywords):
            return False
        try:
            fit_tools((Tool("probe", "", example, strict=strict),), profile, provider=name)
        except IncompatibleToolError:
            return False
        return True

    constructs = frozenset(c for c, (kws, ex) in _CONSTRUCTS.items() if accepted(kws, ex))
    # Request-wide budgets on strict schemas, if the profile declares them
    # (docs/dialects.md#strict-anthropic-limits).
    optional = profile.max_strict_optional_params if resolved else None
    union = profile.max_strict_union_params if resolved else None
    return Dialect(name, profile, resolved, constructs, optional, union)


def _resolved_strictness(name: str, profile: Profile, strict: bool | None) -> bool:
    """The strictness tools declared with ``strict`` get on this profile."""
    if profile.strict_mode == "always":
        return True
    if profile.strict_mode == "none":
        if strict:
            raise UsageError(f"{name}: strict tools are not supported (profile strict_mode 'none')")
        return False
    return profile.strict_default if strict is None else strict
