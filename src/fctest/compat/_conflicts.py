"""Requirements no single schema or name meets on every selected provider.

Private: behind ``fctest.compat.check``. A tool can be accepted by each provider and still be
unportable: one provider refuses a keyword another sends as written (no one schema keeps it and
is accepted by all), or the providers rename it differently (calls come back under different
names). Each such finding is a ``Conflict`` naming what would have worked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .._tools import Tool
from ..dialect import wire_name
from ..providers import Adapter
from ._report import Conflict, Verdict

__all__ = ["conflicts"]


def conflicts(
    tools: Sequence[Tool], adapters: Sequence[Adapter], verdicts: Mapping[tuple[str, str], Verdict]
) -> tuple[Conflict, ...]:
    """Every conflict between ``adapters`` over ``tools``, given each (tool, provider) verdict."""
    if len(adapters) < 2:
        return ()
    out: list[Conflict] = []
    for t in tools:
        mine = [verdicts[(t.name, a.name)] for a in adapters]
        out += _keyword_conflicts(t, mine)
        out += _name_conflict(t, mine, adapters)
    return tuple(out)


def _keyword_conflicts(tool: Tool, verdicts: Sequence[Verdict]) -> list[Conflict]:
    """A keyword some providers refuse while others send it as written."""
    accepted = [v for v in verdicts if v.status != "incompatible"]
    refusals: dict[str, list[Verdict]] = {}
    for v in verdicts:
        if v.status == "incompatible" and v.pointer:
            refusals.setdefault(v.pointer, []).append(v)
    out = []
    for pointer, refused in refusals.items():
        keeping = [
            v.provider
            for v in accepted
            if not any(pointer in (c.pointer, f"{c.pointer}/{c.keyword}") for c in v.changes)
        ]
        if keeping:
            names = [v.provider for v in refused]
            out.append(
                Conflict(
                    tool.name,
                    "keyword",
                    pointer,
                    f"{pointer} is refused by {', '.join(names)} ({refused[0].reason}) and "
                    f"sent as written to {', '.join(keeping)}: no one schema keeps it and is "
                    f"accepted by all; change it, or declare a separate tool for "
                    f"{', '.join(names)}",
                    (*names, *keeping),
                )
            )
    return out


def _name_conflict(
    tool: Tool, verdicts: Sequence[Verdict], adapters: Sequence[Adapter]
) -> list[Conflict]:
    """Calls come back under different names from different providers."""
    wire = {v.provider: v.wire_name for v in verdicts if v.status != "incompatible"}
    if len(set(wire.values())) <= 1:
        return []
    shown = ", ".join(f"{p} {n!r}" for p, n in wire.items())
    portable = _portable_name(tool.name, adapters)
    hint = f"; {portable!r} would be accepted as written by all" if portable else ""
    message = f"no one name is sent to every provider ({shown}){hint}"
    return [Conflict(tool.name, "name", "", message, tuple(wire))]


def _portable_name(name: str, adapters: Sequence[Adapter]) -> str | None:
    """A name every adapter's profile accepts as it is, made the way fctest renames."""
    candidate = name
    for _ in range(4):
        for a in adapters:
            candidate = wire_name(candidate, a.profile, set())
        if all(
            re.fullmatch(a.profile.tool_name_pattern, candidate)
            and len(candidate) <= a.profile.tool_name_max_length
            for a in adapters
        ):
            return candidate
    return None
