"""The Gemini adapter: exact request bodies, responses, streams and errors.

Sections follow docs/dialects.md, whose anchors say why each rule holds. Every request body
is validated against google-genai's request types (camelCase aliases, unknown keys rejected);
responses and streams are also parsed by google-genai and compared (``_gemini_oracle``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fctest import (
    Finished,
    HttpResponse,
    Message,
    OutputSchema,
    ProviderPart,
    Request,
    TextDelta,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolCallFinished,
    ToolCallStarted,
    ToolResult,
    Usage,
    get_adapter,
)
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    IncompatibleToolError,
    NotFoundError,
    OverloadedError,
    ProtocolError,
    ProviderError,
    RateLimitError,
    ServerError,
    ToolArgumentsError,
    UsageError,
)
from fctest.providers import Config
from fctest.providers.gemini import (
    FOREIGN_THOUGHT_SIGNATURE,
    OPENAPI_PROFILE,
    PROFILE,
    GeminiAdapter,
    GeminiConfig,
)

from ._oracle import request_problems, sdk_error, sdk_parse, sdk_stream, summary

ADAPTER = GeminiAdapter()
CONFIG = GeminiConfig(api_key="g-test")
OPENAPI = GeminiConfig(api_key="g-test", schema_field="parameters")
MODEL = "gemini-2.5-flash"
BASE = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash"
# A real signature (pydantic-ai cassette test_google_instructions_only_with_tool_calls).
SIG = (
    "EtkBCtYBAXLI2nw30WDVpjR1pyPO7RX8irBHXj/Gr3vxDSk+rgwZCdVoqguEYPHH7cUse9KvaZ3EJYu8PrHkjjtzW9b9"
    "KJ8PGz/RgeYPQpq28UIvdfmTZ5Q8h89N39bPVdrfLbdhQ5xbbDu5E1fWCOvcs8r2G1MTlJhqSfnSCIFR3J7xaAmOqE0U"
    "EW3Xo5sWjV14pkl5Zvmd41eAl6ZUr6XHVgH+zQ//TBeRh6CF13VtGTNFteKz7sO6VHe+i5jSsyGFgdWXNW9HpnW7GPPj"
    "w1h63pnfeI9y8HpJCA=="
)

WEATHER = Tool(
    "get_weather",
    "Weather for a city",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["city"],
    },
)
TOPIC = Tool("generate_topic", "", {"type": "object", "properties": {}})


def body_of(request: Request, config: Config = CONFIG) -> dict[str, Any]:
    """The JSON body sent, checked against google-genai's request types first."""
    body: dict[str, Any] = json.loads(ADAPTER.build_request(request, config).body)
    assert request_problems(body) == []
    return body


def req(*messages: Message, **kw: Any) -> Request:
    return Request(model=MODEL, messages=messages or (Message.user("hi"),), **kw)


def declaration(request: Request, config: Config = CONFIG) -> dict[str, Any]:
    decl: dict[str, Any] = body_of(request, config)["tools"][0]["functionDeclarations"][0]
    return decl


