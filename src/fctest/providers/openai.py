"""OpenAI Chat Completions (``openai``), and the base the OpenAI-compatible vendors reuse.

Wire docs: https://platform.openai.com/docs/api-reference/chat/create (request, response, the
``chat.completion.chunk`` stream), the function-calling and Structured Outputs guides, and the
machine-readable contract openai/openai-openapi ``openapi.yaml`` (CreateChatCompletionRequest,
FunctionObject, ChatCompletionToolChoiceOption, ParallelToolCalls, ChatCompletionMessageToolCall
and its Chunk form, ChatCompletionRequestToolMessage, ErrorResponse). Facts and checks are
catalogued in ``shared/provider-dialects.md`` (C01-C40); each rule below names its check.

What lives here: the Chat profile, the adapter (request body, response, errors) and the stream
decoder, each with small hooks (``url``, ``headers``, ``describe_error``, class settings) that
``azure``, ``xai``, ``openrouter`` and ``groq`` override. What the Responses adapter shares with
this one (errors, usage, strict dialect, parallel rule) is in ``_openai_common``. The inverse
(``encode_response``/``encode_stream``/``encode_error``/``assistant_turns``) is written in
``_openai_encode``; the adapter only wires it up, with hooks (``completion_body``,
``encode_chunks``, ``stream_preamble``, ``error_body``) for the vendors' quirks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from .._events import StreamEvent
from .._exceptions import ProtocolError, ProviderError, UsageError
from .._messages import Message, OutputSchema, Request, Response, ToolCall, Usage
from .._sse import SSEDecoder, SSEEvent
from .._types import FinishReason, JSONObject
from .._wire import HttpRequest, HttpResponse
from ..dialect import FittedSchema, FittedTool, IdMapper, IdRule, Profile
from ._assembly import ResponseAssembler, make_call
from ._openai_common import (
    STRICT_KEYWORDS,
    STRICT_SOURCES,
    OpenAIDialectAdapter,
    OpenAIStrictTransformer,
    error_message,
    in_band_error,
    parse_error,
    parse_usage,
    tool_result_text,
)
from ._openai_encode import (
    DONE,
    WireCall,
    chat_chunks,
    chat_completion,
    count_chat_turns,
    error_response,
    openai_error,
    sse_data,
    wire_calls,
)

__all__ = ["OPENAI_PROFILE", "ChatStreamDecoder", "OpenAIAdapter"]

_SPEC = "openai-openapi openapi.yaml"

OPENAI_PROFILE = Profile(
    tool_name_pattern=r"^[a-zA-Z0-9_-]{1,64}$",
    tool_name_max_length=64,
    max_tools=128,
    description_max_length=1024,
    transformer=OpenAIStrictTransformer,
    strict_keywords=STRICT_KEYWORDS,
    strict_mode="per_tool",
    strict_default=False,
    structured_output="native",
    argument_encoding="json_string",
    streams_arguments=True,
    requires_parameters=False,
    id_rule=IdRule(r"^.{1,40}$", max_length=40),
    max_tokens_field="max_completion_tokens",
    stream_usage_option=True,
    retry_headers=("retry-after-ms", "retry-after"),
    base_url="https://api.openai.com/v1",
    env={"api_key": ("OPENAI_API_KEY",), "base_url": ("OPENAI_BASE_URL",)},
    sources={
        "tool_name_pattern": f"{_SPEC} FunctionObject.name; server 400 invalid_value [I12] (C01)",
        "tool_name_max_length": f"{_SPEC} FunctionObject.name 'maximum length of 64' (C04)",
        "max_tools": f"{_SPEC} @c880fa1 (2024-10) 'A max of 128 functions'; gone from the "
        "current spec, still the documented cap elsewhere (C06)",
        "description_max_length": "400 string_above_max_length on tools[].function.description, "
        "2024-11..2025-04 [I14] (C05); current status unconfirmed, so descriptions are cut "
        "and the change recorded",
        "keywords": f"{_SPEC} FunctionParameters: any JSON Schema object in non-strict mode",
        "tool_choice": f"{_SPEC} ChatCompletionToolChoiceOption, ChatCompletionNamedToolChoice",
        "parallel_call_control": f"{_SPEC} ParallelToolCalls (C27)",
        "strict_mode": f"{_SPEC} FunctionObject.strict (C18)",
        "strict_default": f"{_SPEC} FunctionObject.strict 'Defaults to false' (C18)",
        "structured_output": f"{_SPEC} ResponseFormatJsonSchema",
        "argument_encoding": f"{_SPEC} ChatCompletionMessageToolCall.function.arguments (C28)",
        "streams_arguments": "ChatCompletionMessageToolCallChunk; openai-python inline "
        "snapshot of a tool-call stream [S-OPY-SNAP] (C38)",
        "requires_parameters": f"{_SPEC} FunctionObject: parameters optional (C07)",
        "id_rule": "400 string_above_max_length \"Invalid 'messages[N].tool_calls"
        "[0].id': string too long. Expected a string with maximum length 40\" (agno-agi/agno "
        "#5382, microsoft/autogen #6377; also Azure: Portkey-AI/gateway #1062) (C29)",
        "max_tokens_field": f"{_SPEC} CreateChatCompletionRequest: max_tokens is deprecated "
        "in favour of max_completion_tokens",
        "stream_usage_option": f"{_SPEC} ChatCompletionStreamOptions.include_usage",
        "retry_headers": "openai-python _base_client.py reads retry-after-ms, then retry-after",
        "env": "openai-python _client.py: OPENAI_API_KEY, OPENAI_BASE_URL",
        **STRICT_SOURCES,
    },
)

# Neutral finish reasons (C37). `function_call` is the deprecated single-function form.
# OpenRouter normalises to these plus `error` ([S-OR-FIN]).
_FINISH: Mapping[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


class OpenAIAdapter(OpenAIDialectAdapter):
    """Chat Completions. Vendors subclass it and change the class settings and hooks below."""

    name = "openai"
    profile = OPENAI_PROFILE
    path: ClassVar[str] = "/chat/completions"

    # --- hooks for vendors ----------------------------------------------------------------
    def describe_error(self, error: Mapping[str, Any]) -> str:
        """An error's message from its ``error`` object (OpenRouter adds the upstream's)."""
        return error_message(error)

    # --- requests -------------------------------------------------------------------------
    def build_body(self, request: Request) -> JSONObject:
        """The JSON body (``CompletionCreateParams``) for ``request``."""
        if request.thinking_budget is not None:
            raise UsageError(
                f"{self.name}: Chat Completions has no thinking token budget; pass "
                "extra_body={'reasoning_effort': 'low'|'medium'|'high'} instead"
            )
        fitting = self.fit(request)
        names = fitting.names
        profile = self.profile
        body: JSONObject = {
            "model": request.model,
            "messages": _map_messages(request.messages, names, IdMapper(profile.id_rule)),
        }
        body.update(self.tool_fields(request, fitting.tools, names, _map_tool))
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.max_output_tokens is not None:
            body[profile.max_tokens_field] = request.max_output_tokens
        if fitting.output is not None and request.output is not None:
            body["response_format"] = _map_output(request.output, fitting.output)
        if request.stream:
            body["stream"] = True
            if profile.stream_usage_option:
                body["stream_options"] = {"include_usage": True}
        if request.extra_body:
            body.update(request.extra_body)
        return body

    def named_tool_choice(self, wire_name: str) -> JSONObject:
        """The nested form (openapi ChatCompletionNamedToolChoice; flat on Responses, C24)."""
        return {"type": "function", "function": {"name": wire_name}}

    # --- responses ------------------------------------------------------------------------
    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        if not response.ok:
            raise self.parse_error(response)
        data = self.json_body(response)
        if not isinstance(data, dict):
            raise ProtocolError(
                self.name, "expected a JSON object", status=response.status, body=response.text()
            )
        if data.get("error"):
            # An error reported under HTTP 200 (OpenRouter; C39).
            raise in_band_error(
                self.name,
                data["error"],
                body=response.text(),
                headers=response.headers,
                describe=self.describe_error,
            )
        restore = self.restorer(request)
        choices = data.get("choices") or ()
        choice = choices[0] if choices and isinstance(choices[0], dict) else {}
        # Azure content-filter answers can carry a choice without a message (testing-notes).
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
            provider=self.name,
            model=data.get("model") or "",
            text=text,
            tool_calls=tuple(calls),
            finish_reason=_parse_finish(raw, bool(calls)),
            raw_finish_reason=raw,
            usage=self.parse_usage(data),
            id=data.get("id"),
        )

    def parse_usage(self, data: JSONObject) -> Usage | None:
        """Usage from a response body or a stream chunk (Groq: also ``x_groq.usage``)."""
        return parse_usage(data.get("usage"))

    def parse_error(self, response: HttpResponse) -> ProviderError:
        return parse_error(self.name, response, describe=self.describe_error)

    def stream_decoder(self, request: Request | None = None) -> ChatStreamDecoder:
        return ChatStreamDecoder(self, self.restorer(request))

    # --- the inverse: what the provider would answer (``_openai_encode``) --------------------
    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        body = self.completion_body(response, wire_calls(self.fitting(request), response))
        return HttpResponse(200, {"content-type": "application/json"}, self.encode_json(body))

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        chunks = self.encode_chunks(response, request, fragment_size)
        return [*self.stream_preamble(), *(sse_data(c) for c in chunks), DONE]

    def completion_body(self, response: Response, calls: list[WireCall]) -> JSONObject:
        """The ``chat.completion`` body (Groq adds ``x_groq``)."""
        return chat_completion(response, calls)

    def encode_chunks(
        self, response: Response, request: Request | None, fragment_size: int
    ) -> list[JSONObject]:
        """The stream's chunks. Calls arrive whole where the profile says arguments are not
        streamed (Groq, xAI: provider-dialects.md table 10, C38); usage comes last when the
        request asked for it (Groq moves it, see its module)."""
        return chat_chunks(
            response,
            wire_calls(self.fitting(request), response),
            fragment_size=fragment_size,
            whole_calls=not self.profile.streams_arguments,
            include_usage=self.asks_stream_usage(request),
        )

    def asks_stream_usage(self, request: Request | None) -> bool:
        """Whether ``request``, as this adapter sends it, asks for a usage chunk: its own
        ``stream_options`` in ``extra_body`` if any, else the profile's ``stream_usage_option``."""
        extra = request.extra_body if request is not None else None
        options = extra.get("stream_options") if extra else None
        if isinstance(options, dict):
            return bool(options.get("include_usage"))
        return self.profile.stream_usage_option

    def stream_preamble(self) -> list[bytes]:
        """Events sent before the first chunk (OpenRouter's processing comments)."""
        return []

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        return error_response(
            status,
            self.error_body(status, message),
            retry_after=retry_after,
            retry_headers=self.profile.retry_headers,
        )

    def error_body(self, status: int, message: str) -> JSONObject:
        """This provider's error body for ``status`` (vendors override the shape)."""
        return openai_error(status, message)

    def assistant_turns(self, request: HttpRequest) -> int:
        return count_chat_turns(self.name, request)


