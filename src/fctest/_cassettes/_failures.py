"""The failures a test's cassette raises, each with a message that says what to run.

A request the cassette cannot answer is a ``CassetteMissing`` when there is no file (with how
to record one) or a ``RequestDrift`` naming the nearest recorded request and every JSON path
where it differs (vcrpy's ``errors.py`` lists the nearest requests the same way); recorded
interactions the test never asked for are ``UnplayedInteractions``. Each message says what
happened, where the cassette is and what to run to fix it.

Plain functions of what the cassette knows: nothing here imports vcrpy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._exceptions import CassetteMissing, RequestDrift, UnplayedInteractions
from ._diff import Difference, diff_json
from ._matching import Key

__all__ = ["Where", "drift", "missing", "unplayed"]

_SHOWN_DIFFS = 12
_SHOWN_UNPLAYED = 10


@dataclass(frozen=True, slots=True)
class Where:
    """The cassette a failure is about, as its message names it."""

    shown: str
    """The path as messages show it (relative to the rootdir when inside it)."""
    path: str
    """The file, for the error's ``path``."""
    node: str
    """The test's node id (``<test>`` when unknown), for the command that fixes it."""


def missing(where: Where, provider: str, key_env: Sequence[str]) -> CassetteMissing:
    """No cassette, and record mode ``none`` never records: how to record one."""
    env = " or ".join(key_env) or "the provider's key"
    return CassetteMissing(
        f"no cassette at {where.shown}, and record mode 'none' never records.\n"
        f"Record it against the real API ({env} set):\n"
        f"    pytest '{where.node}' --fctest-record-mode=once\n"
        "or against the reference server (`fctest serve`) or any compatible server:\n"
        f"    pytest '{where.node}' --fctest-record-mode=once "
        f"--fctest-base-url {provider}=http://127.0.0.1:PORT/...",
        path=where.path,
    )


def drift(
    where: Where, key: Key, compared: Any, recorded: Iterable[tuple[int, Key, Any]]
) -> RequestDrift:
    """A request (its key, and its body as compared) that matches none of the ``recorded``
    ``(index, key, body as compared)``: which one is nearest, and every path where it differs."""
    method, url = key[0], key[1]
    ranked: list[tuple[int, int, list[Difference]]] = []
    for index, rec_key, recorded_body in recorded:
        diffs: list[Difference] = []
        if rec_key[0] != method:
            diffs.append(Difference("method", rec_key[0], method))
        if rec_key[1] != url:
            diffs.append(Difference("url", rec_key[1], url))
        diffs += diff_json(recorded_body, compared)
        ranked.append((len(diffs) + (100 if rec_key[:2] != key[:2] else 0), index, diffs))
    ranked.sort(key=lambda t: (t[0], t[1]))
    lines = [
        f"request drift: {method} {url} matches no unplayed interaction in "
        f"{where.shown} ({len(ranked)} recorded)."
    ]
    paths: tuple[str, ...] = ()
    if ranked:
        _, index, diffs = ranked[0]
        if not diffs:
            lines.append(
                f"It equals recorded interaction #{index}, which was already played: the "
                "code sends this request more often than when it was recorded."
            )
        else:
            paths = tuple(d.path for d in diffs)
            lines.append(
                f"Nearest recorded request #{index}: "
                + ("1 JSON path differs:" if len(diffs) == 1 else f"{len(diffs)} differ:")
            )
            lines += [f"  {d.describe()}" for d in diffs[:_SHOWN_DIFFS]]
            if len(diffs) > _SHOWN_DIFFS:
                lines.append(f"  ... and {len(diffs) - _SHOWN_DIFFS} more")
        others = [f"#{i} ({len(d)} differ)" for _, i, d in ranked[1:4]]
        if others:
            lines.append("Other recorded requests: " + ", ".join(others))
    lines.append(
        "If the change is intended, record the cassette again: "
        f"pytest '{where.node}' --fctest-record-mode=all (with --fctest-base-url for a server)."
    )
    return RequestDrift("\n".join(lines), path=where.path, paths=paths)


def unplayed(
    where: Where, requests: Sequence[tuple[int, str, str]], loaded: int
) -> UnplayedInteractions:
    """``requests`` (``(index, method, uri)``) of the ``loaded`` recorded were never asked for."""
    described = [f"  #{index} {method} {uri}" for index, method, uri in requests[:_SHOWN_UNPLAYED]]
    count = len(requests)
    more = f"\n  ... and {count - _SHOWN_UNPLAYED} more" if count > _SHOWN_UNPLAYED else ""
    return UnplayedInteractions(
        f"{count} of {loaded} recorded interaction{'s' if loaded != 1 else ''} in {where.shown} "
        f"{'were' if count != 1 else 'was'} never requested: the code now sends "
        "fewer requests than when the cassette was recorded.\n"
        + "\n".join(described)
        + more
        + f"\nIf that is intended, record it again: pytest '{where.node}' "
        "--fctest-record-mode=all",
        path=where.path,
        indexes=tuple(index for index, _, _ in requests),
    )
