"""Renderers for people: a terminal table, Markdown, JSON (HTML lives in ``_html``).

Each renderer is a pure function of a ``Matrix`` returning text, so snapshots pin them. Colour
and terminal detection happen only in ``print_summary`` (what the pytest plugin calls at the end
of a run) and ``should_color``; ``append_step_summary`` writes Markdown to GitHub's job summary
within its size limit.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from .._exceptions import UsageError
from ._files import dumps
from ._model import Cell, CellState, Matrix, Row
from ._results import ResultsFile, RunInfo

__all__ = [
    "STEP_SUMMARY_LIMIT",
    "append_step_summary",
    "embed_markdown",
    "evidence_line",
    "print_summary",
    "render_json",
    "render_markdown",
    "render_terminal",
    "should_color",
]

SYMBOLS: dict[CellState, str] = {
    "pass": "✓",
    "partial": "~",
    "unsupported": "–",
    "fail": "✗",
    "not_tested": "·",
}
ASCII_SYMBOLS: dict[CellState, str] = {
    "pass": "+",
    "partial": "~",
    "unsupported": "-",
    "fail": "x",
    "not_tested": ".",
}
DRIFT_MARK = "!"
_ANSI: dict[CellState | str, str] = {
    "pass": "\x1b[32m",
    "partial": "\x1b[33m",
    "unsupported": "\x1b[36m",
    "fail": "\x1b[1;31m",
    "not_tested": "\x1b[2m",
    "drift": "\x1b[1;35m",
    "head": "\x1b[1m",
}
_RESET = "\x1b[0m"
_LEGEND_ORDER: tuple[CellState, ...] = ("pass", "partial", "unsupported", "fail", "not_tested")

# GitHub caps each step's summary at 1 MiB ("Adding a job summary", GitHub Actions docs:
# https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions).
STEP_SUMMARY_LIMIT = 1024 * 1024


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def run_line(runs: Sequence[RunInfo]) -> str:
    """One line on where the results come from."""
    if not runs:
        return "no run metadata"
    latest = max(runs, key=lambda r: r.date)
    commit = (latest.git_commit or "no commit")[:12]
    text = f"fctest {latest.fctest_version} · {commit} · {latest.date} · {latest.python}"
    if len(runs) > 1:
        text += f" · {len(runs)} runs merged"
    return text


def evidence_line(matrix: Matrix) -> str:
    """Where the cells' cassettes come from, counted by provenance (live, reference server...)."""
    sources: dict[str, set[str]] = {}
    for cell in matrix.cells():
        for cassette, provenance in cell.cassettes:
            source = str((provenance or {}).get("source", "unknown provenance"))
            sources.setdefault(source, set()).add(cassette)
    if not sources:
        return "no cassettes"
    counts = ", ".join(f"{len(paths)} {source}" for source, paths in sorted(sources.items()))
    return f"cassettes: {counts}"


def summary_line(matrix: Matrix) -> str:
    counts = matrix.summary()
    parts = [f"{counts[s]} {s.replace('_', ' ')}" for s in _LEGEND_ORDER if counts[s]]
    if counts["drift"]:
        parts.append(f"{counts['drift']} drift")
    return ", ".join(parts) or "empty"


# --- terminal -------------------------------------------------------------------------------


