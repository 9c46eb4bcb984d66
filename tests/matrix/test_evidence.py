"""Evidence kinds on every cell: derived, kept through merges, the strongest shown and linked;
findings apart from drift; model-family columns; version 1 files still read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fctest import get_adapter
from fctest.dialect import ModelRule
from fctest.matrix import Cell, Matrix, Result, ResultsFile, Row, load_any, with_profile

from ._sample import RUN_A, sample_matrix

REFERENCE = {"source": "reference-server"}
LIVE = {"source": "live", "date": "2025-05-14"}


@pytest.mark.parametrize(
    ("cassette", "provenance", "kind"),
    [
        (None, None, "declared"),
        ("c.yaml", REFERENCE, "emulated"),
        ("c.yaml", {"source": "compatible-server"}, "emulated"),
        ("c.yaml", None, "emulated"),
        ("c.yaml", LIVE, "recorded"),
        ("c.yaml", {"source": "recorded"}, "recorded"),
    ],
)
def test_a_result_s_kind_follows_from_its_cassette(
    cassette: str | None, provenance: dict[str, Any] | None, kind: str
) -> None:
    result = Result("p", "tool_call", "pass", "t", cassette=cassette, provenance=provenance)
    assert result.kind == kind
    assert result.to_json()["evidence"] == kind


def test_live_is_only_what_this_run_recorded() -> None:
    live = Result(
        "p", "tool_call", "pass", "t", cassette="c.yaml", provenance=LIVE, evidence="live"
    )
    assert live.kind == "live"
    assert Result.from_json(live.to_json()) == live


def _cell(*results: Result) -> Cell:
    return Cell(Row("p"), results[0].capability, results)


def test_the_strongest_evidence_among_the_deciding_results_backs_the_cell() -> None:
    emulated = Result("p", "tool_call", "pass", "a", cassette="e.yaml", provenance=REFERENCE)
    recorded = Result(
        "p", "tool_call", "pass", "b", cassette="r.yaml", interaction=3, evidence="recorded"
    )
    both = _cell(emulated, recorded)
    assert (both.state, both.kind) == ("pass", "recorded")
    assert both.strongest is recorded
    assert (both.strongest.link, both.strongest.interaction) == ("r.yaml", 3)
    # A failing emulated result decides the state: the cell rests on it, not on the recording.
    failing = _cell(recorded, Result("p", "tool_call", "fail", "c", cassette="e.yaml"))
    assert (failing.state, failing.kind) == ("fail", "emulated")
    assert _cell(Result("p", "tool_call", "skipped", "s")).strongest is None


def test_links_are_project_paths_or_a_declaration_s_source() -> None:
    def link(**fields: Any) -> str | None:
        return Result("p", "tool_call", "pass", "t", **fields).link

    assert link(cassette="cassettes/p/x.yaml") == "cassettes/p/x.yaml"
    assert link(cassette="../shared/corpus/a.yaml") == "../shared/corpus/a.yaml"
    assert link(cassette="/abs/a.yaml") is None
    assert link(cassette="https://example.test/c") is None
    assert link(source="SDK tool_param.py (docs/dialects.md#strict-anthropic-flag)") == (
        "docs/dialects.md#strict-anthropic-flag"
    )
    assert link(source="https://docs.x.ai/docs/api-reference, see there") == (
        "https://docs.x.ai/docs/api-reference"
    )
    assert link(source="no citation") is None


def test_a_contradiction_in_real_traffic_is_a_finding_not_drift() -> None:
    declared = "strict tools are not offered"
    emulated = Result("p", "strict_tools", "pass", "e", cassette="e.yaml", declared=declared)
    recorded = Result(
        "p", "strict_tools", "pass", "r", cassette="r.yaml", declared=declared, evidence="recorded"
    )
    assert _cell(emulated).drift == f"declared unsupported ({declared}), observed pass"
    assert _cell(emulated).finding is None
    assert _cell(recorded).drift is None
    assert _cell(recorded).finding == f"declared unsupported ({declared}), recorded pass"
    noted = Result(
        "p", "call_ids", "pass", "r", cassette="r.yaml", evidence="recorded", finding="x"
    )
    assert _cell(noted).finding == "x"
    # The same message from fctest's own checks is not a finding.
    assert _cell(Result("p", "call_ids", "pass", "e", finding="x")).finding is None


def test_merging_keeps_every_piece_of_evidence() -> None:
    conformance = Result("openai", "tool_call", "pass", "t", cassette="e.yaml", families=())
    observed = Result(
        "openai", "tool_call", "pass", "observe:r#0", cassette="r", evidence="recorded", families=()
    )
    merged = Matrix(results=(conformance,)).merge(Matrix(results=(observed,)))
    cell = merged.cell(Row("openai"), "tool_call")
    assert cell.evidence == (conformance, observed)
    assert cell.to_json()["strongest"]["kind"] == "recorded"
    assert merged.summary()["evidence"] == {"declared": 0, "emulated": 0, "recorded": 1, "live": 0}


def test_columns_are_providers_and_model_families() -> None:
    results = (
        Result("openai", "tool_call", "pass", "a", model="gpt-x", families=()),
        Result("openai", "tool_call", "pass", "b", model="o3-mini", families=("o-series",)),
        Result("openai", "tool_call", "fail", "c", model="o1", families=("o-series",)),
    )
    matrix = Matrix(results=results)
    assert matrix.rows == (Row("openai"), Row("openai", "o-series"))
    family = matrix.cell(Row("openai", "o-series"), "tool_call")
    assert (family.state, family.models) == ("fail", ("o1", "o3-mini"))
    assert matrix.rows[0].label == "openai · provider defaults"


def test_with_profile_resolves_families_and_cites_the_declaration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    adapter = get_adapter("gemini")
    rule = ModelRule(
        "test family",
        ("gemini-test-*",),
        {"parallel_call_control": False},
        "no switch on this family (docs/dialects.md#parallel-gemini)",
    )
    profile = adapter.profile.evolve(
        models=(*adapter.profile.models, rule), documented={"parallel_call_control": True}
    )
    monkeypatch.setattr(type(adapter), "profile", profile)
    refused = Result(
        "gemini", "disable_parallel", "unsupported", "t", model="gemini-test-1", declared="no"
    )
    enriched = with_profile(refused)
    assert enriched.families == ("test family",)
    assert enriched.source == rule.source
    assert enriched.link == "docs/dialects.md#parallel-gemini"
    assert enriched.documented == {"parallel_call_control": {"profile": False, "documented": True}}
    cell = Matrix(results=(enriched,)).cell(Row("gemini", "test family"), "disable_parallel")
    assert cell.conflicts == ("parallel_call_control: profile False (observed), documented True",)
    # An emulated result needs no citation; an adapter that is not installed is left alone.
    emulated = with_profile(Result("gemini", "tool_call", "pass", "t", cassette="c.yaml"))
    assert (emulated.families, emulated.source) == ((), None)
    stranger = Result("not-installed", "tool_call", "pass", "t", model="m")
    assert with_profile(stranger) == stranger
    # A keyword probed for one kind of value cites the keyword's source.
    case = with_profile(Result("gemini", "keyword:const=one value", "partial", "t"))
    assert case.source == profile.sources["keywords.const"]


V1_RESULTS = {
    "format": "fctest-results",
    "version": 1,
    "run": RUN_A.to_json(),
    "results": [
        {
            "provider": "openai",
            "capability": "tool_call",
            "outcome": "pass",
            "test_id": "t::call",
            "model": "fctest-model",
            "cassette": "cassettes/openai/single_call.yaml",
            "provenance": {"source": "reference-server"},
        },
        {
            "provider": "gemini",
            "capability": "disable_parallel",
            "outcome": "unsupported",
            "test_id": "t::parallel",
            "declared": "parallel tool calls cannot be switched off",
        },
    ],
}


def test_version_1_results_files_are_still_read(tmp_path: Path) -> None:
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(V1_RESULTS), encoding="utf-8")
    loaded = ResultsFile.load(path)
    call, parallel = loaded.results
    assert (call.kind, call.families) == ("emulated", ())
    assert parallel.kind == "declared"
    assert parallel.link == "docs/dialects.md#parallel-gemini"
    loaded.dump(tmp_path / "v2.json")
    assert json.loads((tmp_path / "v2.json").read_text(encoding="utf-8"))["version"] == 2


def test_version_1_matrix_files_are_still_read(tmp_path: Path) -> None:
    v1 = {
        "format": "fctest-matrix",
        "version": 1,
        "runs": [RUN_A.to_json()],
        "capabilities": ["tool_call"],
        "keywords": [],
        "rows": [{"provider": "openai", "model": "fctest-model"}],
        "keyword_rows": [],
        "cells": [
            {
                "provider": "openai",
                "model": "fctest-model",
                "capability": "tool_call",
                "state": "pass",
                "reason": None,
                "declared": "supported",
                "drift": None,
                "evidence": [
                    {"outcome": "pass", "test_id": "t", "cassette": "c.yaml", "provenance": LIVE}
                ],
            }
        ],
        "summary": {
            "pass": 1,
            "fail": 0,
            "unsupported": 0,
            "partial": 0,
            "not_tested": 0,
            "drift": 0,
        },
    }
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(v1), encoding="utf-8")
    matrix = load_any(path)
    cell = matrix.cell(Row("openai"), "tool_call")
    assert (cell.state, cell.kind, cell.models) == ("pass", "recorded", ("fctest-model",))
    v1["cells"][0]["state"] = "fail"  # type: ignore[index]
    path.write_text(json.dumps(v1), encoding="utf-8")
    with pytest.raises(Exception, match="does not follow from its evidence"):
        load_any(path)


def test_every_cell_of_the_sample_says_what_backs_it() -> None:
    for cell in sample_matrix().cells():
        data = cell.to_json()
        if cell.state == "not_tested":
            assert data["strongest"] is None
        else:
            assert data["strongest"]["kind"] in ("declared", "emulated", "recorded", "live")
