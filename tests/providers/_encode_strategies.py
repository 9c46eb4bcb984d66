"""Hypothesis pieces shared by the response-encoder tests (``test_*_encode.py``).

Bounded on purpose: a handful of calls, shallow argument objects, short strings; unicode in keys
and values, and ``{}``, always possible.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from fctest import Response, Usage

__all__ = ["arguments", "feed_in_pieces", "key", "optional_text", "usages"]

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)

arguments: st.SearchStrategy[dict[str, Any]] = st.just({}) | st.dictionaries(
    st.text(max_size=8), _values, max_size=4
)
"""JSON objects as tool arguments, ``{}`` included."""

optional_text = st.none() | st.text(min_size=1, max_size=40)


def usages(*, optional: bool) -> st.SearchStrategy[Any]:
    counts = st.builds(
        Usage, st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6)
    )
    return (st.none() | counts) if optional else counts


def key(response: Response) -> tuple[Any, ...]:
    """What a round trip must keep: text, calls (id, name, arguments), finish reason, usage."""
    return (
        response.text,
        [(c.id, c.name, c.arguments) for c in response.tool_calls],
        response.finish_reason,
        response.usage,
    )


def feed_in_pieces(decoder: Any, body: bytes, cuts: Sequence[int]) -> Response:
    """Feed ``body`` to a stream decoder split at the ``cuts`` byte offsets, then close it."""
    edges = sorted({min(max(c, 0), len(body)) for c in cuts} | {0, len(body)})
    for start, end in itertools.pairwise(edges):
        decoder.feed(body[start:end])
    result: Response = decoder.close()
    return result