def gen(
    parts: list[Any] | None,
    finish: str | None = "STOP",
    *,
    response_id: str = "resp-1",
    usage: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A GenerateContentResponse as the Gemini API sends it."""
    candidate: dict[str, Any] = {"index": 0}
    if parts is not None:
        candidate["content"] = {"parts": parts, "role": "model"}
    if finish is not None:
        candidate["finishReason"] = finish
    out: dict[str, Any] = {"candidates": [candidate]}
    if usage is not None:
        out["usageMetadata"] = usage
    out.update(modelVersion="gemini-2.5-flash", responseId=response_id)
    out.update(extra)
    return out


def raw(obj: Any) -> bytes:
    return json.dumps(obj).encode()


def sse(*chunks: Any) -> bytes:
    """Gemini's SSE framing: ``data: <json>`` events ended by CRLF CRLF."""
    return b"".join(b"data: " + raw(c) + b"\r\n\r\n" for c in chunks)


def parse(obj: Any, request: Request | None = None) -> Any:
    return ADAPTER.parse_response(HttpResponse(200, {}, raw(obj)), request)


def decode_stream(body: bytes, request: Request | None = None) -> Any:
    decoder = ADAPTER.stream_decoder(request)
    events = decoder.feed(body)
    return decoder.close(), events


def call_part(name: str, args: Any, signature: str | None = None, **fc: Any) -> dict[str, Any]:
    part: dict[str, Any] = {"functionCall": {"name": name, "args": args, **fc}}
    if signature is not None:
        part["thoughtSignature"] = signature
    return part


USAGE = {"promptTokenCount": 64, "candidatesTokenCount": 11, "totalTokenCount": 75}


# --- registry and requests --------------------------------------------------------------------


def test_registered_as_gemini() -> None:
    assert isinstance(get_adapter("gemini"), GeminiAdapter)
    assert ADAPTER.profile is PROFILE


def test_request_url_headers_and_exact_body() -> None:
    http = ADAPTER.build_request(req(Message.user("Weather in Paris?"), tools=(WEATHER,)), CONFIG)
    assert (http.method, http.url) == ("POST", f"{BASE}:generateContent")
    assert dict(http.headers) == {"Content-Type": "application/json", "x-goog-api-key": "g-test"}
    assert http.body == (
        b'{"contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]}],'
        b'"tools":[{"functionDeclarations":[{"name":"get_weather","description":"Weather for a '
        b'city","parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"},'
        b'"unit":{"type":"string"}},"required":["city"]}}]}],'
        b'"toolConfig":{"functionCallingConfig":{"mode":"AUTO"}}}'
    )
    assert request_problems(json.loads(http.body)) == []
    assert "g-test" not in repr(http)


def test_stream_request_uses_the_sse_route() -> None:
    http = ADAPTER.build_request(req(stream=True), CONFIG)
    assert http.url == f"{BASE}:streamGenerateContent?alt=sse"
    assert json.loads(http.body) == {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}


@pytest.mark.parametrize(
    ("model", "path"),
    [
        ("gemini-2.0-flash", "models/gemini-2.0-flash"),
        ("models/gemini-2.0-flash", "models/gemini-2.0-flash"),
        ("tunedModels/my-model-1", "tunedModels/my-model-1"),
    ],
)
def test_model_resource_names(model: str, path: str) -> None:
    http = ADAPTER.build_request(Request(model, (Message.user("hi"),)), CONFIG)
    assert http.url == f"https://generativelanguage.googleapis.com/v1beta/{path}:generateContent"


@pytest.mark.parametrize("model", ["", "a?b", "../x", "a&b"])
def test_invalid_model_name_is_a_usage_error(model: str) -> None:
    with pytest.raises(UsageError, match="model name"):
        ADAPTER.build_request(Request(model, (Message.user("hi"),)), CONFIG)


def test_base_url_api_version_headers_and_a_plain_config() -> None:
    cfg = GeminiConfig(
        api_key="k", base_url="http://127.0.0.1:9/", api_version="v1", headers={"X-Trace": "1"}
    )
    http = ADAPTER.build_request(req(), cfg)
    assert http.url == "http://127.0.0.1:9/v1/models/gemini-2.5-flash:generateContent"
    assert http.headers["X-Trace"] == "1"
    plain = ADAPTER.build_request(req(), Config(api_key="k"))
    assert plain.url == f"{BASE}:generateContent"
    assert plain.headers["x-goog-api-key"] == "k"
    no_key = ADAPTER.build_request(req(), GeminiConfig())
    assert "x-goog-api-key" not in no_key.headers


def test_config_rejects_unknown_schema_field() -> None:
    with pytest.raises(UsageError, match="schema_field"):
        GeminiConfig(schema_field="schema")  # type: ignore[arg-type]


def test_request_is_byte_stable() -> None:
    r = req(Message.system("Be brief."), Message.user("hi"), tools=(WEATHER, TOPIC))
    assert ADAPTER.build_request(r, CONFIG).body == ADAPTER.build_request(r, CONFIG).body


def test_all_request_fields_exact_body() -> None:
    output = OutputSchema(
        "City",
        {
            "type": "object",
            "properties": {"city": {"type": "string"}, "kind": {"const": "capital"}},
            "required": ["city"],
            "$schema": "https://json-schema.org/draft/2020-12/schema",
        },
    )
    body = body_of(
        req(
            Message.system("Be brief."),
            Message.system("Answer in English."),
            Message.user("Capital of France?"),
            temperature=0.2,
            max_output_tokens=100,
            thinking_budget=0,
            output=output,
        )
    )
    assert body == {
        "contents": [{"role": "user", "parts": [{"text": "Capital of France?"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief."}, {"text": "Answer in English."}]},
        "generationConfig": {
            "temperature": 0.2,
            "maxOutputTokens": 100,
            "thinkingConfig": {"thinkingBudget": 0},
            "responseMimeType": "application/json",
            "responseJsonSchema": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "kind": {"enum": ["capital"]}},
                "required": ["city"],
            },
        },
    }


def test_structured_output_in_the_openapi_form_uses_response_schema() -> None:
    output = OutputSchema(
        "City",
        {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    )
    body = body_of(req(output=output), OPENAPI)
    assert body["generationConfig"] == {
        "responseMimeType": "application/json",
        "responseSchema": {
            "type": "OBJECT",
            "properties": {"city": {"type": "STRING"}},
            "required": ["city"],
        },
    }


def test_extra_body_is_merged_last() -> None:
    body = body_of(req(extra_body={"safetySettings": [], "cachedContent": "cachedContents/x"}))
    assert (body["safetySettings"], body["cachedContent"]) == ([], "cachedContents/x")


def test_system_message_in_the_middle_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="systemInstruction"):
        ADAPTER.build_request(req(Message.user("a"), Message.system("b")), CONFIG)


def test_consecutive_user_turns_are_one_content() -> None:
    body = body_of(req(Message.user("a"), Message.user("b")))
    assert body["contents"] == [{"role": "user", "parts": [{"text": "a"}, {"text": "b"}]}]


# --- names and tool counts --------------------------------------------------------------------
# docs/dialects.md#tool-names-gemini, docs/dialects.md#max-tools-gemini


def _tool(name: str) -> Tool:
    return Tool(name, "", {"type": "object", "properties": {"q": {"type": "string"}}})


def _round_trip_name(name: str) -> tuple[str, str]:
    """(name on the wire, name of the decoded call)."""
    request = req(tools=(_tool(name),))
    wire = declaration(request)["name"]
    response = parse(gen([call_part(wire, {"q": "x"})]), request)
    return wire, response.tool_calls[0].name


def test_dotted_name_is_valid_on_gemini_and_sent_as_is() -> None:
    assert _round_trip_name("get.weather") == ("get.weather", "get.weather")


def test_colon_name_kept_slash_name_renamed_and_mapped_back() -> None:
    assert _round_trip_name("ns:tool") == ("ns:tool", "ns:tool")
    wire, back = _round_trip_name("server/tool")
    assert (wire, back) == ("server_tool", "server/tool")
    # deterministic and collision-free
    r = req(tools=(_tool("a/b"), _tool("a_b")))
    names = [d["name"] for d in body_of(r)["tools"][0]["functionDeclarations"]]
    assert names[1] == "a_b"
    assert names[0].startswith("a_b_")
    assert names == [d["name"] for d in body_of(r)["tools"][0]["functionDeclarations"]]


def test_leading_digit_is_renamed_for_gemini_and_mapped_back() -> None:
    wire, back = _round_trip_name("1lookup")
    assert (wire, back) == ("_1lookup", "1lookup")
    changes = ADAPTER.fit(req(tools=(_tool("1lookup"),))).tools[0].changes
    assert [(c.keyword, c.action) for c in changes] == [("name", "rewritten")]


def test_names_longer_than_64_are_cut_and_hashed() -> None:
    long = "x" * 100
    wire, back = _round_trip_name(long)
    assert len(wire) <= 64
    assert back == long
    assert _round_trip_name("y" * 64) == ("y" * 64, "y" * 64)


def test_more_than_512_tools_is_a_local_error() -> None:
    tools = tuple(_tool(f"t{i}") for i in range(513))
    with pytest.raises(IncompatibleToolError, match="512"):
        ADAPTER.build_request(req(tools=tools), CONFIG)
    body_of(req(tools=tools[:512]))


# --- schemas ----------------------------------------------------------------------------------
# docs/dialects.md#parameters-gemini, docs/dialects.md#schema-gemini-json,
# docs/dialects.md#schema-gemini-openapi


def test_parameterless_tool() -> None:
    assert declaration(req(tools=(TOPIC,))) == {
        "name": "generate_topic",
        "parametersJsonSchema": {"type": "object", "properties": {}},
    }
    # The OpenAPI form leaves `parameters` unset: an OBJECT with empty properties is a 400.
    assert declaration(req(tools=(TOPIC,)), OPENAPI) == {"name": "generate_topic"}


def _fit_one(schema: dict[str, Any], config: Config = OPENAPI) -> tuple[Any, Any]:
    tool = Tool("t", "", schema)
    request = req(tools=(tool,))
    decl = declaration(request, config)
    openapi = isinstance(config, GeminiConfig) and config.schema_field == "parameters"
    changes = ADAPTER.fit(request, openapi=openapi).tools[0].changes
    return decl.get("parameters", decl.get("parametersJsonSchema")), changes


def test_additional_properties() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "object", "properties": {"b": {"type": "string"}}}},
        "additionalProperties": False,
    }
    sent, changes = _fit_one(schema)
    assert sent == {
        "type": "OBJECT",
        "properties": {"a": {"type": "OBJECT", "properties": {"b": {"type": "STRING"}}}},
    }
    [change] = changes
    assert (change.pointer, change.keyword, change.action) == (
        "",
        "additionalProperties",
        "dropped",
    )
    assert "Developer API" in change.reason
    # parametersJsonSchema takes it as written.
    assert _fit_one(schema, CONFIG) == (schema, ())


