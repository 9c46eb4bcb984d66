"""``Client`` / ``AsyncClient``: configuration, calls, streams, structured output, retries, logs.

The client is first tested against the small fake adapter (``fake_adapter``), then every
registered provider goes through ``complete``, ``stream`` and ``run`` over the real httpx
transport with respx answering in that provider's format (``wire_answers``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from pydantic import BaseModel, Field

import fctest
from fake_adapter import FakeAdapter, answer, error, script, stream_answer
from fctest import (
    AsyncClient,
    AsyncMockTransport,
    Client,
    Finished,
    HttpRequest,
    HttpResponse,
    Message,
    MockTransport,
    Response,
    RetryPolicy,
    TextDelta,
    Tool,
    ToolCallFinished,
    ToolCallStarted,
)
from fctest._transports import httpx as httpx_transport
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    ConnectError,
    OverloadedError,
    ProviderError,
    ServerError,
    ToolArgumentsError,
    UnknownAdapterError,
    UsageError,
)
from wire_answers import PROVIDERS, body, stream

KEY = "fake-key-0123456789"


class Sleeps(list[float]):
    """A fake ``sleep`` that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.append(seconds)


def fast_retry(sleeps: Sleeps, **changes: Any) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps, async_sleep=sleeps.asleep, random=lambda: 0.0, **changes)


def make(
    *answers: HttpResponse | BaseException, chunk_size: int | None = None, **kwargs: Any
) -> tuple[Client, MockTransport]:
    transport = MockTransport(script(*answers), chunk_size=chunk_size)
    kwargs.setdefault("api_key", KEY)
    return Client(FakeAdapter(), "fake-model", transport=transport, **kwargs), transport


@pytest.fixture(autouse=True)
def _no_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FAKE_API_KEY", "FAKE_OTHER_KEY", "FAKE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


# --- configuration ------------------------------------------------------------------------
def test_key_and_base_url_from_the_adapters_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_OTHER_KEY", "from-the-second-variable")
    monkeypatch.setenv("FAKE_BASE_URL", "https://proxy.test/v9")
    transport = MockTransport(script(answer("hi")))
    c = Client(FakeAdapter(), "fake-model", transport=transport)
    assert c.config.api_key == "from-the-second-variable"
    c.complete("hello")
    sent = transport.requests[0]
    assert sent.url == "https://proxy.test/v9/chat"
    assert sent.headers["authorization"] == "Bearer from-the-second-variable"


def test_first_variable_wins_and_arguments_beat_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_API_KEY", "first")
    monkeypatch.setenv("FAKE_OTHER_KEY", "second")
    assert Client(FakeAdapter(), "m", transport=MockTransport(script())).config.api_key == "first"
    given = Client(FakeAdapter(), "m", api_key="given", transport=MockTransport(script()))
    assert given.config.api_key == "given"


def test_missing_key_names_the_environment_variables() -> None:
    with pytest.raises(UsageError, match=r"no API key.*api_key=.*FAKE_API_KEY or FAKE_OTHER_KEY"):
        Client(FakeAdapter(), "m", transport=MockTransport(script()))


def test_provider_by_name_and_unknown_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-0123456789")
    c = Client("openai", "gpt-4o", transport=MockTransport(script()))
    assert (c.provider, c.model, c.config.api_key) == ("openai", "gpt-4o", "sk-from-env-0123456789")
    assert repr(c) == "Client(provider='openai', model='gpt-4o')"
    assert "sk-from-env" not in repr(c.config)
    with pytest.raises(UnknownAdapterError, match="known adapters"):
        Client("nope", "m", api_key="k")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"organisation": "x"}, r"unknown setting organisation; Config takes: api_key, base_url"),
        ({"config": fctest.providers.Config(api_key="k")}, "config= or individual settings"),
        ({"http_client": httpx.Client()}, "transport= or http_client="),
        ({"timeout": 3}, "timeout= configures the built-in httpx transport"),
    ],
)
def test_bad_settings_are_usage_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Client(FakeAdapter(), "m", api_key="k", transport=MockTransport(script()), **kwargs)
    client = kwargs.get("http_client")
    if client is not None:
        client.close()


