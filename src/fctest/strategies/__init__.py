"""Hypothesis strategies for tool schemas, tools, arguments and calls (``fctest.strategies``).

Every function returns a strategy and takes keyword-only options; a bad option surfaces as
``UsageError`` when a value is drawn (hypothesis-jsonschema's ``from_schema`` does the same).
Values are built by construction, never by filtering:

- ``tool_schemas`` builds JSON Schemas of the kinds users send: types and type arrays, nested
  objects, arrays, enums of every JSON type, ``const``, ``anyOf``/``oneOf``/``allOf``,
  ``$ref``/``$defs`` (recursion included), ``additionalProperties``, required and optional
  properties, nullable values, formats, patterns, numeric and length constraints, defaults,
  descriptions, titles, empty objects, and a few rarer keywords (``not``, ``contains``,
  ``minProperties``...) that some dialects drop or refuse. Every schema has at least one valid
  instance, and ``tool_arguments`` can build them all.
- With ``dialect=<adapter name>``, only schemas that adapter accepts are built: a keyword whose
  mode is ``rejected`` in the adapter's profile is never used, and each construct (an open
  object, a recursive ``$ref``, a multi-member ``allOf``...) is tried once on the adapter
  itself and left out if it is refused. Names then match the profile's name pattern.
- ``tool_arguments(schema)`` builds instances valid under a schema, for the grammar above and
  the common subset of JSON Schema beyond it; a keyword it cannot honour by construction
  (``if``/``then``, ``patternProperties``, ``prefixItems``, a general ``not``...) raises
  ``UsageError`` naming it instead of producing values that might not validate.
  (hypothesis-jsonschema was not used: it refuses recursive references, which real tools have.)

This module imports hypothesis at the top; ``import fctest`` never imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from .._exceptions import UsageError
from .._messages import ToolCall
from .._tools import Tool
from .._types import JSONObject
from ..dialect import collect_defs
from ._dialect import ANY
from ._dialect import dialect as _dialect
from ._json import json_values, text
from ._names import dialect_ids, dialect_names, wild_ids, wild_names
from ._schemas import SchemaBuilder
from ._values import Values

__all__ = [
    "call_ids",
    "json_values",
    "tool_arguments",
    "tool_calls",
    "tool_lists",
    "tool_names",
    "tool_schemas",
    "tools",
]


def tool_names(*, dialect: str | None = None, model: str | None = None) -> st.SearchStrategy[str]:
    """Tool names, 1 to 200 characters: dots, colons, slashes, spaces, leading digits, Unicode.

    With ``dialect``, only names the adapter's profile accepts (its ``tool_name_pattern``,
    at most ``tool_name_max_length`` characters); ``model`` resolves the profile for that
    model, as everywhere below.
    """
    if dialect is None:
        return wild_names()
    return st.deferred(lambda: dialect_names(dialect, model))


def call_ids(*, dialect: str | None = None, model: str | None = None) -> st.SearchStrategy[str]:
    """Tool call ids as providers make them (and awkward ones: long, dotted, Unicode).

    With ``dialect``, only ids matching the profile's ``tool_call_id_pattern`` (if it has one).
    """
    if dialect is None:
        return wild_ids()
    return st.deferred(lambda: dialect_ids(dialect, model))


def tool_schemas(
    *,
    dialect: str | None = None,
    strict: bool | None = None,
    model: str | None = None,
    max_depth: int = 3,
    max_properties: int = 5,
) -> st.SearchStrategy[JSONObject]:
    """Tool parameter schemas (an object at the root), each with at least one valid instance.

    ``dialect``: an adapter name; only schemas that adapter accepts are built (see the module
    docstring). ``strict``: the strictness the tools will have (``None``: the adapter's
    default); it picks the profile's strict or non-strict keyword modes. ``max_depth``: how deep
    objects, arrays and combinators nest below the root. ``max_properties``: per object.
    """

    @st.composite
    def build(draw: st.DrawFn) -> JSONObject:
        if max_depth < 0 or max_properties < 0:
            raise UsageError(
                "tool_schemas: max_depth and max_properties must be >= 0, "
                f"got {max_depth}, {max_properties}"
            )
        d = _dialect(dialect, strict, model) if dialect is not None else ANY
        return SchemaBuilder(draw, d, max_depth, max_properties).root()

    return build()


def _descriptions() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""),
        text(0, 120),
        st.text(
            st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1025, max_size=1300
        ),
    )


def tools(
    *,
    dialect: str | None = None,
    strict: bool | None = None,
    model: str | None = None,
    max_depth: int = 2,
    max_properties: int = 4,
) -> st.SearchStrategy[Tool]:
    """Tools (name, description, parameters, ``strict``) as in ``tool_names`` and ``tool_schemas``.

    ``strict`` is set on every tool drawn (``None``: the adapter's default).
    """
    return st.builds(
        Tool,
        name=tool_names(dialect=dialect, model=model),
        description=_descriptions(),
        parameters=tool_schemas(
            dialect=dialect,
            strict=strict,
            model=model,
            max_depth=max_depth,
            max_properties=max_properties,
        ),
        strict=st.just(strict),
    )


_tools = tools


def tool_lists(
    *,
    dialect: str | None = None,
    strict: bool | None = None,
    model: str | None = None,
    min_size: int = 1,
    max_size: int = 4,
    max_depth: int = 2,
    max_properties: int = 3,
) -> st.SearchStrategy[tuple[Tool, ...]]:
    """Tuples of tools with distinct names, as one request declares them.

    With ``dialect``, the list also fits the profile's request-wide limits (``max_tools``,
    ``max_strict_tools`` and any strict-schema budgets, shared out between the tools).
    """

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Tool, ...]:
        if min_size < 0 or max_size < min_size:
            raise UsageError(
                f"tool_lists: need 0 <= min_size <= max_size, got {min_size}, {max_size}"
            )
        d = _dialect(dialect, strict, model) if dialect is not None else ANY
        top = d.max_tools(max_size)
        names = draw(
            st.lists(
                tool_names(dialect=dialect, model=model),
                min_size=min(min_size, top),
                max_size=top,
                unique=True,
            )
        )
        shares = d.shared(max(len(names), 1))
        return tuple(
            Tool(
                name,
                draw(_descriptions()),
                SchemaBuilder(draw, shares, max_depth, max_properties).root(),
                strict=strict,
            )
            for name in names
        )

    return build()


def tool_arguments(schema: Tool | JSONObject, *, max_depth: int = 5) -> st.SearchStrategy[Any]:
    """Arguments valid under a tool's parameters schema (or any root schema), by construction.

    ``max_depth``: past this many nested objects and arrays, optional parts are left out and
    recursion takes its way out (an empty list, ``null``, an omitted property).
    """
    root = schema.parameters if isinstance(schema, Tool) else schema

    def build() -> st.SearchStrategy[Any]:
        if not isinstance(root, (dict, bool)):
            raise UsageError(
                f"tool_arguments needs a JSON Schema (dict) or a Tool, got {type(root).__name__}"
            )
        defs = collect_defs(root) if isinstance(root, dict) else {}
        return Values(root, defs, max_depth).of(root)

    return st.deferred(build)


def tool_calls(
    *,
    tools: Tool | Sequence[Tool] | None = None,
    dialect: str | None = None,
    model: str | None = None,
    ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[ToolCall]:
    """Calls of one of ``tools`` (default: drawn from ``tools(dialect=...)``) with valid
    arguments and an id from ``ids`` (default: ``call_ids(dialect=...)``)."""
    if tools is None:
        chosen: st.SearchStrategy[Tool] = _tools(dialect=dialect, model=model)
    elif isinstance(tools, Tool):
        chosen = st.just(tools)
    else:
        pool = list(tools)
        if not pool:
            raise UsageError("tool_calls needs at least one tool")
        chosen = st.sampled_from(pool)
    id_strategy = ids if ids is not None else call_ids(dialect=dialect, model=model)

    def call(t: Tool) -> st.SearchStrategy[ToolCall]:
        return st.builds(
            ToolCall, id=id_strategy, name=st.just(t.name), arguments=tool_arguments(t)
        )

    return chosen.flatmap(call)
