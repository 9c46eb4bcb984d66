"""Fitting tools to a profile (count, names, descriptions, strict budget, keyword modes, strict
schemas) and mapping calls back (renamed tools, strict-mode nulls)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any, ClassVar

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fctest import HttpRequest, HttpResponse, Message, Request, Response, Tool, ToolCall
from fctest.dialect import (
    DialectTransformer,
    FittedTool,
    Profile,
    fit_request,
    fit_tools,
    make_strict,
    wire_name,
)
from fctest.errors import IncompatibleToolError, ProviderError
from fctest.providers import Adapter, Config, StreamDecoder

GEMINI_NAME = r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$"


class FakeAdapter(Adapter):
    name: ClassVar[str] = "fake"
    profile: ClassVar[Profile] = Profile()

    def build_request(self, request: Request, config: Config) -> HttpRequest:
        raise NotImplementedError

    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        raise NotImplementedError

    def stream_decoder(self, request: Request | None = None) -> StreamDecoder:
        raise NotImplementedError

    def parse_error(self, response: HttpResponse) -> ProviderError:
        raise NotImplementedError


_made = 0


def adapter(name: str | None = None, **profile: Any) -> Adapter:
    """A fake adapter with its own profile (a fresh name unless one is given)."""
    global _made
    _made += 1
    cls = type(
        f"Fake{_made}",
        (FakeAdapter,),
        {"name": name or f"fake{_made}", "profile": Profile(**profile)},
    )
    return cls()  # type: ignore[no-any-return]


class StrictTransformer(DialectTransformer):
    """OpenAI-style strict: every property required, optionals nullable."""

    def strict_node(self, node: dict[str, Any], pointer: str) -> dict[str, Any]:
        return make_strict(node, pointer, self, require_all=True)


class ClosingTransformer(DialectTransformer):
    """Anthropic-style strict: objects closed, ``required`` left alone."""

    def strict_node(self, node: dict[str, Any], pointer: str) -> dict[str, Any]:
        return make_strict(node, pointer, self, require_all=False)


def obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, **extra}
    if required is not None:
        schema["required"] = required
    return schema


def tool(name: str, parameters: dict[str, Any] | None = None, **kw: Any) -> Tool:
    return Tool(name, kw.pop("description", f"the {name} tool"), parameters or obj({}), **kw)


def _profile(a: Adapter, transformer: type[DialectTransformer] | None) -> Profile:
    return a.profile if transformer is None else a.profile.evolve(transformer=transformer)


def fit(
    a: Adapter, tools: Any, transformer: type[DialectTransformer] | None = None
) -> tuple[FittedTool, ...]:
    """``a``'s fitting of ``tools`` (with another transformer than its profile's, if given)."""
    return fit_tools(tools, _profile(a, transformer), provider=a.name)


def restorer(
    a: Adapter, request: Request | None, *, transformer: type[DialectTransformer] | None = None
) -> Any:
    """The restorer of ``request`` fitted for ``a`` (``None`` without a request)."""
    if request is None:
        return None
    return fit_request(request, _profile(a, transformer), provider=a.name).restorer


def fitted_one(
    a: Adapter, t: Tool, transformer: type[DialectTransformer] = DialectTransformer
) -> FittedTool:
    (f,) = fit(a, (t,), transformer)
    return f


# --- count, names, descriptions, strict budget ------------------------------------------------


def test_tools_pass_unchanged_when_they_fit() -> None:
    t = tool("get_weather", obj({"city": {"type": "string"}}, ["city"]))
    f = fitted_one(adapter(), t)
    assert f == FittedTool(t, "get_weather", "the get_weather tool", t.parameters, False, ())
    assert f.parameters is not t.parameters


def test_max_tools() -> None:
    tools = tuple(tool(f"t{i}") for i in range(4))
    assert len(fit(adapter(max_tools=4), tools)) == 4
    with pytest.raises(IncompatibleToolError) as info:
        fit(adapter("capped", max_tools=3), tools)
    e = info.value
    assert (e.provider, e.tool, e.pointer) == ("capped", "t3", "")
    assert e.reason == "4 tools in one request; at most 3 are accepted (profile)"
    sourced = adapter("capped", max_tools=3, sources={"max_tools": "docs/dialects.md#tool-counts"})
    with pytest.raises(
        IncompatibleToolError, match=r"at most 3 are accepted \(docs/dialects\.md#tool-counts\)$"
    ):
        fit(sourced, tools)


def test_no_tool_limit() -> None:
    assert len(fit(adapter(max_tools=None), tuple(tool(f"t{i}") for i in range(300)))) == 300


@pytest.mark.parametrize(
    ("name", "portable", "gemini"),
    [
        # docs/dialects.md#tool-names-openai, docs/dialects.md#tool-names-gemini
        ("get.weather", "get_weather", "get.weather"),
        ("ns:tool", "ns_tool", "ns:tool"),
        ("server/tool", "server_tool", "server_tool"),  # invalid everywhere
        ("1lookup", "1lookup", "_1lookup"),  # Gemini needs a letter or _ first
        ("café au lait", "caf__au_lait", "caf__au_lait"),
        ("ok-name_2", "ok-name_2", "ok-name_2"),
    ],
)
def test_names(name: str, portable: str, gemini: str) -> None:
    for a, expected in (
        (adapter(), portable),
        (adapter(tool_name_pattern=GEMINI_NAME, tool_name_max_length=64), gemini),
    ):
        f = fitted_one(a, tool(name))
        assert f.name == expected
        assert re.fullmatch(a.profile.tool_name_pattern, f.name)
        renames = [c for c in f.changes if c.keyword == "name"]
        if expected == name:
            assert renames == []
        else:
            assert len(renames) == 1
            assert renames[0].pointer == ""
            assert renames[0].action == "rewritten"
            assert renames[0].reason == (
                f"renamed to {expected!r}: {a.name} names must match {a.profile.tool_name_pattern}"
            )


@pytest.mark.parametrize("length", [65, 100, 128, 130])
def test_long_names_are_cut_and_hashed(length: int) -> None:
    name = "n" * length
    for a in (adapter(), adapter(tool_name_pattern=GEMINI_NAME, tool_name_max_length=64)):
        f = fitted_one(a, tool(name))
        assert len(f.name) == 64
        assert re.fullmatch(r"n{55}_[0-9a-f]{8}", f.name)
        assert re.fullmatch(a.profile.tool_name_pattern, f.name)
        assert fitted_one(a, tool(name)).name == f.name  # deterministic


def test_long_names_with_a_common_prefix_stay_distinct() -> None:
    a, b = "x" * 60 + "_alpha_tool", "x" * 60 + "_omega_tool"
    names = [f.name for f in fit(adapter(), (tool(a), tool(b)))]
    assert len(set(names)) == 2
    assert all(len(n) == 64 and n.startswith("x" * 55 + "_") for n in names)


def test_renames_are_collision_free() -> None:
    fitted = fit(adapter(), (tool("a.b"), tool("a/b"), tool("a:b")))
    names = [f.name for f in fitted]
    assert names[0] == "a_b"
    assert re.fullmatch(r"a_b_[0-9a-f]{8}", names[1])
    assert re.fullmatch(r"a_b_[0-9a-f]{8}", names[2])
    assert len(set(names)) == 3
    # deterministic: the same tools give the same names
    assert [f.name for f in fit(adapter(), (tool("a.b"), tool("a/b"), tool("a:b")))] == names


def test_a_rename_never_takes_a_declared_name() -> None:
    # "a_b" is declared after "a.b": the rename must not steal it.
    fitted = fit(adapter(), (tool("a.b"), tool("a_b")))
    assert fitted[1].name == "a_b"
    assert fitted[0].name != "a_b"
    assert re.fullmatch(r"a_b_[0-9a-f]{8}", fitted[0].name)


def test_wire_name_directly() -> None:
    p = Profile()
    assert wire_name("ok", p, set()) == "ok"
    assert wire_name("ok", p, {"ok"}) != "ok"
    assert wire_name("a.b", p, set()) == "a_b"


def test_a_name_that_cannot_be_fitted_is_rejected() -> None:
    lower_only = adapter("lower", tool_name_pattern=r"^[a-z]{1,64}$")
    with pytest.raises(IncompatibleToolError) as info:
        fitted_one(lower_only, tool("Get.Weather"))
    assert info.value.tool == "Get.Weather"
    assert info.value.reason == "the name cannot be made to match ^[a-z]{1,64}$"


def test_description_cut_is_recorded() -> None:
    f = fitted_one(adapter(description_max_length=10), tool("f", description="0123456789ABC"))
    assert f.description == "0123456789"
    assert [(c.pointer, c.keyword, c.action, c.reason) for c in f.changes] == [
        ("", "description", "rewritten", "cut to 10 characters")
    ]
    same = fitted_one(adapter(description_max_length=10), tool("f", description="0123456789"))
    assert same.description == "0123456789"
    assert same.changes == ()


def test_strict_budget() -> None:
    tools = (tool("a", strict=True), tool("b"), tool("c", strict=True), tool("d", strict=True))
    ok = fit(adapter(max_strict_tools=3), tools)
    assert [f.strict for f in ok] == [True, False, True, True]
    limits = "docs/dialects.md#strict-anthropic-limits"
    with pytest.raises(IncompatibleToolError) as info:
        fit(adapter("budget", max_strict_tools=2, sources={"max_strict_tools": limits}), tools)
    assert info.value.tool == "d"
    assert info.value.reason == (
        "3 strict tools in one request; at most 2 (docs/dialects.md#strict-anthropic-limits)"
    )


def test_strict_modes() -> None:
    marked, unmarked, off = tool("a", strict=True), tool("b"), tool("c", strict=False)
    tools = (marked, unmarked, off)
    per_tool = fit(adapter(), tools)
    assert [f.strict for f in per_tool] == [True, False, False]
    default_on = fit(adapter(strict_default=True), tools)
    assert [f.strict for f in default_on] == [True, True, False]
    always = fit(adapter(strict_mode="always"), tools)
    assert [f.strict for f in always] == [True, True, True]
    assert [f.strict for f in fit(adapter(strict_mode="none"), (unmarked, off))] == [
        False,
        False,
    ]
    with pytest.raises(IncompatibleToolError) as info:
        fit(adapter("nostrict", strict_mode="none"), tools)
    assert (info.value.tool, info.value.reason) == (
        "a",
        "strict tools are not supported by this provider",
    )


# --- keyword modes ------------------------------------------------------------------------------

SCHEMA = obj(
    {
        "when": {"type": "string", "format": "date"},
        "count": {"type": "integer", "minimum": 1},
        "tags": {"type": "array", "items": {"type": "string", "format": "uuid"}},
    },
    ["when"],
)


class MinimumInDescription(DialectTransformer):
    def rewrite_keyword(
        self, keyword: str, value: Any, node: dict[str, Any], pointer: str
    ) -> dict[str, Any]:
        if keyword == "minimum":
            self.rewrite(pointer, "minimum", "moved into the description")
            return {"description": f"at least {value}"}
        return super().rewrite_keyword(keyword, value, node, pointer)


def test_native_keywords_pass() -> None:
    f = fitted_one(adapter(keywords={"format": "native"}), tool("f", SCHEMA))
    assert f.parameters == SCHEMA
    assert f.changes == ()


def test_dropped_keywords_are_recorded_with_their_source() -> None:
    a = adapter(
        "dropper",
        keywords={"format": "dropped"},
        sources={"keywords.format": "https://example.com/formats"},
    )
    f = fitted_one(a, tool("f", SCHEMA))
    assert f.parameters["properties"]["when"] == {"type": "string"}
    assert f.parameters["properties"]["tags"]["items"] == {"type": "string"}
    assert [(c.pointer, c.keyword, c.action) for c in f.changes] == [
        ("/properties/when", "format", "dropped"),
        ("/properties/tags/items", "format", "dropped"),
    ]
    assert f.changes[0].reason == (
        "'format' is not accepted by dropper in non-strict mode (https://example.com/formats)"
    )
    assert SCHEMA["properties"]["when"] == {"type": "string", "format": "date"}  # input intact


def test_rejected_keyword_names_the_pointer() -> None:
    source = "docs/dialects.md#schema-gemini-openapi"
    a = adapter("picky", keywords={"minimum": "rejected"}, sources={"keywords": source})
    with pytest.raises(IncompatibleToolError) as info:
        fitted_one(a, tool("count_things", SCHEMA))
    e = info.value
    assert (e.provider, e.tool, e.pointer) == ("picky", "count_things", "/properties/count/minimum")
    assert e.reason == (
        "'minimum' is not accepted by picky in non-strict mode "
        "(docs/dialects.md#schema-gemini-openapi)"
    )


def test_unknown_keywords_follow_the_profile_default() -> None:
    a = adapter(
        "allow-list",
        keywords={
            "type": "native",
            "properties": "native",
            "required": "native",
            "items": "native",
        },
        unknown_keyword="dropped",
    )
    f = fitted_one(a, tool("f", SCHEMA))
    assert {(c.pointer, c.keyword) for c in f.changes} == {
        ("/properties/when", "format"),
        ("/properties/count", "minimum"),
        ("/properties/tags/items", "format"),
    }


def test_rewritten_keywords_use_the_hook() -> None:
    a = adapter(keywords={"minimum": "rewritten"})
    f = fitted_one(a, tool("f", SCHEMA), MinimumInDescription)
    assert f.parameters["properties"]["count"] == {"type": "integer", "description": "at least 1"}
    assert [(c.pointer, c.keyword, c.action) for c in f.changes] == [
        ("/properties/count", "minimum", "rewritten")
    ]


def test_a_rewritten_keyword_without_a_rewrite_is_rejected() -> None:
    a = adapter("norewrite", keywords={"format": "rewritten"})
    with pytest.raises(IncompatibleToolError) as info:
        fitted_one(a, tool("f", SCHEMA))
    assert info.value.pointer == "/properties/when/format"
    assert info.value.reason == "no rewrite is defined for 'format'"


def test_strict_and_non_strict_keyword_tables_are_separate() -> None:
    a = adapter(keywords={"format": "native"}, strict_keywords={"format": "dropped"})
    assert fitted_one(a, tool("f", SCHEMA)).changes == ()
    strict = fitted_one(a, tool("f", SCHEMA, strict=True))
    assert {c.keyword for c in strict.changes} == {"format"}
    assert "in strict mode" in strict.changes[0].reason


def test_unresolvable_ref_names_the_adapter() -> None:
    with pytest.raises(IncompatibleToolError) as info:
        fitted_one(adapter("refs"), tool("f", obj({"a": {"$ref": "#/$defs/Nope"}})))
    assert (info.value.provider, info.value.pointer) == ("refs", "/properties/a/$ref")


# --- make_strict --------------------------------------------------------------------------------


def _strict(
    schema: dict[str, Any], transformer: type[DialectTransformer] = StrictTransformer
) -> FittedTool:
    return fitted_one(adapter(), tool("f", schema, strict=True), transformer)


def test_make_strict_requires_all_and_makes_optionals_nullable() -> None:
    schema = obj(
        {
            "city": {"type": "string"},
            "days": {"type": "integer", "minimum": 1},
            "unit": {"type": "string", "enum": ["c", "f"]},
            "either": {"type": ["string", "integer"]},
            "maybe": {"type": ["string", "null"]},
            "anything": {},
        },
        ["city"],
    )
    f = _strict(schema)
    assert f.strict
    assert f.nullable_optionals
    assert f.parameters == {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": ["integer", "null"], "minimum": 1},
            "unit": {"type": ["string", "null"], "enum": ["c", "f", None]},
            "either": {"type": ["string", "integer", "null"]},
            "maybe": {"type": ["string", "null"]},  # already nullable
            "anything": {},  # accepts null as it is
        },
        "required": ["city", "days", "unit", "either", "maybe", "anything"],
        "additionalProperties": False,
    }
    assert [(c.pointer, c.keyword) for c in f.changes] == [
        ("", "additionalProperties"),
        ("", "required"),
    ]
    assert f.changes[1].reason == (
        "strict mode requires every property; optional "
        "['days', 'unit', 'either', 'maybe', 'anything'] made nullable"
    )


def test_make_strict_nested_objects_and_refs() -> None:
    schema = {
        "type": "object",
        "properties": {
            "home": {"$ref": "#/$defs/Address"},
            "work": {"$ref": "#/$defs/Address"},
            "stops": {"type": "array", "items": {"$ref": "#/$defs/Address"}},
        },
        "required": ["home"],
        "$defs": {
            "Address": obj({"street": {"type": "string"}, "zip": {"type": "string"}}, ["street"])
        },
    }
    f = _strict(schema)
    address = {
        "type": "object",
        "properties": {"street": {"type": "string"}, "zip": {"type": ["string", "null"]}},
        "required": ["street", "zip"],
        "additionalProperties": False,
    }
    assert f.parameters["$defs"] == {"Address": address}
    assert f.parameters["properties"] == {
        "home": {"$ref": "#/$defs/Address"},
        "work": {"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}]},
        "stops": {"type": ["array", "null"], "items": {"$ref": "#/$defs/Address"}},
    }
    assert f.parameters["required"] == ["home", "work", "stops"]
    assert f.parameters["additionalProperties"] is False


def test_make_strict_enum_without_type_and_const() -> None:
    f = _strict(
        obj(
            {
                "e": {"enum": ["a", "b"]},
                "typed": {"type": ["string", "integer"], "enum": ["a", 1]},
                "k": {"type": "string", "const": "x"},
                "one": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                "u": {"anyOf": [{"type": "string"}, {"type": "integer"}], "description": "d"},
            }
        )
    )
    props = f.parameters["properties"]
    for name in ("e", "typed", "k", "one", "u"):
        assert jsonschema.Draft202012Validator(props[name]).is_valid(None), name
    assert props["typed"] == {"type": ["string", "integer", "null"], "enum": ["a", 1, None]}
    assert props["u"] == {
        "anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}],
        "description": "d",
    }


@pytest.mark.parametrize("extra", [True, {"type": "string"}, {}])
def test_make_strict_rejects_open_objects(extra: Any) -> None:
    schema = obj({"meta": obj({}, additionalProperties=extra)})
    with pytest.raises(IncompatibleToolError) as info:
        _strict(schema)
    assert info.value.pointer == "/properties/meta/additionalProperties"
    assert info.value.reason == (
        "strict mode needs additionalProperties: false; this object allows extra keys"
    )


def test_make_strict_keeps_explicit_false() -> None:
    f = _strict(obj({"a": {"type": "string"}}, ["a"], additionalProperties=False))
    assert f.changes == ()
    assert not f.nullable_optionals


def test_make_strict_without_require_all() -> None:
    f = _strict(
        obj({"a": {"type": "string"}, "n": obj({"x": {"type": "integer"}})}, ["a"]),
        ClosingTransformer,
    )
    assert f.parameters == {
        "type": "object",
        "properties": {
            "a": {"type": "string"},
            "n": {
                "type": "object",
                "properties": {"x": {"type": "integer"}},
                "additionalProperties": False,
            },
        },
        "required": ["a"],
        "additionalProperties": False,
    }
    assert not f.nullable_optionals


def test_non_strict_tools_are_not_made_strict() -> None:
    schema = obj({"a": {"type": "string"}})
    f = fitted_one(adapter(), tool("f", schema, strict=False), StrictTransformer)
    assert f.parameters == schema
    assert not f.nullable_optionals


# --- restorer -----------------------------------------------------------------------------------


def _request(*tools: Tool) -> Request:
    return Request("m", (Message.user("q"),), tools=tools)


def test_no_restorer_when_nothing_changed() -> None:
    a = adapter()
    assert restorer(a, None) is None
    assert restorer(a, _request()) is None
    assert restorer(a, _request(tool("ok", obj({"a": {"type": "string"}})))) is None
    # strict, but with nothing optional: no nulls to drop
    required = tool("ok2", obj({"a": {"type": "string"}}, ["a"]), strict=True)
    assert restorer(a, _request(required), transformer=StrictTransformer) is None


def test_restorer_maps_renamed_tools_back() -> None:
    a = adapter()
    request = _request(tool("get.weather"), tool("fine"))
    restore = restorer(a, request)
    assert restore is not None
    wire = {f.tool.name: f.name for f in fit(a, request.tools)}
    call = ToolCall("c1", wire["get.weather"], {"city": "Paris"}, '{"city": "Paris"}')
    assert restore(call) == ToolCall("c1", "get.weather", {"city": "Paris"}, '{"city": "Paris"}')
    fine = ToolCall("c2", "fine", {})
    assert restore(fine) is fine
    unknown = ToolCall("c3", "hallucinated", {"a": 1})
    assert restore(unknown) is unknown


NESTED = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "days": {"type": "integer"},
        "note": {"type": ["string", "null"]},
        "home": {"$ref": "#/$defs/Address"},
        "maybe_home": {"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}]},
        "stops": {"type": "array", "items": {"$ref": "#/$defs/Address"}},
    },
    "required": ["city"],
    "$defs": {
        "Address": {
            "type": "object",
            "properties": {"street": {"type": "string"}, "zip": {"type": "string"}},
            "required": ["street"],
        }
    },
}


def test_restorer_drops_strict_nulls() -> None:
    t = tool("trip", NESTED, strict=True)
    restore = restorer(adapter(), _request(t), transformer=StrictTransformer)
    assert restore is not None
    sent = {
        "city": "Paris",
        "days": None,  # optional, not nullable: "omitted"
        "note": None,  # nullable: a real null, kept
        "home": {"street": "Rue A", "zip": None},
        "maybe_home": {"street": "Rue B", "zip": None},
        "stops": [{"street": "1", "zip": None}, {"street": "2", "zip": "75001"}],
    }
    call = ToolCall("c1", "trip", copy.deepcopy(sent), "raw")
    restored = restore(call)
    assert restored.arguments == {
        "city": "Paris",
        "note": None,
        "home": {"street": "Rue A"},
        "maybe_home": {"street": "Rue B"},
        "stops": [{"street": "1"}, {"street": "2", "zip": "75001"}],
    }
    assert restored.raw_arguments == "raw"  # the wire text is kept as sent
    assert call.arguments == sent  # the decoded call is not mutated
    assert t.argument_errors(restored.arguments) == []
    # an optional object that was "omitted" is dropped, a nullable one sent as null is kept
    assert restore(
        ToolCall("c2", "trip", {"city": "x", "home": None, "maybe_home": None})
    ).arguments == {
        "city": "x",
        "maybe_home": None,
    }


def test_restorer_renames_and_drops_together() -> None:
    t = tool(
        "trip.plan", obj({"a": {"type": "string"}, "b": {"type": "integer"}}, ["a"]), strict=True
    )
    a = adapter()
    restore = restorer(a, _request(t), transformer=StrictTransformer)
    assert restore is not None
    (f,) = fit(a, (t,), StrictTransformer)
    assert restore(ToolCall("c", f.name, {"a": "x", "b": None})) == ToolCall(
        "c", "trip.plan", {"a": "x"}
    )


# --- the cache ----------------------------------------------------------------------------------


def test_a_request_is_fitted_once_per_profile() -> None:
    a = adapter()
    request = _request(tool("get.weather"))
    first = fit_request(request, a.profile, provider=a.name)
    assert fit_request(request, a.profile, provider=a.name) is first
    # Keyed by value: an equal profile reuses the fitting, another one does not.
    assert fit_request(request, a.profile.evolve(), provider=a.name) is first
    other = a.profile.evolve(tool_name_pattern=GEMINI_NAME)
    assert fit_request(request, other, provider=a.name) is not first
    assert fit_request(request, other, provider=a.name).names == {"get.weather": "get.weather"}


def test_the_cache_tells_profiles_apart() -> None:
    # Two adapters under one name with different profiles (a vendor variant, a user subclass).
    tools = (tool("get.weather"), tool("x" * 70))
    portable = fit(adapter("same"), tools)
    gemini = fit(adapter("same", tool_name_pattern=GEMINI_NAME), tools)
    assert portable[0].name == "get_weather"
    assert gemini[0].name == "get.weather"


def test_a_mutated_list_is_not_served_from_the_cache() -> None:
    a = adapter()
    tools = [tool("a")]
    assert [f.name for f in fit(a, tools)] == ["a"]
    tools.append(tool("b"))
    assert [f.name for f in fit(a, tools)] == ["a", "b"]


# --- the strict-fitting property ------------------------------------------------------------------

_SCALARS = [
    {"type": "string"},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
    {"type": "string", "enum": ["a", "b"]},
    {"type": ["string", "null"]},
]
_NAMES = st.sampled_from(["a", "b", "c", "d", "e"])


def _object_schemas(leaf: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        props = draw(st.dictionaries(_NAMES, leaf, max_size=4))
        required = [n for n in props if draw(st.booleans())]
        return {"type": "object", "properties": props, "required": required}

    return build()


_PROPERTY = st.recursive(
    st.sampled_from(_SCALARS),
    lambda inner: st.one_of(
        _object_schemas(inner),
        _object_schemas(inner).map(lambda o: {"anyOf": [o, {"type": "null"}]}),
        inner.map(lambda s: {"type": "array", "items": s}),
    ),
    max_leaves=6,
)
_SCHEMAS = _object_schemas(_PROPERTY)


def _instance(schema: dict[str, Any], draw: st.DrawFn) -> Any:
    """An instance valid under ``schema`` (the small grammar above), leaving optionals out."""
    if "anyOf" in schema:
        return None if draw(st.booleans()) else _instance(schema["anyOf"][0], draw)
    t = schema["type"]
    if "enum" in schema:
        return draw(st.sampled_from(schema["enum"]))
    if isinstance(t, list):
        return None if draw(st.booleans()) else draw(st.text(max_size=3))
    if t == "object":
        out = {}
        for name, sub in schema["properties"].items():
            if name in schema["required"] or draw(st.booleans()):
                out[name] = _instance(sub, draw)
        return out
    if t == "array":
        return [_instance(schema["items"], draw) for _ in range(draw(st.integers(0, 2)))]
    return draw(
        {
            "string": st.text(max_size=3),
            "integer": st.integers(-5, 5),
            "number": st.floats(-5, 5, allow_nan=False),
            "boolean": st.booleans(),
        }[t]
    )


def _fill_nulls(value: Any, schema: dict[str, Any]) -> Any:
    """What a strict-mode model sends: every omitted optional property as ``null``."""
    if value is None:
        return None
    if "anyOf" in schema:
        return _fill_nulls(value, schema["anyOf"][0])
    if schema.get("type") == "object":
        return {
            name: _fill_nulls(value[name], sub) if name in value else None
            for name, sub in schema["properties"].items()
        }
    if schema.get("type") == "array":
        return [_fill_nulls(v, schema["items"]) for v in value]
    return value


@given(st.data())
def test_strict_fitting_round_trip(data: st.DataObject) -> None:
    schema = data.draw(_SCHEMAS)
    instance = _instance(schema, data.draw)
    t = tool("f", schema, strict=True)
    assert t.argument_errors(instance) == []
    f = fitted_one(adapter(), t, StrictTransformer)
    sent = _fill_nulls(instance, schema)
    errors = [e.message for e in jsonschema.Draft202012Validator(f.parameters).iter_errors(sent)]
    assert errors == [], (f.parameters, sent)
    restore = restorer(adapter(), _request(t), transformer=StrictTransformer)
    back = restore(ToolCall("c", "f", sent)).arguments if restore else sent
    assert t.argument_errors(back) == [], (schema, sent, back)


# --- the profile ----------------------------------------------------------------------------------


def test_profile_keyword_modes_evolve_and_as_dict() -> None:
    p = Profile(
        keywords={"format": "dropped"},
        unknown_keyword="native",
        strict_keywords={"format": "native"},
        strict_unknown_keyword="rejected",
        sources={"keywords": "doc A"},
    )
    assert p.keyword_mode("format", strict=False) == "dropped"
    assert p.keyword_mode("pattern", strict=False) == "native"
    assert p.keyword_mode("format", strict=True) == "native"
    assert p.keyword_mode("pattern", strict=True) == "rejected"
    q = p.evolve(max_tools=10, sources={"max_tools": "doc B"})
    assert q.max_tools == 10
    assert dict(q.sources) == {"keywords": "doc A", "max_tools": "doc B"}  # merged, not replaced
    assert p.max_tools == 128  # the original is untouched
    d = q.as_dict()
    assert d["tool_choice"] == ["auto", "named", "none", "required"]
    assert d["keywords"] == {"format": "dropped"}
    assert json.loads(json.dumps(d)) == d
