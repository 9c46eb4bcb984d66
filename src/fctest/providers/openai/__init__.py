"""The OpenAI wire formats: Chat Completions and the Responses API, and the OpenAI-compatible
vendors that speak Chat Completions (``azure``, ``xai``, ``openrouter``, ``groq``).

Each API has the same three roles as every provider package: request building
(``_chat_request``, ``_responses_request``), response and stream decoding (``_chat_decode``,
``_responses_decode``) and the provider's side (``_chat_responder``, ``_responses_responder``).
What both APIs share sits in the unprefixed modules of the same roles (``_request``,
``_decode``, ``_responder``), the profiles in ``_profile`` and the strict dialect in
``_schema``. A vendor is one small public module: its profile (data), an adapter subclass that
names it, and hooks only where it needs code.
"""

from __future__ import annotations

from ._chat_decode import ChatStreamDecoder
from ._chat_request import OpenAIAdapter
from ._chat_responder import ChatResponder
from ._profile import OPENAI_PROFILE, RESPONSES_PROFILE
from ._request import OpenAIDialectAdapter
from ._responses_decode import ResponsesStreamDecoder
from ._responses_request import OpenAIResponsesAdapter
from ._responses_responder import ResponsesResponder
from ._schema import STRICT_FORMATS, STRICT_KEYWORDS, OpenAIStrictTransformer

__all__ = [
    "OPENAI_PROFILE",
    "RESPONSES_PROFILE",
    "STRICT_FORMATS",
    "STRICT_KEYWORDS",
    "ChatResponder",
    "ChatStreamDecoder",
    "OpenAIAdapter",
    "OpenAIDialectAdapter",
    "OpenAIResponsesAdapter",
    "OpenAIStrictTransformer",
    "ResponsesResponder",
    "ResponsesStreamDecoder",
]
