"""The reference server: scenarios answered over real HTTP on loopback, and cassettes served.

Every test starts its server on port 0 through ``running`` (stopped when the block ends). The
mechanics are pinned against a small adapter whose encoders are defined here; the built-in
adapters then play every scenario of the catalogue end to end (``fctest.Client`` against the
live server), which is the proof that recording against the server works.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import fctest
from conftest import CORPUS, REPO
from fake_adapter import FakeAdapter
from fctest import HttpRequest, HttpResponse, Request, Response, RetryPolicy
from fctest._server._cassettes import split_events
from fctest._server._scenarios import call_id, plan
from fctest.cli import main
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    ServerError,
    UsageError,
)
from fctest.providers import Adapter, Responder, adapter_names, get_adapter, responder_for
from fctest.scenarios import SCENARIOS, ErrorTurn, ModelTurn, Scenario, get
from fctest.server import ReferenceServer, check_host, running

KEY = "sk-test-4f1c2b9e7d"
NO_WAIT = RetryPolicy(sleep=lambda _: None)


class ServedFake(FakeAdapter):
    """The test adapter, served by ``FakeResponder``."""


class FakeResponder(Responder[FakeAdapter]):
    """What the server needs to answer the test adapter's requests."""

    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        body = {
            "model": response.model,
            "text": response.text,
            "calls": [
                {"id": c.id, "name": c.name, "arguments": json.dumps(c.arguments)}
                for c in response.tool_calls
            ],
            "finish": response.finish_reason,
        }
        return HttpResponse(200, {"content-type": "application/json"}, json.dumps(body).encode())

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        lines: list[dict[str, Any]] = []
        if response.text:
            lines.append({"text": response.text})
        for c in response.tool_calls:
            lines.append(
                {"call": {"id": c.id, "name": c.name, "arguments": json.dumps(c.arguments)}}
            )
        lines.append({"finish": response.finish_reason})
        return [json.dumps(line).encode() + b"\n" for line in lines]

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        headers = {"content-type": "application/json"}
        if retry_after is not None:
            headers["retry-after"] = f"{retry_after:g}"
        return HttpResponse(status, headers, json.dumps({"error": message}).encode())

    def assistant_turns(self, request: HttpRequest) -> int:
        return sum(1 for m in request.json()["messages"] if m["role"] == "assistant")


class Unencoded(FakeAdapter):
    name = "bare"


@pytest.fixture
def fake_server() -> Iterator[ReferenceServer]:
    with running(adapters=[Unencoded()], responders=[FakeResponder(ServedFake())]) as server:
        yield server


def fake_client(server: ReferenceServer, **options: Any) -> fctest.Client:
    options.setdefault("api_key", KEY)
    options.setdefault("retry", NO_WAIT)
    return fctest.Client(ServedFake(), "fake-model", base_url=server.base_url("fake"), **options)


# --- playing a scenario through fctest.Client ------------------------------------------------
def play(client: fctest.Client, scenario: Scenario) -> list[Response]:
    """The scenario as a user's test runs it: ``complete``, ``stream`` or the tool loop."""
    request = scenario.request(client.model)
    options: dict[str, Any] = {
        "tool_choice": request.tool_choice,
        "parallel_tool_calls": request.parallel_tool_calls,
        "temperature": request.temperature,
        "max_output_tokens": request.max_output_tokens,
    }
    messages = list(request.messages)
    if scenario.run_loop:
        return list(client.run(messages, scenario.runnable_tools(), **options).responses)
    if scenario.stream:
        events = list(
            client.stream(messages, tools=request.tools, output=request.output, **options)
        )
        assert isinstance(events[-2], fctest.Finished)
        assert isinstance(events[-1], Response)
        return [events[-1]]
    return [client.complete(messages, tools=request.tools, output=request.output, **options)]


def check(scenario: Scenario, client: fctest.Client) -> None:
    """Play ``scenario`` and compare with its script: calls, text, finish reason, errors."""
    expected = [t for t in scenario.script if isinstance(t, ModelTurn)]
    final = scenario.script[-1]
    if isinstance(final, ErrorTurn):
        with pytest.raises(final.error) as info:
            play(client, scenario)
        assert info.value.status == final.status
        if final.retry_after is not None:
            assert info.value.retry_after == final.retry_after
        return
    responses = play(client, scenario)
    assert len(responses) == len(expected)
    for response, turn in zip(responses, expected, strict=True):
        assert [(c.name, c.arguments) for c in response.tool_calls] == list(turn.calls)
        assert not any(c.malformed for c in response.tool_calls)
        ids = [c.id for c in response.tool_calls]
        assert all(ids)
        assert len(set(ids)) == len(ids)
        assert (response.text or None) == turn.text
        assert response.finish_reason == turn.expected_finish_reason


