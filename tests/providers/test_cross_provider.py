"""One conversation moved between providers: openai -> anthropic -> gemini -> openai.

The history is held in the neutral model only. Each turn's answer is decoded from bytes written
in that provider's wire format, appended with ``Response.to_message()`` plus a tool message, and
the next request is built for the next provider and checked against that provider's official
request types (``openai`` / ``anthropic`` TypedDicts via ``oracles.typeddict_problems``,
google-genai's models via ``_gemini_oracle.request_problems``). At every step every call of the
history must be on the wire, in order, with an id that provider accepts, and every result must
name the id its call was given; building the same request twice must give the same bytes.

Id rules: Anthropic ``tool_use.id`` must match ``^[a-zA-Z0-9_-]+$`` (400 "String should match
pattern", docs/dialects.md#ids-anthropic); OpenAI Chat rejected ids longer than 40 characters
(``string_above_max_length``, docs/dialects.md#ids-openai); Gemini pairs a model turn's
``functionCall`` parts with the same number of ``functionResponse`` parts by position and name
(400 "number of function response parts", docs/dialects.md#history-gemini-count).
"""

from __future__ import annotations

import json
import re
from typing import Any

from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming

from fctest import (
    HttpResponse,
    Message,
    Request,
    Response,
    Tool,
    ToolCall,
    ToolResult,
    get_adapter,
)
from fctest.dialect import IdMapper, IdRule
from oracles import typeddict_problems

from .gemini._oracle import request_problems

MODELS = {"openai": "gpt-4o", "anthropic": "claude-sonnet-4-5", "gemini": "gemini-2.5-flash"}
ANTHROPIC_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
OPENAI_MAX_ID = 40

