"""Stream assembly: argument parsing, calls kept apart, events in order, restore applied."""

from __future__ import annotations

import dataclasses

import pytest

from fctest import Finished, TextDelta, ToolCall, ToolCallDelta, ToolCallFinished, ToolCallStarted
from fctest._messages import ProviderPart, Usage
from fctest.errors import ProtocolError
from fctest.providers._assembly import ResponseAssembler, make_call, parse_arguments


@pytest.mark.parametrize("text", ["", " ", "\n\t "])
def test_empty_arguments_are_an_empty_object(text: str) -> None:
    assert parse_arguments(text) == ({}, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"city": "Paris"}', {"city": "Paris"}),
        ('  {"n": 1, "nested": {"l": [1, 2]}}\n', {"n": 1, "nested": {"l": [1, 2]}}),
        ("{}", {}),
        ('{"s": "caf\\u00e9 €"}', {"s": "café €"}),
    ],
)
def test_valid_arguments(text: str, expected: dict[str, object]) -> None:
    assert parse_arguments(text) == (expected, False)


@pytest.mark.parametrize(
    "text",
    ['{"city": "Par', "{'city': 'Paris'}", "city=Paris", '{"a": 1}}', "null", "[1, 2]", '"x"', "3"],
)
def test_invalid_or_non_object_arguments_are_malformed(text: str) -> None:
    assert parse_arguments(text) == ({}, True)


def test_make_call_keeps_the_raw_text() -> None:
    good = make_call("c1", "f", '{"a": 1}')
    assert good == ToolCall("c1", "f", {"a": 1}, '{"a": 1}', False)
    bad = make_call("c2", "f", '{"a": ')
    assert bad == ToolCall("c2", "f", {}, '{"a": ', True)
    arr = make_call("c3", "f", "[1]")
    assert (arr.arguments, arr.raw_arguments, arr.malformed) == ({}, "[1]", True)


def test_make_call_with_an_object() -> None:
    part = ProviderPart("gemini", {"thoughtSignature": "sig"})
    assert make_call("c1", "f", {"a": 1}, part) == ToolCall("c1", "f", {"a": 1}, None, False, part)
    assert make_call("c1", "f", None) == ToolCall("c1", "f", {}, None, False)
    odd = make_call("c1", "f", [1, 2])  # type: ignore[arg-type]
    assert (odd.arguments, odd.raw_arguments, odd.malformed) == ({}, "[1, 2]", True)


# --- the assembler ----------------------------------------------------------------------------


def test_interleaved_fragments_of_two_calls_never_merge() -> None:
    a = ResponseAssembler("acme")
    a.start_call(0, "call_a", "get_weather")
    a.start_call(1, "call_b", "get_time")
    for key, fragment in [
        (0, '{"ci'),
        (1, '{"tz"'),
        (0, 'ty": "Pa'),
        (1, ': "UTC"'),
        (0, 'ris"}'),
        (1, "}"),
    ]:
        a.call_arguments(key, fragment)
    a.finish("tool_calls", "tool_calls")
    r = a.build()
    assert r.tool_calls == (
        ToolCall("call_a", "get_weather", {"city": "Paris"}, '{"city": "Paris"}'),
        ToolCall("call_b", "get_time", {"tz": "UTC"}, '{"tz": "UTC"}'),
    )


def test_calls_are_numbered_in_start_order_whatever_the_key() -> None:
    a = ResponseAssembler("acme")
    a.start_call("item_z", "z", "f")
    a.start_call(("block", 7), "y", "g")
    a.finish_call(("block", 7))
    a.finish_call("item_z")
    a.finish("tool_calls", None)
    r = a.build()
    assert [c.id for c in r.tool_calls] == ["z", "y"]  # start order, not finish order
    events = a.drain()
    assert events[:2] == [ToolCallStarted(0, "z", "f"), ToolCallStarted(1, "y", "g")]
    assert [e.index for e in events if isinstance(e, ToolCallFinished)] == [1, 0]


