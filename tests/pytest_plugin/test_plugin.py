"""The plugin run by pytest itself (pytester): record modes, drift, unplayed interactions,
provider selection, results, secrets, no network in mode ``none``, streams byte for byte.

Recordings are made against a small OpenAI-compatible server on 127.0.0.1 (``_loopback``)
through ``--fctest-base-url``; the cassettes must still name ``https://api.openai.com``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from . import _loopback

WEATHER_TEST = """
import pytest
from fctest import Tool

WEATHER = Tool(
    name="get_weather",
    description="Current weather for a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


@pytest.mark.fctest_capability("tool_call")
def test_weather(fctest_client):
    response = fctest_client.complete("Weather in @CITY@?", tools=[WEATHER])
    assert [(c.name, c.arguments) for c in response.tool_calls] == [
        ("get_weather", {"city": "@CITY@"})
    ]
"""

TWO_CALLS_TEST = """
from fctest import Tool

WEATHER = Tool(name="get_weather", description="Weather.", parameters={"type": "object"})


def test_two(fctest_client):
    fctest_client.complete("Weather in Paris?", tools=[WEATHER])
    @SECOND@
"""


@pytest.fixture
def server() -> Iterator[_loopback.Server]:
    with _loopback.running() as state:
        yield state


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A project that treats warnings as errors, with no provider key in the environment."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "XAI_API_KEY", "GROQ_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    return pytester


def run(
    project: pytest.Pytester, server: _loopback.Server | None, mode: str, *args: str
) -> pytest.RunResult:
    options = ["-p", "no:cacheprovider", "--fctest-providers", "openai"]
    options += ["--fctest-record-mode", mode]
    if server is not None:
        options += ["--fctest-base-url", f"openai={server.base_url}"]
    return project.runpytest(*options, *args)


def cassette(project: pytest.Pytester, name: str = "test_weather") -> Path:
    return project.path / "cassettes" / "openai" / "test_mod" / f"{name}.yaml"


# --- record modes ---------------------------------------------------------------------------
def test_mode_none_without_a_cassette_says_how_to_record(
    project: pytest.Pytester, server: _loopback.Server
) -> None:
    project.makepyfile(test_mod=WEATHER_TEST.replace("@CITY@", "Paris"))
    result = run(project, server, "none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*CassetteMissing: no cassette at cassettes/openai/test_mod/test_weather.yaml*",
            "*--fctest-record-mode=once*",
        ]
    )
    assert server.requests == []  # mode none never sends
    assert not cassette(project).exists()


def test_once_records_canonical_scrubbed_decoded_then_replays(
    project: pytest.Pytester, server: _loopback.Server
) -> None:
    project.makepyfile(test_mod=WEATHER_TEST.replace("@CITY@", "Paris"))
    run(project, server, "once").assert_outcomes(passed=1)
    assert len(server.requests) == 1
    text = cassette(project).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    (interaction,) = data["interactions"]
    request, response = interaction["request"], interaction["response"]
    # Stored under OpenAI's own URL, whatever port the recording used.
    assert request["uri"] == "https://api.openai.com/v1/chat/completions"
    assert "127.0.0.1" not in json.dumps(data["interactions"])
    assert data["fctest"]["endpoint"] == server.base_url
    assert data["fctest"]["source"] == "compatible-server"
    assert data["fctest"]["provider"] == "openai"
    assert data["fctest"]["api_version"] == "v1"
    assert request["headers"]["authorization"] == ["<redacted>"]
    assert "user-agent" not in request["headers"]
    assert request["parsed_body"]["messages"] == [{"role": "user", "content": "Weather in Paris?"}]
    # The gzip body was decoded, stored parsed, and replays with its exact layout.
    assert "content-encoding" not in {k.lower() for k in response["headers"]}
    assert response["parsed_body"]["choices"][0]["finish_reason"] == "tool_calls"
    assert response["json_style"] == "indent2"

    # once, with the cassette there: replay only.
    run(project, server, "once").assert_outcomes(passed=1)
    run(project, server, "none").assert_outcomes(passed=1)
    assert len(server.requests) == 1


def test_request_drift_names_the_json_paths(
    project: pytest.Pytester, server: _loopback.Server
) -> None:
    project.makepyfile(test_mod=WEATHER_TEST.replace("@CITY@", "Paris"))
    run(project, server, "once").assert_outcomes(passed=1)
    project.makepyfile(test_mod=WEATHER_TEST.replace("@CITY@", "Lima"))
    result = run(project, server, "none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*RequestDrift: request drift: POST https://api.openai.com/v1/chat/completions "
            "matches no unplayed interaction in cassettes/openai/test_mod/test_weather.yaml*",
            "*Nearest recorded request #0: 1 JSON path differs:",
            '*/messages/0/content: recorded "Weather in Paris?", now "Weather in Lima?"',
            "*--fctest-record-mode=all*",
        ]
    )
    assert len(server.requests) == 1


def test_a_swallowed_drift_still_fails_the_test(
    project: pytest.Pytester, server: _loopback.Server
) -> None:
    project.makepyfile(test_mod=WEATHER_TEST.replace("@CITY@", "Paris"))
    run(project, server, "once").assert_outcomes(passed=1)
    project.makepyfile(
        test_mod="""
        def test_weather(fctest_client):
            try:
                fctest_client.complete("Something else entirely")
            except Exception:
                pass  # code under test that hides every error
        """
    )
    result = run(project, server, "none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*RequestDrift*"])


def test_new_episodes_records_what_is_missing_and_all_rewrites(
    project: pytest.Pytester, server: _loopback.Server
) -> None:
    project.makepyfile(test_mod=TWO_CALLS_TEST.replace("@SECOND@", "pass"))
    run(project, server, "once").assert_outcomes(passed=1)
    path = cassette(project, "test_two")
    assert len(yaml.safe_load(path.read_text())["interactions"]) == 1

    # A second request: new_episodes replays the first and records the second.
    project.makepyfile(
        test_mod=TWO_CALLS_TEST.replace(
            "@SECOND@", 'fctest_client.complete("Weather in Oslo?", tools=[WEATHER])'
        )
    )
    run(project, server, "new_episodes").assert_outcomes(passed=1)
    assert len(server.requests) == 2
    recorded = yaml.safe_load(path.read_text())["interactions"]
    assert [i["request"]["parsed_body"]["messages"][0]["content"] for i in recorded] == [
        "Weather in Paris?",
        "Weather in Oslo?",
    ]
    run(project, server, "none").assert_outcomes(passed=1)

    # Back to one request: the unplayed interaction fails replay; `all` records afresh.
    project.makepyfile(test_mod=TWO_CALLS_TEST.replace("@SECOND@", "pass"))
    result = run(project, server, "none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*UnplayedInteractions: 1 of 2 recorded interactions in "
            "cassettes/openai/test_mod/test_two.yaml was never requested*",
            "*#1 POST https://api.openai.com/v1/chat/completions",
        ]
    )
    run(project, server, "all").assert_outcomes(passed=1)
    assert len(server.requests) == 3
    assert len(yaml.safe_load(path.read_text())["interactions"]) == 1
    run(project, server, "none").assert_outcomes(passed=1)


def test_a_retried_request_is_not_replayed_from_the_same_recording(
    project: pytest.Pytester, server: _loopback.Server
) -> None:
    """Two identical requests in one test: both reach the server when recording, and replay
    answers them in order from the two recorded interactions."""
    project.makepyfile(
        test_mod=TWO_CALLS_TEST.replace(
            "@SECOND@", 'fctest_client.complete("Weather in Paris?", tools=[WEATHER])'
        )
    )
    run(project, server, "once").assert_outcomes(passed=1)
    assert len(server.requests) == 2
    run(project, server, "none").assert_outcomes(passed=1)


# --- streams ------------------------------------------------------------------------------
STREAM_TEST = """
import pathlib

import httpx


def test_stream(fctest_cassette):
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "Weather in Paris?"}]}
    with httpx.Client() as client:
        with client.stream("POST", fctest_cassette.base_url + "/chat/completions", json=body) as r:
            data = b"".join(r.iter_raw())
    pathlib.Path("@OUT@").write_bytes(data)
