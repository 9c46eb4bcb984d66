"""The one schema walker: $ref/$defs in both modes, recursion, pointers, purity, determinism."""

from __future__ import annotations

import copy
import json
from typing import Any, ClassVar

import pytest

from fctest.dialect import SchemaChange, SchemaTransformer, collect_defs, subschemas
from fctest.errors import IncompatibleToolError


class Recording(SchemaTransformer):
    """Drops ``format`` (with a change), rejects ``not``, records where it was called."""

    def __init__(self, schema: dict[str, Any], *, tool: str = "t") -> None:
        super().__init__(schema, tool=tool, provider="testprov")
        self.visited: list[str] = []
        self.bools: list[tuple[bool, str]] = []

    def transform(self, node: dict[str, Any], pointer: str) -> dict[str, Any]:
        self.visited.append(pointer)
        if "format" in node:
            node = {k: v for k, v in node.items() if k != "format"}
            self.drop(pointer, "format", "no formats here")
        if "not" in node:
            self.reject(f"{pointer}/not", "'not' is not supported")
        return node

    def transform_bool(self, value: bool, pointer: str) -> Any:
        self.bools.append((value, pointer))
        return value


class Inlining(Recording):
    inline_defs: ClassVar[bool] = True


def _walk(cls: type[Recording], schema: dict[str, Any]) -> tuple[dict[str, Any], Recording]:
    before = copy.deepcopy(schema)
    walker = cls(schema)
    out = walker.walk()
    assert schema == before, "the walker changed its input"
    return out, walker


ADDRESS = {
    "type": "object",
    "properties": {"street": {"type": "string"}, "zip": {"type": "string", "format": "zip"}},
    "required": ["street"],
}
PERSON = {
    "type": "object",
    "properties": {
        "home": {"$ref": "#/$defs/Address"},
        "work": {"$ref": "#/$defs/Address", "description": "office"},
    },
    "$defs": {"Address": ADDRESS},
}


# --- keep mode ----------------------------------------------------------------------------------


def test_keep_mode_keeps_refs_and_walks_defs() -> None:
    out, w = _walk(Recording, PERSON)
    assert out == {
        "type": "object",
        "properties": {
            "home": {"$ref": "#/$defs/Address"},
            "work": {"$ref": "#/$defs/Address", "description": "office"},
        },
        "$defs": {
            "Address": {
                "type": "object",
                "properties": {"street": {"type": "string"}, "zip": {"type": "string"}},
                "required": ["street"],
            }
        },
    }
    assert w.changes == [
        SchemaChange("/$defs/Address/properties/zip", "format", "dropped", "no formats here")
    ]
    # bottom-up: children before their parent, root last
    assert w.visited == [
        "/properties/home",
        "/properties/work",
        "/$defs/Address/properties/street",
        "/$defs/Address/properties/zip",
        "/$defs/Address",
        "",
    ]


def test_keep_mode_rejects_an_unresolvable_ref() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "#/$defs/Missing"}}}
    with pytest.raises(IncompatibleToolError) as info:
        Recording(schema, tool="lookup").walk()
    e = info.value
    assert (e.provider, e.tool, e.pointer) == ("testprov", "lookup", "/properties/a/$ref")
    assert e.reason == "$ref '#/$defs/Missing' does not resolve to a local definition"
    assert str(e) == (
        "testprov: tool 'lookup' at /properties/a/$ref: "
        "$ref '#/$defs/Missing' does not resolve to a local definition"
    )


@pytest.mark.parametrize("cls", [Recording, Inlining])
@pytest.mark.parametrize(
    "ref",
    ["https://example.com/address.json", "#/properties/a", "#/$defs/Address/properties/zip"],
)
def test_non_definition_refs_are_rejected(cls: type[Recording], ref: str) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"items": {"$ref": ref}}},
        "$defs": {"Address": ADDRESS},
    }
    with pytest.raises(IncompatibleToolError) as info:
        cls(schema).walk()
    assert info.value.pointer == "/properties/b/items/$ref"
    assert repr(ref) in info.value.reason


