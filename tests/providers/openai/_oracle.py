"""The official ``openai`` package as the oracle for what the Chat adapters decode.

Responses are parsed the way the SDK's client does (``construct_type``, lenient), streams are
accumulated by the SDK's own ``ChatCompletionStreamState`` after its own SSE decoder split them.
Both are reduced to the fields fctest decodes, so a test compares like with like.
"""

from __future__ import annotations

import json
from typing import Any

from openai._models import construct_type
from openai._streaming import SSEDecoder
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from fctest import Response

Summary = tuple[str | None, list[tuple[str, str, Any]], str | None]


def summary(response: Response) -> Summary:
    """(text, [(id, name, arguments)], raw finish reason); malformed arguments as raw text."""
    calls = [
        (c.id, c.name, c.raw_arguments if c.malformed else c.arguments) for c in response.tool_calls
    ]
    return response.text or None, calls, response.raw_finish_reason


def _sdk_summary(completion: Any) -> Summary:
    choice = completion.choices[0] if completion.choices else None
    message = getattr(choice, "message", None)
    if message is None:
        return None, [], getattr(choice, "finish_reason", None)
    calls = []
    for tc in message.tool_calls or ():
        raw = tc.function.arguments
        try:
            arguments = json.loads(raw) if raw and raw.strip() else {}
        except ValueError:
            arguments = raw
        if not isinstance(arguments, dict):
            arguments = raw
        calls.append((tc.id, tc.function.name, arguments))
    text = message.content or getattr(message, "refusal", None) or None
    return text, calls, choice.finish_reason


def sdk_parse(body: bytes) -> Summary:
    """What openai-python's client makes of a non-streamed body."""
    return _sdk_summary(construct_type(type_=ChatCompletion, value=json.loads(body)))


def sdk_stream(body: bytes) -> Summary:
    """What openai-python's ``.stream()`` helper accumulates from an SSE body."""
    state: ChatCompletionStreamState[Any] = ChatCompletionStreamState()
    for sse in SSEDecoder().iter_bytes(iter([body])):
        if sse.data.startswith("[DONE]"):
            break
        data = sse.json()
        if not isinstance(data, dict) or "choices" not in data:
            continue
        state.handle_chunk(construct_type(type_=ChatCompletionChunk, value=data))
    return _sdk_summary(state.get_final_completion())
