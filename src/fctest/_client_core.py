"""What ``Client`` and ``AsyncClient`` share, with no I/O: the options calls take, the
neutral ``Request`` built from them, the structured answer read back, and the events and
failure handling of each attempt (``Core``).

Private: the clients in ``fctest._client`` hold a ``Core`` and add only the sending (a
transport, sync or async) and the attempt loops around it.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from logging import DEBUG, INFO, WARNING
from typing import Any, TypedDict, TypeVar

from ._exceptions import ToolArgumentsError, UsageError
from ._log import EventCallback, Events
from ._messages import Message, OutputSchema, Request, Response
from ._pointer import json_pointer
from ._retry import RetryPolicy, RetryState
from ._settings import Settings, scrub_error, secret_values
from ._tools import Tool
from ._transports.base import UNSET, redact_url
from ._types import JSONObject, ToolChoice
from ._wire import HttpRequest
from .providers import Adapter, Config, get_adapter

__all__ = [
    "CallOptions",
    "Core",
    "ParseOptions",
    "check_transport",
    "check_transport_args",
    "to_messages",
]

M = TypeVar("M")


class CallOptions(TypedDict, total=False):
    """Keyword arguments shared by ``complete``, ``stream`` and ``run`` (see ``Request``)."""

    system: str | None
    tool_choice: ToolChoice | None
    parallel_tool_calls: bool | None
    temperature: float | None
    max_output_tokens: int | None
    thinking_budget: int | None
    extra_body: JSONObject | None


class ParseOptions(TypedDict, total=False):
    """Keyword arguments of ``parse``."""

    system: str | None
    temperature: float | None
    max_output_tokens: int | None
    thinking_budget: int | None
    extra_body: JSONObject | None


def to_messages(messages: Any, system: str | None) -> tuple[Message, ...]:
    if isinstance(messages, str):
        out: tuple[Message, ...] = (Message.user(messages),)
    elif isinstance(messages, Message):
        out = (messages,)
    elif isinstance(messages, Sequence):
        out = tuple(messages)
    else:
        raise UsageError(
            f"messages must be a string, a fctest.Message or a list of them, "
            f"got {type(messages).__name__}"
        )
    if system is not None:
        out = (Message.system(system), *out)
    return out


class Core:
    """Everything the sync and async clients share; no I/O here."""

    def __init__(
        self,
        provider: str | Adapter,
        model: str,
        *,
        api_key: str | Callable[[], Any] | None,
        base_url: str | None,
        headers: Mapping[str, str] | None,
        config: Config | None,
        settings: Mapping[str, Any],
        retry: RetryPolicy | None,
        on_event: EventCallback | None,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise UsageError(f"{provider}: model must be a non-empty string, got {model!r}")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise UsageError(f"retry must be a fctest.RetryPolicy, got {type(retry).__name__}")
        self.adapter = get_adapter(provider) if isinstance(provider, str) else provider
        if not isinstance(self.adapter, Adapter):
            raise UsageError(
                f"provider must be an adapter name or a fctest.providers.Adapter, got {provider!r}"
            )
        self.provider = self.adapter.name
        self.model = model
        self.settings = Settings(
            self.adapter,
            api_key=api_key,
            base_url=base_url,
            headers=headers,
            config=config,
            settings=settings,
        )
        self.config = self.settings.config
        self.retry = RetryPolicy() if retry is None else retry
        self.events = Events(on_event, self.settings.secrets)

    # --- requests -------------------------------------------------------------------------
    def request(
        self,
        messages: Any,
        options: Mapping[str, Any],
        *,
        tools: Iterable[Tool] = (),
        output: OutputSchema | None = None,
        stream: bool = False,
    ) -> Request:
        return Request(
            model=self.model,
            messages=to_messages(messages, options.get("system")),
            tools=tuple(tools),
            tool_choice=options.get("tool_choice"),
            parallel_tool_calls=options.get("parallel_tool_calls"),
            temperature=options.get("temperature"),
            max_output_tokens=options.get("max_output_tokens"),
            output=output,
            stream=stream,
            thinking_budget=options.get("thinking_budget"),
            extra_body=options.get("extra_body"),
        )

    def parse_request(self, messages: Any, output: type[Any], options: ParseOptions) -> Request:
        if not isinstance(output, type) or not hasattr(output, "model_json_schema"):
            raise UsageError(f"output must be a pydantic model class, got {output!r}")
        schema = OutputSchema.from_model(output)
        profile = self.adapter.profile.for_model(self.model)
        mode = profile.structured_output
        if mode == "native":
            return self.request(messages, options, output=schema)
        if mode == "tool":
            # No native JSON mode: the answer is the arguments of a tool the model must call,
            # strict where the model has strict tools.
            strict = schema.strict and profile.strict_mode != "none"
            answer = Tool(schema.name, schema.description, schema.schema, strict=strict)
            forced = {**options, "tool_choice": answer.name}
            return self.request(messages, forced, tools=(answer,))
        raise UsageError(
            f"{self.provider}: no structured output (profile.structured_output is {mode!r})"
        )

    def parse_output(self, response: Response, request: Request, output: type[M]) -> M:
        from pydantic import ValidationError

        name = output.__name__
        if request.output is not None:
            text = response.text
            if not text:
                raise ToolArgumentsError(
                    name,
                    [("", f"the model gave no answer (finish_reason {response.finish_reason!r})")],
                )
            try:
                return output.model_validate_json(text)  # type: ignore[attr-defined,no-any-return]
            except ValidationError as exc:
                raise _output_error(name, exc) from exc
        call = next((c for c in response.tool_calls if c.name == request.forced_tool), None)
        if call is None or call.malformed:
            problem = (
                f"the model did not call {request.forced_tool!r}"
                if call is None
                else f"the arguments are not a JSON object: {call.raw_arguments!r}"
            )
            raise ToolArgumentsError(name, [("", problem)])
        try:
            return output.model_validate(call.arguments)  # type: ignore[attr-defined,no-any-return]
        except ValidationError as exc:
            raise _output_error(name, exc) from exc

    def build(self, request: Request, config: Config) -> HttpRequest:
        try:
            return self.adapter.build_request(request, config)
        except UsageError as exc:
            hint = self.settings.env_hint(str(exc), config) if type(exc) is UsageError else ""
            if hint:
                raise UsageError(f"{exc} ({hint})") from exc
            raise

    # --- events and failures --------------------------------------------------------------
    def sent(self, http: HttpRequest, attempt: int, stream: bool) -> float:
        if self.events.enabled(DEBUG):
            self._emit(
                DEBUG,
                "request",
                f"{self.provider}: {http.method} {redact_url(http.url)} (attempt {attempt})",
                method=http.method,
                url=redact_url(http.url),
                stream=stream,
                attempt=attempt,
            )
        return time.perf_counter()

    def received(self, status: int, attempt: int, started: float) -> None:
        if self.events.enabled(DEBUG):
            duration = round((time.perf_counter() - started) * 1000, 3)
            self._emit(
                DEBUG,
                "response",
                f"{self.provider}: HTTP {status} in {duration} ms",
                status=status,
                attempt=attempt,
                duration_ms=duration,
            )

    def failed(
        self, error: BaseException, http: HttpRequest, state: RetryState, started: float
    ) -> float | None:
        """Scrub ``error``; the wait before the next attempt, or ``None`` to raise it."""
        self.scrub(error, http)
        delay = state.next_delay(error)
        status = getattr(error, "status", None)
        if delay is not None:
            if self.events.enabled(INFO):
                self._emit(
                    INFO,
                    "retry",
                    f"{self.provider}: attempt {state.attempts} failed ({error}); "
                    f"retrying in {delay:.2f} s",
                    attempt=state.attempts,
                    delay=delay,
                    error=type(error).__name__,
                    status=status,
                )
        elif state.attempts > 1 and self.events.enabled(WARNING):
            self._emit(
                WARNING,
                "gave_up",
                f"{self.provider}: giving up after {state.attempts} attempts ({error})",
                attempts=state.attempts,
                error=type(error).__name__,
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
            )
        return delay

    def scrub(self, error: BaseException, http: HttpRequest) -> None:
        scrub_error(error, (*self.settings.secrets, *secret_values(http.headers)))

    def _emit(self, level: int, name: str, message: str, **fields: Any) -> None:
        """An event carrying the provider and model (the caller checked the level is on)."""
        self.events.emit(level, name, message, provider=self.provider, model=self.model, **fields)


def _output_error(name: str, exc: Any) -> ToolArgumentsError:
    return ToolArgumentsError(
        name, sorted({(json_pointer(e["loc"]), e["msg"]) for e in exc.errors()})
    )


def check_transport(transport: object, *, want_async: bool) -> None:
    is_async = inspect.iscoroutinefunction(getattr(transport, "send", None))
    if want_async and not is_async:
        raise UsageError(
            f"{type(transport).__name__} is a sync transport: use fctest.Client, or an async "
            "transport (AsyncMockTransport) with fctest.AsyncClient"
        )
    if not want_async and is_async:
        raise UsageError(
            f"{type(transport).__name__} is an async transport: use fctest.AsyncClient, or a "
            "sync transport (MockTransport) with fctest.Client"
        )


def check_transport_args(transport: object, http_client: object, timeout: object) -> None:
    if transport is not None and http_client is not None:
        raise UsageError("pass transport= or http_client=, not both")
    if transport is not None and timeout is not UNSET:
        raise UsageError("timeout= configures the built-in httpx transport; set it on yours")
