"""The one JSON Schema walker; every dialect fits a schema through its hook.

Modelled on pydantic-ai's ``_json_schema.py``: ``$ref``/``$defs`` are resolved once and cycles
detected before the walk; a dialect overrides only ``transform`` (one node, children already
fitted) and reports each keyword it rewrites or drops with a one-line reason, or raises
``IncompatibleToolError`` through ``reject``. The input is never mutated, and the same input
always gives the same output (dict order included), so requests are byte-stable.

Pointers in changes and errors point into the schema the user wrote, so a message can be acted
on without knowing how the walker got there.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, NoReturn

from .._exceptions import IncompatibleToolError
from .._pointer import escape, json_pointer, unescape
from .._types import JSONObject

__all__ = ["SchemaChange", "SchemaTransformer", "collect_defs", "subschemas"]

# Keywords whose value is one subschema.
_SINGLE = (
    "additionalProperties",
    "items",
    "additionalItems",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
# Keywords whose value is a list of subschemas.
_LIST = ("anyOf", "oneOf", "allOf", "prefixItems")
# Keywords whose value maps names to subschemas.
_MAP = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")


def subschemas(node: JSONObject) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every direct subschema of ``node`` with its relative path (in keyword order)."""
    for key, value in node.items():
        if key in _SINGLE and isinstance(value, (dict, bool)):
            yield (key,), value
        elif (key in _LIST or key == "items") and isinstance(value, list):
            for i, sub in enumerate(value):
                yield (key, i), sub
        elif key in _MAP and isinstance(value, dict):
            for name, sub in value.items():
                yield (key, name), sub


def collect_defs(schema: JSONObject) -> dict[str, Any]:
    """Local ``$ref`` target -> subschema: ``#`` and every ``$defs``/``definitions`` entry."""
    defs: dict[str, Any] = {"#": schema}
    for key in ("$defs", "definitions"):
        block = schema.get(key)
        if isinstance(block, dict):
            for name, sub in block.items():
                defs[f"#/{key}/{escape(name)}"] = sub
    return defs


@dataclass(frozen=True, slots=True)
class SchemaChange:
    """One keyword that the dialect made fctest rewrite or drop, and why."""

    pointer: str
    keyword: str
    action: Literal["rewritten", "dropped", "unenforced"]
    """``unenforced``: sent as it is, but the provider does not honour it (checked on the
    client)."""
    reason: str


