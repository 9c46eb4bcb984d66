"""JSON Pointers (RFC 6901), written and read in one place.

Errors, drift diffs, schema changes and compatibility verdicts all name a place in a JSON
document with a pointer, so a user can find it in what they wrote; every module builds and
splits them here so the escaping (``~0`` for ``~``, ``~1`` for ``/``) is done one way only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["escape", "json_pointer", "split_pointer", "unescape"]


def escape(token: Any) -> str:
    """One reference token: ``~`` becomes ``~0`` and ``/`` becomes ``~1`` (RFC 6901 §3)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """The inverse of ``escape`` (``~1`` first, then ``~0``, as RFC 6901 §4 requires)."""
    return token.replace("~1", "/").replace("~0", "~")


def json_pointer(path: Iterable[Any]) -> str:
    """The pointer for a path of keys and indexes (``""`` is the whole document)."""
    return "".join("/" + escape(part) for part in path)


def split_pointer(pointer: str) -> tuple[str, ...]:
    """The unescaped reference tokens of ``pointer`` (``""`` gives none)."""
    if not pointer:
        return ()
    return tuple(unescape(token) for token in pointer.split("/")[1:])