def test_provider_name_defaults_to_the_class_name() -> None:
    class Nameless(SchemaTransformer):
        pass

    with pytest.raises(IncompatibleToolError, match=r"^Nameless: tool 't' at /\$ref"):
        Nameless({"type": "object", "$ref": "#/$defs/X"}, tool="t").walk()


# --- inline mode --------------------------------------------------------------------------------


def test_inline_mode_replaces_refs_and_drops_defs() -> None:
    out, w = _walk(Inlining, PERSON)
    address = {
        "type": "object",
        "properties": {"street": {"type": "string"}, "zip": {"type": "string"}},
        "required": ["street"],
    }
    assert out == {
        "type": "object",
        "properties": {"home": address, "work": {**address, "description": "office"}},
    }
    # pointers point into the schema the user wrote, not the inlined copy
    assert {c.pointer for c in w.changes} == {"/$defs/Address/properties/zip"}


def test_a_definition_used_twice_is_fitted_once() -> None:
    _, w = _walk(Inlining, PERSON)
    assert w.changes == [
        SchemaChange("/$defs/Address/properties/zip", "format", "dropped", "no formats here")
    ]
    assert w.visited.count("/$defs/Address") == 1


def test_inlined_copies_are_independent() -> None:
    out, _ = _walk(Inlining, PERSON)
    out["properties"]["home"]["properties"]["street"]["type"] = "integer"
    assert out["properties"]["work"]["properties"]["street"]["type"] == "string"
    assert PERSON["$defs"]["Address"]["properties"]["street"]["type"] == "string"  # type: ignore[index]


def test_shared_definitions_do_not_blow_up() -> None:
    # D0 -> D1 twice -> D2 twice ... : 2**12 paths through 13 definitions. (The inlined output
    # is necessarily that big; the work of fitting must not be.)
    n = 12
    defs = {
        f"D{i}": {
            "type": "object",
            "properties": {"a": {"$ref": f"#/$defs/D{i + 1}"}, "b": {"$ref": f"#/$defs/D{i + 1}"}},
        }
        for i in range(n)
    }
    defs[f"D{n}"] = {"type": "string", "format": "x"}
    schema = {"type": "object", "properties": {"root": {"$ref": "#/$defs/D0"}}, "$defs": defs}
    walker = Inlining(schema)
    walker.walk()
    assert len(walker.visited) < 10 * n
    assert len(walker.changes) == 1


def test_ref_siblings_are_fitted_too() -> None:
    schema = {
        "type": "object",
        "properties": {"when": {"$ref": "#/$defs/Day", "format": "date", "description": "d"}},
        "$defs": {"Day": {"type": "string"}},
    }
    out, w = _walk(Inlining, schema)
    assert out["properties"]["when"] == {"type": "string", "description": "d"}
    assert [c.pointer for c in w.changes] == ["/properties/when"]


def test_draft7_definitions_and_tuple_items() -> None:
    schema = {
        "type": "object",
        "properties": {
            "pair": {
                "type": "array",
                "items": [{"$ref": "#/definitions/Name"}, {"type": "integer", "format": "int32"}],
                "additionalItems": False,
            }
        },
        "definitions": {"Name": {"type": "string", "format": "name"}},
    }
    out, w = _walk(Inlining, schema)
    assert out == {
        "type": "object",
        "properties": {
            "pair": {
                "type": "array",
                "items": [{"type": "string"}, {"type": "integer"}],
                "additionalItems": False,
            }
        },
    }
    assert sorted(c.pointer for c in w.changes) == [
        "/definitions/Name",
        "/properties/pair/items/1",
    ]
    kept, _ = _walk(Recording, schema)
    assert kept["properties"]["pair"]["items"][0] == {"$ref": "#/definitions/Name"}
    assert kept["definitions"] == {"Name": {"type": "string"}}