"""


def test_a_stream_is_stored_as_events_and_replayed_byte_for_byte(
    project: pytest.Pytester, server: _loopback.Server
) -> None:
    expected = _loopback.sse_body({"city": "Paris"})
    project.makepyfile(test_mod=STREAM_TEST.replace("@OUT@", "recorded.bin"))
    run(project, server, "once").assert_outcomes(passed=1)
    assert (project.path / "recorded.bin").read_bytes() == expected
    stored = yaml.safe_load(cassette(project, "test_stream").read_text())
    stream = stored["interactions"][0]["response"]["stream"]
    assert stream["format"] == "sse"
    assert stream["events"][0]["data"]["object"] == "chat.completion.chunk"  # parsed JSON
    assert stream["events"][-2:] == [": keep-alive comment", {"data": "[DONE]"}]

    project.makepyfile(test_mod=STREAM_TEST.replace("@OUT@", "replayed.bin"))
    run(project, None, "none").assert_outcomes(passed=1)
    assert (project.path / "replayed.bin").read_bytes() == expected
    assert len(server.requests) == 1


# --- no network in mode none --------------------------------------------------------------
BLOCK_SOCKETS = """
import socket

import pytest

_real = socket.socket.connect


def _blocked(self, address):
    raise RuntimeError(f"network blocked: connect to {address!r}")


