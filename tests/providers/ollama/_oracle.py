"""The official ``ollama`` package (ollama-python 0.6.3) as the oracle for the Ollama adapter.

Requests: the client builds ``ChatRequest`` (pydantic) from its arguments and sends
``model_dump(exclude_none=True)`` (``_client.Client.chat``), so a body fctest builds must
validate as a ``ChatRequest``. Its models ignore unknown keys, so those are listed separately,
walking the request, its messages, their tool calls and the tools (tool schemas are JSON Schema
and are not walked: the SDK's ``Tool.Function.Parameters.Property`` keeps only ``type``,
``items``, ``description`` and ``enum``). Three keys the server takes (``api/types.go``) are
newer than 0.6.3's types: a call's ``id``, its ``function.index`` and a result's
``tool_call_id`` (docs/dialects.md#ollama-ids).

Responses: parsed as the client does, ``ChatResponse(**body)``; streams read as its ``_request``
does (one ``json.loads`` per line, ``ResponseError`` for a line with ``error``, ``ChatResponse``
per line), then gathered as the tool-calling guide says (content, thinking and tool calls of
every chunk). Both sides are reduced to the fields fctest decodes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ollama import ChatResponse, ResponseError
from ollama._types import ChatRequest, Message, Tool
from pydantic import BaseModel, ValidationError

from fctest import Response

__all__ = ["request_problems", "sdk_error", "sdk_parse", "sdk_stream", "summary"]

NEWER_THAN_SDK = re.compile(
    r"^/messages/\d+/(tool_calls/\d+/id|tool_calls/\d+/function/index|tool_call_id): "
)
"""Keys the server's api/types.go has and ollama-python 0.6.3 lacks."""

Summary = tuple[str | None, str | None, list[tuple[str, Any]], str | None, tuple[Any, Any]]


def _unknown(value: Any, model: type[BaseModel], path: str, out: list[str]) -> None:
    if not isinstance(value, dict):
        return
    fields = model.model_fields
    aliases = {f.alias for f in fields.values() if f.alias}
    for key in value:
        if key not in fields and key not in aliases:
            out.append(f"{path}/{key}: not a {model.__name__} field")


def request_problems(body: dict[str, Any]) -> list[str]:
    """Every way an /api/chat body fails ollama-python's ``ChatRequest`` (unknown keys included,
    except the ones the SDK is known to lag behind on)."""
    problems: list[str] = []
    try:
        ChatRequest.model_validate(body)
    except ValidationError as exc:
        problems += [f"/{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    _unknown(body, ChatRequest, "", problems)
    for i, message in enumerate(body.get("messages") or []):
        _unknown(message, Message, f"/messages/{i}", problems)
        for j, call in enumerate(
            message.get("tool_calls") or [] if isinstance(message, dict) else []
        ):
            _unknown(call, Message.ToolCall, f"/messages/{i}/tool_calls/{j}", problems)
            function = call.get("function") if isinstance(call, dict) else None
            _unknown(
                function,
                Message.ToolCall.Function,
                f"/messages/{i}/tool_calls/{j}/function",
                problems,
            )
    for i, tool in enumerate(body.get("tools") or []):
        _unknown(tool, Tool, f"/tools/{i}", problems)
        _unknown(
            tool.get("function") if isinstance(tool, dict) else None,
            Tool.Function,
            f"/tools/{i}/function",
            problems,
        )
    return [p for p in problems if not _newer(p)]


def _newer(problem: str) -> bool:
    return NEWER_THAN_SDK.match(problem) is not None


def _summary_of(text: str, thinking: str, calls: list[Any], last: ChatResponse | None) -> Summary:
    done = last.done_reason if last is not None else None
    counts = (last.prompt_eval_count, last.eval_count) if last is not None else (None, None)
    return (
        text or None,
        thinking or None,
        [(c.function.name, dict(c.function.arguments)) for c in calls],
        done or None,
        counts,
    )


def sdk_parse(body: bytes) -> Summary:
    """A non-streamed answer as ``Client.chat(stream=False)`` returns it."""
    parsed = ChatResponse(**json.loads(body))
    message = parsed.message
    return _summary_of(
        message.content or "", message.thinking or "", list(message.tool_calls or []), parsed
    )


def sdk_stream(body: bytes) -> Summary:
    """A streamed answer as ``Client.chat(stream=True)`` yields it, gathered."""
    text, thinking, calls, last = "", "", [], None
    for line in body.decode("utf-8").splitlines():
        if not line.strip():
            continue
        part = json.loads(line)
        if err := part.get("error"):
            raise ResponseError(err)
        chunk = ChatResponse(**part)
        text += chunk.message.content or ""
        thinking += chunk.message.thinking or ""
        calls.extend(chunk.message.tool_calls or [])
        if chunk.done:
            last = chunk
    return _summary_of(text, thinking, calls, last)


def sdk_error(status: int, body: bytes) -> ResponseError:
    """The ``ResponseError`` the client raises for a non-2xx answer (``_request_raw``)."""
    return ResponseError(body.decode("utf-8"), status)


def summary(response: Response) -> Summary:
    """fctest's decoded response, reduced the same way."""
    thinking = "".join(
        str(p.data.get("thinking", "")) for p in response.opaque if p.provider == "ollama"
    )
    counts = (
        (response.usage.input_tokens, response.usage.output_tokens)
        if response.usage is not None
        else (None, None)
    )
    return (
        response.text,
        thinking or None,
        [(c.name, c.arguments) for c in response.tool_calls],
        response.raw_finish_reason,
        counts,
    )
