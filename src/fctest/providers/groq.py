"""Groq (``groq``): the Chat adapter on Groq's OpenAI-compatible endpoint.

Wire docs: https://console.groq.com/docs/api-reference#chat-create,
https://console.groq.com/docs/tool-use, https://console.groq.com/docs/structured-outputs
([S-GROQ-SO]), and the official client groq/groq-python (``_client.py`` base URL,
``types/chat/completion_create_params.py``, ``chat_completion_chunk.py``) [S-GROQ].

Differences from OpenAI: Groq checks the generated arguments against the schema on its
servers and answers a bad generation with 400 ``tool_use_failed`` (plus ``failed_generation``),
or, in a stream, with an in-band ``event: error`` carrying the same object and
``status_code``; both are ``ModelOutputError`` and not retryable (the mapping is shared:
``_openai_common``; C39, C40). A streamed call arrives whole in one chunk (C38). Usage of a
stream comes in the last chunk's ``x_groq.usage``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .._messages import Usage
from .._types import JSONObject
from ._openai_common import parse_usage
from .openai import OPENAI_PROFILE, OpenAIAdapter

__all__ = ["GROQ_PROFILE", "GroqAdapter"]

_SDK = "groq-python"

GROQ_PROFILE = OPENAI_PROFILE.evolve(
    max_tools=128,
    description_max_length=None,
    streams_arguments=False,
    sources={
        "tool_name_pattern": f"{_SDK} shared/function_definition.py name: a-z, A-Z, 0-9, "
        "underscores and dashes, max 64",
        "tool_name_max_length": f"{_SDK} shared/function_definition.py (max 64)",
        "max_tools": f"{_SDK} completion_create_params.py 'A max of 128 functions' (C06)",
        "description_max_length": "none documented (provider-dialects.md §3)",
        "strict_mode": "function.strict; constrained only on openai/gpt-oss-20b/120b, "
        "best-effort elsewhere [S-GROQ-SO]",
        "tool_choice": f"{_SDK} chat_completion_tool_choice_option_param.py",
        "parallel_call_control": f"{_SDK} completion_create_params.py parallel_tool_calls",
        "streams_arguments": "one delta with id, name and full arguments (recorded Groq "
        "streams, shared/corpus groq; C38)",
    },
)


class GroqAdapter(OpenAIAdapter):
    name = "groq"
    profile = GROQ_PROFILE
    default_base_url = "https://api.groq.com/openai/v1"
    env: ClassVar[Mapping[str, tuple[str, ...]]] = {"api_key": ("GROQ_API_KEY",)}
    # Streams report usage in x_groq.usage unasked; stream_options is not in groq-python's
    # completion_create_params, so it is not sent.
    stream_usage: ClassVar[bool] = False

    def parse_usage(self, data: JSONObject) -> Usage | None:
        """``usage``, or in streams ``x_groq.usage`` (groq-python chat_completion_chunk.py)."""
        usage = parse_usage(data.get("usage"))
        if usage is None:
            x_groq = data.get("x_groq")
            if isinstance(x_groq, dict):
                usage = parse_usage(x_groq.get("usage"))
        return usage
