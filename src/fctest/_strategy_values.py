"""Building instances of a JSON Schema by construction (the engine behind
``fctest.strategies.tool_arguments``).

Private: imported only by ``fctest.strategies``, so ``import fctest`` never imports hypothesis.
Each schema node becomes a strategy once; ``$ref`` is resolved lazily (``st.deferred``), and past
``max_depth`` optional parts are left out so recursive schemas end. Keywords whose values cannot
be built by construction raise ``UsageError`` naming the keyword.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from datetime import date, datetime, timezone
from functools import cache
from typing import Any

from hypothesis import strategies as st

from ._exceptions import UsageError
from ._pointer import json_pointer
from ._types import JSONObject
from .dialect import subschemas

__all__ = [
    "CHARS",
    "MAX_INT",
    "Values",
    "canonical",
    "ints",
    "json_values",
    "merge",
    "regex",
    "text",
]

# Integers and floats stay within what every JSON parser reads exactly (IEEE doubles).
MAX_INT = 2**53
CHARS = st.characters(codec="utf-8", exclude_categories=["Cs"])
"""Any Unicode scalar value but surrogates (which cannot be encoded as UTF-8)."""


# --- JSON values --------------------------------------------------------------------------------


def json_values(*, max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Any JSON value: null, booleans, integers, finite floats, strings, arrays, objects."""
    return _json_values(max_leaves)


@cache
def regex(pattern: str, *, fullmatch: bool = True) -> st.SearchStrategy[str]:
    """``st.from_regex``, built once per pattern (building and validating it is the slow part)."""
    return st.from_regex(pattern, fullmatch=fullmatch)


@cache
def ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


@cache
def text(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(CHARS, min_size=min_size, max_size=max_size)


@cache
def _json_values(max_leaves: int) -> st.SearchStrategy[Any]:
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(-MAX_INT, MAX_INT)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(CHARS, max_size=12)
    )
    return st.recursive(leaves, _json_containers, max_leaves=max_leaves)


def _json_containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)


def canonical(value: Any) -> str:
    """A key equal for values JSON Schema calls equal (``1 == 1.0``; ``true`` is not ``1``)."""

    def norm(v: Any) -> Any:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, (int, float)):
            return int(v) if float(v).is_integer() and abs(v) < 2**63 else float(v)
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v

    return json.dumps(norm(value), sort_keys=True)


# --- instances ----------------------------------------------------------------------------------

# Keywords whose meaning tool_arguments cannot build values for; it refuses rather than guess.
UNSUPPORTED = (
    "if", "then", "else", "patternProperties", "propertyNames", "dependentRequired",
    "dependentSchemas", "dependencies", "prefixItems", "unevaluatedItems", "unevaluatedProperties",
    "additionalItems", "$dynamicRef", "$recursiveRef",
)  # fmt: skip
_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")


def merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> JSONObject:
    """One schema meaning "valid under ``a`` and ``b``" (for the forms this module builds)."""
    out: JSONObject = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
        elif key == "properties":
            props = dict(out[key])
            for name, sub in value.items():
                props[name] = {"allOf": [props[name], sub]} if name in props else sub
            out[key] = props
        elif key == "required":
            out[key] = list(dict.fromkeys([*out[key], *value]))
        elif key == "type":
            left = out[key] if isinstance(out[key], list) else [out[key]]
            right = value if isinstance(value, list) else [value]
            both = [t for t in left if t in right or (t == "integer" and "number" in right)]
            both += [t for t in right if t == "integer" and "number" in left and t not in both]
            out[key] = both
        elif key in ("minimum", "minLength", "minItems", "minProperties", "exclusiveMinimum"):
            out[key] = max(out[key], value)
        elif key in ("maximum", "maxLength", "maxItems", "maxProperties", "exclusiveMaximum"):
            out[key] = min(out[key], value)
        elif key == "enum":
            keep = {canonical(v) for v in value}
            out[key] = [v for v in out[key] if canonical(v) in keep]
        elif key == "allOf":
            out[key] = [*out[key], *value]
        elif key == "additionalProperties" and value is False:
            out[key] = False
    return out


