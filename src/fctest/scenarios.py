"""The conformance catalogue: provider-neutral scenarios as data.

A scenario is a neutral request plus a *script*: what the model answers at each step (a turn of
text and/or tool calls, or a provider error). Conformance means an adapter sends the right
request and decodes the recorded bytes back into exactly the scripted calls, finish reason and
errors; it is never about how clever a model is. Each scenario is tagged with the capability it
exercises (a column of the capability matrix) and says which profile declarations it ``needs``:
where a profile declares one unsupported, the expectation becomes a clear ``UsageError`` raised
before anything is sent.

The reference server (``fctest serve``) answers each scenario from the same scripts, and the
first user message carries ``[fctest:<scenario id>]`` so a server can tell which one it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias

from ._exceptions import (
    AuthenticationError,
    BadRequestError,
    ProviderError,
    RateLimitError,
    ServerError,
    UsageError,
)
from ._messages import Message, OutputSchema, Request, ToolCall, ToolResult
from ._tools import Tool
from ._types import FinishReason, JSONObject, ToolChoice
from .dialect import Profile

__all__ = [
    "SCENARIOS",
    "Capability",
    "ErrorTurn",
    "ModelTurn",
    "Need",
    "Scenario",
    "get",
    "scenario_ids",
    "unsupported_reason",
]

Capability: TypeAlias = Literal[
    "tool_call",
    "parallel_calls",
    "disable_parallel",
    "tool_choice_auto",
    "tool_choice_none",
    "tool_choice_required",
    "tool_choice_named",
    "zero_argument_tool",
    "unicode_arguments",
    "nested_schema",
    "many_tools",
    "tool_result_roundtrip",
    "error_tool_result",
    "tool_loop",
    "streaming",
    "streaming_parallel",
    "structured_output",
    "structured_output_with_tools",
    "strict_tools",
    "cross_provider_history",
    "errors",
    "retry",
]

Need: TypeAlias = Literal[
    "tool_choice_none",
    "tool_choice_required",
    "tool_choice_named",
    "disable_parallel",
    "structured_output",
    "structured_output_with_tools",
    "strict_tools",
    "64_tools",
]


def unsupported_reason(needs: tuple[Need, ...], profile: Profile) -> str | None:
    """Why ``profile`` declares one of ``needs`` unsupported, or ``None`` if all are declared."""
    for need in needs:
        if need.startswith("tool_choice_"):
            mode = need.removeprefix("tool_choice_")
            if mode not in profile.tool_choice:
                return f"tool_choice {mode!r} is not offered"
        elif need == "disable_parallel" and not profile.parallel_call_control:
            return "parallel tool calls cannot be switched off"
        elif need == "structured_output" and profile.structured_output != "native":
            return "structured output is not offered natively"
        elif need == "structured_output_with_tools" and not profile.structured_output_with_tools:
            return "a final answer's schema cannot be asked for together with tools"
        elif need == "strict_tools" and profile.strict_mode == "none":
            return "strict tools are not offered"
        elif need == "64_tools" and profile.max_tools is not None and profile.max_tools < 64:
            return f"at most {profile.max_tools} tools per request"
    return None


@dataclass(frozen=True, slots=True)
class ModelTurn:
    """What the scripted model answers at one step: text and/or calls ``(name, arguments)``."""

    text: str | None = None
    calls: tuple[tuple[str, JSONObject], ...] = ()
    finish_reason: FinishReason | None = None

    @property
    def expected_finish_reason(self) -> FinishReason:
        if self.finish_reason is not None:
            return self.finish_reason
        return "tool_calls" if self.calls else "stop"


@dataclass(frozen=True, slots=True)
class ErrorTurn:
    """The provider answers this step with an error; the client must raise ``error``."""

    status: int
    error: type[ProviderError]
    message: str
    retry_after: float | None = None


Turn: TypeAlias = ModelTurn | ErrorTurn


@dataclass(frozen=True)
class Scenario:
    """One conformance scenario. ``script`` has one entry per HTTP exchange."""

    id: str
    capability: Capability
    summary: str
    prompt: str
    script: tuple[Turn, ...]
    tools: tuple[Tool, ...] = ()
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    output: OutputSchema | None = None
    stream: bool = False
    history: tuple[Message, ...] = ()
    needs: tuple[Need, ...] = ()
    run_loop: bool = False
    """Run through the tool loop (the tools' handlers answer each call)."""
    handlers: dict[str, Callable[..., Any]] = field(default_factory=dict, compare=False)

    def request(self, model: str) -> Request:
        """The neutral request of the first step."""
        first = Message.user(f"[fctest:{self.id}] {self.prompt}")
        return Request(
            model=model,
            messages=(*self.history, first),
            tools=self.tools,
            tool_choice=self.tool_choice,
            parallel_tool_calls=self.parallel_tool_calls,
            output=self.output,
            stream=self.stream,
            max_output_tokens=256,
            temperature=0.0,
        )

    def unsupported_reason(self, profile: Profile) -> str | None:
        return unsupported_reason(self.needs, profile)

    def runnable_tools(self) -> tuple[Tool, ...]:
        """The tools with this scenario's deterministic handlers attached (for the loop)."""
        return tuple(replace(t, handler=self.handlers.get(t.name, t.handler)) for t in self.tools)


# --- tools the scenarios use ----------------------------------------------------------------

WEATHER = Tool(
    name="get_weather",
    description="Current weather for a city.",
    parameters={
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city"],
    },
)
TIME = Tool(
    name="get_time",
    description="Current local time in an IANA time zone.",
    parameters={
        "type": "object",
        "properties": {"timezone": {"type": "string"}},
        "required": ["timezone"],
    },
)
PING = Tool(name="ping", description="Check that the service is up. Takes no arguments.")
ORDER = Tool(
    name="create_order",
    description="Create an order for a customer.",
    parameters={
        "type": "object",
        "properties": {
            "customer": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "email": {"type": ["string", "null"]},
                },
                "required": ["name", "email"],
            },
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "sku": {"type": "string"},
                        "quantity": {"type": "integer"},
                    },
                    "required": ["sku", "quantity"],
                },
            },
            "priority": {"type": "string", "enum": ["low", "normal", "high"]},
            "note": {"type": "string"},
        },
        "required": ["customer", "items", "priority"],
    },
)
STRICT_WEATHER = Tool(
    name="get_weather_strict",
    description=WEATHER.description,
    parameters={
        "type": "object",
        "properties": WEATHER.parameters["properties"],
        "required": ["city", "unit"],
        "additionalProperties": False,
    },
    strict=True,
)


