"""The official ``anthropic`` package as the oracle for what the Anthropic adapter decodes.

A response body is parsed the way the SDK's client does (``construct_type``, lenient); a stream
is split by the SDK's own SSE decoder (``ping`` skipped, ``error`` raised, as its ``Stream``
does) and accumulated by its ``accumulate_event``. Both are reduced to the fields fctest
decodes, so a test compares like with like.
"""

from __future__ import annotations

import json
from typing import Any

from anthropic._models import construct_type
from anthropic._streaming import SSEDecoder
from anthropic.lib.streaming._messages import accumulate_event
from anthropic.types import Message, RawMessageStreamEvent

from fctest import Response

Summary = tuple[
    str | None,  # text blocks joined
    list[tuple[str, str, Any]],  # client calls: (id, name, input)
    str | None,  # raw stop reason
    tuple[int | None, int | None] | None,  # (input incl. cache reads/writes, output)
    list[dict[str, Any]],  # every other block, as sent back
]


class SDKStreamError(Exception):
    """The SDK's stream would have raised on an ``event: error``."""


def summary(response: Response) -> Summary:
    """What fctest decoded; malformed arguments as their raw text."""
    calls = [
        (c.id, c.name, c.raw_arguments if c.malformed else c.arguments) for c in response.tool_calls
    ]
    usage = None
    if response.usage is not None:
        usage = (response.usage.input_tokens, response.usage.output_tokens)
    opaque = [dict(p.data) for p in response.opaque if p.provider == "anthropic"]
    return response.text or None, calls, response.raw_finish_reason, usage, opaque


def _sdk_summary(message: Any) -> Summary:
    texts: list[str] = []
    calls: list[tuple[str, str, Any]] = []
    opaque: list[dict[str, Any]] = []
    for block in message.content:
        if block.type == "text":
            texts.append(block.text)
        elif block.type == "tool_use":
            calls.append((block.id, block.name, block.input))
        else:
            opaque.append(block.to_dict())
    usage = None
    u = message.usage
    if u is not None:
        total = u.input_tokens
        if total is not None:
            total += (u.cache_creation_input_tokens or 0) + (u.cache_read_input_tokens or 0)
        usage = (total, u.output_tokens)
    return "".join(texts) or None, calls, message.stop_reason, usage, opaque


def sdk_message(body: bytes) -> Summary:
    """A non-streamed body as ``client.messages.create`` returns it."""
    return _sdk_summary(construct_type(type_=Message, value=json.loads(body)))


def sdk_stream(body: bytes) -> Summary:
    """A streamed body as ``client.messages.stream(...).get_final_message()`` accumulates it."""
    snapshot = None
    json_bufs: dict[int, bytes] = {}
    for sse in SSEDecoder().iter_bytes(iter([body])):
        if sse.event == "ping" or sse.event is None:
            continue
        if sse.event == "error":
            raise SDKStreamError(sse.data)
        if not sse.data:
            continue
        event = construct_type(type_=RawMessageStreamEvent, value=sse.json())
        snapshot = accumulate_event(
            event=event,  # type: ignore[arg-type]
            current_snapshot=snapshot,
            json_bufs=json_bufs,
        )
    assert snapshot is not None, "the stream held no message_start"
    return _sdk_summary(snapshot)
