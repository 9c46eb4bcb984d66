"""``fctest check`` and ``fctest.compat``: verdicts per tool and provider, checked exactly, for
the tools of the conformance scenarios and for real-world shaped tools (a pydantic model with
nested ``$defs``, an MCP tool with ``$schema`` and ``additionalProperties``, a namespaced name).

The module-level tools below are also the target of the CLI tests (``fctest check test_compat``
collects every ``Tool`` defined at a module's top level).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from fctest import Tool
from fctest.cli import main
from fctest.compat import (
    IncompatibleToolsError,
    assert_compatible,
    check,
    load_tools,
)
from fctest.errors import UsageError

BUILTINS = [
    "anthropic",
    "azure-openai",
    "gemini",
    "groq",
    "openai",
    "openai-responses",
    "openrouter",
    "xai",
]


class Address(BaseModel):
    street: str
    city: str
    postcode: str | None = None


class Category(BaseModel):
    name: str
    children: list[Category] = []


class CreateContact(BaseModel):
    """Create a contact in the address book."""

    name: str = Field(min_length=1)
    kind: Literal["person", "company"] = "person"
    address: Address
    tags: list[str] = []
    category: Category | None = None


CONTACT = Tool.from_model(CreateContact)
"""pydantic: ``$defs`` (Address, a recursive Category), ``$ref``, ``anyOf`` with null, defaults."""

MCP_READ = Tool(
    "read_file",
    "Read the complete contents of a file from the file system.",
    {
        "type": "object",
        "properties": {
            "path": {"type": "string"},
            "encoding": {"type": "string", "enum": ["utf-8", "latin-1"], "default": "utf-8"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "required": ["path"],
        "additionalProperties": False,
        "$schema": "http://json-schema.org/draft-07/schema#",
    },
)
"""An MCP server's tool as zod-to-json-schema writes it: draft-07 ``$schema``, closed root, a map."""

NAMESPACED = Tool(
    "server/tool.name",
    "A tool an MCP client namespaced with its server's name.",
    {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
)


def expect(default: str, **overrides: str) -> dict[str, str]:
    out = dict.fromkeys(BUILTINS, default)
    out.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return out


def test_scenario_tools_as_declared() -> None:
    report = check(load_tools("fctest.scenarios"), BUILTINS)
    assert report.statuses() == {
        # xAI is always strict: its objects are closed (a recorded rewrite).
        "get_weather": expect("compatible", xai="rewritten"),
        "get_time": expect("compatible", xai="rewritten"),
        "ping": expect("compatible", xai="rewritten"),
        "create_order": expect("compatible", xai="rewritten"),
        "get_weather_strict": expect("compatible"),
    }
    assert report.ok
    assert report.conflicts == ()


FIXTURE_MODULES = {
    "providers.test_cross_provider": ["get_weather", "get_time"],
    "providers.openai.test_xai": ["weather"],
    "providers.gemini.test_adapter": ["get_weather", "generate_topic"],
    "providers.anthropic.test_adapter": ["get_weather"],
}


@pytest.mark.parametrize("module", list(FIXTURE_MODULES))
def test_tools_of_the_adapter_test_fixtures(module: str) -> None:
    """The plain tools the adapter tests declare: accepted everywhere; under strict mode every
    strict dialect but Gemini's closes (and OpenAI's also fills) the objects."""
    tools = load_tools(module)
    assert [t.name for t in tools] == FIXTURE_MODULES[module]
    plain = check(tools, BUILTINS).statuses()
    assert plain == {t: expect("compatible", xai="rewritten") for t in FIXTURE_MODULES[module]}
    strict = check(tools, BUILTINS, strict=True).statuses()
    assert strict == {t: expect("rewritten", gemini="compatible") for t in FIXTURE_MODULES[module]}


def test_tools_sharing_a_name_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError, match="two tools are named 'get_weather'"):
        check(load_tools("providers.openai.test_chat"))
    assert main(["check", "providers.openai.test_chat"]) == 2
    assert "two tools are named 'get_weather'" in capsys.readouterr().err


def test_real_world_tools_as_declared() -> None:
    report = check([CONTACT, MCP_READ, NAMESPACED], BUILTINS)
    assert report.statuses() == {
        "create_contact": expect("compatible", xai="rewritten"),
        # Gemini drops $schema; xAI (always strict) refuses the open headers map.
        "read_file": expect("compatible", gemini="rewritten", xai="incompatible"),
        "server/tool.name": expect("rewritten"),
    }
    refused = report.verdict("read_file", "xai")
    assert refused.pointer == "/properties/headers/additionalProperties"
    assert "additionalProperties: false" in (refused.reason or "")
    gemini = report.verdict("read_file", "gemini")
    assert [(c.pointer, c.keyword, c.action) for c in gemini.changes] == [
        ("", "$schema", "dropped")
    ]
    renamed = report.verdict("server/tool.name", "openai")
    assert renamed.wire_name == "server_tool_name"
    assert not report.ok
    assert [(c.tool, c.kind, c.pointer) for c in report.conflicts] == [
        ("read_file", "keyword", "/properties/headers/additionalProperties"),
    ]
    assert report.conflicts[0].providers[0] == "xai"


