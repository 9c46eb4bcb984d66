"""Google Gemini API adapter (REST ``generateContent``), registered as ``gemini``.

Wire docs: https://ai.google.dev/api/generate-content (``models.generateContent``,
``models.streamGenerateContent``), https://ai.google.dev/gemini-api/docs/function-calling,
https://ai.google.dev/gemini-api/docs/thought-signatures,
https://ai.google.dev/gemini-api/docs/structured-output. Confirmed against google-genai 3.6.1
(``site-packages/google/genai``): ``_api_client.py`` (base URL, ``x-goog-api-key``, SSE lines,
``{"error": ...}`` chunks inside a stream), ``models.py`` (``{model}:generateContent``,
``{model}:streamGenerateContent?alt=sse``, the camelCase request fields), ``types.py``
(``FunctionDeclaration``, ``Schema``, ``FunctionCallingConfigMode``, ``FinishReason``, ``Part``),
``_transformers.py`` (``process_schema``: what the OpenAPI ``parameters`` form takes),
``errors.py``. Each rule below links its evidence in ``docs/dialects.md``.

What differs from the OpenAI shape, and what this module does:

- **Schemas.** Tools go in one ``{"functionDeclarations": [...]}`` entry. By default each schema is
  sent as ``parametersJsonSchema`` (JSON Schema). ``GeminiConfig(schema_field="parameters")``
  sends the OpenAPI-3.0 subset instead, for targets that do not take the JSON Schema field; it is
  a *config* setting because it depends on the endpoint (a proxy, an older Vertex deployment), not
  on the provider. Its keyword rules live in ``OPENAPI_PROFILE`` and ``GeminiOpenAPITransformer``.
- **Strictness** is one mode for the whole request (``VALIDATED``,
  docs/dialects.md#strict-gemini-validated): any strict tool turns it on for the request; it
  needs no schema rewrites, so non-strict tools only gain from it.
- **No parallel-call switch** (docs/dialects.md#parallel-gemini): ``parallel_tool_calls=False``
  raises ``UsageError``.
- **Call ids.** Older models send calls without ``id``; newer ones send ids, which are kept
  (docs/dialects.md#ids-gemini). Missing ids are made stable:
  ``gemini_`` + 20 hex digits of SHA-256 over (``responseId``, position of the call in the
  response, name, arguments), so the same bytes always give the same ids, a stream and a whole
  response agree, and two turns do not collide. Such ids are marked ``generatedId`` in the call's
  ``ProviderPart`` and are *not* sent back (the model never saw them); results are answered in
  call order, all in one user turn.
- **Thought signatures** (docs/dialects.md#thinking-gemini-signatures) sit beside
  ``functionCall`` in a part. They are kept opaque on ``ToolCall.opaque``
  (``ProviderPart("gemini", {...})``, present on every call Gemini made) and sent back with the
  call. A model turn none of whose calls came from Gemini gets the documented placeholder
  ``skip_thought_signature_validator`` on its first call (docs/dialects.md#thinking-gemini-dummy).
- **Finish reasons** (docs/dialects.md#finish-gemini): ``STOP`` with calls is ``tool_calls``;
  ``MALFORMED_FUNCTION_CALL`` / ``UNEXPECTED_TOOL_CALL`` are ``malformed_call``; ``MAX_TOKENS``
  is ``length``; safety-type reasons and a blocked prompt are ``content_filter``.
- **Streams** (docs/dialects.md#stream-gemini): each SSE ``data:`` (events end with CRLF CRLF)
  is a whole ``GenerateContentResponse``; calls arrive whole. A body that is plain JSON instead
  of SSE (an error, or a stream requested without ``alt=sse``) is read as JSON at the end.
- **Errors** (docs/dialects.md#errors-gemini): ``{"error": {"code", "message", "status",
  "details"}}``. ``RESOURCE_EXHAUSTED`` (429) is a ``RateLimitError`` and ``UNAVAILABLE`` an
  ``OverloadedError``, both retryable; a ``google.rpc.RetryInfo`` detail's ``retryDelay``
  ("30s") is the ``retry_after``; depleted prepaid credits (402 ``RESOURCE_EXHAUSTED``) are not
  retryable. The last two are unconfirmed (docs/dialects.md#errors-gemini-429,
  docs/dialects.md#errors-gemini-prepaid).

The package has the same file roles as every provider's: profiles and config (``_profile``,
data), the two schema dialects (``_schema``), request building (``_request``), response, stream
and error decoding (``_decode``) and the provider's side (``_responder``).
"""

from __future__ import annotations

from ._decode import GeminiStreamDecoder
from ._profile import OPENAPI_PROFILE, PROFILE, GeminiConfig
from ._request import FOREIGN_THOUGHT_SIGNATURE, GeminiAdapter
from ._responder import GeminiResponder
from ._schema import GeminiJSONSchemaTransformer, GeminiOpenAPITransformer

__all__ = [
    "FOREIGN_THOUGHT_SIGNATURE",
    "OPENAPI_PROFILE",
    "PROFILE",
    "GeminiAdapter",
    "GeminiConfig",
    "GeminiJSONSchemaTransformer",
    "GeminiOpenAPITransformer",
    "GeminiResponder",
    "GeminiStreamDecoder",
]