def _many_tools(n: int) -> tuple[Tool, ...]:
    return tuple(
        Tool(
            name=f"lookup_{i:02d}",
            description=f"Look up record kind {i}.",
            parameters={
                "type": "object",
                "properties": {"id": {"type": "string"}},
                "required": ["id"],
            },
        )
        for i in range(n)
    )


CITY = OutputSchema(
    name="city_report",
    schema={
        "type": "object",
        "properties": {"city": {"type": "string"}, "temperature_c": {"type": "number"}},
        "required": ["city", "temperature_c"],
        "additionalProperties": False,
    },
)

_PARIS = {"city": "Paris", "unit": "celsius"}
_FIVE = ("Paris", "Tokyo", "Lima", "Oslo", "Cairo")

# A conversation held in the neutral model after another provider answered it: ids in that
# provider's format (Gemini sends none, so fctest made them; Bedrock-style ids hold `.`/`:`).
_FOREIGN_HISTORY = (
    Message.user("What's the weather in Paris and Tokyo?"),
    Message.assistant(
        None,
        (
            ToolCall("tooluse_a1.b2:c3", "get_weather", {"city": "Paris"}),
            ToolCall("call_9f8e7d6c5b4a3f2e1d0c9b8a", "get_weather", {"city": "Tokyo"}),
        ),
    ),
    Message.tool(
        ToolResult("tooluse_a1.b2:c3", "get_weather", {"temperature_c": 18}),
        ToolResult("call_9f8e7d6c5b4a3f2e1d0c9b8a", "get_weather", "22 C, clear"),
    ),
    Message.assistant("Paris is 18 C; Tokyo is 22 C and clear."),
)

_ROUNDTRIP_HISTORY = (
    Message.user("What's the weather in Paris?"),
    Message.assistant(None, (ToolCall("call_1", "get_weather", _PARIS),)),
)


