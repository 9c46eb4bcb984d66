"""The HTML report: one self-contained file (inline CSS and JS, no network, no external fonts).

The style and the script live beside this module (``report.css``, ``report.js``) and are
inlined into every report.

The tables are rendered here, in Python, so the page reads and prints without JavaScript; the
script only adds the interactive parts: the details panel a click opens, the filters by provider
and state, and the switch between the capability view and the keyword view. Every cell also
carries its evidence in ``title`` for a hover. The evidence of each cell is embedded once as JSON
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

from ._model import Cell, CellState, Matrix, Row
from ._render import SYMBOLS, run_line, summary_line

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
    """The hover text: state, reason, declaration, drift, tests and cassettes, one per line."""
    lines = [f"{cell.row.label} — {cell.capability}: {_STATE_LABEL[cell.state]}"]
    if cell.reason:
        lines.append(f"reason: {cell.reason}")
    lines.append(f"declared: {cell.declared_label}")
    if cell.drift:
        lines.append(f"DRIFT: {cell.drift}")
    for test_id in cell.test_ids:
        lines.append(f"test: {test_id}")
    for cassette, provenance in cell.cassettes:
        origin = ", ".join(f"{k}: {v}" for k, v in sorted((provenance or {}).items()))
        lines.append(f"cassette: {cassette}" + (f" ({origin})" if origin else ""))
    lines.append("click for details")
    return "\n".join(lines)


def _cell_data(cell: Cell) -> dict[str, Any]:
    return {
        "row": cell.row.label,
        "capability": cell.capability,
        "state": cell.state,
        "state_label": _STATE_LABEL[cell.state],
        "reason": cell.reason,
        "declared": cell.declared_label,
        "drift": cell.drift,
        "evidence": [
            {k: v for k, v in r.to_json().items() if k not in ("provider", "model", "capability")}
            for r in cell.evidence
        ],
    }


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
            classes = f"cell s-{cell.state}" + (" drift" if cell.drift else "")
            out.append(
                f'<td class="{classes}" data-cell="{key}" data-state="{cell.state}" tabindex="0" '
                f'title="{escape(_title(cell))}" aria-label="{escape(column)}: '
                f'{_STATE_LABEL[cell.state]}">{SYMBOLS[cell.state]}</td>'
            )
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return out


def _notes(matrix: Matrix) -> list[str]:
    notable = [
        c
        for c in (*matrix.cells(), *matrix.cells(keywords=True))
        if c.state not in ("pass", "not_tested") or c.drift
    ]
    if not notable:
        return []
    out = [
        '<section class="notes" id="notes">',
        f"<h2>Not passing or drifting ({len(notable)})</h2>",
        "<table><thead><tr><th>provider</th><th>capability</th><th>state</th><th>reason</th>"
        "<th>declared</th><th>drift</th></tr></thead><tbody>",
    ]
    for c in notable:
        out.append(
            f"<tr><td>{escape(c.row.label)}</td><td><code>{escape(c.capability)}</code></td>"
            f'<td><span class="badge s-{c.state}">{_STATE_LABEL[c.state]}</span></td>'
            f"<td>{escape(c.reason or '')}</td><td>{escape(c.declared_label)}</td>"
            f'<td class="drifttext">{escape(c.drift or "")}</td></tr>'
        )
    out.append("</tbody></table></section>")
    return out


def _json_for_script(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


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
        f'<p class="meta">{escape(run_line(matrix.runs))} · '
        f"{escape(summary_line(matrix))}</p></header>",
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
    legend = "".join(
        f'<li><span class="swatch badge s-{s}">{SYMBOLS[s]}</span>{_STATE_LABEL[s]}</li>'
        for s in _STATE_ORDER
    )
    out.append(
        f'<ul class="legend">{legend}<li><span class="swatch drift">&nbsp;</span>'
        "drift (declared ≠ observed)</li></ul>"
    )
    out += _notes(matrix)
    out += [
        "</main>",
        '<aside id="details" aria-live="polite"><h3>Details</h3>'
        '<p class="hint">Hover a cell for a summary; click it (or press Enter) for its '
        "evidence.</p></aside>",
        "</div>",
        "<footer>Generated by <code>fctest matrix render --format html</code>. "
        "Rows: providers (and models); columns: the conformance catalogue's capabilities.</footer>",
        f'<script type="application/json" id="fctest-cells">{_json_for_script(ids)}</script>',
        f"<script>\n{_asset('report.js')}</script>",
        "</body></html>",
    ]
    return "\n".join(out) + "\n"