def test_real_world_tools_strict() -> None:
    report = check([CONTACT, MCP_READ, NAMESPACED], BUILTINS, strict=True)
    assert report.statuses() == {
        # Anthropic strict refuses recursion; Gemini's VALIDATED mode needs no rewrite.
        "create_contact": expect("rewritten", anthropic="incompatible", gemini="compatible"),
        "read_file": expect("incompatible", gemini="rewritten"),
        "server/tool.name": expect("rewritten"),
    }
    anthropic = report.verdict("create_contact", "anthropic")
    assert anthropic.pointer == "/$defs/Category/properties/children/items/$ref"
    assert "recursive" in (anthropic.reason or "")
    openai = report.verdict("create_contact", "openai")
    client_side = [(c.pointer, c.keyword) for c in openai.client_side]
    assert ("/properties/name", "minLength") in client_side
    assert not [k for _, k in client_side if k == "default"]  # an annotation, nothing to check
    keywords = {(c.tool, c.pointer) for c in report.conflicts if c.kind == "keyword"}
    assert keywords == {
        ("create_contact", "/$defs/Category/properties/children/items/$ref"),
        ("read_file", "/properties/headers/additionalProperties"),
    }


def test_client_side_lists_what_the_provider_no_longer_checks() -> None:
    tool = Tool(
        "t",
        "",
        {
            "type": "object",
            "properties": {"s": {"type": "string", "minLength": 2, "format": "email"}},
            "required": ["s"],
        },
        strict=True,
    )
    report = check(tool, ["openai", "anthropic", "gemini"])
    assert [(c.pointer, c.keyword) for c in report.verdict("t", "openai").client_side] == [
        ("/properties/s", "minLength")
    ]
    # Anthropic moves it into the description: checked by fctest, not by the provider.
    assert [(c.pointer, c.keyword) for c in report.verdict("t", "anthropic").client_side] == [
        ("/properties/s", "minLength")
    ]
    assert report.verdict("t", "gemini").status == "compatible"


def test_request_wide_limits_are_checked_with_all_tools_together() -> None:
    many = [Tool(f"lookup_{i:03d}", "", {"type": "object", "properties": {}}) for i in range(129)]
    # Groq documents 128 tools (docs/dialects.md#max-tools-groq); OpenAI's current spec and
    # Anthropic document no cap (docs/dialects.md#max-tools-openai).
    report = check(many, ["groq", "openai", "anthropic"])
    last = report.verdict("lookup_128", "groq")
    assert last.status == "incompatible"
    assert (last.reason or "").startswith("together with the other tools: 129 tools")
    assert report.verdict("lookup_127", "groq").status == "compatible"
    assert report.verdict("lookup_128", "openai").status == "compatible"
    assert report.verdict("lookup_128", "anthropic").status == "compatible"


def test_a_name_sent_differently_is_flagged_with_a_portable_one() -> None:
    report = check(Tool("calendar.create_event"), ["openai", "gemini"])
    (conflict,) = report.conflicts
    assert conflict.kind == "name"
    assert "gemini 'calendar.create_event'" in conflict.message
    assert "'calendar_create_event' would be accepted as written by all" in conflict.message
    assert report.ok  # renaming is a rewrite, not a refusal


def test_assert_compatible() -> None:
    report = assert_compatible(load_tools("fctest.scenarios"), ["openai", "gemini"])
    assert report.ok
    with pytest.raises(IncompatibleToolsError) as info:
        assert_compatible([MCP_READ], ["openai", "xai"])
    assert isinstance(info.value, AssertionError)
    assert "xai" in str(info.value)
    assert "/properties/headers/additionalProperties" in str(info.value)
    with pytest.raises(IncompatibleToolsError):
        assert_compatible([NAMESPACED], ["openai"], allow_rewrites=False)


# --- loading targets ----------------------------------------------------------------------------

WEATHER_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}


