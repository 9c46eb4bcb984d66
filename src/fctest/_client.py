"""``fctest.Client`` and ``fctest.AsyncClient``: one client for every provider.

A client is an adapter (found by name in the registry), a ``Config`` for it (``_settings``:
from the arguments, else the environment variables the adapter declares), a transport, a
retry policy and an event sink. Nothing here branches on a provider's name.

Each call builds a neutral ``Request``, lets the adapter turn it into bytes, sends them through
the transport and lets the adapter read the answer: plain ``json`` and frozen dataclasses, no
pydantic, and no HTTP client built per call. A failed attempt goes through ``_retry``; the
error that ends the retries is raised as it is, with ``attempts`` set and the client's secrets
scrubbed from its text.

``Client`` and ``AsyncClient`` are a sync/async twin pair and share this module (as httpx's
clients do): what they share is written once (``_Core``); what is left is the same code with
``await``, kept side by side so a change to one is seen next to the other.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from logging import DEBUG, INFO, WARNING
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, TypeVar

from ._events import Finished, StreamEvent
from ._exceptions import (
    ProviderError,
    ToolArgumentsError,
    TransportError,
    UsageError,
)
from ._log import EventCallback, Events
from ._messages import Message, OutputSchema, Request, Response
from ._pointer import json_pointer
from ._retry import RetryPolicy, RetryState
from ._runner import RunResult, arun_loop, check_tools, run_loop
from ._settings import Settings, scrub_error, secret_values
from ._tools import Tool
from ._transports.base import UNSET, AsyncTransport, Transport, Unset, redact_url
from ._types import JSONObject, ToolChoice
from ._wire import HttpRequest, HttpResponse
from .providers import Adapter, Config, get_adapter

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._transports.httpx import AsyncHttpClient, HttpClient, Timeout

__all__ = ["AsyncClient", "Client", "Messages"]

M = TypeVar("M")

Messages: TypeAlias = "str | Message | Sequence[Message]"
"""What ``complete``/``stream``/``run``/``parse`` take: a string is one user message."""


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


def _to_messages(messages: Any, system: str | None) -> tuple[Message, ...]:
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


class _Core:
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
            messages=_to_messages(messages, options.get("system")),
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
        mode = self.adapter.profile.structured_output
        if mode == "native":
            return self.request(messages, options, output=schema)
        if mode == "tool":
            # No native JSON mode: the answer is the arguments of a tool the model must call.
            answer = Tool(schema.name, schema.description, schema.schema, strict=schema.strict)
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
            self.events.emit(
                DEBUG,
                "request",
                f"{self.provider}: {http.method} {redact_url(http.url)} (attempt {attempt})",
                provider=self.provider,
                model=self.model,
                method=http.method,
                url=redact_url(http.url),
                stream=stream,
                attempt=attempt,
            )
        return time.perf_counter()

    def received(self, status: int, attempt: int, started: float) -> None:
        if self.events.enabled(DEBUG):
            duration = round((time.perf_counter() - started) * 1000, 3)
            self.events.emit(
                DEBUG,
                "response",
                f"{self.provider}: HTTP {status} in {duration} ms",
                provider=self.provider,
                model=self.model,
                status=status,
                attempt=attempt,
                duration_ms=duration,
            )

    def failed(
        self, error: BaseException, http: HttpRequest, state: RetryState, started: float
    ) -> float | None:
        """Scrub ``error``; the wait before the next attempt, or ``None`` to raise it."""
        scrub_error(error, (*self.settings.secrets, *secret_values(http.headers)))
        delay = state.next_delay(error)
        status = getattr(error, "status", None)
        if delay is not None:
            if self.events.enabled(INFO):
                self.events.emit(
                    INFO,
                    "retry",
                    f"{self.provider}: attempt {state.attempts} failed ({error}); "
                    f"retrying in {delay:.2f} s",
                    provider=self.provider,
                    model=self.model,
                    attempt=state.attempts,
                    delay=delay,
                    error=type(error).__name__,
                    status=status,
                )
        elif state.attempts > 1 and self.events.enabled(WARNING):
            self.events.emit(
                WARNING,
                "gave_up",
                f"{self.provider}: giving up after {state.attempts} attempts ({error})",
                provider=self.provider,
                model=self.model,
                attempts=state.attempts,
                error=type(error).__name__,
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
            )
        return delay

    def scrub(self, error: BaseException, http: HttpRequest) -> None:
        scrub_error(error, (*self.settings.secrets, *secret_values(http.headers)))


def _output_error(name: str, exc: Any) -> ToolArgumentsError:
    return ToolArgumentsError(
        name, sorted({(json_pointer(e["loc"]), e["msg"]) for e in exc.errors()})
    )


def _check_transport(transport: object, *, want_async: bool) -> None:
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


def _check_transport_args(transport: object, http_client: object, timeout: object) -> None:
    if transport is not None and http_client is not None:
        raise UsageError("pass transport= or http_client=, not both")
    if transport is not None and timeout is not UNSET:
        raise UsageError("timeout= configures the built-in httpx transport; set it on yours")


# --- the clients --------------------------------------------------------------------------
class _ClientBase:
    _core: _Core

    @property
    def provider(self) -> str:
        """The adapter's name."""
        return self._core.provider

    @property
    def model(self) -> str:
        """The model every call asks for."""
        return self._core.model

    @property
    def adapter(self) -> Adapter:
        """The provider's adapter."""
        return self._core.adapter

    @property
    def config(self) -> Config:
        """The resolved ``Config`` (its repr hides the key)."""
        return self._core.config

    def __repr__(self) -> str:
        return f"{type(self).__name__}(provider={self.provider!r}, model={self.model!r})"


