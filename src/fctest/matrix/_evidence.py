"""Evidence kinds: what backs a result, and where a reader can check it.

Four kinds, weakest first:

- ``declared``: only the profile says so (and its ``sources`` entry says where that comes from);
  no provider answered. A scenario refused before sending, a keyword check.
- ``emulated``: a cassette recorded against fctest's reference server (provenance
  ``reference-server``), or against any server that is not the provider's own endpoint
  (``compatible-server``): the adapter agrees with an imitation of the provider.
- ``recorded``: a real provider's answer recorded before this run (a cassette with provenance
  ``live``, or a recording ``fctest matrix observe`` read), with its model and, when the
  recording kept one, its date.
- ``live``: recorded during this run against the real provider.

A cell shows the strongest kind among the results that decide its state, and links to it: the
cassette path (relative to the project) and interaction, or the declaration's source (an
official URL or a ``docs/dialects.md`` anchor).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, TypeAlias, get_args

__all__ = [
    "EVIDENCE_KINDS",
    "REAL_KINDS",
    "EvidenceKind",
    "derive_kind",
    "evidence_rank",
    "family_label",
    "link_target",
]

EvidenceKind: TypeAlias = Literal["declared", "emulated", "recorded", "live"]

EVIDENCE_KINDS: tuple[EvidenceKind, ...] = get_args(EvidenceKind)
"""Weakest first."""

REAL_KINDS: frozenset[EvidenceKind] = frozenset({"recorded", "live"})
"""Kinds backed by a real provider's answer: what contradicts a declaration there is a
finding, not drift."""

DEFAULTS_LABEL = "provider defaults"
"""The column of a model no family rule knows (and of results with no model at all)."""

_RANK = {kind: i for i, kind in enumerate(EVIDENCE_KINDS)}
_LINK = re.compile(r"https?://[^\s,;()]+[^\s,;().]|docs/dialects\.md#[A-Za-z0-9_-]+")


def evidence_rank(kind: EvidenceKind) -> int:
    """0 for ``declared`` up to 3 for ``live``."""
    return _RANK[kind]


def derive_kind(provenance: Mapping[str, Any] | None, cassette: str | None) -> EvidenceKind:
    """The kind a result without one is read as (every version 1 result): no cassette is
    ``declared``; a cassette says by its provenance ``source``: ``live`` (recorded against the
    provider, but not known to be during this run) and ``recorded`` are ``recorded``, anything
    else (``reference-server``, ``compatible-server``, unknown) ``emulated``."""
    if cassette is None and provenance is None:
        return "declared"
    source = (provenance or {}).get("source")
    return "recorded" if source in ("live", "recorded") else "emulated"


def family_label(families: tuple[str, ...] | None, model: str | None) -> str:
    """A column's family: the families joined, ``provider defaults`` when no rule applies,
    the model itself when the families were never resolved (an adapter not installed)."""
    if families is None:
        return DEFAULTS_LABEL if model is None else model
    return " + ".join(families) if families else DEFAULTS_LABEL


def link_target(kind: EvidenceKind, cassette: str | None, source: str | None) -> str | None:
    """Where a reader checks a result: a cassette path relative to the project (never an
    absolute path or a URL someone put in the cassette field), or for a declaration the first
    official URL or ``docs/dialects.md`` anchor its source names."""
    if kind == "declared":
        found = _LINK.search(source or "")
        return found.group(0) if found else None
    if cassette is None or "://" in cassette or cassette.startswith(("/", "\\")):
        return None
    if re.match(r"^[A-Za-z]:", cassette):  # a Windows drive
        return None
    return cassette
