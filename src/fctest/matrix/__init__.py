"""The capability matrix: results files in, one versioned matrix file out, diffed and rendered.

- ``Result`` / ``RunInfo`` / ``ResultsFile``: what the pytest plugin writes after a run
  (``results.schema.json``).
- ``Matrix``: rows (provider, model) by columns (capabilities, then JSON Schema keywords), each
  ``Cell`` with a state derived from its evidence; ``Matrix.merge`` is a set union, so merging
  shards is associative and order-independent; ``dump``/``load`` read and write the matrix file
  (``schema.json``), validated both ways.
- ``diff``: the release gate (regression, fix, new, removed, evidence).
- ``render_terminal`` / ``render_markdown`` / ``render_html`` / ``render_json``, and
  ``print_summary`` (the plugin's end-of-run table) and ``append_step_summary``.
- ``merge_command`` / ``diff_command`` / ``render_command``: ``fctest matrix ...``.

``fctest.matrix`` is imported by the pytest plugin and the ``fctest matrix`` command, never by
``import fctest``; it does not import pytest, vcrpy or hypothesis. See ``docs/matrix.md``.
"""

from __future__ import annotations

from ._cli import diff_command, merge_command, render_command
from ._diff import Allow, Change, ChangeKind, Diff, diff
from ._files import MatrixFileError
from ._html import render_html
from ._model import (
    MATRIX_FORMAT,
    MATRIX_VERSION,
    STATES,
    Cell,
    CellState,
    Matrix,
    Row,
    catalogue_capabilities,
    combine,
    load_any,
)
from ._render import (
    append_step_summary,
    embed_markdown,
    print_summary,
    render_json,
    render_markdown,
    render_terminal,
    should_color,
)
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
    "MATRIX_FORMAT",
    "MATRIX_VERSION",
    "RESULTS_FORMAT",
    "RESULTS_VERSION",
    "STATES",
    "Allow",
    "Cell",
    "CellState",
    "Change",
    "ChangeKind",
    "Diff",
    "Matrix",
    "MatrixFileError",
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
    "print_summary",
    "render_command",
    "render_html",
    "render_json",
    "render_markdown",
    "render_terminal",
    "should_color",
]
