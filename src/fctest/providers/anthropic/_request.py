"""Anthropic Messages, the request direction: the adapter and its body (see the package
docstring for the wire docs and what differs from the OpenAI shape)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from ..._exceptions import ProtocolError, ProviderError, UsageError
from ..._messages import Message, Request, Response, ToolCall, ToolResult
from ..._types import JSONObject
from ..._wire import HttpRequest, HttpResponse
from ...dialect import FittedTool, Fitting, IdMapper, fit_request
from .._base import Adapter, Config, base_url, check_config, encode_json, json_body
from ._decode import PROVIDER, AnthropicStreamDecoder, parse_error_object, parse_message
from ._profile import PROFILE, AnthropicConfig

__all__ = ["AnthropicAdapter"]


class AnthropicAdapter(Adapter):
    """Anthropic Messages: ``POST {base_url}/v1/messages`` (SDK ``resources/messages``)."""

    name = PROVIDER
    profile = PROFILE
    config_type = AnthropicConfig

    def build_request(self, request: Request, config: Config) -> HttpRequest:
        cfg = cast(AnthropicConfig, check_config(self, config))
        body = self._body(request, cfg, self.fit(request))
        _check_thinking(body)
        headers = {"content-type": "application/json", "anthropic-version": cfg.version}
        if cfg.api_key:
            headers["x-api-key"] = cfg.api_key
        if cfg.beta:
            headers["anthropic-beta"] = ",".join(cfg.beta)
        headers.update(cfg.headers)
        return HttpRequest("POST", f"{base_url(self, cfg)}/v1/messages", headers, encode_json(body))

    def _body(self, request: Request, cfg: AnthropicConfig, fitting: Fitting) -> JSONObject:
        fitted = fitting.tools
        if not fitted and any(m.tool_calls or m.tool_results for m in request.messages):
            raise UsageError(
                f"{PROVIDER}: the conversation holds tool calls or results but the request "
                "declares no tools; Anthropic answers 400 'Requests which include tool_use or "
                "tool_result blocks must define tools' (unconfirmed: "
                "docs/dialects.md#tool-history-anthropic-tools). Pass the tools, with "
                "tool_choice='none' to keep the model from calling them"
            )
        system, messages = _map_messages(request.messages, fitting)
        body: JSONObject = {
            "model": request.model,
            fitting.profile.max_tokens_field: _max_tokens(request, cfg),
        }
        if system is not None:
            body["system"] = system
        body["messages"] = messages
        if fitted:
            has_strict = fitting.profile.strict_mode != "none"
            body["tools"] = [_map_tool(f, has_strict=has_strict) for f in fitted]
            choice = _map_tool_choice(request, {f.tool.name: f for f in fitted})
            if choice is not None:
                body["tool_choice"] = choice
        if request.thinking_budget is not None:
            body["thinking"] = {"type": "enabled", "budget_tokens": request.thinking_budget}
        if request.temperature is not None:
            body["temperature"] = _temperature(request.temperature, cfg)
        if fitting.output is not None:
            schema = fitting.output.schema
            body["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        if request.stream:
            body["stream"] = True
        if request.extra_body:
            body.update(request.extra_body)
        return body

    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        if not response.ok:
            raise self.parse_error(response)
        body = json_body(self.name, response)
        if isinstance(body, dict) and body.get("type") == "error":
            raise parse_error_object(
                body.get("error"), response.status, response.text(), response.headers, body
            )
        if not isinstance(body, dict) or not isinstance(body.get("content", []), list):
            raise ProtocolError(
                PROVIDER,
                "expected a Message object with a 'content' list",
                status=response.status,
                body=response.text(),
            )
        return parse_message(body, self._restorer(request))

    def stream_decoder(self, request: Request | None = None) -> AnthropicStreamDecoder:
        return AnthropicStreamDecoder(self._restorer(request))

    def parse_error(self, response: HttpResponse) -> ProviderError:
        text = response.text()
        try:
            body = json.loads(response.body) if response.body else None
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            # Not Anthropic's envelope: a proxy's or Cloudflare's page (413 comes from
            # Cloudflare, api/errors "Request size limits").
            error = {"message": text.strip()[:500]}
        return parse_error_object(error, response.status, text, response.headers, body)

    def fit(self, request: Request) -> Fitting:
        """The request's tools and output schema fitted to the profile (once per request)."""
        return fit_request(request, self.profile, provider=self.name)

    def _restorer(self, request: Request | None) -> Callable[[ToolCall], ToolCall] | None:
        return None if request is None else self.fit(request).restorer