def test_escaped_definition_names() -> None:
    schema = {
        "type": "object",
        "properties": {"x": {"$ref": "#/$defs/a~1b~0c"}},
        "$defs": {"a/b~c": {"type": "string", "format": "f"}},
    }
    out, w = _walk(Inlining, schema)
    assert out == {"type": "object", "properties": {"x": {"type": "string"}}}
    assert w.changes[0].pointer == "/$defs/a~1b~0c"
    assert collect_defs(schema).keys() == {"#", "#/$defs/a~1b~0c"}


def test_property_names_are_escaped_in_pointers() -> None:
    schema = {"type": "object", "properties": {"a/b": {"type": "string", "format": "x"}}}
    _, w = _walk(Recording, schema)
    assert w.changes[0].pointer == "/properties/a~1b"


# --- recursion ----------------------------------------------------------------------------------

TREE = {
    "type": "object",
    "properties": {"root": {"$ref": "#/$defs/Node"}},
    "$defs": {
        "Node": {
            "type": "object",
            "properties": {
                "label": {"type": "string", "format": "label"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
            },
        }
    },
}


def test_self_recursion_is_detected_and_kept() -> None:
    out, w = _walk(Inlining, TREE)
    assert w.recursive == frozenset({"#/$defs/Node"})
    assert out == {
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/Node"}},
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {
                    "label": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                },
            }
        },
    }
    assert w.changes == [
        SchemaChange("/$defs/Node/properties/label", "format", "dropped", "no formats here")
    ]


def test_mutual_recursion_is_detected() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/A"}, "s": {"$ref": "#/$defs/Leaf"}},
        "$defs": {
            "A": {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}},
            "B": {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}},
            "Leaf": {"type": "string"},
        },
    }
    out, w = _walk(Inlining, schema)
    assert w.recursive == frozenset({"#/$defs/A", "#/$defs/B"})
    assert out["properties"] == {"a": {"$ref": "#/$defs/A"}, "s": {"type": "string"}}
    assert out["$defs"] == {
        "A": {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}},
        "B": {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}},
    }


def test_recursion_through_the_root() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "parent": {"anyOf": [{"$ref": "#"}, {"type": "null"}]},
        },
    }
    out, w = _walk(Inlining, schema)
    assert w.recursive == frozenset({"#"})
    assert out == schema
    assert "$defs" not in out


def test_recursive_ref_siblings_are_fitted_and_copied() -> None:
    schema = copy.deepcopy(TREE)
    schema["properties"]["root"] = {
        "$ref": "#/$defs/Node",
        "format": "tree",
        "examples": [{"label": "x"}],
    }
    out, w = _walk(Inlining, schema)
    assert out["properties"]["root"] == {"$ref": "#/$defs/Node", "examples": [{"label": "x"}]}
    assert "/properties/root" in [c.pointer for c in w.changes]
    out["properties"]["root"]["examples"][0]["label"] = "changed"
    assert schema["properties"]["root"]["examples"] == [{"label": "x"}]


def test_on_recursion_hook() -> None:
    class NoRecursion(Inlining):
        def on_recursion(self, ref: str, pointer: str) -> dict[str, Any]:
            self.reject(pointer, f"recursive schema via {ref} is not supported")

    with pytest.raises(IncompatibleToolError) as info:
        NoRecursion(TREE).walk()
    assert info.value.pointer == "/properties/root"
    assert info.value.reason == "recursive schema via #/$defs/Node is not supported"