@pytest.mark.parametrize(
    "document",
    [
        [
            {
                "type": "function",
                "function": {
                    "name": "w",
                    "description": "d",
                    "parameters": WEATHER_SCHEMA,
                    "strict": True,
                },
            }
        ],
        [{"name": "w", "description": "d", "parameters": WEATHER_SCHEMA, "strict": True}],
        {
            "tools": [
                {"name": "w", "description": "d", "inputSchema": WEATHER_SCHEMA, "strict": True}
            ]
        },
        [{"name": "w", "description": "d", "input_schema": WEATHER_SCHEMA, "strict": True}],
    ],
    ids=["openai", "flat", "mcp", "anthropic"],
)
def test_json_files_in_every_common_form(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps(document))
    (tool,) = load_tools(str(path))
    assert (tool.name, tool.description, tool.parameters, tool.strict) == (
        "w",
        "d",
        WEATHER_SCHEMA,
        True,
    )


def test_a_tool_without_parameters_gets_an_empty_object(tmp_path: Path) -> None:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps([{"type": "function", "function": {"name": "ping"}}]))
    (tool,) = load_tools(str(path))
    assert tool.parameters == {"type": "object", "properties": {}}


@pytest.mark.parametrize(
    ("target", "names"),
    [
        ("fctest._demo:DEMO_TOOLS", ["get_weather", "calendar.create_event", "ping"]),
        ("fctest._demo.DEMO_TOOLS", ["get_weather", "calendar.create_event", "ping"]),
        ("fctest.scenarios:WEATHER", ["get_weather"]),
        ("test_compat", ["create_contact", "read_file", "server/tool.name"]),
    ],
)
def test_python_targets(target: str, names: list[str]) -> None:
    assert [t.name for t in load_tools(target)] == names


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_such_module_xyz", "cannot import"),
        ("fctest.scenarios:NOPE", "has no attribute"),
        ("fctest.errors", "defines no fctest.Tool"),
        ("fctest.scenarios:SCENARIOS", "is not a fctest.Tool"),
    ],
)
def test_bad_targets(target: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load_tools(target)


def test_bad_json_files(tmp_path: Path) -> None:
    path = tmp_path / "tools.json"
    path.write_text("{not json")
    with pytest.raises(UsageError, match="is not JSON"):
        load_tools(str(path))
    path.write_text(json.dumps([{"description": "no name"}]))
    with pytest.raises(UsageError, match="entry 0 has no 'name'"):
        load_tools(str(path))
    with pytest.raises(UsageError, match="cannot read"):
        load_tools(str(tmp_path / "missing.json"))


# --- the command --------------------------------------------------------------------------------


def test_cli_exit_0_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "fctest.scenarios", "--providers", "openai", "gemini"]) == 0
    out = capsys.readouterr().out
    assert "get_weather\n  openai  compatible\n  gemini  compatible\n" in out
    assert out.rstrip().endswith(
        "5 tool(s) x 2 provider(s): 10 compatible, 0 after rewriting, 0 incompatible"
    )


def test_cli_exit_1_when_a_provider_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "test_compat:MCP_READ", "--providers", "openai", "xai"]) == 1
    out = capsys.readouterr().out
    assert "xai     incompatible at /properties/headers/additionalProperties:" in out
    assert "requirements no single schema meets on every selected provider:" in out


def test_cli_strict_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["check", "test_compat", "--providers", *BUILTINS, "--strict", "on", "--format", "json"]
    )
    assert code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert data["providers"] == BUILTINS
    statuses = {t["name"]: {p: r["status"] for p, r in t["results"].items()} for t in data["tools"]}
    assert statuses["create_contact"]["anthropic"] == "incompatible"
    assert statuses["read_file"] == expect("incompatible", gemini="rewritten")
    anthropic = next(t for t in data["tools"] if t["name"] == "create_contact")["results"][
        "anthropic"
    ]
    assert anthropic["pointer"] == "/$defs/Category/properties/children/items/$ref"
    openai = next(t for t in data["tools"] if t["name"] == "create_contact")["results"]["openai"]
    pairs = [(c["pointer"], c["keyword"]) for c in openai["client_side"]]
    assert ("/properties/name", "minLength") in pairs
    assert data["summary"] == {"compatible": 1, "rewritten": 15, "incompatible": 8}
    assert {c["kind"] for c in data["conflicts"]} == {"keyword"}


def test_cli_json_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tools.json"
    path.write_text(
        json.dumps(
            [
                {
                    "type": "function",
                    "function": {"name": "get.weather", "parameters": WEATHER_SCHEMA},
                }
            ]
        )
    )
    assert main(["check", str(path), "--providers", "anthropic", "gemini"]) == 0
    out = capsys.readouterr().out
    assert "renamed to 'get_weather'" in out
    assert "no one name is sent to every provider" in out


def test_cli_exit_2_for_a_bad_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "no_such_module_xyz"]) == 2
    assert "fctest check: cannot import 'no_such_module_xyz'" in capsys.readouterr().err
    assert main(["check", "fctest.scenarios", "--providers", "nope"]) == 2
    assert "no adapter named 'nope'" in capsys.readouterr().err
