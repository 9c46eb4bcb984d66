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
from typing import Any, ClassVar, cast

from .._exceptions import IncompatibleToolError, ProtocolError, ProviderError, UsageError
from .._messages import Message, OutputSchema, Request, Response, ToolCall, ToolResult
from .._schema import subschemas
from .._types import JSONObject
from .._wire import HttpRequest, HttpResponse
from . import _anthropic_encode
from ._anthropic_decode import (
    PROVIDER,
    AnthropicStreamDecoder,
    parse_error_object,
    parse_message,
)
from ._base import Adapter, Config
from ._encoding import wire_names
from ._fit import DialectTransformer, FittedTool, fit_tools, make_strict, restorer, wire_name
from ._ids import IdMapper, IdRule
from ._profile import KeywordMode, Profile

__all__ = [
    "PROFILE",
    "AnthropicAdapter",
    "AnthropicConfig",
    "AnthropicProfile",
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


@dataclass(frozen=True)
class AnthropicProfile(Profile):
    """``Profile`` plus the two strict-schema budgets only Anthropic documents."""

    max_strict_optional_params: int | None = 24
    """Optional properties across all strict schemas of a request (default 24; C20)."""

    max_strict_union_params: int | None = 16
    """Properties typed with ``anyOf`` or a type array across strict schemas (default 16; C20)."""


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

PROFILE = AnthropicProfile(
    tool_name_pattern=r"^[a-zA-Z0-9_-]{1,128}$",
    tool_name_max_length=128,
    max_tools=None,
    description_max_length=None,
    strict_keywords=_STRICT_KEYWORDS,
    strict_unknown_keyword="rewritten",
    strict_mode="per_tool",
    strict_default=False,
    max_strict_tools=20,
    structured_output="native",
    argument_encoding="object",
    tool_call_id_pattern=r"^[a-zA-Z0-9_-]+$",
    tool_call_ids="provider",
    streams_arguments=True,
    requires_parameters=True,
    sources={
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
        "tool_call_id_pattern": "400 'tool_use.id: String should match pattern "
        "^[a-zA-Z0-9_-]+$' (provider-dialects.md §9 [I29], C29)",
        "requires_parameters": "input_schema is Required (SDK tool_param.py; C07)",
    },
)

_ID_RULE = IdRule(PROFILE.tool_call_id_pattern or r"^[a-zA-Z0-9_-]+$", max_length=None)

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
        self, schema: JSONObject, *, tool: str, adapter: str, profile: Profile, strict: bool
    ) -> None:
        super().__init__(schema, tool=tool, adapter=adapter, profile=profile, strict=strict)
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
            self.rewrite(
                pointer, "oneOf", f"strict mode has no oneOf; sent as anyOf ({_SDK_TRANSFORM})"
            )
            return {"anyOf": value}
        if keyword == "allOf":
            members = value if isinstance(value, list) else []
            if any(isinstance(m, dict) and "$ref" in m for m in members):
                if len(members) == 1:
                    self.rewrite(
                        pointer, "allOf", "one-element allOf with $ref merged into its node"
                    )
                    return dict(members[0])
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


# --- the adapter ----------------------------------------------------------------------------------


class AnthropicAdapter(Adapter):
    """Anthropic Messages: ``POST {base_url}/v1/messages`` (SDK ``resources/messages``)."""

    name = PROVIDER
    profile = PROFILE
    transformer = AnthropicStrictTransformer
    config_type = AnthropicConfig
    default_base_url = "https://api.anthropic.com"
    env: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "api_key": ("ANTHROPIC_API_KEY",),
        "base_url": ("ANTHROPIC_BASE_URL",),
    }

    def build_request(self, request: Request, config: Config) -> HttpRequest:
        self.check_config(config)
        cfg = cast(AnthropicConfig, config)
        fitted = self._fit(request)
        by_name = {f.tool.name: f for f in fitted}
        output = _fit_output(request.output) if request.output is not None else None
        _check_budget(fitted, output, request.output)
        if not fitted and any(m.tool_calls or m.tool_results for m in request.messages):
            raise UsageError(
                f"{PROVIDER}: the conversation holds tool calls or results but the request "
                "declares no tools; Anthropic answers 400 'Requests which include tool_use or "
                "tool_result blocks must define tools' (anthropic-sdk-python#494). Pass the "
                "tools, with tool_choice='none' to keep the model from calling them"
            )
        system, messages = _map_messages(request.messages, by_name)

        body: JSONObject = {"model": request.model, "max_tokens": _max_tokens(request, cfg)}
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
    def _wire_names(self, request: Request | None) -> Mapping[str, str]:
        return wire_names(self, request, AnthropicStrictTransformer)

    def _fit(self, request: Request) -> tuple[FittedTool, ...]:
        if not request.tools:
            return ()
        return fit_tools(self, request.tools, transformer=AnthropicStrictTransformer)

    def _restorer(self, request: Request | None) -> Callable[[ToolCall], ToolCall] | None:
        return restorer(self, request, transformer=AnthropicStrictTransformer)


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


