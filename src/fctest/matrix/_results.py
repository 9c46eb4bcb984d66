"""The results file: what one test run observed, one record per test, before any merging.

The pytest plugin writes it (one record per conformance scenario or keyword check, per provider)
and ``fctest matrix merge`` turns one or more of them into the capability matrix. The file is
versioned JSON (``{"format": "fctest-results", "version": 2, "run": ..., "results": [...]}``),
validated against ``results.schema.json`` on load. Version 1 files (no evidence kinds, no model
families) are still read: each result's kind is derived from its cassette's provenance and its
model resolved with the installed profiles (``_profiles.with_profile``). Nothing here imports
pytest, vcrpy or hypothesis: the plugin imports this module from its hooks.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeAlias, get_args

from ._evidence import EVIDENCE_KINDS, EvidenceKind, derive_kind, link_target
from ._files import JsonFile, MatrixFileError, validate

__all__ = [
    "RESULTS_FORMAT",
    "RESULTS_VERSION",
    "Outcome",
    "Result",
    "ResultsFile",
    "RunInfo",
    "git_commit",
    "keyword_of",
]

RESULTS_FORMAT = "fctest-results"
RESULTS_VERSION = 2

Outcome: TypeAlias = Literal["pass", "fail", "unsupported", "partial", "skipped"]
"""What one test observed: it passed; it failed; the profile declares the capability unsupported
and fctest refused it cleanly before sending; it worked only because fctest rewrote something
(``changes`` says what); or it did not run (no cassette, deselected)."""

OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)


def keyword_of(capability: str) -> str | None:
    """The JSON Schema keyword of a ``keyword:<name>`` capability, else ``None``."""
    return capability.removeprefix("keyword:") if capability.startswith("keyword:") else None


@dataclass(frozen=True, slots=True)
class Result:
    """One test's (or one recording's) observation of one provider's capability.

    ``capability`` is a scenario tag (``fctest.scenarios.Capability``), ``call_ids``, or
    ``"keyword:<name>"`` for a JSON Schema keyword check. ``declared`` is what the profile
    declares: for a scenario, ``fctest.scenarios.unsupported_reason(scenario.needs, profile)``
    (``None``: declared supported; a string: declared unsupported, and why); for a keyword, the
    profile's ``KeywordMode`` (``"native"``, ``"rewritten"``, ``"dropped"``, ``"rejected"``).
    ``provenance`` describes the cassette (``{"source": "live", "date": ..., "endpoint": ...}``
    or ``{"source": "reference-server", ...}``); ``changes`` lists what was rewritten.

    ``evidence`` says what backs the result (``declared``, ``emulated``, ``recorded``,
    ``live``; derived from the provenance when not given). ``families`` are the model families
    the resolved profile applies (``None``: never resolved). ``interaction`` is the cassette's
    interaction the result is about; ``source`` where the declaration comes from; ``documented``
    the fields behind the cell whose documented value the profile does not use; ``finding`` how
    a real recording contradicts the declaration; ``note`` what was seen.
    """

    provider: str
    capability: str
    outcome: Outcome
    test_id: str
    scenario: str | None = None
    model: str | None = None
    reason: str | None = None
    cassette: str | None = None
    # Mappings and arbitrary declared values are not hashable: left out of the hash, kept in ==.
    provenance: Mapping[str, Any] | None = field(default=None, hash=False)
    declared: Any = field(default=None, hash=False)
    changes: tuple[str, ...] = ()
    evidence: EvidenceKind | None = None
    families: tuple[str, ...] | None = None
    interaction: int | None = None
    source: str | None = None
    documented: Mapping[str, Any] | None = field(default=None, hash=False)
    finding: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise MatrixFileError(
                f"result {self.test_id!r}: outcome {self.outcome!r} is not one of {list(OUTCOMES)}"
            )
        if self.evidence is None:
            object.__setattr__(self, "evidence", derive_kind(self.provenance, self.cassette))
        elif self.evidence not in EVIDENCE_KINDS:
            raise MatrixFileError(
                f"result {self.test_id!r}: evidence {self.evidence!r} is not one of "
                f"{list(EVIDENCE_KINDS)}"
            )
        for name in ("changes", "families"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @property
    def keyword(self) -> str | None:
        """The JSON Schema keyword for a ``keyword:`` result, else ``None``."""
        return keyword_of(self.capability)

    @property
    def kind(self) -> EvidenceKind:
        """``evidence``, never ``None`` (it is derived when not given)."""
        return self.evidence or derive_kind(self.provenance, self.cassette)

    @property
    def link(self) -> str | None:
        """Where a reader checks this result: the cassette path, or the declaration's source."""
        return link_target(self.kind, self.cassette, self.source)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict; fields left at their default are omitted."""
        out: dict[str, Any] = {
            "provider": self.provider,
            "capability": self.capability,
            "outcome": self.outcome,
            "test_id": self.test_id,
            "evidence": self.kind,
        }
        for name in _OPTIONAL:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        for name in ("provenance", "documented"):
            value = getattr(self, name)
            if value is not None:
                out[name] = dict(value)
        if self.changes:
            out["changes"] = list(self.changes)
        if self.families is not None:
            out["families"] = list(self.families)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Result:
        """Inverse of ``to_json``. Validates ``data`` against the results schema's record."""
        validate(dict(data), "results.schema.json", what="result", definition="result")
        return cls._from_valid(data)

    @classmethod
    def _from_valid(cls, data: Mapping[str, Any]) -> Result:
        provenance, documented = data.get("provenance"), data.get("documented")
        families = data.get("families")
        return cls(
            provider=data["provider"],
            capability=data["capability"],
            outcome=data["outcome"],
            test_id=data["test_id"],
            provenance=dict(provenance) if provenance is not None else None,
            documented=dict(documented) if documented is not None else None,
            changes=tuple(data.get("changes", ())),
            evidence=data.get("evidence"),
            families=tuple(families) if families is not None else None,
            **{name: data.get(name) for name in _OPTIONAL},
        )

    def sort_key(self) -> str:
        """A total, content-based order (what makes merged files byte-identical)."""
        return json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)