def test_schema_const_exclusive_minimum_property_names() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "kind": {"const": "city"},
            "n": {"type": "integer", "exclusiveMinimum": 0},
            "tags": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}},
        },
    }
    sent, changes = _fit_one(schema)
    assert sent == {
        "type": "OBJECT",
        "properties": {
            "kind": {"enum": ["city"], "type": "STRING"},
            "n": {"type": "INTEGER"},
            "tags": {"type": "OBJECT"},
        },
    }
    assert {(c.pointer, c.keyword, c.action) for c in changes} == {
        ("", "$schema", "dropped"),
        ("/properties/kind", "const", "rewritten"),
        ("/properties/n", "exclusiveMinimum", "dropped"),
        ("/properties/tags", "propertyNames", "dropped"),
    }
    assert all(c.reason for c in changes)
    sent_json, changes_json = _fit_one(schema, CONFIG)
    assert "$schema" not in sent_json
    assert sent_json["properties"]["kind"] == {"enum": ["city"]}
    assert sent_json["properties"]["n"] == {"type": "integer", "exclusiveMinimum": 0}
    # Outside the documented subset: sent, not enforced (docs/dialects.md#schema-gemini-json).
    assert {(c.keyword, c.action) for c in changes_json} == {
        ("$schema", "dropped"),
        ("const", "rewritten"),
        ("exclusiveMinimum", "unenforced"),
        ("propertyNames", "unenforced"),
        ("pattern", "unenforced"),  # inside propertyNames: not in the subset either
    }


def test_type_arrays_and_null_branches_become_nullable() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": ["string", "null"], "description": "A"},
            "b": {"anyOf": [{"type": "integer"}, {"type": "null"}], "description": "B"},
            "c": {"type": ["string", "integer"]},
            "d": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]},
        },
    }
    sent, changes = _fit_one(schema)
    assert sent["properties"] == {
        "a": {"nullable": True, "type": "STRING", "description": "A"},
        "b": {"type": "INTEGER", "description": "B", "nullable": True},
        "c": {"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}]},
        "d": {"anyOf": [{"type": "STRING"}, {"type": "NUMBER"}], "nullable": True},
    }
    assert {c.pointer for c in changes} >= {f"/properties/{k}" for k in "abcd"}
    # the type list never reaches the wire as a list (400 "Proto field is not repeating")
    assert not any(isinstance(p.get("type"), list) for p in sent["properties"].values())


def test_non_string_enum_is_described_not_stringified_and_still_validated() -> None:
    schema = {
        "type": "object",
        "properties": {"level": {"type": "integer", "enum": [1, 2, 3], "description": "Level"}},
        "required": ["level"],
    }
    sent, changes = _fit_one(schema)
    assert sent["properties"]["level"] == {
        "type": "INTEGER",
        "description": "Level Allowed values: 1, 2, 3.",
    }
    assert "enum" not in json.dumps(sent)
    [change] = changes
    assert (change.keyword, change.action) == ("enum", "rewritten")
    # What validates is unchanged: the user's schema still rejects 4 (and "1") client-side.
    tool = Tool("t", "", schema)
    tool.validate_arguments({"level": 2})
    for bad in (4, "1"):
        with pytest.raises(ToolArgumentsError):
            tool.validate_arguments({"level": bad})
    # parametersJsonSchema keeps the enum as it is
    assert _fit_one(schema, CONFIG)[0] == schema


def test_string_enum_with_null_and_non_string_const() -> None:
    schema = {
        "type": "object",
        "properties": {
            "u": {"enum": ["c", "f", None]},
            "v": {"type": "integer", "const": 3},
        },
    }
    sent, _ = _fit_one(schema)
    assert sent["properties"] == {
        "u": {"enum": ["c", "f"], "nullable": True, "type": "STRING"},
        "v": {"type": "INTEGER", "description": "Must be 3."},
    }


def test_recursive_schema_kept_in_json_schema_refused_in_openapi_form() -> None:
    schema = {
        "type": "object",
        "properties": {"tree": {"$ref": "#/$defs/Node"}},
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
            }
        },
    }
    assert _fit_one(schema, CONFIG) == (schema, ())
    with pytest.raises(IncompatibleToolError, match="recursive"):
        ADAPTER.build_request(req(tools=(Tool("t", "", schema),)), OPENAPI)


