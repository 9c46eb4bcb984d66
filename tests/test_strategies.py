"""``fctest.strategies``: schemas that are valid and cover what users send, arguments valid by
construction, dialect-restricted generation that every adapter accepts, and option errors raised
when a value is drawn."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from jsonschema import Draft202012Validator

from fctest import Message, Request, Tool, adapter_names, get_adapter
from fctest.errors import IncompatibleToolError, UsageError
from fctest.providers.anthropic import AnthropicConfig
from fctest.strategies import (
    call_ids,
    tool_arguments,
    tool_calls,
    tool_lists,
    tool_names,
    tool_schemas,
    tools,
)

# Look for one example and do not shrink it (shrinking is what makes ``find`` slow).
FIND = settings(
    max_examples=1000,
    database=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def nodes(schema: Any) -> list[dict[str, Any]]:
    """Every dict in ``schema`` that sits where a subschema can (loosely: every dict)."""
    out = []
    if isinstance(schema, dict):
        out.append(schema)
        for value in schema.values():
            out += nodes(value)
    elif isinstance(schema, list):
        for value in schema:
            out += nodes(value)
    return out


def has_keyword(schema: Any, keyword: str) -> bool:
    return any(keyword in n for n in nodes(schema))


def subschemas(schema: Any) -> list[dict[str, Any]]:
    """Every subschema of ``schema`` (strictly: not property names, nor ``enum``, ``const`` or
    ``default`` values, which may hold any key, keyword names included)."""
    if isinstance(schema, list):
        return [n for s in schema for n in subschemas(s)]
    if not isinstance(schema, dict):
        return []
    out = [schema]
    for key, value in schema.items():
        if key in ("enum", "const", "default", "examples"):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            value = list(value.values())
        out += subschemas(value)
    return out


@given(data=st.data())
def test_schemas_are_valid_and_every_instance_built_validates(data: st.DataObject) -> None:
    schema = data.draw(tool_schemas())
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    tool = Tool("t", "", schema)
    arguments = data.draw(tool_arguments(tool))
    assert tool.argument_errors(arguments) == []
    assert json.loads(json.dumps(arguments)) == arguments


def _recursive(schema: dict[str, Any]) -> bool:
    defs = schema.get("$defs") or {}
    return any(f'"#/$defs/{name}"' in json.dumps(sub) for name, sub in defs.items())


COVERAGE = {
    "type array": lambda s: any(isinstance(n.get("type"), list) for n in nodes(s)),
    "nested object": lambda s: any(
        n.get("type") == "object" and n is not s and n.get("properties") for n in nodes(s)
    ),
    "empty object": lambda s: any(n == {"type": "object"} for n in nodes(s)),
    "array": lambda s: any(n.get("type") == "array" and "items" in n for n in nodes(s)),
    **{
        f"enum with {kind.__name__}": (
            lambda s, kind=kind: any(
                isinstance(n.get("enum"), list) and any(type(v) is kind for v in n["enum"])
                for n in nodes(s)
            )
        )
        for kind in (type(None), bool, int, float, str, list, dict)
    },
    "const": lambda s: has_keyword(s, "const"),
    "anyOf": lambda s: has_keyword(s, "anyOf"),
    "oneOf": lambda s: has_keyword(s, "oneOf"),
    "allOf": lambda s: has_keyword(s, "allOf"),
    "$ref": lambda s: has_keyword(s, "$ref"),
    "recursive $ref": _recursive,
    "additionalProperties false": lambda s: any(
        n.get("additionalProperties") is False for n in nodes(s)
    ),
    "additionalProperties true": lambda s: any(
        n.get("additionalProperties") is True for n in nodes(s)
    ),
    "additionalProperties schema": lambda s: any(
        isinstance(n.get("additionalProperties"), dict) for n in nodes(s)
    ),
    "required and optional": lambda s: (
        bool(s.get("required")) and len(s["properties"]) > len(s["required"])
    ),
    "nullable": lambda s: any(
        (isinstance(n.get("type"), list) and "null" in n["type"])
        or {"type": "null"} in n.get("anyOf", [])
        for n in nodes(s)
    ),
    "format": lambda s: has_keyword(s, "format"),
    "pattern": lambda s: has_keyword(s, "pattern"),
    "minimum": lambda s: has_keyword(s, "minimum"),
    "exclusiveMaximum": lambda s: has_keyword(s, "exclusiveMaximum"),
    "multipleOf": lambda s: has_keyword(s, "multipleOf"),
    "minLength": lambda s: has_keyword(s, "minLength"),
    "maxItems": lambda s: has_keyword(s, "maxItems"),
    "uniqueItems": lambda s: has_keyword(s, "uniqueItems"),
    "default": lambda s: has_keyword(s, "default"),
    "description": lambda s: has_keyword(s, "description"),
    "title": lambda s: has_keyword(s, "title"),
    "$schema": lambda s: "$schema" in s,
    "not": lambda s: has_keyword(s, "not"),
    "minContains": lambda s: has_keyword(s, "minContains"),
    "maxProperties": lambda s: has_keyword(s, "maxProperties"),
    "a property named like a keyword": lambda s: any(
        k in ("type", "properties", "$ref", "enum")
        for n in nodes(s)
        for k in (n.get("properties") or {})
    ),
}


@pytest.mark.parametrize("what", list(COVERAGE))
def test_schemas_cover_what_users_send(what: str) -> None:
    found = find(tool_schemas(), COVERAGE[what], settings=FIND)
    assert COVERAGE[what](found)


NAMES = {
    "dots": lambda n: "." in n,
    "colons": lambda n: ":" in n,
    "slashes": lambda n: "/" in n,
    "leading digit": lambda n: n[:1].isdigit(),
    "non-ASCII": lambda n: any(ord(c) > 127 for c in n),
    "longer than 128": lambda n: len(n) > 128,
}


@pytest.mark.parametrize("what", list(NAMES))
def test_names_cover_awkward_forms(what: str) -> None:
    assert NAMES[what](find(tool_names(), NAMES[what], settings=FIND))


@given(name=tool_names())
def test_names_are_1_to_200_characters(name: str) -> None:
    assert 1 <= len(name) <= 200


DIALECTS = [
    (name, strict)
    for name in adapter_names()
    for strict in (None, True, False)
    if not (strict and get_adapter(name).profile.strict_mode == "none")
]


@pytest.mark.parametrize(("dialect", "strict"), DIALECTS)
@settings(max_examples=max(5, settings.default.max_examples // 5))
@given(data=st.data())
def test_dialect_tools_are_accepted_by_that_adapter(
    dialect: str, strict: bool | None, data: st.DataObject
) -> None:
    adapter = get_adapter(dialect)
    profile = adapter.profile
    declared = data.draw(tool_lists(dialect=dialect, strict=strict, max_size=3))
    request = Request(model="m", messages=(Message.user("hi"),), tools=declared)
    try:
        adapter.build_request(request, adapter.config_type(base_url="https://fctest.invalid"))
    except IncompatibleToolError as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(f"{dialect} refused a tool generated for it: {exc}")
    resolved = profile.strict_mode == "always" or (
        strict if strict is not None else profile.strict_default
    )
    for t in declared:
        assert re.fullmatch(profile.tool_name_pattern, t.name)
        assert len(t.name) <= profile.tool_name_max_length
        for n in subschemas(t.parameters):
            for keyword, value in n.items():
                mode = profile.keyword_mode(keyword, strict=bool(resolved), value=value)
                assert mode != "rejected"
    arguments = data.draw(tool_arguments(declared[0]))
    assert declared[0].argument_errors(arguments) == []


def test_xai_never_gets_min_contains() -> None:
    """xAI's profile rejects minContains/maxContains in (always) strict mode (400)."""
    # Without a dialect minContains shows up within a few hundred schemas (coverage test above).
    with pytest.raises(NoSuchExample):
        find(
            tool_schemas(dialect="xai"),
            lambda s: any("minContains" in n for n in subschemas(s)),
            settings=settings(FIND, max_examples=300),
        )