def _check_supported(node: Any, pointer: str) -> None:
    """Refuse, up front, a schema with a keyword values cannot be built for (wherever it is)."""
    if not isinstance(node, dict):
        return
    for key in UNSUPPORTED:
        if key in node:
            raise UsageError(
                f"tool_arguments cannot build values for {key!r} (at {pointer or '/'})"
            )
    excluded = node.get("not")
    if excluded is not None and not (isinstance(excluded, dict) and set(excluded) == {"type"}):
        raise UsageError(
            f"tool_arguments cannot build values for this 'not' (at {pointer or '/'}); "
            "only {'not': {'type': ...}} is supported"
        )
    for path, sub in subschemas(node):
        _check_supported(sub, pointer + json_pointer(path))


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
        if schema is False:
            raise UsageError(
                f"tool_arguments: the schema at {pointer or '/'} is false (no instance)"
            )
        if not isinstance(schema, dict):
            raise UsageError(f"tool_arguments: {pointer or '/'} is not a schema: {schema!r}")
        if depth > self.max_depth + 12 or hops > 32:
            raise UsageError(f"tool_arguments: {pointer or '/'}: the schema has no finite instance")
        for key in UNSUPPORTED:
            if key in schema:
                raise UsageError(
                    f"tool_arguments cannot build values for {key!r} (at {pointer or '/'})"
                )
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref not in self.defs:
                raise UsageError(
                    f"tool_arguments: $ref {ref!r} at {pointer or '/'} does not resolve locally"
                )
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            target = self.defs[ref]
            merged = merge(target, rest) if isinstance(target, dict) else target
            return st.deferred(lambda: self.of(merged, depth, ref[1:], hops + 1))
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for sub in schema["allOf"]:
                sub = self._resolved(sub, pointer)
                merged = merge(merged, sub)
            return self.of(merged, depth, pointer)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                rest = {k: v for k, v in schema.items() if k != key}
                branches = [merge(self._resolved(b, pointer), rest) for b in schema[key]]
                if not branches:
                    raise UsageError(f"tool_arguments: empty {key} at {pointer or '/'}")
                if depth >= self.max_depth:
                    # Past the depth limit, prefer a branch that cannot recurse (recursion ends).
                    flat = [b for b in branches if "$ref" not in json.dumps(b)]
                    branches = flat[:1] or branches[:1]
                return st.one_of(
                    [self.of(b, depth, f"{pointer}/{key}/{i}") for i, b in enumerate(branches)]
                )
        if "const" in schema:
            value = schema["const"]
            return st.just(value).map(copy.deepcopy)
        if "enum" in schema:
            values = schema["enum"]
            if not values:
                raise UsageError(f"tool_arguments: empty enum at {pointer or '/'}")
            return st.sampled_from(values).map(copy.deepcopy)
        types = self._types(schema, pointer)
        return st.one_of([self._typed(t, schema, depth, pointer) for t in types])

    def _resolved(self, sub: Any, pointer: str) -> Any:
        if isinstance(sub, dict) and isinstance(sub.get("$ref"), str) and sub["$ref"] in self.defs:
            target = self.defs[sub["$ref"]]
            rest = {k: v for k, v in sub.items() if k != "$ref"}
            return merge(target, rest) if isinstance(target, dict) else target
        return sub

    def _types(self, schema: JSONObject, pointer: str) -> list[str]:
        t = schema.get("type")
        if isinstance(t, str):
            types = [t]
        elif isinstance(t, list):
            types = list(t)
        elif any(
            k in schema for k in ("properties", "required", "additionalProperties", "minProperties")
        ):
            types = ["object"]
        elif any(k in schema for k in ("items", "minItems", "maxItems", "contains", "uniqueItems")):
            types = ["array"]
        elif any(k in schema for k in ("minLength", "maxLength", "pattern", "format")):
            types = ["string"]
        elif any(
            k in schema
            for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
        ):
            types = ["number"]
        else:
            types = list(_TYPES)
        excluded = schema.get("not")
        if excluded is not None:
            if not (isinstance(excluded, dict) and set(excluded) == {"type"}):
                raise UsageError(
                    f"tool_arguments cannot build values for this 'not' (at {pointer or '/'})"
                )
            gone = excluded["type"] if isinstance(excluded["type"], list) else [excluded["type"]]
            types = [
                x for x in types if x not in gone and not (x == "integer" and "number" in gone)
            ]
            if "integer" in gone and "number" in types:
                raise UsageError(
                    "tool_arguments cannot build numbers that are not integers "
                    f"(at {pointer or '/'})"
                )
        if not types:
            raise UsageError(f"tool_arguments: no type is allowed at {pointer or '/'}")
        return types

    def _typed(
        self, t: str, schema: JSONObject, depth: int, pointer: str
    ) -> st.SearchStrategy[Any]:
        if t == "null":
            return st.none()
        if t == "boolean":
            return st.booleans()
        if t in ("integer", "number"):
            return _numbers(schema, integer=t == "integer", pointer=pointer)
        if t == "string":
            return _strings(schema)
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
                merge(items, contains) if isinstance(items, dict) else contains,
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