# --- the mechanics, on the test adapter ------------------------------------------------------
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_every_scenario_plays_through_the_test_adapter(
    fake_server: ReferenceServer, scenario: Scenario
) -> None:
    with fake_client(fake_server) as client:
        check(scenario, client)


def test_a_retried_5xx_is_answered_once_then_the_turn_and_again_on_the_next_run(
    fake_server: ReferenceServer,
) -> None:
    scenario = get("error_5xx_then_success")
    with fake_client(fake_server) as client:
        for run in range(1, 3):
            check(scenario, client)
            assert fake_server.requests == 2 * run  # the 503, then its retry


def test_trailing_errors_cycle_so_each_run_sees_the_same(fake_server: ReferenceServer) -> None:
    with fake_client(fake_server, retry=RetryPolicy(max_attempts=1)) as client:
        for _ in range(3):
            with pytest.raises(RateLimitError) as info:
                play(client, get("error_429_retry_after"))
            assert info.value.retry_after == 2.0


def test_the_tool_loop_gets_one_scripted_turn_per_step(fake_server: ReferenceServer) -> None:
    with fake_client(fake_server) as client:
        (first, second, third) = play(client, get("tool_loop_three_steps"))
    assert [c.arguments["city"] for c in first.tool_calls] == ["Paris", "Lima"]
    assert second.tool_calls[0].name == "get_time"
    assert third.text == "Lima is warmer; it is 09:00 there."
    # ids are derived from scenario, step and position: the same on every run
    assert first.tool_calls[1].id == call_id("tool_loop_three_steps", 0, 1)
    assert fake_server.requests == 3


def test_a_scenario_whose_history_holds_assistant_turns_starts_at_step_zero(
    fake_server: ReferenceServer,
) -> None:
    scenario = get("moved_from_another_provider")  # two assistant turns already in its history
    assert sum(m.role == "assistant" for m in scenario.history) == 2
    with fake_client(fake_server) as client:
        check(scenario, client)


def test_a_stream_is_sent_chunked_with_each_event_on_its_own(fake_server: ReferenceServer) -> None:
    body = ServedFake().build_request(get("stream_parallel_calls").request("m"), _cfg()).body
    url = fake_server.base_url("fake") + "/chat"
    chunks: list[bytes] = []
    with (
        httpx.Client() as http,
        http.stream("POST", url, content=body, headers={"authorization": "Bearer k"}) as r,
    ):
        assert r.headers["content-type"] == "application/x-ndjson"  # not SSE: NDJSON lines
        assert r.headers["transfer-encoding"] == "chunked"
        chunks = list(r.iter_raw())
    lines = b"".join(chunks).splitlines()
    assert [json.loads(line).get("call", {}).get("name") for line in lines] == [
        "get_weather",
        "get_time",
        None,
    ]


def _cfg() -> fctest.providers.Config:
    return fctest.providers.Config(api_key="k", base_url="http://x/fake/v1")


def _post(server: ReferenceServer, path: str, body: bytes, **headers: str) -> httpx.Response:
    return httpx.post(server.url + path, content=body, headers=headers, timeout=10)


def _fake_body(text: str) -> bytes:
    request = Request(model="m", messages=(fctest.Message.user(text),))
    return ServedFake().build_request(request, _cfg()).body


def test_no_key_is_a_401_in_the_providers_shape(fake_server: ReferenceServer) -> None:
    r = _post(fake_server, "/fake/v1/chat", _fake_body("[fctest:single_call] hi"))
    assert r.status_code == 401
    assert "no API key was sent" in r.json()["error"]  # the fake adapter's {"error": "..."}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[fctest:nope] hi", "unknown scenario 'nope'; known: "),
        ("hi, no marker", "no [fctest:<scenario id>] marker in the request body; known: "),
    ],
)
def test_a_missing_or_unknown_marker_is_a_400_listing_the_scenarios(
    fake_server: ReferenceServer, text: str, needle: str
) -> None:
    r = _post(fake_server, "/fake/v1/chat", _fake_body(text), authorization="Bearer k")
    assert r.status_code == 400
    message = r.json()["error"]
    assert needle in message
    assert "single_call" in message
    assert "error_5xx_then_success" in message
    with pytest.raises(BadRequestError):
        ServedFake().parse_response(HttpResponse(r.status_code, dict(r.headers), r.content))


