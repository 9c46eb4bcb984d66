"""Reading, writing and validating fctest's JSON files against the schemas shipped beside them.

Every file fctest writes goes through ``write_json`` after ``validate``, and every file it reads
through ``read_json`` and ``validate``, so a hand-edited, truncated or newer file fails with a
``MatrixFileError`` naming the file, the JSON path and what was expected.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from jsonschema.exceptions import best_match
from jsonschema.validators import Draft202012Validator

from .._exceptions import UsageError

__all__ = ["JsonFile", "MatrixFileError", "read_json", "schema", "validate", "write_json"]

_HERE = Path(__file__).resolve().parent


class MatrixFileError(UsageError):
    """A results or matrix file that cannot be read: missing, not JSON, or not the format."""


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed JSON Schema ``name`` (``schema.json``, ``results.schema.json``,
    ``observations.schema.json``, or an older version's, ``schema.v1.json``)."""
    loaded: dict[str, Any] = json.loads((_HERE / name).read_text(encoding="utf-8"))
    return loaded


@cache
def _validator(name: str, definition: str | None) -> Draft202012Validator:
    root = schema(name)
    target = root if definition is None else {**root, "$ref": f"#/$defs/{definition}"}
    if definition is not None:
        # Validate against one definition only: drop the root's own constraints.
        target = {k: v for k, v in target.items() if k in {"$schema", "$id", "$defs", "$ref"}}
    return Draft202012Validator(target)


def _versioned(name: str, version: int) -> str:
    """The schema of an older ``version`` of ``name`` (``schema.json``: ``schema.v1.json``)."""
    stem, _, ext = name.rpartition(".")
    return f"{stem}.v{version}.{ext}"


def _schema_for(data: Any, name: str, what: str) -> str:
    """The schema that ``data`` (a whole file) is checked against: ``name`` for the current
    version, the kept schema of an older version it still reads, else a ``MatrixFileError``."""
    props = schema(name)["properties"]
    expected_format = props["format"]["const"]
    supported = props["version"]["const"]
    if not isinstance(data, dict) or data.get("format") != expected_format:
        got = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise MatrixFileError(f"{what}: not an {expected_format!r} file (format: {got!r})")
    version = data.get("version")
    if not isinstance(version, int) or version == supported:
        return name
    if version > supported:
        raise MatrixFileError(
            f"{what}: {expected_format} version {version} was written by a newer fctest; "
            f"this one reads versions up to {supported}"
        )
    older = _versioned(name, version)
    if not (_HERE / older).is_file():
        raise MatrixFileError(f"{what}: {expected_format} version {version} is no longer read")
    return older


def validate(data: Any, name: str, *, what: str, definition: str | None = None) -> None:
    """Raise ``MatrixFileError`` unless ``data`` matches schema ``name`` (or its ``definition``).

    A whole file (no ``definition``) of an older version is checked against that version's
    schema, kept beside the current one (``schema.v1.json``).
    """
    if definition is None:
        name = _schema_for(data, name, what)
    error = best_match(_validator(name, definition).iter_errors(data))
    if error is not None:
        raise MatrixFileError(f"{what}: {error.json_path}: {error.message}")


def read_json(path: str | os.PathLike[str]) -> Any:
    """Parse the JSON file at ``path``; a missing or malformed file is a ``MatrixFileError``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise MatrixFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MatrixFileError(f"{path}: not JSON: {exc}") from exc


def dumps(data: Any) -> str:
    """The canonical text of a file: sorted keys, 2-space indent, UTF-8, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` atomically (a temporary file renamed over ``path``)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(dumps(data), encoding="utf-8")
    os.replace(tmp, target)


F = TypeVar("F", bound="JsonFile")


class JsonFile:
    """One of fctest's files (results, observations, matrix): the subclass gives ``SCHEMA``,
    ``to_json`` and ``from_json``; ``dump`` and ``load`` are the same for all of them."""

    __slots__ = ()
    SCHEMA: ClassVar[str]

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_json(cls: type[F], data: Any, *, source: str = "<data>") -> F:
        raise NotImplementedError

    def dump(self, path: str | os.PathLike[str]) -> None:
        """Write the file, validated first (canonical: merged files diff cleanly); parent
        folders are created, and an invalid file is refused with nothing left behind."""
        data = self.to_json()
        validate(data, self.SCHEMA, what=str(path))
        write_json(path, data)

    @classmethod
    def load(cls: type[F], path: str | os.PathLike[str]) -> F:
        """Read and validate the file; a bad one raises ``MatrixFileError`` naming it."""
        return cls.from_json(read_json(path), source=str(path))
