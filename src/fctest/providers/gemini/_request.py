"""Gemini ``generateContent``, the request direction: the adapter and its body (see the
package docstring for the wire docs and what differs from the OpenAI shape)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from ..._exceptions import ProviderError, UsageError
from ..._messages import Message, ProviderPart, Request, Response, ToolCall, ToolResult
from ..._types import JSONObject
from ..._wire import HttpRequest, HttpResponse
from ...dialect import FittedTool, Fitting, Profile, fit_request
from .._base import Adapter, Config, base_url, encode_json, json_body
from ._decode import GeminiStreamDecoder, parse_body, parse_error
from ._profile import OPENAPI_PROFILE, PROFILE, GeminiConfig

__all__ = ["FOREIGN_THOUGHT_SIGNATURE", "GeminiAdapter"]

FOREIGN_THOUGHT_SIGNATURE = "skip_thought_signature_validator"
"""Sent as the ``thoughtSignature`` of a replayed call Gemini did not make: one of the dummy
signatures of https://ai.google.dev/gemini-api/docs/thought-signatures (FAQ;
docs/dialects.md#thinking-gemini-dummy)."""


class GeminiAdapter(Adapter):
    """Gemini API ``generateContent`` / ``streamGenerateContent?alt=sse``."""

    name: ClassVar[str] = "gemini"
    profile: ClassVar[Profile] = PROFILE
    config_type: ClassVar[type[Config]] = GeminiConfig
    # Any API version of the Gemini API, and the same generateContent answers from Vertex AI
    # (regional or global host; google-genai 3.6.1 _api_client.py builds both).
    endpoints: ClassVar[tuple[str, ...]] = (
        r"https://generativelanguage\.googleapis\.com/v1\w*/models/[^/:]+"
        r":(?:stream)?[gG]enerateContent",
        r"https://(?:[a-z0-9-]+-)?aiplatform\.googleapis\.com/v1\w*/projects/[^/]+/locations/"
        r"[^/]+/publishers/google/models/[^/:]+:(?:stream)?[gG]enerateContent",
    )

    # --- requests -------------------------------------------------------------------------
    def build_request(self, request: Request, config: Config) -> HttpRequest:
        settings = _settings(config)
        if request.parallel_tool_calls is False:
            raise UsageError(
                "gemini: parallel_tool_calls=False cannot be honoured: the Gemini API has no "
                "switch to turn parallel function calls off (FunctionCallingConfig holds only "
                "mode and allowedFunctionNames; docs/dialects.md#parallel-gemini); leave it unset"
            )
        openapi = settings.schema_field == "parameters"
        fitting = self.fit(request, openapi=openapi)
        fitted = fitting.tools
        wire_names = fitting.names
        body: JSONObject = {"contents": []}
        system, body["contents"] = _map_messages(request.messages, wire_names)
        if system:
            body["systemInstruction"] = {"parts": system}
        if fitted:
            body["tools"] = [
                {"functionDeclarations": [_map_declaration(f, openapi) for f in fitted]}
            ]
            body["toolConfig"] = {"functionCallingConfig": _map_tool_choice(request, fitted)}
        generation = self._generation_config(request, fitting, openapi)
        if generation:
            body["generationConfig"] = generation
        if request.extra_body:
            body.update(request.extra_body)
        method = "streamGenerateContent?alt=sse" if request.stream else "generateContent"
        path = f"{settings.api_version}/{_model_path(request.model)}:{method}"
        url = f"{base_url(self, settings)}/{path}"
        headers = {"Content-Type": "application/json"}
        if config.api_key:
            headers["x-goog-api-key"] = config.api_key
        headers.update(config.headers)
        return HttpRequest("POST", url, headers, encode_json(body))

    def fit(self, request: Request, *, openapi: bool = False) -> Fitting:
        """The request's tools and output schema as they go on the wire (with every change
        recorded), in the JSON Schema dialect or, with ``openapi``, the OpenAPI subset."""
        profile = OPENAPI_PROFILE if openapi else self.profile
        return fit_request(request, profile, provider=self.name)

    def _generation_config(self, request: Request, fitting: Fitting, openapi: bool) -> JSONObject:
        out: JSONObject = {}
        if request.temperature is not None:
            out["temperature"] = request.temperature
        if request.max_output_tokens is not None:
            out[fitting.profile.max_tokens_field] = request.max_output_tokens
        if request.thinking_budget is not None:
            out["thinkingConfig"] = {"thinkingBudget": request.thinking_budget}
        if fitting.output is not None:
            # responseMimeType is required next to a schema
            # (docs/dialects.md#structured-output-gemini). Gemini 2.x refuses it together with
            # tools, and it is sent anyway (docs/dialects.md#conflict-gemini-tools-json).
            out["responseMimeType"] = "application/json"
            out["responseSchema" if openapi else "responseJsonSchema"] = fitting.output.schema
        return out

    # --- responses (decoding lives in _decode) ------------------------------------------------
    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        if not response.ok:
            raise self.parse_error(response)
        return parse_body(
            json_body(self.name, response),
            model=request.model if request else "",
            restore=self._restorer(request),
            response=response,
        )

    def stream_decoder(self, request: Request | None = None) -> GeminiStreamDecoder:
        return GeminiStreamDecoder(request.model if request else "", self._restorer(request))

    def parse_error(self, response: HttpResponse) -> ProviderError:
        return parse_error(response)

    # Names are fitted the same way in both schema dialects, so the default one maps wire
    # names back whichever GeminiConfig.schema_field built the request.
    def _restorer(self, request: Request | None) -> Callable[[ToolCall], ToolCall] | None:
        return None if request is None else self.fit(request).restorer