def test_an_endpoint_the_adapter_would_not_use_names_the_right_one(
    fake_server: ReferenceServer,
) -> None:
    body = _fake_body("[fctest:single_call] hi")
    r = _post(fake_server, "/fake/v1/responses", body, authorization="Bearer k")
    assert r.status_code == 404
    assert r.json()["error"] == (
        "fctest reference server: POST /fake/v1/responses is not where the fake adapter sends "
        "this request (/fake/v1/chat); use the base URL ending in /fake/v1"
    )
    # another API version before the endpoint is fine (google-genai 3.x calls /v1/, not /v1beta/)
    r = _post(fake_server, "/fake/v2/chat", body, authorization="Bearer k")
    assert r.status_code == 200


def test_an_unknown_provider_and_an_adapter_without_encoders(
    fake_server: ReferenceServer,
) -> None:
    body = _fake_body("[fctest:single_call] hi")
    r = _post(fake_server, "/nope/v1/chat", body, authorization="Bearer k")
    assert r.status_code == 404
    assert r.json()["error"]["message"] == (
        "no provider 'nope': paths start with /<provider>/; known providers: bare, fake"
    )
    r = _post(fake_server, "/bare/v1/chat", body, authorization="Bearer k")
    assert r.status_code == 501
    assert r.json()["error"]["message"] == (
        "the 'bare' adapter cannot answer: adapter 'bare' has no responder: the provider's side "
        "(what its API would answer) is registered under the 'fctest.responders' entry-point group"
    )
    with pytest.raises(UsageError, match="no adapter named 'nope' on this server; known: bare"):
        fake_server.base_url("nope")


def test_a_body_the_adapter_cannot_read_is_a_400_in_its_shape(
    reference_server: ReferenceServer,
) -> None:
    url = reference_server.base_url("anthropic") + "/v1/messages"
    r = httpx.post(
        url, content=b'{"prompt": "[fctest:single_call] hi"}', headers={"x-api-key": KEY}
    )
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith(
        "fctest reference server: anthropic: not a Messages request: the body has no 'messages' list"
    )


def test_a_request_past_the_end_of_the_script_is_refused(fake_server: ReferenceServer) -> None:
    scenario = get("single_call")
    history = (
        *scenario.request("m").messages,
        fctest.Message.assistant("done"),
        fctest.Message.user("again"),
    )
    body = ServedFake().build_request(Request(model="m", messages=history), _cfg()).body
    r = _post(fake_server, "/fake/v1/chat", body, authorization="Bearer k")
    assert r.status_code == 400
    assert (
        "'single_call' has 1 model turn(s) but this request holds 1 answered turn(s)"
        in (r.json()["error"])
    )


def test_the_plan_groups_errors_before_their_model_turn() -> None:
    ok = ModelTurn(text="ok")
    e1 = ErrorTurn(503, ServerError, "a")
    e2 = ErrorTurn(429, RateLimitError, "b")
    assert plan([e1, ok, e2, e1, ok]) == (((e1,), ok), ((e2, e1), ok))
    assert plan([ok, e2]) == (((), ok), ((e2,), None))
    assert plan([]) == (((), None),)


def test_get_root_lists_the_base_urls(fake_server: ReferenceServer) -> None:
    r = httpx.get(fake_server.url + "/")
    assert r.headers["server"] == f"fctest/{fctest.__version__}"
    assert r.headers["x-fctest-server"] == "scenarios"
    index = r.json()
    assert index["mode"] == "scenarios"
    assert index["base_urls"] == {
        "bare": fake_server.url + "/bare/v1",
        "fake": fake_server.url + "/fake/v1",
    }
    assert index["scenarios"] == sorted(s.id for s in SCENARIOS)


def test_keys_are_never_logged(
    fake_server: ReferenceServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="fctest")
    body = _fake_body("[fctest:single_call] hi")
    _post(fake_server, f"/fake/v1/chat?key={KEY}", body, authorization=f"Bearer {KEY}")
    _post(fake_server, f"/fake/v1/chat?key={KEY}", b"{", **{"x-api-key": KEY})
    with socket.create_connection((fake_server.host, fake_server.port)) as s:
        s.sendall(f"BOGUS /x?key={KEY} HTTP/1.1\r\n\r\n".encode())  # the stdlib's error path
        s.recv(1024)
    assert "POST /fake/v1/chat?key=<redacted> -> 200 single_call step 0" in caplog.text
    assert KEY not in caplog.text


