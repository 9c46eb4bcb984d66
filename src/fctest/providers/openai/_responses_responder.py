"""The Responses wire written, not read: what ``POST /v1/responses`` would answer.

The inverse of ``_responses_decode``, for the reference server, the round-trip
properties and the benchmarks. Deterministic like ``_chat_responder`` (fixed ``created_at``, ids
derived from the answer). Shapes follow recorded traffic
(``shared/corpus/pydantic__pydantic-ai/openai/test_openai_responses_stream.yaml``,
``shared/corpus/vercel__ai/azure_openai/azure-tool-call.1.chunks.txt``) and the SDK
types (openai-python 3.57.0 ``types/responses/response.py``, ``response_output_message.py``,
``response_function_tool_call.py``, ``response_usage.py``, ``response_stream_event.py``):

- a ``response`` object whose ``output`` holds a ``message`` item (one ``output_text`` part) and
  then one ``function_call`` item per call: item ``id`` ``fc_...``, ``call_id`` = ``ToolCall.id``
  (results refer to it: docs/dialects.md#ids-responses-two), ``arguments`` a JSON string. The
  request's settings (tools, tool_choice, parallel_tool_calls, temperature, max_output_tokens, text
  format) are echoed back as the API does;
- the finish reason becomes ``status`` + ``incomplete_details`` (no finish reason on this API:
  docs/dialects.md#finish-responses): ``stop``/``tool_calls``/``malformed_call`` -> ``completed``
  (nothing marks a malformed call; its text is simply not JSON), ``length`` -> ``incomplete`` /
  ``max_output_tokens`` (a malformed call is then the one cut off: its item says ``incomplete``),
  ``content_filter`` -> ``incomplete`` / ``content_filter``, ``other`` -> ``incomplete`` without a
  reason;
- a stream of typed SSE events (``event: <type>`` + ``data:``), each with its
  ``sequence_number``: ``response.created``, ``response.in_progress``; per item
  ``response.output_item.added``, for a message ``response.content_part.added``,
  ``response.output_text.delta``... ``.done``, ``response.content_part.done``, for a call
  ``response.function_call_arguments.delta``... ``.done``; ``response.output_item.done``; then
  ``response.completed`` (or ``response.incomplete``) with the whole response
  (docs/dialects.md#stream-responses).

Error bodies are the Chat envelope (``_responder.openai_error``).
"""

from __future__ import annotations

import json
from typing import Any, Final

from ..._exceptions import UsageError
from ..._messages import Request, Response, Usage
from ..._types import JSONObject
from ..._wire import HttpRequest, HttpResponse
from .._base import encode_json
from .._encoding import content_id, fragments, request_body
from .._encoding import sse_event as _sse
from ._responder import (
    CREATED,
    OpenAIDialectResponder,
    WireCall,
    derive_id,
    wire_calls,
)
from ._responses_request import OpenAIResponsesAdapter

__all__ = [
    "ECHOED",
    "ResponsesResponder",
    "count_input_turns",
    "response_events",
    "response_object",
]

ECHOED: Final = (
    "max_output_tokens",
    "parallel_tool_calls",
    "temperature",
    "text",
    "tool_choice",
    "tools",
)
"""Request fields the API repeats in its ``response`` object."""

# Item ids on the wire are a prefix and 48 hex characters (the recordings named above).
_ID_SIZE: Final = 48


def sse_event(event: JSONObject) -> bytes:
    """One typed SSE event: ``event: <type>`` and its JSON on one ``data:`` line."""
    return _sse(json.dumps(event, ensure_ascii=False, separators=(",", ":")), event=event["type"])


def count_input_turns(provider: str, request: HttpRequest) -> int:
    """Assistant turns in a Responses request's ``input``: each run of assistant-side items
    (``function_call``, ``reasoning``, an assistant ``message``) is one model turn; results,
    user and system items end a run. A string ``input`` holds no turn."""
    items = request_body(provider, request, "Responses").get("input")
    if isinstance(items, str):
        return 0
    if not isinstance(items, list):
        raise UsageError(f"{provider}: not a Responses request: it has no 'input' list or string")
    turns = 0
    in_turn = False
    for item in items:
        assistant = isinstance(item, dict) and (
            item.get("type") in ("function_call", "reasoning") or item.get("role") == "assistant"
        )
        if assistant and not in_turn:
            turns += 1
        in_turn = assistant
    return turns