WEATHER = Tool(
    "get_weather",
    "Weather for a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
TIME = Tool(
    "get_time",
    "Local time in a time zone",
    {"type": "object", "properties": {"tz": {"type": "string"}}, "required": ["tz"]},
)
TOOLS = (WEATHER, TIME)

# Real-looking ids: OpenAI ``call_`` + 24 characters, Anthropic ``toolu_01`` + 22.
OPENAI_IDS = ("call_8bYzK2Jd9Lm3Nq4Rs5Tu6Vw7", "call_Qx1Wc2Ev3Rb4Tn5Ym6Uk7Il8")
ANTHROPIC_IDS = ("toolu_01A09q90qw90lq917835lq9a", "toolu_01T1x1fJ34qAmk2tNTrN7Up6")
# A real signature (pydantic-ai cassette test_google_instructions_only_with_tool_calls, as in
# test_gemini.py): google-genai checks that it is base64.
SIG = (
    "EtkBCtYBAXLI2nw30WDVpjR1pyPO7RX8irBHXj/Gr3vxDSk+rgwZCdVoqguEYPHH7cUse9KvaZ3EJYu8PrHkjjtzW9b9"
    "KJ8PGz/RgeYPQpq28UIvdfmTZ5Q8h89N39bPVdrfLbdhQ5xbbDu5E1fWCOvcs8r2G1MTlJhqSfnSCIFR3J7xaAmOqE0U"
    "EW3Xo5sWjV14pkl5Zvmd41eAl6ZUr6XHVgH+zQ//TBeRh6CF13VtGTNFteKz7sO6VHe+i5jSsyGFgdWXNW9HpnW7GPPj"
    "w1h63pnfeI9y8HpJCA=="
)


def request_for(provider: str, history: list[Message]) -> Request:
    return Request(model=MODELS[provider], messages=tuple(history), tools=TOOLS)


def build(provider: str, request: Request) -> bytes:
    """The body bytes, built twice: the same history must give the same bytes (determinism)."""
    adapter = get_adapter(provider)
    config = adapter.config_type(api_key="test-key")
    first = adapter.build_request(request, config).body
    again = adapter.build_request(request, config).body
    assert first == again, f"{provider}: two builds of one request differ"
    # A copy of the history (equal values, new objects) gives the same bytes too.
    copy = Request(model=request.model, messages=tuple(request.messages), tools=request.tools)
    assert adapter.build_request(copy, config).body == first
    return first


def history_calls(history: list[Message]) -> list[list[ToolCall]]:
    """The calls of each assistant turn that made any."""
    return [list(m.tool_calls) for m in history if m.role == "assistant" and m.tool_calls]


def history_results(history: list[Message]) -> list[list[ToolResult]]:
    """The results answering each of those turns (one tool message per turn here)."""
    return [list(m.tool_results) for m in history if m.role == "tool"]


# --- what each provider's body says about calls and results ----------------------------------


def openai_turns(body: dict[str, Any]) -> list[tuple[list[tuple[str, str]], list[str]]]:
    """``[( [(call id, name)...], [result tool_call_id...] )]`` per assistant turn with calls."""
    turns: list[tuple[list[tuple[str, str]], list[str]]] = []
    for msg in body["messages"]:
        if msg["role"] == "assistant" and msg.get("tool_calls"):
            turns.append(([(c["id"], c["function"]["name"]) for c in msg["tool_calls"]], []))
        elif msg["role"] == "tool":
            turns[-1][1].append(msg["tool_call_id"])
    return turns


def anthropic_turns(body: dict[str, Any]) -> list[tuple[list[tuple[str, str]], list[str]]]:
    turns: list[tuple[list[tuple[str, str]], list[str]]] = []
    for msg in body["messages"]:
        blocks = msg["content"] if isinstance(msg["content"], list) else []
        uses = [(b["id"], b["name"]) for b in blocks if b["type"] == "tool_use"]
        results = [b["tool_use_id"] for b in blocks if b["type"] == "tool_result"]
        if msg["role"] == "assistant" and uses:
            turns.append((uses, []))
        elif msg["role"] == "user" and results:
            assert turns, "tool_result before any tool_use"
            # The tool_result blocks come first in the user turn
            # (docs/dialects.md#history-anthropic-placement).
            kinds = [b["type"] for b in blocks]
            assert kinds[: len(results)] == ["tool_result"] * len(results)
            turns[-1][1].extend(results)
    return turns


def gemini_turns(
    body: dict[str, Any],
) -> list[tuple[list[tuple[str | None, str]], list[tuple[str | None, str]]]]:
    """Per model turn with calls: ``[(id or None, name)]`` of its functionCall parts and of the
    functionResponse parts in the user turn right after it."""
    turns: list[tuple[list[tuple[str | None, str]], list[tuple[str | None, str]]]] = []
    contents = body["contents"]
    for i, content in enumerate(contents):
        calls = [p["functionCall"] for p in content["parts"] if "functionCall" in p]
        if content["role"] != "model" or not calls:
            continue
        following = contents[i + 1] if i + 1 < len(contents) else {"parts": []}
        assert following.get("role") == "user", "a model turn's calls need a user turn after it"
        responses = [p["functionResponse"] for p in following["parts"] if "functionResponse" in p]
        turns.append(
            (
                [(fc.get("id"), fc["name"]) for fc in calls],
                [(fr.get("id"), fr["name"]) for fr in responses],
            )
        )
    return turns


def check_openai(body: dict[str, Any], history: list[Message]) -> None:
    assert typeddict_problems(body, CompletionCreateParamsNonStreaming) == []
    check_pairs("openai", openai_turns(body), history, lambda i: 0 < len(i) <= OPENAI_MAX_ID)


def check_anthropic(body: dict[str, Any], history: list[Message]) -> None:
    assert typeddict_problems(body, MessageCreateParamsNonStreaming) == []
    check_pairs(
        "anthropic",
        anthropic_turns(body),
        history,
        lambda i: bool(ANTHROPIC_ID.match(i)),
        in_call_order=True,
    )


def check_pairs(
    provider: str,
    turns: list[tuple[list[tuple[str, str]], list[str]]],
    history: list[Message],
    fits: Any,
    *,
    in_call_order: bool = False,
) -> None:
    """Every call on the wire in history order with an id ``fits`` accepts, ids unique over the
    request, an id that already fits kept as it is, and each result naming its call's wire id."""
    calls, results = history_calls(history), history_results(history)
    assert [[name for _, name in wire] for wire, _ in turns] == [
        [c.name for c in turn] for turn in calls
    ], provider
    wire_ids = [i for wire, _ in turns for i, _ in wire]
    assert all(fits(i) for i in wire_ids), (provider, wire_ids)
    assert len(set(wire_ids)) == len(wire_ids), (provider, wire_ids)
    for (wire, wire_results), turn, answers in zip(turns, calls, results, strict=True):
        mapped = {c.id: w for c, (w, _) in zip(turn, wire, strict=True)}
        for c in turn:
            if fits(c.id) and c.id not in {x.id for t in calls for x in t if t is not turn}:
                assert mapped[c.id] == c.id, f"{provider} remapped an id it accepts: {c.id!r}"
        # One result per call, each with the wire id of its own call; in the order given, or
        # in call order where the provider asks for that (Anthropic:
        # docs/dialects.md#history-anthropic-placement).
        position = {c.id: k for k, c in enumerate(turn)}
        if in_call_order:
            answers = sorted(answers, key=lambda r: position[r.call_id])
        assert wire_results == [mapped[r.call_id] for r in answers], provider


def check_gemini(body: dict[str, Any], history: list[Message]) -> None:
    assert request_problems(body) == []
    turns = gemini_turns(body)
    calls, results = history_calls(history), history_results(history)
    assert len(turns) == len(calls)
    for (wire_calls, wire_results), turn, answers in zip(turns, calls, results, strict=True):
        # As many functionResponse parts as functionCall parts, names in call order
        # (docs/dialects.md#history-gemini-count).
        assert len(wire_results) == len(wire_calls) == len(turn)
        assert [n for _, n in wire_calls] == [c.name for c in turn]
        assert [n for _, n in wire_results] == [n for _, n in wire_calls]
        # Gemini pairs by position, so results are sent in call order whatever order they had.
        assert sorted(r.call_id for r in answers) == sorted(c.id for c in turn)
        for (call_id, _), (result_id, _), c in zip(wire_calls, wire_results, turn, strict=True):
            data = c.opaque.data if c.opaque is not None and c.opaque.provider == "gemini" else {}
            if data.get("generatedId"):
                # An id fctest made up was never seen by the model: it is not sent back.
                assert call_id is None
                assert result_id is None
            else:
                assert call_id == result_id == c.id


# --- decoding each provider's answer -----------------------------------------------------------


def decode(provider: str, body: dict[str, Any], request: Request) -> Response:
    adapter = get_adapter(provider)
    return adapter.parse_response(HttpResponse(200, {}, json.dumps(body).encode()), request)


def openai_answer() -> dict[str, Any]:
    """A Chat Completions answer with two parallel calls (OpenAI wire format)."""
    return {
        "id": "chatcmpl-AB1",
        "object": "chat.completion",
        "created": 1_730_000_000,
        "model": "gpt-4o-2024-08-06",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "refusal": None,
                    "tool_calls": [
                        {
                            "id": OPENAI_IDS[0],
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        },
                        {
                            "id": OPENAI_IDS[1],
                            "type": "function",
                            "function": {"name": "get_time", "arguments": '{"tz":"Europe/Paris"}'},
                        },
                    ],
                },
                "logprobs": None,
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 80, "completion_tokens": 40, "total_tokens": 120},
    }


