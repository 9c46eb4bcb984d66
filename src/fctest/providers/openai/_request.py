"""What the Chat and Responses adapters share on the way out: OpenAI's endpoint and auth, the
tools/tool_choice/parallel block, tool results as text, and the request skeleton.

``OpenAIDialectAdapter`` is the base of both adapters and, through them, of the
OpenAI-compatible vendors: a vendor that differs only in data (base URL, environment variables,
limits) is a profile; one that differs in code overrides ``url``/``headers`` (Azure's deployment
URLs and ``api-key``, OpenRouter's attribution headers).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any, ClassVar

from ..._exceptions import UsageError
from ..._messages import Request, ToolCall
from ..._types import JSONObject
from ..._wire import HttpRequest
from ...dialect import FittedTool, Fitting, Profile, fit_request
from .._base import Adapter, Config, base_url, check_config, encode_json, tool_result_text

__all__ = ["OpenAIDialectAdapter", "bearer_headers", "parallel_setting", "tool_result_text"]


def bearer_headers(config: Config) -> dict[str, str]:
    """``Authorization: Bearer`` (openai-openapi securitySchemes) plus the config's headers."""
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    headers.update(config.headers)
    return headers


def parallel_setting(
    provider: str, request: Request, strict_tools: bool, profile: Profile
) -> bool | None:
    """``parallel_tool_calls`` to send, or ``None`` to leave the field out.

    Left out without tools: OpenAI answers 400 "'parallel_tool_calls' is only allowed when
    'tools' are specified" (docs/dialects.md#parallel-openai-no-tools). Left out where the
    model has no such switch (``parallel_call_control``: the reasoning models refuse the field
    whatever its value, docs/dialects.md#parallel-openai-reasoning), and a value asked for there
    is a ``UsageError``. Forced to ``False`` with a strict tool: parallel calls "may not match
    supplied schemas" (docs/dialects.md#strict-openai-parallel); asking for both is a
    ``UsageError``.
    """
    if not request.tools:
        return None
    if not profile.parallel_call_control:
        if request.parallel_tool_calls is not None:
            raise UsageError(
                f"{provider}: parallel_tool_calls cannot be sent to {request.model!r}: "
                f"{profile.sources.get('parallel_call_control', 'the profile has no switch')}; "
                "leave it unset"
            )
        return None
    if strict_tools:
        if request.parallel_tool_calls:
            raise UsageError(
                f"{provider}: parallel_tool_calls=True cannot be combined with strict tools "
                "(OpenAI: parallel calls may not match strict schemas); set "
                "parallel_tool_calls=None/False or mark the tools strict=False"
            )
        return False
    return request.parallel_tool_calls


class OpenAIDialectAdapter(Adapter):
    """What the Chat and Responses adapters share: OpenAI's endpoint, key variables, schema
    dialect and request skeleton. A subclass gives its ``path`` and ``build_body``; vendors
    override ``url``/``headers`` (Azure's deployment URLs and ``api-key``, OpenRouter's
    attribution headers)."""

    path: ClassVar[str]
    """The endpoint below the base URL (``/chat/completions``, ``/responses``)."""

    def url(self, request: Request, config: Config) -> str:
        """``{base_url}{path}`` (openai-openapi servers + path)."""
        return base_url(self, config) + self.path

    def headers(self, config: Config) -> dict[str, str]:
        """``Authorization: Bearer`` plus the config's headers (openai-openapi securitySchemes)."""
        return bearer_headers(config)

    def fit(self, request: Request) -> Fitting:
        """The request's tools and output schema fitted to this adapter's profile (computed
        once per request: the body, the decoder and the responder share it)."""
        return fit_request(request, self.profile, provider=self.name)

    def restorer(self, request: Request | None) -> Callable[[ToolCall], ToolCall] | None:
        """Maps decoded calls back to what ``request`` declared (``None``: nothing to map)."""
        return None if request is None else self.fit(request).restorer

    def build_request(self, request: Request, config: Config) -> HttpRequest:
        config = check_config(self, config)
        body = self.build_body(request)
        return HttpRequest(
            "POST", self.url(request, config), self.headers(config), encode_json(body)
        )

    @abc.abstractmethod
    def build_body(self, request: Request) -> JSONObject:
        """The JSON body for ``request``: the same request always gives the same bytes."""

    def map_tool_choice(self, request: Request, fitting: Fitting) -> Any:
        """``"auto"``/``"none"``/``"required"``, or ``named_tool_choice`` for a forced tool
        (docs/dialects.md#tool-choice-openai); a mode the profile does not offer is refused
        before sending."""
        mode = request.tool_choice_mode
        if mode is None:
            return None
        forced = request.forced_tool
        wanted = "named" if forced is not None else mode
        offered = fitting.profile.tool_choice
        if wanted not in offered:
            raise UsageError(
                f"{self.name}: tool_choice {request.tool_choice!r} is not supported "
                f"(supported: {sorted(offered)})"
            )
        return mode if forced is None else self.named_tool_choice(fitting.names[forced])

    @abc.abstractmethod
    def named_tool_choice(self, wire_name: str) -> JSONObject:
        """How this API names the one tool that must be called (docs/dialects.md#tool-choice-openai,
        docs/dialects.md#tool-choice-responses)."""

    def tool_fields(
        self, request: Request, fitting: Fitting, map_tool: Callable[[FittedTool], JSONObject]
    ) -> JSONObject:
        """``tools``, ``tool_choice`` and ``parallel_tool_calls`` (sent only with tools; false
        with a strict tool where strictness is per tool: see ``parallel_setting``); empty
        without tools."""
        fitted = fitting.tools
        if not fitted:
            return {}
        fields: JSONObject = {"tools": [map_tool(f) for f in fitted]}
        choice = self.map_tool_choice(request, fitting)
        if choice is not None:
            fields["tool_choice"] = choice
        profile = fitting.profile
        strict = profile.strict_mode == "per_tool" and any(f.strict for f in fitted)
        parallel = parallel_setting(self.name, request, strict, profile)
        if parallel is not None:
            fields["parallel_tool_calls"] = parallel
        return fields