def test_events_in_order() -> None:
    a = ResponseAssembler("acme")
    a.model = "m-1"
    a.id = "resp_1"
    a.text("Let me ")
    a.text("")  # empty deltas are not events
    a.text("check.")
    a.start_call(0, "c1", "f")
    a.call_arguments(0, '{"a"')
    a.call_arguments(0, "")
    a.call_arguments(0, ": 1}")
    a.usage = Usage(10, 3)
    a.finish("tool_calls", "tool_use")
    assert a.finished
    r = a.build()
    call = ToolCall("c1", "f", {"a": 1}, '{"a": 1}')
    assert a.drain() == [
        TextDelta("Let me "),
        TextDelta("check."),
        ToolCallStarted(0, "c1", "f"),
        ToolCallDelta(0, '{"a"'),
        ToolCallDelta(0, ": 1}"),
        ToolCallFinished(0, call),
        Finished("tool_calls", "tool_use", Usage(10, 3)),
    ]
    assert a.drain() == []
    assert r.provider == "acme"
    assert r.model == "m-1"
    assert r.id == "resp_1"
    assert r.text == "Let me check."
    assert r.tool_calls == (call,)
    assert r.finish_reason == "tool_calls"
    assert r.raw_finish_reason == "tool_use"
    assert r.usage == Usage(10, 3)


def test_drain_hands_out_events_as_they_come() -> None:
    a = ResponseAssembler("acme")
    a.text("a")
    assert a.drain() == [TextDelta("a")]
    a.start_call(0, "c", "f")
    assert a.drain() == [ToolCallStarted(0, "c", "f")]
    assert a.call_count == 1
    assert a.has_call(0)
    a.finish_call(0)
    assert not a.has_call(0)
    assert a.drain() == [ToolCallFinished(0, ToolCall("c", "f", {}, ""))]


def test_no_text_means_none() -> None:
    a = ResponseAssembler("acme")
    a.finish("stop", "stop")
    r = a.build()
    assert r.text is None
    assert r.tool_calls == ()


def test_set_arguments_replaces_the_fragments() -> None:
    a = ResponseAssembler("acme")
    a.start_call(0, "c1", "f")
    a.call_arguments(0, '{"a": "partial')
    a.set_arguments(0, '{"a": "final"}')
    a.start_call(1, "c2", "g")
    a.call_arguments(1, "garbage")
    a.set_arguments(1, {"b": 2})
    a.finish("tool_calls", None)
    r = a.build()
    assert r.tool_calls == (
        ToolCall("c1", "f", {"a": "final"}, '{"a": "final"}'),
        ToolCall("c2", "g", {"b": 2}, None),
    )


def test_update_call_fills_late_ids_and_names() -> None:
    a = ResponseAssembler("acme")
    a.start_call(0, "", "")
    a.update_call(0, id="c1")
    a.update_call(0, name="f")
    a.update_call(0, id="", name=None)  # empty values do not erase
    call = a.finish_call(0)
    assert (call.id, call.name) == ("c1", "f")


def test_malformed_stream_arguments_keep_the_text() -> None:
    a = ResponseAssembler("acme")
    a.start_call(0, "c1", "f")
    a.call_arguments(0, '{"a": 1')
    a.finish("length", "length")
    r = a.build()
    assert r.tool_calls == (ToolCall("c1", "f", {}, '{"a": 1', True),)
    assert r.finish_reason == "length"


def test_whole_call() -> None:
    a = ResponseAssembler("acme")
    as_object = a.whole_call(0, "c1", "f", {"a": 1}, ProviderPart("gemini", {"s": 1}))
    as_text = a.whole_call(1, "c2", "g", '{"b": 2}')
    empty = a.whole_call(2, "c3", "h", None)
    assert as_object == ToolCall("c1", "f", {"a": 1}, None, False, ProviderPart("gemini", {"s": 1}))
    assert as_text == ToolCall("c2", "g", {"b": 2}, '{"b": 2}')
    assert empty == ToolCall("c3", "h", {}, None)
    assert a.drain() == [
        ToolCallStarted(0, "c1", "f"),
        ToolCallDelta(0, '{"a": 1}'),
        ToolCallFinished(0, as_object),
        ToolCallStarted(1, "c2", "g"),
        ToolCallDelta(1, '{"b": 2}'),
        ToolCallFinished(1, as_text),
        ToolCallStarted(2, "c3", "h"),
        ToolCallDelta(2, "{}"),
        ToolCallFinished(2, empty),
    ]