def test_a_ready_config_is_used_as_given() -> None:
    transport = MockTransport(script(answer("ok")))
    config = fctest.providers.Config(api_key="cfg-key", base_url="https://cfg.test")
    c = Client(FakeAdapter(), "m", config=config, transport=transport)
    c.complete("x")
    assert transport.requests[0].url == "https://cfg.test/chat"


def test_sync_and_async_transports_are_not_mixed() -> None:
    with pytest.raises(UsageError, match=r"use fctest\.AsyncClient"):
        Client(FakeAdapter(), "m", api_key="k", transport=AsyncMockTransport(script()))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"use fctest\.Client"):
        AsyncClient(FakeAdapter(), "m", api_key="k", transport=MockTransport(script()))  # type: ignore[arg-type]
    sync_client = httpx.Client()
    with pytest.raises(UsageError, match=r"an httpx\.Client goes to fctest\.Client"):
        AsyncClient(FakeAdapter(), "m", api_key="k", http_client=sync_client)  # type: ignore[arg-type]
    sync_client.close()


def test_a_callable_setting_is_called_before_every_request() -> None:
    keys = iter(["rotated-key-1", "rotated-key-2"])
    transport = MockTransport(script(answer("a"), answer("b")))
    c = Client(FakeAdapter(), "m", api_key=lambda: next(keys), transport=transport)
    c.complete("1")
    c.complete("2")
    assert [r.headers["authorization"] for r in transport.requests] == [
        "Bearer rotated-key-1",
        "Bearer rotated-key-2",
    ]


def test_an_async_callable_setting_needs_the_async_client() -> None:
    async def token() -> str:
        return "async-token-123456"

    transport = AsyncMockTransport(script(answer("a")))
    ac = AsyncClient(FakeAdapter(), "m", api_key=token, transport=transport)
    asyncio.run(ac.complete("1"))
    assert transport.requests[0].headers["authorization"] == "Bearer async-token-123456"
    c = Client(FakeAdapter(), "m", api_key=token, transport=MockTransport(script()))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"use fctest\.AsyncClient"):
        c.complete("1")


needs_azure = pytest.mark.skipif(
    "azure-openai" not in fctest.adapter_names(),
    reason="the azure-openai adapter is not registered",
)


@pytest.fixture
def no_azure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_AD_TOKEN",
        "AZURE_OPENAI_ENDPOINT",
        "OPENAI_API_VERSION",
    ):
        monkeypatch.delenv(name, raising=False)


@needs_azure
@pytest.mark.usefixtures("no_azure_env")
def test_azure_bearer_token_provider_is_called_per_request() -> None:
    tokens = iter(["entra-token-aaaaaaaa", "entra-token-bbbbbbbb"])
    calls = []

    def provider() -> str:  # the shape of azure.identity.get_bearer_token_provider(...)
        calls.append(1)
        return next(tokens)

    transport = MockTransport(script(*[HttpResponse(200, {}, body("chat", "hi"))] * 2))
    c = Client(
        "azure-openai",
        "gpt-4o",
        endpoint="https://res.openai.azure.com",
        azure_ad_token=provider,
        transport=transport,
    )
    assert calls == []
    c.complete("1")
    c.complete("2")
    sent = [{k.lower(): v for k, v in r.headers.items()} for r in transport.requests]
    assert [h.get("authorization") for h in sent] == [
        "Bearer entra-token-aaaaaaaa",
        "Bearer entra-token-bbbbbbbb",
    ]
    assert all("api-key" not in h for h in sent)


