"""Renderers for people: the terminal table, and what every renderer shares (Markdown lives in
``_markdown``, HTML in ``_html``).

Each renderer is a pure function of a ``Matrix`` returning text, so snapshots pin them. Every
cell shows its state, the kind of its strongest evidence (``L`` live, ``R`` recorded, ``E``
emulated, ``D`` declared) and a mark for a finding (real traffic contradicts the profile) or
drift (fctest's own checks do); the list under the table says where each notable cell's
evidence is. Colour and terminal detection happen only in ``print_summary`` (what the pytest
plugin calls at the end of a run) and ``should_color``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO
from urllib.parse import quote

from ._cell import Cell, CellState, Row
from ._evidence import EVIDENCE_KINDS, EvidenceKind
from ._files import dumps
from ._model import Matrix
from ._results import ResultsFile, RunInfo

__all__ = [
    "KIND_LETTERS",
    "NOTABLE_COLUMNS",
    "NOTABLE_HEADING",
    "backed_line",
    "evidence_line",
    "evidence_text",
    "flags",
    "href",
    "notable",
    "print_summary",
    "render_json",
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
KIND_LETTERS: dict[EvidenceKind, str] = {
    "live": "L",
    "recorded": "R",
    "emulated": "E",
    "declared": "D",
}
DRIFT_MARK = "!"
FINDING_MARK = "◆"
_ANSI: dict[CellState | str, str] = {
    "pass": "\x1b[32m",
    "partial": "\x1b[33m",
    "unsupported": "\x1b[36m",
    "fail": "\x1b[1;31m",
    "not_tested": "\x1b[2m",
    "drift": "\x1b[1;35m",
    "finding": "\x1b[1;34m",
    "kind": "\x1b[2m",
    "head": "\x1b[1m",
}
_RESET = "\x1b[0m"
LEGEND_ORDER: tuple[CellState, ...] = ("pass", "partial", "unsupported", "fail", "not_tested")
_STRONGEST_FIRST: tuple[EvidenceKind, ...] = tuple(reversed(EVIDENCE_KINDS))


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
    """Where the cells' cassettes come from, counted by provenance (live, reference server,
    recorded...)."""
    sources: dict[str, set[str]] = {}
    for cell in matrix.cells():
        for cassette, provenance in cell.cassettes:
            source = str((provenance or {}).get("source", "unknown provenance"))
            sources.setdefault(source, set()).add(cassette)
    if not sources:
        return "no cassettes"
    counts = ", ".join(f"{len(paths)} {source}" for source, paths in sorted(sources.items()))
    return f"cassettes: {counts}"


def backed_line(matrix: Matrix) -> str:
    """What the capability table's claims rest on: tested cells by their strongest evidence."""
    kinds: Mapping[str, int] = matrix.summary()["evidence"]
    parts = [f"{kinds[k]} {k}" for k in _STRONGEST_FIRST]
    return f"backed by (strongest evidence per tested cell): {', '.join(parts)}"


def summary_line(matrix: Matrix) -> str:
    counts = matrix.summary()
    parts = [f"{counts[s]} {s.replace('_', ' ')}" for s in LEGEND_ORDER if counts[s]]
    for flag in ("finding", "drift"):
        if counts[flag]:
            parts.append(f"{counts[flag]} {flag}")
    return ", ".join(parts) or "empty"


def notable(
    matrix: Matrix, *, states: tuple[CellState, ...] = ("fail", "partial", "unsupported")
) -> list[Cell]:
    """Cells a reader should look at: in one of ``states``, holding a finding, drifting, or
    with a documented-vs-observed conflict."""
    return [
        c
        for c in (*matrix.cells(), *matrix.cells(keywords=True))
        if c.state in states or c.drift or c.finding or c.conflicts
    ]


NOTABLE_HEADING = "Not passing, findings, drift or conflicts"
NOTABLE_COLUMNS = (
    "column",
    "capability",
    "state",
    "reason",
    "declared",
    "finding or drift",
    "evidence",
)
"""The list of notable cells the Markdown and HTML reports end with: its heading and columns."""


def href(target: str) -> str:
    """A link to an evidence target: a URL as it is, a path percent-encoded (cassette names
    hold brackets and spaces)."""
    return target if "://" in target else quote(target, safe="/#:.-_~")


def flags(cell: Cell) -> list[tuple[str, str]]:
    """``(kind, text)`` for the cell's finding, drift and documented-vs-observed conflicts."""
    out = [("finding", f"finding: {cell.finding}")] if cell.finding else []
    out += [("drift", f"drift: {cell.drift}")] if cell.drift else []
    out += [("conflict", f"documented ≠ observed: {c}") for c in cell.conflicts]
    return out


def evidence_text(cell: Cell) -> str:
    """The strongest evidence in words: kind, where (path#interaction or source), model."""
    strongest = cell.strongest
    if strongest is None:
        return "no evidence"
    where = strongest.link or strongest.test_id
    if strongest.interaction is not None and strongest.link is not None:
        where += f"#{strongest.interaction}"
    model = f", {strongest.model}" if strongest.model else ""
    return f"{strongest.kind}: {where}{model}"


# --- terminal -------------------------------------------------------------------------------


def _flag(cell: Cell) -> tuple[str, str]:
    if cell.finding:
        return FINDING_MARK, "finding"
    if cell.drift:
        return DRIFT_MARK, "drift"
    return " ", "drift"


