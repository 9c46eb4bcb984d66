"""What ``fctest matrix observe|merge|diff|render`` do, as functions returning an exit code.

``fctest.cli`` only parses arguments and calls these. Exit codes: ``0`` done (no blocking
change), ``1`` a regression (or, with ``--fail-on finding``, a new finding) not covered by
``--allow``, or for ``observe`` a recording an adapter failed to decode; ``2`` a usage error
(unreadable or invalid file, a path that is not there, an unknown provider, bad ``--allow``),
reported on ``err`` in one line naming the file.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TextIO, TypeAlias

from .._exceptions import UsageError
from ._diff import Allow, FailOn, diff
from ._files import dumps
from ._html import render_html
from ._markdown import append_step_summary, embed_markdown, render_markdown
from ._model import Matrix, load_any
from ._observe import observe
from ._render import TERMINAL_GLYPHS, can_encode, render_json, render_terminal, should_color

__all__ = [
    "RenderFormat",
    "diff_command",
    "merge_command",
    "observe_command",
    "render_command",
]

RenderFormat: TypeAlias = Literal["terminal", "md", "html", "json"]
RENDER_FORMATS: tuple[RenderFormat, ...] = ("terminal", "md", "html", "json")


def _fail(err: TextIO, error: Exception) -> int:
    err.write(f"fctest matrix: error: {error}\n")
    return 2


def merge_command(
    inputs: Sequence[str | os.PathLike[str]],
    *,
    output: str | os.PathLike[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Merge results and/or matrix files into one matrix file (``output``, or ``out``)."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        if not inputs:
            raise UsageError("merge needs at least one results or matrix file")
        matrix = Matrix().merge(*(load_any(p) for p in inputs))
        if output is None:
            out.write(render_json(matrix))
        else:
            matrix.dump(output)
            counts = matrix.summary()
            err.write(
                f"wrote {output}: {len(matrix.rows)} row(s), {len(matrix.runs)} run(s), "
                f"{counts['fail']} fail, {counts['drift']} drift\n"
            )
    except UsageError as exc:
        return _fail(err, exc)
    return 0


def observe_command(
    paths: Sequence[str | os.PathLike[str]],
    *,
    output: str | os.PathLike[str] | None = None,
    provider: str | None = None,
    root: str | os.PathLike[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Observe real recordings (``fctest.matrix.observe``) and write the observations file
    (``output``, or ``out``); the counts per provider go to ``err``. ``1`` when an adapter
    failed to decode a recording it claims."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        observed = observe(paths, provider=provider, root=root)
        if output is None:
            out.write(dumps(observed.to_json()))
        else:
            observed.dump(output)
    except UsageError as exc:
        return _fail(err, exc)
    err.write(observed.report())
    if output is not None:
        err.write(f"wrote {output}: {len(observed.observations)} observation(s)\n")
    return 1 if any(o.failure is not None for o in observed.observations) else 0


def diff_command(
    old: str | os.PathLike[str],
    new: str | os.PathLike[str],
    *,
    allow: Sequence[str] = (),
    allow_file: str | os.PathLike[str] | None = None,
    fail_on: Sequence[FailOn] = ("regression",),
    fmt: Literal["text", "json"] = "text",
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print every changed cell between ``old`` and ``new``; ``1`` on a blocking change (a
    regression; with ``fail_on`` holding ``"finding"``, a new finding too) not allowed.

    ``allow_file`` holds one ``provider:capability=reason`` per line (``#`` starts a comment).
    """
    out, err = out or sys.stdout, err or sys.stderr
    try:
        entries = list(allow)
        if allow_file is not None:
            try:
                text = Path(allow_file).read_text(encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"{allow_file}: cannot read: {exc.strerror or exc}") from exc
            # Only whole-line comments: a reason may well say "ticket #42".
            for line in text.splitlines():
                entry = line.strip()
                if entry and not entry.startswith("#"):
                    entries.append(entry)
        allows = [Allow.parse(a) for a in entries]
        result = diff(load_any(old), load_any(new), allow=allows, fail_on=fail_on)
    except UsageError as exc:
        return _fail(err, exc)
    if fmt == "json":
        out.write(json.dumps(result.to_json(), indent=2, sort_keys=True) + "\n")
    else:
        out.write(result.format())
    return result.exit_code


def _update(matrix: Matrix, target: Path, *, check: bool, err: TextIO) -> int:
    try:
        document = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{target}: cannot read: {exc.strerror or exc}") from exc
    updated = embed_markdown(document, render_markdown(matrix, run=False), source=str(target))
    if updated == document:
        return 0
    if check:
        err.write(f"{target}: the matrix block is stale; run fctest matrix render --update\n")
        return 1
    target.write_text(updated, encoding="utf-8")
    err.write(f"updated the matrix block in {target}\n")
    return 0


def render_command(
    path: str | os.PathLike[str],
    *,
    fmt: RenderFormat = "terminal",
    output: str | os.PathLike[str] | None = None,
    width: int = 100,
    color: Literal["auto", "always", "never"] = "auto",
    step_summary: bool = True,
    update: str | os.PathLike[str] | None = None,
    check: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Render a matrix (or results) file; Markdown also goes to ``$GITHUB_STEP_SUMMARY``.

    ``update`` puts the Markdown between the fctest-matrix markers of that file (a README);
    with ``check`` nothing is written and the exit code is ``1`` when the file is stale.
    """
    out, err = out or sys.stdout, err or sys.stderr
    try:
        matrix = load_any(path)
        if update is not None:
            return _update(matrix, Path(update), check=check, err=err)
    except UsageError as exc:
        return _fail(err, exc)
    if fmt == "terminal":
        stream_colors = should_color(out) if output is None else False
        use_color = {"auto": stream_colors, "always": True, "never": False}[color]
        unicode = output is not None or can_encode(out, TERMINAL_GLYPHS)
        text = render_terminal(matrix, color=use_color, width=width, unicode=unicode)
    elif fmt == "md":
        text = render_markdown(matrix)
        if step_summary:
            append_step_summary(matrix)
    elif fmt == "html":
        text = render_html(matrix)
    else:
        text = render_json(matrix)
    if output is None:
        out.write(text)
    else:
        target = Path(output)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return 0
