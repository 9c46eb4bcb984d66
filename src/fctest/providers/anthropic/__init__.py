"""Anthropic Messages API (``POST /v1/messages``), registered as ``anthropic``.

Wire docs: https://platform.claude.com/docs/en/api/messages, .../build-with-claude/streaming,
.../build-with-claude/structured-outputs, .../agents-and-tools/tool-use/handle-tool-calls,
.../api/errors. Facts are checked against the ``anthropic`` Python SDK 2.15.0 installed for the
tests (``types/message_create_params.py``, ``types/tool_param.py``, ``types/tool_choice_*``,
``types/stop_reason.py``, ``types/shared/error_type.py``, ``_streaming.py``,
``_error_classes.py``, ``lib/streaming/_messages.py``, ``lib/_parse/_transform.py``); each rule
links its evidence in docs/dialects.md.

What differs from the OpenAI shape, and where it is handled here:

- ``system`` is a top-level field; tools are flat ``{name, description, input_schema,
  strict}``; ``tool_choice`` is an object (``auto``/``any``/``tool``/``none``) that also carries
  ``disable_parallel_tool_use``; ``max_tokens`` is required (``AnthropicConfig.max_tokens``).
- Tool results go back as ``tool_result`` blocks at the start of one ``user`` message
  (docs/dialects.md#history-anthropic-placement); ids must match ``^[a-zA-Z0-9_-]+$``
  (docs/dialects.md#ids-anthropic). Thinking and server-tool blocks are kept opaque
  (``ProviderPart``) and sent back before the ``tool_use`` blocks.
- Arguments arrive as an object (``input``); in streams as ``input_json_delta`` fragments that
  *replace* the ``input: {}`` placeholder of ``content_block_start``
  (docs/dialects.md#stream-anthropic).
- Errors are ``{"type": "error", "error": {"type", "message"}, "request_id"}``, also in a
  stream (``event: error``); 529 is ``overloaded_error`` (docs/dialects.md#errors-anthropic,
  docs/dialects.md#inband-anthropic).

Choices worth knowing: the default ``anthropic-version`` is ``2023-06-01`` with the key in
``x-api-key`` (the 2.x SDKs send ``2026-10-21`` and ``Authorization: Bearer``; both are a config
setting away: docs/dialects.md#auth-anthropic). Text blocks of one answer are joined into the
neutral ``text`` and go back as one block after the opaque blocks, so a server-tool turn is replayed
as ``[server blocks..., text, tool_use...]`` rather than in its original interleaving.

The package has the same file roles as every provider's: the profile and config (``_profile``,
data), the strict dialect (``_schema``), request building (``_request``), response, stream and
error decoding (``_decode``) and the provider's side (``_responder``). Nothing here does I/O:
keys, versions and base URLs arrive in ``AnthropicConfig``.
"""

from __future__ import annotations

from ._decode import AnthropicStreamDecoder
from ._profile import PROFILE, AnthropicConfig
from ._request import AnthropicAdapter
from ._responder import AnthropicResponder
from ._schema import AnthropicStrictTransformer

__all__ = [
    "PROFILE",
    "AnthropicAdapter",
    "AnthropicConfig",
    "AnthropicResponder",
    "AnthropicStreamDecoder",
    "AnthropicStrictTransformer",
]
