"""OpenAI Chat Completions, the decoding direction: ``chat.completion`` bodies and the
``chat.completion.chunk`` stream (shared by the OpenAI-compatible vendors).

Sources: openai-openapi ChatCompletion / ChatCompletionChunk, openai-python
``types/chat/chat_completion*.py`` and ``lib/streaming/chat/_completions.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..._exceptions import ProtocolError
from ..._messages import Response, ToolCall
from ..._sse import SSEEvent
from ..._types import FinishReason, JSONObject
from ..._wire import HttpResponse
from .._assembly import SSEStreamDecoder, make_call
from .._base import json_body
from ._decode import in_band_error

if TYPE_CHECKING:
    from ._chat_request import OpenAIAdapter

__all__ = ["ChatStreamDecoder", "parse_completion"]

# Neutral finish reasons (docs/dialects.md#finish-openai). `function_call` is the deprecated
# single-function form. OpenRouter normalises to these (docs/dialects.md#finish-openrouter); an
# `error` value is unconfirmed and would decode as "other".
_FINISH: Mapping[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


def parse_completion(
    adapter: OpenAIAdapter, response: HttpResponse, restore: Callable[[ToolCall], ToolCall] | None
) -> Response:
    """A 2xx ``chat.completion`` body (or an error object sent under HTTP 200)."""
    data = json_body(adapter.name, response)
    if not isinstance(data, dict):
        raise ProtocolError(
            adapter.name, "expected a JSON object", status=response.status, body=response.text()
        )
    if data.get("error"):
        # An error reported under HTTP 200 (OpenRouter: docs/dialects.md#inband-openrouter).
        raise in_band_error(
            adapter.name,
            data["error"],
            body=response.text(),
            headers=response.headers,
            describe=adapter.describe_error,
        )
    choices = data.get("choices") or ()
    choice = choices[0] if choices and isinstance(choices[0], dict) else {}
    # A choice without a message is tolerated (said of Azure content-filter answers;
    # unconfirmed: docs/dialects.md#errors-azure).
    message = choice.get("message") or {}
    calls = [
        _parse_call(tc, i)
        for i, tc in enumerate(message.get("tool_calls") or ())
        if isinstance(tc, dict)
    ]
    legacy = message.get("function_call")
    if not calls and isinstance(legacy, dict):
        calls.append(_parse_call({"function": legacy}, 0))
    if restore is not None:
        calls = [restore(c) for c in calls]
    text = _parse_content(message.get("content"))
    if text is None and isinstance(message.get("refusal"), str):
        text = message["refusal"]
    raw = choice.get("finish_reason")
    return Response(
        provider=adapter.name,
        model=data.get("model") or "",
        text=text,
        tool_calls=tuple(calls),
        finish_reason=_parse_finish(raw, bool(calls)),
        raw_finish_reason=raw,
        usage=adapter.parse_usage(data),
        id=data.get("id"),
    )


class ChatStreamDecoder(SSEStreamDecoder):
    """Feeds ``chat.completion.chunk`` SSE events into a ``ResponseAssembler``.

    Fragments of a call are joined by ``index`` (only the first carries id and name; later
    ones may repeat them, which is ignored); a call may also arrive whole in one chunk (Groq,
    xAI); chunks without ``index`` (Mistral style) are keyed by id. ``data: [DONE]`` ends the
    stream; comments are dropped by the SSE layer; an ``error`` (``event: error`` or an
    ``error`` key in a chunk) raises the matching ``ProviderError``
    (docs/dialects.md#stream-openai-chunks, docs/dialects.md#inband-openai-sdk).
    """

    __slots__ = ("_adapter", "_done", "_open")

    def __init__(
        self, adapter: OpenAIAdapter, restore: Callable[[ToolCall], ToolCall] | None = None
    ) -> None:
        super().__init__(adapter.name, restore)
        self._adapter = adapter
        self._done = False
        self._open: list[Any] = []  # keys of calls started and not yet finished

    def _handle(self, event: SSEEvent) -> None:
        if self._done:
            return
        data = event.data
        if not data or data.isspace():
            return  # keep-alive
        if data == "[DONE]":
            self._done = True
            asm = self._asm
            if not asm.finished:
                asm.finish("tool_calls" if asm.call_count else "stop", None)
            return
        try:
            chunk = json.loads(data)
        except ValueError:
            raise ProtocolError(
                self._adapter.name,
                f"stream event is not JSON: {data[:200]!r}",
                status=200,
                body=data,
            ) from None
        if not isinstance(chunk, dict):
            raise ProtocolError(
                self._adapter.name, f"unexpected stream event {data[:200]!r}", status=200, body=data
            )
        if event.event == "error" or chunk.get("error"):
            error = chunk.get("error", chunk)
            raise in_band_error(
                self._adapter.name, error, body=data, describe=self._adapter.describe_error
            )
        self._chunk(chunk)

    def _chunk(self, chunk: JSONObject) -> None:
        asm = self._asm
        if asm.id is None:
            asm.id = chunk.get("id")
            asm.model = chunk.get("model") or ""
        usage = self._adapter.parse_usage(chunk)
        if usage is not None:
            asm.usage = usage
        for choice in chunk.get("choices") or ():
            if choice.get("index", 0) != 0:
                continue  # n > 1 is not modelled; the first choice is the answer
            delta = choice.get("delta")
            if delta:
                content = delta.get("content")
                if content:
                    asm.text(content)
                elif delta.get("refusal"):
                    asm.text(delta["refusal"])
                tool_calls = delta.get("tool_calls")
                if tool_calls:
                    self._tool_calls(tool_calls)
            raw = choice.get("finish_reason")
            if raw is not None:
                for key in self._open:
                    asm.finish_call(key)
                self._open.clear()
                asm.finish(_parse_finish(raw, asm.call_count > 0), raw)

    def _tool_calls(self, deltas: list[Any]) -> None:
        asm = self._asm
        for tc in deltas:
            index = tc.get("index")
            call_id = tc.get("id")
            key = index if index is not None else call_id
            fn = tc.get("function") or {}
            name = fn.get("name")
            if not asm.has_call(key):
                asm.start_call(key, call_id or _fallback_id(asm.call_count), name or "")
                self._open.append(key)
            elif call_id or name:
                asm.update_call(key, id=call_id, name=name)
            arguments = fn.get("arguments")
            if arguments:
                asm.call_arguments(key, arguments)


def _parse_call(tc: JSONObject, position: int) -> ToolCall:
    fn = tc.get("function") or {}
    arguments = fn.get("arguments")
    return make_call(
        tc.get("id") or _fallback_id(position),
        fn.get("name") or "",
        arguments if isinstance(arguments, (str, dict)) else None,
    )


def _parse_content(content: Any) -> str | None:
    """Text content; a list of parts (some compatible servers) is joined."""
    if isinstance(content, str) or content is None:
        return content
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict)]
        return "".join(p for p in parts if isinstance(p, str)) or None
    return None


def _parse_finish(raw: Any, has_calls: bool) -> FinishReason:
    """Neutral finish reason; calls present under ``stop`` (some compatible servers) still
    mean the model called a tool (docs/dialects.md#finish-openai)."""
    reason = (
        _FINISH.get(raw, "other")
        if isinstance(raw, str)
        else ("tool_calls" if has_calls else "stop")
    )
    if reason == "stop" and has_calls:
        return "tool_calls"
    return reason


def _fallback_id(position: int) -> str:
    """An id for a call the server sent without one (the history needs one to pair results)."""
    return f"call_{position}"