class ChatStreamDecoder:
    """Feeds ``chat.completion.chunk`` SSE events into a ``ResponseAssembler``.

    Fragments of a call are joined by ``index`` (only the first carries id and name; later
    ones may repeat them, which is ignored); a call may also arrive whole in one chunk (Groq,
    xAI); chunks without ``index`` (Mistral style) are keyed by id. ``data: [DONE]`` ends the
    stream; comments are dropped by the SSE layer; an ``error`` (``event: error`` or an
    ``error`` key in a chunk) raises the matching ``ProviderError`` (C38, C39).
    """

    __slots__ = ("_adapter", "_asm", "_done", "_open", "_sse")

    def __init__(
        self, adapter: OpenAIAdapter, restore: Callable[[ToolCall], ToolCall] | None = None
    ) -> None:
        self._adapter = adapter
        self._asm = ResponseAssembler(adapter.name, restore=restore)
        self._sse = SSEDecoder()
        self._done = False
        self._open: list[Any] = []  # keys of calls started and not yet finished

    def feed(self, data: bytes) -> list[StreamEvent]:
        for event in self._sse.feed(data):
            self._event(event)
        return self._asm.drain()

    def close(self) -> Response:
        for event in self._sse.close():
            self._event(event)
        return self._asm.build()

    def _event(self, event: SSEEvent) -> None:
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