def test_the_stdlib_error_path_redacts_every_credential_parameter(
    fake_server: ReferenceServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="fctest")
    with socket.create_connection((fake_server.host, fake_server.port)) as s:
        # Too many words: the stdlib logs "Bad request syntax" quoting the whole request line.
        s.sendall(f"GET /x?alt=sse&api_key={KEY}&sig={KEY} extra HTTP/1.1\r\n\r\n".encode())
        s.recv(1024)
    assert "/x?alt=sse&api_key=<redacted>&sig=<redacted>" in caplog.text
    assert KEY not in caplog.text


def test_leaving_running_closes_keep_alive_connections_and_their_threads() -> None:
    import threading
    import time

    before = set(threading.enumerate())
    with httpx.Client() as http:  # stays open after the server is gone
        with running(responders=[FakeResponder(ServedFake())]) as server:
            for _ in range(2):  # one kept-alive connection, its handler thread waiting for more
                assert http.get(server.url + "/").status_code == 200
            started = set(threading.enumerate()) - before
            assert len(started) == 2  # the serving loop and the connection's handler
        deadline = time.monotonic() + 5
        while any(t.is_alive() for t in started) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not any(t.is_alive() for t in started)


def test_chunked_request_bodies_are_read(fake_server: ReferenceServer) -> None:
    body = _fake_body("[fctest:single_call] hi")
    r = httpx.post(
        fake_server.base_url("fake") + "/chat",
        content=iter([body[:10], body[10:]]),  # no length known: sent chunked
        headers={"authorization": "Bearer k"},
    )
    assert r.status_code == 200
    assert r.json()["calls"][0]["name"] == "get_weather"


# --- hosts and the command --------------------------------------------------------------------
@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::", ""])
def test_non_loopback_hosts_are_refused(host: str) -> None:
    with pytest.raises(UsageError, match="is not a loopback address"):
        check_host(host)


def test_loopback_hosts_are_accepted() -> None:
    assert check_host("localhost") == "127.0.0.1"
    assert check_host("127.0.0.2") == "127.0.0.2"
    assert check_host("[::1]") == "::1"


def test_ipv6_loopback_serves_when_the_machine_has_it() -> None:
    if not socket.has_ipv6:
        pytest.skip("this Python has no IPv6 support")
    try:
        server_cm = running("::1", responders=[FakeResponder(ServedFake())])
        server = server_cm.__enter__()
    except OSError as exc:
        pytest.skip(f"::1 cannot be bound here: {exc}")
    try:
        assert server.url.startswith("http://[::1]:")
        assert httpx.get(server.url + "/").json()["base_urls"]["fake"].endswith("/fake/v1")
    finally:
        server_cm.__exit__(None, None, None)


def test_the_command_refuses_other_hosts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert (
        "fctest serve: error: host '0.0.0.0' is not a loopback address" in capsys.readouterr().err
    )


def test_the_command_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["serve", "--port", str(taken.getsockname()[1])]) == 2
    assert "fctest serve: error: [Errno" in capsys.readouterr().err


def test_the_command_prints_base_urls_answers_and_stops_on_ctrl_c() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fctest", "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("fctest reference server ")
        url = first.rsplit(" on ", 1)[1].strip()
        lines = [proc.stdout.readline() for _ in range(2 + len(adapter_names()))]
        assert lines[0].startswith(f"answering {len(SCENARIOS)} conformance scenarios")
        assert any(line.split() == ["openai", f"{url}/openai/v1"] for line in lines)
        assert any(line.split() == ["gemini", f"{url}/gemini"] for line in lines)
        assert httpx.get(url + "/", timeout=10).json()["url"] == url
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "fctest serve: stopped" in out


# --- cassettes --------------------------------------------------------------------------------
def _vcr(interactions: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    return yaml.safe_dump(
        {"interactions": [{"request": q, "response": r} for q, r in interactions], "version": 1}
    )


def _req(url: str, body: Any) -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body)
    return {"method": "POST", "uri": url, "body": text, "headers": {}}


def _resp(status: int, body: str, ctype: str = "application/json") -> dict[str, Any]:
    return {
        "status": {"code": status, "message": ""},
        "headers": {"Content-Type": [ctype], "Content-Length": ["999"], "Server": ["cloudflare"]},
        "body": {"string": body},
    }


SSE = 'data: {"a":1}\n\ndata: {"a":2}\r\n\r\n: comment\n\ndata: [DONE]\n\n'