def pytest_configure(config):
    socket.socket.connect = _blocked


def pytest_unconfigure(config):
    socket.socket.connect = _real
"""


def test_mode_none_touches_no_network(project: pytest.Pytester, server: _loopback.Server) -> None:
    project.makepyfile(
        test_mod=WEATHER_TEST.replace("@CITY@", "Paris")
        + STREAM_TEST.replace("@OUT@", "replayed.bin")
    )
    run(project, server, "once").assert_outcomes(passed=2)
    project.makeconftest(BLOCK_SOCKETS)
    # The same override given: the cassette still answers, nothing connects anywhere.
    run(project, server, "none").assert_outcomes(passed=2)
    run(project, None, "none").assert_outcomes(passed=2)
    # A request the cassette lacks is a drift, not an attempt to connect.
    project.makepyfile(test_mod=WEATHER_TEST.replace("@CITY@", "Lima"))
    result = run(project, None, "none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*RequestDrift*"])
    result.stdout.no_fnmatch_line("*network blocked*")
    assert len(server.requests) == 2


# --- providers, ids, results --------------------------------------------------------------
def test_provider_selection_and_ids(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mod="""
        def test_x(fctest_provider, fctest_adapter):
            assert fctest_adapter.name == fctest_provider
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--co", "-q")
    from fctest.providers import adapter_names

    result.stdout.fnmatch_lines([f"test_mod.py::test_x[{name}]" for name in adapter_names()])
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-v", "--fctest-providers", "anthropic,gemini"
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_x[[]anthropic[]] PASSED*", "*test_x[[]gemini[]] PASSED*"])
    pytester.makeini("[pytest]\nfctest_providers = openai-responses\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_x[[]openai-responses[]] PASSED*"])
    result = pytester.runpytest("-p", "no:cacheprovider", "--fctest-providers", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no adapter named 'nope'; registered adapters: anthropic*"])


def test_bad_options_are_usage_errors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_mod="def test_x(): pass")
    for args, message in [
        (["--fctest-base-url", "openai"], "*--fctest-base-url takes PROVIDER=URL*"),
        (["--fctest-base-url", "openai=ftp://x"], "*must start with http*"),
        (["--fctest-model", "nope=m"], "*no adapter named 'nope'*"),
    ]:
        result = pytester.runpytest("-p", "no:cacheprovider", *args)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines([message])
    pytester.makeini("[pytest]\nfctest_record_mode = sometimes\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'sometimes' is not one of none, once, new_episodes, all*"])


def test_marker_without_a_provider_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mod="""
        import pytest

        @pytest.mark.fctest_capability("tool_call")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*fctest_capability needs a provider*"])


def test_marked_tests_land_in_the_results_file(
    project: pytest.Pytester, server: _loopback.Server
) -> None:
    project.makepyfile(
        test_mod=WEATHER_TEST.replace("@CITY@", "Paris")
        + """

@pytest.mark.fctest_capability("streaming")
def test_broken(fctest_provider):
    assert False, "streams are broken"


@pytest.mark.fctest_capability("retry", provider="anthropic")
def test_elsewhere():
    pytest.skip("not today")


def test_untied(fctest_provider):
    pass
"""
    )
    run(project, server, "once", "--fctest-results", "out/results.json").assert_outcomes(
        passed=2, failed=1, skipped=1
    )
    data = json.loads((project.path / "out" / "results.json").read_text())
    assert data["format"] == "fctest-results"
    assert data["run"]["options"]["record_mode"] == "once"
    assert data["run"]["options"]["providers"] == ["openai"]
    by_test = {r["test_id"]: r for r in data["results"]}
    assert sorted(by_test) == [
        "test_mod.py::test_broken[openai]",
        "test_mod.py::test_elsewhere",
        "test_mod.py::test_weather[openai]",
    ]
    weather = by_test["test_mod.py::test_weather[openai]"]
    assert weather["outcome"] == "pass"
    assert weather["capability"] == "tool_call"
    assert weather["cassette"] == "cassettes/openai/test_mod/test_weather.yaml"
    assert weather["provenance"]["source"] == "compatible-server"
    # Recorded during this run, but not against the provider's own endpoint: emulated, not live.
    assert (weather["evidence"], weather["families"]) == ("emulated", [])
    broken = by_test["test_mod.py::test_broken[openai]"]
    assert broken["outcome"] == "fail"
    assert "streams are broken" in broken["reason"]
    skipped = by_test["test_mod.py::test_elsewhere"]
    assert (skipped["provider"], skipped["outcome"], skipped["reason"]) == (
        "anthropic",
        "skipped",
        "not today",
    )
    result = run(project, None, "none")
    result.stdout.fnmatch_lines(["*= fctest results =*", "anthropic * 0 pass * 0 fail * 1 skipped"])


# --- secrets ---------------------------------------------------------------------------------
def test_secrets_never_reach_the_cassette(
    project: pytest.Pytester, server: _loopback.Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-proj-PLANTEDkey0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    server.plant.update(
        {
            "set-cookie": "__cf_bm=PLANTEDcookie0123456789; path=/",
            "openai-organization": "org-PLANTEDorg0123456789",
            "openai-project": "proj_PLANTEDproject012345",
            "echo": f"Incorrect API key provided: {key}",
        }
    )
    project.makepyfile(test_mod=WEATHER_TEST.replace("@CITY@", "Paris"))
    run(project, server, "once").assert_outcomes(passed=1)
    # The key really went out (recording is live), and came back in the body.
    assert server.requests[0]["headers"]["authorization"] == f"Bearer {key}"
    text = cassette(project).read_text(encoding="utf-8")
    assert "PLANTED" not in text
    assert "<redacted>" in text
    monkeypatch.delenv("OPENAI_API_KEY")
    run(project, None, "none").assert_outcomes(passed=1)


# --- xdist ---------------------------------------------------------------------------------
XDIST_TESTS = """
import pytest
from fctest import Tool

