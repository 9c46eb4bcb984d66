"""The matrix model: how results combine into cells, drift, merging, and the matrix file (evidence
kinds, findings and model-family columns: ``test_evidence.py``)."""

from __future__ import annotations

import json
import random
from functools import reduce
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fctest.matrix import (
    STATES,
    Cell,
    Matrix,
    MatrixFileError,
    Result,
    ResultsFile,
    Row,
    RunInfo,
    catalogue_capabilities,
    combine,
    load_any,
)
from fctest.scenarios import SCENARIOS

from ._sample import (
    RUN_A,
    RUN_B,
    RUN_C,
    SAMPLE_COLUMNS,
    sample_matrix,
    shard_a,
    shard_b,
    shard_c,
)


def _cell(*outcomes: str, capability: str = "tool_call", **fields: Any) -> Cell:
    results = tuple(
        Result("p", capability, o, f"t{i}", **fields)  # type: ignore[arg-type]
        for i, o in enumerate(outcomes)
    )
    return Cell(Row("p"), capability, results)


@pytest.mark.parametrize(
    ("outcomes", "state"),
    [
        ((), "not_tested"),
        (("skipped",), "not_tested"),
        (("pass", "skipped"), "pass"),
        (("pass", "fail"), "fail"),
        (("fail", "pass", "partial"), "fail"),
        (("pass", "partial"), "partial"),
        (("pass", "unsupported"), "unsupported"),
        (("partial", "unsupported"), "unsupported"),
        (("unsupported", "fail"), "fail"),
    ],
)
def test_worst_outcome_wins(outcomes: tuple[str, ...], state: str) -> None:
    assert _cell(*outcomes).state == state


def test_reason_comes_from_the_deciding_result() -> None:
    results = (
        Result("p", "tool_call", "pass", "a", reason="irrelevant"),
        Result("p", "tool_call", "fail", "b", reason="decoded 1 call,\n expected 2"),
    )
    cell = Cell(Row("p"), "tool_call", results)
    assert cell.reason == "decoded 1 call, expected 2"
    assert _cell("pass").reason is None
    assert _cell("fail").reason == "failed"
    assert _cell().reason == "no test ran"
    assert _cell("partial", changes=("const -> enum",)).reason == "const -> enum"
    unsupported = _cell("unsupported", declared="tool_choice 'none' is not offered")
    assert unsupported.reason == "declared unsupported: tool_choice 'none' is not offered"


@pytest.mark.parametrize(
    ("capability", "declared", "outcome", "drift"),
    [
        ("tool_call", None, "pass", None),
        ("tool_call", None, "fail", None),
        ("tool_call", None, "unsupported", "declared supported, observed unsupported"),
        ("strict_tools", "not offered", "unsupported", None),
        (
            "strict_tools",
            "not offered",
            "pass",
            "declared unsupported (not offered), observed pass",
        ),
        (
            "strict_tools",
            "not offered",
            "partial",
            "declared unsupported (not offered), observed partial",
        ),
        ("strict_tools", "not offered", "fail", None),
        ("keyword:pattern", "rejected", "unsupported", None),
        ("keyword:pattern", "rejected", "pass", "declared rejected, observed pass"),
        ("keyword:pattern", "native", "unsupported", "declared native, observed unsupported"),
        ("keyword:pattern", "dropped", "partial", None),
        ("keyword:pattern", None, "unsupported", None),
    ],
)
def test_drift(capability: str, declared: Any, outcome: str, drift: str | None) -> None:
    cell = _cell(outcome, capability=capability, declared=declared)
    assert cell.drift == drift


def test_declared_label() -> None:
    assert _cell("pass").declared_label == "supported"
    assert _cell("unsupported", declared="x").declared_label == "unsupported: x"
    assert _cell("pass", capability="keyword:const", declared="rewritten").declared_label == (
        "rewritten"
    )
    assert _cell().declared_label == "unknown"


def test_columns_and_rows() -> None:
    matrix = sample_matrix()
    assert matrix.capabilities == (*catalogue_capabilities(), "call_ids")
    assert set(matrix.capabilities) == {s.capability for s in SCENARIOS} | {"call_ids"}
    assert matrix.keywords == tuple(
        f"keyword:{k}" for k in ("$ref", "anyOf", "const", "format", "minLength", "pattern")
    )
    assert [r.label for r in matrix.rows] == SAMPLE_COLUMNS
    assert [r.provider for r in matrix.keyword_rows] == ["anthropic", "gemini", "openai"]
    cells = list(matrix.cells())
    assert len(cells) == 6 * len(matrix.capabilities)
    assert matrix.summary() == {
        "pass": 107,
        "fail": 2,
        "unsupported": 2,
        "partial": 1,
        "not_tested": 26,
        "drift": 2,
        "finding": 1,
        "evidence": {"declared": 2, "emulated": 62, "recorded": 27, "live": 21},
    }


def test_unknown_capabilities_become_extra_columns() -> None:
    matrix = Matrix(results=(Result("p", "zzz_custom", "pass", "t"),))
    assert matrix.capabilities == (*catalogue_capabilities(), "zzz_custom")
    assert matrix.cell(Row("p"), "tool_call").state == "not_tested"


