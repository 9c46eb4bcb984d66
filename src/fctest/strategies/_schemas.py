"""Tool parameter schemas drawn node by node, only from what the dialect accepts.

Private: the machinery behind ``fctest.strategies.tool_schemas`` and ``tool_lists``. Each kind
of node (a primitive, an enum, an object, an ``anyOf``...) has one builder method; which kinds
may be drawn, and which keywords they may carry, is asked of the ``Dialect``. Every schema built
has at least one valid instance (``Values`` builds them), so defaults are drawn from it too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from hypothesis import strategies as st

from .._pointer import json_pointer
from .._types import JSONObject
from ._dialect import Dialect
from ._json import CHARS, canonical, ints, json_values, regex, text
from ._values import Values

__all__ = ["SchemaBuilder"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Property names that are also keywords, or that need escaping in a JSON pointer.
_ODD_PROPERTY_NAMES = [
    "type", "properties", "$ref", "enum", "description", "items", "required", "a/b", "x~y",
    "with space", "dotted.name", "camelCase", "kebab-case", "ünïcødé", "名前", "0",
]  # fmt: skip
_PROPERTY_NAMES = st.one_of(
    regex(r"[a-z][a-z0-9_]{0,15}"),
    st.sampled_from(_ODD_PROPERTY_NAMES),
    st.text(CHARS, min_size=1, max_size=12),
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


def _allowed(*kinds: tuple[str, bool]) -> list[str]:
    return [kind for kind, allowed in kinds if allowed]


def _text(max_size: int = 40) -> st.SearchStrategy[str]:
    return text(0, max_size)


def _instances(schema: JSONObject) -> st.SearchStrategy[Any]:
    return st.deferred(lambda: Values(schema, {}, 5).of(schema))


class _Budget:
    """Optional and union-typed properties still allowed (strict budgets of a profile)."""

    def __init__(self, optional: int | None, union: int | None) -> None:
        self.optional = optional
        self.union = union

    def take_optional(self) -> bool:
        allowed, self.optional = _take(self.optional)
        return allowed

    def take_union(self) -> bool:
        allowed, self.union = _take(self.union)
        return allowed


def _take(left: int | None) -> tuple[bool, int | None]:
    """Whether one more is allowed out of ``left`` (``None``: no limit), and what is left then."""
    if left is None:
        return True, None
    if left <= 0:
        return False, left
    return True, left - 1


class SchemaBuilder:
    """One schema, drawn node by node (``draw`` is hypothesis's, so shrinking works)."""

    def __init__(self, draw: st.DrawFn, d: Dialect, max_depth: int, max_properties: int) -> None:
        self.draw = draw
        self.d = d
        self.max_depth = max_depth
        self.max_properties = max_properties
        self.budget = _Budget(d.optional_budget, d.union_budget)
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
        name = self.draw(_pick(("Node", "Tree node", "Category")))
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
        kind = self.draw(_pick(self._kinds(depth, allow_ref)))
        node: JSONObject = self._KINDS[kind](self, depth)
        if kind != "ref":
            node = self.annotate(node, kind)
        return node

    def _kinds(self, depth: int, allow_ref: bool) -> tuple[str, ...]:
        """The kinds of node that may be drawn here, the common ones listed twice."""
        kinds = ["primitive", "primitive", "enum", "const", *self._leaf_kinds()]
        if depth < self.max_depth:
            kinds += ["object", "object", "array", "array", *self._combinator_kinds()]
        if self.defs and not allow_ref:
            kinds += ["ref", "ref"]
        return tuple(kinds)

    def _leaf_kinds(self) -> list[str]:
        unions = self.budget.union != 0
        nullable = self.d.has("nullable_type") or self.d.has("nullable_anyOf")
        return _allowed(
            ("type_array", self.d.has("type_array") and unions),
            ("nullable", nullable and unions),
            ("empty", self.d.has("empty_schema")),
            ("not", self.d.has("not_type")),
        )

    def _combinator_kinds(self) -> list[str]:
        unions = self.budget.union != 0
        all_of = self.d.has("allOf_merge") or bool(self.defs and self.d.has("allOf_ref"))
        return _allowed(
            ("anyOf", self.d.has("anyOf") and unions),
            ("oneOf", self.d.has("oneOf") and unions),
            ("allOf", all_of),
        )

    def annotate(self, node: JSONObject, kind: str) -> JSONObject:
        if self.kw("description") and self.chance(3):
            node["description"] = self.draw(_text())
        if self.kw("title") and self.chance(6):
            node["title"] = self.draw(_text(20))
        if self.kw("default") and kind in ("primitive", "enum", "const") and self.chance(4):
            node["default"] = self.draw(_instances(node))
        return node

    def primitive(self) -> JSONObject:
        t = self.draw(_pick(("string", "string", "integer", "number", "boolean")))
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
            self.draw(ints(-1000, 1000)) if integer else self.draw(_pick((-1.5, 0, 0.25, 10, -300)))
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
        t = self.draw(_pick(("string", "boolean", "integer")))
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
        """An object node; ``max_properties`` (a branch of ``oneOf``/``allOf``) keeps it small and
        plain, ``open_`` leaves ``additionalProperties`` out, ``exclude`` names taken elsewhere."""
        limit = self.max_properties if max_properties is None else max_properties
        node = self._properties(depth, limit, exclude or set())
        if not open_ and self.kw("additionalProperties"):
            self._additional_properties(node, depth)
        if max_properties is not None:
            return node
        if not node["properties"]:
            return self._free_object(node, depth)
        if self.kw("minProperties", "maxProperties") and self.chance(6):
            self._property_counts(node)
        return node

    def _properties(self, depth: int, limit: int, exclude: set[str]) -> JSONObject:
        # Mostly at least one property at the root: an empty root is covered, but rarely.
        low = 1 if depth == 0 and self.draw(ints(0, 7)) != 7 else 0
        names = [n for n in self.draw(_property_names(low, limit)) if n not in exclude]
        props = {name: self.node(depth + 1) for name in names}
        required = [n for n in names if self.chance(2) or not self.budget.take_optional()]
        node: JSONObject = {"type": "object", "properties": props}
        if required or self.chance(2):
            node["required"] = required
        return node

    def _additional_properties(self, node: JSONObject, depth: int) -> None:
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

    def _free_object(self, node: JSONObject, depth: int) -> JSONObject:
        """Below the root, sometimes a bare ``{"type": "object"}`` instead of an empty object."""
        if depth > 0 and self.d.has("free_object") and self.chance(3):
            return {"type": "object"}
        return node

    def _property_counts(self, node: JSONObject) -> None:
        props = node["properties"]
        closed = node.get("additionalProperties") is False
        node["minProperties"] = self.draw(st.integers(0, len(props)))
        top = len(props) + (0 if closed else 2)
        least = max(node["minProperties"], len(node.get("required", ())))
        node["maxProperties"] = self.draw(st.integers(least, top))

    _KINDS: Mapping[str, Callable[[SchemaBuilder, int], JSONObject]] = {}


SchemaBuilder._KINDS = {
    "primitive": lambda b, depth: b.primitive(),
    "enum": SchemaBuilder.enum,
    "const": SchemaBuilder.const,
    "type_array": SchemaBuilder.type_array,
    "nullable": SchemaBuilder.nullable,
    "empty": SchemaBuilder.empty,
    "not": SchemaBuilder.not_type,
    "object": lambda b, depth: b.object(depth),
    "array": SchemaBuilder.array,
    "anyOf": SchemaBuilder.any_of,
    "oneOf": SchemaBuilder.one_of,
    "allOf": SchemaBuilder.all_of,
    "ref": SchemaBuilder.ref,
}