def _table(
    rows: Sequence[Row],
    columns: Sequence[str],
    cell: Mapping[tuple[Row, str], Cell],
    *,
    width: int,
    color: bool,
    symbols: Mapping[CellState, str],
    number_from: int,
) -> list[str]:
    label_width = min(max((len(r.label) for r in rows), default=8), 26)
    per_block = max((width - label_width - 1) // 3, 1)
    lines: list[str] = []
    for start in range(0, len(columns), per_block):
        block = columns[start : start + per_block]
        # A cell is " " + mark + drift: a column number's last digit sits above the mark.
        head = "".join(f"{number_from + start + i:>2} " for i in range(len(block)))
        lines.append(_paint((" " * label_width + head).rstrip(), "head", color))
        for row in rows:
            out = [_clip(row.label, label_width).ljust(label_width)]
            for column in block:
                c = cell[(row, column)]
                mark = symbols[c.state]
                drift = DRIFT_MARK if c.drift else " "
                out.append(" " + _paint(mark, c.state, color) + _paint(drift, "drift", color))
            lines.append("".join(out).rstrip())
        if start + per_block < len(columns):
            lines.append("")
    return lines


def _paint(text: str, style: str, color: bool) -> str:
    if not color or not text.strip():
        return text
    return f"{_ANSI[style]}{text}{_RESET}"


def _legend(names: Sequence[str], *, width: int, number_from: int) -> list[str]:
    entries = [f"{number_from + i:>2} {name}" for i, name in enumerate(names)]
    cell_width = min(max((len(e) for e in entries), default=0) + 2, width)
    per_line = max(width // cell_width, 1)
    lines = []
    for start in range(0, len(entries), per_line):
        chunk = entries[start : start + per_line]
        lines.append("".join(_clip(e, cell_width - 2).ljust(cell_width) for e in chunk).rstrip())
    return lines


def render_terminal(
    matrix: Matrix, *, color: bool = False, width: int = 100, unicode: bool = True, limit: int = 20
) -> str:
    """A compact table (providers by numbered capabilities) with a legend, fitting ``width``.

    Under it: the failing and drifting cells with their reason, at most ``limit`` lines.
    """
    symbols = SYMBOLS if unicode else ASCII_SYMBOLS
    lines = [
        _paint(_clip(f"fctest capability matrix · {summary_line(matrix)}", width), "head", color),
        _clip(run_line(matrix.runs), width),
    ]
    index = {(c.row, c.capability): c for c in matrix.cells()}
    if not matrix.rows:
        lines.append("no capability results")
    else:
        lines.append("")
        lines += _table(
            matrix.rows,
            matrix.capabilities,
            index,
            width=width,
            color=color,
            symbols=symbols,
            number_from=1,
        )
        lines.append("")
        lines += _legend(matrix.capabilities, width=width, number_from=1)
    if matrix.keyword_rows:
        kindex = {(c.row, c.capability): c for c in matrix.cells(keywords=True)}
        names = [k.removeprefix("keyword:") for k in matrix.keywords]
        lines += ["", _paint("JSON Schema keywords", "head", color)]
        lines += _table(
            matrix.keyword_rows,
            matrix.keywords,
            kindex,
            width=width,
            color=color,
            symbols=symbols,
            number_from=1,
        )
        lines.append("")
        lines += _legend(names, width=width, number_from=1)
    legend = "  ".join(f"{symbols[s]} {s.replace('_', ' ')}" for s in _LEGEND_ORDER)
    lines += ["", _clip(f"{legend}  {DRIFT_MARK} drift", width)]
    notable = [
        c
        for c in (*matrix.cells(), *matrix.cells(keywords=True))
        if c.state == "fail" or c.drift is not None
    ]
    if notable:
        lines += ["", _paint(f"failing or drifting ({len(notable)}):", "head", color)]
        for c in notable[:limit]:
            why = c.reason if c.state == "fail" else c.drift
            if c.state == "fail" and c.drift:
                why = f"{c.reason}; drift: {c.drift}"
            text = f"  {c.row.label}: {c.capability}: {c.state}: {why}"
            lines.append(_clip(text, width))
        if len(notable) > limit:
            lines.append(
                f"  ... and {len(notable) - limit} more (fctest matrix render --format html)"
            )
    text = "\n".join(lines) + "\n"
    return text if unicode else text.translate(_ASCII_TEXT)


_ASCII_TEXT = str.maketrans({"·": "-", "…": ".", "—": "-", "–": "-"})


def should_color(stream: TextIO) -> bool:
    """Colour when ``stream`` is a terminal or ``FORCE_COLOR`` is set; never when ``NO_COLOR``.

    The same precedence as pytest's terminal writer: ``NO_COLOR`` wins over ``FORCE_COLOR``.
    """
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _can_encode(stream: TextIO, text: str) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def print_summary(
    source: Matrix | ResultsFile | Iterable[ResultsFile],
    *,
    file: TextIO | None = None,
    color: bool | None = None,
    width: int = 100,
) -> None:
    """Print the terminal table (what the pytest plugin calls at the end of a run).

    ``color=None`` decides from ``file`` (see ``should_color``); symbols fall back to ASCII when
    the stream's encoding cannot carry them. Inside pytest, where output goes through the
    terminal reporter, write ``render_terminal(matrix, color=writer.hasmarkup)`` with the writer
    of ``config.get_terminal_writer()`` instead.
    """
    stream = file if file is not None else sys.stdout
    if isinstance(source, Matrix):
        matrix = source
    elif isinstance(source, ResultsFile):
        matrix = Matrix.from_results(source)
    else:
        matrix = Matrix.from_results(*source)
    text = render_terminal(
        matrix,
        color=should_color(stream) if color is None else color,
        width=width,
        unicode=_can_encode(stream, "".join(SYMBOLS.values()) + "·…"),
    )
    stream.write(text)
    stream.flush()


# --- Markdown -------------------------------------------------------------------------------

MD_SYMBOLS: dict[CellState, str] = {
    "pass": "✅",
    "partial": "🟡",
    "unsupported": "➖",
    "fail": "❌",
    "not_tested": "⬜",
}
MD_DRIFT = "⚠️"


def _md(text: str) -> str:
    """Make ``text`` safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _md_cell(cell: Cell) -> str:
    mark = MD_SYMBOLS[cell.state]
    return f"{mark}{MD_DRIFT}" if cell.drift else mark


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


def _md_details(matrix: Matrix) -> list[str]:
    notable = [
        c
        for c in (*matrix.cells(), *matrix.cells(keywords=True))
        if c.state not in ("pass", "not_tested") or c.drift
    ]
    if not notable:
        return []
    lines = [
        "",
        f"<details><summary>Not passing or drifting ({len(notable)})</summary>",
        "",
        "| provider | capability | state | reason | declared | drift | tests |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in notable:
        tests = "<br>".join(f"`{_md(t)}`" for t in c.test_ids)
        lines.append(
            "| "
            + " | ".join(
                [
                    _md(c.row.label),
                    f"`{_md(c.capability)}`",
                    c.state,
                    _md(c.reason or ""),
                    _md(c.declared_label),
                    _md(c.drift or ""),
                    tests,
                ]
            )
            + " |"
        )
    lines += ["", "</details>"]
    return lines


def render_markdown(
    matrix: Matrix, *, details: bool = True, title: str | None = None, run: bool = True
) -> str:
    """Markdown for a README or a CI job summary: capabilities down, providers across.

    ``details`` adds a collapsed table of every cell that is not ``pass`` with its reason.
    ``run=False`` leaves out the run line (commit, date), so a document that embeds the
    matrix changes only when a cell or its evidence does.
    """
    legend = " · ".join(f"{MD_SYMBOLS[s]} {s.replace('_', ' ')}" for s in _LEGEND_ORDER)
    about = [summary_line(matrix), evidence_line(matrix)]
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
    lines += ["", f"{legend} · {MD_DRIFT} declared ≠ observed (drift)"]
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
        kept: list[str] = []
        used = 0
        for line in text.splitlines(keepends=True):
            size = len(line.encode())
            if used + size > budget:
                break
            kept.append(line)
            used += size
        text = "".join(kept) + note
    with file.open("a", encoding="utf-8") as out:
        out.write(text)
    return True


# --- JSON -----------------------------------------------------------------------------------


def render_json(matrix: Matrix) -> str:
    """The matrix file's text (what ``merge -o`` writes)."""
    data: dict[str, Any] = matrix.to_json()
    return dumps(data)