def anthropic_answer() -> dict[str, Any]:
    """A Messages answer with text and two ``tool_use`` blocks (Anthropic wire format)."""
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [
            {"type": "text", "text": "Let me check Tokyo as well."},
            {
                "type": "tool_use",
                "id": ANTHROPIC_IDS[0],
                "name": "get_weather",
                "input": {"city": "Tokyo"},
            },
            {
                "type": "tool_use",
                "id": ANTHROPIC_IDS[1],
                "name": "get_time",
                "input": {"tz": "Asia/Tokyo"},
            },
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 300, "output_tokens": 90},
    }


def gemini_answer() -> dict[str, Any]:
    """A generateContent answer with two functionCall parts and no ids (docs/dialects.md#ids-gemini)."""
    return {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {
                            "functionCall": {"name": "get_weather", "args": {"city": "Lima"}},
                            "thoughtSignature": SIG,
                        },
                        {"functionCall": {"name": "get_time", "args": {"tz": "America/Lima"}}},
                    ],
                },
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {"promptTokenCount": 400, "candidatesTokenCount": 30},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "mcHnaKOVBePPz7IPnc-LuQ4",
    }


def answer(response: Response) -> Message:
    """One result per call, in call order: text for the weather, a JSON object for the time."""
    results = []
    for c in response.tool_calls:
        content: Any = (
            f"sunny in {c.arguments['city']}" if c.name == "get_weather" else {"time": "12:00"}
        )
        results.append(ToolResult(c.id, c.name, content))
    return Message.tool(*results)


