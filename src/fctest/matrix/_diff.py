"""Comparing two matrices cell by cell: the release gate.

Every cell that changed gets one kind:

- ``regression``: the state got worse (``pass > partial > unsupported > fail``), or, at the same
  state, the observed result started to contradict the declaration (new drift);
- ``fix``: the state got better, or drift or a finding went away;
- ``finding``: same state and drift, and real traffic now contradicts the declaration (a
  finding the old matrix did not have);
- ``new``: tested now, not before (a new provider, model or capability);
- ``removed``: tested before, not now;
- ``evidence``: same state and drift, different evidence (test ids, cassettes, provenance,
  reasons, declared values).

Regressions always block (exit 1). ``fail_on=("finding",)`` (``--fail-on finding``) also
blocks on every new finding, whatever the change's kind (a new column's cell can bring one).
``--allow provider:capability=reason`` (``provider[family-or-model]:capability=reason`` for one
column) accepts a known blocking change; the reason is required and printed, and an allow that
matches nothing blocking is reported as stale so the list does not rot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from .._exceptions import UsageError
from ._cell import Cell, CellState, Row
from ._model import Matrix

__all__ = ["FAIL_ON", "Allow", "Change", "ChangeKind", "Diff", "FailOn", "diff"]

ChangeKind: TypeAlias = Literal["regression", "fix", "finding", "new", "removed", "evidence"]
KINDS: tuple[ChangeKind, ...] = ("regression", "fix", "finding", "new", "removed", "evidence")

FailOn: TypeAlias = Literal["regression", "finding"]
FAIL_ON: tuple[FailOn, ...] = ("regression", "finding")
"""What ``diff`` can block on: regressions always, new findings when asked."""

_GOODNESS: dict[CellState, int] = {"fail": 0, "unsupported": 1, "partial": 2, "pass": 3}

_ALLOW = re.compile(
    r"^(?P<provider>[^:\[\]=\s]+)(?:\[(?P<model>[^\]]+)\])?:(?P<cap>[^=]+)=(?P<why>.*)$"
)


@dataclass(frozen=True, slots=True)
class Allow:
    """A known blocking change accepted by ``diff``: a provider (and optionally one column,
    named by its family or a model in it), a capability, and why."""

    provider: str
    capability: str
    reason: str
    model: str | None = None

    @classmethod
    def parse(cls, text: str) -> Allow:
        """Parse ``provider:capability=reason`` or ``provider[model]:capability=reason``."""
        match = _ALLOW.match(text.strip())
        if match is None or not match["why"].strip():
            raise UsageError(
                f"--allow {text!r}: expected provider:capability=reason "
                "(or provider[family or model]:capability=reason), with a non-empty reason"
            )
        return cls(
            provider=match["provider"],
            capability=match["cap"].strip(),
            reason=" ".join(match["why"].split()),
            model=match["model"],
        )

    def matches(self, cell: Cell) -> bool:
        return (
            self.provider == cell.provider
            and self.capability == cell.capability
            and (self.model is None or self.model == cell.family or self.model in cell.models)
        )

    def __str__(self) -> str:
        model = f"[{self.model}]" if self.model is not None else ""
        return f"{self.provider}{model}:{self.capability}={self.reason}"


@dataclass(frozen=True, slots=True)
class Change:
    """One cell that differs between the old and the new matrix."""

    kind: ChangeKind
    old: Cell
    new: Cell
    allowed: str | None = None
    """The ``--allow`` reason that accepts this change, if any."""
    gated: bool = False
    """Whether this change blocks (before ``--allow``): a regression, or a new finding under
    ``fail_on=("finding",)``."""

    @property
    def row(self) -> Row:
        return self.new.row

    @property
    def capability(self) -> str:
        return self.new.capability

    @property
    def new_finding(self) -> bool:
        """Whether real traffic now contradicts the declaration in a way it did not before."""
        return self.new.finding is not None and self.new.finding != self.old.finding

    @property
    def blocking(self) -> bool:
        return self.gated and self.allowed is None

    def describe(self) -> str:
        """One line: what changed, and why when the new state is not pass."""
        old, new = self.old, self.new
        text = f"{old.state} -> {new.state}" if old.state != new.state else new.state
        if self.kind == "evidence":
            text += f" (evidence: {_evidence_delta(old, new)})"
        if new.drift and new.drift != old.drift:
            text += f"; drift: {new.drift}"
        elif old.drift and not new.drift:
            text += "; drift resolved"
        if self.new_finding:
            text += f"; finding: {new.finding}"
        elif old.finding and not new.finding:
            text += "; finding resolved"
        if new.state not in ("pass", "not_tested") and new.reason and self.kind != "evidence":
            text += f": {new.reason}"
        if self.allowed is not None:
            text += f" [allowed: {self.allowed}]"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "provider": self.row.provider,
            "family": self.row.family,
            "models": list(self.new.models or self.old.models),
            "capability": self.capability,
            "old": self.old.state,
            "new": self.new.state,
            "old_drift": self.old.drift,
            "new_drift": self.new.drift,
            "old_finding": self.old.finding,
            "new_finding": self.new.finding,
            "reason": self.new.reason,
            "allowed": self.allowed,
            "blocking": self.blocking,
        }


def _evidence_delta(old: Cell, new: Cell) -> str:
    parts: list[str] = []
    old_ids, new_ids = set(old.test_ids), set(new.test_ids)
    if old_ids != new_ids:
        parts.append(f"+{len(new_ids - old_ids)}/-{len(old_ids - new_ids)} tests")
    if old.cassettes != new.cassettes:
        parts.append("cassettes or provenance")
    if old.kind != new.kind:
        parts.append(f"strongest {old.kind or 'none'} -> {new.kind or 'none'}")
    if old.declared_label != new.declared_label:
        parts.append(f"declared {old.declared_label!r} -> {new.declared_label!r}")
    if old.reason != new.reason:
        parts.append("reason")
    return ", ".join(parts) or "details"


@dataclass(frozen=True, slots=True)
class Diff:
    """Every changed cell, in row and column order, plus allows that matched nothing."""

    changes: tuple[Change, ...]
    stale_allows: tuple[Allow, ...] = ()

    def of_kind(self, kind: ChangeKind) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == kind)

    @property
    def blocking(self) -> tuple[Change, ...]:
        """Regressions not accepted by an ``--allow``."""
        return tuple(c for c in self.changes if c.blocking)

    @property
    def exit_code(self) -> int:
        """``1`` when any blocking change is not allowed, else ``0``."""
        return 1 if self.blocking else 0

    def format(self) -> str:
        """The report ``fctest matrix diff`` prints."""
        lines: list[str] = []
        for kind in KINDS:
            changes = self.of_kind(kind)
            if not changes:
                continue
            lines.append(f"{kind} ({len(changes)}):")
            for change in changes:
                lines.append(f"  {change.row.label}: {change.capability}: {change.describe()}")
        for allow in self.stale_allows:
            lines.append(f"note: --allow {allow} matched no blocking change (stale?)")
        counts = ", ".join(f"{len(self.of_kind(k))} {k}" for k in KINDS)
        allowed = sum(1 for c in self.changes if c.gated and c.allowed)
        verdict = "FAIL" if self.exit_code else "OK"
        lines.append(f"{verdict}: {counts} ({allowed} blocking change(s) allowed)")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": [c.to_json() for c in self.changes],
            "stale_allows": [str(a) for a in self.stale_allows],
            "exit_code": self.exit_code,
        }


def _classify(old: Cell, new: Cell) -> ChangeKind | None:
    if old.state == "not_tested" and new.state == "not_tested":
        return None if old.evidence == new.evidence else "evidence"
    if old.state == "not_tested":
        return "new"
    if new.state == "not_tested":
        return "removed"
    before, after = _GOODNESS[old.state], _GOODNESS[new.state]
    if after < before:
        return "regression"
    if after > before:
        return "fix"
    if new.drift is not None and old.drift is None:
        return "regression"
    if old.drift is not None and new.drift is None:
        return "fix"
    if new.finding is not None and new.finding != old.finding:
        return "finding"
    if old.finding is not None and new.finding is None:
        return "fix"
    return None if old.evidence == new.evidence else "evidence"


def _all_cells(matrix: Matrix) -> Iterable[Cell]:
    yield from matrix.cells()
    yield from matrix.cells(keywords=True)


def diff(
    old: Matrix,
    new: Matrix,
    *,
    allow: Sequence[Allow] = (),
    fail_on: Sequence[FailOn] = ("regression",),
) -> Diff:
    """Compare ``old`` (say, the last release's matrix) with ``new``, cell by cell.

    Regressions always block; ``fail_on`` containing ``"finding"`` also blocks on new findings.
    """
    unknown = sorted(set(fail_on) - set(FAIL_ON))
    if unknown:
        raise UsageError(f"--fail-on {', '.join(unknown)}: expected one of {', '.join(FAIL_ON)}")
    used: set[Allow] = set()
    changes: list[Change] = []
    for row, capability in _ordered_keys(old, new):
        before, after = old.cell(row, capability), new.cell(row, capability)
        kind = _classify(before, after)
        if kind is None:
            continue
        change = Change(kind, before, after)
        gated = kind == "regression" or ("finding" in fail_on and change.new_finding)
        allowed = None
        if gated:
            entry = next((a for a in allow if a.matches(after)), None)
            if entry is not None:
                allowed = entry.reason
                used.add(entry)
        changes.append(Change(kind, before, after, allowed, gated))
    stale = tuple(a for a in allow if a not in used)
    return Diff(tuple(changes), stale)


def _ordered_keys(old: Matrix, new: Matrix) -> list[tuple[Row, str]]:
    """Every cell of either matrix, keywords last, by column, then capability order."""
    keys: dict[tuple[Row, str], None] = {}
    for cell in (*_all_cells(old), *_all_cells(new)):
        keys.setdefault((cell.row, cell.capability), None)
    order = {c: i for i, c in enumerate((*new.capabilities, *old.capabilities))}
    return sorted(
        keys,
        key=lambda k: (
            k[1].startswith("keyword:"),
            k[0].sort_key(),
            order.get(k[1], len(order)),
            k[1],
        ),
    )
