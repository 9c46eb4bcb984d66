"""The plugin next to other plugins: it costs an unrelated suite nothing, shares no option with
pytest-recording, keeps working when other plugins are switched off, and finds third-party
adapters through the ``fctest.adapters`` entry point."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import _loopback

pytest.importorskip("pytest_recording", reason="pytest-recording is the field's VCR plugin")

RECORD_MODULES = """
import json
import sys


def pytest_collection_finish(session):
    heavy = sorted(
        m for m in sys.modules
        if m.split(".")[0] in {"vcr", "hypothesis", "yaml", "httpx", "wrapt"}
    )
    with open("modules.json", "w") as f:
        json.dump({"heavy": heavy, "fctest": "fctest.pytest_plugin.plugin" in sys.modules}, f)
"""


def test_collecting_an_unrelated_suite_imports_no_vcr(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(RECORD_MODULES)
    pytester.makepyfile(test_plain="def test_one():\n    assert 1 + 1 == 2\n")
    # Fresh interpreters (this one has imported everything already), with and without fctest:
    # other plugins (respx) import httpx themselves.
    loaded = {}
    for switch in ([], ["-p", "no:fctest"]):
        result = pytester.runpytest_subprocess("--co", "-q", "-p", "no:cacheprovider", *switch)
        assert result.ret == 0
        loaded[bool(switch)] = json.loads((pytester.path / "modules.json").read_text())
    with_fctest, without = loaded[False], loaded[True]
    assert with_fctest["fctest"] is True
    assert without["fctest"] is False
    # The plugin is loaded, and imported none of vcrpy, hypothesis, yaml or httpx.
    assert sorted(set(with_fctest["heavy"]) - set(without["heavy"])) == []
    assert not any(m.split(".")[0] == "vcr" for m in with_fctest["heavy"])


COEXIST = """
import httpx
import pytest
from fctest import Tool

WEATHER = Tool(name="get_weather", description="Weather.", parameters={"type": "object"})


@pytest.mark.vcr
def test_recording_plugin(request):
    with httpx.Client() as client:
        assert client.post(request.config.getoption("--base") + "/chat/completions", json={}).status_code == 200


def test_fctest_plugin(fctest_client):
    response = fctest_client.complete("Weather in Paris?", tools=[WEATHER])
    assert response.tool_calls[0].arguments == {"city": "Paris"}
"""

CONFTEST = """
def pytest_addoption(parser):
    parser.addoption("--base")
"""


@pytest.fixture
def server() -> Iterator[_loopback.Server]:
    with _loopback.running() as state:
        yield state


def test_coexists_with_pytest_recording(
    pytester: pytest.Pytester, server: _loopback.Server
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_both=COEXIST)
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    base = ["-p", "no:cacheprovider", f"--base={server.base_url}", "--fctest-providers=openai"]
    fctest_url = f"--fctest-base-url=openai={server.base_url}"
    # Both plugins' record options in one command line: no clash.
    result = pytester.runpytest(
        *base, fctest_url, "--record-mode=once", "--fctest-record-mode=once"
    )
    result.assert_outcomes(passed=2)
    assert (pytester.path / "cassettes" / "test_both" / "test_recording_plugin.yaml").is_file()
    assert (
        pytester.path / "cassettes" / "openai" / "test_both" / "test_fctest_plugin.yaml"
    ).is_file()
    assert len(server.requests) == 2
    # Replay through both; then each plugin alone, the other switched off.
    pytester.runpytest(*base, "--record-mode=none", "--block-network").assert_outcomes(passed=2)
    result = pytester.runpytest(*base, "-p", "no:recording", "-k", "fctest_plugin")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", f"--base={server.base_url}", "-p", "no:fctest",
        "-k", "recording_plugin", "--record-mode=none",
    )  # fmt: skip
    result.assert_outcomes(passed=1)
    assert len(server.requests) == 2


def test_works_with_other_plugins_switched_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mod="""
        def test_x(fctest_adapter):
            assert fctest_adapter.name == "anthropic"
        """
    )
    off = []
    for name in ("recording", "xdist", "hypothesispytest", "anyio", "respx", "randomly"):
        off += ["-p", f"no:{name}"]
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", *off, "--fctest-providers=anthropic"
    )
    result.assert_outcomes(passed=1)


def test_options_share_nothing_with_pytest_recording(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = result.stdout.str()
    fctest_options = [line.split()[0] for line in text.splitlines() if "--fctest-" in line]
    assert fctest_options
    assert all(o.startswith("--fctest-") for o in fctest_options)
    assert "fctest: provider conformance from cassettes:" in text
    assert "recording:" in text
    for ini in ("fctest_record_mode", "fctest_providers", "fctest_cassette_dir", "fctest_results"):
        assert ini in text


# --- a third-party adapter through the entry point ------------------------------------------
ADAPTER = '''
"""A third-party adapter: OpenAI's wire format at another vendor's address."""
from fctest.providers.openai import OPENAI_PROFILE, OpenAIAdapter


class EchoAdapter(OpenAIAdapter):
    name = "echo"
    profile = OPENAI_PROFILE.evolve(
        base_url="https://api.echo.invalid/v1", env={"api_key": ("ECHO_API_KEY",)}
    )
'''

CONFORMANCE = """
import pytest
from fctest.scenarios import SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_scenario(scenario, fctest_conformance):
    fctest_conformance.run(scenario)