class SchemaTransformer:
    """Walks a tool's parameters schema bottom-up and calls ``transform`` on every object node.

    ``inline_defs`` (a class setting, default ``False``): replace every local ``$ref`` with the
    definition it points to and drop ``$defs``; a recursive definition cannot be inlined and
    goes to ``on_recursion``. ``provider`` and ``tool`` name the schema in errors.
    """

    inline_defs: ClassVar[bool] = False

    def __init__(self, schema: JSONObject, *, tool: str, provider: str = "") -> None:
        self.schema = schema
        self.tool = tool
        self.provider = provider
        self.changes: list[SchemaChange] = []
        self._defs = collect_defs(schema)
        self.recursive = self._find_recursive()
        self._kept_defs: set[str] = set()
        self._inlined: dict[str, Any] = {}

    # --- the hook -------------------------------------------------------------------------
    def transform(self, node: JSONObject, pointer: str) -> JSONObject:
        """Fit one schema node (its subschemas are already fitted). Default: unchanged."""
        return node

    def transform_bool(self, value: bool, pointer: str) -> Any:
        """Fit a boolean schema (``true``/``false``). Default: unchanged."""
        return value

    def on_recursion(self, ref: str, pointer: str) -> JSONObject:
        """A recursive ``$ref`` met while inlining. Default: keep the ``$ref`` (and its defs)."""
        return {"$ref": ref}

    # --- helpers for transforms ---------------------------------------------------------
    def rewrite(self, pointer: str, keyword: str, reason: str) -> None:
        self.changes.append(SchemaChange(pointer, keyword, "rewritten", reason))

    def drop(self, pointer: str, keyword: str, reason: str) -> None:
        self.changes.append(SchemaChange(pointer, keyword, "dropped", reason))

    def reject(self, pointer: str, reason: str) -> NoReturn:
        raise IncompatibleToolError(
            self.provider or type(self).__name__, self.tool, pointer, reason
        )

    # --- the walk -------------------------------------------------------------------------
    def walk(self) -> JSONObject:
        """The fitted schema: a new object, the input left as it was."""
        self._kept_defs = set()
        self._inlined = {}
        result = self._walk(self.schema, "", ())
        if not isinstance(result, dict):  # a root transform must keep an object
            self.reject("", "the root schema must stay an object")
        if self.inline_defs and self._kept_defs:
            # Recursive definitions cannot be inlined: keep them (and whatever they reach).
            kept: dict[str, Any] = {}
            while todo := sorted(self._kept_defs - kept.keys()):
                for ref in todo:
                    kept[ref] = self._walk(self._defs[ref], ref[1:], (ref,))
            block: dict[str, dict[str, Any]] = {}
            for ref in sorted(kept):
                _, key, name = ref.split("/", 2)
                block.setdefault(key, {})[unescape(name)] = kept[ref]
            result.update(block)
        return result

    def _walk(self, node: Any, pointer: str, stack: tuple[str, ...]) -> Any:
        if isinstance(node, bool):
            return self.transform_bool(node, pointer)
        if not isinstance(node, dict):
            return copy.deepcopy(node)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in self._defs:
            self.reject(pointer + "/$ref", f"$ref {ref!r} does not resolve to a local definition")
        if isinstance(ref, str) and self.inline_defs:
            return self._inline(ref, node, pointer, stack)
        out: JSONObject = {}
        children = {path[0] for path, _ in subschemas(node)}
        for key, value in node.items():
            if key in children:
                if self.inline_defs and key in ("$defs", "definitions") and pointer == "":
                    continue
                out[key] = self._walk_keyword(key, value, pointer, stack)
            else:
                out[key] = copy.deepcopy(value)
        return self.transform(out, pointer)

    def _inline(self, ref: str, node: JSONObject, pointer: str, stack: tuple[str, ...]) -> Any:
        """A ``$ref`` node replaced by its (fitted) definition, its sibling keywords on top;
        a recursive one goes to ``on_recursion`` and its definition is kept."""
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if ref in stack or ref in self.recursive:
            if ref != "#":
                self._kept_defs.add(ref)
            target: Any = self.on_recursion(ref, pointer)
        else:
            # A definition is fitted once however often it is used (its changes are recorded
            # once, and shared definitions cannot make the walk exponential); every use gets
            # its own copy.
            if ref not in self._inlined:
                self._inlined[ref] = self._walk(self._defs[ref], ref[1:], (*stack, ref))
            target = copy.deepcopy(self._inlined[ref])
        if not siblings:
            return target
        walked = self._walk(siblings, pointer, stack)
        return (
            {**target, **walked}
            if isinstance(target, dict) and isinstance(walked, dict)
            else walked
        )

    def _walk_keyword(self, key: str, value: Any, pointer: str, stack: tuple[str, ...]) -> Any:
        base = f"{pointer}/{key}"
        if isinstance(value, list):
            return [self._walk(v, f"{base}/{i}", stack) for i, v in enumerate(value)]
        if key in _MAP:
            return {
                name: self._walk(v, base + json_pointer([name]), stack) for name, v in value.items()
            }
        return self._walk(value, base, stack)

    # --- $ref bookkeeping ------------------------------------------------------------------
    def _refs_in(self, node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield ref
            for _, sub in subschemas(node):
                yield from self._refs_in(sub)

    def _find_recursive(self) -> frozenset[str]:
        """Definitions that reach themselves through ``$ref`` (``#`` included)."""
        graph: dict[str, set[str]] = {}
        for ref, sub in self._defs.items():
            if ref == "#":
                root = {k: v for k, v in self.schema.items() if k not in ("$defs", "definitions")}
                graph[ref] = set(self._refs_in(root))
            else:
                graph[ref] = set(self._refs_in(sub))
        recursive: set[str] = set()
        for start in graph:
            seen: set[str] = set()
            todo = list(graph[start])
            while todo:
                cur = todo.pop()
                if cur == start:
                    recursive.add(start)
                    break
                if cur in seen or cur not in graph:
                    continue
                seen.add(cur)
                todo.extend(graph[cur])
        return frozenset(recursive)