def test_a_provider_s_defaults_column_sorts_before_its_families() -> None:
    matrix = Matrix(
        results=(
            Result("b", "tool_call", "pass", "t"),
            Result("a", "tool_call", "pass", "t", model="m2", families=("z family",)),
            Result("a", "tool_call", "pass", "t", model="m0", families=()),
            Result("a", "tool_call", "pass", "t", model="m1", families=("a family",)),
        )
    )
    assert matrix.rows == (Row("a"), Row("a", "a family"), Row("a", "z family"), Row("b"))
    assert matrix.rows[0].label == "a · provider defaults"
    # A model whose families were never resolved (its adapter is not installed) is its own column.
    unresolved = Matrix(results=(Result("p", "tool_call", "pass", "t", model="m"),))
    assert unresolved.rows == (Row("p", "m"),)


# --- merging ---------------------------------------------------------------------------------

_provider = st.sampled_from(["openai", "anthropic", "gemini"])
_capability = st.sampled_from(["tool_call", "streaming", "keyword:const", "errors"])
_outcome = st.sampled_from(["pass", "fail", "unsupported", "partial", "skipped"])
_results = st.builds(
    Result,
    provider=_provider,
    capability=_capability,
    outcome=_outcome,
    test_id=st.sampled_from(["t1", "t2", "t3"]),
    model=st.sampled_from([None, "m"]),
    reason=st.sampled_from([None, "why"]),
    declared=st.sampled_from([None, "not offered", "rejected", "native"]),
    provenance=st.sampled_from([None, {"source": "live", "date": "2025-01-01"}]),
)
_runs = st.builds(
    RunInfo,
    fctest_version=st.just("0.1.0"),
    git_commit=st.sampled_from([None, "abc"]),
    date=st.sampled_from(["2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"]),
    python=st.just("CPython 3.12.0"),
    options=st.sampled_from([{}, {"x": 1}]),
)
_matrices = st.builds(
    Matrix,
    runs=st.lists(_runs, max_size=2).map(tuple),
    results=st.lists(_results, max_size=8).map(tuple),
)


@given(_matrices, _matrices, _matrices)
def test_merge_is_associative(a: Matrix, b: Matrix, c: Matrix) -> None:
    left = a.merge(b).merge(c)
    right = a.merge(b.merge(c))
    assert left == right
    assert left.to_json() == right.to_json()


@given(st.lists(_matrices, min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_merge_is_order_independent_and_idempotent(
    matrices: list[Matrix], rnd: random.Random
) -> None:
    merged = reduce(Matrix.merge, matrices)
    shuffled = list(matrices)
    rnd.shuffle(shuffled)
    assert reduce(Matrix.merge, shuffled).to_json() == merged.to_json()
    assert merged.merge(merged) == merged
    assert Matrix().merge(*matrices) == merged


@given(st.sampled_from(STATES), st.sampled_from(STATES), st.sampled_from(STATES))
def test_combine_is_a_semilattice(a: str, b: str, c: str) -> None:
    assert combine(a, b) == combine(b, a)  # type: ignore[arg-type]
    assert combine(combine(a, b), c) == combine(a, combine(b, c))  # type: ignore[arg-type]
    assert combine(a, a) == a  # type: ignore[arg-type]
    assert combine(a, "not_tested") == a  # type: ignore[arg-type]
    assert combine(a, "fail") == "fail"  # type: ignore[arg-type]


@given(st.lists(_results, min_size=1, max_size=8))
def test_cell_state_is_the_fold_of_its_results(results: list[Result]) -> None:
    matrix = Matrix(results=tuple(results))
    for cell in (*matrix.cells(), *matrix.cells(keywords=True)):
        parts = [Matrix(results=(r,)).cell(cell.row, cell.capability).state for r in cell.evidence]
        assert cell.state == reduce(combine, parts, "not_tested")


def test_shards_merge_to_the_whole() -> None:
    a, b, c = (Matrix.from_results(s) for s in (shard_a(), shard_b(), shard_c()))
    assert a.merge(b, c) == c.merge(b).merge(a) == sample_matrix()
    assert sample_matrix().runs == (RUN_A, RUN_B, RUN_C)


# --- the file --------------------------------------------------------------------------------


def test_matrix_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "matrix.json"
    sample_matrix().dump(path)
    loaded = Matrix.load(path)
    assert loaded == sample_matrix()
    again = tmp_path / "again.json"
    loaded.dump(again)
    assert again.read_bytes() == path.read_bytes()
    assert load_any(path) == loaded


def test_load_any_reads_results_files(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    shard_a().dump(path)
    assert load_any(path) == Matrix.from_results(shard_a())


def test_hand_edited_state_is_refused(tmp_path: Path) -> None:
    data = sample_matrix().to_json()
    cell = next(c for c in data["cells"] if c["state"] == "fail")
    cell["state"] = "pass"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(MatrixFileError, match="state 'pass' does not follow from its evidence"):
        Matrix.load(path)


def test_results_file_is_not_a_matrix(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    shard_a().dump(path)
    with pytest.raises(MatrixFileError, match="not an 'fctest-matrix' file"):
        Matrix.load(path)


def test_empty_matrix() -> None:
    empty = Matrix()
    assert empty.rows == ()
    assert empty.summary()["pass"] == 0
    assert Matrix.from_json(empty.to_json()) == empty
    assert Matrix.from_results(ResultsFile(RUN_A)) == Matrix(runs=(RUN_A,))