"""


def test_a_third_party_adapter_runs_the_catalogue(
    pytester: pytest.Pytester, server: _loopback.Server
) -> None:
    pytester.makepyfile(echo_adapter=ADAPTER, test_conformance=CONFORMANCE)
    dist = pytester.mkdir("echo_fctest-1.0.dist-info")
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-fctest\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[fctest.adapters]\necho = echo_adapter:EchoAdapter\n")
    env_path = os.pathsep.join([str(pytester.path), os.environ.get("PYTHONPATH", "")])
    pytester._monkeypatch.setenv("PYTHONPATH", env_path)  # the fake distribution is found
    pytester._monkeypatch.delenv("ECHO_API_KEY", raising=False)

    result = pytester.runpytest_subprocess("--co", "-q", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*test_scenario[[]single_call-echo[]]*"])
    node = "test_conformance.py::test_scenario[single_call-echo]"
    common = ["-p", "no:cacheprovider", "--fctest-providers=echo", node]
    result = pytester.runpytest_subprocess(
        *common,
        "--fctest-record-mode=once",
        f"--fctest-base-url=echo={server.base_url}",
        "--fctest-results=results.json",
    )
    result.assert_outcomes(passed=1)
    stored = (pytester.path / "cassettes" / "echo" / "single_call.yaml").read_text()
    assert "uri: https://api.echo.invalid/v1/chat/completions" in stored
    results = json.loads((pytester.path / "results.json").read_text())["results"]
    assert [(r["provider"], r["scenario"], r["outcome"]) for r in results] == [
        ("echo", "single_call", "pass")
    ]
    pytester.runpytest_subprocess(*common).assert_outcomes(passed=1)
    assert len(server.requests) == 1
    assert sys.modules.get("echo_adapter") is None  # only the subprocesses loaded it


def test_results_file_path_is_relative_to_the_ini_file(pytester: pytest.Pytester) -> None:
    sub = pytester.mkdir("sub")
    (sub / "pytest.ini").write_text(
        "[pytest]\nfctest_results = out/r.json\nfctest_providers = gemini\n"
    )
    (sub / "test_mod.py").write_text(
        "from fctest.scenarios import SCENARIOS\n"
        "import pytest\n\n"
        "@pytest.mark.parametrize('scenario', [s for s in SCENARIOS if s.id == 'parallel_disabled'])\n"
        "def test_s(scenario, fctest_conformance):\n"
        "    fctest_conformance.run(scenario)\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider", str(sub))
    result.assert_outcomes(passed=1)
    data = json.loads(Path(sub, "out", "r.json").read_text())
    (only,) = data["results"]
    assert only["outcome"] == "unsupported"
    assert "cannot be switched off" in only["declared"]
