"""The neutral values: constructors, the role rules, and the checks every Request runs."""

from __future__ import annotations

import dataclasses
import re

import pydantic
import pytest

from fctest import (
    Message,
    OutputSchema,
    ProviderPart,
    Request,
    Response,
    Tool,
    ToolCall,
    ToolResult,
    Usage,
)
from fctest.errors import UsageError

WEATHER = Tool(
    "get_weather",
    "Weather for a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
TIME = Tool("get_time", "Current time")


def _call(id: str, name: str = "get_weather") -> ToolCall:
    return ToolCall(id, name, {"city": "Paris"})


def _result(id: str, name: str = "get_weather") -> ToolResult:
    return ToolResult(id, name, "sunny")


# --- Message --------------------------------------------------------------------------------


def test_constructors_build_each_role() -> None:
    assert Message.system("be brief") == Message("system", "be brief")
    assert Message.user("hi") == Message("user", "hi")
    call = _call("c1")
    a = Message.assistant("let me look", [call], opaque=[ProviderPart("anthropic", {"x": 1})])
    assert a.role == "assistant"
    assert a.text == "let me look"
    assert a.tool_calls == (call,)
    assert a.opaque == (ProviderPart("anthropic", {"x": 1}),)
    t = Message.tool(_result("c1"), _result("c2"))
    assert t.role == "tool"
    assert t.text is None
    assert t.tool_results == (_result("c1"), _result("c2"))


def test_assistant_may_be_text_only_or_calls_only() -> None:
    assert Message.assistant("done").tool_calls == ()
    assert Message.assistant(tool_calls=[_call("c1")]).text is None


def test_lists_become_tuples() -> None:
    m = Message("assistant", None, [_call("c1")], opaque=[ProviderPart("p", {})])  # type: ignore[arg-type]
    assert type(m.tool_calls) is tuple
    assert type(m.opaque) is tuple
    t = Message("tool", tool_results=[_result("c1")])  # type: ignore[arg-type]
    assert type(t.tool_results) is tuple


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Message("robot", "x"),
            "message role must be one of ['assistant', 'system', 'tool', 'user'], got 'robot'",
        ),  # type: ignore[arg-type]
        (
            lambda: Message("user", "x", (_call("c1"),)),
            "only assistant messages carry tool calls, not 'user'",
        ),
        (
            lambda: Message("system", "x", (_call("c1"),)),
            "only assistant messages carry tool calls, not 'system'",
        ),
        (
            lambda: Message("tool", tool_calls=(_call("c1"),), tool_results=(_result("c1"),)),
            "only assistant messages carry tool calls, not 'tool'",
        ),
        (lambda: Message.tool(), "a tool message needs at least one ToolResult"),
        (
            lambda: Message("tool", "text", tool_results=(_result("c1"),)),
            "a tool message carries results, not text",
        ),
        (
            lambda: Message("assistant", "x", tool_results=(_result("c1"),)),
            "tool results go in a 'tool' message, not 'assistant'",
        ),
        (
            lambda: Message("user", "x", tool_results=(_result("c1"),)),
            "tool results go in a 'tool' message, not 'user'",
        ),
        (lambda: Message("user"), "a user message needs text"),
        (lambda: Message("system", None), "a system message needs text"),
        (lambda: Message.user(42), "a user message needs text"),  # type: ignore[arg-type]
    ],
)
def test_role_rules(build: object, message: str) -> None:
    with pytest.raises(UsageError) as info:
        build()  # type: ignore[operator]
    assert str(info.value) == message


def test_message_parts_must_have_the_right_type() -> None:
    with pytest.raises(UsageError, match=r"tool_calls\[0\] is dict, expected fctest.ToolCall"):
        Message.assistant(tool_calls=[{"id": "c1", "name": "x"}])  # type: ignore[list-item]
    with pytest.raises(UsageError, match=r"tool_results\[1\] is str, expected fctest.ToolResult"):
        Message("tool", tool_results=(_result("c1"), "sunny"))  # type: ignore[arg-type]


def test_values_are_frozen() -> None:
    values: list[object] = [
        Message.user("hi"),
        _call("c1"),
        _result("c1"),
        ProviderPart("p", {}),
        Usage(1, 2),
        Response("p", "m"),
        OutputSchema("o", {"type": "object"}),
        Request("m", (Message.user("hi"),)),
    ]
    for value in values:
        field = dataclasses.fields(value)[0].name  # type: ignore[arg-type]
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, field, "changed")


def test_tool_call_defaults() -> None:
    c = ToolCall("c1", "f")
    assert c.arguments == {}
    assert c.raw_arguments is None
    assert c.malformed is False
    assert c.opaque is None
    assert ToolCall("c2", "f").arguments is not c.arguments  # no shared default dict


