"""Google Gemini API adapter (REST ``generateContent``), registered as ``gemini``.

Wire docs: https://ai.google.dev/api/generate-content (``models.generateContent``,
``models.streamGenerateContent``), https://ai.google.dev/gemini-api/docs/function-calling,
https://ai.google.dev/gemini-api/docs/thought-signatures,
https://ai.google.dev/gemini-api/docs/structured-output. Confirmed against google-genai 3.4.0
(``site-packages/google/genai``): ``_api_client.py`` (base URL, ``x-goog-api-key``, SSE lines,
``{"error": ...}`` chunks inside a stream), ``models.py`` (``{model}:generateContent``,
``{model}:streamGenerateContent?alt=sse``, the camelCase request fields), ``types.py``
(``FunctionDeclaration``, ``Schema``, ``FunctionCallingConfigMode``, ``FinishReason``, ``Part``),
``_transformers.py`` (``process_schema``: what the OpenAPI ``parameters`` form takes),
``errors.py``. Check numbers (C01...) refer to ``provider-dialects.md``.

What differs from the OpenAI shape, and what this module does:

- **Schemas.** Tools go in one ``{"functionDeclarations": [...]}`` entry. By default each schema is
  sent as ``parametersJsonSchema`` (JSON Schema). ``GeminiConfig(schema_field="parameters")``
  sends the OpenAPI-3.0 subset instead, for targets that do not take the JSON Schema field; it is
  a *config* setting because it depends on the endpoint (a proxy, an older Vertex deployment), not
  on the provider. Its keyword rules live in ``OPENAPI_PROFILE`` and ``GeminiOpenAPITransformer``.
- **Strictness** is one mode for the whole request (``VALIDATED``, C18): any strict tool turns it
  on for the request; it needs no schema rewrites, so non-strict tools only gain from it.
- **No parallel-call switch** (C27): ``parallel_tool_calls=False`` raises ``UsageError``.
- **Call ids.** Calls usually come without ``id`` (C30). Missing ids are made stable:
  ``gemini_`` + 20 hex digits of SHA-256 over (``responseId``, position of the call in the
  response, name, arguments), so the same bytes always give the same ids, a stream and a whole
  response agree, and two turns do not collide. Such ids are marked ``generatedId`` in the call's
  ``ProviderPart`` and are *not* sent back (the model never saw them); results are answered in
  call order, all in one user turn.
- **Thought signatures** (C35) sit beside ``functionCall`` in a part. They are kept opaque on
  ``ToolCall.opaque`` (``ProviderPart("gemini", {...})``, present on every call Gemini made) and
  sent back with the call. A model turn none of whose calls came from Gemini gets the documented
  placeholder ``skip_thought_signature_validator`` on its first call (Google's thought-signature
  FAQ; pydantic-ai sends it, and a recorded Gemini request carrying it was answered 200).
- **Finish reasons** (C37): ``STOP`` with calls is ``tool_calls``; ``MALFORMED_FUNCTION_CALL`` /
  ``UNEXPECTED_TOOL_CALL`` are ``malformed_call``; ``MAX_TOKENS`` is ``length``; safety-type
  reasons and a blocked prompt are ``content_filter``.
- **Streams** (C38): each SSE ``data:`` (events end with CRLF CRLF) is a whole
  ``GenerateContentResponse``; calls arrive whole. A body that is plain JSON instead of SSE (an
  error, or a stream requested without ``alt=sse``) is read as JSON at the end.
- **Errors** (C40): ``{"error": {"code", "message", "status", "details"}}``. ``RESOURCE_EXHAUSTED``
  (429) is a ``RateLimitError`` and ``UNAVAILABLE`` an ``OverloadedError``, both retryable; a
  ``google.rpc.RetryInfo`` detail's ``retryDelay`` ("30s") is the ``retry_after``; depleted
  prepaid credits (402 ``RESOURCE_EXHAUSTED``) are not retryable.

This module builds requests; decoding (bodies, streams, errors) lives in ``_gemini_decode`` and
its inverse (what the API would answer: bodies, streams, errors) in ``_gemini_encode``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from .._exceptions import ProviderError, UsageError
from .._messages import Message, ProviderPart, Request, Response, ToolCall, ToolResult
from .._types import JSONObject
from .._wire import HttpRequest, HttpResponse
from ..dialect import (
    DialectTransformer,
    FittedTool,
    Fitting,
    KeywordMode,
    Profile,
    as_any_of,
    const_as_enum,
    fit_request,
    merge_single_all_of,
)
from . import _gemini_encode
from ._base import Adapter, Config
from ._gemini_decode import GeminiStreamDecoder, parse_body, parse_error

__all__ = [
    "FOREIGN_THOUGHT_SIGNATURE",
    "OPENAPI_PROFILE",
    "PROFILE",
    "GeminiAdapter",
    "GeminiConfig",
    "GeminiJSONSchemaTransformer",
    "GeminiOpenAPITransformer",
    "GeminiStreamDecoder",
]

FOREIGN_THOUGHT_SIGNATURE = "skip_thought_signature_validator"
"""Sent as the ``thoughtSignature`` of a replayed call Gemini did not make (C35); documented in
https://ai.google.dev/gemini-api/docs/thought-signatures (FAQ, "dummy signatures")."""

