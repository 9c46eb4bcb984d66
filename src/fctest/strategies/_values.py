"""Building instances of a JSON Schema by construction (the engine behind
``fctest.strategies.tool_arguments``).

Private: imported only by ``fctest.strategies``, so ``import fctest`` never imports hypothesis.
Each schema node becomes a strategy once; ``$ref`` is resolved lazily (``st.deferred``), and past
``max_depth`` optional parts are left out so recursive schemas end. Keywords whose values cannot
be built by construction raise ``UsageError`` naming the keyword. Numbers and strings come from
``fctest.strategies._scalars``.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import strategies as st

from .._exceptions import UsageError
from .._pointer import json_pointer
from .._types import JSONObject
from ..dialect import subschemas
from ._json import canonical, ints, json_values, regex
from ._scalars import numbers, strings

__all__ = ["Values"]

# Keywords whose meaning tool_arguments cannot build values for; it refuses rather than guess.
_UNSUPPORTED = (
    "if", "then", "else", "patternProperties", "propertyNames", "dependentRequired",
    "dependentSchemas", "dependencies", "prefixItems", "unevaluatedItems", "unevaluatedProperties",
    "additionalItems", "$dynamicRef", "$recursiveRef",
)  # fmt: skip
_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
# With no ``type``, the first group the node has a keyword of decides its type.
_IMPLIED_TYPES = (
    ("object", ("properties", "required", "additionalProperties", "minProperties")),
    ("array", ("items", "minItems", "maxItems", "contains", "uniqueItems")),
    ("string", ("minLength", "maxLength", "pattern", "format")),
    ("number", ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")),
)


# --- "valid under a and b" as one schema --------------------------------------------------------


def _merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> JSONObject:
    """One schema meaning "valid under ``a`` and ``b``" (for the forms this module builds)."""
    out: JSONObject = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
        elif key in _MERGERS:
            out[key] = _MERGERS[key](out[key], value)
    return out


def _both_properties(left: Mapping[str, Any], right: Mapping[str, Any]) -> JSONObject:
    props = dict(left)
    for name, sub in right.items():
        props[name] = {"allOf": [props[name], sub]} if name in props else sub
    return props


def _both_types(left: Any, right: Any) -> list[str]:
    left = left if isinstance(left, list) else [left]
    right = right if isinstance(right, list) else [right]
    both = [t for t in left if t in right or (t == "integer" and "number" in right)]
    both += [t for t in right if t == "integer" and "number" in left and t not in both]
    return both


def _both_enums(left: list[Any], right: list[Any]) -> list[Any]:
    keep = {canonical(v) for v in right}
    return [v for v in left if canonical(v) in keep]


# Keyword -> how its values in ``a`` and ``b`` combine; a keyword not listed keeps ``a``'s value.
_MERGERS: Mapping[str, Callable[[Any, Any], Any]] = {
    "properties": _both_properties,
    "required": lambda left, right: list(dict.fromkeys([*left, *right])),
    "type": _both_types,
    **dict.fromkeys(("minimum", "minLength", "minItems", "minProperties", "exclusiveMinimum"), max),
    **dict.fromkeys(("maximum", "maxLength", "maxItems", "maxProperties", "exclusiveMaximum"), min),
    "enum": _both_enums,
    "allOf": lambda left, right: [*left, *right],
    "additionalProperties": lambda left, right: False if right is False else left,
}


# --- what cannot be built -----------------------------------------------------------------------


def _refuse_unsupported(node: JSONObject, pointer: str) -> None:
    for key in _UNSUPPORTED:
        if key in node:
            raise UsageError(
                f"tool_arguments cannot build values for {key!r} (at {pointer or '/'})"
            )


def _is_type_exclusion(excluded: Any) -> bool:
    """Whether a ``not`` is the one form supported: ``{"not": {"type": ...}}``."""
    return isinstance(excluded, dict) and set(excluded) == {"type"}


def _check_supported(node: Any, pointer: str) -> None:
    """Refuse, up front, a schema with a keyword values cannot be built for (wherever it is)."""
    if not isinstance(node, dict):
        return
    _refuse_unsupported(node, pointer)
    excluded = node.get("not")
    if excluded is not None and not _is_type_exclusion(excluded):
        raise UsageError(
            f"tool_arguments cannot build values for this 'not' (at {pointer or '/'}); "
            "only {'not': {'type': ...}} is supported"
        )
    for path, sub in subschemas(node):
        _check_supported(sub, pointer + json_pointer(path))


def _types(schema: JSONObject, pointer: str) -> list[str]:
    """The types an instance of ``schema`` may have: declared or implied, less any ``not``."""
    types = _declared_types(schema)
    excluded = schema.get("not")
    if excluded is not None:
        types = _without_excluded(types, excluded, pointer)
    if not types:
        raise UsageError(f"tool_arguments: no type is allowed at {pointer or '/'}")
    return types


def _declared_types(schema: JSONObject) -> list[str]:
    t = schema.get("type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return list(t)
    for implied, keywords in _IMPLIED_TYPES:
        if any(k in schema for k in keywords):
            return [implied]
    return list(_TYPES)


def _without_excluded(types: list[str], excluded: Any, pointer: str) -> list[str]:
    if not _is_type_exclusion(excluded):
        raise UsageError(f"tool_arguments cannot build values for this 'not' (at {pointer or '/'})")
    gone = excluded["type"] if isinstance(excluded["type"], list) else [excluded["type"]]
    kept = [x for x in types if x not in gone and not (x == "integer" and "number" in gone)]
    if "integer" in gone and "number" in kept:
        raise UsageError(
            f"tool_arguments cannot build numbers that are not integers (at {pointer or '/'})"
        )
    return kept


# --- instances ----------------------------------------------------------------------------------


class Values:
    """Builds the strategy for instances of one root schema (``$ref`` resolved against it)."""

    def __init__(self, root: Any, defs: Mapping[str, Any], max_depth: int = 4) -> None:
        self.root = root
        self.defs = defs
        self.max_depth = max_depth
        _check_supported(root, "")

    def of(
        self, schema: Any, depth: int = 0, pointer: str = "", hops: int = 0
    ) -> st.SearchStrategy[Any]:
        """Instances of ``schema`` at ``depth`` (objects and arrays nested above it); ``hops``
        counts ``$ref`` steps taken without descending, so a cycle of bare refs ends."""
        if schema is True:
            return json_values(max_leaves=4)
        self._check_node(schema, depth, pointer, hops)
        if isinstance(schema.get("$ref"), str):
            return self._ref(schema, depth, pointer, hops)
        if "allOf" in schema:
            return self._all_of(schema, depth, pointer)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self._union(key, schema, depth, pointer)
        if "const" in schema:
            return st.just(schema["const"]).map(copy.deepcopy)
        if "enum" in schema:
            return self._enum(schema["enum"], pointer)
        types = _types(schema, pointer)
        return st.one_of([self._typed(t, schema, depth, pointer) for t in types])

    def _check_node(self, schema: Any, depth: int, pointer: str, hops: int) -> None:
        if schema is False:
            raise UsageError(
                f"tool_arguments: the schema at {pointer or '/'} is false (no instance)"
            )
        if not isinstance(schema, dict):
            raise UsageError(f"tool_arguments: {pointer or '/'} is not a schema: {schema!r}")
        if depth > self.max_depth + 12 or hops > 32:
            raise UsageError(f"tool_arguments: {pointer or '/'}: the schema has no finite instance")
        _refuse_unsupported(schema, pointer)

    def _ref(
        self, schema: JSONObject, depth: int, pointer: str, hops: int
    ) -> st.SearchStrategy[Any]:
        ref = schema["$ref"]
        if ref not in self.defs:
            raise UsageError(
                f"tool_arguments: $ref {ref!r} at {pointer or '/'} does not resolve locally"
            )
        merged = self._resolved(schema)
        return st.deferred(lambda: self.of(merged, depth, ref[1:], hops + 1))

    def _all_of(self, schema: JSONObject, depth: int, pointer: str) -> st.SearchStrategy[Any]:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for sub in schema["allOf"]:
            merged = _merge(merged, self._resolved(sub))
        return self.of(merged, depth, pointer)

    def _union(
        self, key: str, schema: JSONObject, depth: int, pointer: str
    ) -> st.SearchStrategy[Any]:
        rest = {k: v for k, v in schema.items() if k != key}
        branches = [_merge(self._resolved(b), rest) for b in schema[key]]
        if not branches:
            raise UsageError(f"tool_arguments: empty {key} at {pointer or '/'}")
        if depth >= self.max_depth:
            # Past the depth limit, prefer a branch that cannot recurse (recursion ends).
            flat = [b for b in branches if "$ref" not in json.dumps(b)]
            branches = flat[:1] or branches[:1]
        return st.one_of(
            [self.of(b, depth, f"{pointer}/{key}/{i}") for i, b in enumerate(branches)]
        )

    def _enum(self, values: list[Any], pointer: str) -> st.SearchStrategy[Any]:
        if not values:
            raise UsageError(f"tool_arguments: empty enum at {pointer or '/'}")
        return st.sampled_from(values).map(copy.deepcopy)

    def _resolved(self, sub: Any) -> Any:
        """``sub`` with a local ``$ref`` replaced by its target (the ref's siblings merged in)."""
        if isinstance(sub, dict) and isinstance(sub.get("$ref"), str) and sub["$ref"] in self.defs:
            target = self.defs[sub["$ref"]]
            rest = {k: v for k, v in sub.items() if k != "$ref"}
            return _merge(target, rest) if isinstance(target, dict) else target
        return sub

    def _typed(
        self, t: str, schema: JSONObject, depth: int, pointer: str
    ) -> st.SearchStrategy[Any]:
        if t == "null":
            return st.none()
        if t == "boolean":
            return st.booleans()
        if t in ("integer", "number"):
            return numbers(schema, integer=t == "integer", pointer=pointer)
        if t == "string":
            return strings(schema)
        if t == "array":
            return self._array(schema, depth, pointer)
        if t == "object":
            return self._object(schema, depth, pointer)
        raise UsageError(f"tool_arguments: unknown type {t!r} at {pointer or '/'}")

    def _array(self, schema: JSONObject, depth: int, pointer: str) -> st.SearchStrategy[Any]:
        items = schema.get("items", True)
        lo = int(schema.get("minItems", 0))
        hi = schema.get("maxItems")
        top = lo if depth >= self.max_depth else lo + 3
        top = top if hi is None else min(int(hi), top)
        if top < lo:
            raise UsageError(f"tool_arguments: maxItems < minItems at {pointer or '/'}")
        element = self.of(items, depth + 1, pointer + "/items")
        contains = schema.get("contains")
        if contains is not None:
            need = int(schema.get("minContains", 1))
            hit = self.of(
                _merge(items, contains) if isinstance(items, dict) else contains,
                depth + 1,
                pointer + "/contains",
            )
            return st.tuples(
                st.lists(hit, min_size=need, max_size=need),
                st.lists(element, min_size=max(0, lo - need), max_size=max(0, top - need)),
            ).map(lambda pair: pair[0] + pair[1])
        if schema.get("uniqueItems") is True:
            return st.lists(element, min_size=lo, max_size=top, unique_by=canonical)
        return st.lists(element, min_size=lo, max_size=top)

    def _object(self, schema: JSONObject, depth: int, pointer: str) -> st.SearchStrategy[Any]:
        props: Mapping[str, Any] = schema.get("properties") or {}
        required = list(dict.fromkeys(schema.get("required") or ()))
        extra = schema.get("additionalProperties", True)
        min_p = int(schema.get("minProperties", 0))
        max_p = schema.get("maxProperties")
        optional = [n for n in props if n not in required]
        minimal = depth >= self.max_depth

        def sub(name: str) -> st.SearchStrategy[Any]:
            where = pointer + json_pointer(["properties", name])
            if name in props:
                return self.of(props[name], depth + 1, where)
            return self.of(extra, depth + 1, pointer + "/additionalProperties")

        room = math.inf if max_p is None else int(max_p) - len(required)
        if room < 0:
            raise UsageError(
                f"tool_arguments: more required properties than maxProperties at {pointer or '/'}"
            )
        need = max(0, min_p - len(required))
        extras_cap = 0 if extra is False else max(2, need)
        top = need if minimal else min(room, len(optional) + extras_cap)
        if need > top:
            raise UsageError(f"tool_arguments: minProperties cannot be met at {pointer or '/'}")
        if not required and top == 0:
            return st.builds(dict)  # only {} (a composite that never draws would warn)

        @st.composite
        def build(draw: st.DrawFn) -> JSONObject:
            count = draw(ints(need, int(top)))
            n_opt = draw(ints(max(0, count - extras_cap), min(count, len(optional))))
            chosen = draw(st.permutations(optional))[:n_opt] if n_opt else []
            names = list(required) + [n for n in optional if n in chosen]
            taken = set(props) | set(names)
            for i in range(count - n_opt):
                base = draw(regex(r"[a-z]{1,6}"))
                name = base
                while name in taken:
                    name = f"{base}_{i}_{len(taken)}"
                taken.add(name)
                names.append(name)
            return {name: draw(sub(name)) for name in names}

        return build()
