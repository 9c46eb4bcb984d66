"""The official ``google-genai`` package as the oracle for the Gemini adapter.

Requests: google-genai's request types are pydantic models whose fields have camelCase aliases
(``_common.BaseModel``: ``alias_generator=to_camel``, ``extra="forbid"``), so the REST body's
parts validate directly and an unknown key is an error. Responses: parsed the way the SDK's
client does (``_GenerateContentResponse_from_mldev`` then ``GenerateContentResponse.
_from_response``, which tolerates fields newer than the types); streams are split by the SDK's own
SSE reader (``_api_client.HttpResponse.segments``) and parsed chunk by chunk, as
``Models.generate_content_stream`` does. Both sides are reduced to the fields fctest decodes.
"""

from __future__ import annotations

import base64
import json
from functools import cache
from typing import Any

import httpx
from google.genai import _api_client, errors, models, types
from pydantic import TypeAdapter, ValidationError

from fctest import Response

__all__ = ["request_problems", "sdk_error", "sdk_parse", "sdk_stream", "summary"]

# GenerateContentRequest fields -> the SDK type for each (models._GenerateContentParameters_to_mldev
# writes these keys).
_REQUEST_FIELDS: dict[str, Any] = {
    "contents": list[types.Content],
    "systemInstruction": types.Content,
    "tools": list[types.Tool],
    "toolConfig": types.ToolConfig,
    "generationConfig": types.GenerationConfig,
    "safetySettings": list[types.SafetySetting],
    "cachedContent": str,
}

Call = tuple[str | None, str, Any, bytes | None]
Summary = tuple[str | None, list[Call], str | None, tuple[int, int] | None]


@cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def request_problems(body: dict[str, Any]) -> list[str]:
    """Every way a generateContent body fails google-genai's types (unknown keys included)."""
    problems: list[str] = []
    for key, value in body.items():
        tp = _REQUEST_FIELDS.get(key)
        if tp is None:
            problems.append(f"/{key}: not a GenerateContentRequest field")
            continue
        try:
            _adapter(tp).validate_python(value)
        except ValidationError as exc:
            problems += [
                f"/{key}/{'/'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            ]
    for i, content in enumerate(body.get("contents", ())):
        if content.get("role") not in ("user", "model"):
            problems.append(f"/contents/{i}/role: {content.get('role')!r} is not user/model")
    return problems


def summary(response: Response) -> Summary:
    """(text, [(provider id or None, name, args, signature bytes)], raw finish, usage)."""
    calls: list[Call] = []
    for c in response.tool_calls:
        data = c.opaque.data if c.opaque is not None else {}
        signature = data.get("thoughtSignature")
        calls.append(
            (
                None if data.get("generatedId") else c.id,
                c.name,
                c.raw_arguments if c.malformed else c.arguments,
                base64.b64decode(signature) if signature else None,
            )
        )
    usage = response.usage
    return (
        response.text or None,
        calls,
        response.raw_finish_reason,
        (usage.input_tokens or 0, usage.output_tokens or 0) if usage is not None else None,
    )


def _usage(meta: Any) -> tuple[int, int] | None:
    if meta is None:
        return None
    return (
        (meta.prompt_token_count or 0) + (meta.tool_use_prompt_token_count or 0),
        (meta.candidates_token_count or 0) + (meta.thoughts_token_count or 0),
    )


def _parse_chunk(value: dict[str, Any], *, vertex: bool) -> types.GenerateContentResponse:
    convert = (
        models._GenerateContentResponse_from_vertex
        if vertex
        else models._GenerateContentResponse_from_mldev
    )
    return types.GenerateContentResponse._from_response(response=convert(value), kwargs={})


def _chunk_parts(resp: types.GenerateContentResponse) -> tuple[str, list[Call], str | None]:
    text = ""
    calls: list[Call] = []
    finish = None
    if resp.candidates:
        cand = resp.candidates[0]
        finish = cand.finish_reason.value if cand.finish_reason is not None else None
        for part in (cand.content.parts if cand.content else None) or ():
            if part.function_call is not None:
                fc = part.function_call
                calls.append((fc.id, fc.name or "", fc.args or {}, part.thought_signature))
            elif isinstance(part.text, str) and not part.thought:
                text += part.text
    elif resp.prompt_feedback is not None and resp.prompt_feedback.block_reason is not None:
        finish = resp.prompt_feedback.block_reason.value
    return text, calls, finish


def sdk_parse(body: bytes, *, vertex: bool = False) -> Summary:
    """What google-genai's client makes of a non-streamed body."""
    resp = _parse_chunk(json.loads(body), vertex=vertex)
    text, calls, finish = _chunk_parts(resp)
    return text or None, calls, finish, _usage(resp.usage_metadata)


def sdk_stream(body: bytes, *, vertex: bool = False) -> Summary:
    """What google-genai's client makes of an SSE body, chunk by chunk, accumulated."""
    stream = _api_client.HttpResponse(headers={}, response_stream=httpx.Response(200, content=body))
    text = ""
    calls: list[Call] = []
    finish = None
    usage = None
    for segment in stream.segments():
        if "error" in segment:  # what BaseApiClient.request_streamed raises
            errors.APIError.raise_error(segment["error"].get("code"), segment, None)
        resp = _parse_chunk(segment, vertex=vertex)
        t, c, f = _chunk_parts(resp)
        text += t
        calls += c
        finish = f or finish
        usage = _usage(resp.usage_metadata) or usage
    return text or None, calls, finish, usage


def sdk_error(status: int, body: bytes) -> errors.APIError:
    """The exception google-genai raises for an error response (``errors.APIError``)."""
    try:
        value: Any = json.loads(body)
    except ValueError:
        value = {"message": body.decode("utf-8", "replace"), "status": None}
    try:
        errors.APIError.raise_error(status, value, None)
    except errors.APIError as exc:
        return exc
    raise AssertionError("google-genai raised nothing")  # pragma: no cover