def _status(response: Response) -> tuple[str, JSONObject | None]:
    """``status`` and ``incomplete_details`` for the neutral finish reason (module docstring)."""
    reason = response.finish_reason
    if reason == "length":
        return "incomplete", {"reason": "max_output_tokens"}
    if reason == "content_filter":
        return "incomplete", {"reason": "content_filter"}
    if reason == "other":
        return "incomplete", None
    return "completed", None


def _usage(usage: Usage | None) -> JSONObject | None:
    """``ResponseUsage`` with zeroed details; a count the ``Usage`` lacks is left out."""
    if usage is None:
        return None
    out: JSONObject = {}
    if usage.input_tokens is not None:
        out["input_tokens"] = usage.input_tokens
        out["input_tokens_details"] = {"cached_tokens": 0, "cache_write_tokens": 0}
    if usage.output_tokens is not None:
        out["output_tokens"] = usage.output_tokens
        out["output_tokens_details"] = {"reasoning_tokens": 0}
    if usage.total_tokens is not None:
        out["total_tokens"] = usage.total_tokens
    return out


class _Answer:
    """The ids and items of one encoded answer, computed once for the body and the stream."""

    def __init__(self, provider: str, response: Response, calls: list[WireCall]) -> None:
        self.response = response
        self.calls = calls
        self.id = response.id or derive_id("resp_", response, _ID_SIZE)
        self.status, self.details = _status(response)
        self.text = response.text or ""
        # Item ids hang off the response id, so a decoded answer encodes to the same bytes again.
        self.message_id = content_id("msg_", self.id, "message", length=_ID_SIZE)
        self.call_ids = [self._item_id(provider, c, i) for i, c in enumerate(calls)]

    def _item_id(self, provider: str, call: WireCall, index: int) -> str:
        """The call's own ``fc_`` id when it was decoded from this API, else a derived one."""
        opaque = call.call.opaque
        if opaque is not None and opaque.provider == provider:
            item_id = opaque.data.get("id")
            if isinstance(item_id, str) and item_id:
                return item_id
        return content_id("fc_", self.id, index, length=_ID_SIZE)

    def message(self, status: str, text: str) -> JSONObject:
        content = [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]
        return {
            "type": "message",
            "id": self.message_id,
            "status": status,
            "role": "assistant",
            "content": content if status != "in_progress" else [],
        }

    def call_item(self, index: int, *, done: bool) -> JSONObject:
        call = self.calls[index]
        status = "in_progress"
        if done:
            # The call cut off by max_output_tokens is the malformed one
            # (docs/dialects.md#finish-responses).
            cut = call.call.malformed and self.response.finish_reason == "length"
            status = "incomplete" if cut else "completed"
        return {
            "type": "function_call",
            "id": self.call_ids[index],
            "call_id": call.id,
            "name": call.name,
            "arguments": call.arguments if done else "",
            "status": status,
        }

    def output(self) -> list[JSONObject]:
        items = []
        if self.text:
            # Text cut off by the token limit is an incomplete message, if nothing followed it.
            cut = self.status == "incomplete" and not self.calls
            items.append(self.message("incomplete" if cut else "completed", self.text))
        items.extend(self.call_item(i, done=True) for i in range(len(self.calls)))
        return items

    def body(self, echo: JSONObject, *, final: bool) -> JSONObject:
        """The ``response`` object; ``final=False`` is the in-progress snapshot of a stream."""
        finished = final and self.status == "completed"
        return {
            "id": self.id,
            "object": "response",
            "created_at": CREATED,
            "status": self.status if final else "in_progress",
            "background": False,
            "completed_at": CREATED if finished else None,
            "error": None,
            "incomplete_details": self.details if final else None,
            "instructions": None,
            "max_output_tokens": echo.get("max_output_tokens"),
            "max_tool_calls": None,
            "model": self.response.model,
            "output": self.output() if final else [],
            "parallel_tool_calls": echo.get("parallel_tool_calls", True),
            "previous_response_id": None,
            "reasoning": {"effort": None, "summary": None},
            "service_tier": "default",
            "temperature": echo.get("temperature", 1.0),
            "text": echo.get("text", {"format": {"type": "text"}}),
            "tool_choice": echo.get("tool_choice", "auto"),
            "tools": echo.get("tools", []),
            "top_logprobs": 0,
            "top_p": 1.0,
            "truncation": "disabled",
            "usage": _usage(self.response.usage) if final else None,
            "user": None,
            "metadata": {},
        }


