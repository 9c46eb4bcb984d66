"""The matrix: rows (provider, model), columns (capabilities, then keywords), cells with evidence.

A matrix is a pure function of a set of results plus the runs they came from: a cell's state,
reason, declared value and drift are all derived from its evidence (the results filed under its
provider, model and capability). That is what makes merging a set union, and therefore
associative, commutative and idempotent, and what lets ``load`` check a file's stated cell
states against its evidence.

How results for one cell combine: the worst outcome wins, in the order
``not_tested < pass < partial < unsupported < fail`` (a skipped test counts as ``not_tested``).
One failing scenario fails the capability; a capability that needs rewriting anywhere is partial.

Drift: a result contradicts its declaration when, for a scenario, it was declared supported
(``declared`` is ``None``) but observed ``unsupported``, or declared unsupported (a reason) but
observed ``pass`` or ``partial``; for a keyword, declared ``rejected`` but observed ``pass`` or
``partial``, or declared ``native``/``rewritten``/``dropped`` but observed ``unsupported``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, get_args

from ._files import MatrixFileError, read_json, validate, write_json
from ._results import Outcome, Result, ResultsFile, RunInfo

__all__ = [
    "MATRIX_FORMAT",
    "MATRIX_VERSION",
    "STATES",
    "Cell",
    "CellState",
    "Matrix",
    "Row",
    "catalogue_capabilities",
    "combine",
    "load_any",
]

MATRIX_FORMAT = "fctest-matrix"
MATRIX_VERSION = 1

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
_OF_OUTCOME: dict[Outcome, CellState] = {
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


def catalogue_capabilities() -> tuple[str, ...]:
    """The scenario catalogue's capability tags, in catalogue order (the fixed columns)."""
    from ..scenarios import Capability

    return get_args(Capability)


def _drift(result: Result) -> str | None:
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


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Row:
    """A matrix row: a provider, and the model when a cassette names one."""

    provider: str
    model: str | None = None

    @property
    def label(self) -> str:
        return self.provider if self.model is None else f"{self.provider} · {self.model}"

    def sort_key(self) -> tuple[str, str]:
        # Sorts the model-less row of a provider first; a model is never "" (schema minLength).
        return (self.provider, self.model or "")


@dataclass(frozen=True, slots=True)
class Cell:
    """One provider's (and model's) result for one capability, with its evidence."""

    row: Row
    capability: str
    evidence: tuple[Result, ...] = ()

    @property
    def provider(self) -> str:
        return self.row.provider

    @property
    def model(self) -> str | None:
        return self.row.model

    @property
    def keyword(self) -> str | None:
        if self.capability.startswith("keyword:"):
            return self.capability.removeprefix("keyword:")
        return None

    @property
    def state(self) -> CellState:
        state: CellState = "not_tested"
        for result in self.evidence:
            state = combine(state, _OF_OUTCOME[result.outcome])
        return state

    @property
    def reason(self) -> str | None:
        """One line on why the cell is not ``pass`` (from the deciding results), else ``None``."""
        state = self.state
        if state == "pass":
            return None
        deciding = [r for r in self.evidence if _OF_OUTCOME[r.outcome] == state]
        for result in deciding:
            if result.reason:
                return _one_line(result.reason)
        if state == "partial":
            changes = sorted({c for r in deciding for c in r.changes})
            if changes:
                return _one_line("; ".join(changes))
        if state == "unsupported":
            for result in deciding:
                if isinstance(result.declared, str) and result.keyword is None:
                    return _one_line(f"declared unsupported: {result.declared}")
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
        return _one_line("; ".join(labels))

    @property
    def drift(self) -> str | None:
        """How the observed results contradict the declaration, or ``None``."""
        found: list[str] = []
        for result in self.evidence:
            message = _drift(result)
            if message is not None and message not in found:
                found.append(message)
        return _one_line("; ".join(found)) if found else None

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
        return {
            "provider": self.provider,
            "model": self.model,
            "capability": self.capability,
            "state": self.state,
            "reason": self.reason,
            "declared": self.declared_label,
            "drift": self.drift,
            "evidence": [_evidence_json(r) for r in self.evidence],
        }


def _evidence_json(result: Result) -> dict[str, Any]:
    data = result.to_json()
    for implied in ("provider", "model", "capability"):
        data.pop(implied, None)
    return data


def _canonical(results: Iterable[Result]) -> tuple[Result, ...]:
    unique = {r.sort_key(): r for r in results}
    return tuple(unique[k] for k in sorted(unique))


def _canonical_runs(runs: Iterable[RunInfo]) -> tuple[RunInfo, ...]:
    unique = {r.sort_key(): r for r in runs}
    return tuple(unique[k] for k in sorted(unique))


