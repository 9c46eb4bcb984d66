"""Property: the schema derived from a signature accepts what the type hints accept, and only that.

Signatures are generated (names, annotations drawn from a fixed set of kinds, some defaulted),
the function is built with ``exec``, and its tool is derived. Well-typed arguments must pass the
schema and reach the function converted to the declared types; one ill-typed value, a missing
required argument or an unknown key must be rejected at the right JSON pointer.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any, Literal, Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from fctest._tools import Tool
from fctest.errors import ToolArgumentsError


class Leaf(BaseModel):
    n: int
    label: str = ""


@dataclass(frozen=True)
class Kind:
    """An annotation, values its type hint accepts, and values it does not."""

    annotation: Any
    valid: st.SearchStrategy[Any]
    invalid: st.SearchStrategy[Any]


ints = st.integers(-(10**12), 10**12)
text = st.text(max_size=8)
leaf_json = st.fixed_dictionaries({"n": ints}, optional={"label": text})

KINDS: dict[str, Kind] = {
    "str": Kind(str, text, ints | st.none() | st.lists(text, max_size=2)),
    "int": Kind(int, ints, text | st.just(1.5) | st.booleans()),
    "float": Kind(
        float,
        ints | st.floats(allow_nan=False, allow_infinity=False),
        text | st.none() | st.booleans(),
    ),
    "bool": Kind(bool, st.booleans(), st.sampled_from([0, 1, "true", None])),
    "list[str]": Kind(list[str], st.lists(text, max_size=3), text | st.lists(ints, min_size=1)),
    "list[int]": Kind(list[int], st.lists(ints, max_size=3), st.lists(text, min_size=1) | ints),
    "literal": Kind(Literal["red", "green"], st.sampled_from(["red", "green"]), text.filter(lambda s: s not in ("red", "green"))),
    "optional[int]": Kind(Optional[int], st.none() | ints, text | st.just(2.5)),  # noqa: UP045
    "dict[str,int]": Kind(dict[str, int], st.dictionaries(text, ints, max_size=2), st.dictionaries(text, text, min_size=1) | st.lists(ints)),
    "leaf": Kind(Leaf, leaf_json, st.fixed_dictionaries({"n": text}) | st.fixed_dictionaries({"label": text}) | ints),
    "list[leaf]": Kind(list[Leaf], st.lists(leaf_json, max_size=2), st.lists(st.fixed_dictionaries({"n": st.just("x")}), min_size=1)),
}  # fmt: skip

# Real-world names that pydantic reserves or warns about, plus generated identifiers.
names = st.sampled_from(["json", "schema", "model_config", "copy", "dict", "type", "items"]) | (
    st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(
        lambda n: not keyword.iskeyword(n) and n not in ("self", "cls")
    )
)


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    default: Any  # NO_DEFAULT when required


NO_DEFAULT = object()


@st.composite
def signatures(draw: st.DrawFn) -> list[Param]:
    chosen = draw(st.lists(names, min_size=0, max_size=5, unique=True))
    params = []
    for name in chosen:
        kind = draw(st.sampled_from(sorted(KINDS)))
        default = draw(st.just(NO_DEFAULT) | KINDS[kind].valid)
        params.append(Param(name, kind, default))
    # Positional-or-keyword parameters: the required ones come first.
    return sorted(params, key=lambda p: p.default is not NO_DEFAULT)


def build(params: list[Param]) -> Any:
    """A real function with these parameters; it returns what it received."""
    namespace: dict[str, Any] = {}
    parts = []
    for i, p in enumerate(params):
        namespace[f"T{i}"] = KINDS[p.kind].annotation
        if p.default is NO_DEFAULT:
            parts.append(f"{p.name}: T{i}")
        else:
            namespace[f"D{i}"] = p.default
            parts.append(f"{p.name}: T{i} = D{i}")
    body = "{" + ", ".join(f"{p.name!r}: {p.name}" for p in params) + "}"
    exec(f"def generated({', '.join(parts)}):\n    return {body}\n", namespace)
    return namespace["generated"]


@st.composite
def well_typed(draw: st.DrawFn, params: list[Param]) -> dict[str, Any]:
    args = {}
    for p in params:
        if p.default is NO_DEFAULT or draw(st.booleans()):
            args[p.name] = draw(KINDS[p.kind].valid)
    return args


def assert_received(kind: str, sent: Any, got: Any) -> None:
    """The function received ``sent`` converted to the declared type."""
    if kind == "leaf":
        assert isinstance(got, Leaf)
        assert got == Leaf.model_validate(sent)
    elif kind == "list[leaf]":
        assert all(isinstance(x, Leaf) for x in got)
        assert got == [Leaf.model_validate(x) for x in sent]
    elif kind == "float":
        assert type(got) is float
        assert got == sent
    else:
        assert got == sent


@given(data=st.data())
def test_derived_schema_matches_the_type_hints(data: st.DataObject) -> None:
    params = data.draw(signatures(), label="signature")
    t = Tool.from_function(build(params))

    schema = t.parameters
    assert schema["type"] == "object"
    assert list(schema["properties"]) == [p.name for p in params]
    required = [p.name for p in params if p.default is NO_DEFAULT]
    assert schema.get("required", []) == required
    assert "title" not in schema
    assert all("title" not in prop for prop in schema["properties"].values())

    # Well-typed arguments pass and arrive converted; unsent ones take the function's default.
    args = data.draw(well_typed(params), label="arguments")
    assert t.argument_errors(args) == []
    received = t.invoke(args)
    for p in params:
        if p.name in args:
            assert_received(p.kind, args[p.name], received[p.name])
        else:
            assert received[p.name] is p.default

    if not params:
        return
    # One ill-typed value is rejected at (or under) that parameter's pointer.
    target = data.draw(st.sampled_from(params), label="ill-typed parameter")
    bad = dict(args)
    bad[target.name] = data.draw(KINDS[target.kind].invalid, label="ill-typed value")
    pointers = [pointer for pointer, _ in t.argument_errors(bad)]
    assert pointers
    assert all(ptr == f"/{target.name}" or ptr.startswith(f"/{target.name}/") for ptr in pointers)
    with pytest.raises(ToolArgumentsError) as info:
        t.invoke(bad)
    assert [ptr for ptr, _ in info.value.errors] == pointers

    # A missing required argument, and an argument the function does not take.
    if required:
        missing = {k: v for k, v in args.items() if k != required[0]}
        assert t.argument_errors(missing) == [("", f"{required[0]!r} is a required property")]
    unknown = "zz_" + "_".join(p.name for p in params)
    assert [ptr for ptr, _ in t.argument_errors({**args, unknown: 1})] == [""]
