"""The capability matrix: results files in, one versioned matrix file out, diffed and rendered.

- ``Result`` / ``RunInfo`` / ``ResultsFile``: what the pytest plugin writes after a run
  (``results.schema.json``); each result says what kind of evidence backs it
  (``EvidenceKind``: declared, emulated, recorded, live).
- ``observe`` / ``ObservationsFile``: what real recordings show, per provider and model
  (``observations.schema.json``); their ``recorded`` evidence merges like results.
- ``Matrix``: columns (provider, model family) by rows (capabilities, then JSON Schema
  keywords), each ``Cell`` with a state, a strongest evidence, drift and findings derived from
  its evidence; ``Matrix.merge`` is a set union, so merging shards is associative and
  order-independent; ``dump``/``load`` read and write the matrix file (``schema.json``),
  validated both ways.
- ``diff``: the release gate (regression, fix, finding, new, removed, evidence).
- ``render_terminal`` / ``render_markdown`` / ``render_html`` / ``render_json``, and
  ``print_summary`` (the plugin's end-of-run table) and ``append_step_summary``.
- ``merge_command`` / ``diff_command`` / ``render_command`` / ``observe_command``:
  ``fctest matrix ...``.

``fctest.matrix`` is imported by the pytest plugin and the ``fctest matrix`` command, never by
``import fctest``; it does not import pytest, vcrpy or hypothesis. See ``docs/matrix.md``.
"""

from __future__ import annotations

from ._cell import Row
from ._cli import diff_command, merge_command, observe_command, render_command
from ._diff import Allow, Change, ChangeKind, Diff, diff
from ._evidence import EVIDENCE_KINDS, EvidenceKind
from ._files import MatrixFileError
from ._html import render_html
from ._markdown import append_step_summary, embed_markdown, render_markdown
from ._model import (
    MATRIX_FORMAT,
    MATRIX_VERSION,
    STATES,
    Cell,
    CellState,
    Matrix,
    catalogue_capabilities,
    combine,
    load_any,
)
from ._observations import (
    OBSERVATIONS_FORMAT,
    OBSERVATIONS_VERSION,
    Observation,
    ObservationsFile,
)
from ._observe import observe
from ._profiles import with_profile
from ._render import print_summary, render_json, render_terminal, should_color
from ._results import (
    RESULTS_FORMAT,
    RESULTS_VERSION,
    Outcome,
    Result,
    ResultsFile,
    RunInfo,
    git_commit,
)

__all__ = [
    "EVIDENCE_KINDS",
    "MATRIX_FORMAT",
    "MATRIX_VERSION",
    "OBSERVATIONS_FORMAT",
    "OBSERVATIONS_VERSION",
    "RESULTS_FORMAT",
    "RESULTS_VERSION",
    "STATES",
    "Allow",
    "Cell",
    "CellState",
    "Change",
    "ChangeKind",
    "Diff",
    "EvidenceKind",
    "Matrix",
    "MatrixFileError",
    "Observation",
    "ObservationsFile",
    "Outcome",
    "Result",
    "ResultsFile",
    "Row",
    "RunInfo",
    "append_step_summary",
    "catalogue_capabilities",
    "combine",
    "diff",
    "diff_command",
    "embed_markdown",
    "git_commit",
    "load_any",
    "merge_command",
    "observe",
    "observe_command",
    "print_summary",
    "render_command",
    "render_html",
    "render_json",
    "render_markdown",
    "render_terminal",
    "should_color",
    "with_profile",
]