def test_strict_for_a_provider_without_strict_mode_is_refused_when_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fctest.providers.openai import OpenAIAdapter

    adapter = get_adapter("openai")
    monkeypatch.setattr(OpenAIAdapter, "profile", adapter.profile.evolve(strict_mode="none"))
    from fctest import strategies

    strategies._dialect.cache_clear()
    try:
        with pytest.raises(UsageError, match="strict tools are not supported"):
            find(tool_schemas(dialect="openai", strict=True), lambda s: True, settings=FIND)
    finally:
        strategies._dialect.cache_clear()


def test_bad_options_raise_when_drawn() -> None:
    strategy = tool_schemas(max_depth=-1)  # no error yet: options are checked on drawing
    with pytest.raises(UsageError, match="max_depth"):
        find(strategy, lambda s: True, settings=FIND)
    with pytest.raises(UsageError, match="min_size"):
        find(tool_lists(min_size=3, max_size=1), lambda s: True, settings=FIND)
    with pytest.raises(UsageError, match="no adapter named"):
        find(tool_schemas(dialect="nope"), lambda s: True, settings=FIND)


@pytest.mark.parametrize(
    ("schema", "keyword"),
    [
        ({"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}}, "'if'"),
        (
            {"type": "object", "patternProperties": {"^x": {"type": "string"}}},
            "'patternProperties'",
        ),
        (
            {"type": "object", "properties": {"a": {"type": "array", "prefixItems": [{}]}}},
            "'prefixItems'",
        ),
        ({"type": "object", "properties": {"a": {"not": {"const": 1}}}}, "'not'"),
    ],
)
def test_arguments_refuse_keywords_they_cannot_honour(schema: dict[str, Any], keyword: str) -> None:
    strategy = tool_arguments(schema)
    with pytest.raises(UsageError, match=keyword):
        find(strategy, lambda v: True, settings=FIND)


RECURSIVE = {
    "type": "object",
    "properties": {"root": {"$ref": "#/$defs/Node"}},
    "required": ["root"],
    "$defs": {
        "Node": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                "parent": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
            },
            "required": ["name", "children", "parent"],
        }
    },
}