def test_keys_may_be_reused_after_a_call_finished() -> None:
    # Groq/xAI send whole calls, each keyed by index 0 in its own chunk.
    a = ResponseAssembler("acme")
    a.whole_call(0, "c1", "f", "{}")
    a.whole_call(0, "c2", "f", "{}")
    a.finish("tool_calls", None)
    assert [c.id for c in a.build().tool_calls] == ["c1", "c2"]


def test_build_closes_open_calls() -> None:
    a = ResponseAssembler("acme")
    a.start_call(0, "c1", "f")
    a.call_arguments(0, '{"x": true}')
    a.finish("tool_calls", None)
    r = a.build()
    assert r.tool_calls == (ToolCall("c1", "f", {"x": True}, '{"x": true}'),)
    assert isinstance(a.drain()[-2], ToolCallFinished)


def test_build_without_finish_is_a_protocol_error() -> None:
    a = ResponseAssembler("acme")
    a.text("cut sho")
    with pytest.raises(ProtocolError) as info:
        a.build()
    assert info.value.provider == "acme"
    assert str(info.value) == "acme: HTTP 0: the stream ended before the response finished"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda a: a.call_arguments(5, "x"), "fragment for tool call 5 that was never started"),
        (lambda a: a.set_arguments("k", "{}"), "fragment for tool call 'k' that was never started"),
        (lambda a: a.update_call(5, id="x"), "fragment for tool call 5 that was never started"),
        (lambda a: a.finish_call(5), "tool call 5 finished but never started"),
        (
            lambda a: (a.start_call(0, "a", "f"), a.start_call(0, "b", "f")),
            "tool call 0 started twice",
        ),
    ],
)
def test_protocol_errors(action: object, message: str) -> None:
    a = ResponseAssembler("acme")
    with pytest.raises(ProtocolError) as info:
        action(a)  # type: ignore[operator]
    assert info.value.message == message


def test_restore_is_applied_to_calls_and_events() -> None:
    seen: list[ToolCall] = []

    def restore(call: ToolCall) -> ToolCall:
        seen.append(call)
        return dataclasses.replace(call, name=call.name.removeprefix("wire_"))

    a = ResponseAssembler("acme", restore=restore)
    a.start_call(0, "c1", "wire_f")
    a.call_arguments(0, "{}")
    a.finish_call(0)
    a.whole_call(1, "c2", "wire_g", {"a": None})
    a.finish("tool_calls", None)
    r = a.build()
    assert [c.name for c in seen] == ["wire_f", "wire_g"]
    assert [c.name for c in r.tool_calls] == ["f", "g"]
    events = a.drain()
    assert events[0] == ToolCallStarted(0, "c1", "wire_f")  # started: as sent
    finished = [e.call.name for e in events if isinstance(e, ToolCallFinished)]
    assert finished == ["f", "g"]  # finished: as declared


def test_opaque_parts_reach_the_response() -> None:
    a = ResponseAssembler("acme")
    a.opaque.append(ProviderPart("anthropic", {"type": "thinking"}))
    a.finish("stop", None)
    assert a.build().opaque == (ProviderPart("anthropic", {"type": "thinking"}),)


def test_assembly_is_linear_in_the_number_of_fragments() -> None:
    # 200k one-character fragments: joined once, not re-joined per fragment.
    a = ResponseAssembler("acme")
    a.start_call(0, "c", "f")
    a.call_arguments(0, '{"s": "')
    for _ in range(200_000):
        a.call_arguments(0, "x")
    a.call_arguments(0, '"}')
    a.finish("tool_calls", None)
    assert a.build().tool_calls[0].arguments == {"s": "x" * 200_000}
