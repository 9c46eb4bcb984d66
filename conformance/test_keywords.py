"""The JSON Schema keyword table of each adapter, observed and put in the capability matrix.

For every keyword fctest probes, ``fctest.compat.keyword_results`` fits a tool using it to the
adapter (strict and non-strict) and reports what happened: sent as is, rewritten or dropped
(with the change recorded), or refused before sending. A keyword lost without a recorded change
fails here; the rest land in the results file beside the scenarios.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fctest.compat import keyword_results


def test_keyword_table(fctest_provider: str, request: Any, record_property: Any) -> None:
    results = keyword_results([fctest_provider])
    lost = [r for r in results if r.outcome == "fail"]
    assert not lost, "\n".join(f"{r.capability}: {r.reason}" for r in lost)
    for result in results:
        record_property("fctest_result", replace(result, test_id=request.node.nodeid).to_json())
