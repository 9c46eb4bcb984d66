"""Gemini's two schema dialects: ``parametersJsonSchema`` (JSON Schema, the default) and the
OpenAPI-3.0 subset of ``parameters`` (``GeminiConfig(schema_field="parameters")``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..._types import JSONObject
from ...dialect import DialectTransformer, Profile, as_any_of, const_as_enum, merge_single_all_of

__all__ = ["GeminiJSONSchemaTransformer", "GeminiOpenAPITransformer"]


class GeminiJSONSchemaTransformer(DialectTransformer):
    """``parametersJsonSchema``: JSON Schema, sent nearly as written.

    ``const`` becomes a one-value ``enum`` (same meaning, and ``enum`` is documented); a ``$ref``
    with sibling keywords is wrapped in a one-branch ``anyOf`` (siblings of ``$ref`` are not
    allowed); ``$schema`` is dropped. Keywords outside the documented subset are sent anyway
    ("the full JSON Schema may be sent") and the arguments are validated on the client.
    """

    def rewrite_keyword(
        self, keyword: str, value: Any, node: JSONObject, pointer: str
    ) -> JSONObject:
        if keyword == "const":
            return const_as_enum(
                self,
                value,
                pointer,
                "sent as a one-value enum (same meaning; docs/dialects.md#schema-gemini-json)",
            )
        if keyword == "$ref":
            if all(k.startswith("$") for k in node):
                return {"$ref": value}
            if "anyOf" in node:
                self.reject(
                    pointer,
                    "a $ref next to anyOf cannot be sent: Gemini allows no sibling keywords "
                    "beside $ref (move the $ref into the anyOf)",
                )
            self.rewrite(
                pointer, "$ref", "wrapped in a one-branch anyOf: $ref may have no siblings"
            )
            return {"anyOf": [{"$ref": value}]}
        return super().rewrite_keyword(keyword, value, node, pointer)


_SUBSET = "docs/dialects.md#schema-gemini-openapi"
_NULLS = "docs/dialects.md#schema-gemini-sdk-transforms"

_OPENAPI_TYPES = {
    "string": "STRING",
    "number": "NUMBER",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "object": "OBJECT",
}

# Formats the OpenAPI form keeps; others go into the description. Strings: a 2025 server 400
# said "only 'enum' and 'date-time' are supported for STRING type", although the SDK docstring
# lists more (docs/dialects.md#schema-gemini-format, docs/dialects.md#conflict-gemini-format);
# numbers: the types.Schema.format docstring.
_KEPT_FORMATS = {
    "string": ("enum", "date-time"),
    "number": ("float", "double"),
    "integer": ("int32", "int64"),
}


class GeminiOpenAPITransformer(DialectTransformer):
    """``parameters``: the OpenAPI-3.0 subset of ``types.Schema``.

    ``$ref``s are inlined (google-genai's ``process_schema`` does the same for the Gemini API)
    and a recursive schema is refused. Types are upper-case names; ``"type": [T, "null"]`` and
    an ``anyOf`` branch ``{"type": "null"}`` become ``nullable: true`` (as the SDK's
    ``handle_null_fields`` does: docs/dialects.md#schema-gemini-sdk-transforms); ``oneOf`` is sent
    as ``anyOf`` and a one-element ``allOf`` is merged (the ``Schema`` fields have ``anyOf`` only:
    docs/dialects.md#schema-gemini-openapi). ``enum``/``const`` values that are not strings
    (``Schema.enum`` is ``list[str]``), and formats the form does not take, are moved into the
    description and never stringified: the arguments are validated against the user's schema on
    the client. Objects keep ``properties`` only when non-empty (400 "should be non-empty for
    OBJECT type": docs/dialects.md#parameters-gemini), and only objects keep them (400 "only
    allowed for OBJECT type": docs/dialects.md#schema-gemini-object-keywords).
    """

    inline_defs = True

    def __init__(
        self, schema: JSONObject, *, tool: str, provider: str, profile: Profile, strict: bool
    ) -> None:
        super().__init__(schema, tool=tool, provider=provider, profile=profile, strict=strict)
        self._notes: list[str] = []

    def on_recursion(self, ref: str, pointer: str) -> JSONObject:
        self.reject(
            pointer,
            f"recursive schema ({ref}) cannot be written in Gemini's OpenAPI 'parameters' form; "
            "use GeminiConfig(schema_field='parametersJsonSchema')",
        )

    def transform(self, node: JSONObject, pointer: str) -> JSONObject:
        self._notes = []
        if isinstance(node.get("items"), list):
            node = {k: v for k, v in node.items() if k != "items"}
            self.drop(pointer, "items", f"array-form items (tuples) cannot be written ({_SUBSET})")
        out = super().transform(node, pointer)
        return self._finish_node(out, pointer)

    def rewrite_keyword(
        self, keyword: str, value: Any, node: JSONObject, pointer: str
    ) -> JSONObject:
        rewrite = _OPENAPI_REWRITES.get(keyword)
        if rewrite is None:
            return super().rewrite_keyword(keyword, value, node, pointer)
        return rewrite(self, value, node, pointer)

    def _const(self, value: Any, node: JSONObject, pointer: str) -> JSONObject:
        if isinstance(value, str):
            enum = const_as_enum(self, value, pointer, f"sent as a one-value enum ({_SUBSET})")
            return enum if "type" in node else {**enum, "type": "STRING"}
        self._notes.append(f"Must be {json.dumps(value)}.")
        self.rewrite(pointer, "const", f"non-string const moved into the description ({_SUBSET})")
        return {}

    def _enum(self, value: Any, node: JSONObject, pointer: str) -> JSONObject:
        if isinstance(value, list):
            strings = [v for v in value if isinstance(v, str)]
            has_null = None in value
            if strings and len(strings) + has_null == len(value):
                out: JSONObject = {"enum": strings}
                if has_null:
                    out["nullable"] = True
                    self.rewrite(pointer, "enum", f"null in the enum sent as nullable ({_NULLS})")
                if "type" not in node:
                    out["type"] = "STRING"
                return out
            allowed = ", ".join(json.dumps(v) for v in value)
            self._notes.append(f"Allowed values: {allowed}.")
        self.rewrite(
            pointer,
            "enum",
            "Gemini enums hold strings only; the values were moved into the description "
            f"and are checked client-side, never stringified ({_SUBSET})",
        )
        return {}

    def _format(self, value: Any, node: JSONObject, pointer: str) -> JSONObject:
        if value in _KEPT_FORMATS.get(str(node.get("type")), ()):
            return {"format": value}
        self._notes.append(f"Format: {value}.")
        self.rewrite(pointer, "format", f"format {value!r} moved into the description")
        return {}

    def _one_of(self, value: Any, node: JSONObject, pointer: str) -> JSONObject:
        if "anyOf" in node:
            self.reject(pointer, "anyOf and oneOf on one node cannot be sent to Gemini")
        return as_any_of(
            self, value, pointer, f"sent as anyOf: Gemini's Schema has no oneOf ({_SUBSET})"
        )

    def _all_of(self, value: Any, node: JSONObject, pointer: str) -> JSONObject:
        merged = merge_single_all_of(self, value, pointer, "one-element allOf merged into its node")
        if merged is not None:
            return merged
        self.drop(pointer, "allOf", "Gemini's Schema has no allOf; checked client-side")
        return {}

    def _type(self, value: Any, node: JSONObject, pointer: str) -> JSONObject:
        names = value if isinstance(value, list) else [value]
        kept = [t for t in names if t != "null"]
        out: JSONObject = {}
        if len(kept) < len(names):
            out["nullable"] = True
            self.rewrite(pointer, "type", f"'null' type sent as nullable: true ({_NULLS})")
        wire = []
        for t in kept:
            if t not in _OPENAPI_TYPES:
                self.reject(f"{pointer}/type", f"unknown JSON Schema type {t!r}")
            wire.append(_OPENAPI_TYPES[t])
        if len(wire) == 1:
            out["type"] = wire[0]
        elif len(wire) > 1:
            if "anyOf" in node or "oneOf" in node:
                self.reject(pointer, "a type list next to anyOf/oneOf cannot be sent to Gemini")
            self.rewrite(pointer, "type", f"type list sent as anyOf of single types ({_SUBSET})")
            out["anyOf"] = [{"type": t} for t in wire]
        return out

    def _finish_node(self, out: JSONObject, pointer: str) -> JSONObject:
        branches = out.get("anyOf")
        if isinstance(branches, list):
            rest = [b for b in branches if not _is_null_branch(b)]
            if len(rest) < len(branches):
                self.rewrite(pointer, "anyOf", f"null branch sent as nullable: true ({_NULLS})")
                out = {**out, "nullable": True}
                if len(rest) == 1 and isinstance(rest[0], dict):
                    parent = {k: v for k, v in out.items() if k != "anyOf"}
                    out = _merge(rest[0], parent)
                elif rest:
                    out["anyOf"] = rest
                else:
                    del out["anyOf"]
        kind = out.get("type")
        if kind is None and "properties" in out and "anyOf" not in out:
            out = {"type": "OBJECT", **out}
            self.rewrite(pointer, "type", "properties need type OBJECT on Gemini")
        elif kind is not None and kind != "OBJECT":
            for key in ("properties", "required"):
                if key in out:
                    del out[key]
                    self.drop(pointer, key, f"{key!r} is only allowed for OBJECT type")
        if pointer and out.get("properties") == {}:
            del out["properties"]
            self.drop(pointer, "properties", "empty properties: 'should be non-empty for OBJECT'")
        if self._notes:
            note = " ".join(self._notes)
            text = out.get("description")
            out["description"] = f"{text} {note}" if isinstance(text, str) and text else note
            self._notes = []
        return out


_Rewrite = Callable[[GeminiOpenAPITransformer, Any, JSONObject, str], JSONObject]
# The keywords the OpenAPI profile marks "rewritten", each with its rewrite.
_OPENAPI_REWRITES: dict[str, _Rewrite] = {
    "type": GeminiOpenAPITransformer._type,
    "const": GeminiOpenAPITransformer._const,
    "enum": GeminiOpenAPITransformer._enum,
    "format": GeminiOpenAPITransformer._format,
    "oneOf": GeminiOpenAPITransformer._one_of,
    "allOf": GeminiOpenAPITransformer._all_of,
}


def _is_null_branch(branch: Any) -> bool:
    return (
        isinstance(branch, dict)
        and branch.get("nullable") is True
        and "type" not in branch
        and set(branch) <= {"nullable", "description", "title"}
    )


def _merge(branch: JSONObject, parent: JSONObject) -> JSONObject:
    """``branch`` with the parent's keywords on top (descriptions joined, parent first)."""
    out = dict(branch)
    for key, value in parent.items():
        if key == "description" and isinstance(out.get(key), str) and out[key] != value:
            out[key] = f"{value} {out[key]}"
        else:
            out[key] = value
    return out