def _scenarios() -> Iterator[Scenario]:
    one_call = (ModelTurn(calls=(("get_weather", _PARIS),)),)
    yield Scenario(
        "single_call",
        "tool_call",
        "One tool, one call.",
        "Weather in Paris?",
        one_call,
        tools=(WEATHER,),
    )
    yield Scenario(
        "parallel_two",
        "parallel_calls",
        "Two calls in one turn.",
        "Weather in Paris, and the time there?",
        (ModelTurn(calls=(("get_weather", _PARIS), ("get_time", {"timezone": "Europe/Paris"}))),),
        tools=(WEATHER, TIME),
    )
    yield Scenario(
        "parallel_five",
        "parallel_calls",
        "Five calls to one tool in one turn.",
        "Weather in " + ", ".join(_FIVE) + "?",
        (ModelTurn(calls=tuple(("get_weather", {"city": c}) for c in _FIVE)),),
        tools=(WEATHER,),
    )
    yield Scenario(
        "parallel_disabled",
        "disable_parallel",
        "parallel_tool_calls=false gives one call.",
        "Weather in Paris and Tokyo?",
        one_call,
        tools=(WEATHER,),
        parallel_tool_calls=False,
        needs=("disable_parallel",),
    )
    yield Scenario(
        "tool_choice_auto",
        "tool_choice_auto",
        "tool_choice auto.",
        "Weather in Paris?",
        one_call,
        tools=(WEATHER,),
        tool_choice="auto",
    )
    yield Scenario(
        "tool_choice_none",
        "tool_choice_none",
        "tool_choice none: text, no call.",
        "Weather in Paris? Answer from memory.",
        (ModelTurn(text="I cannot check live weather."),),
        tools=(WEATHER,),
        tool_choice="none",
        needs=("tool_choice_none",),
    )
    yield Scenario(
        "tool_choice_required",
        "tool_choice_required",
        "tool_choice required.",
        "Hello!",
        one_call,
        tools=(WEATHER,),
        tool_choice="required",
        needs=("tool_choice_required",),
    )
    yield Scenario(
        "tool_choice_named",
        "tool_choice_named",
        "tool_choice names one of two tools.",
        "What time is it in Paris?",
        (ModelTurn(calls=(("get_time", {"timezone": "Europe/Paris"}),)),),
        tools=(WEATHER, TIME),
        tool_choice="get_time",
        needs=("tool_choice_named",),
    )
    yield Scenario(
        "zero_argument_tool",
        "zero_argument_tool",
        "A call with arguments {}.",
        "Is the service up?",
        (ModelTurn(calls=(("ping", {}),)),),
        tools=(PING,),
    )
    yield Scenario(
        "unicode_arguments",
        "unicode_arguments",
        "Non-ASCII arguments survive.",
        "Weather in Zürich, 東京 and São Paulo?",
        (
            ModelTurn(
                calls=(
                    ("get_weather", {"city": "Zürich"}),
                    ("get_weather", {"city": "東京"}),
                    ("get_weather", {"city": "São Paulo 🌞"}),
                )
            ),
        ),
        tools=(WEATHER,),
    )
    yield Scenario(
        "nested_schema",
        "nested_schema",
        "Nested objects, arrays of objects, enums, optional and nullable parameters.",
        "Order two apples and a pear for Ada, no email.",
        (
            ModelTurn(
                calls=(
                    (
                        "create_order",
                        {
                            "customer": {"name": "Ada", "email": None},
                            "items": [
                                {"sku": "apple", "quantity": 2},
                                {"sku": "pear", "quantity": 1},
                            ],
                            "priority": "normal",
                        },
                    ),
                )
            ),
        ),
        tools=(ORDER,),
    )
    yield Scenario(
        "many_tools",
        "many_tools",
        "64 tools in one request.",
        "Look up record 42 of kind 63.",
        (ModelTurn(calls=(("lookup_63", {"id": "42"}),)),),
        tools=_many_tools(64),
        needs=("64_tools",),
    )
    yield Scenario(
        "tool_result_string",
        "tool_result_roundtrip",
        "A string tool result sent back.",
        "Continue.",
        (ModelTurn(text="It is 18 C in Paris."),),
        tools=(WEATHER,),
        history=(
            *_ROUNDTRIP_HISTORY,
            Message.tool(ToolResult("call_1", "get_weather", "18 C, cloudy")),
        ),
    )
    yield Scenario(
        "tool_result_structured",
        "tool_result_roundtrip",
        "A JSON tool result sent back.",
        "Continue.",
        (ModelTurn(text="It is 18 C in Paris."),),
        tools=(WEATHER,),
        history=(
            *_ROUNDTRIP_HISTORY,
            Message.tool(
                ToolResult("call_1", "get_weather", {"temperature_c": 18, "sky": "cloudy"})
            ),
        ),
    )
    yield Scenario(
        "error_tool_result",
        "error_tool_result",
        "A failed tool's result is marked as an error.",
        "Continue.",
        (ModelTurn(text="The weather service is down."),),
        tools=(WEATHER,),
        history=(
            *_ROUNDTRIP_HISTORY,
            Message.tool(ToolResult("call_1", "get_weather", "service unavailable", is_error=True)),
        ),
    )
    yield Scenario(
        "tool_loop_three_steps",
        "tool_loop",
        "Call, call, then answer: three model calls.",
        "What time is it where the weather is warmest, Paris or Lima?",
        (
            ModelTurn(
                calls=(("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Lima"}))
            ),
            ModelTurn(calls=(("get_time", {"timezone": "America/Lima"}),)),
            ModelTurn(text="Lima is warmer; it is 09:00 there."),
        ),
        tools=(WEATHER, TIME),
        run_loop=True,
        handlers={
            "get_weather": lambda city, unit="celsius": {
                "city": city,
                "temperature_c": len(city) * 3,
            },
            "get_time": lambda timezone: {"timezone": timezone, "time": "09:00"},
        },
    )
    yield Scenario(
        "stream_single_call",
        "streaming",
        "A streamed call.",
        "Weather in Paris?",
        one_call,
        tools=(WEATHER,),
        stream=True,
    )
    yield Scenario(
        "stream_parallel_calls",
        "streaming_parallel",
        "Two streamed calls never merge.",
        "Weather in Paris, and the time there?",
        (ModelTurn(calls=(("get_weather", _PARIS), ("get_time", {"timezone": "Europe/Paris"}))),),
        tools=(WEATHER, TIME),
        stream=True,
    )
    yield Scenario(
        "stream_zero_argument",
        "streaming",
        "A streamed call with no arguments.",
        "Is the service up?",
        (ModelTurn(calls=(("ping", {}),)),),
        tools=(PING,),
        stream=True,
    )
    yield Scenario(
        "structured_output",
        "structured_output",
        "The answer follows a JSON Schema.",
        "Report Paris's temperature.",
        (ModelTurn(text='{"city":"Paris","temperature_c":18}'),),
        output=CITY,
        needs=("structured_output",),
    )
    yield Scenario(
        "structured_output_with_tools",
        "structured_output_with_tools",
        "A schema for the answer and a tool in the same request.",
        "Report Paris's temperature.",
        one_call,
        tools=(WEATHER,),
        output=CITY,
        needs=("structured_output", "structured_output_with_tools"),
    )
    yield Scenario(
        "strict_tools",
        "strict_tools",
        "A strict tool is sent strict.",
        "Weather in Paris?",
        (ModelTurn(calls=(("get_weather_strict", _PARIS),)),),
        tools=(STRICT_WEATHER,),
        needs=("strict_tools",),
    )
    yield Scenario(
        "moved_from_another_provider",
        "cross_provider_history",
        "A conversation begun on another provider (foreign ids) continues here.",
        "And in Lima?",
        (ModelTurn(calls=(("get_weather", {"city": "Lima"}),)),),
        tools=(WEATHER,),
        history=_FOREIGN_HISTORY,
    )
    yield Scenario(
        "error_401",
        "errors",
        "A bad key is an AuthenticationError.",
        "Hi.",
        (ErrorTurn(401, AuthenticationError, "invalid api key"),),
    )
    yield Scenario(
        "error_400_schema",
        "errors",
        "A rejected schema is a BadRequestError.",
        "Weather in Paris?",
        (ErrorTurn(400, BadRequestError, "invalid schema for function"),),
        tools=(WEATHER,),
    )
    yield Scenario(
        "error_429_retry_after",
        "errors",
        "429 carries retry_after.",
        "Hi.",
        (ErrorTurn(429, RateLimitError, "rate limited", retry_after=2.0),),
    )
    yield Scenario(
        "error_5xx_then_success",
        "retry",
        "A 5xx is retried, then succeeds.",
        "Weather in Paris?",
        (ErrorTurn(503, ServerError, "temporarily unavailable"), *one_call),
        tools=(WEATHER,),
    )


SCENARIOS: tuple[Scenario, ...] = tuple(_scenarios())


def scenario_ids() -> list[str]:
    return [s.id for s in SCENARIOS]


def get(scenario_id: str) -> Scenario:
    for s in SCENARIOS:
        if s.id == scenario_id:
            return s
    raise UsageError(f"no scenario {scenario_id!r}; known: {', '.join(scenario_ids())}")