# --- to the wire ----------------------------------------------------------------------------------


def _max_tokens(request: Request, config: AnthropicConfig) -> int:
    """``max_tokens`` (required by the API), checked against the thinking budget.

    SDK ``ThinkingConfigEnabledParam.budget_tokens``: "Must be ≥1024 and less than
    ``max_tokens``"; thinking tokens count toward ``max_tokens``.
    """
    budget = request.thinking_budget
    if budget is None:
        return config.max_tokens if request.max_output_tokens is None else request.max_output_tokens
    if budget < 1024:
        raise UsageError(
            f"{PROVIDER}: thinking_budget must be at least 1024 tokens, got {budget} "
            "(SDK ThinkingConfigEnabledParam.budget_tokens)"
        )
    if request.max_output_tokens is None:
        return config.max_tokens + budget
    if request.max_output_tokens <= budget:
        raise UsageError(
            f"{PROVIDER}: max_output_tokens ({request.max_output_tokens}) must be greater than "
            f"thinking_budget ({budget}); thinking tokens count toward max_tokens"
        )
    return request.max_output_tokens


def _temperature(temperature: float, cfg: AnthropicConfig) -> float:
    if cfg.version >= "2026-10-21":
        raise UsageError(
            f"{PROVIDER}: anthropic-version {cfg.version} has no temperature parameter "
            "(400; docs/dialects.md#anthropic-version-2026); leave temperature unset "
            "or use AnthropicConfig(version='2023-06-01')"
        )
    return temperature


def _check_thinking(body: JSONObject) -> None:
    """Refuse what the API refuses when thinking is on: forced tool use
    (docs/dialects.md#tool-choice-anthropic-thinking) and a temperature other than 1
    (docs/dialects.md#thinking-anthropic-temperature; the 400 text quoted is unconfirmed)."""
    thinking = body.get("thinking")
    if not isinstance(thinking, dict) or thinking.get("type") in (None, "disabled"):
        return
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        raise UsageError(
            f"{PROVIDER}: a forced tool_choice ({choice.get('type')!r}) cannot be combined with "
            "extended thinking: Anthropic answers 400 'Thinking may not be enabled when "
            "tool_choice forces tool use' (docs/dialects.md#tool-choice-anthropic-thinking). "
            "Use tool_choice='auto' or turn thinking off"
        )
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        raise UsageError(
            f"{PROVIDER}: temperature {temperature!r} cannot be combined with extended thinking: "
            "Anthropic answers 400 '`temperature` may only be set to 1 when thinking is enabled'"
        )


def _map_tool(fitted: FittedTool, *, has_strict: bool) -> JSONObject:
    tool: JSONObject = {"name": fitted.name}
    if fitted.description:
        tool["description"] = fitted.description
    # Always an object schema, {"type":"object","properties":{}} for a parameterless tool
    # (input_schema is Required: docs/dialects.md#parameters-anthropic). strict is always
    # explicit where the model has strict tool use (docs/dialects.md#strict-anthropic-flag),
    # and left out where it has none (docs/dialects.md#strict-anthropic-models).
    tool["input_schema"] = fitted.parameters
    if has_strict:
        tool["strict"] = fitted.strict
    return tool


def _map_tool_choice(request: Request, by_name: Mapping[str, FittedTool]) -> JSONObject | None:
    """``tool_choice``: auto / any / tool / none (docs/dialects.md#tool-choice-anthropic).

    ``disable_parallel_tool_use`` rides on auto/any/tool ("at most one" on auto, "exactly one"
    on any/tool); ``ToolChoiceNoneParam`` has no such field, so it is never sent with ``none``
    (docs/dialects.md#parallel-anthropic).
    """
    mode = request.tool_choice_mode
    forced = request.forced_tool
    if mode == "none":
        return {"type": "none"}
    if forced is not None:
        choice: JSONObject = {"type": "tool", "name": by_name[forced].name}
    elif mode == "required":
        choice = {"type": "any"}
    elif mode == "auto" or request.parallel_tool_calls is False:
        choice = {"type": "auto"}
    else:
        return None
    if request.parallel_tool_calls is False:
        choice["disable_parallel_tool_use"] = True
    return choice


