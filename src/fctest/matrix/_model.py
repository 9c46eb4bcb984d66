"""The matrix: columns (provider, model family) by rows (capabilities, then keywords).

A matrix is a pure function of a set of results plus the runs they came from: every cell's
state, strongest evidence, reason, declared value, drift and findings are derived from its
evidence (``_cell``). That is what makes merging a set union, and therefore associative,
commutative and idempotent, and what lets ``load`` check a file's stated cell states against
its evidence. A results file, an observations file (``fctest matrix observe``) and a matrix file
all load as a matrix (``load_any``).

Version 2 of the file files results under a provider and a model family (the families the
resolved profile applies; ``provider defaults`` for a model no rule knows) rather than a model,
and states each cell's strongest evidence and findings. Version 1 files are still read: their
models are resolved with the installed profiles.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, get_args

from ._cell import STATES, Cell, CellState, Row, combine, row_of
from ._evidence import EVIDENCE_KINDS
from ._files import JsonFile, MatrixFileError, read_json, validate
from ._results import Result, ResultsFile, RunInfo

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
MATRIX_VERSION = 2


def catalogue_capabilities() -> tuple[str, ...]:
    """The scenario catalogue's capability tags, in catalogue order (the fixed columns)."""
    from ..scenarios import Capability

    return get_args(Capability)


def _canonical(results: Iterable[Result]) -> tuple[Result, ...]:
    unique = {r.sort_key(): r for r in results}
    return tuple(unique[k] for k in sorted(unique))


def _canonical_runs(runs: Iterable[RunInfo]) -> tuple[RunInfo, ...]:
    unique = {r.sort_key(): r for r in runs}
    return tuple(unique[k] for k in sorted(unique))


@dataclass(frozen=True, slots=True)
class Matrix(JsonFile):
    """The capability matrix of a set of results. Build with ``from_results`` or ``load``.

    ``results`` and ``runs`` are kept deduplicated and in a content-based order, so equal sets
    give equal matrices and byte-identical files whatever order they were merged in.
    """

    SCHEMA: ClassVar[str] = "schema.json"

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
            key = (row_of(result), result.capability)
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

    def summary(self) -> dict[str, Any]:
        """Counts of capability-table cells per state, how many drift and how many hold a
        finding, and per strongest evidence kind (tested cells only)."""
        counts: Counter[str] = Counter(dict.fromkeys(STATES, 0))
        kinds: Counter[str] = Counter(dict.fromkeys(EVIDENCE_KINDS, 0))
        drift = finding = 0
        for cell in self.cells():
            counts[cell.state] += 1
            drift += cell.drift is not None
            finding += cell.finding is not None
            if cell.kind is not None:
                kinds[cell.kind] += 1
        return {
            **{s: counts[s] for s in STATES},
            "drift": drift,
            "finding": finding,
            "evidence": {k: kinds[k] for k in EVIDENCE_KINDS},
        }

    # --- the file -----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MATRIX_FORMAT,
            "version": MATRIX_VERSION,
            "runs": [run.to_json() for run in self.runs],
            "capabilities": list(self.capabilities),
            "keywords": [k.removeprefix("keyword:") for k in self.keywords],
            "rows": [{"provider": r.provider, "family": r.family} for r in self.rows],
            "keyword_rows": [
                {"provider": r.provider, "family": r.family} for r in self.keyword_rows
            ],
            "cells": [c.to_json() for c in (*self.cells(), *self.cells(keywords=True))],
            "summary": self.summary(),
        }

    @classmethod
    def from_json(cls, data: Any, *, source: str = "<data>") -> Matrix:
        """Validate a parsed matrix file and rebuild it from its evidence.

        A cell whose stated ``state`` does not follow from its evidence (a hand edit, or a file
        from a fctest with other rules) is an error rather than silently recomputed. A version 1
        file's cells name a model: its results get the model's families from the installed
        profiles.
        """
        validate(data, "schema.json", what=source)
        upgrade = data["version"] < MATRIX_VERSION
        results: list[Result] = []
        for cell in data["cells"]:
            evidence = [_evidence_result(cell, item, upgrade) for item in cell["evidence"]]
            derived = Cell(Row(cell["provider"]), cell["capability"], tuple(evidence))
            if derived.state != cell["state"]:
                where = f"{cell['provider']} / {cell['capability']}"
                raise MatrixFileError(
                    f"{source}: cell {where}: state {cell['state']!r} does not follow from its "
                    f"evidence (which gives {derived.state!r})"
                )
            results.extend(evidence)
        return cls(runs=tuple(RunInfo._from_valid(r) for r in data["runs"]), results=tuple(results))


def _evidence_result(cell: dict[str, Any], item: dict[str, Any], upgrade: bool) -> Result:
    """A cell's evidence entry as the result it was (a version 1 entry takes the cell's model,
    and its families from the installed profile)."""
    record = {**item, "provider": cell["provider"], "capability": cell["capability"]}
    if not upgrade:
        return Result._from_valid(record)
    from ._profiles import with_profile

    return with_profile(Result._from_valid({**record, "model": cell["model"]}))


def load_any(path: str | os.PathLike[str]) -> Matrix:
    """A matrix from ``path``, which may hold a matrix file, a results file or an observations
    file (``fctest matrix observe``)."""
    data = read_json(path)
    kind = data.get("format") if isinstance(data, dict) else None
    if kind == "fctest-results":
        return Matrix.from_results(ResultsFile.from_json(data, source=str(path)))
    if kind == "fctest-observations":
        from ._observations import ObservationsFile

        return Matrix.from_results(ObservationsFile.from_json(data, source=str(path)).results())
    return Matrix.from_json(data, source=str(path))
