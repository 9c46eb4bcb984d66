"""The examples of docs/matrix.md run (the ``python`` blocks, and the shell block that adds one's
own recordings, in a folder set up like a user's), and the page documents every command, change
kind and evidence kind."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from fctest.cli import main
from fctest.matrix import EVIDENCE_KINDS, Matrix
from fctest.matrix._diff import KINDS

from ._sample import shard_a
from .test_observe import _answer, _pair, _write

DOC = Path(__file__).resolve().parents[2] / "docs" / "matrix.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
SHELL = re.compile(r"^<!-- run by tests/matrix/test_docs.py -->\n```sh\n(.*?)^```", re.S | re.M)


def test_python_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert blocks
    for code in blocks:
        exec(compile(code, str(DOC), "exec"), {})
    assert "fctest capability matrix" in capsys.readouterr().out


def test_every_command_and_change_kind_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    commands = ("observe", "merge", "diff", "render")
    for command in commands:
        assert f"### `fctest matrix {command}" in text
    for kind in (*KINDS, *EVIDENCE_KINDS):
        assert f"| `{kind}` |" in text
    assert (DOC.parent / "matrix-screenshot.png").exists()


def test_adding_one_s_own_recordings_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (block,) = SHELL.findall(DOC.read_text(encoding="utf-8"))
    commands = [shlex.split(line) for line in block.splitlines() if line.strip()]
    assert [c[:3] for c in commands] == [
        ["fctest", "matrix", c] for c in ("observe", "merge", "render", "diff")
    ]
    # What a user has: a conformance run's results, a baseline, and cassettes of real traffic.
    monkeypatch.chdir(tmp_path)
    shard_a().dump("results.json")
    Matrix.from_results(shard_a()).dump("baseline.json")
    _write(
        Path("my_cassettes/weather.yaml"),
        _pair("openai", "gpt-4o", _answer("openai", "call_1", "call_2")),
    )
    codes = [main(command[1:]) for command in commands]
    assert codes == [0, 0, 0, 0], capsys.readouterr().err
    matrix = Matrix.load("matrix.json")
    observed = [r for r in matrix.results if r.test_id.startswith("observe:")]
    assert {(r.kind, r.cassette) for r in observed} == {("recorded", "my_cassettes/weather.yaml")}
    assert "[R](my_cassettes/weather.yaml" in Path("matrix.md").read_text(encoding="utf-8")
