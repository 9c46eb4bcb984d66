"""The Markdown matrix: for a README (between markers) and for a CI job summary.

Capabilities down, columns of providers and model families across. Every tested cell shows its
state, then its strongest evidence as a letter linking to it (``R`` a recording, ``E`` a
reference-server cassette, ``L`` a cassette recorded in this run, each by its path relative to
the project; ``D`` the declaration's source), then 🔎 for a finding and ⚠️ for drift. Under the
table, a collapsed list says why each notable cell is what it is and where its evidence is.
``append_step_summary`` writes it to GitHub's job summary within its size limit.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._exceptions import UsageError
from ._cell import Cell, CellState
from ._model import Matrix
from ._render import (
    KIND_LETTERS,
    LEGEND_ORDER,
    NOTABLE_COLUMNS,
    NOTABLE_HEADING,
    backed_line,
    evidence_line,
    evidence_text,
    flags,
    href,
    notable,
    run_line,
    summary_line,
)

__all__ = [
    "BLOCK_END",
    "BLOCK_START",
    "STEP_SUMMARY_LIMIT",
    "append_step_summary",
    "embed_markdown",
    "render_markdown",
]

MD_SYMBOLS: dict[CellState, str] = {
    "pass": "✅",
    "partial": "🟡",
    "unsupported": "➖",
    "fail": "❌",
    "not_tested": "⬜",
}
MD_DRIFT = "⚠️"
MD_FINDING = "🔎"

# GitHub caps each step's summary at 1 MiB ("Adding a job summary", GitHub Actions docs:
# https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions).
STEP_SUMMARY_LIMIT = 1024 * 1024


def _md(text: str) -> str:
    """Make ``text`` safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _evidence_link(cell: Cell) -> str:
    strongest = cell.strongest
    if strongest is None:
        return ""
    letter = KIND_LETTERS[strongest.kind]
    if strongest.link is None:
        return letter
    about = [strongest.kind, strongest.model or ""]
    if strongest.interaction is not None:
        about.append(f"interaction {strongest.interaction}")
    title = _md(", ".join(a for a in about if a)).replace('"', "'")
    return f'[{letter}]({href(strongest.link)} "{title}")'


def _md_cell(cell: Cell) -> str:
    text = MD_SYMBOLS[cell.state]
    link = _evidence_link(cell)
    if link:
        text += f" {link}"
    if cell.finding:
        text += f" {MD_FINDING}"
    if cell.drift:
        text += f" {MD_DRIFT}"
    return text


def _md_table(matrix: Matrix, *, keywords: bool) -> list[str]:
    rows = matrix.keyword_rows if keywords else matrix.rows
    columns = matrix.keywords if keywords else matrix.capabilities
    first = "keyword" if keywords else "capability"
    lines = [
        "| " + " | ".join([first, *(_md(r.label) for r in rows)]) + " |",
        "|" + "|".join(["---", *(":-:" for _ in rows)]) + "|",
    ]
    for column in columns:
        name = column.removeprefix("keyword:")
        cells = [_md_cell(matrix.cell(r, column)) for r in rows]
        lines.append("| " + " | ".join([f"`{_md(name)}`", *cells]) + " |")
    return lines


def _md_evidence(cell: Cell) -> str:
    strongest = cell.strongest
    if strongest is None or strongest.link is None:
        return _md(evidence_text(cell))
    return f"[{_md(evidence_text(cell))}]({href(strongest.link)})"


def _md_details(matrix: Matrix) -> list[str]:
    cells = notable(matrix)
    if not cells:
        return []
    lines = [
        "",
        f"<details><summary>{NOTABLE_HEADING} ({len(cells)})</summary>",
        "",
        "| " + " | ".join(NOTABLE_COLUMNS) + " |",
        "|" + "|".join("---" for _ in NOTABLE_COLUMNS) + "|",
    ]
    for c in cells:
        fields = [
            _md(c.row.label),
            f"`{_md(c.capability)}`",
            c.state,
            _md(c.reason or ""),
            _md(c.declared_label),
            _md("; ".join(text for _, text in flags(c))),
            _md_evidence(c),
        ]
        lines.append("| " + " | ".join(fields) + " |")
    lines += ["", "</details>"]
    return lines


