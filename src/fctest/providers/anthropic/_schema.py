"""Anthropic's strict dialect: what ``strict: true`` tools and ``output_config.format`` schemas
may hold (structured-outputs doc, "JSON Schema limitations")."""

from __future__ import annotations

import json
import re
from typing import Any

from ..._types import JSONObject
from ...dialect import DialectTransformer, Profile, as_any_of, make_strict, merge_single_all_of

__all__ = ["SDK_TRANSFORM", "SO_DOC", "AnthropicStrictTransformer"]

SO_DOC = "platform.claude.com/docs/en/build-with-claude/structured-outputs, JSON Schema limitations"

SDK_TRANSFORM = "anthropic SDK lib/_parse/_transform.py (transform_schema)"

# String formats strict mode accepts (docs/dialects.md#strict-anthropic-formats).
_STRICT_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)

# Regex features taken as refused by strict mode: backreferences, lookaround, word boundaries.
# The doc allows "basic" regular expressions; this list is unconfirmed
# (docs/dialects.md#strict-anthropic-schema).
_UNSUPPORTED_REGEX = re.compile(r"\\[1-9]|\(\?<?[=!]|\\[bB]|\\k<")


class AnthropicStrictTransformer(DialectTransformer):
    """Anthropic strict mode (``strict: true`` tools and ``output_config.format`` schemas).

    Every object gets ``additionalProperties: false`` (optional properties stay optional:
    ``make_strict(require_all=False)``); keywords strict mode does not support are appended
    to the node's description as ``{keyword: value, ...}``, the SDK helper's format;
    ``oneOf`` becomes ``anyOf`` (SDK); recursive schemas and ``allOf`` with ``$ref`` are
    refused (doc: "Not supported"). Non-strict tools are sent as written (any JSON Schema).
    """

    def __init__(
        self, schema: JSONObject, *, tool: str, provider: str, profile: Profile, strict: bool
    ) -> None:
        super().__init__(schema, tool=tool, provider=provider, profile=profile, strict=strict)
        self._notes: dict[str, list[tuple[str, Any]]] = {}

    def transform(self, node: JSONObject, pointer: str) -> JSONObject:
        if self.strict:
            ref = node.get("$ref")
            if isinstance(ref, str) and ref in self.recursive:
                self.reject(
                    f"{pointer}/$ref",
                    f"strict mode does not support recursive schemas ({ref!r} refers to "
                    f"itself; {SO_DOC}); mark the tool strict=False",
                )
        return super().transform(node, pointer)

    def rewrite_keyword(
        self, keyword: str, value: Any, node: JSONObject, pointer: str
    ) -> JSONObject:
        if keyword == "oneOf":
            return as_any_of(
                self, value, pointer, f"strict mode has no oneOf; sent as anyOf ({SDK_TRANSFORM})"
            )
        if keyword == "allOf":
            members = value if isinstance(value, list) else []
            if any(isinstance(m, dict) and "$ref" in m for m in members):
                merged = merge_single_all_of(
                    self, value, pointer, "one-element allOf with $ref merged into its node"
                )
                if merged is not None:
                    return merged
                self.reject(
                    f"{pointer}/allOf",
                    f"strict mode does not support allOf combined with $ref ({SO_DOC})",
                )
            return {"allOf": value}
        keep = (
            (keyword in ("enum", "const") and _primitive(keyword, value))
            or (keyword == "format" and value in _STRICT_FORMATS)
            or (keyword == "minItems" and value in (0, 1) and not isinstance(value, bool))
            or (
                keyword == "pattern"
                and isinstance(value, str)
                and not _UNSUPPORTED_REGEX.search(value)
            )
        )
        if keep:
            return {keyword: value}
        self._notes.setdefault(pointer, []).append((keyword, value))
        self.rewrite(
            pointer,
            keyword,
            f"not supported by {self.provider} strict mode ({SO_DOC}); moved into the description "
            "and checked on the client",
        )
        return {}

    def strict_node(self, node: JSONObject, pointer: str) -> JSONObject:
        notes = self._notes.pop(pointer, None)
        if notes:
            text = (
                "{" + ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in notes) + "}"
            )
            described = node.get("description")
            node = {
                **node,
                "description": f"{described}\n\n{text}" if isinstance(described, str) else text,
            }
        return make_strict(node, pointer, self, require_all=False)


def _primitive(keyword: str, value: Any) -> bool:
    """``enum`` of strings/numbers/bools/nulls, or such a ``const`` (doc: no complex types)."""
    values = value if keyword == "enum" else [value]
    if keyword == "enum" and (not isinstance(value, list) or not value):
        return False
    return all(v is None or isinstance(v, (str, int, float, bool)) for v in values)
