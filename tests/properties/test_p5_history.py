"""Property 5: a neutral conversation encoded for a provider keeps its calls and results.

Each body is read through its wire format's JSON paths (``_support.FAMILIES``): every call of
the history is on the wire, in order, under its tool's wire name, with its arguments; every
call gets one id, distinct over the request, that the provider accepts (``tool_call_id_pattern``),
unchanged when it already fit; every result names its own call's id and follows its turn, in
the order given or, where the provider asks for it (docs/dialects.md#history-anthropic-placement,
docs/dialects.md#history-gemini-count), in call order.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fctest import Message, Tool, ToolCall, ToolResult
from fctest.errors import IncompatibleToolError
from fctest.strategies import call_ids, json_values, tool_arguments, tools
from properties._support import (
    IDS,
    PER_VARIANT,
    VARIANTS,
    Family,
    Variant,
    gap,
    get,
    request,
    walk,
)


@st.composite
def conversations(draw: st.DrawFn) -> tuple[tuple[Tool, ...], list[Message]]:
    """Tools with awkward names, and a history of 1-3 turns of 1-3 calls, each answered."""
    declared = draw(
        st.lists(
            tools(max_depth=1, max_properties=2), min_size=1, max_size=2, unique_by=lambda t: t.name
        )
    )
    turns = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    ids = draw(st.lists(call_ids(), min_size=sum(turns), max_size=sum(turns), unique=True))
    history: list[Message] = []
    if draw(st.booleans()):
        history.append(Message.system(draw(st.text(max_size=20))))
    history.append(Message.user(draw(st.text(max_size=20))))
    for size in turns:
        calls = []
        for _ in range(size):
            t = draw(st.sampled_from(declared))
            calls.append(ToolCall(ids.pop(), t.name, draw(tool_arguments(t, max_depth=2))))
        text = draw(st.none() | st.text(min_size=1, max_size=20))
        history.append(Message.assistant(text, calls))
        results = [
            ToolResult(
                c.id,
                c.name,
                draw(st.text(max_size=20) | json_values(max_leaves=3)),
                draw(st.booleans()),
            )
            for c in calls
        ]
        results = draw(st.permutations(results))
        cut = draw(st.integers(1, len(results)))
        history.append(Message.tool(*results[:cut]))
        if cut < len(results):
            history.append(Message.tool(*results[cut:]))
        if draw(st.booleans()):
            history.append(Message.user(draw(st.text(max_size=20))))
    return tuple(declared), history


def _matches(part: Any, match: tuple[tuple[str, str], ...]) -> bool:
    return isinstance(part, dict) and all(part.get(k) == v for k, v in match)


def wire_turns(body: dict[str, Any], family: Family) -> list[tuple[list[Any], list[Any]]]:
    """``[(call parts, result parts)]`` per turn: a run of calls, then the results up to the
    next call, in document order."""
    calls = [(idx, p) for idx, p in walk(body, family.calls) if _matches(p, family.call_match)]
    results = [
        (idx, p) for idx, p in walk(body, family.results) if _matches(p, family.result_match)
    ]
    events = sorted(
        [(idx, 0, p) for idx, p in calls] + [(idx, 1, p) for idx, p in results],
        key=lambda e: (e[0], e[1]),
    )
    turns: list[tuple[list[Any], list[Any]]] = []
    last = None
    for _, kind, part in events:
        if kind == 0:
            if last != 0:
                turns.append(([], []))
            turns[-1][0].append(part)
        else:
            assert turns, "a result before any call"
            turns[-1][1].append(part)
        last = kind
    return turns


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
@PER_VARIANT
@given(conversation=conversations())
def test_p5_history_keeps_calls_results_links_and_order(
    variant: Variant, conversation: tuple[tuple[Tool, ...], list[Message]]
) -> None:
    declared, history = conversation
    family = variant.need_family()
    req = request(declared, history)
    try:
        http = variant.adapter.build_request(req, variant.config)
    except IncompatibleToolError:
        return  # property 1's business: a tool this provider refuses
    body = json.loads(http.body)
    assert variant.sdk_problems(body) == []
    wire_names = {f.tool.name: f.name for f in variant.fit(declared)}
    turns = wire_turns(body, family)
    neutral = [m for m in history if m.role == "assistant" and m.tool_calls]
    assert len(turns) == len(neutral)
    pattern = (
        None if gap(variant.name, "tool_call_id_pattern") else variant.profile.tool_call_id_pattern
    )
    seen: dict[str, str] = {}
    for (wire_calls, wire_results), message in zip(turns, neutral, strict=True):
        calls = message.tool_calls
        assert [get(p, family.call_name) for p in wire_calls] == [wire_names[c.name] for c in calls]
        for part, call in zip(wire_calls, calls, strict=True):
            arguments = get(part, family.call_arguments)
            if family.arguments_as_text:
                arguments = json.loads(arguments)
            assert arguments == call.arguments
        ids = [get(p, family.call_id) for p in wire_calls]
        for wire_id, call in zip(ids, calls, strict=True):
            if wire_id is None:
                continue  # an id the provider does not need (Gemini pairs by position)
            assert seen.setdefault(call.id, wire_id) == wire_id
            if pattern is not None:
                assert re.fullmatch(pattern, wire_id), (wire_id, pattern)
                if re.fullmatch(pattern, call.id):
                    assert wire_id == call.id, "an id the provider accepts was changed"
        assert len(set(seen.values())) == len(seen), "two calls share a wire id"
        answers = [
            r
            for m in history
            if m.role == "tool"
            for r in m.tool_results
            if r.call_id in {c.id for c in calls}
        ]
        if family.results_in_call_order:
            position = {c.id: i for i, c in enumerate(calls)}
            answers = sorted(answers, key=lambda r: position[r.call_id])
        wire_of = dict(zip([c.id for c in calls], ids, strict=True))
        assert len(wire_results) == len(answers)
        assert [get(p, family.result_id) for p in wire_results] == [
            wire_of[r.call_id] for r in answers
        ]
        if family.result_name is not None:
            assert [get(p, family.result_name) for p in wire_results] == [
                wire_names[r.name] for r in answers
            ]


# --- pinned counterexamples -------------------------------------------------------------------


@pytest.mark.parametrize(
    "call_id",
    [
        "jgq.6F",  # fits the declared pattern, yet the adapter remaps it
        "zmkdXF3oqKQB0vv6aD38N7e6En4c7J1QxOgtrVi85FS",  # 43 characters: sent outside it
    ],
)
def test_p5_responses_call_ids_follow_the_declared_pattern(call_id: str) -> None:
    variant = next(v for v in VARIANTS if v.label == "openai-responses")
    tool = Tool("t")
    history = [
        Message.user("go"),
        Message.assistant(None, [ToolCall(call_id, "t", {})]),
        Message.tool(ToolResult(call_id, "t", "ok")),
    ]
    body = json.loads(variant.adapter.build_request(request([tool], history), variant.config).body)
    (wire,) = [i["call_id"] for i in body["input"] if i.get("type") == "function_call"]
    pattern = variant.profile.tool_call_id_pattern
    assert pattern is not None
    assert re.fullmatch(pattern, wire)
    if re.fullmatch(pattern, call_id):
        assert wire == call_id