def response_object(
    provider: str, response: Response, calls: list[WireCall], echo: JSONObject
) -> JSONObject:
    """The ``response`` JSON body. ``echo``: the request body as sent (see ``ECHOED``)."""
    return _Answer(provider, response, calls).body(echo, final=True)


def response_events(
    provider: str,
    response: Response,
    calls: list[WireCall],
    echo: JSONObject,
    *,
    fragment_size: int,
) -> list[JSONObject]:
    """The stream's events, in order, numbered by ``sequence_number``."""
    fragments("", fragment_size)  # a bad size fails even when nothing is cut
    answer = _Answer(provider, response, calls)
    events: list[JSONObject] = []

    def emit(kind: str, **fields: Any) -> None:
        events.append({"type": kind, "sequence_number": len(events), **fields})

    emit("response.created", response=answer.body(echo, final=False))
    emit("response.in_progress", response=answer.body(echo, final=False))
    output = answer.output()
    index = 0
    if answer.text:
        item_id = answer.message_id
        where = {"item_id": item_id, "output_index": index, "content_index": 0}
        emit(
            "response.output_item.added", output_index=index, item=answer.message("in_progress", "")
        )
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        emit("response.content_part.added", **where, part=part)
        for piece in fragments(answer.text, fragment_size):
            emit("response.output_text.delta", **where, delta=piece, logprobs=[])
        emit("response.output_text.done", **where, text=answer.text, logprobs=[])
        emit("response.content_part.done", **where, part={**part, "text": answer.text})
        emit("response.output_item.done", output_index=index, item=output[index])
        index += 1
    for i, call in enumerate(calls):
        where = {"item_id": answer.call_ids[i], "output_index": index}
        emit("response.output_item.added", output_index=index, item=answer.call_item(i, done=False))
        for piece in fragments(call.arguments, fragment_size):
            emit("response.function_call_arguments.delta", **where, delta=piece)
        emit("response.function_call_arguments.done", **where, arguments=call.arguments)
        emit("response.output_item.done", output_index=index, item=output[index])
        index += 1
    last = "response.completed" if answer.status == "completed" else "response.incomplete"
    emit(last, response=answer.body(echo, final=True))
    return events


class ResponsesResponder(OpenAIDialectResponder[OpenAIResponsesAdapter]):
    """What the Responses API answers to the requests ``adapter`` builds; errors come in the
    Chat envelope, with ``retry-after-ms`` as OpenAI sends it."""

    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        calls = wire_calls(self.fitting(request), response)
        body = response_object(self.name, response, calls, self._echo(request))
        return HttpResponse(200, {"content-type": "application/json"}, encode_json(body))

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        calls = wire_calls(self.fitting(request), response)
        events = response_events(
            self.name, response, calls, self._echo(request), fragment_size=fragment_size
        )
        return [sse_event(e) for e in events]

    def assistant_turns(self, request: HttpRequest) -> int:
        return count_input_turns(self.name, request)

    def _echo(self, request: Request | None) -> JSONObject:
        """The request settings a ``response`` object repeats (``ECHOED``)."""
        if request is None:
            return {}
        body = self.adapter.build_body(request)
        return {k: body[k] for k in ECHOED if k in body}
