"""Tools from code: schemas derived from signatures and models, docstrings, invoke/ainvoke."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Literal, Optional, Union

import pytest
from pydantic import BaseModel, Field, RootModel, field_validator
from typing_extensions import TypedDict

import fctest
from fctest._tools import Tool, check_unique_names, tool
from fctest.errors import ToolArgumentsError, ToolExecutionError, UsageError

# --- types used in annotations (module level: annotations are resolved in this module) -----


class Color(Enum):
    RED = "red"
    GREEN = "green"


class Priority(int, Enum):
    LOW = 1
    HIGH = 2


@dataclass
class Point:
    x: float
    y: float = 0.0


class Address(TypedDict):
    street: str
    zip: int


class Item(BaseModel):
    """One line of an order."""

    sku: str
    qty: int = Field(ge=1, title="Quantity")


class Order(BaseModel):
    items: list[Item]
    ship_to: Address | None = None


def params(fn: Callable[..., Any]) -> dict[str, Any]:
    return Tool.from_function(fn).parameters


def obj(properties: dict[str, Any], required: list[str], **extra: Any) -> dict[str, Any]:
    """The root object schema a function gives: closed, no title."""
    schema: dict[str, Any] = dict(extra)
    schema.update(
        {"additionalProperties": False, "properties": properties, "type": "object"},
    )
    if required:
        schema["required"] = required
    return schema


# --- schema derivation ------------------------------------------------------------------


def test_scalar_and_container_types() -> None:
    def f(s: str, i: int, fl: float, b: bool, ls: list[str], d: dict[str, int]) -> None: ...

    assert params(f) == obj(
        {
            "s": {"type": "string"},
            "i": {"type": "integer"},
            "fl": {"type": "number"},
            "b": {"type": "boolean"},
            "ls": {"items": {"type": "string"}, "type": "array"},
            "d": {"additionalProperties": {"type": "integer"}, "type": "object"},
        },
        ["s", "i", "fl", "b", "ls", "d"],
    )


def test_literal_and_enum() -> None:
    def f(lit: Literal["a", "b"], one: Literal[1], c: Color, p: Priority) -> None: ...

    assert params(f) == obj(
        {
            "lit": {"enum": ["a", "b"], "type": "string"},
            "one": {"const": 1, "type": "integer"},
            "c": {"$ref": "#/$defs/Color"},
            "p": {"$ref": "#/$defs/Priority"},
        },
        ["lit", "one", "c", "p"],
        **{
            "$defs": {
                "Color": {"enum": ["red", "green"], "type": "string"},
                "Priority": {"enum": [1, 2], "type": "integer"},
            }
        },
    )


def test_optional_and_unions() -> None:
    def f(
        a: Optional[int],  # noqa: UP045 - the spelling under test
        b: int | None,
        c: Union[int, str],  # noqa: UP007 - the spelling under test
        d: str | None = None,
    ) -> None: ...

    int_or_null = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert params(f) == obj(
        {
            "a": int_or_null,
            "b": int_or_null,
            "c": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
            "d": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        },
        ["a", "b", "c"],
    )


def test_defaults_are_shown_and_make_parameters_optional() -> None:
    def f(
        q: str, limit: int = 10, *, color: Color = Color.RED, tags: list[str] | None = None
    ) -> None: ...

    assert params(f) == obj(
        {
            "q": {"type": "string"},
            "limit": {"default": 10, "type": "integer"},
            "color": {"$ref": "#/$defs/Color", "default": "red"},
            "tags": {
                "anyOf": [{"items": {"type": "string"}, "type": "array"}, {"type": "null"}],
                "default": None,
            },
        },
        ["q"],
        **{"$defs": {"Color": {"enum": ["red", "green"], "type": "string"}}},
    )


def test_nested_models_go_to_defs_without_generated_titles() -> None:
    def place(order: Order, priority: Priority = Priority.LOW) -> None: ...

    assert params(place) == obj(
        {
            "order": {"$ref": "#/$defs/Order"},
            "priority": {"$ref": "#/$defs/Priority", "default": 1},
        },
        ["order"],
        **{
            "$defs": {
                # Inside a model with the default config, a TypedDict stays open.
                "Address": {
                    "properties": {"street": {"type": "string"}, "zip": {"type": "integer"}},
                    "required": ["street", "zip"],
                    "type": "object",
                },
                "Item": {
                    "description": "One line of an order.",
                    "properties": {
                        "sku": {"type": "string"},
                        # A title the user wrote is kept.
                        "qty": {"minimum": 1, "title": "Quantity", "type": "integer"},
                    },
                    "required": ["sku", "qty"],
                    "type": "object",
                },
                "Order": {
                    "properties": {
                        "items": {"items": {"$ref": "#/$defs/Item"}, "type": "array"},
                        "ship_to": {
                            "anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}],
                            "default": None,
                        },
                    },
                    "required": ["items"],
                    "type": "object",
                },
                "Priority": {"enum": [1, 2], "type": "integer"},
            }
        },
    )


def test_typeddict_and_dataclass_parameters() -> None:
    def f(where: Address, at: Point) -> None: ...

    # The function's arguments are closed (extra="forbid"); pydantic applies that config to
    # TypedDicts and stdlib dataclasses that have none of their own, so they are closed too.
    assert params(f) == obj(
        {"where": {"$ref": "#/$defs/Address"}, "at": {"$ref": "#/$defs/Point"}},
        ["where", "at"],
        **{
            "$defs": {
                "Address": {
                    "additionalProperties": False,
                    "properties": {"street": {"type": "string"}, "zip": {"type": "integer"}},
                    "required": ["street", "zip"],
                    "type": "object",
                },
                "Point": {
                    "additionalProperties": False,
                    "properties": {
                        "x": {"type": "number"},
                        "y": {"default": 0.0, "type": "number"},
                    },
                    "required": ["x"],
                    "type": "object",
                },
            }
        },
    )


def test_unannotated_parameter_accepts_anything_and_datetime_has_a_format() -> None:
    def f(anything, when: datetime.datetime) -> None:  # type: ignore[no-untyped-def]
        ...

    assert params(f) == obj(
        {"anything": {}, "when": {"format": "date-time", "type": "string"}},
        ["anything", "when"],
    )


def test_field_metadata_in_annotated_and_as_default_wins_over_the_docstring() -> None:
    def f(
        q: Annotated[str, Field(description="from Field", min_length=1)],
        n: int = Field(default=5, ge=0, le=50, description="how many"),
        json: str = "x",
        model_id: str = "m",
    ) -> None:
        """Search.

        Args:
            q: from the docstring.
            n: from the docstring.
            json: a parameter name pydantic reserves.
            model_id: a parameter name in pydantic's protected namespace.
        """

    assert params(f) == obj(
        {
            "q": {"description": "from Field", "minLength": 1, "type": "string"},
            "n": {
                "default": 5,
                "description": "how many",
                "maximum": 50,
                "minimum": 0,
                "type": "integer",
            },
            "json": {
                "default": "x",
                "description": "a parameter name pydantic reserves.",
                "type": "string",
            },
            "model_id": {
                "default": "m",
                "description": "a parameter name in pydantic's protected namespace.",
                "type": "string",
            },
        },
        ["q"],
    )


def test_a_user_alias_is_the_wire_name_and_the_python_name_receives_it() -> None:
    @tool
    def f(q: Annotated[str, Field(alias="query")]) -> str:
        return q

    assert f.parameters == obj({"query": {"type": "string"}}, ["query"])
    assert f.invoke({"query": "hi"}) == "hi"


# --- docstrings -------------------------------------------------------------------------


def google(city: str, days: int = 3) -> None:
    """Get the weather forecast.

    Uses the national service.

    Args:
        city: The city name.
        days (int): How many days ahead.

    Returns:
        The forecast.
    """


def numpy(city: str, days: int = 3) -> None:
    """Get the weather forecast.

    Uses the national service.

    Parameters
    ----------
    city : str
        The city name.
    days : int, optional
        How many days ahead.

    Returns
    -------
    str
        The forecast.
    """


def rest(city: str, days: int = 3) -> None:
    """Get the weather forecast.

    Uses the national service.

    :param city: The city name.
    :param int days: How many days ahead.
    :returns: The forecast.
    """


@pytest.mark.parametrize("fn", [google, numpy, rest], ids=["google", "numpy", "rest"])
def test_docstring_styles_give_descriptions(fn: Callable[..., Any]) -> None:
    t = Tool.from_function(fn)
    assert t.description == "Get the weather forecast.\n\nUses the national service."
    assert t.parameters == obj(
        {
            "city": {"description": "The city name.", "type": "string"},
            "days": {"default": 3, "description": "How many days ahead.", "type": "integer"},
        },
        ["city"],
    )


def test_no_docstring_and_explicit_description() -> None:
    def f(x: int) -> None: ...

    assert Tool.from_function(f).description == ""
    assert Tool.from_function(google, description="Mine.").description == "Mine."
    # The per-parameter descriptions still come from the docstring.
    props = Tool.from_function(google, description="Mine.").parameters["properties"]
    assert props["city"]["description"] == "The city name."


def test_plain_docstring_is_the_whole_description() -> None:
    def f(x: int) -> None:
        """Add one: then double."""

    assert Tool.from_function(f).description == "Add one: then double."


# --- the decorator and naming -----------------------------------------------------------


def test_decorator_bare_and_with_options() -> None:
    @tool
    def lookup(key: str) -> str:
        """Look a key up."""
        return key.upper()

    @tool(name="find", description="Find it.", strict=True)
    def lookup2(key: str) -> str:
        return key

    assert isinstance(lookup, Tool)
    assert (lookup.name, lookup.description, lookup.strict) == ("lookup", "Look a key up.", None)
    assert (lookup2.name, lookup2.description, lookup2.strict) == ("find", "Find it.", True)
    # The decorated function can still be called as before.
    assert lookup("a") == "A"
    assert fctest.tool is tool


def test_methods_skip_self_and_bind_on_lookup() -> None:
    class Counter:
        base = 100

        def __init__(self) -> None:
            self.start = 10

        @tool
        def add(self, n: int) -> int:
            return self.start + n

        @tool
        def add_base(cls, n: int) -> int:
            return cls.base + n

        def plain(self, n: int) -> int:
            return n

    assert Counter.add.parameters == obj({"n": {"type": "integer"}}, ["n"])
    assert Counter().add.invoke({"n": 1}) == 11
    assert Counter().add(2) == 12
    assert Counter.add_base.invoke({"n": 1}) == 101
    # A bound method already hides its receiver.
    assert Tool.from_function(Counter().plain).invoke({"n": 3}) == 3
    with pytest.raises(UsageError, match=r"'add' is a method .* through an instance"):
        Counter.add.invoke({"n": 1})


def test_plain_tool_stored_on_a_class_is_not_bound() -> None:
    def f(n: int) -> int:
        return n

    class Holder:
        t = Tool.from_function(f)

    assert Holder().t.invoke({"n": 4}) == 4


# --- bad definitions --------------------------------------------------------------------


def test_star_args_and_kwargs_are_rejected() -> None:
    def many(query: str, *args: str) -> None: ...

    def options(query: str, **kwargs: int) -> None: ...

    with pytest.raises(UsageError, match=r"tool 'many' \(.*many\): parameter \*args cannot"):
        Tool.from_function(many)
    with pytest.raises(UsageError, match=r"tool 'options' \(.*options\): parameter \*\*kwargs"):
        Tool.from_function(options)


def test_a_tool_needs_a_name() -> None:
    with pytest.raises(UsageError, match="non-empty string name, got ''"):
        Tool(name="")
    with pytest.raises(UsageError, match=r"cannot name a tool after .*lambda.*: pass name="):
        Tool.from_function(lambda x: x)
    assert Tool.from_function(lambda x: x, name="echo").invoke({"x": 1}) == 1
    with pytest.raises(UsageError, match="non-empty string name"):
        Tool.from_function(google, name="")


def test_invalid_json_schema_and_non_object_root_are_rejected() -> None:
    with pytest.raises(UsageError, match=r"tool 't': parameters is not valid JSON Schema at /type"):
        Tool(name="t", parameters={"type": "objekt"})
    with pytest.raises(UsageError, match=r"must describe an object .* found type 'string'"):
        Tool(name="t", parameters={"type": "string"})
    with pytest.raises(UsageError, match=r"must describe an object .* found type 'array'"):
        Tool.from_model(RootModel[list[int]])


def test_duplicate_names_are_rejected() -> None:
    def a(x: int) -> None:
        """First."""

    def b(x: int) -> None:
        """Second."""

    with pytest.raises(UsageError, match="two tools are named 'same'"):
        check_unique_names([Tool.from_function(a, name="same"), Tool.from_function(b, name="same")])


def test_types_without_a_json_schema_name_the_parameter() -> None:
    def f(ok: int, cb: Callable[[int], int]) -> None: ...

    with pytest.raises(UsageError, match=r"tool 'f' \(.*\): parameter 'cb' has no JSON Schema"):
        Tool.from_function(f)


def test_unresolvable_annotation_is_a_usage_error() -> None:
    def f(x: NotDefinedAnywhere) -> None: ...  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(
        UsageError, match=r"tool 'f' .*cannot read the signature: name 'NotDefinedAnywhere'"
    ):
        Tool.from_function(f)


def test_other_bad_inputs() -> None:
    t = Tool.from_function(google)
    with pytest.raises(UsageError, match="already a Tool"):
        Tool.from_function(t)
    with pytest.raises(UsageError, match="needs a callable"):
        Tool.from_function(42)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="needs a pydantic BaseModel subclass"):
        Tool.from_model(Point)
    with pytest.raises(UsageError, match="handler must be callable"):
        Tool(name="t", handler="nope")  # type: ignore[arg-type]


# --- argument validation ----------------------------------------------------------------


def place_order(order: Order, note: str = "") -> int:
    return sum(i.qty for i in order.items)


def test_every_failing_pointer_is_listed() -> None:
    t = Tool.from_function(place_order)
    bad = {
        "order": {"items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 0}, {"qty": "x"}]},
        "note": 5,
        "extra": True,
    }
    with pytest.raises(ToolArgumentsError) as info:
        t.invoke(bad)
    pointers = [p for p, _ in info.value.errors]
    assert pointers == ["", "/note", "/order/items/1/qty", "/order/items/2", "/order/items/2/qty"]
    assert info.value.tool == "place_order"
    assert "/order/items/1/qty: 0 is less than the minimum of 1" in str(info.value)
    assert "/: Additional properties are not allowed ('extra' was unexpected)" in str(info.value)


def test_top_level_items_pointer_and_missing_required() -> None:
    @tool
    def stock(items: list[Item], warehouse: str) -> None: ...

    with pytest.raises(ToolArgumentsError) as info:
        stock.invoke({"items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": -1}]})
    assert info.value.errors == (
        ("", "'warehouse' is a required property"),
        ("/items/1/qty", "-1 is less than the minimum of 1"),
    )


def test_errors_only_pydantic_knows_still_name_a_pointer() -> None:
    class Slot(BaseModel):
        start: int
        end: int

        @field_validator("end")
        @classmethod
        def _after_start(cls, v: int) -> int:
            if v < 0:
                raise ValueError("end must not be negative")
            return v

    t = Tool.from_model(Slot, handler=lambda s: s)
    with pytest.raises(ToolArgumentsError) as info:
        t.invoke({"start": 1, "end": -1})
    assert info.value.errors == (("/end", "Value error, end must not be negative"),)


def test_a_bad_datetime_is_an_arguments_error() -> None:
    @tool
    def at(when: datetime.datetime) -> datetime.datetime:
        return when

    with pytest.raises(ToolArgumentsError) as info:
        at.invoke({"when": "next tuesday"})
    assert [p for p, _ in info.value.errors] == ["/when"]


# --- invoke -----------------------------------------------------------------------------

_UNSET = object()


def test_invoke_converts_to_declared_types() -> None:
    seen: dict[str, Any] = {}

    @tool
    def f(
        order: Order,
        at: Point,
        where: Address,
        color: Color,
        prio: Priority,
        when: datetime.datetime,
        mode: Literal["fast", "slow"] = "fast",
        marker: object = _UNSET,
    ) -> str:
        seen.update(locals())
        return "ok"

    args = {
        "order": {"items": [{"sku": "a", "qty": 2}]},
        "at": {"x": 1.5},
        "where": {"street": "Main", "zip": 1000},
        "color": "green",
        "prio": 2,
        "when": "2024-05-01T12:00:00Z",
    }
    assert f.invoke(args) == "ok"
    assert seen["order"] == Order(items=[Item(sku="a", qty=2)])
    assert isinstance(seen["order"].items[0], Item)
    assert seen["at"] == Point(1.5, 0.0)
    assert seen["where"] == {"street": "Main", "zip": 1000}
    assert seen["color"] is Color.GREEN
    assert seen["prio"] is Priority.HIGH
    assert seen["when"] == datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.timezone.utc)
    assert seen["mode"] == "fast"
    # Arguments not sent are not passed: the function's own default object is used.
    assert seen["marker"] is _UNSET
    # The caller's dict is left as it was.
    assert args["order"] == {"items": [{"sku": "a", "qty": 2}]}


def test_positional_only_parameters() -> None:
    def f(a: int, b: int = 2, /, c: int = 3) -> tuple[int, int, int]:
        return (a, b, c)

    t = Tool.from_function(f)
    assert t.parameters["required"] == ["a"]
    assert t.invoke({"a": 1}) == (1, 2, 3)
    assert t.invoke({"a": 1, "c": 9}) == (1, 2, 9)
    assert t.invoke({"b": 5, "a": 1}) == (1, 5, 3)


def test_handler_errors_are_chained() -> None:
    @tool
    def boom(x: int) -> None:
        raise KeyError(x)

    with pytest.raises(ToolExecutionError, match=r"tool 'boom' failed: KeyError: 7") as info:
        boom.invoke({"x": 7})
    assert isinstance(info.value.__cause__, KeyError)


def test_tool_without_handler() -> None:
    t = Tool(name="t", parameters={"type": "object", "properties": {}})
    with pytest.raises(UsageError, match="'t' has no handler to run; pass handler="):
        t.invoke({})
    with pytest.raises(UsageError, match="no handler"):
        asyncio.run(t.ainvoke({}))
    with pytest.raises(UsageError, match="no handler"):
        Tool.from_model(Item).invoke({"sku": "a", "qty": 1})


def test_hand_written_tool_passes_arguments_as_keywords() -> None:
    t = Tool(
        name="add",
        parameters={
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
        handler=lambda a, b: a + b,
    )
    assert t.invoke({"a": 1, "b": 2}) == 3
    with pytest.raises(ToolArgumentsError, match="/b: 'x' is not of type 'integer'"):
        t.invoke({"a": 1, "b": "x"})


def test_async_handlers_need_ainvoke() -> None:
    @tool
    async def double(order: Order) -> int:
        await asyncio.sleep(0)
        return 2 * sum(i.qty for i in order.items)

    @tool
    def sync(x: int) -> int:
        return x + 1

    args = {"order": {"items": [{"sku": "a", "qty": 3}]}}
    with pytest.raises(UsageError, match=r"'double' has an async handler: use 'await tool.ainvoke"):
        double.invoke(args)
    assert asyncio.run(double.ainvoke(args)) == 6
    assert asyncio.run(sync.ainvoke({"x": 1})) == 2
    with pytest.raises(ToolArgumentsError):
        asyncio.run(double.ainvoke({"order": {}}))


def test_async_callable_object_and_coroutine_returning_sync_function() -> None:
    class Fetch:
        async def __call__(self, url: str) -> str:
            return url

    async def inner(x: int) -> int:
        return x

    def returns_coroutine(x: int) -> Any:
        return inner(x)

    fetch = Tool.from_function(Fetch(), name="fetch")
    with pytest.raises(UsageError, match="async handler"):
        fetch.invoke({"url": "u"})
    assert asyncio.run(fetch.ainvoke({"url": "u"})) == "u"
    sneaky = Tool.from_function(returns_coroutine)
    with pytest.raises(UsageError, match=r"returned a coroutine: use 'await tool\.ainvoke"):
        sneaky.invoke({"x": 1})
    assert asyncio.run(sneaky.ainvoke({"x": 1})) == 1


def test_async_handler_errors_are_chained() -> None:
    @tool
    async def boom() -> None:
        raise RuntimeError("down")

    with pytest.raises(ToolExecutionError, match="RuntimeError: down"):
        asyncio.run(boom.ainvoke({}))


def test_validator_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import fctest._signature as sig

    t = Tool.from_function(place_order)

    def no_more_models(*a: Any, **k: Any) -> None:
        raise AssertionError("a pydantic model was built per call")

    monkeypatch.setattr(sig, "create_model", no_more_models)
    monkeypatch.setattr(sig, "TypeAdapter", no_more_models)
    validator = t._validator
    for qty in (1, 2):
        assert t.invoke({"order": {"items": [{"sku": "a", "qty": qty}]}}) == qty
    assert t._validator is validator


def test_replace_keeps_the_conversion() -> None:
    t = dataclasses.replace(Tool.from_function(place_order), name="renamed", strict=True)
    assert t.name == "renamed"
    assert t.invoke({"order": {"items": [{"sku": "a", "qty": 4}]}}) == 4


# --- from_model -------------------------------------------------------------------------


class GetWeather(BaseModel):
    """Get the current weather.

    Attributes:
        city: The city name.
        unit: Overridden by the Field description.
    """

    city: str
    unit: Literal["c", "f"] = Field(default="c", description="Temperature unit.")
    at: Point | None = None


def test_from_model_schema_name_and_description() -> None:
    t = Tool.from_model(GetWeather)
    assert t.name == "get_weather"
    assert t.description == "Get the current weather."
    assert t.parameters == {
        "$defs": {
            "Point": {
                "properties": {"x": {"type": "number"}, "y": {"default": 0.0, "type": "number"}},
                "required": ["x"],
                "type": "object",
            }
        },
        "properties": {
            "city": {"type": "string", "description": "The city name."},
            "unit": {
                "default": "c",
                "description": "Temperature unit.",
                "enum": ["c", "f"],
                "type": "string",
            },
            "at": {"anyOf": [{"$ref": "#/$defs/Point"}, {"type": "null"}], "default": None},
        },
        "required": ["city"],
        "type": "object",
    }
    named = Tool.from_model(GetWeather, name="weather", description="Mine.", strict=True)
    assert (named.name, named.description, named.strict) == ("weather", "Mine.", True)


def test_from_model_handler_receives_an_instance() -> None:
    got: list[GetWeather] = []

    def handle(w: GetWeather) -> str:
        got.append(w)
        return w.city

    t = Tool.from_model(GetWeather, handler=handle)
    assert t.invoke({"city": "Oslo", "at": {"x": 1}}) == "Oslo"
    assert got == [GetWeather(city="Oslo", at=Point(1.0))]
    with pytest.raises(ToolArgumentsError, match="/unit: 'k' is not one of"):
        t.invoke({"city": "Oslo", "unit": "k"})


def test_from_model_keeps_a_configured_title_and_async_handler() -> None:
    class HTTPRequestSpec(BaseModel):
        model_config = {"title": "Request"}
        url: str

    async def fetch(spec: HTTPRequestSpec) -> str:
        return spec.url

    t = Tool.from_model(HTTPRequestSpec, handler=fetch)
    assert t.name == "http_request_spec"
    assert t.parameters == {
        "properties": {"url": {"type": "string"}},
        "required": ["url"],
        "title": "Request",
        "type": "object",
    }
    assert asyncio.run(t.ainvoke({"url": "u"})) == "u"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GetWeather", "get_weather"),
        ("HTTPRequest", "http_request"),
        ("Search2Api", "search2_api"),
        ("already_snake", "already_snake"),
        ("X", "x"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    from fctest._signature import snake_case

    assert snake_case(name) == expected
