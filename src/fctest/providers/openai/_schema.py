"""The OpenAI strict dialect: what ``strict: true`` tools and strict output schemas must be.

Every object closed and fully required, optional properties made nullable (``make_strict``),
and the keyword limits of the Structured Outputs guide. Non-strict tools are sent as written
(any JSON Schema). It is the ``transformer`` of every OpenAI-dialect profile; vendors whose
strict mode differs subclass it (xAI only closes objects).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..._types import JSONObject
from ...dialect import (
    DialectTransformer,
    KeywordMode,
    ValueCase,
    ValueRule,
    as_any_of,
    make_strict,
    merge_single_all_of,
)

__all__ = [
    "CLOSED_OBJECTS",
    "STRICT_FORMATS",
    "STRICT_KEYWORDS",
    "STRICT_SOURCES",
    "OpenAIStrictTransformer",
]

STRICT_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
"""``format`` values strict mode accepts (docs/dialects.md#strict-openai-formats)."""

_SO_GUIDE = (
    "OpenAI Structured Outputs guide, Supported schemas (docs/dialects.md#strict-openai-keywords)"
)
_OLDER = (
    "unsupported in an earlier revision of the Structured Outputs guide, no longer listed in the "
    "current one (docs/dialects.md#strict-openai-keywords-older)"
)

CLOSED_OBJECTS = ValueRule(
    (ValueCase("false", "native"),), otherwise="rejected", otherwise_label="true or a schema"
)
"""``additionalProperties`` in strict mode: ``false`` only; an open object cannot be made strict
without changing what it means, so fctest refuses it rather than close it silently."""

STRICT_KEYWORDS: Mapping[str, KeywordMode | ValueRule] = {
    # Not supported in strict mode: the composition keywords by the current guide, the rest by
    # an earlier revision (kept: dropping never fails a request, and the current guide's wording
    # is about fine-tuned models: docs/dialects.md#conflict-openai-strict-keywords), `default`
    # by an observed 400 (docs/dialects.md#strict-openai-default). fctest validates the
    # arguments against the user's full schema on the client, so these are dropped rather than
    # refused.
    "not": "dropped",
    "if": "dropped",
    "then": "dropped",
    "else": "dropped",
    "dependentRequired": "dropped",
    "dependentSchemas": "dropped",
    "minLength": "dropped",
    "maxLength": "dropped",
    "patternProperties": "dropped",
    "propertyNames": "dropped",
    "minProperties": "dropped",
    "maxProperties": "dropped",
    "uniqueItems": "dropped",
    "contains": "dropped",
    "minContains": "dropped",
    "maxContains": "dropped",
    "unevaluatedProperties": "dropped",
    "unevaluatedItems": "dropped",
    "default": "dropped",
    # oneOf -> anyOf; a one-element allOf merged, a real one refused; format kept only when
    # listed (docs/dialects.md#strict-openai-oneof, docs/dialects.md#strict-openai-formats).
    "oneOf": "rewritten",
    "allOf": ValueRule(
        (ValueCase("one_entry", "rewritten"),), otherwise="rejected", otherwise_label="several"
    ),
    "format": ValueRule(
        (ValueCase("one_of", "native", STRICT_FORMATS),),
        otherwise="dropped",
        otherwise_label="another format",
    ),
    "additionalProperties": CLOSED_OBJECTS,
    # Every property goes in `required`, the optional ones made nullable (make_strict).
    "required": "rewritten",
}
"""Strict-mode keyword modes of the OpenAI dialect (unlisted keywords are native)."""

STRICT_SOURCES: Mapping[str, str] = {
    **{f"keywords.{k}": _SO_GUIDE for k in ("not", "if", "then", "else")},
    "keywords.allOf": f"{_SO_GUIDE}; merge the subschemas or mark the tool strict=False",
    "keywords.required": (
        "every property required, optional ones sent as nullable "
        "(docs/dialects.md#strict-openai-required)"
    ),
    "keywords.additionalProperties": (
        "strict mode needs additionalProperties: false on every object "
        "(docs/dialects.md#strict-openai-required)"
    ),
    **{f"keywords.{k}": _SO_GUIDE for k in ("dependentRequired", "dependentSchemas")},
    "keywords.oneOf": "only anyOf is supported (docs/dialects.md#strict-openai-oneof)",
    "keywords.format": "the listed formats only (docs/dialects.md#strict-openai-formats)",
    **{
        f"keywords.{k}": _OLDER
        for k in (
            "minLength",
            "maxLength",
            "patternProperties",
            "propertyNames",
            "minProperties",
            "maxProperties",
            "uniqueItems",
            "contains",
            "minContains",
            "maxContains",
            "unevaluatedProperties",
            "unevaluatedItems",
        )
    },
    "keywords.default": "observed 400 \"'default' is not permitted\" in strict mode "
    "(docs/dialects.md#strict-openai-default)",
    "strict_keywords": _SO_GUIDE,
}


class OpenAIStrictTransformer(DialectTransformer):
    """OpenAI strict mode: every object closed and fully required, optional properties made
    nullable (``make_strict``; docs/dialects.md#strict-openai-required), plus the keyword
    rewrites of ``STRICT_KEYWORDS``.

    ``require_all`` is a class setting so vendors whose strict mode only closes objects (xAI)
    reuse the rest.
    """

    require_all = True

    def strict_node(self, node: JSONObject, pointer: str) -> JSONObject:
        return make_strict(node, pointer, self, require_all=self.require_all)

    def rewrite_keyword(
        self, keyword: str, value: Any, node: JSONObject, pointer: str
    ) -> JSONObject:
        if keyword == "oneOf":
            # Strict mode has anyOf but no oneOf (docs/dialects.md#strict-openai-oneof).
            return as_any_of(self, value, pointer, "strict mode has no oneOf; sent as anyOf")
        if keyword == "required":  # completed by make_strict in strict_node, which says how
            return {"required": value}
        if keyword == "allOf":  # one entry: STRICT_KEYWORDS refuses the others
            merged = merge_single_all_of(
                self, value, pointer, "one-element allOf merged into its node"
            )
            if merged is not None:
                return merged
        return super().rewrite_keyword(keyword, value, node, pointer)