def test_usage_total() -> None:
    assert Usage(3, 4).total_tokens == 7
    assert Usage(3, None).total_tokens is None
    assert Usage(None, 4).total_tokens is None
    assert Usage().total_tokens is None


# --- Request --------------------------------------------------------------------------------


def test_request_converts_lists_to_tuples() -> None:
    r = Request("m", [Message.user("hi")], tools=[WEATHER, TIME])  # type: ignore[arg-type]
    assert r.messages == (Message.user("hi"),)
    assert type(r.messages) is tuple
    assert r.tools == (WEATHER, TIME)
    assert type(r.tools) is tuple


def test_request_needs_a_message() -> None:
    with pytest.raises(UsageError, match=r"^a request needs at least one message$"):
        Request("m", ())


def test_request_checks_message_types() -> None:
    with pytest.raises(UsageError, match=r"^messages\[1\] is str, expected fctest.Message$"):
        Request("m", (Message.user("hi"), "hello"))  # type: ignore[arg-type]


def test_duplicate_tool_names() -> None:
    other = Tool("get_weather", "Another weather tool")
    with pytest.raises(UsageError) as info:
        Request("m", (Message.user("hi"),), tools=(WEATHER, TIME, other))
    assert str(info.value) == (
        "two tools are named 'get_weather' (descriptions 'Weather for a city' and "
        "'Another weather tool'); tool names must be unique in one request"
    )


def test_tools_must_be_tools() -> None:
    with pytest.raises(UsageError, match=r"^expected fctest\.Tool, got dict"):
        Request("m", (Message.user("hi"),), tools=({"name": "x"},))  # type: ignore[arg-type]


def test_tool_choice_naming_an_undeclared_tool() -> None:
    with pytest.raises(UsageError) as info:
        Request("m", (Message.user("hi"),), tools=(WEATHER, TIME), tool_choice="get_news")
    assert str(info.value) == (
        "tool_choice 'get_news' is neither auto/none/required nor a declared tool "
        "(tools: ['get_weather', 'get_time'])"
    )


def test_named_tool_choice_without_tools() -> None:
    with pytest.raises(UsageError, match=re.escape("(tools: [])")):
        Request("m", (Message.user("hi"),), tool_choice="get_weather")


def test_required_without_tools() -> None:
    with pytest.raises(UsageError, match=r"^tool_choice 'required' needs at least one tool$"):
        Request("m", (Message.user("hi"),), tool_choice="required")


@pytest.mark.parametrize("choice", ["auto", "none"])
def test_auto_and_none_need_no_tools(choice: str) -> None:
    assert Request("m", (Message.user("hi"),), tool_choice=choice).tool_choice == choice


@pytest.mark.parametrize(
    ("choice", "mode", "forced"),
    [
        (None, None, None),
        ("auto", "auto", None),
        ("none", "none", None),
        ("required", "required", None),
        ("get_time", "required", "get_time"),
    ],
)
def test_tool_choice_mode_and_forced_tool(
    choice: str | None, mode: str | None, forced: str | None
) -> None:
    r = Request("m", (Message.user("hi"),), tools=(WEATHER, TIME), tool_choice=choice)
    assert r.tool_choice_mode == mode
    assert r.forced_tool == forced


def test_request_defaults() -> None:
    r = Request("m", (Message.user("hi"),))
    assert r.tools == ()
    assert r.tool_choice is None
    assert r.parallel_tool_calls is None
    assert r.temperature is None
    assert r.max_output_tokens is None
    assert r.output is None
    assert r.stream is False
    assert r.extra_body is None


# --- the tool-call history ------------------------------------------------------------------


def _history(*messages: Message) -> Request:
    return Request("m", messages, tools=(WEATHER,))


def test_answered_calls_pass() -> None:
    r = _history(
        Message.user("weather in Paris and Rome?"),
        Message.assistant(tool_calls=[_call("c1"), _call("c2")]),
        Message.tool(_result("c2"), _result("c1")),  # any order
        Message.assistant("sunny in both"),
        Message.user("thanks"),
    )
    assert len(r.messages) == 5


def test_results_may_be_split_over_tool_messages() -> None:
    _history(
        Message.user("q"),
        Message.assistant(tool_calls=[_call("c1"), _call("c2")]),
        Message.tool(_result("c1")),
        Message.tool(_result("c2")),
    )