class Client(_ClientBase):
    """A synchronous client for one provider and model.

    ``Client("anthropic", model="claude-...")``: the provider is a registered adapter name (or
    an ``Adapter`` instance). The key comes from the adapter's environment variables
    (``ANTHROPIC_API_KEY``) unless ``api_key`` is given. Provider-specific settings (Azure's
    ``endpoint``, ``api_version``, ``deployment``, ``azure_ad_token``) are keyword arguments; a
    callable value is called before every request. ``transport`` replaces the network
    (``MockTransport`` in tests); ``http_client`` is your own ``httpx.Client``; ``timeout``
    (seconds, or an ``httpx.Timeout``) applies to the built-in transport; ``retry`` is a
    ``RetryPolicy``; ``on_event(name, fields)`` receives the same events as the ``fctest``
    logger. Thread-safe: one client can serve many threads.
    """

    def __init__(
        self,
        provider: str | Adapter,
        model: str,
        *,
        api_key: str | Callable[[], str] | None = None,
        base_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        config: Config | None = None,
        transport: Transport | None = None,
        http_client: HttpClient | None = None,
        timeout: float | Timeout | Unset | None = UNSET,
        retry: RetryPolicy | None = None,
        on_event: EventCallback | None = None,
        **settings: Any,
    ) -> None:
        _check_transport_args(transport, http_client, timeout)
        self._core = _Core(
            provider,
            model,
            api_key=api_key,
            base_url=base_url,
            headers=headers,
            config=config,
            settings=settings,
            retry=retry,
            on_event=on_event,
        )
        if transport is None:
            from ._transports.httpx import HttpxTransport

            transport = HttpxTransport(http_client, timeout=timeout)
        else:
            _check_transport(transport, want_async=False)
        self.transport: Transport = transport

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the transport (a given ``httpx.Client`` stays open)."""
        self.transport.close()

    # --- calls ----------------------------------------------------------------------------
    def complete(
        self,
        messages: Messages,
        *,
        tools: Iterable[Tool] = (),
        output: OutputSchema | None = None,
        **options: Unpack[CallOptions],
    ) -> Response:
        """One model call: the neutral ``Response``."""
        return self._send(self._core.request(messages, options, tools=tools, output=output))

    def stream(
        self,
        messages: Messages,
        *,
        tools: Iterable[Tool] = (),
        output: OutputSchema | None = None,
        **options: Unpack[CallOptions],
    ) -> Iterator[StreamEvent | Response]:
        """One streamed model call: neutral events as they arrive, then the final ``Response``.

        The request is checked now; it is sent when iteration starts. Failures before the
        first event are retried; after it, they are raised.
        """
        request = self._core.request(messages, options, tools=tools, output=output, stream=True)
        return self._stream(request)

    def parse(
        self,
        messages: Messages,
        output: type[M],
        **options: Unpack[ParseOptions],
    ) -> M:
        """A final answer as an instance of the pydantic model ``output``.

        Native structured output where the provider has it (``profile.structured_output``),
        else a forced tool whose arguments are the answer. An answer that does not validate
        raises ``ToolArgumentsError`` listing every failing JSON pointer.
        """
        request = self._core.parse_request(messages, output, options)
        return self._core.parse_output(self._send(request), request, output)

    def run(
        self,
        messages: Messages,
        tools: Iterable[Tool],
        *,
        max_steps: int = 10,
        tool_timeout: float | None = None,
        max_workers: int | None = None,
        **options: Unpack[CallOptions],
    ) -> RunResult:
        """The tool loop: call the model, run its tool calls at once, feed the results back.

        Stops at the first answer without tool calls, or raises ``MaxStepsExceeded`` after
        ``max_steps`` model calls. ``tool_choice`` applies to the first call (then ``auto``).
        ``tool_timeout``: seconds each turn's calls may take; ``max_workers`` caps the threads.
        """
        table = check_tools(tools)
        core = self._core
        start = _to_messages(messages, options.pop("system", None))
        declared = tuple(table.values())

        def complete(history: Sequence[Message], choice: ToolChoice | None) -> Response:
            call_options = {**options, "tool_choice": choice}
            return self._send(core.request(history, call_options, tools=declared))

        return run_loop(
            complete,
            start,
            table,
            max_steps=max_steps,
            tool_choice=options.get("tool_choice"),
            events=core.events,
            tool_timeout=tool_timeout,
            max_workers=max_workers,
        )

    # --- the attempt loops ----------------------------------------------------------------
    def _send(self, request: Request) -> Response:
        core = self._core
        adapter = core.adapter
        state = core.retry.start()
        while True:
            http = core.build(request, core.settings.current())
            started = core.sent(http, state.attempts + 1, False)
            try:
                raw = self.transport.send(http)
                if not raw.ok:
                    raise adapter.parse_error(raw)
                response = adapter.parse_response(raw, request)
            except (ProviderError, TransportError) as exc:
                delay = core.failed(exc, http, state, started)
                if delay is None:
                    raise
                core.retry.sleep(delay)
                continue
            core.received(raw.status, state.attempts + 1, started)
            return response

    def _stream(self, request: Request) -> Iterator[StreamEvent | Response]:
        core = self._core
        adapter = core.adapter
        state = core.retry.start()
        while True:
            http = core.build(request, core.settings.current())
            started = core.sent(http, state.attempts + 1, True)
            yielded = False
            try:
                with self.transport.stream(http) as (head, chunks):
                    if not head.ok:
                        body = b"".join(chunks)
                        raise adapter.parse_error(HttpResponse(head.status, head.headers, body))
                    decoder = adapter.stream_decoder(request)
                    finished = False
                    for chunk in chunks:
                        events = decoder.feed(chunk)
                        if events:
                            yielded = True
                            finished = finished or any(isinstance(e, Finished) for e in events)
                            yield from events
                    response = decoder.close()
            except (ProviderError, TransportError) as exc:
                if yielded:
                    core.scrub(exc, http)
                    raise
                delay = core.failed(exc, http, state, started)
                if delay is None:
                    raise
                core.retry.sleep(delay)
                continue
            core.received(head.status, state.attempts + 1, started)
            if not finished:  # the decoder finished in close(): say so from the response
                yield _finished(response)
            yield response
            return


def _finished(response: Response) -> Finished:
    return Finished(response.finish_reason, response.raw_finish_reason, response.usage)


class AsyncClient(_ClientBase):
    """The asynchronous twin of ``Client`` (same arguments; ``http_client`` is an
    ``httpx.AsyncClient``). Tool calls of one turn run concurrently with ``asyncio.gather``;
    sync handlers run in worker threads so they do not block the event loop."""

    def __init__(
        self,
        provider: str | Adapter,
        model: str,
        *,
        api_key: str | Callable[[], str | Awaitable[str]] | None = None,
        base_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        config: Config | None = None,
        transport: AsyncTransport | None = None,
        http_client: AsyncHttpClient | None = None,
        timeout: float | Timeout | Unset | None = UNSET,
        retry: RetryPolicy | None = None,
        on_event: EventCallback | None = None,
        **settings: Any,
    ) -> None:
        _check_transport_args(transport, http_client, timeout)
        self._core = _Core(
            provider,
            model,
            api_key=api_key,
            base_url=base_url,
            headers=headers,
            config=config,
            settings=settings,
            retry=retry,
            on_event=on_event,
        )
        if transport is None:
            from ._transports.httpx import AsyncHttpxTransport

            transport = AsyncHttpxTransport(http_client, timeout=timeout)
        else:
            _check_transport(transport, want_async=True)
        self.transport: AsyncTransport = transport

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Release the transport (a given ``httpx.AsyncClient`` stays open)."""
        await self.transport.aclose()

    # --- calls ----------------------------------------------------------------------------
    async def complete(
        self,
        messages: Messages,
        *,
        tools: Iterable[Tool] = (),
        output: OutputSchema | None = None,
        **options: Unpack[CallOptions],
    ) -> Response:
        """One model call: the neutral ``Response``."""
        return await self._send(self._core.request(messages, options, tools=tools, output=output))

    def stream(
        self,
        messages: Messages,
        *,
        tools: Iterable[Tool] = (),
        output: OutputSchema | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncIterator[StreamEvent | Response]:
        """``async for`` over neutral events as they arrive, then the final ``Response``."""
        request = self._core.request(messages, options, tools=tools, output=output, stream=True)
        return self._stream(request)

    async def parse(
        self,
        messages: Messages,
        output: type[M],
        **options: Unpack[ParseOptions],
    ) -> M:
        """A final answer as an instance of the pydantic model ``output`` (see ``Client.parse``)."""
        request = self._core.parse_request(messages, output, options)
        return self._core.parse_output(await self._send(request), request, output)

    async def run(
        self,
        messages: Messages,
        tools: Iterable[Tool],
        *,
        max_steps: int = 10,
        tool_timeout: float | None = None,
        **options: Unpack[CallOptions],
    ) -> RunResult:
        """The tool loop (see ``Client.run``); ``tool_timeout`` applies to each call."""
        table = check_tools(tools)
        core = self._core
        start = _to_messages(messages, options.pop("system", None))
        declared = tuple(table.values())

        async def complete(history: Sequence[Message], choice: ToolChoice | None) -> Response:
            call_options = {**options, "tool_choice": choice}
            return await self._send(core.request(history, call_options, tools=declared))

        return await arun_loop(
            complete,
            start,
            table,
            max_steps=max_steps,
            tool_choice=options.get("tool_choice"),
            events=core.events,
            tool_timeout=tool_timeout,
        )

    # --- the attempt loops ----------------------------------------------------------------
    async def _send(self, request: Request) -> Response:
        core = self._core
        adapter = core.adapter
        state = core.retry.start()
        while True:
            http = core.build(request, await core.settings.acurrent())
            started = core.sent(http, state.attempts + 1, False)
            try:
                raw = await self.transport.send(http)
                if not raw.ok:
                    raise adapter.parse_error(raw)
                response = adapter.parse_response(raw, request)
            except (ProviderError, TransportError) as exc:
                delay = core.failed(exc, http, state, started)
                if delay is None:
                    raise
                await core.retry.async_sleep(delay)
                continue
            core.received(raw.status, state.attempts + 1, started)
            return response

    async def _stream(self, request: Request) -> AsyncIterator[StreamEvent | Response]:
        core = self._core
        adapter = core.adapter
        state = core.retry.start()
        while True:
            http = core.build(request, await core.settings.acurrent())
            started = core.sent(http, state.attempts + 1, True)
            yielded = False
            try:
                async with self.transport.stream(http) as (head, chunks):
                    if not head.ok:
                        body = b"".join([chunk async for chunk in chunks])
                        raise adapter.parse_error(HttpResponse(head.status, head.headers, body))
                    decoder = adapter.stream_decoder(request)
                    finished = False
                    async for chunk in chunks:
                        events = decoder.feed(chunk)
                        if events:
                            yielded = True
                            finished = finished or any(isinstance(e, Finished) for e in events)
                            for event in events:
                                yield event
                    response = decoder.close()
            except (ProviderError, TransportError) as exc:
                if yielded:
                    core.scrub(exc, http)
                    raise
                delay = core.failed(exc, http, state, started)
                if delay is None:
                    raise
                await core.retry.async_sleep(delay)
                continue
            core.received(head.status, state.attempts + 1, started)
            if not finished:  # the decoder finished in close(): say so from the response
                yield _finished(response)
            yield response
            return
