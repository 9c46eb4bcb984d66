"""The cells the per-model audit corrected, one test each, citing where the rule is written down.

Providers differ per model: each correction is a ``ModelRule`` (or a profile value) with its
source, and the adapter does what the resolved profile says before anything is sent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fctest import Message, OutputSchema, Request, Tool
from fctest.compat import check
from fctest.errors import IncompatibleToolError, UsageError
from fctest.providers import Config, get_adapter
from fctest.providers.anthropic import AnthropicConfig
from fctest.scenarios import SCENARIOS

WEATHER = Tool(
    "get_weather",
    "Weather for a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
STRICT = Tool(WEATHER.name, WEATHER.description, WEATHER.parameters, strict=True)
CITY = OutputSchema(
    "City", {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
)


def _body(provider: str, model: str, config: Config | None = None, **kw: Any) -> dict[str, Any]:
    adapter = get_adapter(provider)
    request = Request(model, (Message.user("q"),), **kw)
    config = config or adapter.config_type(api_key="k", base_url="https://fctest.invalid")
    body: dict[str, Any] = json.loads(adapter.build_request(request, config).body)
    return body


# --- OpenAI reasoning models: no parallel_tool_calls (docs/dialects.md#parallel-openai-reasoning)


@pytest.mark.parametrize("provider", ["openai", "azure-openai"])
@pytest.mark.parametrize("model", ["o1", "o3", "o3-mini", "o4-mini-2025-04-16"])
def test_an_o_series_request_never_carries_parallel_tool_calls(provider: str, model: str) -> None:
    config = get_adapter(provider).config_type(api_key="k", base_url="https://fctest.invalid")
    for scenario in SCENARIOS:
        request = scenario.request(model)
        try:
            http = get_adapter(provider).build_request(request, config)
        except UsageError:
            continue  # refused before sending: nothing is sent at all
        assert "parallel_tool_calls" not in json.loads(http.body), scenario.id
    assert "parallel_tool_calls" not in _body(provider, model, tools=(STRICT,))


def test_an_o_series_parallel_setting_is_refused_and_gpt_4o_keeps_it() -> None:
    with pytest.raises(UsageError, match=r"parallel_tool_calls cannot be sent to 'o3-mini'"):
        _body("openai", "o3-mini", tools=(WEATHER,), parallel_tool_calls=False)
    assert _body("openai", "gpt-4o", tools=(STRICT,))["parallel_tool_calls"] is False
    profile = get_adapter("openai").profile.for_model("o3-mini")
    assert profile.model_families == ("o-series reasoning models",)
    assert "parallel-openai-reasoning" in profile.sources["parallel_call_control"]


def test_check_for_an_o_series_model_reports_the_rule() -> None:
    default = check(STRICT, ["openai"])
    o3 = check(STRICT, ["openai"], model="o3-mini")
    assert default.to_json() != o3.to_json()
    assert o3.model == "o3-mini"
    (note,) = o3.verdict("get_weather", "openai").notes
    assert "parallel" in note
    assert "parallel-openai-reasoning" in note


# --- OpenAI's current spec and guide document no tool or description limit ----------------
# (docs/dialects.md#max-tools-openai, docs/dialects.md#descriptions-openai); Azure's 1024 is
# observed (docs/dialects.md#descriptions-azure), Groq's 128 documented (#max-tools-groq).


def test_openai_sends_long_descriptions_and_many_tools_as_written() -> None:
    long = Tool("t", "d" * 2000, {"type": "object", "properties": {}})
    assert (
        len(_body("openai", "gpt-4o", tools=(long,))["tools"][0]["function"]["description"]) == 2000
    )
    many = tuple(Tool(f"t{i}", "", {"type": "object", "properties": {}}) for i in range(129))
    assert len(_body("openai", "gpt-4o", tools=many)["tools"]) == 129


def test_azure_cuts_descriptions_and_groq_caps_tools() -> None:
    long = Tool("t", "d" * 2000, {"type": "object", "properties": {}})
    sent = _body("azure-openai", "gpt-4o", tools=(long,))["tools"][0]["function"]["description"]
    assert len(sent) == 1024
    many = tuple(Tool(f"t{i}", "", {"type": "object", "properties": {}}) for i in range(129))
    with pytest.raises(IncompatibleToolError, match="129 tools"):
        _body("groq", "llama-3.3-70b-versatile", tools=many)


def test_openai_strict_drops_min_and_max_contains_like_contains() -> None:
    # docs/dialects.md#strict-openai-keywords-older
    schema = {
        "type": "object",
        "properties": {
            "tags": {
                "type": "array",
                "items": {"type": "string"},
                "contains": {"const": "x"},
                "minContains": 1,
                "maxContains": 2,
            }
        },
        "required": ["tags"],
    }
    sent = _body("openai", "gpt-4o", tools=(Tool("t", "", schema, strict=True),))
    tags = sent["tools"][0]["function"]["parameters"]["properties"]["tags"]
    assert not {"contains", "minContains", "maxContains"} & tags.keys()


# --- Groq (docs/dialects.md#structured-output-groq, docs/dialects.md#strict-groq) ----------


def test_groq_refuses_an_output_schema_with_tools_or_in_a_stream() -> None:
    with pytest.raises(UsageError, match=r"together with tools.*structured-output-groq"):
        _body("groq", "llama-3.3-70b-versatile", tools=(WEATHER,), output=CITY)
    with pytest.raises(UsageError, match="in a streamed request"):
        _body("groq", "openai/gpt-oss-120b", output=CITY, stream=True)
    assert "response_format" in _body("groq", "llama-3.3-70b-versatile", output=CITY)


def test_groq_enforces_strict_on_gpt_oss_only() -> None:
    groq = get_adapter("groq").profile
    assert groq.for_model("openai/gpt-oss-20b").strict_enforced
    assert not groq.for_model("llama-3.3-70b-versatile").strict_enforced
    report = check(STRICT, ["groq"], model="llama-3.3-70b-versatile")
    verdict = report.verdict("get_weather", "groq")
    assert verdict.status == "rewritten"  # made strict: objects closed, all required
    assert any("not enforce" in n and "strict-groq" in n for n in verdict.notes)
    assert (
        check(STRICT, ["groq"], model="openai/gpt-oss-20b").verdict("get_weather", "groq").notes
        == ()
    )


# --- Gemini (docs/dialects.md#structured-output-gemini-tools) ------------------------------


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-2.0-flash", "gemini-1.5-pro"])
def test_gemini_before_3_refuses_a_json_answer_next_to_tools(model: str) -> None:
    with pytest.raises(UsageError, match="together with tools"):
        _body("gemini", model, tools=(WEATHER,), output=CITY)
    with pytest.raises(UsageError, match="together with tools"):
        _body("gemini", model, tools=(WEATHER,), output=CITY, tool_choice="get_weather")
    assert "responseJsonSchema" in _body("gemini", model, output=CITY)["generationConfig"]


def test_gemini_3_takes_both_and_check_says_what_differs() -> None:
    body = _body("gemini", "gemini-3-flash-preview", tools=(WEATHER,), output=CITY)
    assert body["tools"]
    assert body["generationConfig"]["responseMimeType"] == "application/json"
    default = check(WEATHER, ["gemini"]).to_json()
    older = check(WEATHER, ["gemini"], model="gemini-2.5-flash").to_json()
    assert default != older
    assert older["models"]["gemini"]["families"] == ["Gemini before 3"]
    assert older["models"]["gemini"]["changes"] == {"structured_output_with_tools": False}


def test_gemini_keywords_outside_the_subset_are_sent_not_enforced() -> None:
    # docs/dialects.md#schema-gemini-json
    schema = {
        "type": "object",
        "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}$", "minLength": 3}},
        "required": ["code"],
    }
    verdict = check(Tool("t", "", schema), ["gemini"]).verdict("t", "gemini")
    assert verdict.status == "compatible"
    assert {(c.keyword, c.action) for c in verdict.client_side} == {
        ("pattern", "unenforced"),
        ("minLength", "unenforced"),
    }


# --- Anthropic (docs/dialects.md#strict-anthropic-models, #tool-names-anthropic) -----------


@pytest.mark.parametrize(
    "model", ["claude-3-5-sonnet-latest", "claude-3-7-sonnet-20250219", "claude-opus-4-1-20250805"]
)
def test_claude_before_4_5_has_no_strict_tools(model: str) -> None:
    config = AnthropicConfig(api_key="k")
    with pytest.raises(IncompatibleToolError, match="strict tools are not supported"):
        _body("anthropic", model, config, tools=(STRICT,))
    sent = _body("anthropic", model, config, tools=(WEATHER,))["tools"][0]
    assert "strict" not in sent  # no such flag on these models
    with pytest.raises(UsageError, match="no native structured output"):
        _body("anthropic", model, config, output=CITY)


def test_claude_4_5_has_strict_tools_and_structured_output() -> None:
    config = AnthropicConfig(api_key="k")
    sent = _body("anthropic", "claude-sonnet-4-5", config, tools=(STRICT,), output=CITY)
    assert sent["tools"][0]["strict"] is True
    assert "output_config" in sent


def test_anthropic_tool_names_show_documented_and_accepted_lengths() -> None:
    profile = get_adapter("anthropic").profile
    assert profile.tool_name_max_length == 128
    assert profile.documented["tool_name_max_length"] == 64
    assert "anthropic-name-length" in profile.sources["tool_name_max_length"]


def test_an_unknown_model_gets_the_documented_defaults() -> None:
    for name in ("openai", "anthropic", "gemini", "groq"):
        profile = get_adapter(name).profile.for_model("some-future-model")
        assert profile.model_families == ()
        assert profile.model == "some-future-model"
