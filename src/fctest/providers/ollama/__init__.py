"""Ollama's native API (``POST /api/chat``), registered as ``ollama``.

Wire docs: ollama/ollama ``docs/api.md`` ("Generate a chat completion"),
``docs/capabilities/{tool-calling,structured-outputs,thinking,streaming}.mdx``,
``docs/api/{introduction,authentication,errors,streaming,usage}.mdx``, checked against the
server's own ``api/types.go`` and ``server/routes.go`` (fb30760, 2026-08-21) and ollama-python
0.6.3 (``_types.py``: ``ChatRequest``, ``ChatResponse``, ``Message``, ``Tool``; ``_client.py``:
how it reads streams and errors). Each rule links its evidence in docs/dialects.md (anchors
``ollama-*``). For Ollama's OpenAI-compatible ``/v1`` endpoint use the ``openai`` adapter.

What differs from the OpenAI shape, and where it is handled here:

- Tools are OpenAI-shaped, but the server keeps only a few schema keywords and constrains
  nothing (``_schema``); there is no ``tool_choice``, no parallel switch and no strict flag, and
  asking for one is a ``UsageError`` before anything is sent. ``format`` takes the JSON Schema
  of a final answer, which does constrain sampling, but not together with tools.
- Arguments are a JSON object both ways; results go back as ``role: tool`` messages with
  ``tool_name`` (and ``tool_call_id``), one per result, in call order.
- Call ids: servers since v0.12.10 send ``call_`` + 8 characters, which are kept; for older
  servers ids are made up from the line a call came on (``ollama_`` + a digest), so the same
  bytes always give the same id (docs/dialects.md#ollama-ids).
- Streaming is the server's default, so ``stream`` is always sent; a stream is NDJSON (one
  ``ChatResponse`` per line, calls whole), not SSE, and an error after it began is one more
  ``{"error": ...}`` line under status 200.
- ``temperature`` and ``max_output_tokens`` go in ``options`` (``num_predict``); reasoning comes
  as ``message.thinking``, kept opaque and sent back with its turn; ``think`` itself takes no
  token budget (``extra_body={"think": ...}``).

The package has the same file roles as every provider's: the profile (``_profile``, data), the
schema dialect (``_schema``, data too), request building (``_request``), response, stream and
error decoding (``_decode``) and the provider's side (``_responder``). Nothing here does I/O.
"""

from __future__ import annotations

from ._decode import OllamaStreamDecoder
from ._profile import PROFILE
from ._request import OllamaAdapter
from ._responder import OllamaResponder

__all__ = ["PROFILE", "OllamaAdapter", "OllamaResponder", "OllamaStreamDecoder"]
