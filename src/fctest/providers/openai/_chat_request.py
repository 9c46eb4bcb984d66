"""OpenAI Chat Completions (``openai``), the request direction: the adapter and its body.

Wire docs: https://platform.openai.com/docs/api-reference/chat/create, the function-calling
and Structured Outputs guides, and openai/openai-openapi ``openapi.yaml``
(CreateChatCompletionRequest, FunctionObject, ChatCompletionToolChoiceOption,
ParallelToolCalls, ChatCompletionMessageToolCall, ChatCompletionRequestToolMessage).

``OpenAIAdapter`` is also the base of the OpenAI-compatible vendors (``azure``, ``xai``,
``openrouter``, ``groq``): what they differ by as data is their profile; the hooks here
(``describe_error``, ``parse_usage``, and ``url``/``headers`` from the dialect base) are for
what needs code. Decoding lives in ``_chat_decode``, the provider's side in
``_chat_responder``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from ..._exceptions import ProviderError, UsageError
from ..._messages import Message, OutputSchema, Request, Response, ToolCall, Usage
from ..._types import JSONObject
from ..._wire import HttpResponse
from ...dialect import FittedSchema, FittedTool, IdMapper
from ._chat_decode import ChatStreamDecoder, parse_completion
from ._decode import error_message, parse_error, parse_usage
from ._profile import OPENAI_PROFILE
from ._request import OpenAIDialectAdapter, tool_result_text

__all__ = ["OpenAIAdapter"]


class OpenAIAdapter(OpenAIDialectAdapter):
    """Chat Completions. Vendors subclass it with their profile and, where needed, the hooks."""

    name = "openai"
    profile = OPENAI_PROFILE
    path: ClassVar[str] = "/chat/completions"

    # --- hooks for vendors ----------------------------------------------------------------
    def describe_error(self, error: Mapping[str, Any]) -> str:
        """An error's message from its ``error`` object (OpenRouter adds the upstream's)."""
        return error_message(error)

    def parse_usage(self, data: JSONObject) -> Usage | None:
        """Usage from a response body or a stream chunk (Groq: also ``x_groq.usage``)."""
        return parse_usage(data.get("usage"))

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
        profile = fitting.profile
        body: JSONObject = {
            "model": request.model,
            "messages": _map_messages(request.messages, names, IdMapper(profile.id_rule)),
        }
        body.update(self.tool_fields(request, fitting, _map_tool))
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
        """The nested form (openapi ChatCompletionNamedToolChoice; flat on Responses:
        docs/dialects.md#tool-choice-openai)."""
        return {"type": "function", "function": {"name": wire_name}}

    # --- responses ------------------------------------------------------------------------
    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        if not response.ok:
            raise self.parse_error(response)
        return parse_completion(self, response, self.restorer(request))

    def parse_error(self, response: HttpResponse) -> ProviderError:
        return parse_error(self.name, response, describe=self.describe_error)

    def stream_decoder(self, request: Request | None = None) -> ChatStreamDecoder:
        return ChatStreamDecoder(self, self.restorer(request))


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
    is always sent so the provider's default never decides (docs/dialects.md#strict-openai-flag)."""
    function: JSONObject = {"name": f.name}
    if f.description:
        function["description"] = f.description
    function["parameters"] = f.parameters
    function["strict"] = f.strict
    return {"type": "function", "function": function}


def _map_messages(
    messages: tuple[Message, ...], names: Mapping[str, str], ids: IdMapper
) -> list[JSONObject]:
    """History: one ``tool`` message per result, each carrying its call's id
    (docs/dialects.md#history-openai); replayed calls keep the model's own argument text; ids
    another provider made that this one would reject get the same new form in the call and in
    its result (docs/dialects.md#ids-openai)."""
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