def test_unanswered_call_before_the_next_turn() -> None:
    with pytest.raises(UsageError) as info:
        _history(
            Message.user("q"),
            Message.assistant(tool_calls=[_call("c1"), _call("c2")]),
            Message.tool(_result("c1")),
            Message.user("and now?"),
        )
    assert str(info.value) == (
        "messages[3]: tool calls ['c2'] were not answered before this user message; "
        "every call needs a ToolResult"
    )


def test_unanswered_call_at_the_end() -> None:
    with pytest.raises(UsageError) as info:
        _history(
            Message.user("q"),
            Message.assistant(tool_calls=[_call("c1"), _call("c2")]),
            Message.tool(_result("c2")),
        )
    assert str(info.value) == "tool calls ['c1'] were not answered"


def test_unanswered_call_followed_by_another_assistant_turn() -> None:
    with pytest.raises(UsageError, match=r"^messages\[2\]: tool calls \['c1'\] were not answered"):
        _history(
            Message.user("q"),
            Message.assistant(tool_calls=[_call("c1")]),
            Message.assistant("never mind"),
        )


def test_result_for_an_unknown_call_id() -> None:
    with pytest.raises(UsageError) as info:
        _history(
            Message.user("q"),
            Message.assistant(tool_calls=[_call("c1")]),
            Message.tool(_result("c1"), _result("c9", "get_time")),
        )
    assert str(info.value) == (
        "messages[2]: result for unknown or already answered call id 'c9' (tool 'get_time')"
    )


def test_result_without_any_call() -> None:
    with pytest.raises(UsageError, match=r"^messages\[1\]: result for unknown .* 'c1'"):
        _history(Message.user("q"), Message.tool(_result("c1")))


def test_call_answered_twice() -> None:
    with pytest.raises(
        UsageError, match=r"^messages\[3\]: result for unknown or already answered call id 'c1'"
    ):
        _history(
            Message.user("q"),
            Message.assistant(tool_calls=[_call("c1")]),
            Message.tool(_result("c1")),
            Message.tool(_result("c1")),
        )


def test_two_calls_sharing_an_id() -> None:
    with pytest.raises(UsageError) as info:
        _history(
            Message.user("q"),
            Message.assistant(tool_calls=[_call("c1"), _call("c1")]),
            Message.tool(_result("c1")),
        )
    assert str(info.value) == "messages[1]: two tool calls share the id 'c1'"


def test_ids_may_repeat_across_turns_once_answered() -> None:
    # Gemini has no ids; adapters generate them per turn, so "call_0" recurs.
    _history(
        Message.user("q"),
        Message.assistant(tool_calls=[_call("call_0")]),
        Message.tool(_result("call_0")),
        Message.assistant(tool_calls=[_call("call_0")]),
        Message.tool(_result("call_0")),
    )


# --- Response and OutputSchema ------------------------------------------------------------


def test_response_to_message() -> None:
    calls = (_call("c1"), _call("c2"))
    opaque = (ProviderPart("anthropic", {"type": "thinking", "signature": "s"}),)
    r = Response(
        "anthropic",
        "claude",
        text="checking",
        tool_calls=calls,
        finish_reason="tool_calls",
        raw_finish_reason="tool_use",
        usage=Usage(10, 5),
        id="msg_1",
        opaque=opaque,
    )
    assert r.to_message() == Message("assistant", "checking", calls, opaque=opaque)
    # and it continues a conversation
    Request("m", (Message.user("q"), r.to_message(), Message.tool(_result("c1"), _result("c2"))))


def test_response_defaults() -> None:
    r = Response("openai", "gpt")
    assert r.text is None
    assert r.tool_calls == ()
    assert r.finish_reason == "stop"
    assert r.raw_finish_reason is None
    assert r.usage is None
    assert r.to_message() == Message("assistant")


def test_output_schema_must_be_an_object() -> None:
    with pytest.raises(UsageError) as info:
        OutputSchema("answer", {"type": "string"})
    assert str(info.value) == "output schema 'answer' must describe an object (type 'object')"
    with pytest.raises(UsageError, match="must describe an object"):
        OutputSchema("answer", ["not", "a", "dict"])  # type: ignore[arg-type]


class CityReport(pydantic.BaseModel):
    """The weather in one city."""

    city: str
    celsius: float | None = None


class NoDoc(pydantic.BaseModel):
    n: int


def test_output_schema_from_model() -> None:
    o = OutputSchema.from_model(CityReport)
    assert o.name == "CityReport"
    assert o.description == "The weather in one city."
    assert o.strict is True
    assert o.schema == CityReport.model_json_schema()
    assert o.schema["required"] == ["city"]
    assert OutputSchema.from_model(CityReport, strict=False).strict is False
    plain = OutputSchema.from_model(NoDoc)
    assert plain.description == ""
    assert plain.name == "NoDoc"
