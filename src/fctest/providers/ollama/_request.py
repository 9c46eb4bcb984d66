"""Ollama ``/api/chat``, the request direction: the adapter and its body (see the package
docstring for the wire docs and what differs from the OpenAI shape)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from ..._exceptions import ProviderError, UsageError
from ..._messages import Message, Request, Response, ToolCall, ToolResult
from ..._types import JSONObject
from ..._wire import HttpRequest, HttpResponse
from ...dialect import FittedTool, Fitting, Profile, fit_request
from .._base import (
    Adapter,
    Config,
    base_url,
    check_config,
    encode_json,
    json_body,
    tool_result_text,
)
from ._decode import PROVIDER, OllamaStreamDecoder, parse_body, parse_error, thinking_of
from ._profile import PROFILE

__all__ = ["OllamaAdapter"]


class OllamaAdapter(Adapter):
    """Ollama's native API: ``POST {base_url}/api/chat`` (docs/api.md, "Generate a chat
    completion"). A key, when given, goes in ``Authorization: Bearer`` (ollama.com;
    docs/dialects.md#ollama-endpoint)."""

    name: ClassVar[str] = PROVIDER
    profile: ClassVar[Profile] = PROFILE
    # A local server on its default port under any host name, and Ollama's cloud: the same
    # native API (docs/dialects.md#ollama-endpoint). Their OpenAI-compatible /v1 routes are
    # the Chat wire served by Ollama, not this adapter's, and stay unrecognised.
    endpoints: ClassVar[tuple[str, ...]] = (
        r"https?://[^/]+:11434/api/chat",
        r"https://ollama\.com/api/chat",
    )

    def build_request(self, request: Request, config: Config) -> HttpRequest:
        cfg = check_config(self, config)
        fitting = self.fit(request)
        _refuse_unsendable(request, fitting.profile)
        body = _body(request, fitting)
        headers = {"Content-Type": "application/json"}
        if cfg.api_key:
            headers["Authorization"] = f"Bearer {cfg.api_key}"
        headers.update(cfg.headers)
        return HttpRequest("POST", f"{base_url(self, cfg)}/api/chat", headers, encode_json(body))

    def fit(self, request: Request) -> Fitting:
        """The request's tools and output schema fitted to the profile (once per request)."""
        return fit_request(request, self.profile, provider=self.name)

    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        if not response.ok:
            raise self.parse_error(response)
        return parse_body(json_body(self.name, response), self._restorer(request), response)

    def stream_decoder(self, request: Request | None = None) -> OllamaStreamDecoder:
        return OllamaStreamDecoder(self._restorer(request))

    def parse_error(self, response: HttpResponse) -> ProviderError:
        return parse_error(response)

    def _restorer(self, request: Request | None) -> Callable[[ToolCall], ToolCall] | None:
        return None if request is None else self.fit(request).restorer


def _refuse_unsendable(request: Request, profile: Profile) -> None:
    """What ``/api/chat`` has no field for is refused before sending, naming what would work:
    tool_choice (docs/dialects.md#ollama-tool-choice), the parallel switch
    (docs/dialects.md#ollama-parallel) and a thinking token budget
    (docs/dialects.md#ollama-thinking)."""
    mode = request.tool_choice_mode
    if mode is not None and mode not in profile.tool_choice:
        asked = request.forced_tool or mode
        raise UsageError(
            f"{PROVIDER}: tool_choice {asked!r} cannot be sent: /api/chat has no tool_choice "
            "field, the model always chooses freely (docs/dialects.md#ollama-tool-choice); "
            "leave tool_choice unset or 'auto', or leave out the tools the model must not call"
        )
    if request.parallel_tool_calls is False:
        raise UsageError(
            f"{PROVIDER}: parallel_tool_calls=False cannot be honoured: /api/chat has no switch "
            "for parallel calls (docs/dialects.md#ollama-parallel); leave it unset"
        )
    if request.thinking_budget is not None:
        raise UsageError(
            f"{PROVIDER}: thinking_budget (a token budget) has no /api/chat equivalent; pass "
            "extra_body={'think': True} or a level, 'low'|'medium'|'high' "
            "(docs/dialects.md#ollama-thinking)"
        )


def _body(request: Request, fitting: Fitting) -> JSONObject:
    body: JSONObject = {"model": request.model, "messages": _map_messages(request, fitting)}
    if fitting.tools:
        body["tools"] = [_map_tool(f) for f in fitting.tools]
    if fitting.output is not None:
        body["format"] = fitting.output.schema
    options: JSONObject = {}
    if request.temperature is not None:
        options["temperature"] = request.temperature
    if request.max_output_tokens is not None:
        options[fitting.profile.max_tokens_field] = request.max_output_tokens
    if options:
        body["options"] = options
    # Streaming is the server's default: the choice is always written out
    # (docs/dialects.md#ollama-streaming).
    body["stream"] = request.stream
    if request.extra_body:
        body.update(request.extra_body)
    return body


def _map_tool(fitted: FittedTool) -> JSONObject:
    """``{"type": "function", "function": {name, description, parameters}}`` (docs/api.md; the
    parameters object always, ``{"type": "object", "properties": {}}`` for none)."""
    function: JSONObject = {"name": fitted.name}
    if fitted.description:
        function["description"] = fitted.description
    function["parameters"] = fitted.parameters
    return {"type": "function", "function": function}


def _map_messages(request: Request, fitting: Fitting) -> list[JSONObject]:
    """Messages as ``/api/chat`` takes them: one ``tool`` message per result, in the order of
    the calls it answers, naming the tool in ``tool_name`` and the call in ``tool_call_id``
    (docs/dialects.md#ollama-history); a turn's reasoning goes back in ``thinking``
    (docs/dialects.md#ollama-thinking)."""
    out: list[JSONObject] = []
    calls: dict[str, tuple[int, ToolCall]] = {}
    messages = request.messages
    i = 0
    while i < len(messages):
        m = messages[i]
        i += 1
        if m.role == "assistant":
            calls.update((c.id, (k, c)) for k, c in enumerate(m.tool_calls))
            out.append(_map_assistant(m, fitting))
        elif m.role == "tool":
            results = list(m.tool_results)
            while i < len(messages) and messages[i].role == "tool":
                results.extend(messages[i].tool_results)
                i += 1
            results.sort(key=lambda r: calls[r.call_id][0])
            out.extend(_map_result(r, calls[r.call_id][1], fitting) for r in results)
        else:
            out.append({"role": m.role, "content": m.text or ""})
    return out


def _map_assistant(m: Message, fitting: Fitting) -> JSONObject:
    message: JSONObject = {"role": "assistant", "content": m.text or ""}
    thinking = thinking_of(m.opaque)
    if thinking:
        message["thinking"] = thinking
    if m.tool_calls:
        message["tool_calls"] = _map_calls(m.tool_calls, fitting)
    return message


def _map_calls(calls: Sequence[ToolCall], fitting: Fitting) -> list[JSONObject]:
    """Arguments go back as the object they came as (docs/dialects.md#ollama-arguments); the id
    as it came, or as fctest made it up (a server before v0.12.10 ignores it:
    docs/dialects.md#ollama-ids)."""
    return [
        {
            "id": c.id,
            "function": {"name": fitting.wire_name(c.name), "arguments": c.arguments},
        }
        for c in calls
    ]


def _map_result(result: ToolResult, call: ToolCall, fitting: Fitting) -> JSONObject:
    return {
        "role": "tool",
        "content": tool_result_text(result),
        "tool_name": fitting.wire_name(call.name),
        "tool_call_id": result.call_id,
    }
