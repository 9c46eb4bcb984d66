"""Gemini's profiles and config: what ``generateContent`` accepts, as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..._exceptions import UsageError
from ...dialect import KeywordMode, ModelRule, Profile
from .._base import Config
from ._schema import GeminiJSONSchemaTransformer, GeminiOpenAPITransformer

__all__ = ["OPENAPI_PROFILE", "PROFILE", "GeminiConfig", "SchemaField"]

_SDK = "google-genai 3.6.1"

_JSON_SUBSET = (
    f"{_SDK} types.py GenerateContentConfig.response_json_schema: the documented JSON Schema "
    "subset; 'the full JSON Schema may be sent, not all features are supported'"
)

_NOT_IN_SCHEMA = (
    f"not a field of the OpenAPI Schema message ({_SDK} types.Schema); the server answers 400 "
    "'Unknown name ... Cannot find field' (docs/dialects.md#schema-gemini-openapi)"
)

_JSON_KEYWORDS: Mapping[str, KeywordMode] = {
    # The documented subset, and the annotations (they constrain nothing), are sent as written.
    **dict.fromkeys(
        (
            "$id",
            "$defs",
            "definitions",
            "$anchor",
            "type",
            "format",
            "title",
            "description",
            "enum",
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "minimum",
            "maximum",
            "anyOf",
            "properties",
            "additionalProperties",
            "required",
            "propertyOrdering",
            "default",
            "examples",
            "deprecated",
            "readOnly",
            "writeOnly",
            "$comment",
        ),
        "native",
    ),
    # Read as anyOf: "exactly one" is not enforced.
    "oneOf": "unenforced",
    "$schema": "dropped",
    "const": "rewritten",
    "$ref": "rewritten",
}
"""``parametersJsonSchema``: everything else is accepted and sent, but not enforced
(docs/dialects.md#schema-gemini-json), so fctest checks it on the client."""

MODELS = (
    ModelRule(
        "Gemini before 3",
        ("gemini-1*", "gemini-2*"),
        {"structured_output_with_tools": False},
        "400 'Function calling with a response mime type: application/json is unsupported' "
        "(docs/dialects.md#structured-output-gemini-tools)",
    ),
    ModelRule(
        "Gemini 3",
        ("gemini-3*",),
        {},
        "recorded taking function declarations and a JSON response schema together "
        "(docs/dialects.md#structured-output-gemini-tools)",
    ),
    ModelRule(
        "Gemini 3.5",
        ("gemini-3.5*",),
        {"tool_call_ids": "provider"},
        "recorded sending an id with every call (docs/dialects.md#ids-gemini)",
    ),
)
"""Gemini's model generations (a model no rule names gets the documented defaults)."""

PROFILE = Profile(
    tool_name_pattern=r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$",
    tool_name_max_length=64,
    max_tools=512,
    transformer=GeminiJSONSchemaTransformer,
    keywords=_JSON_KEYWORDS,
    unknown_keyword="unenforced",
    strict_keywords=_JSON_KEYWORDS,
    strict_unknown_keyword="unenforced",
    tool_choice=frozenset({"auto", "none", "required", "named"}),
    parallel_call_control=False,
    strict_mode="request",
    strict_default=False,
    structured_output="native",
    # responseJsonSchema has no strict flag: the schema is fitted with the non-strict rules.
    output_strictness="never",
    argument_encoding="object",
    id_rule=None,
    tool_call_ids="generated",
    models=MODELS,
    streams_arguments=False,
    requires_parameters=False,
    max_tokens_field="maxOutputTokens",
    base_url="https://generativelanguage.googleapis.com",
    # The SDK reads both keys and prefers GOOGLE_API_KEY (_api_client.get_env_api_key), and
    # GOOGLE_GEMINI_BASE_URL for the base URL (_base_url.get_base_url).
    env={"api_key": ("GOOGLE_API_KEY", "GEMINI_API_KEY"), "base_url": ("GOOGLE_GEMINI_BASE_URL",)},
    sources={
        "output_strictness": f"{_SDK} types.GenerateContentConfig.response_json_schema",
        "max_tokens_field": f"{_SDK} types.GenerationConfig.max_output_tokens",
        "base_url": f"{_SDK} _api_client.py",
        "env": f"{_SDK} _api_client.get_env_api_key, _base_url.get_base_url",
        "tool_name_pattern": (
            f"{_SDK} types.FunctionDeclaration.name: start with a letter or '_', then a-z A-Z "
            "0-9 _ . : - (docs/dialects.md#tool-names-gemini; colons unconfirmed on the server)"
        ),
        "tool_name_max_length": (
            "64, the portable maximum: the SDK docstring says 128 but a server error said 64 "
            "in 2025 (docs/dialects.md#tool-names-gemini)"
        ),
        "max_tools": (
            f"{_SDK} types.Tool.function_declarations: 'Maximum 512' "
            "(docs/dialects.md#max-tools-gemini)"
        ),
        "keywords": _JSON_SUBSET,
        "keywords.oneOf": "read as anyOf (docs/dialects.md#schema-gemini-json)",
        "keywords.$schema": (
            "refused with 'Unknown name' in the OpenAPI parameters field; unconfirmed for "
            "parametersJsonSchema, dropped to be safe "
            "(docs/dialects.md#conflict-gemini-schema-keyword)"
        ),
        "keywords.const": (
            "not in the documented subset: a one-value enum (docs/dialects.md#schema-gemini-json)"
        ),
        "keywords.$ref": (
            f"{_JSON_SUBSET}: 'If $ref is set on a sub-schema, no other properties, except for "
            "those starting as a $, may be set'"
        ),
        "tool_choice": (
            f"{_SDK} types.FunctionCallingConfigMode AUTO/ANY/NONE "
            "(docs/dialects.md#tool-choice-gemini)"
        ),
        "parallel_call_control": (
            "no field in FunctionCallingConfig (docs/dialects.md#parallel-gemini)"
        ),
        "strict_mode": (
            f"{_SDK} FunctionCallingConfigMode.VALIDATED, request-wide "
            "(docs/dialects.md#strict-gemini-validated)"
        ),
        "argument_encoding": (
            "functionCall.args is a JSON object (docs/dialects.md#arguments-gemini)"
        ),
        "tool_call_ids": (
            "functionCall.id is optional: older models send none, newer ones send ids, which are "
            "kept (docs/dialects.md#ids-gemini, docs/dialects.md#conflict-gemini-ids)"
        ),
        "streams_arguments": (
            "each SSE event holds whole functionCall parts (docs/dialects.md#stream-gemini)"
        ),
        "requires_parameters": (
            f"{_SDK} FunctionDeclaration.parameters: 'For function with no parameters, this can "
            "be left unset' (docs/dialects.md#parameters-gemini)"
        ),
    },
)
"""The ``parametersJsonSchema`` dialect (the default)."""

_OPENAPI_NATIVE = (
    "title",
    "description",
    "nullable",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "minProperties",
    "maxProperties",
    "minimum",
    "maximum",
    "pattern",
    "properties",
    "required",
    "propertyOrdering",
    "anyOf",
    "default",
    "example",
)

_OPENAPI_KEYWORDS: Mapping[str, KeywordMode] = {
    **dict.fromkeys(_OPENAPI_NATIVE, "native"),
    **dict.fromkeys(("type", "const", "enum", "format", "oneOf", "allOf"), "rewritten"),
}

OPENAPI_PROFILE = PROFILE.evolve(
    transformer=GeminiOpenAPITransformer,
    keywords=_OPENAPI_KEYWORDS,
    unknown_keyword="dropped",
    strict_keywords=_OPENAPI_KEYWORDS,
    strict_unknown_keyword="dropped",
    sources={
        "keywords": _NOT_IN_SCHEMA,
        "keywords.additionalProperties": (
            f"{_SDK} _transformers._raise_for_unsupported_mldev_properties: 'additionalProperties "
            "is only supported in ... Agent Platform mode, not in Gemini Developer API mode' "
            "(docs/dialects.md#schema-gemini-additional-properties)"
        ),
        # $schema must override the JSON Schema dialect's entry; the others are named for the
        # matrix.
        "keywords.$schema": _NOT_IN_SCHEMA,
        "keywords.exclusiveMinimum": _NOT_IN_SCHEMA,
        "keywords.exclusiveMaximum": _NOT_IN_SCHEMA,
        "keywords.propertyNames": _NOT_IN_SCHEMA,
    },
)
"""The OpenAPI-subset ``parameters`` dialect (``GeminiConfig(schema_field="parameters")``)."""

SchemaField = Literal["parametersJsonSchema", "parameters"]


@dataclass(frozen=True)
class GeminiConfig(Config):
    """Gemini settings beyond key and base URL.

    ``api_version`` (default ``"v1beta"``: every recorded Gemini request in the corpus uses it,
    and the preview fields this adapter sends are documented there; google-genai 3.6.1 defaults
    to ``v1``: docs/dialects.md#auth-gemini). ``schema_field`` (default
    ``"parametersJsonSchema"``): ``"parameters"`` sends tool schemas (and ``responseSchema``) in
    the OpenAPI subset, for targets that do not accept JSON Schema.
    """

    api_version: str = "v1beta"
    schema_field: SchemaField = "parametersJsonSchema"

    def __post_init__(self) -> None:
        if self.schema_field not in ("parametersJsonSchema", "parameters"):
            raise UsageError(
                f"gemini: schema_field must be 'parametersJsonSchema' or 'parameters', "
                f"got {self.schema_field!r}"
            )
        if not self.api_version or "/" in self.api_version:
            raise UsageError(f"gemini: invalid api_version {self.api_version!r}")
