"""README's promises: its main command replays every shipped cassette offline and passes, and
the capability matrix it shows is the one that run produces (generated, never hand-written)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO
from fctest import adapter_names
from fctest.matrix import Matrix, ResultsFile, embed_markdown, render_markdown
from fctest.scenarios import SCENARIOS


def test_conformance_replay_passes_and_the_readme_matrix_is_current(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "conformance",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--fctest-results",
            str(results),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # Every scenario ran for every built-in adapter, from a cassette or refused before sending,
    # and every adapter's keyword table is there beside them.
    loaded = ResultsFile.load(results)
    scenarios = [r for r in loaded.results if r.scenario is not None]
    assert len(scenarios) == len(SCENARIOS) * len(adapter_names())
    keywords = {r.provider for r in loaded.results if r.capability.startswith("keyword:")}
    assert keywords == set(adapter_names())
    for result in scenarios:
        assert result.outcome in ("pass", "unsupported"), result
        if result.outcome == "pass":
            assert result.provenance is not None
            assert result.provenance.get("source") == "reference-server"
    # What the built-in profiles declare is what their adapters do: no drift, keyword tables
    # included (value-aware keyword modes: docs/dialects.md#strict-openai-required).
    built = Matrix.from_results(loaded)
    cells = [*built.cells(), *built.cells(keywords=True)]
    assert [cell.drift for cell in cells if cell.drift] == []
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    matrix = render_markdown(built, run=False)
    assert embed_markdown(readme, matrix) == readme, (
        "README.md's matrix is stale: run `pytest conformance --fctest-results r.json && "
        "fctest matrix render r.json --update README.md`"
    )


def test_ci_runs_readmes_commands_verbatim() -> None:
    """README's two commands (main job, tests) are the ones .ci/run runs, character for
    character: a command that works in CI works for a reader."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    assert [line for line in ci if line.startswith("python3 -m venv")] == commands