def test_refs_are_inlined_in_the_openapi_form() -> None:
    schema = {
        "type": "object",
        "properties": {"p": {"$ref": "#/$defs/P"}},
        "$defs": {"P": {"type": "object", "properties": {"x": {"type": "number"}}}},
    }
    sent, _ = _fit_one(schema)
    assert sent == {
        "type": "OBJECT",
        "properties": {"p": {"type": "OBJECT", "properties": {"x": {"type": "NUMBER"}}}},
    }


def test_ref_with_siblings_is_wrapped_for_parameters_json_schema() -> None:
    schema = {
        "type": "object",
        "properties": {"p": {"$ref": "#/$defs/P", "description": "the P"}},
        "$defs": {"P": {"type": "string"}},
    }
    sent, changes = _fit_one(schema, CONFIG)
    assert sent["properties"]["p"] == {"anyOf": [{"$ref": "#/$defs/P"}], "description": "the P"}
    assert [(c.pointer, c.keyword) for c in changes] == [("/properties/p", "$ref")]


def test_one_of_and_all_of_in_the_openapi_form() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "b": {"allOf": [{"type": "string", "minLength": 2}], "description": "B"},
            "c": {"allOf": [{"minimum": 1}, {"maximum": 5}], "type": "integer"},
        },
    }
    sent, changes = _fit_one(schema)
    assert sent["properties"] == {
        "a": {"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}]},
        "b": {"type": "STRING", "minLength": 2, "description": "B"},
        "c": {"type": "INTEGER"},
    }
    assert {(c.keyword, c.action) for c in changes} == {
        ("oneOf", "rewritten"),
        ("allOf", "rewritten"),
        ("allOf", "dropped"),
    }


def test_openapi_form_formats_objects_and_empty_properties() -> None:
    schema = {
        "type": "object",
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "mail": {"type": "string", "format": "email", "description": "Mail."},
            "ratio": {"type": "number", "format": "double"},
            "loose": {"properties": {"k": {"type": "string"}}},
            "empty": {"type": "object", "properties": {}},
            "oops": {"type": "string", "properties": {"k": {"type": "string"}}},
        },
    }
    sent, _ = _fit_one(schema)
    assert sent["properties"] == {
        "when": {"type": "STRING", "format": "date-time"},
        "mail": {"type": "STRING", "description": "Mail. Format: email."},
        "ratio": {"type": "NUMBER", "format": "double"},
        "loose": {"type": "OBJECT", "properties": {"k": {"type": "STRING"}}},
        "empty": {"type": "OBJECT"},
        "oops": {"type": "STRING"},
    }


def test_openapi_form_body_validates_against_the_sdk_schema_type() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": ["string", "null"], "maxLength": 3, "pattern": "^x", "default": "x"},
            "b": {
                "type": "array",
                "items": {"type": "integer"},
                "minItems": 1,
                "uniqueItems": True,
            },
            "c": {"oneOf": [{"type": "boolean"}, {"type": "number", "minimum": 0}]},
        },
        "required": ["a"],
        "additionalProperties": False,
    }
    body_of(req(tools=(Tool("t", "", schema),)), OPENAPI)  # request_problems() == []


# --- tool choice, strict, parallel ------------------------------------------------------------
# docs/dialects.md#tool-choice-gemini, docs/dialects.md#strict-gemini-validated,
# docs/dialects.md#parallel-gemini


def _choice(**kw: Any) -> Any:
    return body_of(req(**kw))["toolConfig"]["functionCallingConfig"]


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        (None, {"mode": "AUTO"}),
        ("auto", {"mode": "AUTO"}),
        ("none", {"mode": "NONE"}),
        ("required", {"mode": "ANY"}),
        ("get_weather", {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}),
    ],
)
def test_tool_choice_shapes(choice: str | None, wire: Any) -> None:
    assert _choice(tools=(WEATHER, TOPIC), tool_choice=choice) == wire


def test_named_choice_uses_the_wire_name() -> None:
    tool = _tool("server/search")
    assert _choice(tools=(tool,), tool_choice="server/search") == {
        "mode": "ANY",
        "allowedFunctionNames": ["server_search"],
    }


def test_strict_is_one_request_wide_mode() -> None:
    strict = Tool(WEATHER.name, WEATHER.description, WEATHER.parameters, strict=True)
    assert _choice(tools=(WEATHER, TOPIC)) == {"mode": "AUTO"}
    assert _choice(tools=(strict,)) == {"mode": "VALIDATED"}
    # a mix of strict and non-strict tools gets the one mode that honours the strict ones
    assert _choice(tools=(strict, TOPIC)) == {"mode": "VALIDATED"}
    assert _choice(tools=(strict,), tool_choice="auto") == {"mode": "VALIDATED"}
    assert _choice(tools=(strict,), tool_choice="required") == {"mode": "ANY"}
    assert _choice(tools=(strict,), tool_choice="none") == {"mode": "NONE"}
    # VALIDATED needs no rewrite: the strict schema is sent as written
    strict_decl = declaration(req(tools=(strict,)))
    assert strict_decl["parametersJsonSchema"] == WEATHER.parameters


def test_no_tools_no_tool_config() -> None:
    body = body_of(req(tool_choice="none"))
    assert "tools" not in body
    assert "toolConfig" not in body


def test_disabling_parallel_calls_is_refused_not_faked() -> None:
    with pytest.raises(UsageError, match="parallel"):
        ADAPTER.build_request(req(tools=(WEATHER,), parallel_tool_calls=False), CONFIG)
    body = body_of(req(tools=(WEATHER,), parallel_tool_calls=True))
    assert "parallel" not in json.dumps(body).lower()
    assert PROFILE.parallel_call_control is False
    assert OPENAPI_PROFILE.parallel_call_control is False


# --- history: ids, results, signatures --------------------------------------------------------
# docs/dialects.md#ids-gemini, docs/dialects.md#history-gemini-count,
# docs/dialects.md#history-gemini-response, docs/dialects.md#thinking-gemini-signatures


THREE_CALLS = gen(
    [
        call_part("generate_topic", {}, SIG),
        call_part("generate_topic", {}),
        call_part("generate_topic", {}),
    ],
    finishMessage="Model generated function call(s).",
    response_id="wOd8abGuO5rgz7IP5tLEGA",
)


