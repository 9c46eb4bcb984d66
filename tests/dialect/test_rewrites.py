"""The named rewrites every dialect shares: each records one change with the caller's reason,
and each means the same as what it replaces (checked with jsonschema on sample values)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from fctest.dialect import (
    SchemaChange,
    SchemaTransformer,
    accepts_null,
    as_any_of,
    const_as_enum,
    is_object,
    merge_single_all_of,
    nullable,
)


def _walker() -> SchemaTransformer:
    return SchemaTransformer({"type": "object"}, tool="t", provider="p")


def _valid(schema: Any, value: Any) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(value)


def test_as_any_of_records_the_change() -> None:
    w = _walker()
    branches = [{"type": "string"}, {"type": "integer"}]
    assert as_any_of(w, branches, "/properties/x", "no oneOf here") == {"anyOf": branches}
    assert w.changes == [SchemaChange("/properties/x", "oneOf", "rewritten", "no oneOf here")]


def test_merge_single_all_of_only_merges_a_wrapper() -> None:
    w = _walker()
    assert merge_single_all_of(w, [{"$ref": "#/$defs/A"}], "", "merged") == {"$ref": "#/$defs/A"}
    assert [c.keyword for c in w.changes] == ["allOf"]
    assert merge_single_all_of(w, [{"type": "string"}, {"minLength": 2}], "", "merged") is None
    assert merge_single_all_of(w, ["not a schema"], "", "merged") is None
    assert len(w.changes) == 1


@pytest.mark.parametrize("value", ["a", 3, None, True, {"k": [1]}])
def test_const_as_enum_means_the_same(value: Any) -> None:
    w = _walker()
    rewritten = const_as_enum(w, value, "/p", "one-value enum")
    for sample in ("a", 3, None, True, {"k": [1]}, "b"):
        assert _valid(rewritten, sample) is _valid({"const": value}, sample)
    assert w.changes[0].keyword == "const"


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string"},
        {"type": ["string", "integer"]},
        {"enum": ["a", "b"]},
        {"type": "string", "enum": ["a"]},
        {"const": 1},
        {"$ref": "#/$defs/A"},
        {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        {"type": "null"},
        {"not": {"type": "null"}},
    ],
)
def test_nullable_accepts_null_and_everything_it_accepted(schema: dict[str, Any]) -> None:
    widened = nullable(schema)
    defs = {"#/$defs/A": {"type": "string"}}
    root = {"$defs": {"A": {"type": "string"}}}
    assert accepts_null({**widened}, defs)
    for sample in ("a", 1, 2.5, True, [1]):
        if _valid({**root, **schema}, sample):
            assert _valid({**root, **widened}, sample), (schema, widened, sample)


def test_is_object() -> None:
    assert is_object({"type": "object"})
    assert is_object({"type": ["object", "null"]})
    assert is_object({"properties": {}})
    assert not is_object({"type": "string"})
