"""OpenAI Responses API: ``POST {base}/responses`` (registered as ``openai-responses``).

Wire docs: https://platform.openai.com/docs/api-reference/responses/create (request and
``Response`` object), https://platform.openai.com/docs/api-reference/responses-streaming (typed
SSE events), https://platform.openai.com/docs/guides/function-calling. Facts below were checked
against openai-python 3.54 ``types/responses/`` (``response_create_params.py``,
``function_tool_param.py``, ``response_function_tool_call.py``, ``easy_input_message_param.py``,
``response_input_item_param.py``, ``response.py``) and ``lib/streaming/responses/_responses.py``,
and against the recorded traffic in the shared corpus (provider-dialects.md sections 2-13).

How it differs from Chat Completions (``fctest.providers.openai``):

- tools are flat, ``{"type": "function", "name", "description", "parameters", "strict"}``, and
  ``tool_choice`` names one as ``{"type": "function", "name"}`` (C24);
- the conversation is a list of *items*: messages, ``function_call`` items and
  ``function_call_output`` items. A ``function_call`` has an item ``id`` (``fc_...``) **and** a
  ``call_id`` (``call_...``); results refer to ``call_id`` (C31), so ``call_id`` becomes the
  neutral ``ToolCall.id`` and the ``fc_`` id is kept opaque;
- reasoning models return ``reasoning`` items that must go back with the item that followed
  them, ids included. A replay of a reasoning item followed by an id-less assistant message was
  answered 400 "Item 'rs_...' of type 'reasoning' was provided without its required following
  item" (corpus: pydantic-ai ``test_openai_responses_thinking_with_modified_history.yaml``). So
  a decoded ``Response.opaque`` holds every output item, in order, and the history encoder
  replays that sequence (see ``_map_assistant``);
- there is no finish reason: it comes from ``status``, ``incomplete_details.reason`` and
  whether ``function_call`` items are present (C37);
- streams are typed events keyed by ``item_id``/``output_index``; a ``.done`` event carries the
  whole arguments and wins over the fragments (C38c); errors arrive as ``error`` events or a
  ``response.failed`` event under HTTP 200 (C39).

The URL and auth are built by two overridable methods (``url``, ``headers``) so that Azure's
Responses route (``{endpoint}/openai/responses?api-version=...`` or ``/openai/v1/responses``)
and xAI's ``/v1/responses`` reuse this adapter unchanged otherwise. Nothing here does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar, Final

from .._events import StreamEvent
from .._exceptions import ProtocolError, ProviderError, UsageError
from .._messages import Message, OutputSchema, ProviderPart, Request, Response, ToolCall
from .._sse import SSEDecoder, SSEEvent
from .._types import FinishReason, JSONObject
from .._wire import HttpRequest, HttpResponse
from ..dialect import FittedSchema, FittedTool, IdMapper, IdRule, Profile
from ._assembly import ResponseAssembler, make_call
from ._openai_common import (
    OpenAIDialectAdapter,
    in_band_error,
    parse_error,
    parse_usage,
    tool_result_text,
)
from ._openai_encode import error_response, openai_error, wire_calls
from ._responses_encode import (
    ECHOED,
    count_input_turns,
    response_events,
    response_object,
    sse_event,
)
from .openai import OPENAI_PROFILE

__all__ = ["RESPONSES_PROFILE", "OpenAIResponsesAdapter", "ResponsesStreamDecoder"]

_SPEC = "openai-openapi openapi.yaml"

RESPONSES_PROFILE: Final = OPENAI_PROFILE.evolve(
    description_max_length=None,
    id_rule=IdRule(r"^[a-zA-Z0-9_-]{1,64}$", max_length=64),
    max_tokens_field="max_output_tokens",
    stream_usage_option=False,
    sources={
        "max_tokens_field": f"{_SPEC} CreateResponse.max_output_tokens",
        "stream_usage_option": "the response.completed event carries usage (openai-python "
        "types/responses/response_completed_event.py)",
        "id_rule": (
            f"{_SPEC} FunctionCallOutputItemParam.call_id: 1-64 characters; no character set "
            "is documented, so fctest keeps OpenAI's own [a-zA-Z0-9_-] and remaps any other "
            "id deterministically, a call and its result alike (C29)"
        ),
        "tool_name_pattern": (
            "no pattern on the plain Responses FunctionTool in the spec (unconfirmed, "
            "provider-dialects.md §3); the Chat rule (FunctionObject.name, enforced per [I12]) "
            "is kept so one tool set is valid on both OpenAI APIs (C01)"
        ),
        "tool_name_max_length": "as tool_name_pattern; 64 is the portable maximum (C04)",
        "max_tools": "not documented for Responses (unconfirmed); Chat's documented 128 (C06)",
        "description_max_length": (
            "no limit documented for Responses (unconfirmed, provider-dialects.md §3); the "
            "1024 cut seen on Chat [I14] is not applied"
        ),
        "tool_choice": f"{_SPEC} ToolChoiceOptions and the flat ToolChoiceFunction (C24)",
        "strict_mode": f"{_SPEC} FunctionTool.strict (C18)",
        "strict_default": (
            f"{_SPEC} FunctionToolParam (2026-07): an unmarked tool is 'strict if compatible'; "
            "fctest never relies on that and always sends strict explicitly, false unless the "
            "tool asks for strict, as on Chat (C18)"
        ),
        "structured_output": f"{_SPEC} TextResponseFormatJsonSchema (text.format, flat)",
        "argument_encoding": f"{_SPEC} FunctionToolCall.arguments, a JSON string (C28)",
        "streams_arguments": (
            f"{_SPEC} ResponseFunctionCallArgumentsDeltaEvent/DoneEvent (C38c); corpus "
            "vercel/ai azure-tool-call.1.chunks.txt"
        ),
        "requires_parameters": (
            "openai-python function_tool_param.py: parameters Required[Optional[...]]; "
            "fctest always sends an object schema"
        ),
    },
)
"""Chat's profile (``fctest.providers.openai``) with what differs on Responses."""

