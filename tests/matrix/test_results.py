"""The results file the plugin writes: round trips, validation errors, run metadata."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fctest.errors import UsageError
from fctest.matrix import MatrixFileError, Result, ResultsFile, RunInfo, git_commit

from ._sample import RUN_A, shard_a, shard_b

FULL = Result(
    provider="gemini",
    capability="structured_output",
    outcome="partial",
    test_id="tests/test_conformance.py::test_scenario[gemini-structured_output]",
    scenario="structured_output",
    model="gemini-2.0-flash",
    reason="additionalProperties dropped",
    cassette="cassettes/gemini/structured_output.yaml",
    provenance={"source": "live", "date": "2025-05-14", "endpoint": "https://example.test/v1"},
    declared=None,
    changes=("additionalProperties dropped", "const -> enum"),
)


def test_result_round_trips_and_omits_defaults() -> None:
    assert Result.from_json(FULL.to_json()) == FULL
    minimal = Result("openai", "tool_call", "pass", "t::x")
    assert minimal.to_json() == {
        "provider": "openai",
        "capability": "tool_call",
        "outcome": "pass",
        "test_id": "t::x",
        "evidence": "declared",  # no cassette: only the profile says so
    }
    assert Result.from_json(minimal.to_json()) == minimal


def test_result_is_hashable_with_mapping_fields() -> None:
    # provenance and declared are left out of the hash but kept in equality.
    other = Result(**{**FULL.to_json(), "changes": FULL.changes, "provenance": {"source": "x"}})
    assert hash(other) == hash(FULL)
    assert other != FULL
    assert len({FULL, FULL}) == 1


def test_result_keyword_property() -> None:
    assert Result("openai", "keyword:minLength", "pass", "t").keyword == "minLength"
    assert FULL.keyword is None


def test_changes_given_as_a_list_become_a_tuple() -> None:
    result = Result("a", "b", "partial", "t", changes=["x"])  # type: ignore[arg-type]
    assert result.changes == ("x",)


def test_bad_outcome_is_a_clear_error() -> None:
    with pytest.raises(MatrixFileError, match="outcome 'meh' is not one of"):
        Result("a", "tool_call", "meh", "t")  # type: ignore[arg-type]
    assert issubclass(MatrixFileError, UsageError)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"provider": "a", "capability": "b", "test_id": "t"}, "'outcome' is a required property"),
        ({"provider": "", "capability": "b", "outcome": "pass", "test_id": "t"}, r"\$\.provider"),
        (
            {"provider": "a", "capability": "b", "outcome": "pass", "test_id": "t", "extra": 1},
            "Additional properties",
        ),
        (
            {"provider": "a", "capability": "b", "outcome": "pass", "test_id": "t", "changes": "x"},
            r"\$\.changes",
        ),
    ],
)
def test_invalid_records_name_the_field(record: dict[str, object], message: str) -> None:
    with pytest.raises(MatrixFileError, match=message):
        Result.from_json(record)


def test_results_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "results.json"
    shard_a().dump(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "fctest-results"
    assert data["version"] == 2
    assert ResultsFile.load(path) == shard_a()
    # Canonical text: dumping what was loaded gives the same bytes.
    again = tmp_path / "again.json"
    ResultsFile.load(path).dump(again)
    assert again.read_bytes() == path.read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"format": "fctest-matrix", "version": 1}', "not an 'fctest-results' file"),
        ("[]", "not an 'fctest-results' file"),
        (
            '{"format": "fctest-results", "version": 3, "run": {}, "results": []}',
            "version 3 was written by a newer fctest",
        ),
        ('{"format": "fctest-results", "version": 1, "results": []}', "'run' is a required"),
        ('{"format": "fctest-results", "version": 2, "results": []}', "'run' is a required"),
    ],
)
def test_bad_results_files_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MatrixFileError, match=message) as info:
        ResultsFile.load(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MatrixFileError, match="cannot read"):
        ResultsFile.load(tmp_path / "nope.json")


def test_run_info_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_SHA", raising=False)
    monkeypatch.delenv("CI_COMMIT_SHA", raising=False)
    run = RunInfo.current({"fctest_record_mode": "none"}, root=tmp_path)
    assert run.git_commit is None
    assert run.options == {"fctest_record_mode": "none"}
    assert run.fctest_version
    assert run.python.split()[0] in {"CPython", "PyPy"}
    assert run.date.endswith("Z")
    assert len(run.date) == len("2025-01-01T00:00:00Z")
    assert RunInfo.from_json(run.to_json()) == run


SHA = "0123456789abcdef0123456789abcdef01234567"


def test_git_commit_from_a_branch_ref(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text(SHA + "\n")
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    assert git_commit(sub) == SHA


def test_git_commit_from_packed_refs_and_detached_head(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    git.mkdir()
    (git / "HEAD").write_text("ref: refs/heads/release\n")
    (git / "packed-refs").write_text(f"# pack-refs with: peeled\n{SHA} refs/heads/release\n")
    assert git_commit(tmp_path) == SHA
    (git / "HEAD").write_text(SHA[::-1] + "\n")
    assert git_commit(tmp_path) == SHA[::-1]


def test_git_commit_in_a_worktree(tmp_path: Path) -> None:
    main = tmp_path / "main" / ".git"
    (main / "refs" / "heads").mkdir(parents=True)
    (main / "refs" / "heads" / "topic").write_text(SHA)
    wt_git = main / "worktrees" / "wt"
    wt_git.mkdir(parents=True)
    (wt_git / "HEAD").write_text("ref: refs/heads/topic\n")
    (wt_git / "commondir").write_text("../..\n")
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {wt_git}\n")
    assert git_commit(worktree) == SHA


def test_git_commit_falls_back_to_ci_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_SHA", SHA)
    assert git_commit(tmp_path) == SHA
    (tmp_path / ".git").mkdir()  # unreadable HEAD: still no exception
    assert git_commit(tmp_path) == SHA


def test_run_info_sample_is_json_ready() -> None:
    assert json.loads(json.dumps(RUN_A.to_json())) == RUN_A.to_json()
    assert shard_b().results


def test_imports_stay_light() -> None:
    code = (
        "import sys, fctest; assert 'fctest.matrix' not in sys.modules, 'fctest imports matrix'\n"
        "import fctest.matrix\n"
        "heavy = sorted(m for m in ('pytest', 'vcr', 'hypothesis') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_run_options_are_made_json_ready(tmp_path: Path) -> None:
    run = RunInfo.current({"dir": tmp_path, "n": 2, "flags": ("a", "b")}, root=tmp_path)
    assert run.options == {"dir": str(tmp_path), "n": 2, "flags": ["a", "b"]}
    ResultsFile(run).dump(tmp_path / "r.json")
