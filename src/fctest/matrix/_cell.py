"""A matrix column (a provider and a model family) and a cell: one capability's evidence there.

Everything a cell says is derived from its evidence (the results filed under its provider,
family and capability):

- its **state**: the worst outcome wins, ``not_tested < pass < partial < unsupported < fail``
  (a skipped test counts as ``not_tested``);
- its **strongest evidence**: among the results that decide the state, the strongest kind
  (``live > recorded > emulated > declared``), and the link to it;
- **drift**: a result from fctest's own checks (declared or emulated) contradicts its
  declaration: for a scenario, declared supported (``declared`` is ``None``) but observed
  ``unsupported``, or declared unsupported (a reason) but observed ``pass`` or ``partial``; for a
  keyword, declared ``rejected`` but observed ``pass`` or ``partial``, or declared
  ``native``/``rewritten``/``dropped`` but observed ``unsupported``;
- a **finding**: the same contradiction, or one ``fctest matrix observe`` found (ids, stream
  shape), seen in real traffic (recorded or live evidence): the provider itself disagrees with
  the profile;
- **conflicts**: profile fields behind the cell whose documented value the profile does not use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, get_args

from ._evidence import DEFAULTS_LABEL, REAL_KINDS, EvidenceKind, evidence_rank, family_label
from ._results import Outcome, Result, keyword_of

__all__ = ["STATES", "Cell", "CellState", "Row", "combine", "row_of"]

CellState: TypeAlias = Literal["pass", "fail", "unsupported", "partial", "not_tested"]

STATES: tuple[CellState, ...] = get_args(CellState)

# Worst wins: a higher rank absorbs a lower one when results for one cell are combined.
_RANK: dict[CellState, int] = {
    "not_tested": 0,
    "pass": 1,
    "partial": 2,
    "unsupported": 3,
    "fail": 4,
}
OF_OUTCOME: dict[Outcome, CellState] = {
    "pass": "pass",
    "fail": "fail",
    "unsupported": "unsupported",
    "partial": "partial",
    "skipped": "not_tested",
}
_DEFAULT_REASON: dict[CellState, str] = {
    "fail": "failed",
    "unsupported": "declared unsupported; refused before sending",
    "partial": "works with rewriting",
    "not_tested": "no test ran",
}


def combine(a: CellState, b: CellState) -> CellState:
    """The state of a cell holding results in states ``a`` and ``b`` (the worse of the two)."""
    return a if _RANK[a] >= _RANK[b] else b


def contradiction(result: Result) -> str | None:
    """How ``result``'s outcome contradicts its own declaration, or ``None``."""
    declared, outcome = result.declared, result.outcome
    if result.keyword is not None:
        if declared == "rejected" and outcome in ("pass", "partial"):
            return f"declared rejected, observed {outcome}"
        if declared in ("native", "rewritten", "dropped") and outcome == "unsupported":
            return f"declared {declared}, observed unsupported"
        return None
    if declared is None and outcome == "unsupported":
        return "declared supported, observed unsupported"
    if isinstance(declared, str) and outcome in ("pass", "partial"):
        return f"declared unsupported ({declared}), observed {outcome}"
    return None


def one_line(text: str) -> str:
    return " ".join(text.split())


def _joined(messages: list[str]) -> str | None:
    """The distinct messages, in order, each counted when several results say it."""
    if not messages:
        return None
    counts: dict[str, int] = {}
    for message in messages:
        counts[message] = counts.get(message, 0) + 1
    parts = [m if n == 1 else f"{m} ({n} results)" for m, n in counts.items()]
    return one_line("; ".join(parts))


@dataclass(frozen=True, slots=True)
class Row:
    """A matrix column: a provider and a model family (``provider defaults``: a model no
    family rule knows, or no model at all)."""

    provider: str
    family: str = DEFAULTS_LABEL

    @property
    def label(self) -> str:
        return f"{self.provider} · {self.family}"

    @property
    def defaults(self) -> bool:
        """Whether the column holds the provider's documented defaults (no family rule)."""
        return self.family == DEFAULTS_LABEL

    def sort_key(self) -> tuple[str, bool, str]:
        # The provider's defaults first, then its families by name.
        return (self.provider, not self.defaults, self.family)


def _weight(result: Result) -> tuple[int, bool]:
    real_finding = result.kind in REAL_KINDS and (
        result.finding is not None or contradiction(result) is not None
    )
    return (evidence_rank(result.kind), real_finding)


def row_of(result: Result) -> Row:
    """The column ``result`` is filed under."""
    return Row(result.provider, family_label(result.families, result.model))