@dataclass(frozen=True, slots=True)
class Matrix:
    """The capability matrix of a set of results. Build with ``from_results`` or ``load``.

    ``results`` and ``runs`` are kept deduplicated and in a content-based order, so equal sets
    give equal matrices and byte-identical files whatever order they were merged in.
    """

    runs: tuple[RunInfo, ...] = ()
    results: tuple[Result, ...] = ()
    _cells: dict[tuple[Row, str], tuple[Result, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "runs", _canonical_runs(self.runs))
        object.__setattr__(self, "results", _canonical(self.results))
        grouped: dict[tuple[Row, str], list[Result]] = {}
        for result in self.results:
            key = (Row(result.provider, result.model), result.capability)
            grouped.setdefault(key, []).append(result)
        object.__setattr__(self, "_cells", {k: tuple(v) for k, v in grouped.items()})

    # --- building -----------------------------------------------------------------------------

    @classmethod
    def from_results(cls, *files: ResultsFile) -> Matrix:
        """The matrix of one or more results files."""
        return cls(
            runs=tuple(f.run for f in files),
            results=tuple(r for f in files for r in f.results),
        )

    def merge(self, *others: Matrix) -> Matrix:
        """The matrix of all results of ``self`` and ``others`` (a set union; any order)."""
        everything = (self, *others)
        return Matrix(
            runs=tuple(run for m in everything for run in m.runs),
            results=tuple(r for m in everything for r in m.results),
        )

    # --- shape --------------------------------------------------------------------------------

    @property
    def capabilities(self) -> tuple[str, ...]:
        """Capability columns: the catalogue's, then any others seen in the results (sorted)."""
        fixed = catalogue_capabilities()
        extra = sorted(
            {c for (_, c) in self._cells if not c.startswith("keyword:") and c not in fixed}
        )
        return (*fixed, *extra)

    @property
    def keywords(self) -> tuple[str, ...]:
        """Keyword columns (``keyword:<name>`` capabilities seen in the results), sorted."""
        return tuple(sorted({c for (_, c) in self._cells if c.startswith("keyword:")}))

    @property
    def rows(self) -> tuple[Row, ...]:
        """Rows of the capability table: every (provider, model) with a capability result."""
        return self._rows(keywords=False)

    @property
    def keyword_rows(self) -> tuple[Row, ...]:
        """Rows of the keyword table: every (provider, model) with a keyword result."""
        return self._rows(keywords=True)

    def _rows(self, *, keywords: bool) -> tuple[Row, ...]:
        rows = {row for (row, c) in self._cells if c.startswith("keyword:") == keywords}
        return tuple(sorted(rows, key=Row.sort_key))

    def cell(self, row: Row, capability: str) -> Cell:
        return Cell(row, capability, self._cells.get((row, capability), ()))

    def cells(self, *, keywords: bool = False) -> Iterator[Cell]:
        """Every cell of one table, row by row (``not_tested`` cells included)."""
        columns = self.keywords if keywords else self.capabilities
        for row in self.keyword_rows if keywords else self.rows:
            for column in columns:
                yield self.cell(row, column)

    def summary(self) -> dict[str, int]:
        """Counts of capability-table cells per state, plus ``drift``."""
        counts: Counter[str] = Counter(dict.fromkeys(STATES, 0))
        drift = 0
        for cell in self.cells():
            counts[cell.state] += 1
            drift += cell.drift is not None
        return {**{s: counts[s] for s in STATES}, "drift": drift}

    # --- the file -----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MATRIX_FORMAT,
            "version": MATRIX_VERSION,
            "runs": [run.to_json() for run in self.runs],
            "capabilities": list(self.capabilities),
            "keywords": [k.removeprefix("keyword:") for k in self.keywords],
            "rows": [{"provider": r.provider, "model": r.model} for r in self.rows],
            "keyword_rows": [{"provider": r.provider, "model": r.model} for r in self.keyword_rows],
            "cells": [c.to_json() for c in (*self.cells(), *self.cells(keywords=True))],
            "summary": self.summary(),
        }

    @classmethod
    def from_json(cls, data: Any, *, source: str = "<data>") -> Matrix:
        """Validate a parsed matrix file and rebuild it from its evidence.

        A cell whose stated ``state`` does not follow from its evidence (a hand edit, or a file
        from a fctest with other rules) is an error rather than silently recomputed.
        """
        validate(data, "schema.json", what=source)
        results: list[Result] = []
        for cell in data["cells"]:
            for item in cell["evidence"]:
                record = {
                    **item,
                    "provider": cell["provider"],
                    "model": cell["model"],
                    "capability": cell["capability"],
                }
                results.append(Result._from_valid(record))
        matrix = cls(
            runs=tuple(RunInfo._from_valid(r) for r in data["runs"]), results=tuple(results)
        )
        for cell in data["cells"]:
            derived = matrix.cell(Row(cell["provider"], cell["model"]), cell["capability"])
            if derived.state != cell["state"]:
                where = f"{derived.row.label} / {derived.capability}"
                raise MatrixFileError(
                    f"{source}: cell {where}: state {cell['state']!r} does not follow from its "
                    f"evidence (which gives {derived.state!r})"
                )
        return matrix

    def dump(self, path: str | os.PathLike[str]) -> None:
        """Write the matrix file (validated first; canonical, so merges diff cleanly)."""
        data = self.to_json()
        validate(data, "schema.json", what=str(path))
        write_json(path, data)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Matrix:
        """Read a matrix file; a bad or inconsistent file raises ``MatrixFileError``."""
        return cls.from_json(read_json(path), source=str(path))


def load_any(path: str | os.PathLike[str]) -> Matrix:
    """A matrix from ``path``, which may hold a matrix file or a results file."""
    data = read_json(path)
    if isinstance(data, dict) and data.get("format") == "fctest-results":
        return Matrix.from_results(ResultsFile.from_json(data, source=str(path)))
    return Matrix.from_json(data, source=str(path))