def _map_messages(
    messages: Sequence[Message], fitting: Fitting
) -> tuple[str | list[JSONObject] | None, list[JSONObject]]:
    """``(system, messages)`` in Anthropic's shape.

    Leading system messages become the top-level ``system``; a later one stays in place as a
    ``role: system`` message (docs/dialects.md#history-anthropic-system).
    The results of one turn, from however many tool messages, go into ONE user message with the
    ``tool_result`` blocks first, in call order, followed by the text of a user message that
    comes right after (docs/dialects.md#history-anthropic-placement). Ids are remapped to
    ``^[a-zA-Z0-9_-]+$``, the same way for a call and its result (docs/dialects.md#ids-anthropic).
    """
    ids = IdMapper(fitting.profile.id_rule)
    system: list[str] = []
    out: list[JSONObject] = []
    order: dict[str, int] = {}
    i, n = 0, len(messages)
    while i < n:
        m = messages[i]
        if m.role == "system":
            if m.text:
                if out:
                    out.append({"role": "system", "content": m.text})
                else:
                    system.append(m.text)
            i += 1
        elif m.role == "assistant":
            content = _map_assistant(m, ids, fitting)
            order = {c.id: k for k, c in enumerate(m.tool_calls)}
            if content:
                out.append({"role": "assistant", "content": content})
            i += 1
        elif m.role == "tool":
            results: list[ToolResult] = []
            while i < n and messages[i].role == "tool":
                results.extend(messages[i].tool_results)
                i += 1
            results.sort(key=lambda r: order.get(r.call_id, len(order)))
            blocks: list[JSONObject] = [
                _map_result(r.call_id, r.content, r.is_error, ids) for r in results
            ]
            if i < n and messages[i].role == "user":
                blocks.append({"type": "text", "text": messages[i].text or ""})
                i += 1
            out.append({"role": "user", "content": blocks})
        else:
            out.append({"role": "user", "content": m.text or ""})
            i += 1
    if not system:
        return None, out
    if len(system) == 1:
        return system[0], out
    return [{"type": "text", "text": t} for t in system], out


def _map_assistant(m: Message, ids: IdMapper, fitting: Fitting) -> list[JSONObject]:
    """Opaque Anthropic blocks (thinking, redacted thinking, server tools) first: a thinking
    block must precede the tool_use blocks it led to (extended-thinking doc, "Preserving
    thinking blocks"). Other providers' parts are skipped. Then the text, then the calls."""
    content: list[JSONObject] = [p.data for p in m.opaque if p.provider == PROVIDER]
    if m.text:
        content.append({"type": "text", "text": m.text})
    for call in m.tool_calls:
        content.append(
            {
                "type": "tool_use",
                "id": _assign(ids, call.id),
                "name": fitting.wire_name(call.name),
                "input": call.arguments,
            }
        )
    return content


def _assign(ids: IdMapper, original: str) -> str:
    try:
        return ids.assign(original)
    except ValueError as exc:  # pragma: no cover - the rule always admits a hash
        raise UsageError(f"{PROVIDER}: {exc}") from None


def _map_result(call_id: str, content: Any, is_error: bool, ids: IdMapper) -> JSONObject:
    """A ``tool_result`` block (SDK ``ToolResultBlockParam``): text content, a JSON value
    encoded as text, and ``is_error`` when the tool failed
    (docs/dialects.md#history-anthropic-result)."""
    block: JSONObject = {
        "type": "tool_result",
        "tool_use_id": ids.lookup(call_id),
        "content": content if isinstance(content, str) else json.dumps(content, ensure_ascii=False),
    }
    if is_error:
        block["is_error"] = True
    return block