# Fields written only when set, as they are.
_OPTIONAL = (
    "scenario",
    "model",
    "reason",
    "cassette",
    "declared",
    "interaction",
    "source",
    "finding",
    "note",
)


def _find_git_dir(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / ".git"
        if candidate.is_dir():
            return candidate
        if candidate.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = candidate.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text.removeprefix("gitdir:").strip())
                return target if target.is_absolute() else (directory / target).resolve()
    return None


def _resolve_ref(git_dir: Path, ref: str) -> str | None:
    # A worktree keeps its HEAD locally but shares refs with the main repository ("commondir").
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        common = (git_dir / commondir.read_text(encoding="utf-8").strip()).resolve()
    for base in (git_dir, common):
        loose = base / ref
        if loose.is_file():
            return loose.read_text(encoding="utf-8").strip() or None
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8", errors="replace").splitlines():
            sha, _, name = line.partition(" ")
            if name.strip() == ref:
                return sha
    return None


def git_commit(root: str | os.PathLike[str] | None = None) -> str | None:
    """The commit checked out at ``root`` (default: the working directory), or ``None``.

    Reads ``.git`` directly rather than running ``git`` (which may not be installed); falls back
    to CI variables (``GITHUB_SHA``, ``CI_COMMIT_SHA``). Never raises.
    """
    try:
        git_dir = _find_git_dir(Path(root if root is not None else Path.cwd()).resolve())
        if git_dir is not None:
            head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
            if head.startswith("ref:"):
                sha = _resolve_ref(git_dir, head.removeprefix("ref:").strip())
            else:
                sha = head
            if sha:
                return sha
    except OSError:
        pass
    return os.environ.get("GITHUB_SHA") or os.environ.get("CI_COMMIT_SHA") or None


@dataclass(frozen=True, slots=True)
class RunInfo:
    """Where a results file comes from: fctest version, commit, UTC date, Python, plugin options."""

    fctest_version: str
    git_commit: str | None
    date: str
    python: str
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def current(
        cls, options: Mapping[str, Any] | None = None, *, root: str | os.PathLike[str] | None = None
    ) -> RunInfo:
        """The run happening now; ``options`` are the plugin options (JSON-ready values)."""
        from .._version import __version__

        return cls(
            fctest_version=__version__,
            git_commit=git_commit(root),
            date=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            python=f"{platform.python_implementation()} {platform.python_version()}",
            # Option values may be paths or enums: stored as their text, so the file stays JSON.
            options=json.loads(json.dumps(dict(options or {}), default=str)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "fctest_version": self.fctest_version,
            "git_commit": self.git_commit,
            "date": self.date,
            "python": self.python,
            "options": dict(self.options),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunInfo:
        validate(dict(data), "results.schema.json", what="run", definition="run")
        return cls._from_valid(data)

    @classmethod
    def _from_valid(cls, data: Mapping[str, Any]) -> RunInfo:
        return cls(
            fctest_version=data["fctest_version"],
            git_commit=data.get("git_commit"),
            date=data["date"],
            python=data["python"],
            options=dict(data.get("options", {})),
        )

    def sort_key(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class ResultsFile(JsonFile):
    """One run's results, as the plugin writes them."""

    SCHEMA: ClassVar[str] = "results.schema.json"

    run: RunInfo
    results: tuple[Result, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "format": RESULTS_FORMAT,
            "version": RESULTS_VERSION,
            "run": self.run.to_json(),
            "results": [r.to_json() for r in self.results],
        }

    @classmethod
    def from_json(cls, data: Any, *, source: str = "<data>") -> ResultsFile:
        """Validate ``data`` (a parsed results file) and build it; ``source`` names it in errors."""
        validate(data, "results.schema.json", what=source)
        results = tuple(Result._from_valid(r) for r in data["results"])
        if data["version"] < RESULTS_VERSION:
            from ._profiles import with_profile

            results = tuple(with_profile(r) for r in results)
        return cls(run=RunInfo._from_valid(data["run"]), results=results)
