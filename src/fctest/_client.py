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
clients do): what they share is written once, with no I/O (``Core``, in
``fctest._client_core``); what is left is the same code with ``await``, kept side by side so a
change to one is seen next to the other.
"""

from __future__ import annotations

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
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from . import _runner
from ._client_core import (
    CallOptions,
    Core,
    ParseOptions,
    RunOptions,
    Trace,
    check_transport,
    check_transport_args,
)
from ._events import Finished, StreamEvent
from ._exceptions import ProviderError, TransportError
from ._log import EventCallback
from ._messages import Message, OutputSchema, Request, Response
from ._registry import ToolRegistry
from ._retry import RetryPolicy
from ._run import Offer, RunResult
from ._runner import RunItem
from ._tools import Tool
from ._transports.base import UNSET, AsyncTransport, Transport, Unset
from ._wire import HttpResponse
from .providers import Adapter, Config

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._transports.httpx import AsyncHttpClient, HttpClient, Timeout

__all__ = ["AsyncClient", "Client", "Messages"]

M = TypeVar("M")

Messages: TypeAlias = "str | Message | Sequence[Message]"
"""What ``complete``/``stream``/``run``/``parse`` take: a string is one user message."""


# --- the clients --------------------------------------------------------------------------
class _ClientBase:
    _core: Core

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
        on_event: EventCallback | Sequence[EventCallback] | None = None,
        audit_arguments: bool = False,
        **settings: Any,
    ) -> None:
        check_transport_args(transport, http_client, timeout)
        self._core = Core(
            provider,
            model,
            api_key=api_key,
            base_url=base_url,
            headers=headers,
            config=config,
            settings=settings,
            retry=retry,
            on_event=on_event,
            audit_arguments=audit_arguments,
        )
        if transport is None:
            from ._transports.httpx import HttpxTransport

            transport = HttpxTransport(http_client, timeout=timeout)
        else:
            check_transport(transport, want_async=False)
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
        tools: Iterable[Tool] | ToolRegistry,
        **options: Unpack[RunOptions],
    ) -> RunResult:
        """The tool loop: call the model, run its tool calls at once, feed the results back.

        ``tools`` is a list of tools with handlers or a ``ToolRegistry``. Every call is checked
        before any handler runs (registered, granted by ``allow``, arguments that pass the
        schema, within ``limits``, approved if the tool has side effects); the ones that fail go
        back to the model as error results. Stops at the first answer without tool calls, or
        raises ``RunLimitExceeded`` (``MaxStepsExceeded`` after ``max_steps`` model calls).
        ``tool_choice`` applies to the first call (then ``auto``). See ``RunOptions``.
        """
        state, call_options, own = self._core.start_run(messages, tools, options, "run")
        step = self._run_step(state.run_id, call_options, stream=False)
        return _runner.run(state, step, own.get("approve"), own.get("max_workers"))

    def stream_run(
        self,
        messages: Messages,
        tools: Iterable[Tool] | ToolRegistry,
        **options: Unpack[RunOptions],
    ) -> Iterator[RunItem]:
        """``run``, streamed: each step's events and ``Response``, a ``ToolResultEvent`` for
        each call as it finishes, and last the ``RunResult``."""
        state, call_options, own = self._core.start_run(messages, tools, options, "stream_run")
        step = self._run_step(state.run_id, call_options, stream=True)
        return _runner.stream_run(state, step, own.get("approve"), own.get("max_workers"))

    def _run_step(
        self, run_id: str, options: dict[str, Any], *, stream: bool
    ) -> Callable[[Offer], Iterable[StreamEvent | Response]]:
        core = self._core

        def step(offer: Offer) -> Iterable[StreamEvent | Response]:
            request = core.request(
                offer.messages,
                {**options, "tool_choice": offer.tool_choice},
                tools=offer.tools,
                stream=stream,
            )
            trace = (run_id, offer.step)
            return self._stream(request, trace) if stream else (self._send(request, trace),)

        return step

    # --- the attempt loops ----------------------------------------------------------------
    def _send(self, request: Request, trace: Trace | None = None) -> Response:
        core = self._core
        adapter = core.adapter
        state = core.retry.start()
        began = time.perf_counter()
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
                    if core.events.auditing():
                        core.model_call(request, began, state.attempts, trace, None, error=exc)
                    raise
                core.retry.sleep(delay)
                continue
            core.received(raw.status, state.attempts + 1, started)
            if core.events.auditing():
                core.model_call(request, began, state.attempts + 1, trace, raw.status, response)
            return response

    def _stream(
        self, request: Request, trace: Trace | None = None
    ) -> Iterator[StreamEvent | Response]:
        core = self._core
        adapter = core.adapter
        state = core.retry.start()
        began = time.perf_counter()
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
                if yielded:  # events went out: sending again would repeat them
                    core.scrub(exc, http)
                    state.attempts += 1
                    delay = None
                else:
                    delay = core.failed(exc, http, state, started)
                if delay is None:
                    if core.events.auditing():
                        core.model_call(request, began, state.attempts, trace, None, error=exc)
                    raise
                core.retry.sleep(delay)
                continue
            core.received(head.status, state.attempts + 1, started)
            if core.events.auditing():
                core.model_call(request, began, state.attempts + 1, trace, head.status, response)
            if not finished:  # the decoder finished in close(): say so from the response
                yield _finished(response)
            yield response
            return


def _finished(response: Response) -> Finished:
    return Finished(response.finish_reason, response.raw_finish_reason, response.usage)


class AsyncClient(_ClientBase):
    """The asynchronous twin of ``Client`` (same arguments; ``http_client`` is an
    ``httpx.AsyncClient``). Tool calls of one turn run concurrently, each in a task; sync
    handlers run in worker threads so they do not block the event loop."""

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
        on_event: EventCallback | Sequence[EventCallback] | None = None,
        audit_arguments: bool = False,
        **settings: Any,
    ) -> None:
        check_transport_args(transport, http_client, timeout)
        self._core = Core(
            provider,
            model,
            api_key=api_key,
            base_url=base_url,
            headers=headers,
            config=config,
            settings=settings,
            retry=retry,
            on_event=on_event,
            audit_arguments=audit_arguments,
        )
        if transport is None:
            from ._transports.httpx import AsyncHttpxTransport

            transport = AsyncHttpxTransport(http_client, timeout=timeout)
        else:
            check_transport(transport, want_async=True)
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
        tools: Iterable[Tool] | ToolRegistry,
        **options: Unpack[RunOptions],
    ) -> RunResult:
        """The tool loop (see ``Client.run``); each call runs in a task of its own."""
        state, call_options, own = self._core.start_run(messages, tools, options, "run")
        step = self._run_step(state.run_id, call_options, stream=False)
        return await _runner.arun(state, step, own.get("approve"))

    def stream_run(
        self,
        messages: Messages,
        tools: Iterable[Tool] | ToolRegistry,
        **options: Unpack[RunOptions],
    ) -> AsyncIterator[RunItem]:
        """``async for`` over a streamed run (see ``Client.stream_run``)."""
        state, call_options, own = self._core.start_run(messages, tools, options, "stream_run")
        step = self._run_step(state.run_id, call_options, stream=True)
        return _runner.astream_run(state, step, own.get("approve"))

    def _run_step(
        self, run_id: str, options: dict[str, Any], *, stream: bool
    ) -> Callable[[Offer], AsyncIterator[StreamEvent | Response]]:
        core = self._core

        async def step(offer: Offer) -> AsyncIterator[StreamEvent | Response]:
            request = core.request(
                offer.messages,
                {**options, "tool_choice": offer.tool_choice},
                tools=offer.tools,
                stream=stream,
            )
            trace = (run_id, offer.step)
            if stream:
                async for item in self._stream(request, trace):
                    yield item
            else:
                yield await self._send(request, trace)

        return step

    # --- the attempt loops ----------------------------------------------------------------
    async def _send(self, request: Request, trace: Trace | None = None) -> Response:
        core = self._core
        adapter = core.adapter
        state = core.retry.start()
        began = time.perf_counter()
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
                    if core.events.auditing():
                        core.model_call(request, began, state.attempts, trace, None, error=exc)
                    raise
                await core.retry.async_sleep(delay)
                continue
            core.received(raw.status, state.attempts + 1, started)
            if core.events.auditing():
                core.model_call(request, began, state.attempts + 1, trace, raw.status, response)
            return response

    async def _stream(
        self, request: Request, trace: Trace | None = None
    ) -> AsyncIterator[StreamEvent | Response]:
        core = self._core
        adapter = core.adapter
        state = core.retry.start()
        began = time.perf_counter()
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
                if yielded:  # events went out: sending again would repeat them
                    core.scrub(exc, http)
                    state.attempts += 1
                    delay = None
                else:
                    delay = core.failed(exc, http, state, started)
                if delay is None:
                    if core.events.auditing():
                        core.model_call(request, began, state.attempts, trace, None, error=exc)
                    raise
                await core.retry.async_sleep(delay)
                continue
            core.received(head.status, state.attempts + 1, started)
            if core.events.auditing():
                core.model_call(request, began, state.attempts + 1, trace, head.status, response)
            if not finished:  # the decoder finished in close(): say so from the response
                yield _finished(response)
            yield response
            return
