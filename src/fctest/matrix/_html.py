"""The HTML report: one self-contained file (inline CSS and JS, no network, no external fonts).

The style and the script live beside this module (``report.css``, ``report.js``) and are
inlined into every report.

The tables are rendered here, in Python, so the page reads and prints without JavaScript; the
script only adds the interactive parts: the details panel a click opens, the filters by provider,
state, drift and findings, and the switch between the capability view and the keyword view.
Every cell shows its strongest evidence (a letter: L live, R recorded, E emulated, D declared)
and carries its evidence in ``title`` for a hover; a finding (real traffic contradicts the
profile) gets a blue corner, drift a purple one. Evidence links are paths relative to the
project root (where the report is meant to be opened) or a declaration's official source.
The evidence of each cell is embedded once as JSON
(``<script type="application/json">``, with ``<``, ``>`` and ``&`` escaped so no value can end
the script element) and the panel is built with ``textContent``, never ``innerHTML``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from ._cell import Cell, CellState, Row
from ._model import Matrix
from ._render import (
    KIND_LETTERS,
    NOTABLE_COLUMNS,
    NOTABLE_HEADING,
    SYMBOLS,
    backed_line,
    evidence_text,
    flags,
    href,
    notable,
    run_line,
    summary_line,
)

__all__ = ["render_html"]

_STATE_LABEL: dict[CellState, str] = {
    "pass": "pass",
    "partial": "partial",
    "unsupported": "unsupported",
    "fail": "fail",
    "not_tested": "not tested",
}
_STATE_ORDER: tuple[CellState, ...] = ("pass", "partial", "unsupported", "fail", "not_tested")
_HERE = Path(__file__).resolve().parent


@cache
def _asset(name: str) -> str:
    """``report.css`` / ``report.js``: shipped beside this module, inlined into every report."""
    return (_HERE / name).read_text(encoding="utf-8")


def _title(cell: Cell) -> str:
    """The hover text: state, evidence, reason, declaration, finding, drift, tests, cassettes."""
    lines = [f"{cell.row.label} — {cell.capability}: {_STATE_LABEL[cell.state]}"]
    if cell.strongest is not None:
        lines.append(f"evidence: {evidence_text(cell)}")
    if cell.reason:
        lines.append(f"reason: {cell.reason}")
    lines.append(f"declared: {cell.declared_label}")
    if cell.finding:
        lines.append(f"FINDING: {cell.finding}")
    if cell.drift:
        lines.append(f"DRIFT: {cell.drift}")
    lines += [f"documented ≠ observed: {c}" for c in cell.conflicts]
    for test_id in cell.test_ids[:5]:
        lines.append(f"test: {test_id}")
    if len(cell.test_ids) > 5:
        lines.append(f"... and {len(cell.test_ids) - 5} more")
    lines.append("click for details")
    return "\n".join(lines)


def _cell_data(cell: Cell) -> dict[str, Any]:
    strongest = cell.strongest
    return {
        "row": cell.row.label,
        "capability": cell.capability,
        "state": cell.state,
        "state_label": _STATE_LABEL[cell.state],
        "models": list(cell.models),
        "kind": cell.kind,
        "evidence_text": evidence_text(cell) if strongest is not None else None,
        "link": strongest.link if strongest is not None else None,
        "reason": cell.reason,
        "declared": cell.declared_label,
        "finding": cell.finding,
        "drift": cell.drift,
        "conflicts": list(cell.conflicts),
        "evidence": [
            {k: v for k, v in r.to_json().items() if k not in ("provider", "capability")}
            | {"link": r.link}
            for r in cell.evidence
        ],
    }


def _anchor(target: str | None, text: str) -> str:
    """``text`` linked to an evidence target (external sources open without a referrer)."""
    if target is None:
        return escape(text)
    if "://" in target:
        return (
            f'<a href="{escape(target)}" rel="noreferrer noopener" target="_blank">'
            f"{escape(text)}</a>"
        )
    return f'<a href="{escape(href(target))}">{escape(text)}</a>'


def _td(cell: Cell, key: str, column: str) -> str:
    classes = f"cell s-{cell.state}"
    classes += f" k-{cell.kind}" if cell.kind is not None else ""
    classes += " drift" if cell.drift else ""
    classes += " finding" if cell.finding else ""
    kind = f'<sup class="kind">{KIND_LETTERS[cell.kind]}</sup>' if cell.kind is not None else ""
    return (
        f'<td class="{classes}" data-cell="{key}" data-state="{cell.state}" tabindex="0" '
        f'title="{escape(_title(cell))}" aria-label="{escape(column)}: '
        f'{_STATE_LABEL[cell.state]}">{SYMBOLS[cell.state]}{kind}</td>'
    )


def _table(
    matrix: Matrix, *, keywords: bool, ids: dict[str, dict[str, Any]], table_id: str
) -> list[str]:
    rows: tuple[Row, ...] = matrix.keyword_rows if keywords else matrix.rows
    columns = matrix.keywords if keywords else matrix.capabilities
    out = [
        f'<div class="scroll"><table class="matrix" id="{table_id}">',
        "<thead><tr>",
        '<th class="corner" scope="col"><span class="hidden">provider</span></th>',
    ]
    for column in columns:
        name = column.removeprefix("keyword:")
        out.append(
            f'<th class="col" scope="col" title="{escape(column)}"><span>{escape(name)}</span></th>'
        )
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append(f'<tr data-provider="{escape(row.provider)}">')
        out.append(
            f'<th class="rowhead" scope="row" title="{escape(row.label)}">{escape(row.label)}</th>'
        )
        for column in columns:
            cell = matrix.cell(row, column)
            key = f"c{len(ids)}"
            ids[key] = _cell_data(cell)
            out.append(_td(cell, key, column))
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return out


def _notes(matrix: Matrix) -> list[str]:
    cells = notable(matrix)
    if not cells:
        return []
    out = [
        '<section class="notes" id="notes">',
        f"<h2>{NOTABLE_HEADING} ({len(cells)})</h2>",
        "<table><thead><tr>"
        + "".join(f"<th>{name}</th>" for name in NOTABLE_COLUMNS)
        + "</tr></thead><tbody>",
    ]
    for c in cells:
        marks = "".join(f'<div class="{k}text">{escape(t)}</div>' for k, t in flags(c))
        link = c.strongest.link if c.strongest is not None else None
        out.append(
            f"<tr><td>{escape(c.row.label)}</td><td><code>{escape(c.capability)}</code></td>"
            f'<td><span class="badge s-{c.state}">{_STATE_LABEL[c.state]}</span></td>'
            f"<td>{escape(c.reason or '')}</td><td>{escape(c.declared_label)}</td>"
            f"<td>{marks}</td><td>{_anchor(link, evidence_text(c))}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return out


def _json_for_script(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _legend() -> str:
    """States, the two marks, then the evidence letters."""
    states = "".join(
        f'<li><span class="swatch badge s-{s}">{SYMBOLS[s]}</span>{_STATE_LABEL[s]}</li>'
        for s in _STATE_ORDER
    )
    kinds = "".join(
        f'<li><span class="swatch kindswatch">{KIND_LETTERS[k]}</span>{k}</li>'
        for k in ("live", "recorded", "emulated", "declared")
    )
    return (
        f'<ul class="legend">{states}<li><span class="swatch finding">&nbsp;</span>'
        'finding (real traffic ≠ declared)</li><li><span class="swatch drift">&nbsp;</span>'
        f"drift (fctest's own checks ≠ declared)</li>{kinds}</ul>"
    )


def render_html(matrix: Matrix, *, title: str = "fctest capability matrix") -> str:
    """The self-contained HTML report of ``matrix``."""
    ids: dict[str, dict[str, Any]] = {}
    counts = matrix.summary()
    providers = sorted({r.provider for r in (*matrix.rows, *matrix.keyword_rows)})
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No network: block every fetch the page could attempt, inline code only.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(title)}</title>",
        f"<style>\n{_asset('report.css')}</style></head><body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(run_line(matrix.runs))} · {escape(summary_line(matrix))}</p>',
        f'<p class="meta backed">{escape(backed_line(matrix))}</p></header>',
        '<nav class="controls" aria-label="Views and filters">',
        '<div class="tabs" role="tablist">',
        '<button type="button" role="tab" data-view="capabilities" aria-selected="true" '
        'id="tab-capabilities">Capabilities</button>',
        '<button type="button" role="tab" data-view="keywords" aria-selected="false" '
        f'id="tab-keywords">JSON Schema keywords ({len(matrix.keywords)})</button>',
        "</div>",
        '<fieldset id="filter-provider"><legend>Provider</legend>',
    ]
    for provider in providers:
        out.append(
            f'<label><input type="checkbox" value="{escape(provider)}" checked> '
            f"{escape(provider)}</label>"
        )
    out.append('</fieldset><fieldset id="filter-state"><legend>State</legend>')
    for state in _STATE_ORDER:
        out.append(
            f'<label><input type="checkbox" value="{state}" checked> '
            f'<span class="badge s-{state}">{SYMBOLS[state]} {_STATE_LABEL[state]}</span> '
            f"({counts[state]})</label>"
        )
    out.append(
        f'<label><input type="checkbox" value="drift"> only drift ({counts["drift"]})</label>'
    )
    out.append(
        f'<label><input type="checkbox" value="finding"> only findings ({counts["finding"]})'
        "</label>"
    )
    out += ["</fieldset></nav>", '<div class="layout"><main>']
    out.append('<section class="view" id="view-capabilities"><h2>Capabilities</h2>')
    if matrix.rows:
        out += _table(matrix, keywords=False, ids=ids, table_id="matrix-capabilities")
    else:
        out.append('<p class="hint">No capability results.</p>')
    out.append("</section>")
    out.append('<section class="view" id="view-keywords" hidden><h2>JSON Schema keywords</h2>')
    if matrix.keyword_rows:
        out += _table(matrix, keywords=True, ids=ids, table_id="matrix-keywords")
    else:
        out.append('<p class="hint">No keyword results.</p>')
    out.append("</section>")
    out.append(_legend())
    out += _notes(matrix)
    out += [
        "</main>",
        '<aside id="details" aria-live="polite"><h3>Details</h3>'
        '<p class="hint">Hover a cell for a summary; click it (or press Enter) for its '
        "evidence.</p></aside>",
        "</div>",
        "<footer>Generated by <code>fctest matrix render --format html</code>. "
        "Rows: providers and model families; columns: the conformance catalogue's capabilities. "
        "Evidence links are relative to the project root.</footer>",
        f'<script type="application/json" id="fctest-cells">{_json_for_script(ids)}</script>',
        f"<script>\n{_asset('report.js')}</script>",
        "</body></html>",
    ]
    return "\n".join(out) + "\n"
