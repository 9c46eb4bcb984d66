"""Numbers and strings valid under a schema node's bounds, steps, formats and patterns.

Private: the leaves of ``fctest.strategies._values.Values``. Numbers are built as whole multiples
of a step between two bounds (or floats between them), never drawn and filtered, so a narrow
range costs nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from functools import cache
from typing import Any, TypeGuard

from hypothesis import strategies as st

from .._exceptions import UsageError
from .._types import JSONObject
from ._json import MAX_INT, regex, text

__all__ = ["numbers", "strings"]

# Bound keyword -> (whether it bounds from above, whether the bound itself is excluded).
_LIMITS = {
    "minimum": (False, False),
    "exclusiveMinimum": (False, True),
    "maximum": (True, False),
    "exclusiveMaximum": (True, True),
}


@dataclass(frozen=True, slots=True)
class _Bounds:
    lo: float = -MAX_INT
    hi: float = MAX_INT
    lo_open: bool = False
    hi_open: bool = False


def numbers(schema: JSONObject, *, integer: bool, pointer: str) -> st.SearchStrategy[Any]:
    """Integers (``integer``) or numbers within the node's bounds and ``multipleOf``."""
    bounds = _bounds(schema)
    step = schema.get("multipleOf")
    if integer or _is_number(step):
        unit = step if _is_number(step) and step > 0 else 1
        return _multiples(bounds, unit, integer=integer, pointer=pointer)
    return _reals(bounds, pointer)


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bounds(schema: JSONObject) -> _Bounds:
    """The tightest bounds the node states (on a tie, the keyword written last wins)."""
    bounds = _Bounds()
    for key, value in schema.items():
        if key not in _LIMITS or not _is_number(value):
            continue
        upper, open_ = _LIMITS[key]
        if upper and value <= bounds.hi:
            bounds = replace(bounds, hi=value, hi_open=open_)
        elif not upper and value >= bounds.lo:
            bounds = replace(bounds, lo=value, lo_open=open_)
    return bounds


def _multiples(b: _Bounds, unit: float, *, integer: bool, pointer: str) -> st.SearchStrategy[float]:
    """``k * unit`` for every whole ``k`` that lands within the bounds."""
    k_lo = math.ceil(b.lo / unit)
    if b.lo_open and k_lo * unit <= b.lo:
        k_lo += 1
    k_hi = math.floor(b.hi / unit)
    if b.hi_open and k_hi * unit >= b.hi:
        k_hi -= 1
    if k_lo > k_hi:
        raise UsageError(
            f"tool_arguments: no {'integer' if integer else 'multiple'} fits the bounds "
            f"at {pointer or '/'}"
        )
    if float(unit).is_integer():
        whole = int(unit)
        return st.integers(k_lo, k_hi).map(lambda k: k * whole)
    return st.integers(k_lo, k_hi).map(lambda k: k * unit)


def _reals(b: _Bounds, pointer: str) -> st.SearchStrategy[float]:
    """Finite floats within the bounds, and the integers among them (as ints)."""
    if b.lo > b.hi or (b.lo == b.hi and (b.lo_open or b.hi_open)):
        raise UsageError(f"tool_arguments: empty numeric range at {pointer or '/'}")
    floats = st.floats(
        b.lo,
        b.hi,
        exclude_min=b.lo_open,
        exclude_max=b.hi_open,
        allow_nan=False,
        allow_infinity=False,
    )
    i_lo = math.floor(b.lo) + 1 if b.lo_open and float(b.lo).is_integer() else math.ceil(b.lo)
    i_hi = math.ceil(b.hi) - 1 if b.hi_open and float(b.hi).is_integer() else math.floor(b.hi)
    if i_lo <= i_hi:
        return st.one_of(st.integers(int(i_lo), int(i_hi)), floats)
    return floats


def strings(schema: JSONObject) -> st.SearchStrategy[str]:
    """Strings of the node's ``format`` (the common ones), else its ``pattern``, else its length."""
    lo = int(schema.get("minLength", 0))
    hi = schema.get("maxLength")
    top = lo + 20 if hi is None else min(int(hi), lo + 20)
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _formats():
        return _formats()[fmt]
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        # JSON Schema patterns are searched, not matched; length limits next to a pattern are
        # met by filtering (this module never builds the two together).
        strings = regex(pattern, fullmatch=False)
        if "minLength" in schema or "maxLength" in schema:
            strings = strings.filter(lambda s: lo <= len(s) <= (math.inf if hi is None else hi))
        return strings
    return text(lo, top)


@cache
def _formats() -> dict[str, st.SearchStrategy[str]]:
    label = st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True)
    host = st.lists(label, min_size=1, max_size=3).map(lambda parts: ".".join([*parts, "example"]))
    return {
        "date-time": st.datetimes(
            datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=st.just(timezone.utc)
        ).map(lambda d: d.replace(microsecond=0).isoformat().replace("+00:00", "Z")),
        "date": st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(lambda d: d.isoformat()),
        "time": st.times().map(lambda t: t.replace(microsecond=0).isoformat() + "Z"),
        "email": st.tuples(st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True), host).map("@".join),
        "hostname": host,
        "uri": st.tuples(host, st.from_regex(r"[a-z0-9/]{0,12}", fullmatch=True)).map(
            lambda p: f"https://{p[0]}/{p[1]}"
        ),
        "uuid": st.uuids().map(str),
        "ipv4": st.ip_addresses(v=4).map(str),
        "ipv6": st.ip_addresses(v=6).map(str),
        "duration": st.sampled_from(["P1D", "PT2H30M", "P1Y2M", "PT45S", "P3W"]),
    }