# incomplete_details.reason (openai-python types/responses/response.py IncompleteDetails).
_INCOMPLETE: Final[Mapping[str, FinishReason]] = {
    "max_output_tokens": "length",
    "content_filter": "content_filter",
}


class OpenAIResponsesAdapter(OpenAIDialectAdapter):
    """Sans-I/O adapter for ``POST /v1/responses``.

    Subclasses (Azure's Responses route, xAI) override ``url``/``headers`` and the class
    settings; request bodies, decoding and streams are shared.
    """

    name: ClassVar[str] = "openai-responses"
    profile: ClassVar[Profile] = RESPONSES_PROFILE
    path: ClassVar[str] = "/responses"

    # --- requests ----------------------------------------------------------------------------
    def build_body(self, request: Request) -> JSONObject:
        """The JSON body (``ResponseCreateParams``) for ``request``; same request, same bytes."""
        if request.thinking_budget is not None:
            raise UsageError(
                f"{self.name}: thinking_budget (a token budget) has no Responses equivalent; "
                "OpenAI takes an effort level: pass "
                "extra_body={'reasoning': {'effort': 'low'|'medium'|'high'}} instead"
            )
        fitting = self.fit(request)
        names = fitting.names
        body: JSONObject = {
            "model": request.model,
            "input": self._map_input(request.messages, names),
        }
        body.update(self.tool_fields(request, fitting.tools, names, _map_tool))
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.max_output_tokens is not None:
            body[self.profile.max_tokens_field] = request.max_output_tokens
        if fitting.output is not None and request.output is not None:
            body["text"] = {"format": _map_output(request.output, fitting.output)}
        if request.stream:
            body["stream"] = True
        if request.extra_body:
            body.update(request.extra_body)
        return body

    def named_tool_choice(self, wire_name: str) -> JSONObject:
        """The flat form (openapi ToolChoiceFunction; nested on Chat, C24)."""
        return {"type": "function", "name": wire_name}

    def _map_input(self, messages: Sequence[Message], names: Mapping[str, str]) -> list[JSONObject]:
        ids = IdMapper(self.profile.id_rule)
        items: list[JSONObject] = []
        for m in messages:
            if m.role == "assistant":
                items.extend(self._map_assistant(m, names, ids))
            elif m.role == "tool":
                # One function_call_output item per result, linked by call_id, never by the
                # fc_ item id (C31); the output is a string (FunctionCallOutputItemParam; C36).
                items.extend(
                    {
                        "type": "function_call_output",
                        "call_id": ids.lookup(r.call_id),
                        "output": tool_result_text(r),
                    }
                    for r in m.tool_results
                )
            else:
                # EasyInputMessage, role user|assistant|system|developer with string content
                # (openai-python easy_input_message_param.py). A system message stays an item
                # in place rather than going to ``instructions``: several system messages, and
                # where they stand in the conversation, survive.
                items.append({"role": m.role, "content": m.text})
        return items

    def _map_assistant(
        self, m: Message, names: Mapping[str, str], ids: IdMapper
    ) -> list[JSONObject]:
        """An assistant turn as input items.

        When the turn came from this adapter, ``m.opaque`` holds its output items in order and
        they are replayed in that order: reasoning (and any other) items untouched, message
        items with their ids while ``m.text`` is still their text, and ``function_call`` items
        rebuilt from ``m.tool_calls`` with their ``fc_`` ids. A reasoning item needs the item
        that followed it, id included (module docstring). Text or calls the recorded items do
        not account for (history edited by hand, or from another provider) go as a plain
        assistant message first and id-less ``function_call`` items last.
        """
        recorded = [p.data for p in m.opaque if p.provider == self.name]
        pending = {c.id: c for c in m.tool_calls}
        items: list[JSONObject] = []
        text_sent = not m.text
        if recorded:
            message_items = [d for d in recorded if d.get("type") == "message"]
            replay_messages = bool(message_items) and _message_text(message_items) == m.text
            text_sent = text_sent or replay_messages
            for data in recorded:
                kind = data.get("type")
                if kind == "function_call":
                    call_id = data.get("call_id")
                    call = pending.pop(call_id, None) if isinstance(call_id, str) else None
                    if call is not None:
                        item_id = data.get("id")
                        fc_id = item_id if isinstance(item_id, str) else None
                        items.append(_map_call(call, names, ids, fc_id))
                elif kind == "message":
                    if replay_messages:
                        items.append(data)
                else:
                    items.append(data)
        if not text_sent:
            items.insert(0, {"role": "assistant", "content": m.text})
        items.extend(_map_call(c, names, ids, None) for c in pending.values())
        return items

    # --- responses ---------------------------------------------------------------------------
    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        if not response.ok:
            raise self.parse_error(response)
        data = self.json_body(response)
        if not isinstance(data, dict):
            raise ProtocolError(
                self.name,
                f"expected a Response object, got {type(data).__name__}",
                status=response.status,
                body=response.text(),
            )
        return self.decode(data, request, body=response.text, headers=response.headers)

    def decode(
        self,
        data: JSONObject,
        request: Request | None = None,
        *,
        body: str | Callable[[], str] = "",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """A parsed ``Response`` object (a 2xx body, or a stream's final snapshot).

        ``body`` (the text, or a callable giving it) is only read to fill an error.
        """
        status = data.get("status")
        if status == "failed" or (status is None and isinstance(data.get("error"), dict)):
            # A failed response, or an error envelope sent with a 2xx status.
            raise self._failed(data, body if isinstance(body, str) else body(), headers)
        restore = self.restorer(request)
        output = data.get("output")
        items = [i for i in output if isinstance(i, dict)] if isinstance(output, list) else []
        calls: list[ToolCall] = []
        texts: list[str] = []
        cut = _is_cut(data)
        for item in items:
            kind = item.get("type")
            if kind == "function_call":
                call = self._parse_call(item, cut=cut and item.get("status") != "completed")
                calls.append(restore(call) if restore is not None else call)
            elif kind == "message":
                texts.extend(_output_texts(item))
        reason, raw = _finish_reason(data, bool(calls))
        return Response(
            provider=self.name,
            model=_str(data.get("model")),
            text="".join(texts) if texts else None,
            tool_calls=tuple(calls),
            finish_reason=reason,
            raw_finish_reason=raw,
            usage=parse_usage(data.get("usage")),
            id=data.get("id") if isinstance(data.get("id"), str) else None,
            opaque=tuple(ProviderPart(self.name, i) for i in items),
        )

    def _parse_call(self, item: JSONObject, *, cut: bool) -> ToolCall:
        """A ``function_call`` item: ``call_id`` is the neutral id (results refer to it, C31);
        the ``fc_`` item id is kept opaque. A call cut off by ``max_output_tokens`` is not
        parsed (C37): its text is kept and it is marked malformed."""
        item_id = item.get("id")
        call_id = item.get("call_id") or item_id
        opaque = ProviderPart(self.name, {"id": item_id}) if isinstance(item_id, str) else None
        arguments = item.get("arguments")
        if cut:
            raw = arguments if isinstance(arguments, str) else None
            return ToolCall(_str(call_id), _str(item.get("name")), {}, raw, True, opaque)
        return make_call(_str(call_id), _str(item.get("name")), arguments, opaque)

    def _failed(
        self, data: JSONObject, body: str, headers: Mapping[str, str] | None
    ) -> ProviderError:
        """``status: "failed"``: the ``error`` object says why (openai-python ResponseError)."""
        error = data.get("error")
        if not isinstance(error, dict):
            error = {"message": "the response failed without an error object"}
        return in_band_error(self.name, error, body=body, headers=headers)

    def parse_error(self, response: HttpResponse) -> ProviderError:
        """Same envelope as Chat Completions: ``{"error": {message, type, param, code}}``."""
        return parse_error(self.name, response)

    def stream_decoder(self, request: Request | None = None) -> ResponsesStreamDecoder:
        return ResponsesStreamDecoder(self, request)

    # --- the inverse: what the API would answer (``_responses_encode``) ----------------------
    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        calls = wire_calls(self.fitting(request), response)
        body = response_object(self.name, response, calls, self._echo(request))
        return HttpResponse(200, {"content-type": "application/json"}, self.encode_json(body))

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        calls = wire_calls(self.fitting(request), response)
        events = response_events(
            self.name, response, calls, self._echo(request), fragment_size=fragment_size
        )
        return [sse_event(e) for e in events]

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        """The Chat envelope, with ``retry-after-ms`` as OpenAI sends it."""
        return error_response(
            status,
            openai_error(status, message),
            retry_after=retry_after,
            retry_headers=self.profile.retry_headers,
        )

    def assistant_turns(self, request: HttpRequest) -> int:
        return count_input_turns(self.name, request)

    def _echo(self, request: Request | None) -> JSONObject:
        """The request settings a ``response`` object repeats (``ECHOED``)."""
        if request is None:
            return {}
        body = self.build_body(request)
        return {k: body[k] for k in ECHOED if k in body}


class ResponsesStreamDecoder:
    """Decodes a Responses SSE stream (``"stream": true``) fed in pieces of any size.

    Events used (openai-openapi ResponseStreamEvent; openai-python ``ResponseStreamState``):
    ``response.created``/``in_progress`` (id, model), ``response.output_item.added`` (a call
    starts: its ``call_id`` and name), ``response.function_call_arguments.delta`` (fragments,
    keyed by ``item_id``), ``response.function_call_arguments.done`` and
    ``response.output_item.done`` (the whole arguments: they replace the fragments, C38c),
    ``response.output_text.delta``/``.done``, then ``response.completed`` or
    ``response.incomplete`` (status, usage, the final output). ``error`` events and
    ``response.failed`` raise the matching ``ProviderError`` (C39). Anything else (reasoning
    summaries, content-part bookkeeping) is skipped.
    """

    __slots__ = (
        "_adapter",
        "_asm",
        "_closed",
        "_cut",
        "_done_items",
        "_finished",
        "_keys",
        "_provider",
        "_sse",
        "_started",
        "_text_parts",
    )

    def __init__(self, adapter: OpenAIResponsesAdapter, request: Request | None = None) -> None:
        self._adapter = adapter
        self._provider = adapter.name
        self._sse = SSEDecoder()
        self._asm = ResponseAssembler(adapter.name, restore=adapter.restorer(request))
        self._keys: dict[Any, Hashable] = {}  # output_index -> assembler key
        self._started: dict[Hashable, str] = {}  # assembler key -> call id
        self._finished: set[Hashable] = set()
        self._done_items: dict[int, JSONObject] = {}
        self._text_parts: set[tuple[Any, Any]] = set()
        self._cut: set[str] = set()
        self._closed = False

    def feed(self, data: bytes) -> list[StreamEvent]:
        for event in self._sse.feed(data):
            self._handle(event)
        return self._asm.drain()

    def close(self) -> Response:
        for event in self._sse.close():
            self._handle(event)
        response = self._asm.build()
        if self._cut:
            response = replace(
                response,
                tool_calls=tuple(
                    ToolCall(c.id, c.name, {}, c.raw_arguments, True, c.opaque)
                    if c.id in self._cut
                    else c
                    for c in response.tool_calls
                ),
            )
        return response

    # --- one event -----------------------------------------------------------------------------
    def _handle(self, event: SSEEvent) -> None:
        if self._closed or event.data == "[DONE]":
            return
        try:
            data = json.loads(event.data)
        except ValueError:
            raise ProtocolError(
                self._provider, f"stream event is not JSON: {event.data[:200]!r}", body=event.data
            ) from None
        if not isinstance(data, dict):
            raise ProtocolError(
                self._provider, "stream event is not a JSON object", body=event.data
            )
        kind = data.get("type") or event.event
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, data, event.data)
        elif isinstance(data.get("error"), dict):
            self._on_error(data, event.data)  # an untyped {"error": {...}} chunk (C39)

    def _on_created(self, data: JSONObject, raw: str) -> None:
        response = data.get("response")
        if isinstance(response, dict):
            self._take_identity(response)

    def _on_item_added(self, data: JSONObject, raw: str) -> None:
        item = data.get("item")
        if not isinstance(item, dict) or item.get("type") != "function_call":
            return
        key = self._key(item, data.get("output_index"))
        if key in self._started:
            return
        self._start(key, item)
        arguments = item.get("arguments")
        if isinstance(arguments, str) and arguments:
            self._asm.call_arguments(key, arguments)

    def _on_arguments_delta(self, data: JSONObject, raw: str) -> None:
        key = self._find(data)
        delta = data.get("delta")
        if isinstance(delta, str):
            self._asm.call_arguments(key, delta)

    def _on_arguments_done(self, data: JSONObject, raw: str) -> None:
        key = self._find(data)
        arguments = data.get("arguments")
        if isinstance(arguments, str):
            self._asm.set_arguments(key, arguments)
        name = data.get("name")
        if isinstance(name, str) and name:
            self._asm.update_call(key, name=name)

    def _on_item_done(self, data: JSONObject, raw: str) -> None:
        item = data.get("item")
        if not isinstance(item, dict):
            return
        index = data.get("output_index")
        if isinstance(index, int):
            self._done_items[index] = item
        if item.get("type") == "function_call":
            key = self._key(item, index)
            if key not in self._started:
                self._start(key, item)
            elif key in self._finished:
                return  # a repeated done event
            self._complete(key, item)

    def _on_text_delta(self, data: JSONObject, raw: str) -> None:
        delta = data.get("delta")
        if isinstance(delta, str):
            self._text_parts.add((data.get("output_index"), data.get("content_index")))
            self._asm.text(delta)

    def _on_text_done(self, data: JSONObject, raw: str) -> None:
        part = (data.get("output_index"), data.get("content_index"))
        text = data.get("text")
        if part not in self._text_parts and isinstance(text, str):
            # A server that sends the whole text only in .done (no deltas).
            self._text_parts.add(part)
            self._asm.text(text)

    def _on_finished(self, data: JSONObject, raw: str) -> None:
        """``response.completed`` / ``response.incomplete``: the final snapshot."""
        response = data.get("response")
        if not isinstance(response, dict):
            raise ProtocolError(self._provider, f"{data.get('type')} without a response", body=raw)
        if response.get("status") == "failed":
            raise self._adapter._failed(response, raw, None)
        self._take_identity(response)
        output = response.get("output")
        final = [i for i in output if isinstance(i, dict)] if isinstance(output, list) else []
        # The SDK rebuilds a missing final output from the items it saw (openai-python
        # ResponseStreamState "Recover finalized items"); so do we.
        items = final or [self._done_items[i] for i in sorted(self._done_items)]
        # The snapshot is the authority too: it finishes calls whose done event never came,
        # and brings items only it holds (a server that skips the per-item events).
        for index, item in enumerate(final):
            kind = item.get("type")
            if kind == "function_call":
                key = self._key(item, index)
                if key not in self._started:
                    self._start(key, item)
                if key not in self._finished:
                    self._complete(key, item)
            elif kind == "message":
                for j, text in enumerate(_output_texts(item)):
                    if (index, j) not in self._text_parts and text:
                        self._text_parts.add((index, j))
                        self._asm.text(text)
        if _is_cut(response):
            self._cut.update(
                _str(i.get("call_id") or i.get("id"))
                for i in items
                if i.get("type") == "function_call" and i.get("status") != "completed"
            )
            # Calls still open when the output was cut off (no done event, not in the snapshot).
            self._cut.update(cid for k, cid in self._started.items() if k not in self._finished)
        self._asm.usage = parse_usage(response.get("usage"))
        self._asm.opaque = [ProviderPart(self._provider, i) for i in items]
        reason, raw_reason = _finish_reason(response, self._asm.call_count > 0)
        self._asm.finish(reason, raw_reason)
        self._closed = True

    def _on_failed(self, data: JSONObject, raw: str) -> None:
        response = data.get("response")
        raise self._adapter._failed(response if isinstance(response, dict) else {}, raw, None)

    def _on_error(self, data: JSONObject, raw: str) -> None:
        # Two shapes are on the wire: the documented flat ResponseErrorEvent {type: "error",
        # code, message, param} and {type: "error", error: {type, code, message, param}}
        # (corpus: vercel/ai openai-error.1.chunks.txt).
        error = data.get("error")
        if not isinstance(error, dict):
            error = {k: v for k, v in data.items() if k not in ("type", "sequence_number")}
        raise in_band_error(self._provider, error, body=raw)

    # --- bookkeeping ---------------------------------------------------------------------------
    def _take_identity(self, response: JSONObject) -> None:
        if isinstance(response.get("id"), str):
            self._asm.id = response["id"]
        if isinstance(response.get("model"), str):
            self._asm.model = response["model"]

    def _key(self, item: JSONObject, index: Any) -> Hashable:
        """Calls are keyed by item id (what delta events carry), else by output position."""
        item_id = item.get("id")
        key: Hashable = item_id if isinstance(item_id, str) and item_id else ("output", index)
        if index is not None:
            self._keys[index] = key
        return key

    def _find(self, data: JSONObject) -> Hashable:
        item_id = data.get("item_id")
        if isinstance(item_id, str) and self._asm.has_call(item_id):
            return item_id
        key = self._keys.get(data.get("output_index"))
        if key is None:
            raise ProtocolError(
                self._provider,
                f"{data.get('type')} for item {item_id!r} that was never added",
                body=json.dumps(data)[:2000],
            )
        return key

    def _start(self, key: Hashable, item: JSONObject) -> None:
        item_id = item.get("id")
        opaque = ProviderPart(self._provider, {"id": item_id}) if isinstance(item_id, str) else None
        call_id = _str(item.get("call_id") or item_id)
        self._started[key] = call_id
        self._asm.start_call(key, call_id, _str(item.get("name")), opaque)

    def _complete(self, key: Hashable, item: JSONObject) -> None:
        """The finished item is the authority: its arguments replace the fragments."""
        call_id = item.get("call_id")
        name = item.get("name")
        self._asm.update_call(
            key,
            id=call_id if isinstance(call_id, str) else None,
            name=name if isinstance(name, str) else None,
        )
        if isinstance(call_id, str) and call_id:
            self._started[key] = call_id
        arguments = item.get("arguments")
        if isinstance(arguments, str):
            self._asm.set_arguments(key, arguments)
        self._finished.add(key)
        self._asm.finish_call(key)


