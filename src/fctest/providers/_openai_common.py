"""What the OpenAI-dialect adapters share: Chat Completions (``openai`` and the compatible
vendors: ``azure-openai``, ``xai``, ``openrouter``, ``groq``) and Responses (``openai-responses``).

Only mechanics that more than one of those modules needs live here; anything specific to one
wire format stays in its module. Nothing here builds a request body or parses a success body.

API (stable; the Responses adapter imports it):

- ``bearer_headers(config)``: JSON + ``Authorization: Bearer <key>`` headers (key left out when
  the config has none: local compatible servers ignore it), then ``config.headers``.
- ``parse_error(provider, response, *, describe=None)``: the ``ProviderError`` for a non-2xx
  response whose body is ``{"error": {message, type, param, code}}`` (OpenAI ``ErrorResponse``),
  also Azure's string ``code`` (``"429"``) and extra ``status``, Groq's ``status_code`` and
  ``failed_generation``, xAI's ``{"code": "...", "error": "<text>"}`` and bodies that are not JSON.
  ``describe(error_object) -> str`` lets a vendor build a better message (OpenRouter's upstream
  ``metadata.raw``).
- ``error_message(error_object)``: the default message (``message``, ``param``, Groq's
  ``failed_generation``); vendor describers start from it.
- ``in_band_error(provider, error, *, body, headers=None, describe=None)``: the
  ``ProviderError`` for an error object sent inside an HTTP-200 stream (OpenRouter ``error``
  chunks, Groq ``event: error``, a Responses ``error`` event). ``status`` stays 200 (the HTTP
  status); the class comes from the status the object carries (``status_code``/``status``/a
  numeric ``code``) or its code.
- ``parse_usage(obj)``: ``Usage`` from Chat (``prompt_tokens``/``completion_tokens``) or
  Responses (``input_tokens``/``output_tokens``) usage objects; ``None`` when absent.
- ``tool_result_text(result)``: a ``ToolResult`` as the text both APIs accept (tool content is
  text only, C36; JSON values are JSON-encoded, errors prefixed so the model can tell).
- ``parallel_setting(provider, request, strict_tools)``: the ``parallel_tool_calls`` value to send,
  or ``None`` to leave it out (C21, C26).
- ``OpenAIStrictTransformer``, ``STRICT_KEYWORDS`` (+ ``STRICT_SOURCES`` for a profile's
  ``sources``): the OpenAI strict dialect, the ``transformer`` of the OpenAI profiles.
  Non-strict tools are sent as written (``keywords`` empty: any JSON Schema).

Sources: openai-openapi ``ErrorResponse`` and ``ParallelToolCalls``; openai-python
``_base_client.py`` (``x-should-retry``, ``retry-after-ms``) and ``_exceptions.py``;
provider-dialects.md tables 5, 7, 9, 12 and checks C21, C26, C36, C39, C40.
"""

from __future__ import annotations

import abc
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from .._exceptions import (
    ContextLengthError,
    ModelOutputError,
    OverloadedError,
    ProviderError,
    UsageError,
)
from .._messages import Request, ToolCall, ToolResult, Usage
from .._types import JSONObject
from .._wire import HttpRequest, HttpResponse
from ..dialect import (
    DialectTransformer,
    FittedTool,
    Fitting,
    KeywordMode,
    as_any_of,
    fit_request,
    make_strict,
    merge_single_all_of,
)
from ._base import Adapter, Config
from ._errors import provider_error

__all__ = [
    "STRICT_FORMATS",
    "STRICT_KEYWORDS",
    "STRICT_SOURCES",
    "ErrorDescriber",
    "OpenAIDialectAdapter",
    "OpenAIStrictTransformer",
    "bearer_headers",
    "error_message",
    "in_band_error",
    "parallel_setting",
    "parse_error",
    "parse_usage",
    "tool_result_text",
]

ErrorDescriber = Callable[[Mapping[str, Any]], str]
"""Builds the message of an error from its ``error`` object (vendor hook)."""