def test_calls_without_ids_get_stable_distinct_ids() -> None:
    first = parse(THREE_CALLS)
    again = parse(THREE_CALLS)
    ids = [c.id for c in first.tool_calls]
    assert ids == [c.id for c in again.tool_calls]
    assert len(set(ids)) == 3
    assert all(i.startswith("gemini_") and len(i) == 27 for i in ids)
    # another response (another responseId) never reuses them
    other = parse({**THREE_CALLS, "responseId": "another"})
    assert not set(ids) & {c.id for c in other.tool_calls}
    # a streamed response gets the same ids as the whole one
    streamed, _ = decode_stream(sse(THREE_CALLS))
    assert streamed == first


def test_provider_ids_are_kept() -> None:
    r = parse(gen([call_part("get_weather", {"city": "Boston"}, id="dv8szvqe")]))
    assert r.tool_calls[0].id == "dv8szvqe"
    assert r.tool_calls[0].opaque == ProviderPart("gemini", {})


def test_results_in_one_turn_in_call_order_as_many_as_calls() -> None:
    request = req(Message.user("Tell three jokes"), tools=(TOPIC,))
    response = parse(THREE_CALLS, request)
    a, b, c = response.tool_calls
    body = body_of(
        req(
            Message.user("Tell three jokes"),
            response.to_message(),
            Message.tool(ToolResult(c.id, c.name, "cars")),
            Message.tool(ToolResult(a.id, a.name, "penguins"), ToolResult(b.id, b.name, "owls")),
            Message.user("Now the jokes."),
            tools=(TOPIC,),
        )
    )
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "Tell three jokes"}]},
        {
            "role": "model",
            "parts": [
                {"functionCall": {"name": "generate_topic", "args": {}}, "thoughtSignature": SIG},
                {"functionCall": {"name": "generate_topic", "args": {}}},
                {"functionCall": {"name": "generate_topic", "args": {}}},
            ],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "generate_topic", "response": {"output": o}}}
                for o in ("penguins", "owls", "cars")
            ]
            + [{"text": "Now the jokes."}],
        },
    ]


def test_unanswered_call_is_refused_before_sending() -> None:
    response = parse(THREE_CALLS)
    a = response.tool_calls[0]
    with pytest.raises(UsageError, match="not answered"):
        req(response.to_message(), Message.tool(ToolResult(a.id, a.name, "x")))


def test_provider_ids_are_sent_back_on_call_and_result() -> None:
    response = parse(gen([call_part("get_weather", {"city": "Boston"}, SIG, id="dv8szvqe")]))
    call = response.tool_calls[0]
    body = body_of(req(response.to_message(), Message.tool(ToolResult(call.id, call.name, "9C"))))
    assert body["contents"] == [
        {
            "role": "model",
            "parts": [
                {
                    "functionCall": {
                        "id": "dv8szvqe",
                        "name": "get_weather",
                        "args": {"city": "Boston"},
                    },
                    "thoughtSignature": SIG,
                }
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "id": "dv8szvqe",
                        "name": "get_weather",
                        "response": {"output": "9C"},
                    }
                }
            ],
        },
    ]


def test_history_from_another_provider_gets_the_placeholder_on_its_first_call() -> None:
    calls = [
        ToolCall("call_a", "get_weather", {"city": "Paris"}),
        ToolCall("toolu_b", "get_weather", {"city": "Rome"}),
    ]
    body = body_of(
        req(
            Message.user("Weather?"),
            Message.assistant("Checking.", calls),
            Message.tool(ToolResult("call_a", "get_weather", "sunny")),
            Message.tool(ToolResult("toolu_b", "get_weather", "rain")),
            tools=(WEATHER,),
        )
    )
    model, results = body["contents"][1:]
    assert model == {
        "role": "model",
        "parts": [
            {"text": "Checking."},
            {
                "functionCall": {"id": "call_a", "name": "get_weather", "args": {"city": "Paris"}},
                "thoughtSignature": FOREIGN_THOUGHT_SIGNATURE,
            },
            {"functionCall": {"id": "toolu_b", "name": "get_weather", "args": {"city": "Rome"}}},
        ],
    }
    assert [p["functionResponse"]["id"] for p in results["parts"]] == ["call_a", "toolu_b"]
    # Another provider's opaque data is ignored.
    foreign = ToolCall("call_c", "get_weather", {}, opaque=ProviderPart("anthropic", {"x": 1}))
    body = body_of(
        req(Message.assistant(None, [foreign]), Message.tool(ToolResult("call_c", "get_weather")))
    )
    assert body["contents"][0]["parts"][0]["thoughtSignature"] == FOREIGN_THOUGHT_SIGNATURE


def test_gemini_calls_without_a_signature_get_no_placeholder() -> None:
    response = parse(gen([call_part("get_weather", {"city": "Paris"})]))  # gemini-2.0 style
    call = response.tool_calls[0]
    body = body_of(req(response.to_message(), Message.tool(ToolResult(call.id, call.name, "ok"))))
    assert body["contents"][0]["parts"] == [
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}
    ]


def test_thought_parts_and_text_signature_are_sent_back_verbatim() -> None:
    parts = [
        {"text": "Let me ", "thought": True},
        {"text": "think.", "thought": True, "thoughtSignature": "c2ln"},
        {"text": "Paris."},
        {"text": "", "thoughtSignature": "dGV4dHNpZw=="},
    ]
    response = parse(gen(parts))
    assert response.text == "Paris."
    assert response.opaque == (
        ProviderPart(
            "gemini",
            {
                "parts": [{"text": "Let me think.", "thought": True, "thoughtSignature": "c2ln"}],
                "textSignature": "dGV4dHNpZw==",
            },
        ),
    )
    body = body_of(req(Message.user("Capital?"), response.to_message(), Message.user("Thanks")))
    assert body["contents"][1]["parts"] == [
        {"text": "Let me think.", "thought": True, "thoughtSignature": "c2ln"},
        {"text": "Paris.", "thoughtSignature": "dGV4dHNpZw=="},
    ]