# --- to the wire ------------------------------------------------------------------------------


def _map_output(output: OutputSchema, fitted: FittedSchema) -> JSONObject:
    """``response_format`` json_schema (openapi ResponseFormatJsonSchema); a strict schema
    gets the same strict fitting as a strict tool."""
    spec: JSONObject = {"name": fitted.name, "schema": fitted.schema, "strict": output.strict}
    if output.description:
        spec["description"] = output.description
    return {"type": "json_schema", "json_schema": spec}


def _map_tool(f: FittedTool) -> JSONObject:
    """``{"type":"function","function":{name, description, parameters, strict}}``; ``strict``
    is always sent so the provider's default never decides (C18)."""
    function: JSONObject = {"name": f.name}
    if f.description:
        function["description"] = f.description
    function["parameters"] = f.parameters
    function["strict"] = f.strict
    return {"type": "function", "function": function}


def _map_messages(
    messages: tuple[Message, ...], names: Mapping[str, str], ids: IdMapper
) -> list[JSONObject]:
    """History: one ``tool`` message per result, each carrying its call's id (C32, C36);
    replayed calls keep the model's own argument text; ids another provider made that this
    one would reject get the same new form in the call and in its result (C29)."""
    out: list[JSONObject] = []
    for m in messages:
        if m.role == "tool":
            out.extend(
                {
                    "role": "tool",
                    "tool_call_id": ids.lookup(r.call_id),
                    "content": tool_result_text(r),
                }
                for r in m.tool_results
            )
        elif m.role == "assistant":
            msg: JSONObject = {"role": "assistant"}
            if m.text is not None:
                msg["content"] = m.text
            if m.tool_calls:
                msg["tool_calls"] = [_map_call(c, names, ids) for c in m.tool_calls]
            elif m.text is None:
                msg["content"] = ""
            out.append(msg)
        else:
            out.append({"role": m.role, "content": m.text})
    return out


def _map_call(call: ToolCall, names: Mapping[str, str], ids: IdMapper) -> JSONObject:
    arguments = call.raw_arguments
    if arguments is None:
        arguments = json.dumps(call.arguments, ensure_ascii=False, separators=(",", ":"))
    return {
        "id": ids.assign(call.id),
        "type": "function",
        "function": {"name": names.get(call.name, call.name), "arguments": arguments},
    }


# --- from the wire ----------------------------------------------------------------------------


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
    mean the model called a tool (C37)."""
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
