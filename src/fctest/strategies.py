"""Hypothesis strategies for tool schemas, tools, arguments and calls (``fctest.strategies``).

Every function returns a strategy and takes keyword-only options; a bad option surfaces as
``UsageError`` when a value is drawn (hypothesis-jsonschema's ``from_schema`` does the same).
Values are built by construction, never by filtering:

- ``tool_schemas`` builds JSON Schemas of the kinds users send: types and type arrays, nested
  objects, arrays, enums of every JSON type, ``const``, ``anyOf``/``oneOf``/``allOf``,
  ``$ref``/``$defs`` (recursion included), ``additionalProperties``, required and optional
  properties, nullable values, formats, patterns, numeric and length constraints, defaults,
  descriptions, titles, empty objects, and a few rarer keywords (``not``, ``contains``,
  ``minProperties``...) that some dialects drop or refuse. Every schema has at least one valid
  instance, and ``tool_arguments`` can build them all.
- With ``dialect=<adapter name>``, only schemas that adapter accepts are built: a keyword whose
  mode is ``rejected`` in the adapter's profile is never used, and each construct (an open
  object, a recursive ``$ref``, a multi-member ``allOf``...) is tried once on the adapter
  itself and left out if it is refused. Names then match the profile's name pattern.
- ``tool_arguments(schema)`` builds instances valid under a schema, for the grammar above and
  the common subset of JSON Schema beyond it; a keyword it cannot honour by construction
  (``if``/``then``, ``patternProperties``, ``prefixItems``, a general ``not``...) raises
  ``UsageError`` naming it instead of producing values that might not validate.
  (hypothesis-jsonschema was not used: it refuses recursive references, which real tools have.)

This module imports hypothesis at the top; ``import fctest`` never imports it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from ._exceptions import IncompatibleToolError, UsageError
from ._messages import ToolCall
from ._pointer import json_pointer
from ._strategy_json import CHARS as _CHARS
from ._strategy_json import canonical, ints, json_values, regex, text
from ._strategy_values import Values
from ._tools import Tool
from ._types import JSONObject
from .dialect import collect_defs

if TYPE_CHECKING:
    from .dialect import Profile

__all__ = [
    "call_ids",
    "json_values",
    "tool_arguments",
    "tool_calls",
    "tool_lists",
    "tool_names",
    "tool_schemas",
    "tools",
]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


# --- names and ids ------------------------------------------------------------------------------

_NAME_SEGMENT = regex(r"[a-z][a-z0-9_]{0,11}")
_SEPARATORS = st.sampled_from([".", ":", "/", "-", "_", " ", "__"])


@st.composite
def _wild_names(draw: st.DrawFn) -> str:
    kind = draw(ints(0, 5))
    if kind == 0:  # the common case: snake_case
        return draw(regex(r"[a-z][a-z0-9_]{0,30}"))
    if kind == 1:  # namespaced: server/tool.name, mcp:server:tool, a.b-c
        parts = draw(st.lists(_NAME_SEGMENT, min_size=2, max_size=4))
        seps = [draw(_SEPARATORS) for _ in parts[1:]]
        return parts[0] + "".join(s + p for s, p in zip(seps, parts[1:], strict=True))
    if kind == 2:  # leading digit
        return draw(regex(r"[0-9][a-zA-Z0-9_.-]{0,20}"))
    if kind == 3:  # any Unicode
        return draw(text(1, 40))
    if kind == 4:  # long: past every provider's limit (64, 128)
        return draw(regex(r"[a-zA-Z_][a-zA-Z0-9_]{60,199}"))
    return draw(
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=200)
    )


def tool_names(*, dialect: str | None = None) -> st.SearchStrategy[str]:
    """Tool names, 1 to 200 characters: dots, colons, slashes, spaces, leading digits, Unicode.

    With ``dialect``, only names the adapter's profile accepts (its ``tool_name_pattern``,
    at most ``tool_name_max_length`` characters).
    """
    if dialect is None:
        return _wild_names()
    return st.deferred(lambda: _dialect_names(_profile(dialect)))


def _profile(dialect: str) -> Profile:
    from .providers import get_adapter

    return get_adapter(dialect).profile


def _dialect_names(profile: Profile) -> st.SearchStrategy[str]:
    limit = profile.tool_name_max_length
    return regex(profile.tool_name_pattern).map(lambda s: s[:limit])


@st.composite
def _wild_ids(draw: st.DrawFn) -> str:
    kind = draw(ints(0, 4))
    if kind == 0:  # OpenAI
        return "call_" + draw(regex(r"[A-Za-z0-9]{24}"))
    if kind == 1:  # Anthropic
        return "toolu_01" + draw(regex(r"[A-Za-z0-9]{22}"))
    if kind == 2:  # Bedrock / Mistral style, with characters some providers refuse
        return draw(regex(r"[a-z]{3,8}[_.:][A-Za-z0-9.:_-]{1,20}"))
    if kind == 3:  # long: past OpenAI's 40
        return draw(regex(r"[a-zA-Z0-9_]{41,80}"))
    return draw(text(1, 20))


def call_ids(*, dialect: str | None = None) -> st.SearchStrategy[str]:
    """Tool call ids as providers make them (and awkward ones: long, dotted, Unicode).

    With ``dialect``, only ids matching the profile's ``tool_call_id_pattern`` (if it has one).
    """
    if dialect is None:
        return _wild_ids()

    def build() -> st.SearchStrategy[str]:
        pattern = _profile(dialect).tool_call_id_pattern
        if pattern is None:
            return _wild_ids()
        return regex(pattern).filter(bool)

    return st.deferred(build)


# --- what a dialect accepts --------------------------------------------------------------------

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
class _Dialect:
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


_ANY = _Dialect(None, None, False, frozenset(_CONSTRUCTS), None, None)


@cache
def _dialect(name: str | None, strict: bool | None) -> _Dialect:
    if name is None:
        return _ANY
    from .dialect import fit_tools
    from .providers import get_adapter

    adapter = get_adapter(name)
    profile = adapter.profile
    if profile.strict_mode == "always":
        resolved = True
    elif profile.strict_mode == "none":
        if strict:
            raise UsageError(f"{name}: strict tools are not supported (profile strict_mode 'none')")
        resolved = False
    else:
        resolved = profile.strict_default if strict is None else strict

    def accepted(keywords: tuple[str, ...], example: JSONObject) -> bool:
        if any(profile.keyword_mode(k, strict=resolved) == "rejected" for k in keywords):
            return False
        try:
            fit_tools((Tool("probe", "", example, strict=strict),), profile, provider=name)
        except IncompatibleToolError:
            return False
        return True

    constructs = frozenset(c for c, (kws, ex) in _CONSTRUCTS.items() if accepted(kws, ex))
    # Request-wide budgets on strict schemas (Anthropic's C20), if the profile declares them.
    optional = getattr(profile, "max_strict_optional_params", None) if resolved else None
    union = getattr(profile, "max_strict_union_params", None) if resolved else None
    return _Dialect(name, profile, resolved, constructs, optional, union)


# --- schemas ------------------------------------------------------------------------------------

# Property names that are also keywords, or that need escaping in a JSON pointer.
_ODD_PROPERTY_NAMES = [
    "type", "properties", "$ref", "enum", "description", "items", "required", "a/b", "x~y",
    "with space", "dotted.name", "camelCase", "kebab-case", "ünïcødé", "名前", "0",
]  # fmt: skip
_PROPERTY_NAMES = st.one_of(
    regex(r"[a-z][a-z0-9_]{0,15}"),
    st.sampled_from(_ODD_PROPERTY_NAMES),
    st.text(_CHARS, min_size=1, max_size=12),
)
_DEF_NAMES = ["Item", "Address", "node.v2", "a/b", "x~y", "Pet Kind"]
_PATTERNS = [
    r"^[a-z]+$", r"^[A-Z]{3}$", r"^[0-9]{4}-[0-9]{2}$", r"^[a-zA-Z0-9_-]{1,16}$",
    r"^(red|green|blue)$", r"[0-9]", r"^\S+@\S+$", r"^(?:[a-z]{2})(?:-[A-Z]{2})?$",
]  # fmt: skip
_STRING_FORMATS = [
    "date-time", "date", "time", "email", "hostname", "uri", "uuid", "ipv4", "ipv6", "duration",
]  # fmt: skip
_PRIMITIVES = ["string", "integer", "number", "boolean", "null"]
_DEF_NAME_LISTS = st.lists(st.sampled_from(_DEF_NAMES), unique=True, min_size=1, max_size=2)
_ENUM_STRINGS = st.lists(text(1, 10), min_size=1, max_size=5, unique=True)
_ENUM_VALUES = st.lists(json_values(max_leaves=3), min_size=1, max_size=5, unique_by=canonical)
_TYPE_ARRAYS = st.lists(st.sampled_from(_PRIMITIVES), min_size=2, max_size=3, unique=True)
_TAGS = st.lists(regex(r"[a-z]{1,8}"), min_size=2, max_size=3, unique=True)
_ONE_OF_TYPES = st.lists(
    st.sampled_from(["string", "integer", "boolean", "null", "array"]),
    min_size=2,
    max_size=3,
    unique=True,
)


@cache
def _property_names(low: int, limit: int) -> st.SearchStrategy[list[str]]:
    return st.lists(_PROPERTY_NAMES, unique=True, min_size=min(low, limit), max_size=limit)


@cache
def _pick(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


def _text(max_size: int = 40) -> st.SearchStrategy[str]:
    return text(0, max_size)


class _Budget:
    """Optional and union-typed properties still allowed (strict budgets of a profile)."""

    def __init__(self, optional: int | None, union: int | None) -> None:
        self.optional = optional
        self.union = union

    def take_optional(self) -> bool:
        if self.optional is None:
            return True
        if self.optional <= 0:
            return False
        self.optional -= 1
        return True

    def take_union(self) -> bool:
        if self.union is None:
            return True
        if self.union <= 0:
            return False
        self.union -= 1
        return True


class _SchemaBuilder:
    """One schema, drawn node by node (``draw`` is hypothesis's, so shrinking works)."""

    def __init__(
        self, draw: st.DrawFn, d: _Dialect, max_depth: int, max_properties: int, budget: _Budget
    ) -> None:
        self.draw = draw
        self.d = d
        self.max_depth = max_depth
        self.max_properties = max_properties
        self.budget = budget
        self.defs: dict[str, Any] = {}

    def chance(self, one_in: int) -> bool:
        return self.draw(ints(0, one_in - 1)) == 0

    def kw(self, *keywords: str) -> bool:
        return all(self.d.keyword(k) for k in keywords)

    # --- the root ---------------------------------------------------------------------------
    def root(self) -> JSONObject:
        if self.max_depth > 0 and self.d.has("ref") and self.chance(3):
            for name in self.draw(_DEF_NAME_LISTS):
                self.defs[name] = self.node(1, allow_ref=True)
        if self.max_depth > 1 and self.d.has("recursion") and self.chance(4):
            self._recursive_def()
        schema = self.object(0)
        if self.defs:
            schema["$defs"] = self.defs
        if self.kw("$schema") and self.chance(4):
            schema = {"$schema": SCHEMA_DIALECT, **schema}
        return schema

    def _recursive_def(self) -> None:
        name = self.draw(
            _pick(
                (
                    "Node",
                    "Tree node",
                    "Category",
                )
            )
        )
        ref = {"$ref": "#" + json_pointer(["$defs", name])}
        props: dict[str, Any] = {"value": self.primitive()}
        if self.chance(2) or not self.d.has("nullable_anyOf") or not self.budget.take_union():
            props["children"] = {"type": "array", "items": ref}
        else:  # pydantic's ``next: Node | None``
            props["next"] = {"anyOf": [ref, {"type": "null"}]}
        required = ["value"] if self.budget.take_optional() else list(props)
        self.defs[name] = {"type": "object", "properties": props, "required": required}

    # --- nodes ------------------------------------------------------------------------------
    def node(self, depth: int, *, allow_ref: bool = False) -> Any:
        kinds = ["primitive", "primitive", "enum", "const"]
        if self.d.has("type_array") and self.budget.union != 0:
            kinds.append("type_array")
        if (self.d.has("nullable_type") or self.d.has("nullable_anyOf")) and self.budget.union != 0:
            kinds.append("nullable")
        if self.d.has("empty_schema"):
            kinds.append("empty")
        if self.d.has("not_type"):
            kinds.append("not")
        if depth < self.max_depth:
            kinds += ["object", "object", "array", "array"]
            if self.d.has("anyOf") and self.budget.union != 0:
                kinds.append("anyOf")
            if self.d.has("oneOf") and self.budget.union != 0:
                kinds.append("oneOf")
            if self.d.has("allOf_merge") or (self.defs and self.d.has("allOf_ref")):
                kinds.append("allOf")
        if self.defs and not allow_ref:
            kinds += ["ref", "ref"]
        kind = self.draw(_pick(tuple(kinds)))
        node: JSONObject = self._KINDS[kind](self, depth)
        if kind != "ref":
            node = self.annotate(node, kind)
        return node

    def annotate(self, node: JSONObject, kind: str) -> JSONObject:
        if self.kw("description") and self.chance(3):
            node["description"] = self.draw(_text())
        if self.kw("title") and self.chance(6):
            node["title"] = self.draw(_text(20))
        if self.kw("default") and kind in ("primitive", "enum", "const") and self.chance(4):
            node["default"] = self.draw(_values_of(node, {}))
        return node

    def primitive(self) -> JSONObject:
        t = self.draw(
            _pick(
                (
                    "string",
                    "string",
                    "integer",
                    "number",
                    "boolean",
                )
            )
        )
        return self.typed(t)

    def typed(self, t: str) -> JSONObject:
        node: JSONObject = {"type": t}
        if t == "string":
            choice = self.draw(ints(0, 3))
            if choice == 1 and self.kw("minLength", "maxLength"):
                lo = self.draw(ints(0, 5))
                if self.chance(2):
                    node["minLength"] = lo
                if self.chance(2):
                    node["maxLength"] = lo + self.draw(ints(0, 20))
            elif choice == 2 and self.kw("pattern"):
                node["pattern"] = self.draw(_pick(tuple(_PATTERNS)))
            elif choice == 3 and self.kw("format"):
                node["format"] = self.draw(_pick(tuple(_STRING_FORMATS)))
        elif t in ("integer", "number"):
            self._numeric(node, t)
        return node

    def _numeric(self, node: JSONObject, t: str) -> None:
        integer = t == "integer"
        lo = (
            self.draw(ints(-1000, 1000))
            if integer
            else self.draw(
                _pick(
                    (
                        -1.5,
                        0,
                        0.25,
                        10,
                        -300,
                    )
                )
            )
        )
        span = self.draw(ints(12, 10_000))
        hi = lo + span
        if self.kw("multipleOf") and self.chance(4):
            node["multipleOf"] = self.draw(_pick((1, 2, 5, 10) if integer else (0.5, 0.25, 2)))
        if self.chance(2):
            if self.kw("exclusiveMinimum") and self.chance(3):
                node["exclusiveMinimum"] = lo
            elif self.kw("minimum"):
                node["minimum"] = lo
        if self.chance(2):
            if self.kw("exclusiveMaximum") and self.chance(3):
                node["exclusiveMaximum"] = hi
            elif self.kw("maximum"):
                node["maximum"] = hi

    def enum(self, depth: int) -> JSONObject:
        if not self.d.has("enum_mixed") or self.chance(2):
            if not self.d.has("enum_strings"):
                return self.primitive()
            values = self.draw(_ENUM_STRINGS)
            return {"type": "string", "enum": values}
        values = self.draw(_ENUM_VALUES)
        return {"enum": values}

    def const(self, depth: int) -> JSONObject:
        if self.d.has("const_any") and self.chance(2):
            return {"const": self.draw(json_values(max_leaves=3))}
        if self.d.has("const_string"):
            return {"const": self.draw(_text(10))}
        return self.primitive()

    def type_array(self, depth: int) -> JSONObject:
        self.budget.take_union()
        types = self.draw(_TYPE_ARRAYS)
        if "integer" in types and "number" in types:
            types.remove("integer")
        if len(types) == 1:
            types.append("string" if types[0] != "string" else "boolean")
        return {"type": types}

    def nullable(self, depth: int) -> JSONObject:
        self.budget.take_union()
        inner = (
            self.primitive() if depth >= self.max_depth or self.chance(2) else self.node(depth + 1)
        )
        if (
            self.d.has("nullable_type")
            and "type" in inner
            and isinstance(inner["type"], str)
            and self.chance(2)
        ):
            out = dict(inner)
            out["type"] = [inner["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
            return out
        if self.d.has("nullable_anyOf"):
            return {"anyOf": [inner, {"type": "null"}]}
        return inner

    def empty(self, depth: int) -> JSONObject:
        return {}

    def not_type(self, depth: int) -> JSONObject:
        t = self.draw(
            _pick(
                (
                    "string",
                    "boolean",
                    "integer",
                )
            )
        )
        other = self.draw(_pick(tuple(x for x in ("null", "boolean", "string", "array") if x != t)))
        node = self.typed(t)
        node["not"] = {"type": other}
        return node

    def ref(self, depth: int) -> JSONObject:
        name = self.draw(st.sampled_from(sorted(self.defs)))
        node: JSONObject = {"$ref": "#" + json_pointer(["$defs", name])}
        if self.d.has("ref_siblings") and self.chance(4):
            node["description"] = self.draw(_text())
        return node

    def any_of(self, depth: int) -> JSONObject:
        self.budget.take_union()
        branches = self.draw(ints(2, 3))
        return {"anyOf": [self.node(depth + 1) for _ in range(branches)]}

    def one_of(self, depth: int) -> JSONObject:
        # Branches that exclude each other, so an instance of one matches exactly one: distinct
        # primitive types, or objects told apart by a constant ``kind`` (pydantic's unions).
        self.budget.take_union()
        if self.d.has("const_string") and self.chance(2):
            tags = self.draw(_TAGS)
            branches = []
            for tag in tags:
                obj = self.object(depth + 1, max_properties=2)
                obj["properties"] = {
                    "kind": {"const": tag},
                    **{k: v for k, v in obj["properties"].items() if k != "kind"},
                }
                obj["required"] = ["kind", *[r for r in obj.get("required", []) if r != "kind"]]
                branches.append(obj)
            return {"oneOf": branches}
        types = self.draw(_ONE_OF_TYPES)
        branches = [self.typed(t) if t != "array" else self.array(depth + 1) for t in types]
        return {"oneOf": branches}

    def all_of(self, depth: int) -> JSONObject:
        if (
            self.defs
            and self.d.has("allOf_ref")
            and (not self.d.has("allOf_merge") or self.chance(2))
        ):
            return {"allOf": [self.ref(depth)]}
        first = self.object(depth + 1, max_properties=2, open_=True)
        second = self.object(
            depth + 1, max_properties=2, open_=True, exclude=set(first["properties"])
        )
        return {"allOf": [first, second]}

    def array(self, depth: int) -> JSONObject:
        if self.d.has("array_untyped") and self.chance(8):
            return {"type": "array"}
        node: JSONObject = {"type": "array", "items": self.node(depth + 1)}
        lo = 0
        if self.kw("minItems") and self.chance(3):
            lo = self.draw(ints(0, 2))
            node["minItems"] = lo
        if self.kw("maxItems") and self.chance(3):
            node["maxItems"] = lo + self.draw(ints(0, 3))
        if lo <= 1 and self.kw("uniqueItems") and self.chance(5):
            node["uniqueItems"] = True
        elif self.d.has("contains") and self.chance(6):
            node["contains"] = copy.deepcopy(node["items"])
            node["minItems"] = max(lo, 1)
            if node.get("maxItems", 1) < node["minItems"]:
                node["maxItems"] = node["minItems"]
            if self.chance(2):
                node["minContains"] = 1
            if "maxItems" in node and self.chance(2):
                node["maxContains"] = node["maxItems"]
        return node

    def object(
        self,
        depth: int,
        *,
        max_properties: int | None = None,
        open_: bool = False,
        exclude: set[str] | None = None,
    ) -> JSONObject:
        limit = self.max_properties if max_properties is None else max_properties
        # Mostly at least one property at the root: an empty root is covered, but rarely.
        low = 1 if depth == 0 and self.draw(ints(0, 7)) != 7 else 0
        names = self.draw(_property_names(low, limit))
        names = [n for n in names if n not in (exclude or ())]
        props = {name: self.node(depth + 1) for name in names}
        required = [n for n in names if self.chance(2) or not self.budget.take_optional()]
        node: JSONObject = {"type": "object", "properties": props}
        if required or self.chance(2):
            node["required"] = required
        if not open_ and self.kw("additionalProperties"):
            options = ["absent"]
            if self.d.has("closed_object"):
                options += ["false", "false"]
            if self.d.has("open_object"):
                options.append("true")
            if self.d.has("map_object") and depth < self.max_depth:
                options.append("schema")
            choice = self.draw(_pick(tuple(options)))
            if choice == "false":
                node["additionalProperties"] = False
            elif choice == "true":
                node["additionalProperties"] = True
            elif choice == "schema":
                node["additionalProperties"] = self.node(depth + 1)
        if (
            depth > 0
            and not props
            and max_properties is None
            and self.d.has("free_object")
            and self.chance(3)
        ):
            node = {"type": "object"}
        if (
            max_properties is None
            and self.kw("minProperties", "maxProperties")
            and props
            and self.chance(6)
        ):
            closed = node.get("additionalProperties") is False
            node["minProperties"] = self.draw(st.integers(0, len(props)))
            top = len(props) + (0 if closed else 2)
            node["maxProperties"] = self.draw(
                st.integers(max(node["minProperties"], len(required)), top)
            )
        return node

    _KINDS: Mapping[str, Callable[[_SchemaBuilder, int], JSONObject]] = {}


_SchemaBuilder._KINDS = {
    "primitive": lambda b, depth: b.primitive(),
    "enum": _SchemaBuilder.enum,
    "const": _SchemaBuilder.const,
    "type_array": _SchemaBuilder.type_array,
    "nullable": _SchemaBuilder.nullable,
    "empty": _SchemaBuilder.empty,
    "not": _SchemaBuilder.not_type,
    "object": lambda b, depth: b.object(depth),
    "array": _SchemaBuilder.array,
    "anyOf": _SchemaBuilder.any_of,
    "oneOf": _SchemaBuilder.one_of,
    "allOf": _SchemaBuilder.all_of,
    "ref": _SchemaBuilder.ref,
}


def tool_schemas(
    *,
    dialect: str | None = None,
    strict: bool | None = None,
    max_depth: int = 3,
    max_properties: int = 5,
) -> st.SearchStrategy[JSONObject]:
    """Tool parameter schemas (an object at the root), each with at least one valid instance.

    ``dialect``: an adapter name; only schemas that adapter accepts are built (see the module
    docstring). ``strict``: the strictness the tools will have (``None``: the adapter's
    default); it picks the profile's strict or non-strict keyword modes. ``max_depth``: how deep
    objects, arrays and combinators nest below the root. ``max_properties``: per object.
    """

    @st.composite
    def build(draw: st.DrawFn) -> JSONObject:
        if max_depth < 0 or max_properties < 0:
            raise UsageError(
                "tool_schemas: max_depth and max_properties must be >= 0, "
                f"got {max_depth}, {max_properties}"
            )
        d = _dialect(dialect, strict) if dialect is not None else _ANY
        builder = _SchemaBuilder(
            draw, d, max_depth, max_properties, _Budget(d.optional_budget, d.union_budget)
        )
        return builder.root()

    return build()


def _descriptions() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""),
        _text(120),
        st.text(
            st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1025, max_size=1300
        ),
    )


def tools(
    *,
    dialect: str | None = None,
    strict: bool | None = None,
    max_depth: int = 2,
    max_properties: int = 4,
) -> st.SearchStrategy[Tool]:
    """Tools (name, description, parameters, ``strict``) as in ``tool_names`` and ``tool_schemas``.

    ``strict`` is set on every tool drawn (``None``: the adapter's default).
    """
    return st.builds(
        Tool,
        name=tool_names(dialect=dialect),
        description=_descriptions(),
        parameters=tool_schemas(
            dialect=dialect, strict=strict, max_depth=max_depth, max_properties=max_properties
        ),
        strict=st.just(strict),
    )


_tools = tools


def tool_lists(
    *,
    dialect: str | None = None,
    strict: bool | None = None,
    min_size: int = 1,
    max_size: int = 4,
    max_depth: int = 2,
    max_properties: int = 3,
) -> st.SearchStrategy[tuple[Tool, ...]]:
    """Tuples of tools with distinct names, as one request declares them.

    With ``dialect``, the list also fits the profile's request-wide limits (``max_tools``,
    ``max_strict_tools`` and any strict-schema budgets, shared out between the tools).
    """

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Tool, ...]:
        if min_size < 0 or max_size < min_size:
            raise UsageError(
                f"tool_lists: need 0 <= min_size <= max_size, got {min_size}, {max_size}"
            )
        top = max_size
        d = _dialect(dialect, strict) if dialect is not None else _ANY
        if d.profile is not None:
            caps = [d.profile.max_tools]
            if d.strict:
                caps.append(d.profile.max_strict_tools)
            top = min([top, *(c for c in caps if c is not None)])
        names = draw(
            st.lists(
                tool_names(dialect=dialect), min_size=min(min_size, top), max_size=top, unique=True
            )
        )
        n = max(len(names), 1)
        shares = replace(
            d,
            optional_budget=None if d.optional_budget is None else d.optional_budget // n,
            union_budget=None if d.union_budget is None else d.union_budget // n,
        )
        out = []
        for name in names:
            builder = _SchemaBuilder(
                draw,
                shares,
                max_depth,
                max_properties,
                _Budget(shares.optional_budget, shares.union_budget),
            )
            out.append(Tool(name, draw(_descriptions()), builder.root(), strict=strict))
        return tuple(out)

    return build()


