"""The one JSON diff: every place where two JSON values differ, named by an RFC 6901 pointer.

A drifted request's message (``RequestDrift``: the nearest recorded request, each changed path
with both values) and the reference server's 404 (``body_differs_at``) both name places in a
request body with it, so a user reads the same pointer in either. Pointers are built by
``fctest._pointer``. Nothing here imports pytest or vcrpy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .._pointer import escape

__all__ = ["Difference", "describe_value", "diff_json"]

_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class Difference:
    """One JSON path where a request differs from a recorded one (``""``: the whole body)."""

    path: str
    recorded: Any
    now: Any

    def describe(self) -> str:
        return (
            f"{self.path or '/'}: recorded {describe_value(self.recorded)}, "
            f"now {describe_value(self.now)}"
        )


def describe_value(value: Any, limit: int = 80) -> str:
    """A short JSON rendering of ``value`` (``absent`` for a missing field)."""
    if value is _MISSING:
        return "absent"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def diff_json(
    recorded: Any, now: Any, *, sort_keys: bool = False, limit: int | None = None
) -> list[Difference]:
    """Every path where ``now`` differs from ``recorded``, depth first (at most ``limit``).

    An object's keys come in recorded order, then the keys only ``now`` has, or sorted with
    ``sort_keys``; a key or an index one side lacks is one difference, not one per leaf.
    """
    return list(islice(_walk(recorded, now, "", sort_keys), limit))


def _walk(recorded: Any, now: Any, path: str, sort_keys: bool) -> Iterator[Difference]:
    if isinstance(recorded, dict) and isinstance(now, dict):
        if sort_keys:
            keys = sorted({*recorded, *now})
        else:
            keys = [*recorded, *(k for k in now if k not in recorded)]
        for key in keys:
            yield from _walk(
                recorded.get(key, _MISSING),
                now.get(key, _MISSING),
                f"{path}/{escape(key)}",
                sort_keys,
            )
    elif isinstance(recorded, list) and isinstance(now, list):
        for i in range(max(len(recorded), len(now))):
            yield from _walk(
                recorded[i] if i < len(recorded) else _MISSING,
                now[i] if i < len(now) else _MISSING,
                f"{path}/{i}",
                sort_keys,
            )
    elif type(recorded) is not type(now) or recorded != now:
        yield Difference(path, recorded, now)