@pytest.mark.parametrize(
    ("content", "is_error", "wire"),
    [
        ("sunny", False, {"output": "sunny"}),
        ({"temp": 21}, False, {"output": {"temp": 21}}),
        ([1, 2], False, {"output": [1, 2]}),
        ("tool failed: timeout", True, {"error": "tool failed: timeout"}),
        ({"code": 7}, True, {"error": {"code": 7}}),
    ],
)
def test_result_payload_is_always_an_object(content: Any, is_error: bool, wire: Any) -> None:
    call = ToolCall("call_1", "get_weather", {"city": "Paris"})
    body = body_of(
        req(
            Message.assistant(None, [call]),
            Message.tool(ToolResult("call_1", "get_weather", content, is_error)),
            tools=(WEATHER,),
        )
    )
    assert body["contents"][1]["parts"][0]["functionResponse"]["response"] == wire


def test_history_uses_wire_names_for_renamed_tools() -> None:
    tool = _tool("server/search")
    request = req(tools=(tool,))
    response = parse(gen([call_part("server_search", {"q": "x"})]), request)
    call = response.tool_calls[0]
    assert call.name == "server/search"
    body = body_of(
        req(response.to_message(), Message.tool(ToolResult(call.id, call.name)), tools=(tool,))
    )
    assert body["contents"][0]["parts"][0]["functionCall"]["name"] == "server_search"
    assert body["contents"][1]["parts"][0]["functionResponse"]["name"] == "server_search"


def test_assistant_turn_without_text_or_calls_is_an_empty_text_part() -> None:
    body = body_of(req(Message.user("a"), Message.assistant(), Message.user("b")))
    assert body["contents"][1] == {"role": "model", "parts": [{"text": ""}]}


# --- responses --------------------------------------------------------------------------------


def test_parse_text_response_matches_sdk() -> None:
    body = gen(
        [{"text": "The weather "}, {"text": "is fine."}],
        usage={**USAGE, "serviceTier": "standard"},
        avgLogprobs=-0.1,
    )
    r = parse(body)
    assert (r.text, r.tool_calls, r.finish_reason, r.raw_finish_reason) == (
        "The weather is fine.",
        (),
        "stop",
        "STOP",
    )
    assert (r.provider, r.model, r.id, r.usage) == (
        "gemini",
        "gemini-2.5-flash",
        "resp-1",
        Usage(64, 11),
    )
    assert summary(r) == sdk_parse(raw(body))


def test_parallel_calls_arguments_are_objects_and_match_sdk() -> None:
    body = gen(
        [
            call_part("get_weather", {"location": "Boston"}),
            call_part("get_weather", {"location": "New Delhi", "n": [1, {"x": None}]}),
        ],
        usage=USAGE,
    )
    r = parse(body)
    assert [(c.name, c.arguments, c.raw_arguments, c.malformed) for c in r.tool_calls] == [
        ("get_weather", {"location": "Boston"}, None, False),
        ("get_weather", {"location": "New Delhi", "n": [1, {"x": None}]}, None, False),
    ]
    assert r.finish_reason == "tool_calls"
    assert summary(r) == sdk_parse(raw(body))


def test_thought_signature_is_kept_opaque_on_the_call_and_matches_sdk() -> None:
    body = gen([call_part("get_weather", {"city": "Paris"}, SIG), call_part("x", {})])
    r = parse(body)
    assert r.tool_calls[0].opaque is not None
    assert r.tool_calls[0].opaque.data["thoughtSignature"] == SIG
    second = r.tool_calls[1].opaque
    assert second is not None
    assert "thoughtSignature" not in second.data
    assert summary(r) == sdk_parse(raw(body))


@pytest.mark.parametrize(
    ("raw_finish", "parts", "neutral"),
    [
        ("STOP", [{"text": "hi"}], "stop"),
        ("STOP", [call_part("f", {})], "tool_calls"),
        (None, [call_part("f", {})], "tool_calls"),
        ("MAX_TOKENS", [{"text": "cut"}], "length"),
        ("MAX_TOKENS", [call_part("f", {})], "length"),
        ("MALFORMED_FUNCTION_CALL", None, "malformed_call"),
        ("UNEXPECTED_TOOL_CALL", None, "malformed_call"),
        ("SAFETY", None, "content_filter"),
        ("RECITATION", [{"text": "x"}], "content_filter"),
        ("PROHIBITED_CONTENT", None, "content_filter"),
        ("OTHER", None, "other"),
        ("TOO_MANY_TOOL_CALLS", None, "other"),
        ("SOMETHING_NEW", None, "other"),
    ],
)
def test_finish_reasons(raw_finish: str | None, parts: Any, neutral: str) -> None:
    body = gen(parts, raw_finish)
    r = parse(body)
    assert (r.finish_reason, r.raw_finish_reason) == (neutral, raw_finish)
    if raw_finish != "SOMETHING_NEW":
        assert summary(r)[:3] == sdk_parse(raw(body))[:3]


def test_malformed_function_call_has_no_calls() -> None:
    body = gen(None, "MALFORMED_FUNCTION_CALL", finishMessage="Malformed function call: f(x=)")
    r = parse(body)
    assert (r.text, r.tool_calls, r.finish_reason) == (None, (), "malformed_call")


def test_blocked_prompt_is_content_filter() -> None:
    body = {
        "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": []},
        "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8},
        "modelVersion": "gemini-2.5-flash",
    }
    r = parse(body)
    assert (r.text, r.finish_reason, r.raw_finish_reason, r.usage) == (
        None,
        "content_filter",
        "SAFETY",
        Usage(8, 0),
    )
    assert summary(r) == sdk_parse(raw(body))


def test_usage_counts_thinking_as_output_and_adds_up_to_the_total() -> None:
    usage = {
        "promptTokenCount": 71,
        "candidatesTokenCount": 16,
        "thoughtsTokenCount": 93,
        "totalTokenCount": 180,
    }
    r = parse(gen([{"text": "x"}], usage=usage))
    assert r.usage == Usage(71, 109)
    assert r.usage is not None
    assert r.usage.total_tokens == 180


