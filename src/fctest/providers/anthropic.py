"""Anthropic Messages API (``POST /v1/messages``), registered as ``anthropic``.

Wire docs: platform.claude.com/docs/en/api/messages, .../build-with-claude/streaming,
.../build-with-claude/structured-outputs, .../agents-and-tools/tool-use/handle-tool-calls,
.../api/errors. Facts are checked against the ``anthropic`` Python SDK 2.12 installed for the
tests (``types/message_create_params.py``, ``types/tool_param.py``, ``types/tool_choice_*``,
``types/stop_reason.py``, ``types/shared/error_type.py``, ``_streaming.py``,
``_error_classes.py``, ``lib/streaming/_messages.py``, ``lib/_parse/_transform.py``) and
provider-dialects.md (checks C07, C20, C23-C25, C27, C29, C33, C36-C40).

What differs from the OpenAI shape, and where it is handled here:

- ``system`` is a top-level field; tools are flat ``{name, description, input_schema,
  strict}``; ``tool_choice`` is an object (``auto``/``any``/``tool``/``none``) that also carries
  ``disable_parallel_tool_use``; ``max_tokens`` is required (``AnthropicConfig.max_tokens``).
- Tool results go back as ``tool_result`` blocks at the start of one ``user`` message; ids must
  match ``^[a-zA-Z0-9_-]+$`` (``_ids``). Thinking and server-tool blocks are kept opaque
  (``ProviderPart``) and sent back before the ``tool_use`` blocks.
- Arguments arrive as an object (``input``); in streams as ``input_json_delta`` fragments that
  *replace* the ``input: {}`` placeholder of ``content_block_start`` (C38b).
- Errors are ``{"type": "error", "error": {"type", "message"}, "request_id"}``, also in a
  stream (``event: error``); 529 is ``overloaded_error``.

Choices worth knowing: the default ``anthropic-version`` is ``2023-06-01`` with the key in
``x-api-key`` (the 2.x SDKs send ``2026-10-21`` and ``Authorization: Bearer``; both are a
config setting away). Text blocks of one answer are joined into the neutral ``text`` and go
back as one block after the opaque blocks, so a server-tool turn is replayed as
``[server blocks..., text, tool_use...]`` rather than in its original interleaving.

This module holds the request direction; response bodies, the stream decoder and errors are in
``_anthropic_decode``, and their inverse (what the API would answer) in ``_anthropic_encode``.
Nothing here does I/O: keys, versions and base URLs arrive in ``AnthropicConfig``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from .._exceptions import ProtocolError, ProviderError, UsageError
from .._messages import Message, Request, Response, ToolCall, ToolResult
from .._types import JSONObject
from .._wire import HttpRequest, HttpResponse
from ..dialect import (
    DialectTransformer,
    FittedTool,
    Fitting,
    IdMapper,
    IdRule,
    KeywordMode,
    Profile,
    as_any_of,
    fit_request,
    make_strict,
    merge_single_all_of,
)
from . import _anthropic_encode
from ._anthropic_decode import (
    PROVIDER,
    AnthropicStreamDecoder,
    parse_error_object,
    parse_message,
)
from ._base import Adapter, Config

__all__ = [
    "PROFILE",
    "AnthropicAdapter",
    "AnthropicConfig",
    "AnthropicStreamDecoder",
    "AnthropicStrictTransformer",
]


_SO_DOC = (
    "platform.claude.com/docs/en/build-with-claude/structured-outputs, JSON Schema limitations"
)
_SDK_TRANSFORM = "anthropic SDK lib/_parse/_transform.py (transform_schema)"


# --- configuration and profile ------------------------------------------------------------------


@dataclass(frozen=True)
class AnthropicConfig(Config):
    """Settings for the Anthropic API.

    ``version`` (default ``"2023-06-01"``) is sent as ``anthropic-version``. ``2026-10-21``, the
    version the 2.x SDKs send, removes ``temperature``/``top_p``/``top_k`` (400), so fctest
    refuses a ``temperature`` under it (platform.claude.com/docs/en/api/versioning). ``beta``
    lists ``anthropic-beta`` flags. ``max_tokens`` (default 4096, what pydantic-ai and the
    recorded corpus send) is used when the request sets no ``max_output_tokens``: the API
    requires the field (SDK ``MessageCreateParamsBase.max_tokens: Required[int]``); with
    ``thinking_budget`` the budget is added on top, since thinking tokens count toward it.
    """

    version: str = "2023-06-01"
    beta: tuple[str, ...] = ()
    max_tokens: int = 4096


# Strict mode (structured-outputs doc, "JSON Schema limitations"): supported keywords are sent
# as they are; unsupported constraints are moved into the description, as the SDK's
# transform_schema does ("Update descriptions with constraint info"), and fctest validates the
# arguments against the user's full schema on the client. Unlisted keywords follow the same rule.
_STRICT_KEYWORDS: Mapping[str, KeywordMode] = {
    **dict.fromkeys(
        (
            "type",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "anyOf",
            "$ref",
            "$defs",
            "definitions",
            "default",
            "description",
            "title",
        ),
        "native",
    ),
    # Value-dependent: kept when the value is supported, else moved into the description.
    **dict.fromkeys(
        ("enum", "const", "format", "minItems", "pattern", "oneOf", "allOf"), "rewritten"
    ),
    # Annotations with no effect on what validates.
    **dict.fromkeys(("$schema", "$id", "$comment", "$anchor"), "dropped"),
}


# String formats strict mode accepts (structured-outputs doc; SDK SupportedStringFormats).
_STRICT_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
# Regex features strict mode rejects: backreferences, lookaround, word boundaries (doc,
# "Pattern support").
_UNSUPPORTED_REGEX = re.compile(r"\\[1-9]|\(\?<?[=!]|\\[bB]|\\k<")


class AnthropicStrictTransformer(DialectTransformer):
    """Anthropic strict mode (``strict: true`` tools and ``output_config.format`` schemas).

    Every object gets ``additionalProperties: false`` (optional properties stay optional:
    ``make_strict(require_all=False)``); keywords strict mode does not support are appended
    to the node's description as ``{keyword: value, ...}``, the SDK helper's format;
    ``oneOf`` becomes ``anyOf`` (SDK); recursive schemas and ``allOf`` with ``$ref`` are
    refused (doc: "Not supported"). Non-strict tools are sent as written (any JSON Schema).
    """

    def __init__(
        self, schema: JSONObject, *, tool: str, provider: str, profile: Profile, strict: bool
    ) -> None:
        super().__init__(schema, tool=tool, provider=provider, profile=profile, strict=strict)
        self._notes: dict[str, list[tuple[str, Any]]] = {}

    def transform(self, node: JSONObject, pointer: str) -> JSONObject:
        if self.strict:
            ref = node.get("$ref")
            if isinstance(ref, str) and ref in self.recursive:
                self.reject(
                    f"{pointer}/$ref",
                    f"strict mode does not support recursive schemas ({ref!r} refers to "
                    f"itself; {_SO_DOC}); mark the tool strict=False",
                )
        return super().transform(node, pointer)

    def rewrite_keyword(
        self, keyword: str, value: Any, node: JSONObject, pointer: str
    ) -> JSONObject:
        if keyword == "oneOf":
            return as_any_of(
                self, value, pointer, f"strict mode has no oneOf; sent as anyOf ({_SDK_TRANSFORM})"
            )
        if keyword == "allOf":
            members = value if isinstance(value, list) else []
            if any(isinstance(m, dict) and "$ref" in m for m in members):
                merged = merge_single_all_of(
                    self, value, pointer, "one-element allOf with $ref merged into its node"
                )
                if merged is not None:
                    return merged
                self.reject(
                    f"{pointer}/allOf",
                    f"strict mode does not support allOf combined with $ref ({_SO_DOC})",
                )
            return {"allOf": value}
        keep = (
            (keyword in ("enum", "const") and _primitive(keyword, value))
            or (keyword == "format" and value in _STRICT_FORMATS)
            or (keyword == "minItems" and value in (0, 1) and not isinstance(value, bool))
            or (
                keyword == "pattern"
                and isinstance(value, str)
                and not _UNSUPPORTED_REGEX.search(value)
            )
        )
        if keep:
            return {keyword: value}
        self._notes.setdefault(pointer, []).append((keyword, value))
        self.rewrite(
            pointer,
            keyword,
            f"not supported by {PROVIDER} strict mode ({_SO_DOC}); moved into the description "
            "and checked on the client",
        )
        return {}

    def strict_node(self, node: JSONObject, pointer: str) -> JSONObject:
        notes = self._notes.pop(pointer, None)
        if notes:
            text = (
                "{" + ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in notes) + "}"
            )
            described = node.get("description")
            node = {
                **node,
                "description": f"{described}\n\n{text}" if isinstance(described, str) else text,
            }
        return make_strict(node, pointer, self, require_all=False)


def _primitive(keyword: str, value: Any) -> bool:
    """``enum`` of strings/numbers/bools/nulls, or such a ``const`` (doc: no complex types)."""
    values = value if keyword == "enum" else [value]
    if keyword == "enum" and (not isinstance(value, list) or not value):
        return False
    return all(v is None or isinstance(v, (str, int, float, bool)) for v in values)


PROFILE = Profile(
    tool_name_pattern=r"^[a-zA-Z0-9_-]{1,128}$",
    tool_name_max_length=128,
    max_tools=None,
    description_max_length=None,
    transformer=AnthropicStrictTransformer,
    strict_keywords=_STRICT_KEYWORDS,
    strict_unknown_keyword="rewritten",
    strict_mode="per_tool",
    strict_default=False,
    max_strict_tools=20,
    max_strict_optional_params=24,
    max_strict_union_params=16,
    structured_output="native",
    # output_config.format is always constrained: it gets the strict rules.
    output_strictness="always",
    argument_encoding="object",
    id_rule=IdRule(r"^[a-zA-Z0-9_-]+$", max_length=None),
    tool_call_ids="provider",
    streams_arguments=True,
    requires_parameters=True,
    max_tokens_field="max_tokens",
    base_url="https://api.anthropic.com",
    env={"api_key": ("ANTHROPIC_API_KEY",), "base_url": ("ANTHROPIC_BASE_URL",)},
    sources={
        "output_strictness": f"{_SO_DOC} (output_config.format shares strict tools' rules)",
        "max_tokens_field": "SDK MessageCreateParamsBase.max_tokens: Required[int]",
        "base_url": "SDK _client.py default base URL",
        "env": "SDK _client.py: ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL",
        "tool_name_pattern": "400 'tools.N.custom.name: String should match pattern "
        "^[a-zA-Z0-9_-]{1,128}$' (provider-dialects.md §3 [I2][I3])",
        "tool_name_max_length": "provider-dialects.md §3 [I3] ('at most 128 characters')",
        "max_tools": "no general cap documented (provider-dialects.md §3, §15)",
        "strict_keywords": _SO_DOC,
        "keywords": _SO_DOC,
        "keywords.oneOf": f"{_SDK_TRANSFORM} turns oneOf into anyOf",
        "keywords.$schema": "annotation only",
        "max_strict_tools": f"{_SO_DOC}, Schema complexity limits (C20)",
        "max_strict_optional_params": f"{_SO_DOC}, Schema complexity limits (C20)",
        "max_strict_union_params": f"{_SO_DOC}, Schema complexity limits (C20)",
        "tool_choice": "SDK types/tool_choice_{auto,any,tool,none}_param.py (C23, C24)",
        "parallel_call_control": "tool_choice.disable_parallel_tool_use (SDK; C27)",
        "strict_default": "strict is opt-in (SDK tool_param.py 'strict: bool'; C18)",
        "structured_output": "output_config.format json_schema (SDK output_config_param.py)",
        "argument_encoding": "tool_use.input is an object (SDK tool_use_block.py)",
        "id_rule": "400 'tool_use.id: String should match pattern "
        "^[a-zA-Z0-9_-]+$' (provider-dialects.md §9 [I29], C29)",
        "requires_parameters": "input_schema is Required (SDK tool_param.py; C07)",
    },
)


# --- the adapter ----------------------------------------------------------------------------------


class AnthropicAdapter(Adapter):
    """Anthropic Messages: ``POST {base_url}/v1/messages`` (SDK ``resources/messages``)."""

    name = PROVIDER
    profile = PROFILE
    config_type = AnthropicConfig

    def build_request(self, request: Request, config: Config) -> HttpRequest:
        self.check_config(config)
        cfg = cast(AnthropicConfig, config)
        fitting = self.fit(request)
        fitted = fitting.tools
        by_name = {f.tool.name: f for f in fitted}
        output = fitting.output.schema if fitting.output is not None else None
        if not fitted and any(m.tool_calls or m.tool_results for m in request.messages):
            raise UsageError(
                f"{PROVIDER}: the conversation holds tool calls or results but the request "
                "declares no tools; Anthropic answers 400 'Requests which include tool_use or "
                "tool_result blocks must define tools' (anthropic-sdk-python#494). Pass the "
                "tools, with tool_choice='none' to keep the model from calling them"
            )
        system, messages = _map_messages(request.messages, fitting)

        body: JSONObject = {
            "model": request.model,
            self.profile.max_tokens_field: _max_tokens(request, cfg),
        }
        if system is not None:
            body["system"] = system
        body["messages"] = messages
        if fitted:
            body["tools"] = [_map_tool(f) for f in fitted]
            choice = _map_tool_choice(request, by_name)
            if choice is not None:
                body["tool_choice"] = choice
        if request.thinking_budget is not None:
            body["thinking"] = {"type": "enabled", "budget_tokens": request.thinking_budget}
        if request.temperature is not None:
            if cfg.version >= "2026-10-21":
                raise UsageError(
                    f"{PROVIDER}: anthropic-version {cfg.version} has no temperature parameter "
                    "(400; platform.claude.com/docs/en/api/versioning); leave temperature unset "
                    "or use AnthropicConfig(version='2023-06-01')"
                )
            body["temperature"] = request.temperature
        if output is not None:
            body["output_config"] = {"format": {"type": "json_schema", "schema": output}}
        if request.stream:
            body["stream"] = True
        if request.extra_body:
            body.update(request.extra_body)
        _check_thinking(body)

        headers = {"content-type": "application/json", "anthropic-version": cfg.version}
        if cfg.api_key:
            headers["x-api-key"] = cfg.api_key
        if cfg.beta:
            headers["anthropic-beta"] = ",".join(cfg.beta)
        headers.update(cfg.headers)
        return HttpRequest(
            "POST", f"{self.base_url(cfg)}/v1/messages", headers, self.encode_json(body)
        )

    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        if not response.ok:
            raise self.parse_error(response)
        body = self.json_body(response)
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

    # --- the inverse: what the API would answer (written in _anthropic_encode) -------------
    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        return _anthropic_encode.encode_message(
            response, self._wire_names(request), _model(response, request)
        )

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        return _anthropic_encode.encode_stream(
            response, self._wire_names(request), _model(response, request), fragment_size
        )

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        return _anthropic_encode.encode_error(status, message, retry_after)

    def assistant_turns(self, request: HttpRequest) -> int:
        return _anthropic_encode.assistant_turns(request)

    # --- helpers ----------------------------------------------------------------------------
    def fit(self, request: Request) -> Fitting:
        """The request's tools and output schema fitted to the profile (once per request)."""
        return fit_request(request, self.profile, provider=self.name)

    def _wire_names(self, request: Request | None) -> Mapping[str, str]:
        return {} if request is None else self.fit(request).names

    def _restorer(self, request: Request | None) -> Callable[[ToolCall], ToolCall] | None:
        return None if request is None else self.fit(request).restorer


