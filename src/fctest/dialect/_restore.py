"""Strict mode's "null means omitted", in both directions.

OpenAI-style strict mode sends every property as required and the optional ones as nullable
(``make_strict``), so a constrained model says "left out" with ``null``. Decoding removes
those nulls again (``drop_nulls``) so the handler sees what the user's schema means; the
provider's side (the reference server) adds them (``fill_nulls``), as a constrained model does.
Both follow ``$ref``, ``allOf`` and the ``anyOf``/``oneOf`` branch a value was made under.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._rewrites import accepts_null, is_object

__all__ = ["drop_nulls", "fill_nulls"]


def _branch(value: Any, branches: Sequence[Any], defs: Mapping[str, Any]) -> Any:
    """The ``anyOf``/``oneOf`` branch an object or array value was generated under, if clear.

    Strict mode sends every property, so an object's keys name its branch (pydantic's
    ``Model | None`` is ``anyOf: [{$ref}, {type: null}]``).
    """
    resolved = [
        defs.get(b["$ref"], b) if isinstance(b, dict) and "$ref" in b else b for b in branches
    ]
    if isinstance(value, dict):
        objects = [b for b in resolved if isinstance(b, dict) and is_object(b)]
        if len(objects) == 1:
            return objects[0]
        keys = value.keys()
        for b in objects:
            if keys == (b.get("properties") or {}).keys():
                return b
        return next((b for b in objects if keys <= (b.get("properties") or {}).keys()), None)
    if isinstance(value, list):
        return next((b for b in resolved if isinstance(b, dict) and "items" in b), None)
    return None


def drop_nulls(
    value: Any,
    schema: Any,
    defs: Mapping[str, Any],
    depth: int = 0,
    *,
    all_optional: bool = False,
) -> Any:
    """``value`` without the ``null``s that stand for omitted optional properties.

    A null is kept where the user's own schema accepts it (it may mean something), unless
    ``all_optional``: then every optional property sent as null is dropped.
    """
    if depth > 64 or not isinstance(schema, dict) or value is None:
        return value
    again = {"all_optional": all_optional}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref in defs:
        value = drop_nulls(value, defs[ref], defs, depth + 1, **again)
    for sub in schema.get("allOf") or ():
        value = drop_nulls(value, sub, defs, depth + 1, **again)
    branches = [*(schema.get("anyOf") or ()), *(schema.get("oneOf") or ())]
    if branches:
        value = drop_nulls(value, _branch(value, branches, defs), defs, depth + 1, **again)
    props = schema.get("properties")
    if isinstance(value, dict) and isinstance(props, dict):
        required = set(schema.get("required", ()))
        out = {}
        for k, v in value.items():
            sub = props.get(k)
            if sub is None:
                out[k] = v
            elif v is None and k not in required and (all_optional or not accepts_null(sub, defs)):
                continue
            else:
                out[k] = drop_nulls(v, sub, defs, depth + 1, **again)
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [drop_nulls(v, schema["items"], defs, depth + 1, **again) for v in value]
    return value


def fill_nulls(value: Any, schema: Any, defs: Mapping[str, Any], depth: int = 0) -> Any:
    """``value`` with every property a strict wire schema requires and it lacks set to null."""
    if depth > 32 or not isinstance(schema, dict):
        return value
    ref = schema.get("$ref")
    if isinstance(ref, str) and isinstance(defs.get(ref), dict):
        return fill_nulls(value, defs[ref], defs, depth + 1)
    props = schema.get("properties")
    if isinstance(value, dict) and isinstance(props, dict):
        required = schema.get("required") or ()
        out = {}
        for key, sub in props.items():
            if key in value:
                out[key] = fill_nulls(value[key], sub, defs, depth + 1)
            elif key in required:
                out[key] = None
        out.update((k, v) for k, v in value.items() if k not in props)
        return out
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, dict):
        return [fill_nulls(v, items, defs, depth + 1) for v in value]
    return value