def _settings(config: Config) -> GeminiConfig:
    """Any ``Config`` works: a plain one gets ``GeminiConfig``'s defaults for the rest."""
    if isinstance(config, GeminiConfig):
        return config
    if not isinstance(config, Config):
        raise UsageError(f"gemini: expected GeminiConfig, got {type(config).__name__}")
    return GeminiConfig(api_key=config.api_key, base_url=config.base_url, headers=config.headers)


# --- to the wire (_map_*) ----------------------------------------------------------------------


def _model_path(model: str) -> str:
    """``models/{model}`` unless already a resource name (``_transformers.t_model``)."""
    if not model or any(bad in model for bad in ("..", "?", "&", "#", " ")):
        raise UsageError(f"gemini: invalid model name {model!r}")
    if model.startswith(("models/", "tunedModels/")):
        return model
    return f"models/{model}"


def _map_declaration(fitted: FittedTool, openapi: bool) -> JSONObject:
    out: JSONObject = {"name": fitted.name}
    if fitted.description:
        out["description"] = fitted.description
    if not openapi:
        out["parametersJsonSchema"] = fitted.parameters
    elif fitted.parameters.get("properties"):
        # A parameterless function leaves `parameters` unset: an OBJECT with empty properties
        # is a 400 "should be non-empty for OBJECT type" (docs/dialects.md#parameters-gemini).
        out["parameters"] = fitted.parameters
    return out


def _map_tool_choice(request: Request, fitted: tuple[FittedTool, ...]) -> JSONObject:
    """``functionCallingConfig``: sent explicitly whenever there are tools
    (docs/dialects.md#tool-choice-gemini)."""
    mode = request.tool_choice_mode
    if mode == "none":
        return {"mode": "NONE"}
    if mode == "required":
        forced = request.forced_tool
        if forced is None:
            return {"mode": "ANY"}
        wire = next(f.name for f in fitted if f.tool.name == forced)
        return {"mode": "ANY", "allowedFunctionNames": [wire]}
    # Strictness is request-wide: one strict tool asks for schema-following calls, and VALIDATED
    # gives that to every tool without any schema rewrite
    # (docs/dialects.md#strict-gemini-validated).
    return {"mode": "VALIDATED" if any(f.strict for f in fitted) else "AUTO"}


def _map_messages(
    messages: tuple[Message, ...], wire_names: Mapping[str, str]
) -> tuple[list[JSONObject], list[JSONObject]]:
    """``(systemInstruction parts, contents)``. Consecutive turns of one role are merged; the
    results of one model turn go in one user turn, in the order of its calls, as many as there
    were calls (docs/dialects.md#history-gemini-count)."""
    system: list[JSONObject] = []
    contents: list[JSONObject] = []
    calls: dict[str, tuple[int, ToolCall]] = {}
    i = 0
    while i < len(messages):
        m = messages[i]
        i += 1
        if m.role == "system":
            if contents:
                raise UsageError(
                    "gemini: a system message after the conversation started cannot be sent "
                    "(Gemini takes one systemInstruction); put system messages first"
                )
            system.append({"text": m.text or ""})
        elif m.role == "user":
            _append(contents, "user", [{"text": m.text or ""}])
        elif m.role == "assistant":
            for position, call in enumerate(m.tool_calls):
                calls[call.id] = (position, call)
            _append(contents, "model", _map_assistant(m, wire_names))
        else:
            results = list(m.tool_results)
            while i < len(messages) and messages[i].role == "tool":
                results.extend(messages[i].tool_results)
                i += 1
            results.sort(key=lambda r: calls[r.call_id][0])
            parts = [_map_result(r, calls[r.call_id][1], wire_names) for r in results]
            _append(contents, "user", parts)
    return system, contents


def _append(contents: list[JSONObject], role: str, parts: list[JSONObject]) -> None:
    if contents and contents[-1]["role"] == role:
        contents[-1]["parts"].extend(parts)
    else:
        contents.append({"role": role, "parts": parts})


def _gemini_data(part: ProviderPart | None) -> JSONObject | None:
    return part.data if part is not None and part.provider == "gemini" else None


def _map_assistant(m: Message, wire_names: Mapping[str, str]) -> list[JSONObject]:
    kept: JSONObject = next((p.data for p in m.opaque if p.provider == "gemini"), {})
    parts: list[JSONObject] = [dict(p) for p in kept.get("parts", ())]
    signature = kept.get("textSignature")
    if m.text or (signature and not m.tool_calls):
        part: JSONObject = {"text": m.text or ""}
        if signature:
            part["thoughtSignature"] = signature
        parts.append(part)
    native = any(_gemini_data(c.opaque) is not None for c in m.tool_calls)
    for k, call in enumerate(m.tool_calls):
        data = _gemini_data(call.opaque)
        fc: JSONObject = {}
        if not (data and data.get("generatedId")):
            fc["id"] = call.id
        fc["name"] = wire_names.get(call.name, call.name)
        fc["args"] = call.arguments
        part = {"functionCall": fc}
        if data and data.get("thoughtSignature"):
            part["thoughtSignature"] = data["thoughtSignature"]
        elif k == 0 and not native:
            part["thoughtSignature"] = FOREIGN_THOUGHT_SIGNATURE
        parts.append(part)
    return parts or [{"text": ""}]


def _map_result(result: ToolResult, call: ToolCall, wire_names: Mapping[str, str]) -> JSONObject:
    """``functionResponse.response`` must be an object: the result goes under ``output`` or, for
    a failed call, ``error`` (docs/dialects.md#history-gemini-response)."""
    data = _gemini_data(call.opaque)
    fr: JSONObject = {}
    if not (data and data.get("generatedId")):
        fr["id"] = result.call_id
    fr["name"] = wire_names.get(call.name, call.name)
    fr["response"] = {"error" if result.is_error else "output": result.content}
    return {"functionResponse": fr}
