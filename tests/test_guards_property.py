"""Hostile arguments never reach a handler: wrong types, extra keys, missing keys, huge values.

Each example is built to break the tool's schema in one way (by construction, not by filtering
random JSON); the loop must answer it with an error result and never call the handler, in the
sync and the async client alike.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fake_adapter import FakeAdapter, answer, script
from fctest import AsyncClient, AsyncMockTransport, Client, Limits, MockTransport, Tool

KEY = "fake-key-0123456789"
SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 40},
        "days": {"type": "integer", "minimum": 1, "maximum": 14},
    },
    "required": ["city"],
    "additionalProperties": False,
}
LIMITS = Limits(max_argument_bytes=4096)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
good = st.fixed_dictionaries({"city": st.text(max_size=40)}, optional={"days": st.integers(1, 14)})
not_a_string = json_values.filter(lambda v: not isinstance(v, str))
not_an_int = json_values.filter(lambda v: not isinstance(v, int) or isinstance(v, bool))


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


hostile = st.one_of(
    # Wrong types.
    st.builds(lambda g, v: _with(g, city=v), good, not_a_string),
    st.builds(lambda g, v: _with(g, days=v), good, not_an_int),
    # Values out of range.
    st.builds(
        lambda g, d: _with(g, days=d), good, st.integers().filter(lambda d: not 1 <= d <= 14)
    ),
    # Extra keys.
    st.builds(
        lambda g, k, v: _with(g, **{k: v}),
        good,
        st.text(min_size=1, max_size=12).filter(lambda k: k not in ("city", "days")),
        json_values,
    ),
    # A missing required key.
    st.builds(lambda g: {k: v for k, v in g.items() if k != "city"}, good),
    # Huge values: past maxLength, and past the run's argument size limit.
    st.builds(lambda g, n: _with(g, city="é" * n), good, st.integers(41, 200)),
    st.builds(lambda g, n: _with(g, city="x" * n), good, st.integers(4097, 20_000)),
)


def _tool(reached: list[Any]) -> Tool:
    def handler(**arguments: Any) -> str:
        reached.append(arguments)
        return "ran"

    return Tool("weather", "", SCHEMA, handler=handler)


def _answers(arguments: dict[str, Any]) -> list[Any]:
    return [answer(None, [("c1", "weather", json.dumps(arguments))]), answer("done")]


@given(hostile)
def test_hostile_arguments_never_reach_a_sync_handler(arguments: dict[str, Any]) -> None:
    reached: list[Any] = []
    client = Client(
        FakeAdapter(),
        "fake-model",
        api_key=KEY,
        transport=MockTransport(script(*_answers(arguments))),
    )
    result = client.run("go", [_tool(reached)], limits=LIMITS)
    assert reached == []
    (only,) = result.tool_results
    assert only.is_error


@given(hostile)
def test_hostile_arguments_never_reach_an_async_handler(arguments: dict[str, Any]) -> None:
    reached: list[Any] = []

    async def main() -> None:
        transport = AsyncMockTransport(script(*_answers(arguments)))
        client = AsyncClient(FakeAdapter(), "fake-model", api_key=KEY, transport=transport)
        result = await client.run("go", [_tool(reached)], limits=LIMITS)
        (only,) = result.tool_results
        assert only.is_error

    asyncio.run(main())
    assert reached == []


@given(good)
def test_valid_arguments_do_reach_the_handler(arguments: dict[str, Any]) -> None:
    """The control: the same loop runs what the schema allows."""
    reached: list[Any] = []
    client = Client(
        FakeAdapter(),
        "fake-model",
        api_key=KEY,
        transport=MockTransport(script(*_answers(arguments))),
    )
    result = client.run("go", [_tool(reached)], limits=LIMITS)
    assert reached == [arguments]
    assert not result.tool_results[0].is_error