@needs_azure
@pytest.mark.usefixtures("no_azure_env")
def test_azure_settings_from_the_environment_and_clear_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(
        UsageError, match=r"api_key=\.\.\. or azure_ad_token=.*AZURE_OPENAI_API_KEY"
    ):
        Client("azure-openai", "gpt-4o", transport=MockTransport(script()))
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-key-0123456789")
    no_endpoint = Client("azure-openai", "gpt-4o", transport=MockTransport(script()))
    with pytest.raises(UsageError, match="AZURE_OPENAI_ENDPOINT"):
        no_endpoint.complete("x")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://env.openai.azure.com")
    transport = MockTransport(script(HttpResponse(200, {}, body("chat", "hi"))))
    Client("azure-openai", "gpt-4o", transport=transport).complete("x")
    assert transport.requests[0].url.startswith("https://env.openai.azure.com/openai/")
    headers = {k.lower(): v for k, v in transport.requests[0].headers.items()}
    assert headers["api-key"] == "azure-key-0123456789"


# --- complete -----------------------------------------------------------------------------
def test_complete_accepts_a_string_a_message_or_a_list() -> None:
    c, transport = make(answer("1"), answer("2"), answer("3"))
    assert c.complete("hi").text == "1"
    c.complete(Message.user("hi"), system="sys")
    c.complete([Message.user("a"), Message.assistant("b"), Message.user("c")])
    roles = [[m["role"] for m in r.json()["messages"]] for r in transport.requests]
    assert roles == [["user"], ["system", "user"], ["user", "assistant", "user"]]
    with pytest.raises(UsageError, match="messages must be"):
        c.complete(42)  # type: ignore[arg-type]


def test_complete_sends_tools_and_options() -> None:
    tool = Tool("weather", "", {"type": "object", "properties": {"city": {"type": "string"}}})
    c, transport = make(answer(None, [("c1", "weather", {"city": "Oslo"})]))
    response = c.complete("weather?", tools=[tool], tool_choice="weather")
    assert response.tool_calls[0].arguments == {"city": "Oslo"}
    assert response.finish_reason == "tool_calls"
    sent = transport.requests[0].json()
    assert (sent["tools"], sent["tool_choice"], sent["model"]) == (
        ["weather"],
        "weather",
        "fake-model",
    )
    with pytest.raises(UsageError, match="neither auto/none/required nor a declared tool"):
        c.complete("x", tools=[tool], tool_choice="other")


def test_async_complete_and_context_managers() -> None:
    async def main() -> Response:
        transport = AsyncMockTransport(script(answer("async hi")))
        async with AsyncClient(FakeAdapter(), "m", api_key=KEY, transport=transport) as ac:
            return await ac.complete("hi")

    assert asyncio.run(main()).text == "async hi"
    with make(answer("x"))[0] as c:
        assert c.complete("x").text == "x"


# --- stream -------------------------------------------------------------------------------
def test_stream_yields_events_then_the_response() -> None:
    c, transport = make(
        HttpResponse(200, {}, stream_answer("Hello world", [("c1", "t", {"a": 1})])),
        chunk_size=5,
    )
    it = c.stream("hi")
    assert transport.requests == []  # nothing is sent before iteration
    items = list(it)
    final = items[-1]
    assert isinstance(final, Response)
    assert final.text == "Hello world"
    assert final.tool_calls[0].arguments == {"a": 1}
    events = items[:-1]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Hello world"
    assert [type(e) for e in events if not isinstance(e, TextDelta)][:1] == [ToolCallStarted]
    assert isinstance(events[-2], ToolCallFinished)
    assert events[-1] == Finished(final.finish_reason, final.raw_finish_reason, final.usage)
    assert transport.requests[0].json()["stream"] is True


def test_stream_checks_the_request_at_once() -> None:
    c, _ = make()
    with pytest.raises(UsageError, match="tool_choice 'required' needs at least one tool"):
        c.stream("hi", tool_choice="required")