def _cell_text(cell: Cell, *, color: bool, symbols: Mapping[CellState, str]) -> str:
    # A cell is " " + mark + evidence letter + flag: a column number's last digit sits above
    # the mark.
    kind = KIND_LETTERS[cell.kind] if cell.kind is not None else " "
    flag, style = _flag(cell)
    return (
        " "
        + _paint(symbols[cell.state], cell.state, color)
        + _paint(kind, "kind", color)
        + _paint(flag, style, color)
    )


def _table(
    rows: Sequence[Row],
    columns: Sequence[str],
    cell: Mapping[tuple[Row, str], Cell],
    *,
    width: int,
    color: bool,
    symbols: Mapping[CellState, str],
) -> list[str]:
    label_width = min(max((len(r.label) for r in rows), default=8), 30)
    per_block = max((width - label_width - 1) // 4, 1)
    lines: list[str] = []
    for start in range(0, len(columns), per_block):
        block = columns[start : start + per_block]
        head = "".join(f"{start + i + 1:>2}  " for i in range(len(block)))
        lines.append(_paint((" " * label_width + head).rstrip(), "head", color))
        for row in rows:
            out = [_clip(row.label, label_width).ljust(label_width)]
            out += [_cell_text(cell[(row, c)], color=color, symbols=symbols) for c in block]
            lines.append("".join(out).rstrip())
        if start + per_block < len(columns):
            lines.append("")
    return lines


def _paint(text: str, style: str, color: bool) -> str:
    if not color or not text.strip():
        return text
    return f"{_ANSI[style]}{text}{_RESET}"


def _legend(names: Sequence[str], *, width: int) -> list[str]:
    entries = [f"{i + 1:>2} {name}" for i, name in enumerate(names)]
    cell_width = min(max((len(e) for e in entries), default=0) + 2, width)
    per_line = max(width // cell_width, 1)
    lines = []
    for start in range(0, len(entries), per_line):
        chunk = entries[start : start + per_line]
        lines.append("".join(_clip(e, cell_width - 2).ljust(cell_width) for e in chunk).rstrip())
    return lines


def _section(
    matrix: Matrix, *, keywords: bool, width: int, color: bool, symbols: Mapping[CellState, str]
) -> list[str]:
    rows = matrix.keyword_rows if keywords else matrix.rows
    columns = matrix.keywords if keywords else matrix.capabilities
    index = {(c.row, c.capability): c for c in matrix.cells(keywords=keywords)}
    names = [k.removeprefix("keyword:") for k in columns]
    lines = _table(rows, columns, index, width=width, color=color, symbols=symbols)
    return [*lines, "", *_legend(names, width=width)]


def _why(cell: Cell) -> str:
    parts = [cell.reason] if cell.state == "fail" and cell.reason else []
    parts += [text for _, text in flags(cell)]
    return "; ".join(parts) or str(cell.reason)


def render_terminal(
    matrix: Matrix, *, color: bool = False, width: int = 100, unicode: bool = True, limit: int = 20
) -> str:
    """A compact table (columns of providers and model families by numbered capabilities) with
    a legend, fitting ``width``.

    Under it: the failing cells, findings, drift and conflicts (at most ``limit`` of them),
    each with its reason and, on a second line, its strongest evidence.
    """
    symbols = SYMBOLS if unicode else ASCII_SYMBOLS
    lines = [
        _paint(_clip(f"fctest capability matrix · {summary_line(matrix)}", width), "head", color),
        _clip(run_line(matrix.runs), width),
        _clip(backed_line(matrix), width),
    ]
    if not matrix.rows:
        lines.append("no capability results")
    else:
        lines += ["", *_section(matrix, keywords=False, width=width, color=color, symbols=symbols)]
    if matrix.keyword_rows:
        lines += ["", _paint("JSON Schema keywords", "head", color)]
        lines += _section(matrix, keywords=True, width=width, color=color, symbols=symbols)
    legend = "  ".join(f"{symbols[s]} {s.replace('_', ' ')}" for s in LEGEND_ORDER)
    kinds = " ".join(f"{KIND_LETTERS[k]} {k}" for k in _STRONGEST_FIRST)
    lines += ["", _clip(f"{legend}  {FINDING_MARK} finding  {DRIFT_MARK} drift", width)]
    lines.append(_clip(f"evidence: {kinds}", width))
    cells = notable(matrix, states=("fail",))
    if cells:
        heading = f"failing, findings, drift or conflicts ({len(cells)}):"
        lines += ["", _paint(heading, "head", color)]
        for c in cells[:limit]:
            lines.append(_clip(f"  {c.row.label}: {c.capability}: {c.state}: {_why(c)}", width))
            lines.append(_clip(f"      {evidence_text(c)}", width))
        if len(cells) > limit:
            more = len(cells) - limit
            lines.append(f"  ... and {more} more (fctest matrix render --format html)")
    text = "\n".join(lines) + "\n"
    return text if unicode else text.translate(_ASCII_TEXT)


_ASCII_TEXT = str.maketrans({"·": "-", "…": ".", "—": "-", "–": "-", "◆": "*", "≠": "!="})


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


def can_encode(stream: TextIO, text: str) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


TERMINAL_GLYPHS = "".join(SYMBOLS.values()) + "·…" + FINDING_MARK


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
        unicode=can_encode(stream, TERMINAL_GLYPHS),
    )
    stream.write(text)
    stream.flush()


# --- JSON -----------------------------------------------------------------------------------


def render_json(matrix: Matrix) -> str:
    """The matrix file's text (what ``merge -o`` writes)."""
    data: dict[str, Any] = matrix.to_json()
    return dumps(data)