_HANDLERS: Final = {
    "response.created": ResponsesStreamDecoder._on_created,
    "response.in_progress": ResponsesStreamDecoder._on_created,
    "response.queued": ResponsesStreamDecoder._on_created,
    "response.output_item.added": ResponsesStreamDecoder._on_item_added,
    "response.function_call_arguments.delta": ResponsesStreamDecoder._on_arguments_delta,
    "response.function_call_arguments.done": ResponsesStreamDecoder._on_arguments_done,
    "response.output_item.done": ResponsesStreamDecoder._on_item_done,
    "response.output_text.delta": ResponsesStreamDecoder._on_text_delta,
    "response.output_text.done": ResponsesStreamDecoder._on_text_done,
    "response.completed": ResponsesStreamDecoder._on_finished,
    "response.incomplete": ResponsesStreamDecoder._on_finished,
    "response.failed": ResponsesStreamDecoder._on_failed,
    "error": ResponsesStreamDecoder._on_error,
}


# --- to the wire -------------------------------------------------------------------------------


def _map_output(output: OutputSchema, fitted: FittedSchema) -> JSONObject:
    """``text.format`` (openapi TextResponseFormatJsonSchema: flat, unlike Chat's
    ``response_format.json_schema``); a strict schema is fitted like a strict tool."""
    fmt: JSONObject = {
        "type": "json_schema",
        "name": fitted.name,
        "schema": fitted.schema,
        "strict": output.strict,
    }
    if output.description:
        fmt["description"] = output.description
    return fmt