def test_stream_retries_before_the_first_event_but_not_after() -> None:
    sleeps = Sleeps()
    in_band = b'{"error": "overloaded", "retryable": true}\n'
    c, transport = make(
        error(503),
        HttpResponse(200, {}, in_band),
        HttpResponse(200, {}, stream_answer("ok")),
        retry=fast_retry(sleeps),
    )
    assert list(c.stream("x"))[-1].text == "ok"  # type: ignore[union-attr]
    assert len(transport.requests) == 3
    assert sleeps == [0.5, 1.0]

    late = b'{"text": "par"}\n{"error": "overloaded", "retryable": true}\n'
    c2, transport2 = make(
        HttpResponse(200, {}, late),
        chunk_size=len(b'{"text": "par"}\n'),
        retry=fast_retry(Sleeps()),
    )
    got: list[Any] = []

    def consume() -> None:
        got.extend(c2.stream("x"))

    with pytest.raises(ProviderError, match="overloaded"):
        consume()
    assert got == [TextDelta("par")]
    assert len(transport2.requests) == 1


def test_async_stream() -> None:
    async def main() -> list[Any]:
        transport = AsyncMockTransport(
            script(
                error(429, headers={"retry-after": "1"}),
                HttpResponse(200, {}, stream_answer("hey")),
            ),
            chunk_size=3,
        )
        sleeps = Sleeps()
        ac = AsyncClient(
            FakeAdapter(), "m", api_key=KEY, transport=transport, retry=fast_retry(sleeps)
        )
        items = [item async for item in ac.stream("x")]
        assert sleeps == [1.0]
        return items

    items = asyncio.run(main())
    assert isinstance(items[-1], Response)
    assert items[-1].text == "hey"


# --- parse --------------------------------------------------------------------------------
class City(BaseModel):
    """A city and its population."""

    name: str
    population: int = Field(ge=0)


class ToolModeAdapter(FakeAdapter):
    profile = FakeAdapter.profile.evolve(structured_output="tool")


class NoOutputAdapter(FakeAdapter):
    profile = FakeAdapter.profile.evolve(structured_output="none")


def test_parse_native_structured_output() -> None:
    c, transport = make(answer('{"name": "Oslo", "population": 700000}'))
    city = c.parse("Biggest city in Norway?", City)
    assert city == City(name="Oslo", population=700000)
    sent = transport.requests[0].json()
    assert sent["output"] == "City"
    assert sent["tools"] == []


def test_parse_through_a_forced_tool() -> None:
    transport = MockTransport(
        script(answer(None, [("c1", "City", {"name": "Oslo", "population": 1})]))
    )
    c = Client(ToolModeAdapter(), "m", api_key=KEY, transport=transport)
    assert c.parse("x", City) == City(name="Oslo", population=1)
    sent = transport.requests[0].json()
    assert (sent["tools"], sent["tool_choice"]) == (["City"], "City")
    assert "output" not in sent


def test_parse_failures_name_the_failing_pointers() -> None:
    c, _ = make(answer('{"name": 3, "population": -1}'), answer(None))
    with pytest.raises(ToolArgumentsError) as info:
        c.parse("x", City)
    assert [p for p, _ in info.value.errors] == ["/name", "/population"]
    with pytest.raises(ToolArgumentsError, match="no answer"):
        c.parse("x", City)
    tool_mode = Client(
        ToolModeAdapter(), "m", api_key=KEY, transport=MockTransport(script(answer("text")))
    )
    with pytest.raises(ToolArgumentsError, match="did not call 'City'"):
        tool_mode.parse("x", City)


def test_parse_needs_a_model_and_a_provider_that_can() -> None:
    c, _ = make()
    with pytest.raises(UsageError, match="pydantic model class"):
        c.parse("x", dict)
    none = Client(NoOutputAdapter(), "m", api_key=KEY, transport=MockTransport(script()))
    with pytest.raises(UsageError, match="no structured output"):
        none.parse("x", City)


