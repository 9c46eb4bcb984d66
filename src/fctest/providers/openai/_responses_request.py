"""OpenAI Responses API: ``POST {base}/responses`` (registered as ``openai-responses``).

Wire docs: https://platform.openai.com/docs/api-reference/responses/create (request and
``Response`` object), https://platform.openai.com/docs/api-reference/responses-streaming (typed
SSE events), https://platform.openai.com/docs/guides/function-calling. Facts below were checked
against openai-python 3.57.0 ``types/responses/`` (``response_create_params.py``,
``function_tool_param.py``, ``response_function_tool_call.py``, ``easy_input_message_param.py``,
``response_input_item_param.py``, ``response.py``) and ``lib/streaming/responses/_responses.py``,
and against the recorded traffic in the shared corpus; each rule links its evidence in
docs/dialects.md.

How it differs from Chat Completions (``fctest.providers.openai``):

- tools are flat, ``{"type": "function", "name", "description", "parameters", "strict"}``, and
  ``tool_choice`` names one as ``{"type": "function", "name"}``
  (docs/dialects.md#tool-choice-responses);
- the conversation is a list of *items*: messages, ``function_call`` items and
  ``function_call_output`` items. A ``function_call`` has an item ``id`` (``fc_...``) **and** a
  ``call_id`` (``call_...``); results refer to ``call_id`` (docs/dialects.md#ids-responses-two),
  so ``call_id`` becomes the neutral ``ToolCall.id`` and the ``fc_`` id is kept opaque;
- reasoning models return ``reasoning`` items that must go back with the item that followed
  them, ids included. A replay of a reasoning item followed by an id-less assistant message was
  answered 400 "Item 'rs_...' of type 'reasoning' was provided without its required following
  item" (docs/dialects.md#history-responses-reasoning). So a decoded ``Response.opaque`` holds
  every output item, in order, and the history encoder replays that sequence (see
  ``_map_assistant``);
- there is no finish reason: it comes from ``status``, ``incomplete_details.reason`` and
  whether ``function_call`` items are present (docs/dialects.md#finish-responses);
- streams are typed events keyed by ``item_id``/``output_index``; a ``.done`` event carries the
  whole arguments and wins over the fragments (docs/dialects.md#stream-responses); errors
  arrive as ``error`` events or a ``response.failed`` event under HTTP 200
  (docs/dialects.md#inband-responses).

This module builds requests; decoding lives in ``_responses_decode`` and the provider's side
in ``_responses_responder``. The URL and auth come from two overridable methods (``url``,
``headers``), so Azure's and xAI's Responses routes can reuse this adapter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from ..._exceptions import ProtocolError, ProviderError, UsageError
from ..._messages import Message, OutputSchema, Request, Response, ToolCall
from ..._types import JSONObject
from ..._wire import HttpResponse
from ...dialect import FittedSchema, FittedTool, IdMapper, Profile
from .._base import json_body
from ._decode import parse_error
from ._profile import RESPONSES_PROFILE
from ._request import OpenAIDialectAdapter, tool_result_text
from ._responses_decode import ResponsesStreamDecoder, decode_response, message_text

__all__ = ["OpenAIResponsesAdapter"]


class OpenAIResponsesAdapter(OpenAIDialectAdapter):
    """Sans-I/O adapter for ``POST /v1/responses``.

    Subclasses (Azure's Responses route, xAI) override ``url``/``headers`` and the class
    settings; request bodies, decoding and streams are shared.
    """

    name: ClassVar[str] = "openai-responses"
    profile: ClassVar[Profile] = RESPONSES_PROFILE
    # Azure OpenAI serves the same Responses API on a resource's v1 route
    # (docs/dialects.md#auth-azure-v1); there is no Azure Responses adapter of its own.
    endpoints: ClassVar[tuple[str, ...]] = (
        r"https://[^/]+\.openai\.azure\.com/openai/v1/responses",
    )
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
            "input": self._map_input(request.messages, names, fitting.profile),
        }
        body.update(self.tool_fields(request, fitting, _map_tool))
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.max_output_tokens is not None:
            body[fitting.profile.max_tokens_field] = request.max_output_tokens
        if fitting.output is not None and request.output is not None:
            body["text"] = {"format": _map_output(request.output, fitting.output)}
        if request.stream:
            body["stream"] = True
        if request.extra_body:
            body.update(request.extra_body)
        return body

    def named_tool_choice(self, wire_name: str) -> JSONObject:
        """The flat form (openapi ToolChoiceFunction; nested on Chat:
        docs/dialects.md#tool-choice-responses)."""
        return {"type": "function", "name": wire_name}

    def _map_input(
        self, messages: Sequence[Message], names: Mapping[str, str], profile: Profile
    ) -> list[JSONObject]:
        ids = IdMapper(profile.id_rule)
        items: list[JSONObject] = []
        for m in messages:
            if m.role == "assistant":
                items.extend(self._map_assistant(m, names, ids))
            elif m.role == "tool":
                # One function_call_output item per result, linked by call_id, never by the
                # fc_ item id (docs/dialects.md#ids-responses-two); the output is sent as a
                # string, one of the forms FunctionCallOutputItemParam takes
                # (docs/dialects.md#history-responses).
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
            replay_messages = bool(message_items) and message_text(message_items) == m.text
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
        data = json_body(self.name, response)
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
        return decode_response(self.name, data, self.restorer(request), body=body, headers=headers)

    def parse_error(self, response: HttpResponse) -> ProviderError:
        """Same envelope as Chat Completions: ``{"error": {message, type, param, code}}``."""
        return parse_error(self.name, response)

    def stream_decoder(self, request: Request | None = None) -> ResponsesStreamDecoder:
        return ResponsesStreamDecoder(self.name, self.restorer(request))


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
    """Flat FunctionTool (openai-python function_tool_param.py). ``strict`` is always sent: the
    function-calling guide makes an unmarked tool strict when its schema allows
    (docs/dialects.md#strict-responses-default)."""
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
    together with the items it was recorded with; ``call_id`` links the result
    (docs/dialects.md#ids-responses-two)."""
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