@pytest.fixture
def cassette_dir(tmp_path: Path) -> Path:
    chat = "https://api.openai.com/v1/chat/completions"
    body = {"model": "gpt-4o", "temperature": 0.0, "messages": [{"role": "user", "content": "hi"}]}
    stream_body = {**body, "stream": True}
    (tmp_path / "openai").mkdir()
    (tmp_path / "openai" / "chat.yaml").write_text(
        _vcr(
            [
                (_req(chat, body), _resp(503, '{"error": {"message": "busy"}}')),
                (_req(chat, body), _resp(200, '{"id": "second"}')),
                (_req(chat, stream_body), _resp(200, SSE, "text/event-stream")),
            ]
        )
    )
    (tmp_path / "local.yaml").write_text(
        _vcr([(_req("http://127.0.0.1:4321/anthropic/v1/messages", {"x": 1}), _resp(200, "{}"))])
    )
    (tmp_path / "fixture.json").write_text('{"id": "response only"}')
    (tmp_path / "notes.yaml").write_text("just: notes\n")
    (tmp_path / "README.md").write_text("not a cassette")
    return tmp_path


@pytest.fixture
def cassette_server(cassette_dir: Path) -> Iterator[ReferenceServer]:
    with running(cassettes=cassette_dir) as server:
        yield server


def test_cassettes_answer_by_method_path_and_normalised_body(
    cassette_server: ReferenceServer,
) -> None:
    # keys in another order, 0 for 0.0, whitespace: the same JSON
    same = (
        b'{ "messages": [{"content": "hi", "role": "user"}], "temperature": 0, "model": "gpt-4o"}'
    )
    for base in (cassette_server.url + "/v1", cassette_server.base_url("openai")):
        first = httpx.post(base + "/chat/completions", content=same)
        second = httpx.post(base + "/chat/completions", content=same)
        assert (first.status_code, second.status_code) == (503, 200)  # in recorded order
        assert second.json() == {"id": "second"}
        assert "content-length" in second.headers  # the real one, not the recorded 999
        assert second.headers["content-length"] == str(len(second.content))
    r = httpx.post(cassette_server.url + "/anthropic/v1/messages", content=b'{"x": 1.0}')
    assert r.status_code == 200  # recorded against a server on another port
    assert r.headers["x-fctest-server"] == "cassettes"
    assert r.headers.get_list("server") == [f"fctest/{fctest.__version__}"]  # not the recorded one


def test_cassette_streams_replay_byte_for_byte(cassette_server: ReferenceServer) -> None:
    body = json.dumps(
        {
            "stream": True,
            "model": "gpt-4o",
            "temperature": 0,
            "messages": [{"role": "user", "content": "hi"}],
        }
    )
    with (
        httpx.Client() as http,
        http.stream("POST", cassette_server.url + "/v1/chat/completions", content=body) as r,
    ):
        assert r.headers["transfer-encoding"] == "chunked"
        assert r.headers["content-type"] == "text/event-stream"
        assert r.read() == SSE.encode()


def test_no_match_is_a_404_naming_the_nearest_recordings(
    cassette_server: ReferenceServer,
) -> None:
    body = {
        "model": "gpt-4o-mini",
        "temperature": 0,
        "messages": [{"role": "user", "content": "hi"}],
    }
    r = httpx.post(cassette_server.base_url("openai") + "/chat/completions", json=body)
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["type"] == "fctest_no_recording"
    assert error["message"].startswith(
        "no recorded interaction matches POST /openai/v1/chat/completions with this body "
        "(4 interactions from 2 cassettes in "
    )
    nearest = error["nearest"]
    assert nearest[0] == {
        "cassette": "openai/chat.yaml",
        "interaction": 0,
        "method": "POST",
        "path": "/v1/chat/completions",
        "body_differs_at": ["/model"],
    }
    assert nearest[2]["body_differs_at"] == ["/model", "/stream"]
    r = httpx.post(cassette_server.url + "/v2/elsewhere", content=b"not json")
    assert r.status_code == 404
    assert r.json()["error"]["nearest"]  # by path similarity


def test_files_that_cannot_be_served_are_listed(cassette_server: ReferenceServer) -> None:
    index = httpx.get(cassette_server.url + "/").json()
    assert index["mode"] == "cassettes"
    assert index["routes"] == [
        "POST /anthropic/v1/messages (1)",
        "POST /v1/chat/completions (3)",
    ]
    skipped = "\n".join(index["skipped"])
    assert "fixture.json#0: response-only: no request to match" in skipped
    assert re.search(r"notes\.yaml: \S+notes\.yaml: unknown cassette layout", skipped)
    assert "README.md" not in skipped


