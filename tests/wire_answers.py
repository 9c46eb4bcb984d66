"""Provider-format answers for the client tests: a text answer or tool calls, whole or streamed.

Five wire formats cover the built-in adapters; ``PROVIDERS`` says which format each adapter
speaks and which settings its client needs (data only). The shapes follow the providers' API
references (OpenAI Chat Completions and Responses, Anthropic Messages, Gemini
generateContent, Ollama /api/chat) in their smallest documented form.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Call = tuple[str, str, dict[str, Any]]  # (id, name, arguments)

# adapter name -> (wire format, extra client settings)
PROVIDERS: dict[str, tuple[str, Mapping[str, Any]]] = {
    "openai": ("chat", {}),
    "azure-openai": ("chat", {"endpoint": "https://res.openai.azure.com"}),
    "xai": ("chat", {}),
    "openrouter": ("chat", {}),
    "groq": ("chat", {}),
    "openai-responses": ("responses", {}),
    "anthropic": ("anthropic", {}),
    "gemini": ("gemini", {}),
    "ollama": ("ollama", {}),
}


def _sse(events: Sequence[tuple[str | None, Any]]) -> bytes:
    out = []
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        payload = data if isinstance(data, str) else json.dumps(data)
        out.append(f"{head}data: {payload}\n\n")
    return "".join(out).encode()


def _halves(text: str) -> list[str]:
    return [text[: len(text) // 2], text[len(text) // 2 :]]


# --- OpenAI Chat Completions ----------------------------------------------------------------
def chat_body(text: str | None, calls: Sequence[Call]) -> Any:
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if calls:
        message["tool_calls"] = [
            {"id": i, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
            for i, n, a in calls
        ]
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
    }


def chat_stream(text: str | None, calls: Sequence[Call]) -> bytes:
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m"}

    def chunk(delta: Any, finish: str | None = None) -> Any:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    events: list[tuple[str | None, Any]] = [(None, chunk({"role": "assistant", "content": ""}))]
    for piece in _halves(text or ""):
        if piece:
            events.append((None, chunk({"content": piece})))
    for k, (i, n, a) in enumerate(calls):
        start = {"index": k, "id": i, "type": "function", "function": {"name": n, "arguments": ""}}
        events.append((None, chunk({"tool_calls": [start]})))
        for piece in _halves(json.dumps(a)):
            events.append(
                (None, chunk({"tool_calls": [{"index": k, "function": {"arguments": piece}}]}))
            )
    events.append((None, chunk({}, "tool_calls" if calls else "stop")))
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    events.append((None, {**base, "choices": [], "usage": usage}))
    events.append((None, "[DONE]"))
    return _sse(events)


# --- OpenAI Responses -----------------------------------------------------------------------
def _responses_items(text: str | None, calls: Sequence[Call]) -> list[Any]:
    items: list[Any] = []
    if text:
        items.append(
            {
                "type": "message",
                "id": "msg_1",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        )
    for k, (i, n, a) in enumerate(calls):
        items.append(
            {
                "type": "function_call",
                "id": f"fc_{k}",
                "call_id": i,
                "name": n,
                "arguments": json.dumps(a),
                "status": "completed",
            }
        )
    return items


def responses_body(text: str | None, calls: Sequence[Call]) -> Any:
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "model": "m",
        "output": _responses_items(text, calls),
        "usage": {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7},
    }


def responses_stream(text: str | None, calls: Sequence[Call]) -> bytes:
    created = {**responses_body(None, ()), "status": "in_progress", "output": []}
    events: list[tuple[str | None, Any]] = [
        ("response.created", {"type": "response.created", "response": created})
    ]
    for index, item in enumerate(_responses_items(text, calls)):
        empty = (
            {**item, "content": []}
            if item["type"] == "message"
            else {**item, "arguments": "", "status": "in_progress"}
        )
        added = {"type": "response.output_item.added", "output_index": index, "item": empty}
        events.append(("response.output_item.added", added))
        if item["type"] == "message":
            for piece in _halves(text or ""):
                delta = {
                    "type": "response.output_text.delta",
                    "item_id": item["id"],
                    "output_index": index,
                    "content_index": 0,
                    "delta": piece,
                }
                events.append(("response.output_text.delta", delta))
        else:
            for piece in _halves(item["arguments"]):
                delta = {
                    "type": "response.function_call_arguments.delta",
                    "item_id": item["id"],
                    "output_index": index,
                    "delta": piece,
                }
                events.append(("response.function_call_arguments.delta", delta))
            done = {
                "type": "response.function_call_arguments.done",
                "item_id": item["id"],
                "output_index": index,
                "arguments": item["arguments"],
            }
            events.append(("response.function_call_arguments.done", done))
        events.append(
            (
                "response.output_item.done",
                {"type": "response.output_item.done", "output_index": index, "item": item},
            )
        )
    completed = {"type": "response.completed", "response": responses_body(text, calls)}
    events.append(("response.completed", completed))
    return _sse(events)


# --- Anthropic Messages ---------------------------------------------------------------------
def anthropic_body(text: str | None, calls: Sequence[Call]) -> Any:
    content: list[Any] = [{"type": "text", "text": text}] if text else []
    content += [{"type": "tool_use", "id": i, "name": n, "input": a} for i, n, a in calls]
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": content,
        "stop_reason": "tool_use" if calls else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 2},
    }


def anthropic_stream(text: str | None, calls: Sequence[Call]) -> bytes:
    start = {**anthropic_body(None, ()), "content": [], "stop_reason": None}
    events: list[tuple[str | None, Any]] = [
        ("message_start", {"type": "message_start", "message": start}),
        ("ping", {"type": "ping"}),
    ]
    index = 0
    if text:
        block = {"type": "text", "text": ""}
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": block},
            )
        )
        for piece in _halves(text):
            delta = {"type": "text_delta", "text": piece}
            events.append(
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
            )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        index += 1
    for i, n, a in calls:
        block = {"type": "tool_use", "id": i, "name": n, "input": {}}
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": block},
            )
        )
        for piece in _halves(json.dumps(a)):
            delta = {"type": "input_json_delta", "partial_json": piece}
            events.append(
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
            )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        index += 1
    stop = {"stop_reason": "tool_use" if calls else "end_turn", "stop_sequence": None}
    events.append(
        ("message_delta", {"type": "message_delta", "delta": stop, "usage": {"output_tokens": 2}})
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return _sse(events)


# --- Gemini generateContent -----------------------------------------------------------------
def _gemini_chunk(parts: list[Any], finish: str | None) -> Any:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 2, "totalTokenCount": 7},
        "modelVersion": "m",
        "responseId": "r1",
    }


def gemini_body(text: str | None, calls: Sequence[Call]) -> Any:
    parts: list[Any] = [{"text": text}] if text else []
    parts += [{"functionCall": {"name": n, "args": a}} for _, n, a in calls]
    return _gemini_chunk(parts, "STOP")


def gemini_stream(text: str | None, calls: Sequence[Call]) -> bytes:
    chunks = [_gemini_chunk([{"text": piece}], None) for piece in _halves(text or "") if piece]
    chunks.append(
        _gemini_chunk([{"functionCall": {"name": n, "args": a}} for _, n, a in calls], "STOP")
    )
    return b"".join(b"data: " + json.dumps(c).encode() + b"\r\n\r\n" for c in chunks)


# --- Ollama /api/chat ---------------------------------------------------------------------
def _ollama_line(content: str, calls: Sequence[Call], done: bool) -> Any:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = [
            {"id": i, "function": {"index": k, "name": n, "arguments": a}}
            for k, (i, n, a) in enumerate(calls)
        ]
    line: dict[str, Any] = {"model": "m", "created_at": "2026-01-01T00:00:00Z", "message": message}
    line["done"] = done
    if done:
        line.update(done_reason="stop", prompt_eval_count=5, eval_count=2)
    return line


def ollama_body(text: str | None, calls: Sequence[Call]) -> Any:
    return _ollama_line(text or "", calls, True)


def ollama_stream(text: str | None, calls: Sequence[Call]) -> bytes:
    lines = [_ollama_line(piece, (), False) for piece in _halves(text or "") if piece]
    if calls:
        lines.append(_ollama_line("", calls, False))
    lines.append(_ollama_line("", (), True))
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


BODIES: dict[str, Callable[[str | None, Sequence[Call]], Any]] = {
    "chat": chat_body,
    "responses": responses_body,
    "anthropic": anthropic_body,
    "gemini": gemini_body,
    "ollama": ollama_body,
}
STREAMS: dict[str, Callable[[str | None, Sequence[Call]], bytes]] = {
    "chat": chat_stream,
    "responses": responses_stream,
    "anthropic": anthropic_stream,
    "gemini": gemini_stream,
    "ollama": ollama_stream,
}


def body(fmt: str, text: str | None = None, calls: Sequence[Call] = ()) -> bytes:
    return json.dumps(BODIES[fmt](text, calls)).encode()


def stream(fmt: str, text: str | None = None, calls: Sequence[Call] = ()) -> bytes:
    return STREAMS[fmt](text, calls)
