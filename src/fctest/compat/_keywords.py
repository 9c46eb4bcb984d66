"""The keyword-by-provider table: one small schema per JSON Schema keyword, fitted by every
adapter in each strict mode it has, with what its profile declares next to what it did.

Private: ``keyword_table``, ``keyword_results`` and ``KeywordRow`` are public in
``fctest.compat``. The property tests in ``tests/properties`` check declared and observed agree;
the capability matrix shows the results as ``keyword:<name>`` capabilities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .._exceptions import IncompatibleToolError
from .._tools import Tool
from ..dialect import KeywordMode, SchemaChange, ValueRule
from ..providers import Adapter
from ._offline import fit_offline, selected_adapters
from ._report import change_json

if TYPE_CHECKING:
    from ..matrix import Result

__all__ = ["KeywordRow", "keyword_results", "keyword_table"]

_S: dict[str, Any] = {"type": "string"}

# keyword -> (a property schema using it, or a root-level fragment when the key starts with "/").
KEYWORD_PROBES: Mapping[str, Any] = {
    "type": {"type": ["string", "integer"]},
    "properties": {"type": "object", "properties": {"a": _S}, "required": ["a"]},
    "required": {"type": "object", "properties": {"a": _S, "b": _S}, "required": ["a"]},
    "additionalProperties": {"type": "object", "properties": {"a": _S}, "additionalProperties": _S},
    "items": {"type": "array", "items": _S},
    "prefixItems": {"type": "array", "prefixItems": [_S, {"type": "integer"}]},
    "enum": {"enum": ["a", 1, None]},
    "const": {"const": 3},
    "anyOf": {"anyOf": [_S, {"type": "integer"}]},
    "oneOf": {"oneOf": [_S, {"type": "integer"}]},
    "allOf": {"allOf": [{"type": "object", "properties": {"a": _S}}, {"required": ["a"]}]},
    "not": {"type": "string", "not": {"const": "x"}},
    "if": {"type": "string", "if": {"minLength": 2}, "then": {"maxLength": 5}},
    "$ref": {"$ref": "#/$defs/Item"},
    "format": {"type": "string", "format": "hostname"},
    "pattern": {"type": "string", "pattern": "^[a-z]+$"},
    "minLength": {"type": "string", "minLength": 2},
    "maxLength": {"type": "string", "maxLength": 5},
    "minimum": {"type": "integer", "minimum": 1},
    "maximum": {"type": "integer", "maximum": 9},
    "exclusiveMinimum": {"type": "number", "exclusiveMinimum": 0},
    "exclusiveMaximum": {"type": "number", "exclusiveMaximum": 1},
    "multipleOf": {"type": "integer", "multipleOf": 5},
    "minItems": {"type": "array", "items": _S, "minItems": 2},
    "maxItems": {"type": "array", "items": _S, "maxItems": 3},
    "uniqueItems": {"type": "array", "items": _S, "uniqueItems": True},
    "contains": {"type": "array", "items": _S, "contains": {"const": "x"}},
    "minContains": {"type": "array", "items": _S, "contains": _S, "minContains": 2},
    "maxContains": {"type": "array", "items": _S, "contains": _S, "maxContains": 2},
    "minProperties": {"type": "object", "properties": {"a": _S}, "minProperties": 1},
    "maxProperties": {"type": "object", "properties": {"a": _S}, "maxProperties": 1},
    "patternProperties": {"type": "object", "patternProperties": {"^x_": _S}},
    "propertyNames": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}},
    "dependentRequired": {"type": "object", "dependentRequired": {"a": ["b"]}},
    "default": {"type": "string", "default": "x"},
    "description": {"type": "string", "description": "d"},
    "title": {"type": "string", "title": "T"},
    "examples": {"type": "string", "examples": ["x"]},
    "deprecated": {"type": "string", "deprecated": True},
    "$comment": {"type": "string", "$comment": "c"},
    "/$schema": "https://json-schema.org/draft/2020-12/schema",
    "/$defs": {"Item": {"type": "object", "properties": {"a": _S}}},
    "/$id": "https://example.com/tool.json",
}  # fmt: skip
"""One schema per keyword, realistic rather than minimal (``required`` leaves a property
optional, ``additionalProperties`` is a schema), so the table shows what users meet."""

# The value each kind of value (``ValueCase.test``) is probed with; ``OTHER_VALUES`` is the
# value for a ``ValueRule``'s ``otherwise`` where the probe above falls in one of its cases.
_CASE_VALUES: Mapping[str, Any] = {
    "false": False,
    "true": True,
    "schema": _S,
    "one_entry": [{"type": "object", "properties": {"a": _S}}],
    "several_entries": [{"type": "object", "properties": {"a": _S}}, {"required": ["a"]}],
}
OTHER_VALUES: Mapping[str, Any] = {"format": "uri"}


@dataclass(frozen=True, slots=True)
class KeywordRow:
    """What one adapter, in one mode, does with one keyword: declared (its profile) and
    observed (the probe schema fitted by the adapter)."""

    provider: str
    strict: bool
    keyword: str
    declared: KeywordMode
    observed: KeywordMode | Literal["lost"]
    """``lost``: the keyword disappeared with no change recorded (a bug: property 2)."""
    changes: tuple[SchemaChange, ...] = ()
    reason: str | None = None
    case: str | None = None
    """For a keyword whose mode depends on its value: the kind of value probed (``false``,
    ``one entry``...); ``None`` for a keyword with one mode."""

    @property
    def capability(self) -> str:
        """``keyword:<name>``, or ``keyword:<name>=<case>`` for one kind of value."""
        name = f"keyword:{self.keyword}"
        return name if self.case is None else f"{name}={self.case}"

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "mode": "strict" if self.strict else "non-strict",
            "keyword": self.keyword,
            "case": self.case,
            "declared": self.declared,
            "observed": self.observed,
            "changes": [change_json(c) for c in self.changes],
            "reason": self.reason,
        }


def _probe_tool(keyword: str, strict: bool, value: Any = None) -> Tool:
    probe = KEYWORD_PROBES[keyword]
    if value is not None:
        probe = {**probe, keyword: value}
    schema: dict[str, Any] = {"type": "object", "properties": {"p": probe}}
    if keyword.startswith("/"):
        schema = {keyword[1:]: probe, "type": "object", "properties": {"p": _S}}
    if keyword == "$ref":
        schema["$defs"] = KEYWORD_PROBES["/$defs"]
    return Tool("probe", "", schema, strict=strict)


def _modes(adapter: Adapter) -> tuple[bool, ...]:
    mode = adapter.profile.strict_mode
    return {"always": (True,), "none": (False,)}.get(mode, (False, True))


def _observe(adapter: Adapter, keyword: str, strict: bool) -> list[KeywordRow]:
    """One row per kind of value the profile tells apart (one row for a keyword with one
    mode), each probe fitted by the adapter."""
    name = keyword.lstrip("/")
    entry = adapter.profile.keyword_entry(name, strict=strict)
    if not isinstance(entry, ValueRule) or keyword.startswith("/"):
        declared = adapter.profile.keyword_mode(name, strict=strict)
        return [_row(adapter, keyword, strict, declared, None, None)]
    rows = []
    for case in entry.cases:
        value = sorted(case.values)[0] if case.test == "one_of" else _CASE_VALUES[case.test]
        rows.append(_row(adapter, keyword, strict, case.mode, case.label, value))
    other = OTHER_VALUES.get(name, KEYWORD_PROBES[keyword][name])
    if not any(case.holds(other) for case in entry.cases):
        rows.append(_row(adapter, keyword, strict, entry.otherwise, entry.otherwise_label, other))
    return rows


def _row(
    adapter: Adapter,
    keyword: str,
    strict: bool,
    declared: KeywordMode,
    case: str | None,
    value: Any,
) -> KeywordRow:
    name = keyword.lstrip("/")

    def row(
        observed: KeywordMode | Literal["lost"],
        changes: tuple[SchemaChange, ...] = (),
        reason: str | None = None,
    ) -> KeywordRow:
        return KeywordRow(adapter.name, strict, name, declared, observed, changes, reason, case)

    tool = _probe_tool(keyword, strict, value)
    try:
        (fitted,) = fit_offline(adapter, (tool,))
    except IncompatibleToolError as exc:
        return row("rejected", reason=exc.reason)
    # Changes to the probed keyword where it was put (the root object is made strict too).
    where = "" if keyword.startswith("/") else "/properties/p"
    changes = tuple(c for c in fitted.changes if c.keyword == name and c.pointer.startswith(where))
    for action in ("dropped", "unenforced"):
        if any(c.action == action for c in changes):
            return row(action, changes)
    if changes:
        return row("rewritten", changes)
    if _mentions(fitted.parameters, name):
        return row("native")
    return row("lost", reason="gone from the sent schema, no change recorded")


def _mentions(schema: Any, keyword: str) -> bool:
    if isinstance(schema, dict):
        return keyword in schema or any(_mentions(v, keyword) for v in schema.values())
    if isinstance(schema, list):
        return any(_mentions(v, keyword) for v in schema)
    return False


def keyword_table(providers: Iterable[str] | None = None) -> tuple[KeywordRow, ...]:
    """Every probe keyword on every adapter (default: all registered), in each strict mode the
    adapter has: the profile's declared mode and the observed one."""
    rows = []
    for adapter in selected_adapters(providers):
        for strict in _modes(adapter):
            for keyword in KEYWORD_PROBES:
                rows.extend(_observe(adapter, keyword, strict))
    return tuple(rows)


_OUTCOME = {
    "native": "pass",
    "rewritten": "partial",
    "dropped": "partial",
    "unenforced": "partial",
    "rejected": "unsupported",
    "lost": "fail",
}


def keyword_results(providers: Iterable[str] | None = None) -> list[Result]:
    """``keyword_table`` as ``fctest.matrix.Result`` records, capability ``keyword:<name>``:
    native is ``pass``, rewritten or dropped ``partial`` (``changes`` says how), rejected
    ``unsupported``, a keyword lost without a recorded change ``fail``."""
    from ..matrix import Result

    out = []
    for row in keyword_table(providers):
        mode = "strict" if row.strict else "non-strict"
        out.append(
            Result(
                provider=row.provider,
                capability=row.capability,
                outcome=_OUTCOME[row.observed],  # type: ignore[arg-type]
                test_id=f"fctest.compat.keyword_table[{row.provider}-{mode}-"
                f"{row.capability.removeprefix('keyword:')}]",
                reason=row.reason,
                declared=row.declared,
                changes=tuple(
                    f"{mode}: {c.pointer or '/'} {c.keyword} {c.action}: {c.reason}"
                    for c in row.changes
                ),
            )
        )
    return out
