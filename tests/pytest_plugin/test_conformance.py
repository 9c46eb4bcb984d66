"""The conformance runner: the catalogue recorded over real HTTP against the reference server
and replayed offline, and what the runner says about adapters that do not conform."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from fctest import Client, HttpRequest, HttpResponse, MockTransport, RetryPolicy
from fctest.dialect import Profile
from fctest.providers.openai import OpenAIAdapter
from fctest.pytest_plugin._conformance import check_scenario
from fctest.scenarios import SCENARIOS, get

from . import _loopback

CONFORMANCE = """
import pytest
from fctest.scenarios import SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_scenario(scenario, fctest_conformance):
    fctest_conformance.run(scenario)
"""

PROVIDERS = ("openai", "anthropic", "gemini")
SHIPPED = Path(__file__).resolve().parents[2] / "cassettes"


def _stable(path: Path) -> Any:
    """A cassette without what changes from one recording to the next: when and where (the
    loopback port) it was recorded, and the server's Date header."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("date", "endpoint"):
        data["fctest"].pop(key, None)
    for interaction in data["interactions"]:
        interaction["response"]["headers"].pop("date", None)
    return data


def _assert_reproduces_the_shipped_cassettes(recorded: Path, providers: tuple[str, ...]) -> None:
    """Deleting a shipped cassette and recording it again gives it back, volatile fields aside."""
    for provider in providers:
        names = sorted(p.name for p in (SHIPPED / provider).glob("*.yaml"))
        assert names == sorted(p.name for p in (recorded / provider).glob("*.yaml"))
        for name in names:
            assert _stable(recorded / provider / name) == _stable(SHIPPED / provider / name), (
                f"cassettes/{provider}/{name} no longer reproduces: record it again with "
                "python conformance/record.py"
            )


def test_catalogue_recorded_against_the_reference_server_replays_offline(
    pytester: pytest.Pytester,
) -> None:
    server_module = pytest.importorskip("fctest.server")
    pytester.makepyfile(test_conformance=CONFORMANCE)
    common = ["-p", "no:cacheprovider", f"--fctest-providers={','.join(PROVIDERS)}"]
    with server_module.running() as server:
        urls = [f"--fctest-base-url={p}={server.base_url(p)}" for p in PROVIDERS]
        recorded = pytester.runpytest(*common, *urls, "--fctest-record-mode=all")
    recorded.assert_outcomes(passed=len(SCENARIOS) * len(PROVIDERS))
    _assert_reproduces_the_shipped_cassettes(pytester.path / "cassettes", PROVIDERS)
    # The server is gone: replay is offline.
    replayed = pytester.runpytest(*common, "--fctest-results=results.json")
    replayed.assert_outcomes(passed=len(SCENARIOS) * len(PROVIDERS))
    replayed.stdout.fnmatch_lines(
        ["*= fctest results =*", "gemini * pass * 0 fail * 1 unsupported"]
    )

    results = json.loads((pytester.path / "results.json").read_text())["results"]
    assert len(results) == len(SCENARIOS) * len(PROVIDERS)
    outcomes = {(r["provider"], r["scenario"]): r["outcome"] for r in results}
    assert outcomes[("gemini", "parallel_disabled")] == "unsupported"
    assert outcomes[("anthropic", "stream_parallel_calls")] == "pass"
    single = next(r for r in results if (r["provider"], r["scenario"]) == ("openai", "single_call"))
    assert single["cassette"] == "cassettes/openai/single_call.yaml"
    assert single["provenance"]["source"] == "reference-server"
    assert single["capability"] == "tool_call"
    assert (single["evidence"], single["families"]) == ("emulated", [])
    # Refused before sending: only the profile backs it, and the result cites its source.
    refused = next(
        r for r in results if (r["provider"], r["scenario"]) == ("gemini", "parallel_disabled")
    )
    assert refused["evidence"] == "declared"
    assert "docs/dialects.md#parallel-gemini" in refused["source"]

    # An unsupported scenario sends nothing, so it has no cassette; the others name the
    # provider's real endpoint.
    assert not (pytester.path / "cassettes" / "gemini" / "parallel_disabled.yaml").exists()
    stored = yaml.safe_load(
        (pytester.path / "cassettes" / "gemini" / "stream_single_call.yaml").read_text()
    )
    uri = stored["interactions"][0]["request"]["uri"]
    assert uri.startswith("https://generativelanguage.googleapis.com/v1beta/models/")
    assert stored["interactions"][0]["response"]["stream"]["format"] == "sse"
    retried = yaml.safe_load(
        (pytester.path / "cassettes" / "anthropic" / "error_5xx_then_success.yaml").read_text()
    )
    assert [i["response"]["status"]["code"] for i in retried["interactions"]] == [503, 200]