def test_odd_but_real_bytes_do_not_crash() -> None:
    body = gen(
        [
            "not a part",
            {"functionCall": {"name": "f", "args": [1, 2]}},  # args not an object
            {"functionCall": {"args": {"a": 1}}},  # no name
            {"functionCall": {"name": "g"}},  # no args
            {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
            {"unknownPart": {}},
        ],
        newTopLevelField=1,
    )
    r = parse(body)
    f, nameless, g = r.tool_calls
    assert (f.name, f.arguments, f.raw_arguments, f.malformed) == ("f", {}, "[1, 2]", True)
    assert (nameless.name, nameless.arguments) == ("", {"a": 1})
    assert (g.name, g.arguments, g.malformed) == ("g", {}, False)
    assert r.opaque[0].data["parts"] == [
        {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
        {"unknownPart": {}},
    ]
    empty = parse({})
    assert (empty.text, empty.tool_calls, empty.finish_reason, empty.usage) == (
        None,
        (),
        "stop",
        None,
    )


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]", b'"text"'])
def test_non_json_or_non_object_success_body_is_a_protocol_error(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        ADAPTER.parse_response(HttpResponse(200, {}, body))


def test_error_object_in_a_200_body_raises_the_typed_error() -> None:
    body = {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}
    with pytest.raises(RateLimitError) as info:
        parse(body)
    assert (info.value.status, info.value.code, info.value.retryable) == (
        200,
        "RESOURCE_EXHAUSTED",
        True,
    )


# --- streams (docs/dialects.md#stream-gemini, docs/dialects.md#inband-gemini) -----------------


STREAM = sse(
    gen([{"text": "Let me "}], None, usage={"promptTokenCount": 9, "totalTokenCount": 9}),
    gen([{"text": "check."}, call_part("get_weather", {"city": "Paris"}, SIG)], None),
    gen([call_part("get_weather", {"city": "Rome"})], None),
    gen([{"text": ""}], "STOP", usage={**USAGE, "promptTokensDetails": [{"modality": "TEXT"}]}),
)


def test_whole_calls_per_chunk_events_and_sdk_agreement() -> None:
    r, events = decode_stream(STREAM)
    assert r.text == "Let me check."
    assert [(c.name, c.arguments) for c in r.tool_calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_weather", {"city": "Rome"}),
    ]
    assert (r.finish_reason, r.raw_finish_reason, r.usage, r.id) == (
        "tool_calls",
        "STOP",
        Usage(64, 11),
        "resp-1",
    )
    a, b = r.tool_calls
    assert events == [
        TextDelta("Let me "),
        TextDelta("check."),
        ToolCallStarted(0, a.id, "get_weather"),
        ToolCallDelta(0, '{"city": "Paris"}'),
        ToolCallFinished(0, a),
        ToolCallStarted(1, b.id, "get_weather"),
        ToolCallDelta(1, '{"city": "Rome"}'),
        ToolCallFinished(1, b),
    ]
    assert not any(isinstance(e, Finished) for e in events)
    assert summary(r) == sdk_stream(STREAM)


def test_stream_split_at_every_byte_boundary() -> None:
    whole = decode_stream(STREAM)[0]
    for i in range(len(STREAM) + 1):
        decoder = ADAPTER.stream_decoder()
        decoder.feed(STREAM[:i])
        decoder.feed(STREAM[i:])
        assert decoder.close() == whole
    decoder = ADAPTER.stream_decoder()
    for i in range(len(STREAM)):
        decoder.feed(STREAM[i : i + 1])
    assert decoder.close() == whole


def test_lf_framing_also_decodes() -> None:
    lf = STREAM.replace(b"\r\n", b"\n")
    assert decode_stream(lf)[0] == decode_stream(STREAM)[0]


def test_stream_restores_renamed_tools() -> None:
    tool = _tool("server/search")
    request = req(tools=(tool,), stream=True)
    r, events = decode_stream(sse(gen([call_part("server_search", {"q": "x"})])), request)
    assert r.tool_calls[0].name == "server/search"
    assert [e.call.name for e in events if isinstance(e, ToolCallFinished)] == ["server/search"]


def test_stream_cut_short_is_a_protocol_error() -> None:
    body = sse(gen([{"text": "Hel"}], None))
    with pytest.raises(ProtocolError, match="ended"):
        decode_stream(body)


def test_stream_blocked_prompt_finishes_as_content_filter() -> None:
    body = sse({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "responseId": "r"})
    r, _ = decode_stream(body)
    assert (r.finish_reason, r.raw_finish_reason) == ("content_filter", "PROHIBITED_CONTENT")


def test_error_chunk_inside_a_stream_raises_typed_error() -> None:
    error = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    body = sse(gen([{"text": "Hel"}], None)) + sse(error)
    decoder = ADAPTER.stream_decoder()
    with pytest.raises(OverloadedError) as info:
        decoder.feed(body)
    assert (info.value.status, info.value.code, info.value.retryable) == (200, "UNAVAILABLE", True)


def test_stream_body_that_is_plain_json_is_read_whole() -> None:
    # An error answered without SSE framing (what google-genai's raw-line buffer is for).
    error = b'[{\n  "error": {\n    "code": 429,\n    "message": "Quota",\n    "status": "RESOURCE_EXHAUSTED"\n  }\n}\n]'
    decoder = ADAPTER.stream_decoder()
    for i in range(0, len(error), 7):
        assert decoder.feed(error[i : i + 7]) == []
    with pytest.raises(RateLimitError):
        decoder.close()
    # streamGenerateContent without alt=sse answers a JSON array of responses
    array = raw([gen([{"text": "a"}], None), gen([{"text": "b"}], "STOP")])
    r, _ = decode_stream(array)
    assert (r.text, r.finish_reason) == ("ab", "stop")
    with pytest.raises(ProtocolError):
        decode_stream(b"{not json")


def test_stream_non_json_event_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="not JSON"):
        decode_stream(b"data: {oops\r\n\r\n")


_args = st.dictionaries(
    st.text(min_size=1, max_size=6),
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    max_size=3,
)
_parts = st.lists(
    st.one_of(
        st.text(min_size=1, max_size=20).map(lambda t: {"text": t}),
        st.tuples(st.from_regex(r"[a-z_]{1,10}", fullmatch=True), _args, st.booleans()).map(
            lambda c: call_part(c[0], c[1], SIG if c[2] else None)
        ),
    ),
    max_size=5,
)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=False)]