def _legend() -> str:
    states = " · ".join(f"{MD_SYMBOLS[s]} {s.replace('_', ' ')}" for s in LEGEND_ORDER)
    kinds = " · ".join(f"**{KIND_LETTERS[k]}** {k}" for k in ("live", "recorded", "emulated"))
    return (
        f"{states} · evidence (linked): {kinds}, **D** declared (profile only) · "
        f"{MD_FINDING} finding (real traffic ≠ declared) · {MD_DRIFT} drift (fctest's own "
        "checks ≠ declared)"
    )


def render_markdown(
    matrix: Matrix, *, details: bool = True, title: str | None = None, run: bool = True
) -> str:
    """Markdown for a README or a CI job summary: capabilities down, columns across.

    ``details`` adds a collapsed table of every notable cell with its reason and evidence.
    ``run=False`` leaves out the run line (commit, date), so a document that embeds the
    matrix changes only when a cell or its evidence does.
    """
    about = [summary_line(matrix), backed_line(matrix), evidence_line(matrix)]
    if run:
        about.insert(0, run_line(matrix.runs))
    lines = [
        f"## {title or 'fctest capability matrix'}",
        "",
        f"<sub>{' · '.join(_md(part) for part in about)}</sub>",
        "",
    ]
    if matrix.rows:
        lines += _md_table(matrix, keywords=False)
    else:
        lines.append("_No capability results._")
    lines += ["", _legend()]
    if matrix.keyword_rows:
        lines += ["", "### JSON Schema keywords", ""]
        lines += _md_table(matrix, keywords=True)
    if details:
        lines += _md_details(matrix)
    return "\n".join(lines) + "\n"


BLOCK_START = "<!-- fctest-matrix:start -->"
BLOCK_END = "<!-- fctest-matrix:end -->"


def embed_markdown(document: str, markdown: str, *, source: str = "the document") -> str:
    """``document`` with the text between the fctest-matrix markers replaced by ``markdown``.

    The markers (``<!-- fctest-matrix:start -->`` and ``<!-- fctest-matrix:end -->``, each on
    its own line) stay; a README keeps its generated matrix between them.
    """
    start, end = document.find(BLOCK_START), document.find(BLOCK_END)
    if start < 0 or end < start:
        raise UsageError(f"{source}: no {BLOCK_START} ... {BLOCK_END} block to put the matrix in")
    head = document[: start + len(BLOCK_START)]
    return f"{head}\n{markdown.rstrip()}\n{document[end:]}"


def _cut(text: str, budget: int) -> str:
    kept: list[str] = []
    used = 0
    for line in text.splitlines(keepends=True):
        size = len(line.encode())
        if used + size > budget:
            break
        kept.append(line)
        used += size
    return "".join(kept)


def append_step_summary(
    matrix: Matrix, *, path: str | os.PathLike[str] | None = None, limit: int = STEP_SUMMARY_LIMIT
) -> bool:
    """Append the Markdown matrix to ``$GITHUB_STEP_SUMMARY`` (or ``path``), within ``limit``.

    The summary file may already hold other steps' text: only the room left is used. When the
    full report does not fit, the details table is left out; when even that does not fit, the
    text is cut at a line boundary with a note. Returns ``False`` when there is nowhere to write.
    """
    target = path if path is not None else os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    file = Path(target)
    room = limit - (file.stat().st_size if file.exists() else 0)
    note = "\n_(matrix cut to fit the job summary limit; see the matrix artifact)_\n"
    text = "\n" + render_markdown(matrix)
    if len(text.encode()) > room:
        text = "\n" + render_markdown(matrix, details=False)
    if len(text.encode()) > room:
        budget = room - len(note.encode())
        if budget <= 0:
            return False
        text = _cut(text, budget) + note
    with file.open("a", encoding="utf-8") as out:
        out.write(text)
    return True