_SDK = "google-genai 3.4.0"
_FC_DOC = "https://ai.google.dev/gemini-api/docs/function-calling"
_JSON_SUBSET = (
    f"{_SDK} types.py GenerateContentConfig.response_json_schema: the documented JSON Schema "
    "subset; 'the full JSON Schema may be sent, not all features are supported'"
)
_NOT_IN_SCHEMA = (
    f"not a field of the OpenAPI Schema message ({_SDK} types.Schema); the server answers 400 "
    "'Unknown name ... Cannot find field' (provider-dialects.md §6 [I19])"
)

# --- schema transformers --------------------------------------------------------------------


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
                self, value, pointer, "sent as a one-value enum (same meaning; C10)"
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


_OPENAPI_TYPES = {
    "string": "STRING",
    "number": "NUMBER",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "object": "OBJECT",
}
# Formats the OpenAPI form keeps; others went into the description. Strings: 400 "only 'enum'
# and 'date-time' are supported for STRING type" (enechange/collmbo#195, 2025-06); numbers:
# types.Schema.format docstring.
_KEPT_FORMATS = {
    "string": ("enum", "date-time"),
    "number": ("float", "double"),
    "integer": ("int32", "int64"),
}


class GeminiOpenAPITransformer(DialectTransformer):
    """``parameters``: the OpenAPI-3.0 subset of ``types.Schema``.

    ``$ref``s are inlined (google-genai's ``process_schema`` does the same for the Gemini API)
    and a recursive schema is refused. Types are upper-case names; ``"type": [T, "null"]`` and
    an ``anyOf`` branch ``{"type": "null"}`` become ``nullable: true`` (C11, as the SDK's
    ``handle_null_fields`` does); ``oneOf`` is sent as ``anyOf`` and a one-element ``allOf`` is
    merged (C14). ``enum``/``const`` values that are not strings (``Schema.enum`` is
    ``list[str]``), and formats the form does not take, are moved into the description and never
    stringified (C12): the arguments are validated against the user's schema on the client.
    Objects keep ``properties`` only when non-empty (400 "should be non-empty for OBJECT type",
    agno-agi/agno#2112, browser-use/browser-use#7) and only objects keep them (400 "only allowed
    for OBJECT type", anomalyco/opencode#11888).
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
            self.drop(pointer, "items", "array-form items (tuples) cannot be written; C14")
        out = super().transform(node, pointer)
        return self._finish_node(out, pointer)

    def rewrite_keyword(
        self, keyword: str, value: Any, node: JSONObject, pointer: str
    ) -> JSONObject:
        if keyword == "type":
            return self._type(value, node, pointer)
        if keyword == "const":
            if isinstance(value, str):
                enum = const_as_enum(self, value, pointer, "sent as a one-value enum (C10)")
                return enum if "type" in node else {**enum, "type": "STRING"}
            self._notes.append(f"Must be {json.dumps(value)}.")
            self.rewrite(pointer, "const", "non-string const moved into the description (C12)")
            return {}
        if keyword == "enum":
            if isinstance(value, list):
                strings = [v for v in value if isinstance(v, str)]
                has_null = None in value
                if strings and len(strings) + has_null == len(value):
                    out: JSONObject = {"enum": strings}
                    if has_null:
                        out["nullable"] = True
                        self.rewrite(pointer, "enum", "null in the enum sent as nullable (C11)")
                    if "type" not in node:
                        out["type"] = "STRING"
                    return out
                allowed = ", ".join(json.dumps(v) for v in value)
                self._notes.append(f"Allowed values: {allowed}.")
            self.rewrite(
                pointer,
                "enum",
                "Gemini enums hold strings only; the values were moved into the description "
                "and are checked client-side, never stringified (C12)",
            )
            return {}
        if keyword == "format":
            if value in _KEPT_FORMATS.get(str(node.get("type")), ()):
                return {"format": value}
            self._notes.append(f"Format: {value}.")
            self.rewrite(pointer, "format", f"format {value!r} moved into the description")
            return {}
        if keyword == "oneOf":
            if "anyOf" in node:
                self.reject(pointer, "anyOf and oneOf on one node cannot be sent to Gemini")
            return as_any_of(
                self, value, pointer, "sent as anyOf (Gemini reads oneOf as anyOf; C14)"
            )
        if keyword == "allOf":
            merged = merge_single_all_of(
                self, value, pointer, "one-element allOf merged into its node"
            )
            if merged is not None:
                return merged
            self.drop(pointer, "allOf", "Gemini's Schema has no allOf; checked client-side")
            return {}
        return super().rewrite_keyword(keyword, value, node, pointer)

    def _type(self, value: Any, node: JSONObject, pointer: str) -> JSONObject:
        names = value if isinstance(value, list) else [value]
        kept = [t for t in names if t != "null"]
        out: JSONObject = {}
        if len(kept) < len(names):
            out["nullable"] = True
            self.rewrite(pointer, "type", "'null' type sent as nullable: true (C11)")
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
            self.rewrite(pointer, "type", "type list sent as anyOf of single types (C11)")
            out["anyOf"] = [{"type": t} for t in wire]
        return out

    def _finish_node(self, out: JSONObject, pointer: str) -> JSONObject:
        branches = out.get("anyOf")
        if isinstance(branches, list):
            rest = [b for b in branches if not _is_null_branch(b)]
            if len(rest) < len(branches):
                self.rewrite(pointer, "anyOf", "null branch sent as nullable: true (C11)")
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


# --- profiles -----------------------------------------------------------------------------------

_JSON_KEYWORDS: Mapping[str, KeywordMode] = {
    "$schema": "dropped",
    "const": "rewritten",
    "$ref": "rewritten",
}

PROFILE = Profile(
    tool_name_pattern=r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$",
    tool_name_max_length=64,
    max_tools=512,
    transformer=GeminiJSONSchemaTransformer,
    keywords=_JSON_KEYWORDS,
    unknown_keyword="native",
    strict_keywords=_JSON_KEYWORDS,
    strict_unknown_keyword="native",
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
            "0-9 _ . : - (C01-C03)"
        ),
        "tool_name_max_length": (
            "64, the portable maximum: the SDK docstring says 128 but server errors said 64 "
            "up to 2026-03 (provider-dialects.md §3 [I24], C04)"
        ),
        "max_tools": f"{_SDK} types.Tool.function_declarations: 'Maximum 512' (C06)",
        "keywords": _JSON_SUBSET,
        "keywords.$schema": "rejected by Gemini schemas (provider-dialects.md §6 [I19], C10)",
        "keywords.const": f"not in the documented subset: a one-value enum (C10); {_FC_DOC}",
        "keywords.$ref": (
            f"{_JSON_SUBSET}: 'If $ref is set on a sub-schema, no other properties, except for "
            "those starting as a $, may be set'"
        ),
        "tool_choice": f"{_SDK} types.FunctionCallingConfigMode AUTO/ANY/NONE (C23, C24)",
        "parallel_call_control": "no field in FunctionCallingConfig (C27)",
        "strict_mode": f"{_SDK} FunctionCallingConfigMode.VALIDATED, request-wide (C18)",
        "argument_encoding": "functionCall.args is a JSON object (C28)",
        "tool_call_ids": "functionCall.id is optional and usually absent (C30)",
        "streams_arguments": "each SSE event holds whole functionCall parts (C38)",
        "requires_parameters": (
            f"{_SDK} FunctionDeclaration.parameters: 'For function with no parameters, this can "
            "be left unset' (C07)"
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
            "is only supported in ... Agent Platform mode, not in Gemini Developer API mode' (C09)"
        ),
        "keywords.$schema": f"{_NOT_IN_SCHEMA} (C10)",
        "keywords.exclusiveMinimum": f"{_NOT_IN_SCHEMA} (C10)",
        "keywords.exclusiveMaximum": f"{_NOT_IN_SCHEMA} (C10)",
        "keywords.propertyNames": f"{_NOT_IN_SCHEMA} (C10)",
    },
)
"""The OpenAPI-subset ``parameters`` dialect (``GeminiConfig(schema_field="parameters")``)."""

# --- the adapter ------------------------------------------------------------------------------

SchemaField = Literal["parametersJsonSchema", "parameters"]


@dataclass(frozen=True)
class GeminiConfig(Config):
    """Gemini settings beyond key and base URL.

    ``api_version`` (default ``"v1beta"``: every recorded Gemini request in the corpus uses it,
    and the preview fields this adapter sends are documented there; google-genai 3.4.0 defaults
    to ``v1``, ``_api_client.GOOGLE_AI_API_DEFAULT_VERSION``). ``schema_field`` (default
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


class GeminiAdapter(Adapter):
    """Gemini API ``generateContent`` / ``streamGenerateContent?alt=sse``."""

    name: ClassVar[str] = "gemini"
    profile: ClassVar[Profile] = PROFILE
    config_type: ClassVar[type[Config]] = GeminiConfig

    def check_config(self, config: Config) -> None:
        """Any ``Config`` works: a plain one gets ``GeminiConfig``'s defaults."""
        if not isinstance(config, Config):
            raise UsageError(f"gemini: expected GeminiConfig, got {type(config).__name__}")

    # --- requests -------------------------------------------------------------------------
    def build_request(self, request: Request, config: Config) -> HttpRequest:
        self.check_config(config)
        settings = config if isinstance(config, GeminiConfig) else GeminiConfig()
        if request.parallel_tool_calls is False:
            raise UsageError(
                "gemini: parallel_tool_calls=False cannot be honoured: the Gemini API has no "
                "switch to turn parallel function calls off (FunctionCallingConfig holds only "
                "mode and allowedFunctionNames; provider-dialects.md C27); leave it unset"
            )
        openapi = settings.schema_field == "parameters"
        fitting = self.fit(request, openapi=openapi)
        fitted = fitting.tools
        wire_names = fitting.names
        body: JSONObject = {"contents": []}
        system, body["contents"] = _map_messages(request.messages, wire_names)
        if system:
            body["systemInstruction"] = {"parts": system}
        if fitted:
            body["tools"] = [
                {"functionDeclarations": [_map_declaration(f, openapi) for f in fitted]}
            ]
            body["toolConfig"] = {"functionCallingConfig": _map_tool_choice(request, fitted)}
        generation = self._generation_config(request, fitting, openapi)
        if generation:
            body["generationConfig"] = generation
        if request.extra_body:
            body.update(request.extra_body)
        method = "streamGenerateContent?alt=sse" if request.stream else "generateContent"
        path = f"{settings.api_version}/{_model_path(request.model)}:{method}"
        url = f"{self.base_url(config)}/{path}"
        headers = {"Content-Type": "application/json"}
        if config.api_key:
            headers["x-goog-api-key"] = config.api_key
        headers.update(config.headers)
        return HttpRequest("POST", url, headers, self.encode_json(body))

    def fit(self, request: Request, *, openapi: bool = False) -> Fitting:
        """The request's tools and output schema as they go on the wire (with every change
        recorded), in the JSON Schema dialect or, with ``openapi``, the OpenAPI subset."""
        profile = OPENAPI_PROFILE if openapi else self.profile
        return fit_request(request, profile, provider=self.name)

    def _generation_config(self, request: Request, fitting: Fitting, openapi: bool) -> JSONObject:
        out: JSONObject = {}
        if request.temperature is not None:
            out["temperature"] = request.temperature
        if request.max_output_tokens is not None:
            out[self.profile.max_tokens_field] = request.max_output_tokens
        if request.thinking_budget is not None:
            out["thinkingConfig"] = {"thinkingBudget": request.thinking_budget}
        if fitting.output is not None:
            # responseMimeType is required next to a schema (types.GenerateContentConfig).
            out["responseMimeType"] = "application/json"
            out["responseSchema" if openapi else "responseJsonSchema"] = fitting.output.schema
        return out

    # --- responses (decoding lives in _gemini_decode) ----------------------------------------
    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        if not response.ok:
            raise self.parse_error(response)
        return parse_body(
            self.json_body(response),
            model=request.model if request else "",
            restore=self._restorer(request),
            response=response,
        )

    def stream_decoder(self, request: Request | None = None) -> GeminiStreamDecoder:
        return GeminiStreamDecoder(request.model if request else "", self._restorer(request))

    def parse_error(self, response: HttpResponse) -> ProviderError:
        return parse_error(response)

    # --- the inverse: what the API would answer (written in _gemini_encode) -----------------
    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        return _gemini_encode.encode_body(
            response, self._wire_names(request), _model(response, request)
        )

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        return _gemini_encode.encode_stream(
            response, self._wire_names(request), _model(response, request), fragment_size
        )

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        return _gemini_encode.encode_error(status, message, retry_after)

    def assistant_turns(self, request: HttpRequest) -> int:
        return _gemini_encode.assistant_turns(request)

    # Names are fitted the same way in both schema dialects, so the default one maps wire
    # names back whichever GeminiConfig.schema_field built the request.
    def _wire_names(self, request: Request | None) -> Mapping[str, str]:
        return {} if request is None else self.fit(request).names

    def _restorer(self, request: Request | None) -> Callable[[ToolCall], ToolCall] | None:
        return None if request is None else self.fit(request).restorer


def _model(response: Response, request: Request | None) -> str:
    return response.model or (request.model if request is not None else "")


# --- to the wire (_map_*) ----------------------------------------------------------------------


def _model_path(model: str) -> str:
    """``models/{model}`` unless already a resource name (``_transformers.t_model``)."""
    if not model or any(bad in model for bad in ("..", "?", "&", "#", " ")):
        raise UsageError(f"gemini: invalid model name {model!r}")
    if model.startswith(("models/", "tunedModels/")):
        return model
    return f"models/{model}"


def _map_declaration(fitted: FittedTool, openapi: bool) -> JSONObject:
    out: JSONObject = {"name": fitted.name}
    if fitted.description:
        out["description"] = fitted.description
    if not openapi:
        out["parametersJsonSchema"] = fitted.parameters
    elif fitted.parameters.get("properties"):
        # A parameterless function leaves `parameters` unset: an OBJECT with empty properties
        # is a 400 "should be non-empty for OBJECT type" (agno-agi/agno#2112).
        out["parameters"] = fitted.parameters
    return out


def _map_tool_choice(request: Request, fitted: tuple[FittedTool, ...]) -> JSONObject:
    """``functionCallingConfig``: sent explicitly whenever there are tools (C18, C23, C24)."""
    mode = request.tool_choice_mode
    if mode == "none":
        return {"mode": "NONE"}
    if mode == "required":
        forced = request.forced_tool
        if forced is None:
            return {"mode": "ANY"}
        wire = next(f.name for f in fitted if f.tool.name == forced)
        return {"mode": "ANY", "allowedFunctionNames": [wire]}
    # Strictness is request-wide: one strict tool asks for schema-following calls, and VALIDATED
    # gives that to every tool without any schema rewrite (pydantic-ai profiles/google.py).
    return {"mode": "VALIDATED" if any(f.strict for f in fitted) else "AUTO"}


def _map_messages(
    messages: tuple[Message, ...], wire_names: Mapping[str, str]
) -> tuple[list[JSONObject], list[JSONObject]]:
    """``(systemInstruction parts, contents)``. Consecutive turns of one role are merged; the
    results of one model turn go in one user turn, in the order of its calls (C30)."""
    system: list[JSONObject] = []
    contents: list[JSONObject] = []
    calls: dict[str, tuple[int, ToolCall]] = {}
    i = 0
    while i < len(messages):
        m = messages[i]
        i += 1
        if m.role == "system":
            if contents:
                raise UsageError(
                    "gemini: a system message after the conversation started cannot be sent "
                    "(Gemini takes one systemInstruction); put system messages first"
                )
            system.append({"text": m.text or ""})
        elif m.role == "user":
            _append(contents, "user", [{"text": m.text or ""}])
        elif m.role == "assistant":
            for position, call in enumerate(m.tool_calls):
                calls[call.id] = (position, call)
            _append(contents, "model", _map_assistant(m, wire_names))
        else:
            results = list(m.tool_results)
            while i < len(messages) and messages[i].role == "tool":
                results.extend(messages[i].tool_results)
                i += 1
            results.sort(key=lambda r: calls[r.call_id][0])
            parts = [_map_result(r, calls[r.call_id][1], wire_names) for r in results]
            _append(contents, "user", parts)
    return system, contents


def _append(contents: list[JSONObject], role: str, parts: list[JSONObject]) -> None:
    if contents and contents[-1]["role"] == role:
        contents[-1]["parts"].extend(parts)
    else:
        contents.append({"role": role, "parts": parts})


def _gemini_data(part: ProviderPart | None) -> JSONObject | None:
    return part.data if part is not None and part.provider == "gemini" else None


def _map_assistant(m: Message, wire_names: Mapping[str, str]) -> list[JSONObject]:
    kept: JSONObject = next((p.data for p in m.opaque if p.provider == "gemini"), {})
    parts: list[JSONObject] = [dict(p) for p in kept.get("parts", ())]
    signature = kept.get("textSignature")
    if m.text or (signature and not m.tool_calls):
        part: JSONObject = {"text": m.text or ""}
        if signature:
            part["thoughtSignature"] = signature
        parts.append(part)
    native = any(_gemini_data(c.opaque) is not None for c in m.tool_calls)
    for k, call in enumerate(m.tool_calls):
        data = _gemini_data(call.opaque)
        fc: JSONObject = {}
        if not (data and data.get("generatedId")):
            fc["id"] = call.id
        fc["name"] = wire_names.get(call.name, call.name)
        fc["args"] = call.arguments
        part = {"functionCall": fc}
        if data and data.get("thoughtSignature"):
            part["thoughtSignature"] = data["thoughtSignature"]
        elif k == 0 and not native:
            part["thoughtSignature"] = FOREIGN_THOUGHT_SIGNATURE
        parts.append(part)
    return parts or [{"text": ""}]


def _map_result(result: ToolResult, call: ToolCall, wire_names: Mapping[str, str]) -> JSONObject:
    """``functionResponse.response`` must be an object: the result goes under ``output`` or, for
    a failed call, ``error`` (types.FunctionResponse.response docstring; C36)."""
    data = _gemini_data(call.opaque)
    fr: JSONObject = {}
    if not (data and data.get("generatedId")):
        fr["id"] = result.call_id
    fr["name"] = wire_names.get(call.name, call.name)
    fr["response"] = {"error" if result.is_error else "output": result.content}
    return {"functionResponse": fr}