def _numbers(schema: JSONObject, *, integer: bool, pointer: str) -> st.SearchStrategy[Any]:
    lo: float = -MAX_INT
    hi: float = MAX_INT
    lo_open = hi_open = False
    for key, value in schema.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if key == "minimum" and value >= lo:
            lo, lo_open = value, False
        elif key == "exclusiveMinimum" and value >= lo:
            lo, lo_open = value, True
        elif key == "maximum" and value <= hi:
            hi, hi_open = value, False
        elif key == "exclusiveMaximum" and value <= hi:
            hi, hi_open = value, True
    step = schema.get("multipleOf")
    if integer or (isinstance(step, (int, float)) and not isinstance(step, bool)):
        unit = (
            step
            if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0
            else 1
        )
        if integer and not float(unit).is_integer():
            unit = 1 if step is None else step
        k_lo = math.ceil(lo / unit)
        if lo_open and k_lo * unit <= lo:
            k_lo += 1
        k_hi = math.floor(hi / unit)
        if hi_open and k_hi * unit >= hi:
            k_hi -= 1
        if k_lo > k_hi:
            raise UsageError(
                f"tool_arguments: no {'integer' if integer else 'multiple'} fits the bounds "
                f"at {pointer or '/'}"
            )
        if float(unit).is_integer():
            whole = int(unit)
            return st.integers(k_lo, k_hi).map(lambda k: k * whole)
        return st.integers(k_lo, k_hi).map(lambda k: k * unit)
    if lo > hi or (lo == hi and (lo_open or hi_open)):
        raise UsageError(f"tool_arguments: empty numeric range at {pointer or '/'}")
    floats = st.floats(
        lo, hi, exclude_min=lo_open, exclude_max=hi_open, allow_nan=False, allow_infinity=False
    )
    i_lo = math.floor(lo) + 1 if lo_open and float(lo).is_integer() else math.ceil(lo)
    i_hi = math.ceil(hi) - 1 if hi_open and float(hi).is_integer() else math.floor(hi)
    if i_lo <= i_hi:
        return st.one_of(st.integers(int(i_lo), int(i_hi)), floats)
    return floats


def _formats() -> dict[str, st.SearchStrategy[str]]:
    label = st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True)
    host = st.lists(label, min_size=1, max_size=3).map(lambda parts: ".".join([*parts, "example"]))
    return {
        "date-time": st.datetimes(
            datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=st.just(timezone.utc)
        ).map(lambda d: d.replace(microsecond=0).isoformat().replace("+00:00", "Z")),
        "date": st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(lambda d: d.isoformat()),
        "time": st.times().map(lambda t: t.replace(microsecond=0).isoformat() + "Z"),
        "email": st.tuples(st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True), host).map("@".join),
        "hostname": host,
        "uri": st.tuples(host, st.from_regex(r"[a-z0-9/]{0,12}", fullmatch=True)).map(
            lambda p: f"https://{p[0]}/{p[1]}"
        ),
        "uuid": st.uuids().map(str),
        "ipv4": st.ip_addresses(v=4).map(str),
        "ipv6": st.ip_addresses(v=6).map(str),
        "duration": st.sampled_from(["P1D", "PT2H30M", "P1Y2M", "PT45S", "P3W"]),
    }


_FORMATS: dict[str, st.SearchStrategy[str]] = {}


def _strings(schema: JSONObject) -> st.SearchStrategy[str]:
    lo = int(schema.get("minLength", 0))
    hi = schema.get("maxLength")
    top = lo + 20 if hi is None else min(int(hi), lo + 20)
    fmt = schema.get("format")
    if not _FORMATS:
        _FORMATS.update(_formats())
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        # JSON Schema patterns are searched, not matched; length limits next to a pattern are
        # met by filtering (this module never builds the two together).
        strings = regex(pattern, fullmatch=False)
        if "minLength" in schema or "maxLength" in schema:
            strings = strings.filter(lambda s: lo <= len(s) <= (math.inf if hi is None else hi))
        return strings
    return text(lo, top)