@given(arguments=tool_arguments(RECURSIVE))
def test_recursive_schemas_get_finite_valid_arguments(arguments: Any) -> None:
    assert Tool("t", "", RECURSIVE).argument_errors(arguments) == []


def test_recursion_goes_deep() -> None:
    deep = find(
        tool_arguments(RECURSIVE),
        lambda a: a["root"]["children"] and a["root"]["children"][0]["children"],
        settings=FIND,
    )
    assert Tool("t", "", RECURSIVE).argument_errors(deep) == []


PYDANTIC_LIKE = {
    "$defs": {
        "Kind": {"enum": ["a", "b"], "title": "Kind", "type": "string"},
        "Item": {
            "properties": {
                "sku": {"title": "Sku", "type": "string", "pattern": "^[A-Z]{3}$"},
                "kind": {"$ref": "#/$defs/Kind"},
            },
            "required": ["sku"],
            "title": "Item",
            "type": "object",
        },
    },
    "properties": {
        "items": {
            "items": {"$ref": "#/$defs/Item"},
            "minItems": 1,
            "title": "Items",
            "type": "array",
        },
        "when": {
            "anyOf": [{"format": "date-time", "type": "string"}, {"type": "null"}],
            "default": None,
        },
        "count": {"type": "integer", "exclusiveMinimum": 0, "multipleOf": 5, "maximum": 100},
    },
    "required": ["items", "count"],
    "title": "Order",
    "type": "object",
}


@given(arguments=tool_arguments(PYDANTIC_LIKE))
def test_arguments_for_a_pydantic_shaped_schema(arguments: Any) -> None:
    assert Tool("t", "", PYDANTIC_LIKE).argument_errors(arguments) == []
    assert arguments["count"] % 5 == 0
    assert 0 < arguments["count"] <= 100


@given(data=st.data())
def test_tool_calls_name_a_tool_and_carry_valid_arguments(data: st.DataObject) -> None:
    declared = data.draw(tool_lists(max_size=3))
    call = data.draw(tool_calls(tools=declared))
    (tool,) = [t for t in declared if t.name == call.name]
    assert tool.argument_errors(call.arguments) == []
    assert call.id


@given(tool=tools(strict=True))
def test_tools_carry_the_strict_setting(tool: Tool) -> None:
    assert tool.strict is True


@given(call_id=call_ids(dialect="anthropic"))
def test_dialect_ids_match_the_profile(call_id: str) -> None:
    pattern = get_adapter("anthropic").profile.tool_call_id_pattern
    assert pattern is not None
    assert re.fullmatch(pattern, call_id)


def test_import_fctest_does_not_import_hypothesis() -> None:
    code = (
        "import sys, fctest; print('hypothesis' in sys.modules, 'fctest.strategies' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


_FIRST = settings(phases=[Phase.generate], database=None, max_examples=5)


def test_strategies_read_the_profile_resolved_for_a_model() -> None:
    # Claude before 4.5 has no strict tools (docs/dialects.md#strict-anthropic-models).
    older = tools(dialect="anthropic", strict=True, model="claude-3-5-sonnet-latest")
    with pytest.raises(UsageError, match="strict tools are not supported"):
        find(older, lambda _: True, settings=_FIRST)
    newer = tools(dialect="anthropic", strict=True, model="claude-sonnet-4-5")
    tool = find(newer, lambda _: True, settings=_FIRST)
    fitted = get_adapter("anthropic").build_request(
        Request("claude-sonnet-4-5", (Message.user("q"),), tools=(tool,)),
        AnthropicConfig(api_key="k"),
    )
    assert json.loads(fitted.body)["tools"][0]["strict"] is True