def _fit_output(output: OutputSchema) -> JSONObject:
    """The structured-output schema: always constrained on Anthropic, so always fitted with
    the strict rules (``output_config.format`` shares them with strict tools)."""
    walker = AnthropicStrictTransformer(
        output.schema, tool=output.name, adapter=PROVIDER, profile=PROFILE, strict=True
    )
    return walker.walk()


def _check_budget(
    fitted: Sequence[FittedTool], output: JSONObject | None, spec: OutputSchema | None
) -> None:
    """C20: 24 optional and 16 union-typed parameters across all strict schemas of a request
    (strict tools and ``output_config.format``); the 20-strict-tool cap is ``fit_tools``'."""
    schemas: list[tuple[str, JSONObject, bool]] = [
        (f.tool.name, f.parameters, True) for f in fitted if f.strict
    ]
    if output is not None and spec is not None:
        schemas.append((spec.name, output, False))
    optional = union = 0
    for name, schema, is_tool in schemas:
        o, u = _count_params(schema)
        optional += o
        union += u
        for count, limit, what in (
            (optional, PROFILE.max_strict_optional_params, "optional parameters"),
            (
                union,
                PROFILE.max_strict_union_params,
                "parameters with union types (anyOf or a type array)",
            ),
        ):
            if limit is not None and count > limit:
                reason = (
                    f"{count} {what} across the strict schemas of this request; at most {limit} "
                    f"({_SO_DOC}, Schema complexity limits, C20). Mark fewer tools strict or "
                    "make parameters required"
                )
                if is_tool:
                    raise IncompatibleToolError(PROVIDER, name, "", reason)
                raise UsageError(f"{PROVIDER}: output schema {name!r}: {reason}")


def _count_params(schema: Any) -> tuple[int, int]:
    """(optional properties, properties typed with anyOf or a type array) in a schema."""
    optional = union = 0
    todo = [schema]
    while todo:
        node = todo.pop()
        if not isinstance(node, dict):
            continue
        props = node.get("properties")
        if isinstance(props, dict):
            required = node.get("required") or ()
            optional += sum(1 for p in props if p not in required)
            union += sum(
                1
                for sub in props.values()
                if isinstance(sub, dict) and ("anyOf" in sub or isinstance(sub.get("type"), list))
            )
        todo.extend(sub for _, sub in subschemas(node))
    return optional, union


def _map_messages(
    messages: Sequence[Message], by_name: Mapping[str, FittedTool]
) -> tuple[str | list[JSONObject] | None, list[JSONObject]]:
    """``(system, messages)`` in Anthropic's shape.

    Leading system messages become the top-level ``system``; a later one stays in place as a
    ``role: system`` message (SDK ``SystemMessageParam``; "Mid-conversation system messages").
    The results of one turn, from however many tool messages, go into ONE user message with the
    ``tool_result`` blocks first, in call order, followed by the text of a user message that
    comes right after (C33). Ids are remapped to ``^[a-zA-Z0-9_-]+$``, the same way for a call
    and its result (C29).
    """
    ids = IdMapper(_ID_RULE)
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
            content = _map_assistant(m, ids, by_name)
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


def _map_assistant(
    m: Message, ids: IdMapper, by_name: Mapping[str, FittedTool]
) -> list[JSONObject]:
    """Opaque Anthropic blocks (thinking, redacted thinking, server tools) first: a thinking
    block must precede the tool_use blocks it led to (extended-thinking doc, "Preserving
    thinking blocks"). Other providers' parts are skipped. Then the text, then the calls."""
    content: list[JSONObject] = [p.data for p in m.opaque if p.provider == PROVIDER]
    if m.text:
        content.append({"type": "text", "text": m.text})
    for call in m.tool_calls:
        fitted = by_name.get(call.name)
        name = fitted.name if fitted is not None else wire_name(call.name, PROFILE, set())
        content.append(
            {
                "type": "tool_use",
                "id": _assign(ids, call.id),
                "name": name,
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