# Codes that say more than the HTTP status does.
# Groq: "Failed to call a function... See 'failed_generation'": the *model's* output was bad,
# and the same request usually fails the same way (provider-dialects.md §12 [I10], C40).
_MODEL_OUTPUT_CODES = frozenset({"tool_use_failed"})
# OpenAI/Groq/Azure: "This model's maximum context length is ..." (code context_length_exceeded).
_CONTEXT_CODES = frozenset({"context_length_exceeded"})
# In-band errors that carry no status: what their code means (OpenAI error codes and types).
# A failed Responses answer's ``error.code`` (openai-python types/responses/response_error.py
# ``ResponseError.code``): every code but the two below is about the request or its inputs.
_RESPONSES_CALLER_CODES = (
    "invalid_prompt",
    "data_residency_mismatch",
    "bio_policy",
    "misalignment_policy_violation",
    "invalid_image",
    "invalid_image_format",
    "invalid_base64_image",
    "invalid_image_url",
    "image_too_large",
    "image_too_small",
    "image_parse_error",
    "image_content_policy_violation",
    "invalid_image_mode",
    "image_file_too_large",
    "unsupported_image_media_type",
    "empty_image_file",
    "failed_to_download_image",
    "image_file_not_found",
)
_IN_BAND_STATUS = {
    "invalid_request_error": 400,
    "tool_use_failed": 400,
    "context_length_exceeded": 400,
    "rate_limit_exceeded": 429,
    "insufficient_quota": 429,
    "server_error": 500,
    "vector_store_timeout": 504,
    **dict.fromkeys(_RESPONSES_CALLER_CODES, 400),
}
# A 429 that waiting does not cure: the account's quota or credits are used up ("You exceeded
# your current quota", OpenAI error-codes guide). The SDK retries it; retrying only wastes time.
_NOT_RETRYABLE_CODES = frozenset({"insufficient_quota"})
# Azure: "Please retry after 20 seconds" is in the message of a 429 whose headers may not say
# it (provider-dialects.md §12 [I32]).
_RETRY_IN_MESSAGE = re.compile(r"retry after (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


def bearer_headers(config: Config) -> dict[str, str]:
    """``Authorization: Bearer`` (openai-openapi securitySchemes) plus the config's headers."""
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    headers.update(config.headers)
    return headers


# --- errors -----------------------------------------------------------------------------------


def parse_error(
    provider: str, response: HttpResponse, *, describe: ErrorDescriber | None = None
) -> ProviderError:
    """The neutral error for a non-2xx OpenAI-dialect response (C40)."""
    text = response.text()
    try:
        body = json.loads(response.body) if response.body else None
    except ValueError:
        body = None
    error: Any = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        fields: Mapping[str, Any] = error
    elif isinstance(body, dict):
        # xAI: {"code": "unauthenticated:no-credentials", "error": "No credentials presented."};
        # Ollama /v1 and others: {"error": "<text>"}; some proxies: {"message": ...}.
        fields = {
            "message": error if isinstance(error, str) else body.get("message"),
            "code": body.get("code"),
        }
    else:
        fields = {"message": text.strip()[:500] or None}
    return _error(provider, response.status, fields, text, response.headers, describe)


def in_band_error(
    provider: str,
    error: Any,
    *,
    body: str,
    headers: Mapping[str, str] | None = None,
    describe: ErrorDescriber | None = None,
) -> ProviderError:
    """The error an HTTP-200 stream reported in band (C39).

    ``error`` is the ``error`` object (or string) the provider sent. The class is chosen from
    the status the object carries (Groq ``status_code``, Azure ``status``, OpenRouter's numeric
    ``code``); without one it is a ``ServerError`` unless the code says otherwise.
    """
    fields: Mapping[str, Any] = error if isinstance(error, dict) else {"message": str(error)}
    status = _embedded_status(fields) or _IN_BAND_STATUS.get(
        str(fields.get("code") or fields.get("type")), 500
    )
    probe = _error(provider, status, fields, body, headers or {}, describe)
    return provider_error(
        provider,
        200,
        probe.message,
        body=body,
        headers=headers,
        code=probe.code,
        kind=type(probe),
        retryable=probe.retryable,
        retry_after_seconds=probe.retry_after,
    )


def _error(
    provider: str,
    status: int,
    fields: Mapping[str, Any],
    body: str,
    headers: Mapping[str, str],
    describe: ErrorDescriber | None,
) -> ProviderError:
    raw_code = fields.get("code")
    code = str(raw_code) if raw_code is not None else None
    if code is None and isinstance(fields.get("type"), str):
        code = fields["type"]
    message = describe(fields) if describe is not None else error_message(fields)
    kind: type[ProviderError] | None = None
    retryable: bool | None = None
    lowered = message.lower()
    if code in _MODEL_OUTPUT_CODES:
        kind = ModelOutputError
    elif code in _CONTEXT_CODES or "maximum context length" in lowered:
        kind = ContextLengthError
    elif status in (503, 529) and "overloaded" in lowered:
        kind = OverloadedError
    if code in _NOT_RETRYABLE_CODES:
        retryable = False
    retry_after_seconds = None
    match = _RETRY_IN_MESSAGE.search(message)
    if match is not None and not any(h in headers for h in ("retry-after", "retry-after-ms")):
        retry_after_seconds = float(match.group(1))
    return provider_error(
        provider,
        status,
        message,
        body=body,
        headers=headers,
        code=code,
        kind=kind,
        retryable=retryable,
        retry_after_seconds=retry_after_seconds,
    )


def error_message(fields: Mapping[str, Any]) -> str:
    """The default message of an ``error`` object: ``message``, ``param`` and Groq's
    ``failed_generation`` (the rejected model output, what a user needs to see)."""
    message = fields.get("message")
    text = message if isinstance(message, str) and message else ""
    param = fields.get("param")
    if isinstance(param, str) and param and param not in text:
        text = f"{text} (param {param})" if text else f"param {param}"
    generation = fields.get("failed_generation")
    if isinstance(generation, str) and generation:
        text = f"{text}; failed_generation: {generation[:500]}"
    return text


def _embedded_status(fields: Mapping[str, Any]) -> int | None:
    """The HTTP status an error object carries: Groq ``status_code``, Azure ``status``,
    OpenRouter's integer ``code`` or Azure's ``code`` written as a string (``"429"``)."""
    for key in ("status_code", "status", "code"):
        value = fields.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and 100 <= value <= 599:
            return value
        if isinstance(value, str) and value.isdigit() and 100 <= int(value) <= 599:
            return int(value)
    return None


# --- usage, results, parallel calls -------------------------------------------------------------


def parse_usage(obj: Any) -> Usage | None:
    """Chat ``{prompt_tokens, completion_tokens}`` or Responses ``{input_tokens,
    output_tokens}`` usage."""
    if not isinstance(obj, dict):
        return None
    inp = obj.get("prompt_tokens", obj.get("input_tokens"))
    out = obj.get("completion_tokens", obj.get("output_tokens"))
    return Usage(
        inp if isinstance(inp, int) else None,
        out if isinstance(out, int) else None,
    )


def tool_result_text(result: ToolResult) -> str:
    """Tool content as text: both APIs take text only for a function's result (C36).

    A string is sent as is; any other JSON value is JSON-encoded. Neither API has an error
    flag (provider-dialects.md §9), so a failed call's text is prefixed with ``Error:``.
    """
    content = result.content
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return f"Error: {text}" if result.is_error else text


def parallel_setting(provider: str, request: Request, strict_tools: bool) -> bool | None:
    """``parallel_tool_calls`` to send, or ``None`` to leave the field out.

    Left out without tools: OpenAI answers 400 "'parallel_tool_calls' is only allowed when
    'tools' are specified" (C26, [I15]). Forced to ``False`` with a strict tool: parallel calls
    "may not match supplied schemas" (OpenAI Structured Outputs announcement, C21); asking for
    both is a ``UsageError``.
    """
    if not request.tools:
        return None
    if strict_tools:
        if request.parallel_tool_calls:
            raise UsageError(
                f"{provider}: parallel_tool_calls=True cannot be combined with strict tools "
                "(OpenAI: parallel calls may not match strict schemas); set "
                "parallel_tool_calls=None/False or mark the tools strict=False"
            )
        return False
    return request.parallel_tool_calls


# --- the strict dialect -----------------------------------------------------------------------

STRICT_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
"""``format`` values strict mode accepts (Structured Outputs guide, "Supported schemas"; C16)."""

_SO_GUIDE = "OpenAI Structured Outputs guide, Supported schemas (provider-dialects.md §7)"
_PAI = "treated as incompatible by pydantic-ai profiles/openai.py (provider-dialects.md §7)"

STRICT_KEYWORDS: Mapping[str, KeywordMode] = {
    # Not supported in strict mode (Structured Outputs guide); fctest validates the arguments
    # against the user's full schema on the client, so these are dropped rather than refused.
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
    # oneOf -> anyOf, one-element allOf merged, format kept only when whitelisted (C14, C16).
    "oneOf": "rewritten",
    "allOf": "rewritten",
    "format": "rewritten",
}
"""Strict-mode keyword modes of the OpenAI dialect (unlisted keywords are native)."""

STRICT_SOURCES: Mapping[str, str] = {
    **{f"keywords.{k}": _SO_GUIDE for k in ("not", "if", "then", "else", "oneOf", "allOf")},
    **{f"keywords.{k}": _SO_GUIDE for k in ("dependentRequired", "dependentSchemas", "format")},
    **{
        f"keywords.{k}": _PAI
        for k in (
            "minLength",
            "maxLength",
            "patternProperties",
            "propertyNames",
            "minProperties",
            "maxProperties",
            "uniqueItems",
            "contains",
            "default",
        )
    },
    "strict_keywords": _SO_GUIDE,
}


class OpenAIStrictTransformer(DialectTransformer):
    """OpenAI strict mode: every object closed and fully required, optional properties made
    nullable (``make_strict``; C19), plus the keyword rewrites of ``STRICT_KEYWORDS``.

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
            # Strict mode has anyOf but no oneOf (C14; Anthropic's SDK does the same rewrite).
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


class OpenAIDialectAdapter(Adapter):
    """What the Chat and Responses adapters share: OpenAI's endpoint, key variables, schema
    dialect and request skeleton. A subclass gives its ``path`` and ``build_body``; vendors
    override ``url``/``headers`` (Azure's deployment URLs and ``api-key``, OpenRouter's
    attribution headers)."""

    path: ClassVar[str]
    """The endpoint below the base URL (``/chat/completions``, ``/responses``)."""

    def url(self, request: Request, config: Config) -> str:
        """``{base_url}{path}`` (openai-openapi servers + path)."""
        return self.base_url(config) + self.path

    def headers(self, config: Config) -> dict[str, str]:
        """``Authorization: Bearer`` plus the config's headers (openai-openapi securitySchemes)."""
        return bearer_headers(config)

    def fitting(self, request: Request | None) -> Fitting | None:
        """The request's tools and output schema fitted to this adapter's profile (computed
        once per request: the body, the decoder and the provider's side share it)."""
        return None if request is None else fit_request(request, self.profile, provider=self.name)

    def fit(self, request: Request) -> Fitting:
        return fit_request(request, self.profile, provider=self.name)

    def restorer(self, request: Request | None) -> Callable[[ToolCall], ToolCall] | None:
        """Maps decoded calls back to what ``request`` declared (``None``: nothing to map)."""
        return None if request is None else self.fit(request).restorer

    def build_request(self, request: Request, config: Config) -> HttpRequest:
        self.check_config(config)
        body = self.build_body(request)
        return HttpRequest(
            "POST", self.url(request, config), self.headers(config), self.encode_json(body)
        )

    @abc.abstractmethod
    def build_body(self, request: Request) -> JSONObject:
        """The JSON body for ``request``: the same request always gives the same bytes."""

    def map_tool_choice(self, request: Request, names: Mapping[str, str]) -> Any:
        """``"auto"``/``"none"``/``"required"``, or ``named_tool_choice`` for a forced tool
        (C23); a mode the profile does not offer is refused before sending."""
        mode = request.tool_choice_mode
        if mode is None:
            return None
        forced = request.forced_tool
        wanted = "named" if forced is not None else mode
        if wanted not in self.profile.tool_choice:
            raise UsageError(
                f"{self.name}: tool_choice {request.tool_choice!r} is not supported "
                f"(supported: {sorted(self.profile.tool_choice)})"
            )
        return mode if forced is None else self.named_tool_choice(names[forced])

    @abc.abstractmethod
    def named_tool_choice(self, wire_name: str) -> JSONObject:
        """How this API names the one tool that must be called (C24)."""

    def tool_fields(
        self,
        request: Request,
        fitted: Sequence[FittedTool],
        names: Mapping[str, str],
        map_tool: Callable[[FittedTool], JSONObject],
    ) -> JSONObject:
        """``tools``, ``tool_choice`` and ``parallel_tool_calls`` (sent only with tools, C26;
        false with a strict tool where strictness is per tool, C21); empty without tools."""
        if not fitted:
            return {}
        fields: JSONObject = {"tools": [map_tool(f) for f in fitted]}
        choice = self.map_tool_choice(request, names)
        if choice is not None:
            fields["tool_choice"] = choice
        strict = self.profile.strict_mode == "per_tool" and any(f.strict for f in fitted)
        parallel = parallel_setting(self.name, request, strict)
        if parallel is not None:
            fields["parallel_tool_calls"] = parallel
        return fields