def test_async_parse() -> None:
    transport = AsyncMockTransport(script(answer('{"name": "Rome", "population": 3}')))
    ac = AsyncClient(FakeAdapter(), "m", api_key=KEY, transport=transport)
    assert asyncio.run(ac.parse("x", City)).name == "Rome"


# --- retries ------------------------------------------------------------------------------
def test_retries_429_honouring_retry_after() -> None:
    sleeps = Sleeps()
    c, transport = make(
        error(429, "slow down", {"retry-after": "2"}), answer("ok"), retry=fast_retry(sleeps)
    )
    assert c.complete("x").text == "ok"
    assert sleeps == [2.0]
    assert len(transport.requests) == 2


def test_retries_529_overloaded() -> None:
    sleeps = Sleeps()
    c, _ = make(
        error(529, "overloaded"), error(529, "overloaded"), answer("ok"), retry=fast_retry(sleeps)
    )
    assert c.complete("x").text == "ok"
    assert sleeps == [0.5, 1.0]


def test_gives_up_after_the_attempt_budget_with_the_last_error() -> None:
    sleeps = Sleeps()
    c, transport = make(
        error(503, "first"), error(502, "second"), error(529, "last"), retry=fast_retry(sleeps)
    )
    with pytest.raises(OverloadedError, match="last") as info:
        c.complete("x")
    assert info.value.attempts == 3
    assert len(transport.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_gives_up_when_the_time_budget_runs_out() -> None:
    now = [0.0]
    sleeps = Sleeps()

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    policy = RetryPolicy(
        max_attempts=100, max_elapsed=10, sleep=sleep, clock=lambda: now[0], random=lambda: 0.0
    )
    c, transport = make(*[error(500)] * 10, retry=policy)
    with pytest.raises(ServerError) as info:
        c.complete("x")
    # waits 0.5 + 1 + 2 + 4 = 7.5 s; the next 8 s wait would pass the 10 s budget.
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert info.value.attempts == 5
    assert len(transport.requests) == 5


def test_caller_errors_are_not_retried() -> None:
    sleeps = Sleeps()
    c, transport = make(error(400, "bad"), retry=fast_retry(sleeps))
    with pytest.raises(BadRequestError) as info:
        c.complete("x")
    assert (info.value.attempts, sleeps, len(transport.requests)) == (1, [], 1)


def test_retries_a_dropped_connection_from_the_mock() -> None:
    sleeps = Sleeps()
    c, _ = make(ConnectError("dropped"), answer("ok"), retry=fast_retry(sleeps))
    assert c.complete("x").text == "ok"
    assert sleeps == [0.5]


@pytest.mark.parametrize(
    "dropped",
    [httpx.ConnectError("refused"), httpx.RemoteProtocolError("peer closed connection")],
)
def test_retries_a_dropped_connection_over_httpx(dropped: Exception) -> None:
    sleeps = Sleeps()
    with respx.mock:
        route = respx.post("https://fake.invalid/v1/chat").mock(
            side_effect=[dropped, httpx.Response(200, content=answer("ok").body)]
        )
        c = Client(FakeAdapter(), "m", api_key=KEY, retry=fast_retry(sleeps))
        assert c.complete("x").text == "ok"
    assert route.call_count == 2
    assert sleeps == [0.5]


def test_giving_up_on_connections_over_httpx_keeps_the_cause() -> None:
    with respx.mock:
        respx.post("https://fake.invalid/v1/chat").mock(side_effect=httpx.ConnectError("refused"))
        c = Client(FakeAdapter(), "m", api_key=KEY, retry=fast_retry(Sleeps()))
        with pytest.raises(ConnectError) as info:
            c.complete("x")
    assert info.value.attempts == 3
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_async_retries() -> None:
    sleeps = Sleeps()
    transport = AsyncMockTransport(
        script(error(429, headers={"retry-after-ms": "1500"}), ConnectError("x"), answer("ok"))
    )
    ac = AsyncClient(FakeAdapter(), "m", api_key=KEY, transport=transport, retry=fast_retry(sleeps))
    assert asyncio.run(ac.complete("x")).text == "ok"
    assert sleeps == [1.5, 1.0]


# --- observability and secrets ------------------------------------------------------------
PLANTED = "sk-planted-secret-4f9c2a7b1e"


def test_keys_never_reach_logs_or_exceptions(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fctest")
    events: list[tuple[str, dict[str, Any]]] = []
    echo = f"Incorrect API key provided: {PLANTED}"
    c, _ = make(
        error(500, echo),
        ConnectError(f"proxy said {PLANTED}"),
        error(401, echo),
        api_key=PLANTED,
        retry=fast_retry(Sleeps()),
        on_event=lambda name, fields: events.append((name, fields)),
        headers={"x-api-key": "header-secret-0123456789"},
    )
    with pytest.raises(AuthenticationError) as info:
        c.complete("hello")
    err = info.value
    for text in (str(err), repr(err), err.body, err.message, repr(err.headers), repr(c.config)):
        assert PLANTED not in text
    assert "<redacted>" in err.body
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "retry" in logged
    assert PLANTED not in logged
    assert "header-secret" not in logged
    assert PLANTED not in json.dumps(events, default=str)
    names = [name for name, _ in events]
    assert names == ["request", "retry", "request", "retry", "request", "gave_up", "model_call"]


def test_bearer_tokens_from_callables_are_scrubbed_too() -> None:
    token = "dynamic-token-9d8e7f6a5b"
    c, _ = make(error(400, f"bad token {token}"), api_key=lambda: token)
    with pytest.raises(BadRequestError) as info:
        c.complete("x")
    assert token not in str(info.value)


def test_structured_events_carry_fields(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fctest")
    c, _ = make(error(429, headers={"retry-after": "1"}), answer("ok"), retry=fast_retry(Sleeps()))
    c.complete("x")
    by_event = {getattr(r, "event", None): r for r in caplog.records}
    request = by_event["request"]
    assert (request.provider, request.model, request.url, request.attempt) == (  # type: ignore[attr-defined]
        "fake",
        "fake-model",
        "https://fake.invalid/v1/chat",
        2,
    )
    retry = by_event["retry"]
    assert (retry.delay, retry.status, retry.error, retry.levelno) == (  # type: ignore[attr-defined]
        1.0,
        429,
        "RateLimitError",
        logging.INFO,
    )
    response = by_event["response"]
    assert response.status == 200  # type: ignore[attr-defined]
    assert response.duration_ms >= 0  # type: ignore[attr-defined]


# --- speed --------------------------------------------------------------------------------
def test_no_http_client_is_built_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(httpx_transport, "_default_client", None)
    built: list[object] = []
    real = httpx.Client

    def counting(*args: Any, **kwargs: Any) -> httpx.Client:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(httpx_transport.httpx, "Client", counting)
    with respx.mock:
        respx.post("https://fake.invalid/v1/chat").mock(
            return_value=httpx.Response(200, content=answer("ok").body)
        )
        for _ in range(3):
            c = Client(FakeAdapter(), "m", api_key=KEY)
            for _ in range(5):
                c.complete("x")
    assert len(built) == 1


# --- every registered provider ------------------------------------------------------------
WEATHER = Tool(
    "get_weather",
    "Weather for a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    handler=lambda city: f"{city}: sunny",
)
CALLS = [
    ("call_a1", "get_weather", {"city": "Paris"}),
    ("call_b2", "get_weather", {"city": "Rome"}),
]


def _provider(name: str) -> tuple[str, dict[str, Any]]:
    if name not in PROVIDERS:
        pytest.skip(f"no wire answers for adapter {name!r} in tests/wire_answers.py")
    fmt, settings = PROVIDERS[name]
    return fmt, {"api_key": "provider-key-0123456789", **settings}


@pytest.fixture
def router() -> Iterator[tuple[respx.MockRouter, list[httpx.Response]]]:
    """respx answering every request with the next queued response."""
    queue: list[httpx.Response] = []
    with respx.mock(assert_all_called=False) as mock:
        mock.route().mock(side_effect=lambda request: queue.pop(0))
        yield mock, queue


@pytest.mark.parametrize("name", fctest.adapter_names())
def test_every_provider_complete(
    name: str, router: tuple[respx.MockRouter, list[httpx.Response]]
) -> None:
    fmt, settings = _provider(name)
    mock, queue = router
    queue.append(httpx.Response(200, content=body(fmt, "Bonjour!")))
    queue.append(httpx.Response(200, content=body(fmt, None, CALLS)))
    c = Client(name, "model-x", **settings)
    assert c.complete("Say hi").text == "Bonjour!"
    calls = c.complete("Weather in Paris and Rome?", tools=[WEATHER]).tool_calls
    assert [(t.name, t.arguments) for t in calls] == [(n, a) for _, n, a in CALLS]
    assert mock.calls.call_count == 2
    assert b"get_weather" in mock.calls.last.request.content


@pytest.mark.parametrize("name", fctest.adapter_names())
def test_every_provider_stream(
    name: str, router: tuple[respx.MockRouter, list[httpx.Response]]
) -> None:
    fmt, settings = _provider(name)
    _, queue = router
    sse = {"content-type": "text/event-stream"}
    queue.append(httpx.Response(200, headers=sse, content=stream(fmt, "Bonjour!")))
    queue.append(httpx.Response(200, headers=sse, content=stream(fmt, None, CALLS)))
    c = Client(name, "model-x", **settings)
    items = list(c.stream("Say hi"))
    assert isinstance(items[-1], Response)
    assert items[-1].text == "Bonjour!"
    assert "".join(e.text for e in items if isinstance(e, TextDelta)) == "Bonjour!"
    items = list(c.stream("Weather?", tools=[WEATHER]))
    final = items[-1]
    assert isinstance(final, Response)
    assert [t.arguments for t in final.tool_calls] == [{"city": "Paris"}, {"city": "Rome"}]
    assert [e.call.name for e in items if isinstance(e, ToolCallFinished)] == ["get_weather"] * 2
    # Every stream ends with exactly one Finished event, then the Response.
    finished = [e for e in items if isinstance(e, Finished)]
    assert finished == [Finished("tool_calls", final.raw_finish_reason, final.usage)]
    assert items[-2] == finished[0]


@pytest.mark.parametrize("name", fctest.adapter_names())
def test_every_provider_run(
    name: str, router: tuple[respx.MockRouter, list[httpx.Response]]
) -> None:
    fmt, settings = _provider(name)
    mock, queue = router
    queue.append(httpx.Response(200, content=body(fmt, None, CALLS)))
    queue.append(httpx.Response(200, content=body(fmt, "Paris and Rome: sunny.")))
    result = Client(name, "model-x", **settings).run("Weather?", [WEATHER])
    assert result.text == "Paris and Rome: sunny."
    assert [r.content for r in result.tool_results] == ["Paris: sunny", "Rome: sunny"]
    # The second request carries both results back in the provider's own format.
    second = mock.calls.last.request.content
    assert b"Paris: sunny" in second
    assert b"Rome: sunny" in second


@pytest.mark.parametrize("name", fctest.adapter_names())
def test_every_provider_async_run_with_the_mock_transport(name: str) -> None:
    fmt, settings = _provider(name)
    transport = AsyncMockTransport(
        script(
            HttpResponse(200, {}, body(fmt, None, CALLS)),
            HttpResponse(200, {}, body(fmt, "done")),
        )
    )
    ac = AsyncClient(name, "model-x", transport=transport, **settings)
    result = asyncio.run(ac.run("Weather?", [WEATHER]))
    assert result.text == "done"
    assert len(transport.requests) == 2
    assert isinstance(transport.requests[0], HttpRequest)