def _values_of(
    schema: Any, defs: Mapping[str, Any], *, max_depth: int = 5
) -> st.SearchStrategy[Any]:
    """Instances of ``schema`` with ``$ref``s resolved in ``defs`` (pointer -> schema)."""
    return st.deferred(lambda: Values(schema, defs, max_depth).of(schema))


def tool_arguments(schema: Tool | JSONObject, *, max_depth: int = 5) -> st.SearchStrategy[Any]:
    """Arguments valid under a tool's parameters schema (or any root schema), by construction.

    ``max_depth``: past this many nested objects and arrays, optional parts are left out and
    recursion takes its way out (an empty list, ``null``, an omitted property).
    """
    root = schema.parameters if isinstance(schema, Tool) else schema

    def build() -> st.SearchStrategy[Any]:
        if not isinstance(root, (dict, bool)):
            raise UsageError(
                f"tool_arguments needs a JSON Schema (dict) or a Tool, got {type(root).__name__}"
            )
        defs = collect_defs(root) if isinstance(root, dict) else {}
        return Values(root, defs, max_depth).of(root)

    return st.deferred(build)


def tool_calls(
    *,
    tools: Tool | Sequence[Tool] | None = None,
    dialect: str | None = None,
    ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[ToolCall]:
    """Calls of one of ``tools`` (default: drawn from ``tools(dialect=...)``) with valid
    arguments and an id from ``ids`` (default: ``call_ids(dialect=...)``)."""
    if tools is None:
        chosen: st.SearchStrategy[Tool] = _tools(dialect=dialect)
    elif isinstance(tools, Tool):
        chosen = st.just(tools)
    else:
        pool = list(tools)
        if not pool:
            raise UsageError("tool_calls needs at least one tool")
        chosen = st.sampled_from(pool)
    id_strategy = ids if ids is not None else call_ids(dialect=dialect)

    def call(t: Tool) -> st.SearchStrategy[ToolCall]:
        return st.builds(
            ToolCall, id=id_strategy, name=st.just(t.name), arguments=tool_arguments(t)
        )

    return chosen.flatmap(call)
