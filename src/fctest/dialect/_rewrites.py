"""The schema rewrites dialects share, each written once and named for what it does.

A dialect's ``rewrite_keyword`` picks among these; each records its change on the transformer
with the reason the caller gives (the reason names the provider's rule, so it stays with the
provider). ``make_strict`` is what OpenAI-style and Anthropic-style strict modes do to an object
node; ``accepts_null`` and ``nullable`` are the null logic it and the call restorer share.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._types import JSONObject
    from ._transformer import DialectTransformer
    from ._walker import SchemaTransformer

__all__ = [
    "accepts_null",
    "as_any_of",
    "const_as_enum",
    "is_object",
    "make_strict",
    "merge_single_all_of",
    "nullable",
]


def as_any_of(t: SchemaTransformer, value: Any, pointer: str, reason: str) -> JSONObject:
    """``oneOf`` sent as ``anyOf``: for tool arguments the difference (exactly one branch) is
    checked on the client, so only the keyword changes."""
    t.rewrite(pointer, "oneOf", reason)
    return {"anyOf": value}


def merge_single_all_of(
    t: SchemaTransformer, value: Any, pointer: str, reason: str
) -> JSONObject | None:
    """A one-element ``allOf`` (pydantic's ``allOf: [{"$ref": ...}]`` wrapper) merged into its
    node, which means the same; ``None`` when ``value`` is not such a wrapper (the caller
    decides what a real intersection becomes)."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        t.rewrite(pointer, "allOf", reason)
        return dict(value[0])
    return None


def const_as_enum(t: SchemaTransformer, value: Any, pointer: str, reason: str) -> JSONObject:
    """``const`` sent as a one-value ``enum`` (same meaning, for dialects without ``const``)."""
    t.rewrite(pointer, "const", reason)
    return {"enum": [value]}


def is_object(node: JSONObject) -> bool:
    """Whether a node describes an object (by its type, or by having ``properties``)."""
    kind = node.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in node


# Keywords other than ``type``/``enum`` that can reject ``null``: a node holding one of them is
# widened by wrapping it in ``anyOf`` rather than by editing its ``type``.
_NULL_BLOCKERS = ("$ref", "const", "not", "allOf", "anyOf", "oneOf", "if")


def accepts_null(schema: Any, defs: Mapping[str, Any] | None = None, depth: int = 0) -> bool:
    """Whether ``null`` is valid under ``schema`` (``$ref`` followed when ``defs`` are given)."""
    if not isinstance(schema, dict):
        return schema is not False
    if depth > 32:
        return False
    ref = schema.get("$ref")
    if isinstance(ref, str) and not (
        defs is not None and ref in defs and accepts_null(defs[ref], defs, depth + 1)
    ):
        return False
    t = schema.get("type")
    if t is not None and t != "null" and not (isinstance(t, list) and "null" in t):
        return False
    if "enum" in schema and None not in schema["enum"]:
        return False
    if "const" in schema and schema["const"] is not None:
        return False
    if "anyOf" in schema and not any(accepts_null(s, defs, depth + 1) for s in schema["anyOf"]):
        return False
    if "oneOf" in schema and sum(accepts_null(s, defs, depth + 1) for s in schema["oneOf"]) != 1:
        return False
    if "allOf" in schema and not all(accepts_null(s, defs, depth + 1) for s in schema["allOf"]):
        return False
    return not ("not" in schema and accepts_null(schema["not"], defs, depth + 1))


def nullable(schema: Any) -> Any:
    """``schema`` widened to also accept ``null`` (in the form strict decoders understand)."""
    if not isinstance(schema, dict) or accepts_null(schema):
        return schema
    if not any(k in schema for k in _NULL_BLOCKERS):
        # Only ``type`` and ``enum`` reject null here: widen both.
        out = dict(schema)
        t = schema.get("type")
        if t is not None:
            out["type"] = [*t, "null"] if isinstance(t, list) else [t, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    if not any(k in schema for k in ("type", "enum", *_NULL_BLOCKERS) if k != "anyOf"):
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


def make_strict(
    node: JSONObject, pointer: str, transformer: DialectTransformer, *, require_all: bool
) -> JSONObject:
    """An object node made strict: ``additionalProperties: false`` and, with ``require_all``
    (OpenAI strict: "all fields must be required"), every property required, the optional
    ones made nullable so the model can still leave them out (sends ``null``).

    An explicit open ``additionalProperties`` (true or a schema) cannot be made strict without
    changing what the user meant, so it is rejected rather than closed silently.
    """
    if not is_object(node):
        return node
    extra = node.get("additionalProperties")
    if extra is not None and extra is not False:
        transformer.reject(
            f"{pointer}/additionalProperties",
            "strict mode needs additionalProperties: false; this object allows extra keys",
        )
    out = dict(node)
    if extra is None:
        out["additionalProperties"] = False
        transformer.rewrite(pointer, "additionalProperties", "strict mode closes every object")
    props = node.get("properties") or {}
    if require_all:
        required = set(node.get("required", ()))
        optional = [name for name in props if name not in required]
        if optional:
            out["properties"] = {
                name: (nullable(sub) if name in optional else sub) for name, sub in props.items()
            }
            transformer.rewrite(
                pointer,
                "required",
                f"strict mode requires every property; optional {optional} made nullable",
            )
            transformer.nullable_optionals = True
        out["required"] = list(props)
    return out
