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
from ...dialect import DialectTransformer, KeywordMode, as_any_of, make_strict, merge_single_all_of

__all__ = ["STRICT_FORMATS", "STRICT_KEYWORDS", "STRICT_SOURCES", "OpenAIStrictTransformer"]

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
_NO_SOURCE = "no OpenAI source found (docs/dialects.md#conflict-openai-strict-keywords)"

STRICT_KEYWORDS: Mapping[str, KeywordMode] = {
    # Not supported in strict mode: the composition keywords by the current guide, the rest by
    # an earlier revision, and `default` by no OpenAI source; minContains/maxContains and
    # unevaluated* stay native though the earlier revision listed them
    # (docs/dialects.md#conflict-openai-strict-keywords). fctest validates the arguments against
    # the user's full schema on the client, so these are dropped rather than refused.
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
    "default": "dropped",
    # oneOf -> anyOf, one-element allOf merged, format kept only when whitelisted
    # (docs/dialects.md#strict-openai-oneof, docs/dialects.md#strict-openai-formats).
    "oneOf": "rewritten",
    "allOf": "rewritten",
    "format": "rewritten",
}
"""Strict-mode keyword modes of the OpenAI dialect (unlisted keywords are native)."""

STRICT_SOURCES: Mapping[str, str] = {
    **{f"keywords.{k}": _SO_GUIDE for k in ("not", "if", "then", "else", "allOf")},
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
        )
    },
    "keywords.default": _NO_SOURCE,
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
        if keyword == "allOf":
            merged = merge_single_all_of(
                self, value, pointer, "one-element allOf merged into its node"
            )
            if merged is not None:
                return merged
            self.reject(
                f"{pointer}/allOf",
                "strict mode does not support allOf (OpenAI Structured Outputs guide); "
                "merge the subschemas or mark the tool strict=False",
            )
        if keyword == "format":
            if value in STRICT_FORMATS:
                return {"format": value}
            self.drop(pointer, "format", f"format {value!r} is not one strict mode accepts")
            return {}
        return super().rewrite_keyword(keyword, value, node, pointer)