def _map_tool(f: FittedTool) -> JSONObject:
    """Flat FunctionTool (openai-python function_tool_param.py). ``strict`` is always sent (C18:
    an unmarked tool would be strict-if-compatible on Responses)."""
    tool: JSONObject = {"type": "function", "name": f.name}
    if f.description:
        tool["description"] = f.description
    tool["parameters"] = f.parameters
    tool["strict"] = f.strict
    return tool


def _map_call(
    call: ToolCall, names: Mapping[str, str], ids: IdMapper, item_id: str | None
) -> JSONObject:
    """A ``function_call`` input item (ResponseFunctionToolCallParam). The ``fc_`` id goes only
    together with the items it was recorded with; ``call_id`` links the result (C31)."""
    item: JSONObject = {"type": "function_call"}
    if item_id:
        item["id"] = item_id
    item["call_id"] = ids.assign(call.id)
    item["name"] = names.get(call.name, call.name)
    item["arguments"] = (
        call.raw_arguments
        if call.raw_arguments is not None
        else json.dumps(call.arguments, ensure_ascii=False, separators=(",", ":"))
    )
    return item


# --- from the wire -----------------------------------------------------------------------------


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _output_texts(item: JSONObject) -> list[str]:
    """The ``output_text`` parts of a message item (what the SDK's ``output_text`` joins;
    ``refusal`` parts are not text)."""
    content = item.get("content")
    if not isinstance(content, list):
        return []
    return [
        part["text"]
        for part in content
        if isinstance(part, dict)
        and part.get("type") == "output_text"
        and isinstance(part.get("text"), str)
    ]


def _message_text(items: list[JSONObject]) -> str:
    return "".join(t for item in items for t in _output_texts(item))


def _is_cut(data: JSONObject) -> bool:
    details = data.get("incomplete_details")
    return (
        data.get("status") == "incomplete"
        and isinstance(details, dict)
        and details.get("reason") == "max_output_tokens"
    )


def _finish_reason(data: JSONObject, has_calls: bool) -> tuple[FinishReason, str | None]:
    """Neutral finish reason from ``status`` + ``incomplete_details.reason`` + whether the
    output holds ``function_call`` items (C37; openai-openapi Response.status)."""
    status = data.get("status")
    if status == "incomplete":
        details = data.get("incomplete_details")
        reason = details.get("reason") if isinstance(details, dict) else None
        if isinstance(reason, str):
            return _INCOMPLETE.get(reason, "other"), f"incomplete:{reason}"
        return "other", "incomplete"
    if status == "completed" or status is None:
        return ("tool_calls" if has_calls else "stop"), status
    return "other", _str(status) or None
