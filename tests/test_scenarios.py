"""The catalogue is data: every scenario must build a valid request and a coherent script."""

from __future__ import annotations

from typing import get_args

import pytest

from fctest import scenarios
from fctest.dialect import Profile
from fctest.errors import UsageError


def test_ids_are_unique_and_every_capability_is_exercised() -> None:
    ids = scenarios.scenario_ids()
    assert len(ids) == len(set(ids))
    assert {s.capability for s in scenarios.SCENARIOS} == set(get_args(scenarios.Capability))


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=lambda s: s.id)
def test_scenario_builds_a_valid_request(scenario: scenarios.Scenario) -> None:
    request = scenario.request("some-model")
    assert request.messages[-1].text is not None
    assert request.messages[-1].text.startswith(f"[fctest:{scenario.id}] ")
    declared = {t.name: t for t in scenario.tools}
    for turn in scenario.script:
        if isinstance(turn, scenarios.ModelTurn):
            for name, arguments in turn.calls:
                declared[name].validate_arguments(arguments)  # the script obeys the schemas
    if scenario.run_loop:
        assert all(t.handler is not None for t in scenario.runnable_tools())


def test_loop_handlers_answer_the_scripted_calls() -> None:
    loop = scenarios.get("tool_loop_three_steps")
    tools = {t.name: t for t in loop.runnable_tools()}
    assert tools["get_weather"].handler is not None
    assert tools["get_weather"].handler(city="Lima") == {"city": "Lima", "temperature_c": 12}


def test_unsupported_reason_reads_the_profile() -> None:
    full = Profile()
    assert scenarios.unsupported_reason(("tool_choice_none", "disable_parallel"), full) is None
    gemini_like = Profile(parallel_call_control=False, tool_choice=frozenset({"auto"}))
    assert scenarios.get("parallel_disabled").unsupported_reason(gemini_like) == (
        "parallel tool calls cannot be switched off"
    )
    assert scenarios.get("tool_choice_named").unsupported_reason(gemini_like) == (
        "tool_choice 'named' is not offered"
    )
    assert scenarios.get("many_tools").unsupported_reason(Profile(max_tools=32)) == (
        "at most 32 tools per request"
    )


def test_unknown_scenario_lists_known_ones() -> None:
    with pytest.raises(UsageError, match="no scenario 'nope'; known: single_call, "):
        scenarios.get("nope")