# --- the tests ---------------------------------------------------------------------------------


def test_one_conversation_through_openai_anthropic_gemini_and_back() -> None:
    history: list[Message] = [Message.user("Weather and time in Paris, Tokyo and Lima?")]

    # 1. OpenAI answers with two parallel calls.
    first = request_for("openai", history)
    check_openai(json.loads(build("openai", first)), history)
    response = decode("openai", openai_answer(), first)
    assert [c.id for c in response.tool_calls] == list(OPENAI_IDS)
    assert [c.arguments for c in response.tool_calls] == [{"city": "Paris"}, {"tz": "Europe/Paris"}]
    history += [response.to_message(), answer(response)]

    # 2. Continued on Anthropic: the OpenAI ids already fit ``^[a-zA-Z0-9_-]+$``.
    second = request_for("anthropic", history)
    body = json.loads(build("anthropic", second))
    check_anthropic(body, history)
    assert "temperature" not in body
    response = decode("anthropic", anthropic_answer(), second)
    assert [c.id for c in response.tool_calls] == list(ANTHROPIC_IDS)
    assert response.text == "Let me check Tokyo as well."
    history += [response.to_message(), answer(response)]

    # 3. Continued on Gemini: both earlier turns carry their ids; results pair by position.
    third = request_for("gemini", history)
    check_gemini(json.loads(build("gemini", third)), history)
    response = decode("gemini", gemini_answer(), third)
    assert [c.name for c in response.tool_calls] == ["get_weather", "get_time"]
    gemini_ids = [c.id for c in response.tool_calls]
    assert len(set(gemini_ids)) == 2
    assert not set(gemini_ids) & {*OPENAI_IDS, *ANTHROPIC_IDS}
    history += [response.to_message(), answer(response)]

    # 4. Back on OpenAI with all three providers' calls in the history.
    fourth = request_for("openai", history)
    body = json.loads(build("openai", fourth))
    check_openai(body, history)
    wire = [i for calls, _ in openai_turns(body) for i, _ in calls]
    assert wire == [*OPENAI_IDS, *ANTHROPIC_IDS, *gemini_ids]

    # The finished history continues on every adapter, not only on the next in line.
    check_anthropic(json.loads(build("anthropic", request_for("anthropic", history))), history)
    check_gemini(json.loads(build("gemini", request_for("gemini", history))), history)


def test_the_move_is_a_function_of_the_history() -> None:
    """The same answers decoded twice give the same history and the same bytes everywhere."""
    bodies = []
    for _ in range(2):
        history: list[Message] = [Message.user("Weather and time?")]
        for provider, wire in (
            ("openai", openai_answer()),
            ("anthropic", anthropic_answer()),
            ("gemini", gemini_answer()),
        ):
            response = decode(provider, wire, request_for(provider, history))
            history += [response.to_message(), answer(response)]
        bodies.append([build(p, request_for(p, history)) for p in MODELS])
    assert bodies[0] == bodies[1]