WEATHER = Tool(name="get_weather", description="Weather.", parameters={"type": "object"})


@pytest.mark.parametrize("city", ["Paris", "Lima", "Oslo"])
@pytest.mark.fctest_capability("tool_call")
def test_call(fctest_client, city):
    response = fctest_client.complete(f"Weather in {city}?", tools=[WEATHER])
    assert response.tool_calls[0].arguments == {"city": city}


@pytest.mark.fctest_capability("streaming")
def test_stream(fctest_client):
    *_, response = fctest_client.stream("Weather in Rome?", tools=[WEATHER])
    assert response.tool_calls[0].arguments == {"city": "Rome"}


@pytest.mark.fctest_capability("errors")
def test_fails(fctest_provider):
    assert fctest_provider == "nobody"
"""


def test_xdist_gives_the_same_results_as_a_serial_run(
    project: pytest.Pytester, server: _loopback.Server
) -> None:
    project.makepyfile(test_mod=XDIST_TESTS)
    providers = ["--fctest-providers", "openai,xai,groq"]
    urls = [f"--fctest-base-url={p}={server.base_url}" for p in ("openai", "xai", "groq")]
    common = ["-p", "no:cacheprovider", *providers]
    project.runpytest(*common, *urls, "--fctest-record-mode=once").assert_outcomes(
        passed=12, failed=3
    )
    serial = project.runpytest(*common, "--fctest-results=serial.json")
    serial.assert_outcomes(passed=12, failed=3)
    parallel = project.runpytest(*common, "-n", "2", "--fctest-results=parallel.json")
    parallel.assert_outcomes(passed=12, failed=3)
    a = json.loads((project.path / "serial.json").read_text())
    b = json.loads((project.path / "parallel.json").read_text())
    assert len(a["results"]) == 15
    assert a["results"] == b["results"]
    assert a["run"]["options"] == b["run"]["options"]
    assert {r["outcome"] for r in a["results"]} == {"pass", "fail"}


ASYNC_TEST = """
import asyncio

from fctest import Tool

WEATHER = Tool(name="get_weather", description="Weather.", parameters={"type": "object"})


def test_async(fctest_cassette):
    async def main():
        client = fctest_cassette.async_client()
        try:
            return await client.complete("Weather in Quito?", tools=[WEATHER])
        finally:
            await client.aclose()

    response = asyncio.run(main())
    assert response.tool_calls[0].arguments == {"city": "Quito"}
"""


def test_the_async_client_records_and_replays(
    project: pytest.Pytester, server: _loopback.Server
) -> None:
    project.makepyfile(test_mod=ASYNC_TEST)
    run(project, server, "once").assert_outcomes(passed=1)
    run(project, None, "none").assert_outcomes(passed=1)
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("source", "recorded_now", "kind"),
    [
        ("live", True, "live"),
        ("live", False, "recorded"),
        ("compatible-server", True, "emulated"),
        ("reference-server", False, "emulated"),
    ],
)
def test_a_result_says_what_backs_it(source: str, recorded_now: bool, kind: str) -> None:
    """Only a cassette this run recorded against the provider itself is live evidence."""
    from fctest.pytest_plugin._report import Phase, build_result

    record = build_result(
        provider="openai",
        capability="tool_call",
        nodeid="t::x",
        phases=[Phase("call", "passed", "")],
        model="o3-mini",
        cassette="cassettes/openai/x.yaml",
        provenance={"source": source},
        recorded_now=recorded_now,
    )
    assert record["evidence"] == kind
    from fctest import get_adapter

    families = get_adapter("openai").profile.for_model("o3-mini").model_families
    assert record["families"] == list(families)
