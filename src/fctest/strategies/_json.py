"""JSON values, and the cached strategies every other module of ``fctest.strategies`` builds from.

Private: imported only by ``fctest.strategies`` and its helpers, so ``import fctest`` never
imports hypothesis. Building a strategy (above all ``st.from_regex``) is the slow part of
drawing, so each one here is built once per set of arguments.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from hypothesis import strategies as st

__all__ = ["CHARS", "MAX_INT", "canonical", "ints", "json_values", "regex", "text"]

# Integers and floats stay within what every JSON parser reads exactly (IEEE doubles).
MAX_INT = 2**53
CHARS = st.characters(codec="utf-8", exclude_categories=["Cs"])
"""Any Unicode scalar value but surrogates (which cannot be encoded as UTF-8)."""


def json_values(*, max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Any JSON value: null, booleans, integers, finite floats, strings, arrays, objects."""
    return _json_values(max_leaves)


@cache
def regex(pattern: str, *, fullmatch: bool = True) -> st.SearchStrategy[str]:
    """``st.from_regex``, built once per pattern (building and validating it is the slow part)."""
    return st.from_regex(pattern, fullmatch=fullmatch)


@cache
def ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


@cache
def text(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(CHARS, min_size=min_size, max_size=max_size)


@cache
def _json_values(max_leaves: int) -> st.SearchStrategy[Any]:
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(-MAX_INT, MAX_INT)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(CHARS, max_size=12)
    )
    return st.recursive(leaves, _json_containers, max_leaves=max_leaves)


def _json_containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)


def canonical(value: Any) -> str:
    """A key equal for values JSON Schema calls equal (``1 == 1.0``; ``true`` is not ``1``)."""

    def norm(v: Any) -> Any:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, (int, float)):
            return int(v) if float(v).is_integer() and abs(v) < 2**63 else float(v)
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v

    return json.dumps(norm(value), sort_keys=True)