AWKWARD = (
    "tooluse_a1.b2:c3",  # Bedrock Converse style: '.' and ':' are not in Anthropic's pattern
    "call_" + "x7" * 29 + "Q",  # 64 characters: above OpenAI's 40
    "",  # ToolCall does not forbid an empty id; no provider takes one
)


def awkward_history() -> list[Message]:
    calls = [
        ToolCall(AWKWARD[0], "get_weather", {"city": "Oslo"}),
        ToolCall(AWKWARD[1], "get_time", {"tz": "Europe/Oslo"}),
        ToolCall(AWKWARD[2], "get_weather", {"city": "Bergen"}),
    ]
    # Results answered out of call order, to show pairing is by id, not by position.
    results = [
        ToolResult(AWKWARD[2], "get_weather", "rain"),
        ToolResult(AWKWARD[0], "get_weather", "snow"),
        ToolResult(AWKWARD[1], "get_time", {"time": "09:00"}),
    ]
    # A later turn reuses the Bedrock id (answered above, so the history is valid).
    reused = ToolCall(AWKWARD[0], "get_time", {"tz": "UTC"})
    return [
        Message.user("Oslo and Bergen?"),
        Message.assistant(None, calls),
        Message.tool(*results),
        Message.assistant("One more.", [reused]),
        Message.tool(ToolResult(AWKWARD[0], "get_time", {"time": "08:00"})),
        Message.user("Thanks"),
    ]


def test_awkward_ids_are_remapped_consistently_for_anthropic() -> None:
    history = awkward_history()
    body = json.loads(build("anthropic", request_for("anthropic", history)))
    check_anthropic(body, history)
    (first_calls, first_results), (second_calls, second_results) = anthropic_turns(body)
    ids = [i for i, _ in first_calls]
    bedrock, long_id, empty = ids
    # Readable: the sanitised original is kept as a prefix; a 64-char id that fits is kept.
    assert bedrock.startswith("tooluse_a1_b2_c3_")
    assert bedrock != AWKWARD[0]
    assert long_id == AWKWARD[1]
    assert empty != ""
    # Anthropic gets the results of a turn in call order, each with its call's id
    # (docs/dialects.md#history-anthropic-placement).
    assert first_results == ids
    # The reused id gets a fresh form in the later turn, and its result follows it.
    ((reused, _),) = second_calls
    assert reused not in ids
    assert second_results == [reused]
    # Same ids as fctest's own rule gives them (the adapter uses the shared ``_ids`` mapping).
    mapper = IdMapper(IdRule(r"^[a-zA-Z0-9_-]+$", max_length=None))
    assert [mapper.assign(o) for o in (*AWKWARD, AWKWARD[0])] == [*ids, reused]


def test_awkward_ids_are_remapped_consistently_for_openai() -> None:
    history = awkward_history()
    body = json.loads(build("openai", request_for("openai", history)))
    check_openai(body, history)
    (first_calls, first_results), (second_calls, second_results) = openai_turns(body)
    ids = [i for i, _ in first_calls]
    bedrock, long_id, empty = ids
    # OpenAI Chat only limits the length: the Bedrock id is kept, the 64-char one shortened
    # with a readable prefix, the empty one given a hash.
    assert bedrock == AWKWARD[0]
    assert len(long_id) == OPENAI_MAX_ID
    assert long_id.startswith("call_x7x7")
    assert 0 < len(empty) <= OPENAI_MAX_ID
    # One tool message per result, in the order given, each naming its own call's wire id.
    assert first_results == [empty, bedrock, long_id]
    ((reused, _),) = second_calls
    assert reused not in ids
    assert second_results == [reused]
    # The tool messages carry the right content for the right id.
    tool_messages = [m for m in body["messages"] if m["role"] == "tool"]
    assert [(m["tool_call_id"], m["content"]) for m in tool_messages[:2]] == [
        (empty, "rain"),
        (bedrock, "snow"),
    ]


def test_awkward_ids_then_move_on_to_gemini() -> None:
    """Gemini takes any id string; the awkward history still pairs there by count and name."""
    history = awkward_history()
    check_gemini(json.loads(build("gemini", request_for("gemini", history))), history)
