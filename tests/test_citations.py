"""Every citation the code and docs make resolves inside the repository or to an official source.

Two checks, each run per file so a failure names the file and the line:

- no citation (in ``src/``, ``tests/``, ``docs/`` and README) of the old catalogue, which is not in
  the repository: check numbers (``C29``, ``C38b``, ``C01-C04``), issue tags (``[I14]``), source
  tags (``[S-XAI-N]``, ``S-OR-REQ``), ``provider-dialects.md`` and the other notes kept next to the
  repository (``testing-notes.md``, ``shared/<file>.md``; files of the shared corpus may be named,
  the tests read them);
- every ``dialects.md#<anchor>`` reference names an ``<a id="...">`` of ``docs/dialects.md``, and
  the page's own ``](#anchor)`` links resolve too.

``test_the_checker_*`` plant bad citations and a few look-alikes that are not citations
(``[DONE]``, regex classes, type parameters, status texts, colours), so the patterns are shown to
catch the one and leave the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from conftest import REPO

DIALECTS = REPO / "docs" / "dialects.md"

OLD_CITATIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # C01..C40 (and C38b/C38c), alone, in lists and in ranges; not hex, colours or escapes.
    ("check number", re.compile(r"(?<![\w#&%\\])C[0-9]{2}[a-c]?(?!\w)")),
    ("issue tag", re.compile(r"\[I[0-9]+[a-z]?\]")),
    (
        "source tag",
        re.compile(r"\[S-[A-Z0-9-]+\]|(?<![\w-])S-[A-Z]{2,}(?:-[A-Z0-9]+)+(?![\w-])"),
    ),
    ("the old catalogue", re.compile(r"provider-dialects")),
    (
        "a file outside the repository",
        re.compile(r"\btesting-notes\b|(?<![\w/.])shared/(?!corpus/)[\w.-]+\.md\b"),
    ),
)

ANCHOR_REF = re.compile(r"dialects\.md#([A-Za-z0-9_-]+)")
ANCHOR_DEF = re.compile(r'<a id="([^"]+)"></a>')
PAGE_LINK = re.compile(r"\]\(#([^)]+)\)")

# Files other engineers are editing while this check lands. Each still holds the citations
# listed; remove its entry once they are rewritten (the xfail is strict, so a fixed file whose
# entry stays makes the run fail).
PENDING: dict[str, str] = {}


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)


def _files(*patterns: str) -> list[Path]:
    found: set[Path] = set()
    for pattern in patterns:
        found.update(p for p in REPO.glob(pattern) if p.is_file())
    return sorted(found)


def old_citations(text: str) -> list[str]:
    """``"line N: <kind> <token>"`` for every citation of the old catalogue in ``text``."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        for kind, pattern in OLD_CITATIONS:
            out.extend(f"line {number}: {kind} {m.group(0)!r}" for m in pattern.finditer(line))
    return out


def anchors(page: str) -> set[str]:
    """The anchors ``page`` (the text of docs/dialects.md) defines."""
    return set(ANCHOR_DEF.findall(page))


def broken_anchors(
    text: str, known: set[str], *, pattern: re.Pattern[str] = ANCHOR_REF
) -> list[str]:
    """``"line N: #anchor"`` for every reference in ``text`` to an anchor not in ``known``."""
    return [
        f"line {number}: #{m.group(1)}"
        for number, line in enumerate(text.splitlines(), 1)
        for m in pattern.finditer(line)
        if m.group(1) not in known
    ]


def _params(paths: Iterable[Path]) -> list[object]:
    params: list[object] = []
    for path in paths:
        rel = _rel(path)
        marks = []
        if rel in PENDING:
            marks.append(pytest.mark.xfail(strict=True, reason=f"still cites {PENDING[rel]}"))
        params.append(pytest.param(path, id=rel, marks=marks))
    return params


# This file is left out: it names the old tokens to look for them.
SCANNED = [
    p
    for p in _files("src/**/*.py", "tests/**/*.py", "docs/**/*.md", "README.md")
    if p != Path(__file__).resolve()
]
REFERRING = _files("src/**/*.py", "tests/**/*.py", "docs/**/*.md", "README.md")


@pytest.mark.parametrize("path", _params(SCANNED))
def test_no_citation_of_the_old_catalogue(path: Path) -> None:
    found = old_citations(path.read_text(encoding="utf-8"))
    assert not found, f"{_rel(path)} cites what the repository cannot resolve:\n" + "\n".join(found)


