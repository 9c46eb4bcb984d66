"""The release gate: every kind of change is classified, and regressions fail unless allowed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fctest.errors import UsageError
from fctest.matrix import Allow, Matrix, Result, Row, diff

from ._sample import sample_matrix

BASE = (
    Result("openai", "tool_call", "pass", "t::tool_call", cassette="c1.yaml"),
    Result("openai", "streaming", "partial", "t::streaming"),
    Result("openai", "strict_tools", "unsupported", "t::strict", declared="not offered"),
    Result("openai", "errors", "fail", "t::errors", reason="boom"),
    Result("groq", "tool_call", "pass", "t::groq"),
    Result("openai", "keyword:const", "pass", "t::const", declared="native"),
)


def _with(*changes: tuple[str, str, Result | None]) -> Matrix:
    """BASE with the (provider, capability) results replaced (or removed when None)."""
    results = list(BASE)
    for provider, capability, new in changes:
        results = [r for r in results if (r.provider, r.capability) != (provider, capability)]
        if new is not None:
            results.append(new)
    return Matrix(results=tuple(results))


OLD = Matrix(results=BASE)


def _only(change_matrix: Matrix) -> tuple[str, str, str]:
    result = diff(OLD, change_matrix)
    assert len(result.changes) == 1, result.format()
    change = result.changes[0]
    return change.kind, change.row.label, change.capability


def test_no_change() -> None:
    result = diff(OLD, Matrix(results=tuple(reversed(BASE))))
    assert result.changes == ()
    assert result.exit_code == 0
    assert result.format().endswith(
        "OK: 0 regression, 0 fix, 0 finding, 0 new, 0 removed, 0 evidence (0 blocking change(s) allowed)\n"
    )


@pytest.mark.parametrize(
    ("old_outcome", "new_outcome", "kind"),
    [
        ("pass", "fail", "regression"),
        ("pass", "partial", "regression"),
        ("pass", "unsupported", "regression"),
        ("partial", "unsupported", "regression"),
        ("unsupported", "fail", "regression"),
        ("fail", "pass", "fix"),
        ("unsupported", "partial", "fix"),
        ("partial", "pass", "fix"),
    ],
)
def test_state_changes(old_outcome: str, new_outcome: str, kind: str) -> None:
    old = Matrix(results=(Result("p", "tool_call", old_outcome, "t"),))  # type: ignore[arg-type]
    new = Matrix(results=(Result("p", "tool_call", new_outcome, "t"),))  # type: ignore[arg-type]
    result = diff(old, new)
    assert [c.kind for c in result.changes] == [kind]
    assert result.exit_code == (1 if kind == "regression" else 0)


def test_regression() -> None:
    new = _with(
        (
            "openai",
            "tool_call",
            Result("openai", "tool_call", "fail", "t::tool_call", reason="decoded 0 calls"),
        )
    )
    assert _only(new) == ("regression", "openai · provider defaults", "tool_call")
    result = diff(OLD, new)
    assert result.exit_code == 1
    text = result.format()
    assert (
        "regression (1):\n  openai · provider defaults: tool_call: pass -> fail: decoded 0 calls"
        in text
    )
    assert text.splitlines()[-1].startswith("FAIL: 1 regression")


def test_fix() -> None:
    new = _with(("openai", "errors", Result("openai", "errors", "pass", "t::errors")))
    assert _only(new) == ("fix", "openai · provider defaults", "errors")
    assert diff(OLD, new).exit_code == 0


def test_new_provider_and_new_capability() -> None:
    new = _with(
        ("xai", "tool_call", Result("xai", "tool_call", "pass", "t::xai")),
        ("groq", "streaming", Result("groq", "streaming", "fail", "t::gs")),
    )
    result = diff(OLD, new)
    assert {(c.kind, c.row.label, c.capability) for c in result.changes} == {
        ("new", "xai · provider defaults", "tool_call"),
        ("new", "groq · provider defaults", "streaming"),
    }
    assert result.exit_code == 0  # a new failing cell is not a regression: it never passed


def test_removed() -> None:
    new = _with(("groq", "tool_call", None), ("openai", "streaming", None))
    result = diff(OLD, new)
    assert {(c.kind, c.capability) for c in result.changes} == {
        ("removed", "tool_call"),
        ("removed", "streaming"),
    }
    assert result.exit_code == 0


def test_skipped_now_is_removed() -> None:
    new = _with(("openai", "tool_call", Result("openai", "tool_call", "skipped", "t::tool_call")))
    assert _only(new) == ("removed", "openai · provider defaults", "tool_call")


def test_evidence_changed() -> None:
    new = _with(
        (
            "openai",
            "tool_call",
            Result(
                "openai",
                "tool_call",
                "pass",
                "t::tool_call",
                cassette="c2.yaml",
                provenance={"source": "live"},
            ),
        )
    )
    assert _only(new) == ("evidence", "openai · provider defaults", "tool_call")
    result = diff(OLD, new)
    assert result.exit_code == 0
    assert "pass (evidence: cassettes or provenance, strongest emulated -> recorded)" in (
        result.format()
    )


def test_new_drift_at_the_same_state_is_a_regression() -> None:
    # The profile now declares strict tools supported, yet they are still refused.
    new = _with(
        ("openai", "strict_tools", Result("openai", "strict_tools", "unsupported", "t::strict"))
    )
    assert _only(new) == ("regression", "openai · provider defaults", "strict_tools")
    assert "drift: declared supported, observed unsupported" in diff(OLD, new).format()
    # ... and the reverse resolves it.
    back = diff(new, OLD)
    assert [c.kind for c in back.changes] == ["fix"]
    assert "drift resolved" in back.format()


def test_keyword_cells_are_compared_too() -> None:
    new = _with(
        (
            "openai",
            "keyword:const",
            Result("openai", "keyword:const", "fail", "t::const", declared="native"),
        )
    )
    assert _only(new) == ("regression", "openai · provider defaults", "keyword:const")


def test_allow_accepts_a_known_regression_with_its_reason() -> None:
    new = _with(("openai", "tool_call", Result("openai", "tool_call", "fail", "t::tool_call")))
    allow = Allow.parse("openai:tool_call=upstream outage, ticket 42")
    result = diff(OLD, new, allow=[allow])
    assert result.exit_code == 0
    assert result.changes[0].allowed == "upstream outage, ticket 42"
    assert "[allowed: upstream outage, ticket 42]" in result.format()
    assert "(1 blocking change(s) allowed)" in result.format()
    assert result.stale_allows == ()


def test_stale_allow_is_reported() -> None:
    allow = Allow.parse("groq:streaming=old")
    result = diff(OLD, OLD, allow=[allow])
    assert result.stale_allows == (allow,)
    assert "note: --allow groq:streaming=old matched no blocking change" in result.format()


def test_allow_for_one_model_only() -> None:
    old = Matrix(
        results=(
            Result("g", "tool_call", "pass", "t", model="m1"),
            Result("g", "tool_call", "pass", "t", model="m2"),
        )
    )
    new = Matrix(
        results=(
            Result("g", "tool_call", "fail", "t", model="m1"),
            Result("g", "tool_call", "fail", "t", model="m2"),
        )
    )
    result = diff(old, new, allow=[Allow.parse("g[m1]:tool_call=flaky model")])
    assert [(c.row.family, c.allowed) for c in result.changes] == [
        ("m1", "flaky model"),
        ("m2", None),
    ]
    assert result.exit_code == 1
    assert [c.row for c in result.blocking] == [Row("g", "m2")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("openai:tool_call=why", Allow("openai", "tool_call", "why")),
        (
            "openai:keyword:minLength= needs  a fix ",
            Allow("openai", "keyword:minLength", "needs a fix"),
        ),
        (
            "vertex[claude-3@2024:x]:errors=r=1",
            Allow("vertex", "errors", "r=1", model="claude-3@2024:x"),
        ),
    ],
)
def test_allow_parse(text: str, expected: Allow) -> None:
    assert Allow.parse(text) == expected


@pytest.mark.parametrize(
    "text", ["openai:tool_call", "openai:tool_call=", "openai=why", ":x=y", "open ai:x=y"]
)
def test_allow_parse_errors(text: str) -> None:
    with pytest.raises(UsageError, match="expected provider:capability=reason"):
        Allow.parse(text)


def test_sample_against_itself_with_one_change() -> None:
    sample = sample_matrix()
    changed = Matrix(
        runs=sample.runs,
        results=tuple(
            replace(r, outcome="fail", reason="regressed")
            if (r.provider, r.scenario) == ("openai", "single_call")
            else r
            for r in sample.results
        ),
    )
    result = diff(sample, changed)
    assert [(c.kind, c.row.label, c.capability) for c in result.changes] == [
        ("regression", "openai · provider defaults", "tool_call")
    ]
    assert result.to_json()["exit_code"] == 1


# --- findings ---------------------------------------------------------------------------------

RECORDED_IDS = Result(
    "gemini",
    "call_ids",
    "pass",
    "observe:corpus/g.yaml#1",
    cassette="corpus/g.yaml",
    interaction=1,
    evidence="recorded",
    finding="declared tool_call_ids 'generated', recorded the provider's own id 'ab12'",
)
QUIET_IDS = replace(RECORDED_IDS, finding=None)


def test_a_new_finding_is_its_own_kind_and_blocks_only_when_asked() -> None:
    old, new = Matrix(results=(QUIET_IDS,)), Matrix(results=(RECORDED_IDS,))
    result = diff(old, new)
    assert [c.kind for c in result.changes] == ["finding"]
    assert result.exit_code == 0
    assert "finding (1):\n  gemini · provider defaults: call_ids: pass; finding: declared" in (
        result.format()
    )
    gated = diff(old, new, fail_on=["finding"])
    assert gated.exit_code == 1
    assert gated.to_json()["changes"][0]["blocking"] is True
    allowed = diff(
        old, new, fail_on=["finding"], allow=[Allow.parse("gemini:call_ids=known, upstream issue")]
    )
    assert allowed.exit_code == 0
    assert "[allowed: known, upstream issue]" in allowed.format()
    # The way back resolves it.
    back = diff(new, old)
    assert [c.kind for c in back.changes] == ["fix"]
    assert "finding resolved" in back.format()


def test_a_finding_in_a_new_column_is_gated_too() -> None:
    new = Matrix(results=(*BASE, RECORDED_IDS))
    assert [c.kind for c in diff(OLD, new).changes] == ["new"]
    assert diff(OLD, new).exit_code == 0
    assert diff(OLD, new, fail_on=["finding"]).exit_code == 1


def test_an_unknown_fail_on_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--fail-on nothing: expected one of regression, finding"):
        diff(OLD, OLD, fail_on=["nothing"])  # type: ignore[list-item]


def test_allow_names_a_column_by_family_or_by_a_model_in_it() -> None:
    def fails(model: str) -> Result:
        return Result("o", "tool_call", "fail", "t", model=model, families=("o-series",))

    old = Matrix(results=(replace(fails("o3"), outcome="pass"),))
    new = Matrix(results=(fails("o3"),))
    for allow in ("o[o-series]:tool_call=known", "o[o3]:tool_call=known"):
        assert diff(old, new, allow=[Allow.parse(allow)]).exit_code == 0
    assert diff(old, new, allow=[Allow.parse("o[o1]:tool_call=known")]).exit_code == 1
