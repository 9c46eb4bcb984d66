"""docs/plugin.md's worked example: an OpenAI-compatible vendor is one module of data plus one
registry line, and then works everywhere (client, fitting, check, reference server)."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator

import pytest

import fctest
import fctest.providers as registry
from conftest import REPO
from fctest.compat import check
from fctest.errors import IncompatibleToolError
from fctest.scenarios import get
from fctest.server import running

DOC = (REPO / "docs" / "plugin.md").read_text(encoding="utf-8")
SECTION = DOC.split("### An OpenAI-compatible vendor", 1)[1].split("\n## ", 1)[0]
MODULE_BLOCK, REGISTRY_LINE = re.findall(r"^```python\n(.*?)^```", SECTION, re.S | re.M)
MODULE = "fctest.providers.openai.acme"


@pytest.fixture
def acme(monkeypatch: pytest.MonkeyPatch) -> Iterator[type]:
    """The doc's module, importable where the doc puts it, and its registry line added."""
    module = types.ModuleType(MODULE)
    exec(compile(MODULE_BLOCK, "docs/plugin.md", "exec"), module.__dict__)
    monkeypatch.setitem(sys.modules, MODULE, module)
    name, targets = eval(  # the registry line, as written in the doc
        "(" + REGISTRY_LINE.strip().rstrip(",").replace(": (", ", (", 1) + ")",
        {"_OPENAI": "fctest.providers.openai"},
    )
    monkeypatch.setitem(registry._BUILTINS, name, targets)
    caches = (registry._registry, registry._responders, registry.get_adapter)
    for cached in (*caches, registry.get_responder):
        cached.cache_clear()
    yield module.AcmeAdapter
    for cached in (*caches, registry.get_responder):
        cached.cache_clear()


def test_the_doc_shows_one_module_and_one_registry_line() -> None:
    assert "class AcmeAdapter(OpenAIAdapter):" in MODULE_BLOCK
    assert REGISTRY_LINE.count("\n") == 1
    assert len(MODULE_BLOCK.splitlines()) < 25


def test_the_vendor_is_registered_and_builds_its_own_requests(
    acme: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = fctest.get_adapter("acme")
    assert isinstance(adapter, acme)
    assert "acme" in fctest.adapter_names()
    monkeypatch.setenv("ACME_API_KEY", "acme-key-0123456789")
    transport = fctest.MockTransport(
        lambda r: fctest.HttpResponse(
            200,
            {"content-type": "application/json"},
            b'{"id":"c1","model":"m","choices":[{"index":0,"finish_reason":"stop",'
            b'"message":{"role":"assistant","content":"hi"}}]}',
        )
    )
    with fctest.Client("acme", "acme-large", transport=transport) as client:
        assert client.complete("hello").text == "hi"
    (sent,) = transport.requests
    assert sent.url == "https://api.acme.example/v1/chat/completions"
    assert sent.headers["Authorization"] == "Bearer acme-key-0123456789"


def test_the_vendors_limits_are_checked_with_their_source(acme: type) -> None:
    tools = [fctest.Tool(f"t{i}", "a tool") for i in range(65)]
    report = check(tools, ["acme", "openai"])
    assert report.verdict("t0", "openai").status == "compatible"
    with pytest.raises(IncompatibleToolError, match=r"at most 64 .*docs.acme.example/api#tools"):
        fctest.get_adapter("acme").build_request(
            fctest.Request("m", (fctest.Message.user("q"),), tools=tuple(tools)),
            fctest.providers.Config(api_key="k"),
        )


def test_the_reference_server_answers_for_the_vendor(acme: type) -> None:
    scenario = get("single_call")
    with running() as server:
        base = server.base_url("acme")
        assert base.endswith("/acme/v1")
        with fctest.Client("acme", "acme-large", base_url=base, api_key="k") as client:
            request = scenario.request(client.model)
            response = client.complete(list(request.messages), tools=request.tools)
    assert [(c.name, c.arguments) for c in response.tool_calls] == [
        ("get_weather", {"city": "Paris", "unit": "celsius"})
    ]
