"""Renderers, checked against snapshots (``FCTEST_UPDATE_SNAPSHOTS=1`` rewrites them)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from fctest.matrix import (
    Matrix,
    Result,
    append_step_summary,
    print_summary,
    render_html,
    render_json,
    render_markdown,
    render_terminal,
    should_color,
)

from ._sample import assert_snapshot, sample_matrix, shard_a, small_matrix

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_terminal_snapshot() -> None:
    assert_snapshot("terminal.txt", render_terminal(sample_matrix()))


def test_terminal_color_snapshot() -> None:
    text = render_terminal(sample_matrix(), color=True)
    assert_snapshot("terminal-color.txt", text)
    assert ANSI.sub("", text) == render_terminal(sample_matrix())
    assert "\x1b[1;31m✗\x1b[0m" in text  # fail is bold red


def test_terminal_ascii_snapshot() -> None:
    text = render_terminal(sample_matrix(), unicode=False, width=72)
    assert_snapshot("terminal-ascii-72.txt", text)
    assert text.isascii()


@pytest.mark.parametrize("width", [100, 80, 60])
def test_terminal_fits_the_width(width: int) -> None:
    for line in render_terminal(sample_matrix(), width=width).splitlines():
        assert len(line) <= width, line


def test_terminal_columns_line_up() -> None:
    lines = render_terminal(sample_matrix()).splitlines()
    header = next(line for line in lines if line.lstrip().startswith("1   2"))
    xai = next(line for line in lines if line.startswith("xai "))
    # Column 16 (streaming_parallel) fails for xai: the mark sits under the number's last digit,
    # the kind of its strongest evidence (emulated) right after it.
    col16 = header.index("16") + 1
    assert xai[col16 : col16 + 2] == "✗E"


def test_terminal_empty_matrix() -> None:
    text = render_terminal(Matrix())
    assert "no capability results" in text
    assert "no run metadata" in text


def test_terminal_limits_the_failure_list() -> None:
    results = tuple(Result("p", "tool_call", "fail", f"t{i}", model=f"m{i}") for i in range(30))
    text = render_terminal(Matrix(results=results), limit=5)
    assert text.count(": tool_call: fail:") == 5
    assert "... and 25 more" in text


def test_markdown_snapshot() -> None:
    text = render_markdown(sample_matrix())
    assert_snapshot("matrix.md", text)
    table = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(table) == 23 + 6  # capabilities (the catalogue's and call_ids), then keywords


def test_markdown_escapes_table_breakers() -> None:
    matrix = Matrix(results=(Result("p", "tool_call", "fail", "t|x", reason="a | b <script>"),))
    text = render_markdown(matrix)
    assert "a \\| b &lt;script>" in text
    assert "declared: t\\|x" in text  # the evidence column names the test


def test_html_snapshot() -> None:
    assert_snapshot("matrix.html", render_html(small_matrix()))


def test_html_is_self_contained_and_escapes_values() -> None:
    evil = '</script><img src=x onerror=alert(1)> & "quotes"'
    matrix = Matrix(
        results=(
            Result(
                "p<b>", "tool_call", "fail", "t", reason=evil, cassette="https://example.test/c"
            ),
        )
    )
    text = render_html(matrix)
    assert text.count("</script>") == 2  # the data block and the script, nothing injected
    assert "<img" not in text
    assert "<b>" not in text.replace("<body>", "")
    assert not re.search(r"""(src|href)=["']?https?:""", text)
    assert "default-src 'none'" in text
    data = text.split('<script type="application/json" id="fctest-cells">', 1)[1]
    cells = json.loads(data.split("</script>", 1)[0])
    assert cells["c0"]["reason"] == evil.replace('"', '"')


def test_json_render_is_the_matrix_file(tmp_path: Path) -> None:
    text = render_json(small_matrix())
    assert_snapshot("matrix.json", text)
    path = tmp_path / "m.json"
    small_matrix().dump(path)
    assert path.read_text(encoding="utf-8") == text


def test_should_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    assert should_color(Tty()) is True
    assert should_color(io.StringIO()) is False
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert should_color(io.StringIO()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert should_color(Tty()) is False


def test_print_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    out = io.StringIO()
    print_summary(shard_a(), file=out)
    assert out.getvalue() == render_terminal(Matrix.from_results(shard_a()))
    monkeypatch.setenv("FORCE_COLOR", "1")
    colored = io.StringIO()
    print_summary([shard_a()], file=colored)
    assert "\x1b[" in colored.getvalue()


def test_print_summary_falls_back_to_ascii() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    print_summary(sample_matrix(), file=stream, color=False)
    assert raw.getvalue().decode("ascii") == render_terminal(sample_matrix(), unicode=False)


def test_step_summary_appends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# Tests\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert append_step_summary(sample_matrix()) is True
    assert summary.read_text(encoding="utf-8") == "# Tests\n\n" + render_markdown(sample_matrix())
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    assert append_step_summary(sample_matrix()) is False


def test_step_summary_stays_within_the_limit(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    full = len(("\n" + render_markdown(sample_matrix())).encode())
    short = len(("\n" + render_markdown(sample_matrix(), details=False)).encode())
    assert short < full
    # Room for the table but not the details: the details are left out.
    append_step_summary(sample_matrix(), path=summary, limit=short + 10)
    assert summary.read_text(encoding="utf-8") == "\n" + render_markdown(
        sample_matrix(), details=False
    )
    # Room for a little: cut at a line, with a note, never past the limit.
    summary.write_text("x" * 1000, encoding="utf-8")
    append_step_summary(sample_matrix(), path=summary, limit=2000)
    text = summary.read_text(encoding="utf-8")
    assert len(text.encode()) <= 2000
    assert text.endswith("_(matrix cut to fit the job summary limit; see the matrix artifact)_\n")
    # No room at all: nothing is written.
    before = summary.read_bytes()
    assert append_step_summary(sample_matrix(), path=summary, limit=len(before) + 5) is False
    assert summary.read_bytes() == before
