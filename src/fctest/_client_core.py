"""What ``Client`` and ``AsyncClient`` share, with no I/O: the options calls take, the
neutral ``Request`` built from them, the structured answer read back, and the events and
failure handling of each attempt (``Core``).

Private: the clients in ``fctest._client`` hold a ``Core`` and add only the sending (a
transport, sync or async) and the attempt loops around it.
"""

from __future__ import annotations

import difflib
import inspect
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from logging import DEBUG, INFO, WARNING
from typing import Any, TypedDict, TypeVar, cast

from ._audit import model_call_fields
from ._exceptions import ToolArgumentsError, UsageError
from ._guards import Approver, Limits, approver_name
from ._log import EventCallback, Events
from ._messages import Message, OutputSchema, Request, Response
from ._pointer import json_pointer
from ._registry import ToolRegistry, as_registry
from ._retry import RetryPolicy, RetryState
from ._run import RunState
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
    "RunOptions",
    "Trace",
    "check_options",
    "check_transport",
    "check_transport_args",
    "to_messages",
]

Trace = tuple[str, int]
"""The run id and step a model call belongs to, for its audit record."""

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


class RunOptions(CallOptions, total=False):
    """Keyword arguments of ``run`` and ``stream_run``: the call options, and the run's own.

    ``limits`` bounds the run (``fctest.Limits``); ``max_steps`` and ``tool_timeout`` are
    shortcuts that replace those two fields of it. ``allow`` grants a subset of the registered
    tools (the rest are not offered, and calls to them are refused). ``approve(call)`` settles
    calls to tools with side effects. ``run_id`` names the run in the audit records (a random
    one by default). ``max_workers`` caps the sync client's threads for one turn.
    """

    limits: Limits | None
    max_steps: int
    tool_timeout: float | None
    allow: Iterable[str] | None
    approve: Approver | None
    run_id: str | None
    max_workers: int | None


_RUN_KEYS = frozenset(RunOptions.__optional_keys__) - frozenset(CallOptions.__optional_keys__)


def check_options(options: Mapping[str, Any], allowed: Iterable[str], method: str) -> None:
    """``UsageError`` for a keyword ``method`` does not take, with the nearest one it does."""
    known = sorted(allowed)
    for name in options:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f"; it takes {', '.join(known)}"
            raise UsageError(f"{method}() got an unknown option {name!r}{hint}")


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
        on_event: EventCallback | Sequence[EventCallback] | None,
        audit_arguments: bool = False,
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
        self.events = Events(on_event, self.settings.secrets, audit_arguments=audit_arguments)

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
        check_options(options, CallOptions.__optional_keys__, "stream" if stream else "complete")
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
        check_options(options, ParseOptions.__optional_keys__, "parse")
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

    # --- runs -----------------------------------------------------------------------------
    def start_run(
        self,
        messages: Any,
        tools: Iterable[Tool] | ToolRegistry,
        options: Mapping[str, Any],
        method: str,
    ) -> tuple[RunState, dict[str, Any], RunOptions]:
        """A run's state, the options each of its model calls takes, and the run's own."""
        check_options(options, RunOptions.__optional_keys__, method)
        own = cast(RunOptions, {k: v for k, v in options.items() if k in _RUN_KEYS})
        call = {k: v for k, v in options.items() if k not in _RUN_KEYS and k != "system"}
        limits = own.get("limits") or Limits()
        if not isinstance(limits, Limits):
            raise UsageError(f"limits must be a fctest.Limits, got {limits!r}")
        if "max_steps" in own:
            limits = replace(limits, max_steps=own["max_steps"])
        if "tool_timeout" in own:
            limits = replace(limits, tool_timeout=own["tool_timeout"])
        approve = own.get("approve")
        if approve is not None and not callable(approve):
            raise UsageError(f"approve must be a callable, got {approve!r}")
        state = RunState(
            to_messages(messages, options.get("system")),
            as_registry(tools),
            limits=limits,
            allow=own.get("allow"),
            approver=None if approve is None else approver_name(approve),
            tool_choice=options.get("tool_choice"),
            events=self.events,
            provider=self.provider,
            model=self.model,
            run_id=own.get("run_id"),
        )
        return state, call, own

    def model_call(
        self,
        request: Request,
        began: float,
        attempts: int,
        trace: Trace | None,
        status: int | None,
        response: Response | None = None,
        error: BaseException | None = None,
    ) -> None:
        """The audit record of one model call (retries included); the caller checked
        ``events.auditing()``."""
        run_id, step = (None, None) if trace is None else trace
        outcome = "ok" if error is None else "error"
        duration = round((time.perf_counter() - began) * 1000, 3)
        self.events.audit(
            "model_call",
            f"{self.provider}: model call {outcome} in {duration} ms",
            run_id=run_id,
            step=step,
            provider=self.provider,
            model=self.model,
            stream=request.stream,
            attempts=attempts,
            status=status if error is None else getattr(error, "status", None),
            outcome=outcome,
            error=None if error is None else f"{type(error).__name__}: {error}",
            duration_ms=duration,
            **model_call_fields(response),
        )

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