@st.composite
def _stream_case(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """One response as a whole body and as a stream of chunks (parts spread over chunks)."""
    parts = draw(_parts)
    usage = {"promptTokenCount": 5, "candidatesTokenCount": 7, "totalTokenCount": 12}
    whole = raw(gen(parts, "STOP", usage=usage))
    groups = _split(bytes(range(len(parts))), draw(st.lists(st.integers(0, 10), max_size=3)))
    chunks = [gen([parts[i] for i in g], None) for g in groups if g]
    chunks.append(gen([], "STOP", usage=usage))
    return whole, sse(*chunks)


@given(_stream_case(), st.lists(st.integers(0, 100_000), max_size=12))
def test_any_stream_split_decodes_like_the_whole_response(
    case: tuple[bytes, bytes], cuts: list[int]
) -> None:
    whole, stream = case
    expected = ADAPTER.parse_response(HttpResponse(200, {}, whole))
    decoder = ADAPTER.stream_decoder()
    events = []
    for piece in _split(stream, cuts):
        events += decoder.feed(piece)
    got = decoder.close()
    assert got == expected
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == (expected.text or "")
    assert tuple(e.call for e in events if isinstance(e, ToolCallFinished)) == expected.tool_calls
    assert summary(got) == sdk_stream(stream)


# --- errors (docs/dialects.md#errors-gemini) --------------------------------------------------


def _err(status: int, body: Any, headers: dict[str, str] | None = None) -> ProviderError:
    data = body if isinstance(body, bytes) else raw(body)
    response = HttpResponse(status, headers or {}, data)
    with pytest.raises(ProviderError) as info:
        ADAPTER.parse_response(response)
    assert type(ADAPTER.parse_error(response)) is type(info.value)
    return info.value


def _google(code: int, status: str, message: str, details: Any = None) -> Any:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details is not None:
        error["details"] = details
    return {"error": error}


QUOTA = _google(
    429,
    "RESOURCE_EXHAUSTED",
    "You exceeded your current quota, please check your plan and billing details.",
    [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
        {"@type": "type.googleapis.com/google.rpc.Help", "links": []},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "30s"},
    ],
)


@pytest.mark.parametrize(
    ("status", "body", "cls", "retryable", "code"),
    [
        (429, QUOTA, RateLimitError, True, "RESOURCE_EXHAUSTED"),
        (
            503,
            _google(503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
            OverloadedError,
            True,
            "UNAVAILABLE",
        ),
        (
            400,
            _google(400, "INVALID_ARGUMENT", '* tools[0]...: Unknown name "const"'),
            BadRequestError,
            False,
            "INVALID_ARGUMENT",
        ),
        (
            400,
            _google(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                    }
                ],
            ),
            AuthenticationError,
            False,
            "INVALID_ARGUMENT",
        ),
        (
            400,
            _google(
                400,
                "INVALID_ARGUMENT",
                "The input token count (1200000) exceeds the maximum number of tokens allowed "
                "(1048576).",
            ),
            ContextLengthError,
            False,
            "INVALID_ARGUMENT",
        ),
        (
            404,
            _google(404, "NOT_FOUND", "models/x is not found"),
            NotFoundError,
            False,
            "NOT_FOUND",
        ),
        (
            500,
            _google(500, "INTERNAL", "An internal error has occurred."),
            ServerError,
            True,
            "INTERNAL",
        ),
        (
            504,
            _google(504, "DEADLINE_EXCEEDED", "Deadline"),
            ServerError,
            True,
            "DEADLINE_EXCEEDED",
        ),
    ],
)
def test_gemini_error_bodies_map_to_the_neutral_tree(
    status: int, body: Any, cls: type[ProviderError], retryable: bool, code: str
) -> None:
    err = _err(status, body)
    assert type(err) is cls
    assert (err.status, err.code, err.retryable, err.provider) == (
        status,
        code,
        retryable,
        "gemini",
    )
    sdk = sdk_error(status, raw(body))
    assert (sdk.code, sdk.status, sdk.message) == (status, code, err.message)


def test_depleted_prepaid_credits_are_not_retryable() -> None:
    message = "Your prepayment credits are depleted. Please go to AI Studio to manage billing."
    err = _err(402, _google(402, "RESOURCE_EXHAUSTED", message))
    assert (type(err), err.retryable, err.code) == (ProviderError, False, "RESOURCE_EXHAUSTED")
    # the same text under the older 429 answer: still a rate-limit class, but not retryable
    old = _err(429, _google(429, "RESOURCE_EXHAUSTED", message))
    assert (type(old), old.retryable) == (RateLimitError, False)


def test_retry_delay_from_retry_info_and_from_headers() -> None:
    assert _err(429, QUOTA).retry_after == 30.0
    nanos = _google(
        429,
        "RESOURCE_EXHAUSTED",
        "q",
        [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}],
    )
    assert _err(429, nanos).retry_after == 1.5
    plain = _google(429, "RESOURCE_EXHAUSTED", "q")
    assert _err(429, plain).retry_after is None
    assert _err(429, plain, {"retry-after": "7"}).retry_after == 7.0


def test_error_list_body_and_non_json_body() -> None:
    err = _err(429, [QUOTA])
    assert (type(err), err.retry_after) == (RateLimitError, 30.0)
    html = _err(502, b"<html><body>Bad Gateway</body></html>")
    assert (type(html), html.retryable) == (ServerError, True)
    assert "Bad Gateway" in html.message
    empty = _err(401, b"")
    assert type(empty) is AuthenticationError


def test_error_headers_are_redacted() -> None:
    err = _err(403, _google(403, "PERMISSION_DENIED", "no"), {"x-goog-api-key": "secret"})
    assert err.headers["x-goog-api-key"] == "<redacted>"


def test_signature_placeholder_is_valid_base64() -> None:
    # google-genai types Part.thought_signature is bytes sent as base64: the placeholder decodes.
    assert base64.urlsafe_b64decode(FOREIGN_THOUGHT_SIGNATURE)