def _model(response: Response, request: Request | None) -> str:
    return response.model or (request.model if request is not None else "")


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


def _check_thinking(body: JSONObject) -> None:
    """Refuse what the API refuses when thinking is on (extended-thinking doc, "Thinking isn't
    compatible with temperature, top_p, or top_k modifications as well as forced tool use")."""
    thinking = body.get("thinking")
    if not isinstance(thinking, dict) or thinking.get("type") in (None, "disabled"):
        return
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        raise UsageError(
            f"{PROVIDER}: a forced tool_choice ({choice.get('type')!r}) cannot be combined with "
            "extended thinking: Anthropic answers 400 'Thinking may not be enabled when "
            "tool_choice forces tool use' (C25). Use tool_choice='auto' or turn thinking off"
        )
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        raise UsageError(
            f"{PROVIDER}: temperature {temperature!r} cannot be combined with extended thinking: "
            "Anthropic answers 400 '`temperature` may only be set to 1 when thinking is enabled'"
        )


def _map_tool(fitted: FittedTool) -> JSONObject:
    tool: JSONObject = {"name": fitted.name}
    if fitted.description:
        tool["description"] = fitted.description
    # Always an object schema, {"type":"object","properties":{}} for a parameterless tool
    # (input_schema is Required; C07). strict is always explicit (C18).
    tool["input_schema"] = fitted.parameters
    tool["strict"] = fitted.strict
    return tool


def _map_tool_choice(request: Request, by_name: Mapping[str, FittedTool]) -> JSONObject | None:
    """``tool_choice`` (C23, C24, C27): auto / any / tool / none.

    ``disable_parallel_tool_use`` rides on auto/any/tool ("at most one" on auto, "exactly one"
    on any/tool); ``ToolChoiceNoneParam`` has no such field, so it is never sent with ``none``.
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
    ``role: system`` message (SDK ``SystemMessageParam``; "Mid-conversation system messages").
    The results of one turn, from however many tool messages, go into ONE user message with the
    ``tool_result`` blocks first, in call order, followed by the text of a user message that
    comes right after (C33). Ids are remapped to ``^[a-zA-Z0-9_-]+$``, the same way for a call
    and its result (C29).
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
    encoded as text, and ``is_error`` when the tool failed (C36)."""
    block: JSONObject = {
        "type": "tool_result",
        "tool_use_id": ids.lookup(call_id),
        "content": content if isinstance(content, str) else json.dumps(content, ensure_ascii=False),
    }
    if is_error:
        block["is_error"] = True
    return block
