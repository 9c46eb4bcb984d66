"""The ``python`` examples of docs/matrix.md run, and the page documents every command and kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fctest.matrix._diff import KINDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "matrix.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_python_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert blocks
    for code in blocks:
        exec(compile(code, str(DOC), "exec"), {})
    assert "fctest capability matrix" in capsys.readouterr().out


def test_every_command_and_change_kind_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for command in ("fctest matrix merge", "fctest matrix diff", "fctest matrix render"):
        assert f"### `{command}" in text
    for kind in KINDS:
        assert f"| `{kind}` |" in text
    assert (DOC.parent / "matrix-screenshot.png").exists()
