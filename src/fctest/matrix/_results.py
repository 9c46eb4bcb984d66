"""The results file: what one test run observed, one record per test, before any merging.

The pytest plugin writes it (one record per conformance scenario or keyword check, per provider)
and ``fctest matrix merge`` turns one or more of them into the capability matrix. The file is
versioned JSON (``{"format": "fctest-results", "version": 1, "run": ..., "results": [...]}``),
validated against ``results.schema.json`` on load. Nothing here imports pytest, vcrpy or
hypothesis: the plugin imports this module from its hooks.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, TypeAlias, get_args

from ._files import MatrixFileError, read_json, validate, write_json

__all__ = [
    "RESULTS_FORMAT",
    "RESULTS_VERSION",
    "Outcome",
    "Result",
    "ResultsFile",
    "RunInfo",
    "git_commit",
]

RESULTS_FORMAT = "fctest-results"
RESULTS_VERSION = 1

Outcome: TypeAlias = Literal["pass", "fail", "unsupported", "partial", "skipped"]
"""What one test observed: it passed; it failed; the profile declares the capability unsupported
and fctest refused it cleanly before sending; it worked only because fctest rewrote something
(``changes`` says what); or it did not run (no cassette, deselected)."""

OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)


@dataclass(frozen=True, slots=True)
class Result:
    """One test's observation of one provider's capability.

    ``capability`` is a scenario tag (``fctest.scenarios.Capability``) or ``"keyword:<name>"``
    for a JSON Schema keyword check. ``declared`` is what the profile declares: for a scenario,
    ``fctest.scenarios.unsupported_reason(scenario.needs, profile)`` (``None``: declared
    supported; a string: declared unsupported, and why); for a keyword, the profile's
    ``KeywordMode`` (``"native"``, ``"rewritten"``, ``"dropped"``, ``"rejected"``).
    ``provenance`` describes the cassette (``{"source": "live", "date": ..., "endpoint": ...}``
    or ``{"source": "reference-server", ...}``); ``changes`` lists what was rewritten.
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

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise MatrixFileError(
                f"result {self.test_id!r}: outcome {self.outcome!r} is not one of {list(OUTCOMES)}"
            )
        if not isinstance(self.changes, tuple):
            object.__setattr__(self, "changes", tuple(self.changes))

    @property
    def keyword(self) -> str | None:
        """The JSON Schema keyword for a ``keyword:`` result, else ``None``."""
        if self.capability.startswith("keyword:"):
            return self.capability.removeprefix("keyword:")
        return None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict; fields left at their default are omitted."""
        out: dict[str, Any] = {
            "provider": self.provider,
            "capability": self.capability,
            "outcome": self.outcome,
            "test_id": self.test_id,
        }
        for name in ("scenario", "model", "reason", "cassette", "declared"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.provenance is not None:
            out["provenance"] = dict(self.provenance)
        if self.changes:
            out["changes"] = list(self.changes)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Result:
        """Inverse of ``to_json``. Validates ``data`` against the results schema's record."""
        validate(dict(data), "results.schema.json", what="result", definition="result")
        return cls._from_valid(data)

    @classmethod
    def _from_valid(cls, data: Mapping[str, Any]) -> Result:
        provenance = data.get("provenance")
        return cls(
            provider=data["provider"],
            capability=data["capability"],
            outcome=data["outcome"],
            test_id=data["test_id"],
            scenario=data.get("scenario"),
            model=data.get("model"),
            reason=data.get("reason"),
            cassette=data.get("cassette"),
            provenance=dict(provenance) if provenance is not None else None,
            declared=data.get("declared"),
            changes=tuple(data.get("changes", ())),
        )

    def sort_key(self) -> str:
        """A total, content-based order (what makes merged files byte-identical)."""
        return json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)


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
class ResultsFile:
    """One run's results, as the plugin writes them."""

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
        return cls(
            run=RunInfo._from_valid(data["run"]),
            results=tuple(Result._from_valid(r) for r in data["results"]),
        )

    def dump(self, path: str | os.PathLike[str]) -> None:
        """Write the file (UTF-8, sorted keys, trailing newline); parent folders are created."""
        data = self.to_json()
        validate(data, "results.schema.json", what=str(path))
        write_json(path, data)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ResultsFile:
        """Read and validate a results file; a bad file raises ``MatrixFileError`` naming it."""
        return cls.from_json(read_json(path), source=str(path))