def test_keep_mode_leaves_recursion_alone() -> None:
    out, w = _walk(Recording, TREE)
    assert w.recursive == frozenset({"#/$defs/Node"})
    assert out["properties"]["root"] == {"$ref": "#/$defs/Node"}
    assert out["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}


# --- booleans, purity, determinism --------------------------------------------------------------


def test_boolean_schemas_go_through_transform_bool() -> None:
    schema = {
        "type": "object",
        "properties": {"anything": True, "nothing": False, "list": {"items": True}},
        "additionalProperties": False,
    }
    out, w = _walk(Recording, schema)
    assert out == schema
    assert sorted(w.bools, key=lambda b: b[1]) == [
        (False, "/additionalProperties"),
        (True, "/properties/anything"),
        (True, "/properties/list/items"),
        (False, "/properties/nothing"),
    ]


def test_transform_bool_can_replace_a_boolean() -> None:
    class NoBooleans(SchemaTransformer):
        def transform_bool(self, value: bool, pointer: str) -> Any:
            return {} if value else {"not": {}}

    out = NoBooleans({"type": "object", "properties": {"a": True, "b": False}}, tool="t").walk()
    assert out == {"type": "object", "properties": {"a": {}, "b": {"not": {}}}}


def test_the_root_must_stay_an_object() -> None:
    class Broken(SchemaTransformer):
        def transform(self, node: dict[str, Any], pointer: str) -> dict[str, Any]:
            return True if pointer == "" else node  # type: ignore[return-value]

    with pytest.raises(IncompatibleToolError, match="the root schema must stay an object"):
        Broken({"type": "object"}, tool="t").walk()


def test_reject_carries_the_pointer() -> None:
    schema = {"type": "object", "properties": {"x": {"not": {"type": "null"}}}}
    with pytest.raises(IncompatibleToolError) as info:
        Recording(schema).walk()
    assert info.value.pointer == "/properties/x/not"


BIG = {
    "type": "object",
    "title": "Big",
    "properties": {
        "z": {"type": "string", "enum": ["b", "a"], "format": "f"},
        "a": {"$ref": "#/$defs/Node"},
        "m": {"anyOf": [{"$ref": "#/$defs/Leaf"}, {"type": "null"}], "default": None},
        "t": {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
        "o": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Leaf"}},
    },
    "required": ["z", "a"],
    "$defs": {
        "Node": {
            "type": "object",
            "properties": {"next": {"$ref": "#/$defs/Node"}, "leaf": {"$ref": "#/$defs/Leaf"}},
        },
        "Leaf": {"type": "integer", "format": "int64", "examples": [1, 2]},
    },
}


@pytest.mark.parametrize("cls", [Recording, Inlining])
def test_input_is_never_mutated_and_output_shares_nothing(cls: type[Recording]) -> None:
    schema = copy.deepcopy(BIG)
    out, _ = _walk(cls, schema)

    def containers(value: Any) -> list[int]:
        if isinstance(value, dict):
            return [id(value), *(i for v in value.values() for i in containers(v))]
        if isinstance(value, list):
            return [id(value), *(i for v in value for i in containers(v))]
        return []

    assert not set(containers(out)) & set(containers(schema))


@pytest.mark.parametrize("cls", [Recording, Inlining])
def test_same_input_same_bytes(cls: type[Recording]) -> None:
    first = cls(copy.deepcopy(BIG)).walk()
    walker = cls(copy.deepcopy(BIG))
    second = walker.walk()
    third = walker.walk()  # walking twice with one transformer is also stable
    assert json.dumps(first) == json.dumps(second) == json.dumps(third)


def test_changes_point_into_the_original_schema() -> None:
    def resolve(pointer: str) -> Any:
        node: Any = BIG
        for part in pointer.split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    for cls in (Recording, Inlining):
        _, w = _walk(cls, copy.deepcopy(BIG))
        assert w.changes
        for change in w.changes:
            assert change.keyword in resolve(change.pointer), change


def test_subschemas_lists_direct_children_in_order() -> None:
    node = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": True},
        "items": [{"type": "string"}],
        "anyOf": [{"type": "object"}, {"type": "null"}],
        "not": {"type": "integer"},
        "enum": [{"not": "a schema"}],
        "$defs": {"X": {}},
        "additionalProperties": False,
    }
    assert [path for path, _ in subschemas(node)] == [
        ("properties", "a"),
        ("properties", "b"),
        ("items", 0),
        ("anyOf", 0),
        ("anyOf", 1),
        ("not",),
        ("$defs", "X"),
        ("additionalProperties",),
    ]