@pytest.mark.parametrize("path", [pytest.param(p, id=_rel(p)) for p in REFERRING])
def test_dialects_anchors_exist(path: Path) -> None:
    known = anchors(DIALECTS.read_text(encoding="utf-8"))
    broken = broken_anchors(path.read_text(encoding="utf-8"), known)
    assert not broken, f"{_rel(path)} names anchors docs/dialects.md lacks:\n" + "\n".join(broken)


def test_dialects_page_links_and_anchors_are_sound() -> None:
    page = DIALECTS.read_text(encoding="utf-8")
    ids = ANCHOR_DEF.findall(page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert not broken_anchors(page, set(ids), pattern=PAGE_LINK)


def test_the_scan_covers_the_code_docs_and_readme() -> None:
    scanned = {_rel(p) for p in SCANNED}
    assert {"README.md", "docs/dialects.md", "src/fctest/providers/openai/_profile.py"} <= scanned
    assert set(PENDING) <= scanned, "a PENDING entry names a file that is not scanned"
    assert "tests/test_citations.py" in {_rel(p) for p in REFERRING}


# --- the checker itself ------------------------------------------------------------------------

# Built from pieces so this file holds no citation of its own.
_PLANTED = {
    "check number": ["(C" + "29)", "C" + "01-C" + "04", "C" + "38b", "checks C" + "23, C" + "24"],
    "issue tag": ["[I" + "14]", "see [I" + "14b]"],
    "source tag": ["[S-" + "XAI-N]", "[S-" + "GROQ]", "(S-" + "OR-REQ)", "S-" + "AZ-FC"],
    "the old catalogue": ["provider-" + "dialects.md table 10"],
    "a file outside the repository": ["(testing-" + "notes)", "shared/" + "conventions.md"],
}

_NOT_CITATIONS = [
    "data: [DONE]",
    "re.compile(r'[A-Z][A-Za-z0-9_]*')",
    "def first(items: list[T]) -> T: ...  # Callable[[M], M]",
    "messages[N].tool_calls[0].id; x[I] = y",
    "HTTP/1.1 429 Too Many Requests; 503 Service Unavailable",
    "color: #C0C0C0; '\\u00C0'; 0xC01; %C3%A9",
    "RFC 6901 §3, RFC 9110 10.2.3",
    "shared/corpus/pydantic__pydantic-ai/openai/test_complex_agent_run.yaml",
    "src/groq/types/shared/function_definition.py, types/shared/error_type.py",
    "S-expression; CAST-128; ISO-8601",
]


@pytest.mark.parametrize(("kind", "sample"), [(k, s) for k, v in _PLANTED.items() for s in v])
def test_the_checker_catches_a_planted_citation(kind: str, sample: str) -> None:
    found = old_citations(f"# a comment\n    x = 1  # why: {sample}\n")
    assert found
    assert all(f.startswith("line 2: ") for f in found)
    assert any(f"line 2: {kind} " in f for f in found), found


@pytest.mark.parametrize("sample", _NOT_CITATIONS)
def test_the_checker_leaves_look_alikes_alone(sample: str) -> None:
    assert old_citations(sample) == []


def test_the_checker_fails_on_a_planted_file(tmp_path: Path) -> None:
    known = anchors(DIALECTS.read_text(encoding="utf-8"))
    assert {"tool-names-openai", "ids-anthropic", "conflicts"} <= known
    good = "docs/dialects.md" + "#ids-anthropic"
    bad = "docs/dialects.md" + "#ids-anthropics"
    module = tmp_path / "module.py"
    module.write_text(
        f'"""Ids are remapped ({good})."""\n\n# Results come first (C' + f"33; {bad}).\n",
        encoding="utf-8",
    )
    text = module.read_text(encoding="utf-8")
    assert old_citations(text) == ["line 3: check number 'C" + "33'"]
    assert broken_anchors(text, known) == ["line 3: #ids-anthropics"]
    # The per-file tests themselves fail on it, naming the line.
    with pytest.raises(AssertionError, match="line 3: check number"):
        test_no_citation_of_the_old_catalogue(module)
    with pytest.raises(AssertionError, match="line 3: #ids-anthropics"):
        test_dialects_anchors_exist(module)