@dataclass(frozen=True, slots=True)
class Cell:
    """One provider's (and model family's) result for one capability, with its evidence."""

    row: Row
    capability: str
    evidence: tuple[Result, ...] = ()

    @property
    def provider(self) -> str:
        return self.row.provider

    @property
    def family(self) -> str:
        return self.row.family

    @property
    def models(self) -> tuple[str, ...]:
        """The models the evidence names, in evidence order."""
        return tuple(dict.fromkeys(r.model for r in self.evidence if r.model is not None))

    @property
    def keyword(self) -> str | None:
        return keyword_of(self.capability)

    @property
    def state(self) -> CellState:
        state: CellState = "not_tested"
        for result in self.evidence:
            state = combine(state, OF_OUTCOME[result.outcome])
        return state

    @property
    def deciding(self) -> tuple[Result, ...]:
        """The results whose outcome is the cell's state."""
        state = self.state
        return tuple(r for r in self.evidence if OF_OUTCOME[r.outcome] == state)

    @property
    def strongest(self) -> Result | None:
        """The strongest evidence among the deciding results (``None`` when nothing was
        tested): what the cell's claim rests on. Of equally strong ones, a result that holds a
        finding is the one a reader is sent to."""
        if self.state == "not_tested":
            return None
        best: Result | None = None
        for result in self.deciding:
            if best is None or _weight(result) > _weight(best):
                best = result
        return best

    @property
    def kind(self) -> EvidenceKind | None:
        strongest = self.strongest
        return None if strongest is None else strongest.kind

    @property
    def reason(self) -> str | None:
        """One line on why the cell is not ``pass`` (from the deciding results), else ``None``."""
        state = self.state
        if state == "pass":
            return None
        deciding = self.deciding
        for result in deciding:
            if result.reason:
                return one_line(result.reason)
        if state == "partial":
            changes = sorted({c for r in deciding for c in r.changes})
            if changes:
                return one_line("; ".join(changes))
        if state == "unsupported":
            for result in deciding:
                if isinstance(result.declared, str) and result.keyword is None:
                    return one_line(f"declared unsupported: {result.declared}")
        return _DEFAULT_REASON[state]

    @property
    def declared(self) -> tuple[Any, ...]:
        """The distinct declared values of the evidence, in evidence order."""
        seen: list[Any] = []
        for result in self.evidence:
            if result.declared not in seen:
                seen.append(result.declared)
        return tuple(seen)

    @property
    def declared_label(self) -> str:
        """The declaration in words: ``supported``, ``unsupported: <why>``, or a keyword mode."""
        if not self.evidence:
            return "unknown"
        labels: list[str] = []
        for value in self.declared:
            if self.keyword is not None:
                label = "unknown" if value is None else str(value)
            else:
                label = "supported" if value is None else f"unsupported: {value}"
            if label not in labels:
                labels.append(label)
        return one_line("; ".join(labels))

    @property
    def drift(self) -> str | None:
        """How fctest's own checks (declared, emulated) contradict the declaration, or ``None``."""
        found = [
            m
            for r in self.evidence
            if r.kind not in REAL_KINDS and (m := contradiction(r)) is not None
        ]
        return _joined(found)

    @property
    def finding(self) -> str | None:
        """How real traffic (recorded, live) contradicts the declaration, or ``None``."""
        found: list[str] = []
        for result in self.evidence:
            if result.kind not in REAL_KINDS:
                continue
            if result.finding:
                found.append(result.finding)
            message = contradiction(result)
            if message is not None:
                found.append(message.replace("observed", result.kind))
        return _joined(found)

    @property
    def conflicts(self) -> tuple[str, ...]:
        """``field: profile X, documented Y`` for each field behind the cell whose documented
        value the profile does not use (a documented-vs-observed conflict)."""
        found: dict[str, None] = {}
        for result in self.evidence:
            for name, values in (result.documented or {}).items():
                if isinstance(values, Mapping):
                    found[
                        f"{name}: profile {values.get('profile')!r} (observed), documented "
                        f"{values.get('documented')!r}"
                    ] = None
        return tuple(found)

    @property
    def test_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.test_id for r in self.evidence))

    @property
    def cassettes(self) -> tuple[tuple[str, Mapping[str, Any] | None], ...]:
        """Distinct ``(cassette, provenance)`` pairs of the evidence."""
        out: list[tuple[str, Mapping[str, Any] | None]] = []
        for result in self.evidence:
            if result.cassette is not None and (result.cassette, result.provenance) not in out:
                out.append((result.cassette, result.provenance))
        return tuple(out)

    def to_json(self) -> dict[str, Any]:
        strongest = self.strongest
        return {
            "provider": self.provider,
            "family": self.family,
            "models": list(self.models),
            "capability": self.capability,
            "state": self.state,
            "reason": self.reason,
            "declared": self.declared_label,
            "drift": self.drift,
            "finding": self.finding,
            "conflicts": list(self.conflicts),
            "strongest": None if strongest is None else strongest_json(strongest),
            "evidence": [evidence_json(r) for r in self.evidence],
        }


def strongest_json(result: Result) -> dict[str, Any]:
    """What a cell's strongest evidence is and where to check it."""
    return {
        "kind": result.kind,
        "link": result.link,
        "interaction": result.interaction,
        "model": result.model,
        "test_id": result.test_id,
    }


def evidence_json(result: Result) -> dict[str, Any]:
    """A result as a cell's evidence entry: its provider and capability are the cell's."""
    data = result.to_json()
    for implied in ("provider", "capability"):
        data.pop(implied, None)
    return data