def test_missing_cassettes_fail_with_how_to_record(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_conformance=CONFORMANCE)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--fctest-providers=gemini", "--fctest-results=r.json",
        "-k", "single_call or parallel_disabled",
    )  # fmt: skip
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*CassetteMissing: no cassette at cassettes/gemini/single_call.yaml*",
            "*pytest 'test_conformance.py::test_scenario[[]single_call-gemini[]]' "
            "--fctest-record-mode=once",
        ]
    )
    results = json.loads((pytester.path / "r.json").read_text())["results"]
    by_scenario = {r["scenario"]: r for r in results}
    assert by_scenario["parallel_disabled"]["outcome"] == "unsupported"
    assert by_scenario["single_call"]["outcome"] == "fail"
    assert by_scenario["single_call"]["reason"].startswith("CassetteMissing: no cassette at")


# --- the runner on its own --------------------------------------------------------------------
def _factory(adapter: Any, handler: Callable[[HttpRequest], HttpResponse]) -> Callable[..., Client]:
    def make(**overrides: Any) -> Client:
        kwargs: dict[str, Any] = {"api_key": "k", "transport": MockTransport(handler)}
        kwargs.update(overrides)
        kwargs.setdefault("retry", RetryPolicy(sleep=lambda s: None))
        if kwargs["retry"] is None:
            kwargs["retry"] = RetryPolicy(sleep=lambda s: None)
        return Client(adapter, "m", **kwargs)

    return make


def _json(status: int, body: Any, **headers: str) -> HttpResponse:
    return HttpResponse(
        status, {"content-type": "application/json", **headers}, json.dumps(body).encode()
    )


def test_a_wrong_decode_is_a_fail_with_the_difference() -> None:
    adapter = OpenAIAdapter()
    scenario = get("single_call")
    wrong = _factory(adapter, lambda r: _json(200, _loopback.completion({"city": "Paris"})))
    observation = check_scenario(scenario, adapter, wrong, "m")
    assert observation.outcome == "fail"
    assert observation.reason == (
        'expected calls [["get_weather", {"city": "Paris", "unit": "celsius"}]], '
        'decoded [["get_weather", {"city": "Paris"}]]'
    )
    right = _factory(
        adapter,
        lambda r: _json(200, _loopback.completion({"city": "Paris", "unit": "celsius"})),
    )
    assert check_scenario(scenario, adapter, right, "m").outcome == "pass"


def test_error_scripts_check_the_class_and_retry_after() -> None:
    adapter = OpenAIAdapter()
    scenario = get("error_429_retry_after")
    sent: list[HttpRequest] = []

    def limited(retry_after: str | None) -> Callable[[HttpRequest], HttpResponse]:
        def handler(request: HttpRequest) -> HttpResponse:
            sent.append(request)
            headers = {"retry-after": retry_after} if retry_after else {}
            return _json(429, {"error": {"message": "slow down", "type": "rate_limit"}}, **headers)

        return handler

    observation = check_scenario(scenario, adapter, _factory(adapter, limited("2")), "m")
    assert observation.outcome == "pass"
    assert len(sent) == 1  # retries are off for an error script
    observation = check_scenario(scenario, adapter, _factory(adapter, limited(None)), "m")
    assert (observation.outcome, observation.reason) == (
        "fail",
        "expected retry_after 2.0, got None",
    )
    ok = _factory(adapter, lambda r: _json(200, _loopback.completion({"city": "Paris"})))
    observation = check_scenario(scenario, adapter, ok, "m")
    assert observation.outcome == "fail"
    assert observation.reason == "expected RateLimitError (HTTP 429), got a response"


class _Overclaiming(OpenAIAdapter):
    """Declares tool_choice 'none' unsupported, yet builds the request anyway."""

    name = "overclaiming"
    profile: ClassVar[Profile] = OpenAIAdapter.profile.evolve(tool_choice=frozenset({"auto"}))

    def build_request(self, request: Any, config: Any) -> HttpRequest:
        return OpenAIAdapter().build_request(request, config)


def test_a_declared_unsupported_scenario_must_be_refused_before_sending() -> None:
    scenario = get("tool_choice_none")
    adapter = _Overclaiming()

    def never(request: HttpRequest) -> HttpResponse:
        raise AssertionError("the runner must not send through this client")

    observation = check_scenario(scenario, adapter, _factory(adapter, never), "m")
    assert observation.outcome == "fail"
    assert observation.declared == "tool_choice 'none' is not offered"
    assert "build_request accepted the request" in (observation.reason or "")
    # The honest adapter refuses it before anything is sent.
    honest = OpenAIAdapter.profile.evolve(tool_choice=frozenset({"auto"}))
    refusing = type("Refusing", (OpenAIAdapter,), {"name": "refusing", "profile": honest})()
    observation = check_scenario(scenario, refusing, _factory(refusing, never), "m")
    assert (observation.outcome, observation.reason) == (
        "unsupported",
        "tool_choice 'none' is not offered",
    )
