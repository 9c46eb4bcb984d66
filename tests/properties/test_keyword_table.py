"""The keyword-by-provider table (``fctest.compat.keyword_table``) agrees with the profiles.

Each keyword's probe schema, fitted by each adapter in each strict mode it has, must do what the
profile declares: ``native`` keeps it unchanged, ``dropped`` drops it with a recorded change,
``rejected`` refuses the tool. ``rewritten`` is value-dependent (OpenAI strict keeps a
whitelisted ``format`` and drops another; a one-member ``allOf`` is merged, a longer one refused),
so any of kept, rewritten, dropped or refused agrees with it. One documented exception: in strict
mode ``required`` and ``additionalProperties`` follow strict mode's own object rules
(``_fit.make_strict``: optional properties made required-and-nullable, objects closed, an open
object refused) whatever their keyword mode says. No keyword may vanish without a change
(property 2). Properties 1 and 2 check the same rules on generated schemas.
"""

from __future__ import annotations

import pytest

from fctest.compat import KeywordRow, keyword_results, keyword_table

ROWS = keyword_table()
STRICT_OBJECT_RULES = {"required", "additionalProperties"}


def agrees(row: KeywordRow) -> bool:
    if row.observed == row.declared:
        return True
    if row.declared == "rewritten":
        return row.observed in ("native", "dropped", "rejected")
    return (
        row.strict
        and row.keyword in STRICT_OBJECT_RULES
        and row.declared == "native"
        and row.observed in ("rewritten", "rejected")
    )


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r.provider}-{'strict' if r.strict else 'plain'}-{r.keyword}" for r in ROWS]
)
def test_observed_mode_agrees_with_the_profile(row: KeywordRow) -> None:
    assert row.observed != "lost", row
    assert agrees(row), row


def test_the_table_covers_every_adapter_and_mode() -> None:
    seen = {(r.provider, r.strict) for r in ROWS}
    assert ("openai", False) in seen
    assert ("openai", True) in seen
    assert ("xai", True) in seen
    assert ("xai", False) not in seen  # always strict
    assert {r.keyword for r in ROWS} >= {"minLength", "oneOf", "$ref", "format", "const", "$schema"}


def test_known_cells() -> None:
    """A few cells that everyone relies on, pinned."""
    cell = {(r.provider, r.strict, r.keyword): r.observed for r in ROWS}
    assert cell[("openai", True, "minLength")] == "dropped"
    assert cell[("openai", False, "minLength")] == "native"
    assert cell[("anthropic", True, "minLength")] == "rewritten"  # moved into the description
    assert cell[("gemini", False, "const")] == "rewritten"  # a one-value enum
    assert cell[("gemini", False, "$schema")] == "dropped"
    assert cell[("xai", True, "minContains")] == "rejected"
    assert cell[("openai", True, "additionalProperties")] == "rejected"  # an open object


def test_keyword_results_feed_the_matrix() -> None:
    results = keyword_results(["openai", "xai"])
    assert {r.provider for r in results} == {"openai", "xai"}
    assert all(r.capability.startswith("keyword:") for r in results)
    xai = next(r for r in results if r.provider == "xai" and r.capability == "keyword:minContains")
    assert xai.outcome == "unsupported"
    assert xai.declared == "rejected"
    strict_min = next(
        r for r in results if r.test_id == "fctest.compat.keyword_table[openai-strict-minLength]"
    )
    assert strict_min.outcome == "partial"
    assert strict_min.declared == "dropped"
    assert strict_min.changes
    plain_min = next(
        r
        for r in results
        if r.test_id == "fctest.compat.keyword_table[openai-non-strict-minLength]"
    )
    assert plain_min.outcome == "pass"
    assert len({r.test_id for r in results}) == len(results)
