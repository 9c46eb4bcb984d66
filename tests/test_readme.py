"""README's promises: its main command replays every shipped cassette offline and passes, and
the capability matrix it shows is the one its documented commands produce: the conformance run,
``fctest matrix observe`` over the shared corpus, merged and rendered (generated, never
hand-written)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, REPO
from fctest import adapter_names
from fctest.cli import main
from fctest.matrix import Matrix, ResultsFile
from fctest.scenarios import SCENARIOS

COMMANDS = re.compile(r"^<!-- fctest-matrix:commands -->\n```sh\n(.*?)^```", re.S | re.M)
# The files the commands write in the clone's root: the test writes them in a temporary folder.
OUTPUTS = ("results.json", "observations.json", "matrix.json")


def _readme_commands() -> list[list[str]]:
    (block,) = COMMANDS.findall((REPO / "README.md").read_text(encoding="utf-8"))
    return [shlex.split(line) for line in block.splitlines() if line.strip()]


def test_the_readme_documents_how_its_matrix_is_made() -> None:
    assert _readme_commands() == [
        [".venv/bin/python", "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider",
         "--fctest-results", "results.json"],
        [".venv/bin/fctest", "matrix", "observe", "../shared/corpus", "-o", "observations.json"],
        [".venv/bin/fctest", "matrix", "merge", "results.json", "observations.json", "-o",
         "matrix.json"],
        [".venv/bin/fctest", "matrix", "render", "matrix.json", "--update", "README.md"],
    ]  # fmt: skip


def _conformance(command: list[str], outputs: dict[str, str]) -> ResultsFile:
    args = [outputs.get(a, a) for a in command[1:]]
    run = subprocess.run(
        [sys.executable, *args[:-2], "-p", "no:randomly", *args[-2:]],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return ResultsFile.load(outputs["results.json"])


def _check_conformance(loaded: ResultsFile) -> None:
    # Every scenario ran for every built-in adapter, from a cassette or refused before sending,
    # and every adapter's keyword table is there beside them.
    scenarios = [r for r in loaded.results if r.scenario is not None]
    assert len(scenarios) == len(SCENARIOS) * len(adapter_names())
    keywords = {r.provider for r in loaded.results if r.capability.startswith("keyword:")}
    assert keywords == set(adapter_names())
    for result in scenarios:
        assert result.outcome in ("pass", "unsupported"), result
        if result.outcome == "pass":
            assert result.provenance is not None
            assert result.provenance.get("source") == "reference-server"
            assert result.kind == "emulated"
        else:
            assert result.kind == "declared"
    # What the built-in profiles declare is what their adapters do: no drift, keyword tables
    # included (value-aware keyword modes: docs/dialects.md#strict-openai-required).
    built = Matrix.from_results(loaded)
    cells = [*built.cells(), *built.cells(keywords=True)]
    assert [cell.drift for cell in cells if cell.drift] == []


def test_conformance_replay_passes_and_the_readme_matrix_is_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {name: str(tmp_path / name) for name in OUTPUTS}
    pytest_run, observe, merge, render = _readme_commands()
    _check_conformance(_conformance(pytest_run, outputs))
    monkeypatch.chdir(REPO)  # the commands are run from the clone's root
    corpus = (CORPUS / "index.json").is_file()
    if corpus:
        assert main([outputs.get(a, a) for a in observe[1:]]) == 0
    else:
        merge = [a for a in merge if a != "observations.json"]
    assert main([outputs.get(a, a) for a in merge[1:]]) == 0
    capsys.readouterr()
    code = main([outputs.get(a, a) for a in render[1:]] + ["--check"])
    if not corpus and not os.environ.get("CI"):
        pytest.skip(
            f"the corpus is not at {CORPUS}: rendered the matrix from the conformance run alone, "
            "so README.md (rendered with the corpus's observations) was not checked"
        )
    assert code == 0, (
        "README.md's matrix is stale: run the commands above its matrix from the clone's root "
        "(the last one updates README.md)\n" + capsys.readouterr().err
    )


def test_ci_runs_readmes_commands_verbatim() -> None:
    """README's two commands (main job, tests) are the ones .ci/run runs, character for
    character: a command that works in CI works for a reader."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    assert [line for line in ci if line.startswith("python3 -m venv")] == commands
