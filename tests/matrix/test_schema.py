"""The JSON Schemas are valid, and validate every file fctest writes (and reject bad ones)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import Draft202012Validator

from fctest.cli import main
from fctest.matrix import Matrix, MatrixFileError, ResultsFile, RunInfo
from fctest.matrix._files import schema, validate

from ._sample import sample_matrix, shard_a, shard_b

SCHEMAS = {
    "schema.json": 2,
    "results.schema.json": 2,
    "observations.schema.json": 1,
    # Older versions, kept to read their files.
    "schema.v1.json": 1,
    "results.schema.v1.json": 1,
}


@pytest.mark.parametrize(("name", "version"), SCHEMAS.items())
def test_schemas_are_valid_draft_2020_12(name: str, version: int) -> None:
    Draft202012Validator.check_schema(schema(name))
    assert schema(name)["properties"]["version"] == {"const": version}


def _check(path: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(schema(name)).iter_errors(data))
    assert not errors, [e.message for e in errors]
    return data


def test_every_written_file_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    shard_a().dump(a)
    shard_b().dump(b)
    _check(a, "results.schema.json")
    _check(b, "results.schema.json")

    merged = tmp_path / "all.json"
    assert main(["matrix", "merge", str(a), str(b), "-o", str(merged)]) == 0
    _check(merged, "schema.json")

    assert main(["matrix", "merge", str(a), str(merged)]) == 0  # results + matrix, to stdout
    out = capsys.readouterr().out
    stdout_file = tmp_path / "stdout.json"
    stdout_file.write_text(out, encoding="utf-8")
    _check(stdout_file, "schema.json")

    rendered = tmp_path / "render.json"
    assert main(["matrix", "render", str(merged), "--format", "json", "-o", str(rendered)]) == 0
    _check(rendered, "schema.json")

    sample_matrix().dump(tmp_path / "dump.json")
    _check(tmp_path / "dump.json", "schema.json")
    Matrix().dump(tmp_path / "empty.json")
    _check(tmp_path / "empty.json", "schema.json")


def test_the_schema_rejects_what_the_model_would_not_write() -> None:
    good = sample_matrix().to_json()
    validate(good, "schema.json", what="good")
    bad_state = json.loads(json.dumps(good))
    bad_state["cells"][0]["state"] = "skipped"  # an outcome, not a state
    with pytest.raises(MatrixFileError, match=r"\$\.cells\[0\]\.state"):
        validate(bad_state, "schema.json", what="bad")
    missing = json.loads(json.dumps(good))
    del missing["summary"]["drift"]
    with pytest.raises(MatrixFileError, match="'drift' is a required property"):
        validate(missing, "schema.json", what="bad")
    empty_family = json.loads(json.dumps(good))
    empty_family["rows"][0]["family"] = ""
    with pytest.raises(MatrixFileError, match=r"\$\.rows\[0\]\.family"):
        validate(empty_family, "schema.json", what="bad")
    bad_kind = json.loads(json.dumps(good))
    bad_kind["cells"][0]["evidence"][0]["evidence"] = "hearsay"
    with pytest.raises(MatrixFileError, match=r"\$\.cells\[0\]\.evidence\[0\]\.evidence"):
        validate(bad_kind, "schema.json", what="bad")


def test_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    data = sample_matrix().to_json()
    data["version"] = 7
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(MatrixFileError, match="version 7 was written by a newer fctest"):
        Matrix.load(path)


def test_dump_refuses_to_write_an_invalid_file(tmp_path: Path) -> None:
    # A run without a date cannot be written (and nothing is left behind).
    broken = ResultsFile(RunInfo("0.1.0", None, "", "x", {}), ())
    with pytest.raises(MatrixFileError, match=r"\$\.run\.date"):
        broken.dump(tmp_path / "r.json")
    assert not list(tmp_path.iterdir())
