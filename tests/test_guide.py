"""Every ``python`` block of docs/guide.md runs, with the network replaced by canned answers.

The examples are written as a user would write them (real provider names, keys from the
environment). respx stands in for the providers: a small fake answers in each provider's wire
format (``wire_answers``), calling ``get_weather`` when tools are offered and no results have
come back yet, answering in JSON when a schema is asked for, and in text otherwise.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import httpx
import pytest
import respx

from conftest import REPO
from wire_answers import body, stream

GUIDE = REPO / "docs" / "guide.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)

# host -> wire format
FORMATS = {
    "api.openai.com": "chat",
    "my-resource.openai.azure.com": "chat",
    "api.anthropic.com": "anthropic",
}
CITY = {"name": "Paris", "country": "France", "population": 2_100_000}
CALLS = [
    ("call_1", "get_weather", {"city": "Paris"}),
    ("call_2", "get_weather", {"city": "Rome"}),
]


def fake_provider(request: httpx.Request) -> httpx.Response:
    fmt = FORMATS[request.url.host]
    sent = json.loads(request.content)
    raw = request.content
    if b"tool_call_id" in raw or b"tool_result" in raw:
        calls, text = [], "Sunny in both Paris and Rome."
    elif sent.get("tools"):
        calls, text = CALLS, None
    elif "response_format" in sent or "output_format" in sent or "output_config" in sent:
        calls, text = [], json.dumps(CITY)
    else:
        calls, text = [], "Bonjour !"
    if sent.get("stream"):
        content = stream(fmt, text, calls)
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=content)
    return httpx.Response(200, content=body(fmt, text, calls))


def blocks() -> list[str]:
    return BLOCK.findall(GUIDE.read_text())


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-guide-test-0123456789")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-guide-test-0123456789")
    logger = logging.getLogger("fctest")
    level = logger.level
    with respx.mock(assert_all_called=False) as router:
        router.route().mock(side_effect=fake_provider)
        yield router
    logger.setLevel(level)


def test_the_guide_has_the_promised_sections() -> None:
    text = GUIDE.read_text()
    for heading in (
        "## Async",
        "## Streaming",
        "## Tools and the tool loop",
        "## Structured output",
    ):
        assert heading in text
    assert len(blocks()) >= 8


@pytest.mark.parametrize("index", range(len(blocks())))
def test_guide_example_runs(
    index: int, network: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    code = blocks()[index]
    exec(compile(code, f"{GUIDE}:block{index}", "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    if "fctest.MockTransport" not in code:
        assert network.calls.call_count >= 1, "the example sent nothing"
    assert "Traceback" not in out
