"""What the Chat and Responses decoders share: error bodies, in-band errors and usage.

- ``parse_error(provider, response, *, describe=None)``: the ``ProviderError`` for a non-2xx
  response whose body is ``{"error": {message, type, param, code}}`` (OpenAI ``ErrorResponse``),
  also Azure's string ``code`` (``"429"``) and extra ``status``, Groq's ``status_code`` and
  ``failed_generation``, xAI's ``{"code": "...", "error": "<text>"}`` and bodies that are not
  JSON. ``describe(error_object) -> str`` lets a vendor build a better message (OpenRouter's
  upstream ``metadata.raw``).
- ``error_message(error_object)``: the default message (``message``, ``param``, Groq's
  ``failed_generation``); vendor describers start from it.
- ``in_band_error(provider, error, *, body, headers=None, describe=None)``: the
  ``ProviderError`` for an error object sent inside an HTTP-200 stream (OpenRouter ``error``
  chunks, Groq ``event: error``, a Responses ``error`` event). ``status`` stays 200 (the HTTP
  status); the class comes from the status the object carries or its code.
- ``parse_usage(obj)``: ``Usage`` from Chat or Responses usage objects.

Sources: openai-openapi ``ErrorResponse``; openai-python ``_base_client.py`` (``x-should-retry``,
``retry-after-ms``) and ``_exceptions.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..._exceptions import ContextLengthError, ModelOutputError, OverloadedError, ProviderError
from ..._messages import Usage
from ..._wire import HttpResponse
from .._errors import in_band, provider_error

__all__ = ["ErrorDescriber", "error_message", "in_band_error", "parse_error", "parse_usage"]

ErrorDescriber = Callable[[Mapping[str, Any]], str]
"""Builds the message of an error from its ``error`` object (vendor hook)."""

# Codes that say more than the HTTP status does.
# Groq: "Failed to call a function... See 'failed_generation'": the *model's* output was bad,
# and the same request usually fails the same way (docs/dialects.md#groq-tool-validation).
_MODEL_OUTPUT_CODES = frozenset({"tool_use_failed"})

# OpenAI/Groq/Azure: "This model's maximum context length is ..." (code context_length_exceeded;
# unconfirmed: docs/dialects.md#errors-openai-context).
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
# your current quota", recorded: docs/dialects.md#errors-openai-429). The SDK retries it;
# retrying only wastes time.
_NOT_RETRYABLE_CODES = frozenset({"insufficient_quota"})

# Azure: "Please retry after 20 seconds" is in the message of a 429 whose headers may not say
# it (docs/dialects.md#errors-azure). The "Try again in N seconds" wording also seen there is not
# matched (docs/dialects.md#conflict-azure-retry-text).
_RETRY_IN_MESSAGE = re.compile(r"retry after (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


def parse_error(
    provider: str, response: HttpResponse, *, describe: ErrorDescriber | None = None
) -> ProviderError:
    """The neutral error for a non-2xx OpenAI-dialect response (docs/dialects.md#errors-openai)."""
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
    """The error an HTTP-200 stream reported in band (docs/dialects.md#inband).

    ``error`` is the ``error`` object (or string) the provider sent. The class is chosen from
    the status the object carries (Groq ``status_code``, Azure ``status``, OpenRouter's numeric
    ``code``); without one it is a ``ServerError`` unless the code says otherwise.
    """
    fields: Mapping[str, Any] = error if isinstance(error, dict) else {"message": str(error)}
    status = _embedded_status(fields) or _IN_BAND_STATUS.get(
        str(fields.get("code") or fields.get("type")), 500
    )
    return in_band(
        _error(provider, status, fields, body, headers or {}, describe), body=body, headers=headers
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