def test_a_cassettes_path_that_is_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a directory"):
        ReferenceServer(cassettes=tmp_path / "missing")
    with pytest.raises(UsageError, match="not both"):
        ReferenceServer(cassettes=tmp_path, adapters=[ServedFake()])


def test_the_command_serves_cassettes(cassette_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fctest", "serve", "--cassettes", str(cassette_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().rsplit(" on ", 1)[1].strip()
        assert proc.stdout.readline().startswith("serving 4 recorded interactions from 2 cassettes")
        r = httpx.post(url + "/anthropic/v1/messages", content=b'{"x":1}', timeout=10)
        assert r.status_code == 200
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0


CORPUS_SAMPLE = [
    "Arize-ai__openinference/anthropic/test_anthropic_instrumentation_multiple_tool_calling_streaming.yaml",
    "pydantic__pydantic-ai/anthropic/test_anthropic_mixed_strict_tool_run.yaml",
    "langchain-ai__langchain-aws/bedrock/test_agent_loop[v0].yaml.gz",
]


def test_real_recordings_are_replayed_to_the_bytes(tmp_path: Path) -> None:
    from fctest._cassettes import load_cassette

    if not CORPUS.is_dir():
        pytest.skip(f"the cassette corpus is not at {CORPUS}")
    for name in CORPUS_SAMPLE:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((CORPUS / name).read_bytes())
    with running(cassettes=tmp_path) as server, httpx.Client() as http:
        for name in CORPUS_SAMPLE:
            for interaction in load_cassette(tmp_path / name):
                recorded = interaction.request
                assert recorded is not None
                path = httpx.URL(recorded.url).path
                try:  # re-serialised as another client would: keys sorted, other spacing
                    content = json.dumps(json.loads(recorded.body), sort_keys=True, indent=1)
                except ValueError:
                    content = recorded.body.decode()
                r = http.post(server.url + path, content=content, timeout=10)
                assert r.status_code == interaction.response.status, name
                assert r.content == interaction.response.body, name


# --- small pieces ----------------------------------------------------------------------------
@given(st.lists(st.sampled_from([b"data: x", b"\n", b"\r\n", b"\r", b"event: e", b"{}", b":"])))
def test_split_events_keeps_every_byte(pieces: list[bytes]) -> None:
    body = b"".join(pieces)
    assert b"".join(split_events(body)) == body


def test_split_events_cuts_after_each_event() -> None:
    assert split_events(SSE.encode()) == (
        b'data: {"a":1}\n\n',
        b'data: {"a":2}\r\n\r\n',
        b": comment\n\n",
        b"data: [DONE]\n\n",
    )
    assert split_events(b'{"a":1}\n{"a":2}\n') == (b'{"a":1}\n', b'{"a":2}\n')


# --- every built-in adapter, every scenario, over real HTTP ----------------------------------
BUILTINS = sorted(
    n for n in adapter_names() if type(get_adapter(n)).__module__.startswith("fctest.")
)


def _has_encoders(adapter: Adapter) -> bool:
    try:
        responder_for(adapter)
    except UsageError:
        return False
    return True


@pytest.fixture(scope="module")
def reference_server() -> Iterator[ReferenceServer]:
    with running() as server:
        yield server


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
@pytest.mark.parametrize("provider", BUILTINS)
def test_every_builtin_adapter_plays_every_scenario_over_http(
    reference_server: ReferenceServer, provider: str, scenario: Scenario
) -> None:
    adapter = get_adapter(provider)
    if not _has_encoders(adapter):
        pytest.skip(f"{provider}: encoders not implemented yet")
    before = reference_server.requests
    with fctest.Client(
        provider,
        "fctest-model",
        base_url=reference_server.base_url(provider),
        api_key=KEY,
        retry=NO_WAIT,
    ) as client:
        reason = scenario.unsupported_reason(adapter.profile)
        if reason is not None:
            with pytest.raises(UsageError):
                play(client, scenario)
            assert reference_server.requests == before  # refused before anything was sent
            return
        check(scenario, client)
    assert reference_server.requests > before


def test_the_servers_refusals_come_in_each_builtin_providers_error_shape(
    reference_server: ReferenceServer,
) -> None:
    for provider in BUILTINS:
        adapter = get_adapter(provider)
        if not _has_encoders(adapter):
            continue
        # no key at all (the client would refuse to send that): the provider's own 401 shape
        config = adapter.config_type(base_url=reference_server.base_url(provider))
        http = adapter.build_request(get("single_call").request("m"), config)
        r = httpx.post(http.url, content=http.body, headers=dict(http.headers), timeout=10)
        error = adapter.parse_error(HttpResponse(r.status_code, dict(r.headers), r.content))
        assert isinstance(error, AuthenticationError), provider
        assert "no API key was sent" in str(error), provider
        with (
            fctest.Client(
                provider, "m", base_url=reference_server.base_url(provider), api_key=KEY
            ) as client,
            pytest.raises(BadRequestError, match="unknown scenario 'nope'"),
        ):
            client.complete("[fctest:nope] hi")


def test_every_builtin_adapter_has_the_encoders_the_server_needs() -> None:
    assert [n for n in BUILTINS if not _has_encoders(get_adapter(n))] == []


# --- the official SDKs as clients: the server speaks the real wire ---------------------------
WEATHER_JSON = get("single_call").tools[0].parameters
PARIS = [("get_weather", {"city": "Paris", "unit": "celsius"})]
PARALLEL = list(get("stream_parallel_calls").script[0].calls)  # type: ignore[union-attr]


def test_the_openai_sdk_reads_the_server(reference_server: ReferenceServer) -> None:
    openai = pytest.importorskip("openai")
    tools = [
        {"type": "function", "function": {"name": t.name, "parameters": t.parameters}}
        for t in get("stream_parallel_calls").tools
    ]
    for provider in ("openai", "groq", "xai", "openrouter"):
        with openai.OpenAI(
            base_url=reference_server.base_url(provider), api_key=KEY, max_retries=0
        ) as sdk:
            done = sdk.chat.completions.create(
                model="gpt-4o",
                messages=[{"role": "user", "content": "[fctest:single_call] Weather in Paris?"}],
                tools=tools[:1],
            )
            calls = done.choices[0].message.tool_calls
            assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == PARIS
            assert done.choices[0].finish_reason == "tool_calls"
            stream = sdk.chat.completions.create(
                model="gpt-4o",
                messages=[{"role": "user", "content": "[fctest:stream_parallel_calls] go"}],
                tools=tools,
                stream=True,
            )
            names: dict[int, str] = {}
            arguments: dict[int, str] = {}
            for chunk in stream:
                for delta in chunk.choices[0].delta.tool_calls or () if chunk.choices else ():
                    if delta.function and delta.function.name:
                        names[delta.index] = delta.function.name
                    if delta.function and delta.function.arguments:
                        arguments[delta.index] = (
                            arguments.get(delta.index, "") + delta.function.arguments
                        )
            got = [(names[i], json.loads(arguments.get(i) or "{}")) for i in sorted(names)]
            assert got == PARALLEL, provider
        with (
            openai.OpenAI(
                base_url=reference_server.base_url(provider), api_key=KEY, max_retries=0
            ) as sdk,
            pytest.raises(openai.RateLimitError),
        ):
            sdk.chat.completions.create(
                model="gpt-4o",
                messages=[{"role": "user", "content": "[fctest:error_429_retry_after]"}],
            )

    with openai.OpenAI(
        base_url=reference_server.base_url("openai-responses"), api_key=KEY, max_retries=0
    ) as sdk:
        response = sdk.responses.create(
            model="gpt-4o",
            input="[fctest:parallel_two] Weather in Paris, and the time there?",
            tools=[{"type": "function", **t["function"], "strict": False} for t in tools],
        )
        got = [
            (i.name, json.loads(i.arguments)) for i in response.output if i.type == "function_call"
        ]
        assert got == PARALLEL


def test_the_anthropic_sdk_reads_the_server(reference_server: ReferenceServer) -> None:
    anthropic = pytest.importorskip("anthropic")
    tools = [
        {"name": t.name, "description": t.description, "input_schema": t.parameters}
        for t in get("stream_parallel_calls").tools
    ]
    with anthropic.Anthropic(
        base_url=reference_server.base_url("anthropic"), api_key=KEY, max_retries=0
    ) as sdk:
        message = sdk.messages.create(
            model="fctest-model",
            max_tokens=256,
            messages=[{"role": "user", "content": "[fctest:single_call] Weather in Paris?"}],
            tools=tools[:1],
        )
        assert [(b.name, b.input) for b in message.content if b.type == "tool_use"] == PARIS
        assert message.stop_reason == "tool_use"
        with sdk.messages.stream(
            model="fctest-model",
            max_tokens=256,
            messages=[{"role": "user", "content": "[fctest:stream_parallel_calls] go"}],
            tools=tools,
        ) as stream:
            final = stream.get_final_message()
        assert [(b.name, b.input) for b in final.content if b.type == "tool_use"] == PARALLEL


def test_the_google_genai_sdk_reads_the_server(reference_server: ReferenceServer) -> None:
    genai = pytest.importorskip("google.genai")
    types = genai.types
    declarations = [
        types.FunctionDeclaration(name=t.name, parameters_json_schema=t.parameters)
        for t in get("stream_parallel_calls").tools
    ]
    config = types.GenerateContentConfig(tools=[types.Tool(function_declarations=declarations)])
    # google-genai 3.x calls /v1/ by default where fctest's adapter calls /v1beta/: both answer
    with genai.Client(
        api_key=KEY, http_options=types.HttpOptions(base_url=reference_server.base_url("gemini"))
    ) as sdk:
        answer = sdk.models.generate_content(
            model="gemini-2.5-flash", contents="[fctest:parallel_two] go", config=config
        )
        assert [(c.name, c.args) for c in answer.function_calls or ()] == PARALLEL
        got = []
        for chunk in sdk.models.generate_content_stream(
            model="gemini-2.5-flash", contents="[fctest:stream_parallel_calls] go", config=config
        ):
            got += [(c.name, c.args) for c in chunk.function_calls or ()]
        assert got == PARALLEL


def test_answers_recorded_in_the_plugins_format_are_served_back(tmp_path: Path) -> None:
    """Reference server -> a cassette in the plugin's format -> served -> decoded by the client."""
    from fctest._cassettes import encode_cassette

    adapter = get_adapter("openai")
    played = [get("single_call"), get("stream_parallel_calls")]
    interactions: list[dict[str, Any]] = []
    with running() as live, httpx.Client() as http:
        config = fctest.providers.Config(api_key=KEY, base_url=live.base_url("openai"))
        for scenario in played:
            sent = adapter.build_request(scenario.request("gpt-4o"), config)
            r = http.post(sent.url, content=sent.body, headers=dict(sent.headers))
            interactions.append(
                {
                    "request": {
                        "method": "POST",
                        "uri": "https://api.openai.com/v1/chat/completions",  # canonical
                        "body": sent.body,
                        "headers": {},
                    },
                    "response": {
                        "status": {"code": r.status_code, "message": "OK"},
                        "headers": {k: [v] for k, v in r.headers.items()},
                        "body": {"string": r.content},
                    },
                }
            )
    text = encode_cassette(
        {"interactions": interactions}, provenance={"source": "reference-server"}
    )
    assert "    events:\n" in text  # the stream is stored as a list of events
    (tmp_path / "openai").mkdir()
    (tmp_path / "openai" / "recorded.yaml").write_text(text)
    with running(cassettes=tmp_path) as replay:
        assert replay.cassettes is not None
        assert replay.cassettes.skipped == []
        with fctest.Client(
            "openai", "gpt-4o", base_url=replay.base_url("openai"), api_key=KEY
        ) as c:
            for scenario in played:
                check(scenario, c)
        with httpx.Client() as http:
            sent = adapter.build_request(played[1].request("gpt-4o"), config)
            url = replay.base_url("openai") + "/chat/completions"
            assert (
                http.post(url, content=sent.body).content
                == interactions[1]["response"]["body"]["string"]
            )


# --- docs/server.md cannot drift -------------------------------------------------------------
DOC = REPO / "docs" / "server.md"


def test_the_docs_base_url_table_is_what_the_server_serves() -> None:
    rows = re.findall(
        r"^\| `([\w-]+)` \| `http://127\.0\.0\.1:PORT([^`]*)` \|", DOC.read_text(), re.M
    )
    with running() as server:
        assert dict(rows) == {
            name: url.removeprefix(server.url) for name, url in server.base_urls().items()
        }
    assert sorted(dict(rows)) == BUILTINS


def test_the_docs_python_example_prints_what_it_says(capsys: pytest.CaptureFixture[str]) -> None:
    block = re.search(r"^```python\n(.*?)^```", DOC.read_text(), re.S | re.M)
    assert block is not None
    exec(compile(block.group(1), str(DOC), "exec"), {})
    printed = capsys.readouterr().out.strip()
    assert f"# {printed}" in block.group(1)
