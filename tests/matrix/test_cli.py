"""``fctest matrix merge|diff|render``: outputs and exit codes, through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from fctest.cli import main
from fctest.matrix import Matrix, render_markdown, render_terminal

from ._sample import sample_matrix, shard_a, shard_b, shard_c


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    a, b, c = (tmp_path / f"shard-{x}.json" for x in "abc")
    shard_a().dump(a)
    shard_b().dump(b)
    shard_c().dump(c)
    return {"a": a, "b": b, "c": c}


def test_merge_is_order_independent_byte_for_byte(files: dict[str, Path], tmp_path: Path) -> None:
    ab, ba = tmp_path / "ab.json", tmp_path / "ba.json"
    a, b, c = (str(files[x]) for x in "abc")
    assert main(["matrix", "merge", a, b, c, "-o", str(ab)]) == 0
    assert main(["matrix", "merge", c, b, a, "-o", str(ba)]) == 0
    assert ab.read_bytes() == ba.read_bytes()
    assert Matrix.load(ab) == sample_matrix()
    # Merging a merged matrix with one of its inputs again changes nothing.
    again = tmp_path / "again.json"
    assert main(["matrix", "merge", str(ab), str(files["a"]), "-o", str(again)]) == 0
    assert again.read_bytes() == ab.read_bytes()


def test_merge_reports_bad_input(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}', encoding="utf-8")
    assert main(["matrix", "merge", str(files["a"]), str(bad), "-o", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fctest matrix: error: ")
    assert str(bad) in err
    assert not (tmp_path / "o.json").exists()


def _regressed(tmp_path: Path) -> Path:
    sample = sample_matrix()
    results = tuple(
        replace(r, outcome="fail", reason="decoded no call")
        if (r.provider, r.scenario) == ("openai", "single_call")
        else r
        for r in sample.results
        if (r.provider, r.scenario) != ("xai", "stream_parallel_calls")
    )
    path = tmp_path / "new.json"
    Matrix(runs=sample.runs, results=results).dump(path)
    return path


def test_diff_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.json"
    sample_matrix().dump(old)
    new = _regressed(tmp_path)

    assert main(["matrix", "diff", str(old), str(old)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")

    assert main(["matrix", "diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert (
        "regression (1):\n  openai · provider defaults: tool_call: pass -> fail: decoded no call"
        in out
    )
    assert "removed (1):\n  xai · provider defaults: streaming_parallel: fail -> not_tested" in out
    assert out.splitlines()[-1].startswith("FAIL: 1 regression, 0 fix, 0 finding, 0 new, 1 removed")

    allow = "openai:tool_call=provider incident 2025-06-01"
    assert main(["matrix", "diff", str(old), str(new), "--allow", allow]) == 0
    assert "[allowed: provider incident 2025-06-01]" in capsys.readouterr().out

    allow_file = tmp_path / "allow.txt"
    allow_file.write_text("# known\n\nopenai:tool_call=incident\n", encoding="utf-8")
    assert main(["matrix", "diff", str(old), str(new), "--allow-file", str(allow_file)]) == 0
    capsys.readouterr()

    assert main(["matrix", "diff", str(new), str(old)]) == 0  # the way back is a fix
    assert "fix (1)" in capsys.readouterr().out


def test_diff_json_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.json"
    sample_matrix().dump(old)
    new = _regressed(tmp_path)
    assert main(["matrix", "diff", str(old), str(new), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["exit_code"] == 1
    assert {c["kind"] for c in report["changes"]} == {"regression", "removed"}

    assert main(["matrix", "diff", str(old), str(new), "--allow", "openai:tool_call"]) == 2
    assert "expected provider:capability=reason" in capsys.readouterr().err
    assert main(["matrix", "diff", str(old), str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["matrix", "diff", str(old), str(new), "--allow-file", str(tmp_path / "no")]) == 2


def test_diff_accepts_results_files(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["matrix", "diff", str(files["a"]), str(files["a"])]) == 0
    assert main(["matrix", "diff", str(files["a"]), str(files["b"])]) == 0  # removed + new only
    out = capsys.readouterr().out
    assert "removed (" in out
    assert "new (" in out


@pytest.mark.parametrize("fmt", ["terminal", "md", "html", "json"])
def test_render_formats(
    fmt: str, files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    merged = tmp_path / "all.json"
    shards = [str(files[x]) for x in "abc"]
    assert main(["matrix", "merge", *shards, "-o", str(merged)]) == 0
    out = tmp_path / "out" / f"matrix.{fmt}"
    assert main(["matrix", "render", str(merged), "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "terminal":
        assert text == render_terminal(sample_matrix())
    elif fmt == "md":
        assert text == render_markdown(sample_matrix())
    elif fmt == "html":
        assert text.startswith("<!doctype html>")
    else:
        assert Matrix.from_json(json.loads(text)) == sample_matrix()


def test_render_terminal_color_and_width(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert main(["matrix", "render", str(files["a"])]) == 0
    assert "\x1b[" not in capsys.readouterr().out  # captured stdout is not a terminal
    assert main(["matrix", "render", str(files["a"]), "--color", "always", "--width", "80"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[32m✓\x1b[0m" in out


def test_render_md_appends_to_the_step_summary(
    files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["matrix", "render", str(files["a"]), "--format", "md"]) == 0
    printed = capsys.readouterr().out
    assert summary.read_text(encoding="utf-8") == "\n" + printed
    assert main(["matrix", "render", str(files["a"]), "--format", "md", "--no-step-summary"]) == 0
    assert summary.read_text(encoding="utf-8") == "\n" + printed


def test_render_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("nope", encoding="utf-8")
    assert main(["matrix", "render", str(bad)]) == 2
    assert "not JSON" in capsys.readouterr().err


def test_console_entry_point(files: dict[str, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fctest", "matrix", "render", str(files["b"]), "--width", "100"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("fctest capability matrix")


def test_render_update_and_check_a_readme(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Project\n\n<!-- fctest-matrix:start -->\nold\n<!-- fctest-matrix:end -->\n\nMore.\n",
        encoding="utf-8",
    )
    args = ["matrix", "render", str(files["a"]), "--update", str(readme)]
    assert main([*args, "--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert main(args) == 0
    text = readme.read_text(encoding="utf-8")
    # The embedded matrix has no run line (commit, date): the README changes with the cells.
    expected = render_markdown(Matrix.from_results(shard_a()), run=False).rstrip()
    assert "cassettes:" in expected
    assert shard_a().run.date not in expected
    assert text == (
        "# Project\n\n<!-- fctest-matrix:start -->\n"
        + expected
        + "\n<!-- fctest-matrix:end -->\n\nMore.\n"
    )
    assert main([*args, "--check"]) == 0
    assert readme.read_text(encoding="utf-8") == text


def test_render_update_without_markers(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Project\n", encoding="utf-8")
    assert main(["matrix", "render", str(files["a"]), "--update", str(readme)]) == 2
    assert "no <!-- fctest-matrix:start -->" in capsys.readouterr().err
    assert main(["matrix", "render", str(files["a"]), "--update", str(tmp_path / "none.md")]) == 2


def test_diff_fail_on_finding(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Adding the observations of real recordings brings a finding (gemini 3 sends call ids).
    both = tmp_path / "ab.json"
    assert main(["matrix", "merge", str(files["a"]), str(files["b"]), "-o", str(both)]) == 0
    everything = tmp_path / "abc.json"
    assert main(["matrix", "merge", str(both), str(files["c"]), "-o", str(everything)]) == 0
    capsys.readouterr()
    assert main(["matrix", "diff", str(both), str(everything)]) == 0
    assert main(["matrix", "diff", str(both), str(everything), "--fail-on", "finding"]) == 1
    out = capsys.readouterr().out
    assert "finding: declared tool_call_ids 'generated'" in out
    assert out.splitlines()[-1].startswith("FAIL: ")
    allow = "gemini[gemini 3]:call_ids=ids since Gemini 3, rule pending"
    args = ["matrix", "diff", str(both), str(everything), "--fail-on", "finding"]
    assert main([*args, "--allow", allow]) == 0
    with pytest.raises(SystemExit) as exit_info:  # argparse: a one-line usage error
        main(["matrix", "diff", str(both), str(everything), "--fail-on", "everything"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'everything'" in capsys.readouterr().err
